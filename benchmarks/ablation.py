"""The recipe ablation: what each ingredient adds, per label, strict, on dev and on both test splits.

    python benchmarks/ablation.py --out runs/ablation                 # train every row, then score
    python benchmarks/ablation.py --out runs/ablation --rows rules,+new-gold   # some rows only
    python benchmarks/ablation.py --out runs/ablation --reuse         # rescore the models already there
    python benchmarks/ablation.py --out runs/ablation --reuse --rows rules,bundled   # the shipped model

Rows are cumulative, in the order of the issue: the rule extractor; a BERT fine-tuned from
scratch on the seed gold; + the pretrained encoder; + silver labels from the rules on unlabelled
documents; + label-preserving augmentation; + the regional gold (train split); + the rules' tags
as input features; + a per-label merge with the rules. Each row trains with ``gongbao train finetune
--config configs/ablation-base.yaml`` (the first bundled recipe: seed gold, pretrained encoder) and the
overrides of its row and those before it (``ROWS``), the same number of steps for all, on the CPU
unless a GPU is there; the table gives the minutes each took. ``bundled`` scores
``infer/bundled_model`` as shipped (``bundled-no-merge``: its model spans alone), trained with its own recipe (``configs/extractor-small.yaml``,
chosen on dev from what the rows showed).

Every model is scored the same way, through ``Tagger.predict_raw`` (the path of ``gongbao infer``)
and ``annotate.scoring.score_spans``: on the regional validation split (dev: recipes are chosen
here), the regional test split and the seed test split. Nothing is chosen on test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.schema import LABELS  # noqa: E402

CONFIG = "configs/ablation-base.yaml"
SILVER = "data/unlabelled/documents.jsonl"
#: (row name, what it adds, overrides on top of the previous row's); cumulative in this order
ROWS: list[tuple[str, str, list[str]]] = [
    ("scratch", "fine-tuned from scratch on the seed gold",
     ["data.source=gold", "model.init_from=null", "model.rule_features=false"]),
    ("+pretraining", "+ the pretrained encoder (data/encoder/pretrain-small)", ["model.init_from=data/encoder/pretrain-small"]),
    ("+silver", "+ silver labels (rules' confident spans on unlabelled documents)", [f"data.silver={SILVER}"]),
    ("+augmentation", "+ 1 augmented copy of each record (unit names, numbers, dates)", ["data.augment_copies=1"]),
    ("+new-gold", "+ the regional gold (train split)", ["data.source=gold+regional"]),
    ("+rule-features", "+ the rules' tags as input features", ["model.rule_features=true"]),
    ("+merge", "+ merged with the rules per label, policy chosen on the validation split", ["model.merge_rules=true"]),
]
EVALS = (("dev", "regional", "validation"), ("regional test", "regional", "test"), ("seed test", "gold", "test"))


def row_overrides(name: str, drop: Sequence[str] = ()) -> list[str]:
    """Overrides of a row: those of every row up to it, skipping the rows named in ``drop``."""
    names = [r[0] for r in ROWS]
    if name not in names:
        raise SystemExit(f"unknown row {name!r}; rows: rules, bundled, bundled-no-merge, {', '.join(names)}")
    out: list[str] = []
    for row, _, sets in ROWS[: names.index(name) + 1]:
        if row not in drop:
            out += sets
    return out


def train_row(name: str, out: Path, epochs: float, max_steps: int, max_minutes: float, drop: Sequence[str],
              extra: Sequence[str]) -> None:
    sets = row_overrides(name, drop) + [f"training.epochs={epochs}", f"training.max_steps={max_steps}",
                                        f"training.max_minutes={max_minutes}",
                                        f"output_dir={out / name}", "export.bundle_dir=null", *extra]
    cmd = [sys.executable, "-c", "from infer.gongbao import main; main()", "train", "finetune", "--config", CONFIG]
    for s in sets:
        cmd += ["--set", s]
    log = out / f"{name}.log"
    print(f"[{name}] training ({' '.join(sets)}), log {log}", flush=True)
    with log.open("w") as f:
        rc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc:
        raise SystemExit(f"[{name}] training failed (exit {rc}); see {log}")


def score(tagger, splits: dict) -> dict:
    from train.finetune import evaluate_texts

    return {label: evaluate_texts(tagger, records)["spans"] for label, records in splits.items()}


def markdown(results: dict, order: Sequence[str]) -> str:
    lines = []
    for ev, _, _ in EVALS:
        lines += [f"**{ev}** (strict span F1)", "",
                  "| row | CPU min | " + " | ".join(LABELS) + " | micro P | micro R | micro F1 |",
                  "|---|---:|" + "---:|" * (len(LABELS) + 3)]
        for name in order:
            r = results.get(name)
            if not r:
                continue
            s = r["scores"][ev]
            mins = "" if r.get("minutes") is None else f"{r['minutes']:.1f}"
            cells = [f"{s[lab]['f1']:.3f}" for lab in LABELS]
            m = s["micro"]
            lines.append(f"| {name} | {mins} | " + " | ".join(cells) +
                         f" | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("runs/ablation"), help="models, logs and results go here")
    ap.add_argument("--rows", default="all", help="comma-separated rows (rules, bundled, " + ", ".join(r[0] for r in ROWS) + ")")
    ap.add_argument("--drop", default="", help="rows whose overrides later rows leave out (what dev said to drop)")
    ap.add_argument("--epochs", type=float, default=8)
    ap.add_argument("--max-steps", type=int, default=-1, help="steps per row (overrides --epochs): the same compute for every row")
    ap.add_argument("--max-minutes", type=float, default=30, help="safety stop per training run")
    ap.add_argument("--set", dest="extra", action="append", default=[], help="extra override for every trained row")
    ap.add_argument("--reuse", action="store_true", help="do not train: score the models already under --out")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args(argv)

    names = ["rules", *(r[0] for r in ROWS), "bundled-no-merge", "bundled"] if args.rows == "all" else args.rows.split(",")
    drop = [d for d in args.drop.split(",") if d]
    args.out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    for name in names:
        if name not in ("rules", "bundled") and not args.reuse:
            train_row(name, args.out, args.epochs, args.max_steps, args.max_minutes, drop, args.extra)

    import torch

    from train.finetune import load_splits
    from train.config import DataConfig, FinetuneConfig
    from train.tagging import BUNDLED_MODEL_DIR, load_tagger

    if args.threads:
        torch.set_num_threads(args.threads)
    splits = {}
    for ev, source, split in EVALS:
        splits[ev] = load_splits(FinetuneConfig(output_dir=Path("."), data=DataConfig(source=source)))[split]
    results_file = args.out / "results.json"
    results = json.loads(results_file.read_text()) if results_file.is_file() else {}
    for name in names:
        bundled = name in ("bundled", "bundled-no-merge")
        spec = "rules" if name == "rules" else None if bundled else args.out / name
        model_dir = BUNDLED_MODEL_DIR if bundled else None if name == "rules" else args.out / name
        if model_dir is not None and not (model_dir / "config.json").is_file():
            print(f"[{name}] no model at {model_dir}; skipped", flush=True)
            continue
        started = time.monotonic()
        tagger = load_tagger(spec)
        if name == "bundled-no-merge":  # what the merge adds to the shipped recipe
            tagger.merge = None
        scores = score(tagger, splits)
        minutes = None
        if model_dir is not None and (model_dir / "metrics.json").is_file():
            minutes = json.loads((model_dir / "metrics.json").read_text())["train"]["minutes"]
        results[name] = {"scores": scores, "minutes": minutes,
                         "overrides": [] if model_dir is None or bundled else row_overrides(name, drop),
                         "scoring_seconds": round(time.monotonic() - started, 1)}
        print(f"[{name}] dev micro F1 {scores['dev']['micro']['f1']:.3f}", flush=True)
    results_file.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    order = ["rules", *(r[0] for r in ROWS), "bundled-no-merge", "bundled"]
    table = markdown(results, order + [k for k in results if k not in order])
    (args.out / "ablation.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
