"""Strict span P/R/F1 of the rule extractor against the seed gold, as Markdown tables.

    python benchmarks/rules_vs_gold.py                 # all five seeds, whole texts
    python benchmarks/rules_vs_gold.py --split test    # only the seed gold's test split tasks
    python benchmarks/rules_vs_gold.py --errors /tmp/rules_errors.txt   # FN/FP samples per label
    python benchmarks/rules_vs_gold.py --regional      # also the regional gold (other provinces), per split
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from annotate.gold import load_seed_gold
from annotate.rules import extract_spans
from annotate.scoring import format_table, score_spans
from annotate.types import Span


def split_task_spans(texts: dict[str, str], pred: dict[str, list[Span]], split: str):
    """Gold and predicted spans of the tasks in one split of ``seed_datasetdict()``, keyed by task."""
    from annotate.dataset import seed_datasetdict

    gold_by, pred_by = {}, {}
    for row in seed_datasetdict()[split]:
        a, b = row["offset"], row["offset"] + len(row["text"])
        key = f"{row['source']}#{row['task_id']}"
        gold_by[key] = [Span(s["start"], s["end"], s["label"]) for s in row["spans"]]
        pred_by[key] = [s.shifted(-a) for s in pred[row["source"]] if a <= s.start and s.end <= b]
    return gold_by, pred_by


def write_errors(path: Path, texts, gold, pred, per_label: int = 40, seed: int = 0) -> None:
    """Random false negatives and false positives per label, with context, to a scratch file."""
    rng = random.Random(seed)
    out = []
    for label in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET"):
        for kind, a_side, b_side in (("FN", gold, pred), ("FP", pred, gold)):
            rows = []
            for src, spans in a_side.items():
                other = {s.key for s in b_side.get(src, [])}
                t = texts[src]
                for s in spans:
                    if s.label == label and s.key not in other:
                        ctx = (t[max(0, s.start - 30): s.start] + "⟦" + t[s.start: s.end] + "⟧"
                               + t[s.end: s.end + 20]).replace("\n", "⏎")
                        rows.append(f"{src[:3]}:{t.count(chr(10), 0, s.start) + 1} {ctx}")
            out.append(f"## {label} {kind} ({len(rows)})")
            out += rng.sample(rows, min(per_label, len(rows)))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def print_regional() -> None:
    """Rules on the regional passages (short texts with no issue around them), per split and all."""
    from annotate.dataset import SPLITS, regional_datasetdict

    dd = regional_datasetdict()
    gold, pred = {}, {}
    for split in SPLITS:
        g = {r["id"]: [Span(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in dd[split]}
        p = {r["id"]: extract_spans(r["text"]) for r in dd[split]}
        print(format_table(score_spans(g, p), f"rules vs regional gold, {split} split ({len(g)} passages)"))
        print()
        gold.update(g)
        pred.update(p)
    print(format_table(score_spans(gold, pred), f"rules vs regional gold, all {len(gold)} passages"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "validation", "test"], default=None)
    ap.add_argument("--errors", type=Path, default=None, help="write FN/FP samples here (scratch)")
    ap.add_argument("--per-label", type=int, default=40)
    ap.add_argument("--regional", action="store_true", help="also score the regional gold, per split")
    args = ap.parse_args()
    if args.regional:
        print_regional()
        print()

    texts, gold = load_seed_gold()
    pred = {src: extract_spans(raw) for src, raw in texts.items()}
    if args.split:
        g, p = split_task_spans(texts, pred, args.split)
        print(format_table(score_spans(g, p), f"rules vs gold, seed {args.split} split"))
        return
    print(format_table(score_spans(gold, pred), "rules vs gold, all seeds"))
    print()
    print("| seed | micro P | micro R | micro F1 |")
    print("|---|---:|---:|---:|")
    for src in sorted(texts):
        s = score_spans({src: gold.get(src, [])}, {src: pred[src]})["micro"]
        print(f"| {src[:3]} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")
    if args.errors:
        write_errors(args.errors, texts, gold, pred, args.per_label)


if __name__ == "__main__":
    main()
