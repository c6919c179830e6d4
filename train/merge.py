"""Model and rules merged per label, the policy chosen on a dev split.

Per label one of:

- ``model``: the model's spans only;
- ``rules``: the rule extractor's spans only;
- ``union``: the model's spans plus the rule spans that overlap none of them.

Every merged span says which produced it (``source``): ``model``, ``rules``, or ``model+rules``
where both found exactly the same span. ``choose_policy`` scores the three policies per label on a
split with gold and keeps the best (ties go to ``model``, then ``union``); ``gongbao train merge``
writes the choice into a model's ``gongbao.json``, where ``Tagger`` applies it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from annotate.schema import LABELS
from annotate.types import Span

POLICIES = ("model", "union", "rules")


def merge_spans(model: Sequence[Span], rules: Sequence[Span], policy: Mapping[str, str]) -> list[Span]:
    """The merged spans of one text, in text order (policy per label; missing labels: ``model``)."""
    rule_keys = {r.key for r in rules}
    out = [replace(s, source="model+rules") if s.key in rule_keys else s
           for s in model if policy.get(s.label, "model") != "rules"]
    taken = sorted((s.start, s.end) for s in out)
    have = {s.key for s in out}
    for r in rules:
        mode = policy.get(r.label, "model")
        if mode == "model" or r.key in have:
            continue
        if mode == "union" and any(a < r.end and r.start < b for a, b in taken):
            continue
        if mode == "rules":
            match = next((s for s in model if s.key == r.key), None)
            out.append(replace(r, source="model+rules", score=match.score) if match else replace(r, source="rules"))
        else:
            out.append(replace(r, source="rules"))
    return sorted(out, key=lambda s: (s.start, s.end, s.label))


def choose_policy(gold: Mapping[str, Sequence[Span]], model: Mapping[str, Sequence[Span]],
                  rules: Mapping[str, Sequence[Span]]) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """The best policy per label on these texts, and the F1 of every (label, policy)."""
    from annotate.scoring import score_spans

    table: dict[str, dict[str, float]] = {lab: {} for lab in LABELS}
    for mode in POLICIES:
        merged = {k: merge_spans(model[k], rules[k], {lab: mode for lab in LABELS}) for k in gold}
        scores = score_spans(gold, merged)
        for lab in LABELS:
            table[lab][mode] = scores[lab].f1
    policy = {lab: max(POLICIES, key=lambda m: (round(table[lab][m], 9), -POLICIES.index(m))) for lab in LABELS}
    return policy, table


def choose_for_tagger(tagger, records) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """``choose_policy`` for a ``Tagger`` on records with gold (``text``, ``spans``), with model and
    rule spans computed exactly as the tagger would merge them (rules on the normalised view)."""
    from train.features import rule_spans
    from train.tagging import normalize_view

    keys = [r.get("id") or str(i) for i, r in enumerate(records)]
    gold = {k: [Span(s["start"], s["end"], s["label"]) for s in r["spans"]] for k, r in zip(keys, records)}
    saved, tagger.merge = tagger.merge, None
    try:
        model = dict(zip(keys, tagger.predict_raw([r["text"] for r in records])))
    finally:
        tagger.merge = saved
    views = [normalize_view(r["text"]) for r in records]
    rules = {k: [v.span_to_raw(s) for s in rule_spans(v.text)] for k, v in zip(keys, views)}
    return choose_policy(gold, model, rules)
