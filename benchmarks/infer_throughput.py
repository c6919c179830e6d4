"""Throughput of gongbao's inference against ``transformers.pipeline`` on the same model and text.

The text is the seed issues' normalised views cut into pieces of at most 510 characters (where the
pipeline is correct; its stride loses text on longer inputs, huggingface/tokenizers#2091). Both
run in this process on the same model; the script checks they find the same spans and prints
characters/second and the ratio as a Markdown table. Extra rows: ours in fp32 on GPU (exact
agreement check) and ours on the whole issues (the real path: windows with overlap).

    python benchmarks/infer_throughput.py [--model DIR] [--device cpu|cuda] [--json out.json]

Without a bundled model (``infer/bundled_model``) and without ``--model``, a randomly initialised
model of the bundled shape (hidden 256, 4 layers) is used, for development only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PIECE = 510


def random_model_dir(out: Path) -> Path:
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from annotate.schema import BIO_TAGS, ID2TAG, TAG2ID
    from train.tokenizer import build_tokenizer

    tok = build_tokenizer()
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                     intermediate_size=1024, max_position_embeddings=512, num_labels=len(BIO_TAGS),
                     id2label=dict(ID2TAG), label2id=dict(TAG2ID))
    model = BertForTokenClassification(cfg)
    with torch.no_grad():  # confident predictions, with O the most frequent tag, as in a trained model
        model.classifier.weight.mul_(40)
        model.classifier.bias.zero_()
        model.classifier.bias[0] = 1.5
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def seed_views() -> list[str]:
    from annotate.gold import SEED_DIR
    from annotate.reading import read_issue
    from train.tagging import normalize_view

    return [normalize_view(read_issue(p)).text for p in sorted(SEED_DIR.glob("*.txt"))]


def pieces_of(texts: list[str], size: int = PIECE) -> list[str]:
    return [p for t in texts for p in (t[i : i + size] for i in range(0, len(t), size)) if p.strip()]


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def agreement(ours: list[list], theirs: list[list[dict]]) -> tuple[int, int, int]:
    """(common, ours only, theirs only) over (piece, start, end, label)."""
    a = {(i, s.start, s.end, s.label) for i, ss in enumerate(ours) for s in ss}
    b = {(i, e["start"], e["end"], e["entity_group"]) for i, es in enumerate(theirs) for e in es}
    return len(a & b), len(a - b), len(b - a)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model dir (default: infer/bundled_model, else a random model of its shape)")
    ap.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pieces (0: all)")
    ap.add_argument("--pipeline-batch-size", type=int, default=1, help="the pipeline's batch_size (default 1, its default)")
    ap.add_argument("--batch-tokens", type=int, default=None, help="our padded tokens per forward pass")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--no-whole", action="store_true", help="skip the whole-issue row")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    from train.tagging import BUNDLED_MODEL_DIR, Tagger

    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    tmp = None
    model_dir = Path(args.model) if args.model else BUNDLED_MODEL_DIR
    note = str(model_dir)
    if not (model_dir / "config.json").is_file():
        if args.model:
            ap.error(f"{model_dir}: not a model directory")
        tmp = tempfile.TemporaryDirectory()
        model_dir = random_model_dir(Path(tmp.name))
        note = "random model of the bundled shape (no bundled model yet)"

    views = seed_views()
    pieces = pieces_of(views)
    if args.limit:
        pieces = pieces[: args.limit]
    n_chars = sum(map(len, pieces))

    ours = Tagger.load(model_dir, device=device, batch_tokens=args.batch_tokens)
    model_window = (ours.window, ours.overlap)
    real_path = (ours.decoding, ours.rule_features, ours.merge)
    # Same input and decoding as the pipeline: each piece is one window (the model's own window may be
    # shorter), argmax decoding, no rule tags (the pipeline cannot feed them; token types stay 0), no merge.
    ours.window, ours.overlap = PIECE, 0
    ours.decoding, ours.rule_features, ours.merge = "simple", False, None
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    ref_model = AutoModelForTokenClassification.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    pipe = pipeline("token-classification", model=ref_model, tokenizer=tok, aggregation_strategy="simple",
                    device=0 if device == "cuda" else -1, batch_size=args.pipeline_batch_size)

    # Warm up both (CUDA context, kernels, allocator) on a few pieces.
    ours.predict_views(pieces[:16])
    pipe(pieces[:16])

    rows = []
    our_spans, t_ours = timed(ours.predict_views, pieces)
    their_spans, t_pipe = timed(pipe, pieces)
    common, only_ours, only_theirs = agreement(our_spans, their_spans)
    rows.append(("pipeline (aggregation=simple, fp32)", n_chars / t_pipe, 1.0, "reference", sum(map(len, their_spans))))
    prec = "bf16" if ours.device.type == "cuda" else "fp32"
    rows.append((f"gongbao Tagger ({prec})", n_chars / t_ours, t_pipe / t_ours,
                 "yes" if only_ours == only_theirs == 0 else f"no: {common} common, {only_ours} ours only, {only_theirs} pipeline only",
                 sum(map(len, our_spans))))
    if ours.device.type == "cuda":
        exact = Tagger.load(model_dir, device=device, batch_tokens=args.batch_tokens, bf16=False)
        exact.window, exact.overlap = PIECE, 0
        exact.decoding, exact.rule_features, exact.merge = "simple", False, None
        exact.predict_views(pieces[:16])
        fp32_spans, t32 = timed(exact.predict_views, pieces)
        c, a, b = agreement(fp32_spans, their_spans)
        rows.append(("gongbao Tagger (fp32)", n_chars / t32, t_pipe / t32,
                     "yes" if a == b == 0 else f"no: {c} common, {a} ours only, {b} pipeline only", sum(map(len, fp32_spans))))
    if not args.no_whole:
        ours.window, ours.overlap = model_window
        ours.decoding, ours.rule_features, ours.merge = real_path
        whole, t_whole = timed(ours.predict_views, views)
        total = sum(map(len, views))
        extras = f"{ours.decoding} decoding" + (", rule features" if ours.rule_features else "") + (
            ", merged with rules" if ours.merge else "")
        rows.append((f"gongbao Tagger, whole issues ({ours.window}/{ours.overlap} windows, {extras}, {prec})", total / t_whole,
                     (total / t_whole) / (n_chars / t_pipe), "n/a (other cuts)", sum(map(len, whole))))

    print(f"model: {note}; device: {ours.device}; torch threads: {torch.get_num_threads()}; "
          f"{len(pieces)} pieces ≤ {PIECE} chars, {n_chars} chars; pipeline batch_size {args.pipeline_batch_size}")
    print()
    print("| inference | chars/s | × pipeline | same spans as pipeline | spans |")
    print("|---|---:|---:|---|---:|")
    for name, cps, ratio, same, n in rows:
        print(f"| {name} | {cps:,.0f} | {ratio:.2f} | {same} | {n} |")
    if args.json:
        args.json.write_text(json.dumps({"model": note, "device": str(ours.device), "pieces": len(pieces), "chars": n_chars,
                                         "rows": [dict(zip(("name", "chars_per_s", "ratio", "same_spans", "spans"), r)) for r in rows]},
                                        ensure_ascii=False, indent=1))
    if tmp:
        tmp.cleanup()
    return 0 if only_ours == only_theirs == 0 or ours.device.type == "cuda" else 1


if __name__ == "__main__":
    sys.exit(main())
