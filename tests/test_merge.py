"""Merging model and rule spans per label: each policy, the choice on gold, and the Tagger path."""

from __future__ import annotations

import json
import shutil

import pytest

from annotate.normalize import normalize
from annotate.rules import extract_spans
from annotate.types import Span
from train.merge import POLICIES, choose_policy, merge_spans
from train.tagging import Tagger

M = [Span(0, 4, "LEAD_UNIT", score=0.9, source="model"), Span(10, 14, "UNIT", score=0.8, source="model"),
     Span(20, 25, "TARGET", score=0.7, source="model")]
R = [Span(0, 4, "LEAD_UNIT", score=0.95, source="rules"), Span(11, 14, "UNIT", score=0.95, source="rules"),
     Span(30, 34, "UNIT", score=0.95, source="rules"), Span(40, 45, "DEADLINE", score=0.9, source="rules")]


@pytest.mark.parametrize("policy, expected", [
    ({}, [(0, 4, "LEAD_UNIT", "model+rules"), (10, 14, "UNIT", "model"), (20, 25, "TARGET", "model")]),
    ({"UNIT": "union"}, [(0, 4, "LEAD_UNIT", "model+rules"), (10, 14, "UNIT", "model"), (20, 25, "TARGET", "model"),
                         (30, 34, "UNIT", "rules")]),
    ({"UNIT": "rules"}, [(0, 4, "LEAD_UNIT", "model+rules"), (11, 14, "UNIT", "rules"), (20, 25, "TARGET", "model"),
                         (30, 34, "UNIT", "rules")]),
    ({"LEAD_UNIT": "rules", "DEADLINE": "union", "TARGET": "rules"},
     [(0, 4, "LEAD_UNIT", "model+rules"), (10, 14, "UNIT", "model"), (40, 45, "DEADLINE", "rules")]),
])
def test_merge_policies(policy, expected):
    got = merge_spans(M, R, policy)
    assert [(*s.key, s.source) for s in got] == expected


def test_union_never_adds_overlapping_rule_spans():
    got = merge_spans(M, R, {lab: "union" for lab in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET")})
    spans = sorted((s.start, s.end) for s in got)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_choose_policy_picks_the_best_per_label():
    gold = {"t": [Span(0, 4, "LEAD_UNIT"), Span(11, 14, "UNIT"), Span(30, 34, "UNIT"), Span(20, 25, "TARGET")]}
    policy, table = choose_policy(gold, {"t": M}, {"t": R})
    assert policy["UNIT"] == "rules" and table["UNIT"]["rules"] == 1.0
    assert policy["TARGET"] == "model" and table["TARGET"]["rules"] == 0.0
    assert policy["LEAD_UNIT"] == "model"  # a tie goes to the model
    assert set(table["DEADLINE"]) == set(POLICIES)


def test_tagger_with_rules_policy_returns_the_rules(tmp_path, seed_texts):
    """A model told to take every label from the rules gives the rules' spans on the view, mapped
    back to raw offsets, and each says who produced it."""
    from test_tagging import build_tiny_model

    d = build_tiny_model(tmp_path / "m")
    (d / "gongbao.json").write_text(json.dumps({"merge": {lab: "rules" for lab in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET")}}))
    tagger = Tagger.load(d, device="cpu")
    raw = sorted(seed_texts.values(), key=len)[0][:8000]
    view = normalize(raw)
    want = {view.span_to_raw(s).key for s in extract_spans(view.text)}
    got = tagger.predict_raw([raw])[0]
    assert {s.key for s in got} == want and want
    assert {s.source for s in got} <= {"rules", "model+rules"}
    assert all(raw[s.start : s.end] == s.text for s in got)


@pytest.mark.slow
def test_finetune_chooses_and_records_the_policy(tmp_path):
    from pathlib import Path

    from train.config import load_finetune_config
    from train.finetune import run_finetune

    out = tmp_path / "merged"
    res = Path(__file__).parent / "resources" / "tiny-finetune.yaml"
    run_finetune(load_finetune_config(res, [f"output_dir={out}", "data.limit=3", "training.max_steps=2",
                                            "training.eval_steps=2", "model.merge_rules=true"]))
    meta = json.loads((out / "gongbao.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(meta["merge"]) == {"LEAD_UNIT", "UNIT", "DEADLINE", "TARGET"} and set(meta["merge"].values()) <= set(POLICIES)
    assert metrics["merge"]["policy"] == meta["merge"]
    assert Tagger.load(out, device="cpu").merge == meta["merge"]
    # a barely trained model loses to the rules wherever the rules find anything
    f1 = metrics["merge"]["f1"]
    assert any(f1[lab]["rules"] > f1[lab]["model"] for lab in f1)


@pytest.mark.parametrize("policy", [{"UNIT": "both"}, {"PERSON": "rules"}])
def test_bad_merge_policy_in_gongbao_json_is_a_clear_error(tmp_path, policy):
    from annotate.errors import InputError
    from test_tagging import build_tiny_model

    d = build_tiny_model(tmp_path / "m")
    (d / "gongbao.json").write_text(json.dumps({"name": "tiny", "merge": policy}))
    with pytest.raises(InputError, match="bad merge policy"):
        Tagger.load(d, device="cpu")
