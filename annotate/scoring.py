"""Strict span scoring: a predicted span counts only if start, end and label all match.

This equals seqeval's strict IOB2 entity scoring on character tags (see the cross-check in
tests/test_scoring.py); working on spans avoids tagging 300 k characters to score them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from annotate.schema import LABELS
from annotate.types import Span


@dataclass(frozen=True)
class PRF:
    tp: int
    n_pred: int
    n_gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "support": self.n_gold,
                "predicted": self.n_pred, "tp": self.tp}


def score_spans(gold: Mapping[str, Iterable[Span]], pred: Mapping[str, Iterable[Span]]) -> dict[str, PRF]:
    """Per-label and ``"micro"`` strict P/R/F1 over documents keyed alike in ``gold`` and ``pred``."""
    tp: Counter = Counter()
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for key in set(gold) | set(pred):
        g = {s.key for s in gold.get(key, ())}
        p = {s.key for s in pred.get(key, ())}
        for _, _, label in g:
            n_gold[label] += 1
        for _, _, label in p:
            n_pred[label] += 1
        for _, _, label in g & p:
            tp[label] += 1
    out = {label: PRF(tp[label], n_pred[label], n_gold[label]) for label in LABELS}
    out["micro"] = PRF(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


def format_table(scores: Mapping[str, PRF], title: str = "") -> str:
    """A Markdown table of P/R/F1 per label and micro."""
    lines = [f"**{title}**", ""] if title else []
    lines += ["| label | precision | recall | F1 | gold | predicted |", "|---|---:|---:|---:|---:|---:|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.n_gold} | {s.n_pred} |")
    return "\n".join(lines)


def spans_to_bio(length: int, spans: Iterable[Span]) -> list[str]:
    """Character-level IOB2 tags for a text of ``length`` characters (spans must not overlap)."""
    tags = ["O"] * length
    for s in spans:
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags
