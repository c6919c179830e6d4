"""Fine-tune the span extractor: BERT token classification over character windows of the gold texts.

Model selection uses seqeval (strict IOB2) on window tokens of the validation split; the final
validation/test figures are computed on whole task texts through ``Tagger.predict_raw`` (the path
``gongbao infer`` takes) and scored with strict span matching, cross-checked with seqeval on
character-level IOB2 tags.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from pathlib import Path

import numpy as np

from annotate.errors import InputError
from annotate.schema import BIO_TAGS, ID2TAG, LABELS, TAG2ID
from annotate.types import Span
from train.align import encode_record
from train.config import FinetuneConfig, dump_config

SCHEMA_VERSION = "1"
META_FILE = "gongbao.json"
REQUIRED_COLUMNS = {"text", "spans"}


# -- data -----------------------------------------------------------------------------------------

def load_splits(cfg: FinetuneConfig):
    """The DatasetDict named by ``data.source`` (``gold``, ``regional``, ``gold+regional`` or a saved dir), each split cut to ``data.limit``."""
    import datasets

    from annotate.dataset import NAMED_SETS, named_datasetdict

    if cfg.data.source in NAMED_SETS:
        dd = named_datasetdict(cfg.data.source, seed=cfg.data.split_seed)
    else:
        try:
            dd = datasets.load_from_disk(cfg.data.source)
        except (FileNotFoundError, ValueError) as e:
            raise InputError(cfg.data.source, f"not a saved DatasetDict: {e}") from None
        if not isinstance(dd, datasets.DatasetDict):
            raise InputError(cfg.data.source, "expected a DatasetDict with train/validation/test splits")
    for split in ("train", "validation"):
        if split not in dd or len(dd[split]) == 0:
            raise InputError(cfg.data.source, f"split {split!r} is missing or empty")
        missing = REQUIRED_COLUMNS - set(dd[split].column_names)
        if missing:
            raise InputError(cfg.data.source, f"split {split!r} lacks columns {sorted(missing)}")
    if cfg.data.limit:
        dd = datasets.DatasetDict({k: v.select(range(min(cfg.data.limit, len(v)))) for k, v in dd.items()})
    return dd


def train_records(cfg: FinetuneConfig, dd) -> tuple[list[dict], dict]:
    """The train split (regional records repeated ``data.regional_repeat`` times) plus silver records
    (``data.silver``) and augmented copies (``data.augment_copies``).

    Silver passages sharing text with the validation or test split are dropped, so a copy of a
    held-out document never reaches training.
    """
    records = [dict(r) for r in dd["train"]]
    info: dict = {"gold": len(records)}
    if cfg.data.regional_repeat > 1 and cfg.data.source == "gold+regional":
        from annotate.dataset import named_datasetdict

        regional = {r["id"] for r in named_datasetdict("regional", seed=cfg.data.split_seed)["train"]}
        extra = [r for r in records if r["id"] in regional] * (cfg.data.regional_repeat - 1)
        records += extra
        info["regional_repeated"] = len(extra)
    if cfg.data.silver:
        from train.silver import read_documents, silver_records, without_overlap

        silver = silver_records(read_documents(cfg.data.silver), cfg.data.silver_min_score)
        held_out = [r["text"] for split in ("validation", "test") if split in dd for r in dd[split]]
        silver, leaked = without_overlap(silver, held_out)
        info.update(silver=len(silver), silver_spans=sum(len(r["spans"]) for r in silver),
                    silver_dropped_overlap=leaked)
    else:
        silver = []
    augmented = []
    if cfg.data.augment_copies:
        from train.augment import augment_records

        augmented = augment_records(records, cfg.data.augment_copies, seed=cfg.training.seed)
        info["augmented"] = len(augmented)
    return records + silver + augmented, info


def named_split(cfg: FinetuneConfig, name: str, split: str):
    """One split of a bundled gold set (``gold``/``regional``), cut to ``data.limit`` like the others."""
    from annotate.dataset import named_datasetdict

    part = named_datasetdict(name, seed=cfg.data.split_seed)[split]
    return part.select(range(min(cfg.data.limit, len(part)))) if cfg.data.limit else part


def selection_split(cfg: FinetuneConfig, dd):
    """The validation records that pick the checkpoint and the merge policy (``data.select_on``)."""
    if cfg.data.select_on == "all":
        return dd["validation"]
    if cfg.data.source != "gold+regional":
        raise InputError("data.select_on", "'regional' needs data.source gold+regional")
    return named_split(cfg, "regional", "validation")


def encode_split(records, tokenizer, cfg: FinetuneConfig, keep_empty: float = 1.0, seed: int = 0,
                 rule_dropout: float = 0.0):
    """Training windows of a split and a summary (spans, unrepresentable spans, windows, tokens).

    With ``model.rule_features`` windows carry the rules' tags (``rule_dropout`` of their spans hidden).
    """
    w = cfg.windows
    rng = random.Random(seed)
    rows, n_spans, unrep, dropped, chars, n_windows = [], 0, [], 0, 0, 0
    features = cfg.model.rule_features
    for rec in records:
        enc = encode_record(rec, tokenizer, w.max_length, w.overlap, normalize=w.normalize, rule_features=features,
                            rule_dropout=rule_dropout, rng=rng)
        n_spans += enc.n_spans
        dropped += enc.dropped
        unrep += [(rec.get("id", ""), *u) for u in enc.unrepresentable]
        chars += len(rec["text"])
        for win in enc.windows:
            n_windows += 1
            if win["has_span"] or keep_empty >= 1 or rng.random() < keep_empty:
                rows.append({k: win[k] for k in ("input_ids", "attention_mask", "labels", "token_type_ids") if k in win})
    summary = {
        "texts": len(records), "chars": chars, "gold_spans": n_spans + dropped, "windows": n_windows,
        "windows_used": len(rows), "tokens": sum(len(r["input_ids"]) for r in rows),
        "spans_dropped_by_normalisation": dropped, "spans_not_on_token_edges": len(unrep),
        "examples_not_on_token_edges": [list(u) for u in unrep[:10]],
    }
    return rows, summary


# -- model ----------------------------------------------------------------------------------------

def load_tokenizer_for(cfg: FinetuneConfig):
    from train.tokenizer import build_tokenizer, load_tokenizer

    if cfg.model.init_from:
        return load_tokenizer(cfg.model.init_from)
    return build_tokenizer(cfg.model.vocab_file)


def build_model(cfg: FinetuneConfig, tokenizer):
    import torch
    from transformers import AutoModelForTokenClassification, BertConfig, BertForTokenClassification

    labels = dict(id2label=dict(ID2TAG), label2id=dict(TAG2ID), num_labels=len(BIO_TAGS))
    if cfg.model.init_from:
        try:
            # fp32 master weights whatever the checkpoint's storage dtype (the bundled encoder is fp16)
            model = AutoModelForTokenClassification.from_pretrained(
                str(cfg.model.init_from), ignore_mismatched_sizes=True, dtype=torch.float32, **labels
            )
        except (OSError, ValueError) as e:
            raise InputError(cfg.model.init_from, f"cannot load checkpoint: {e}") from None
    else:
        model = BertForTokenClassification(BertConfig(vocab_size=len(tokenizer), **cfg.model.shape.model_dump(), **labels))
    if cfg.model.rule_features:
        from train.features import enable

        enable(model)
    where = str(cfg.model.init_from or "model.shape")
    if model.config.vocab_size != len(tokenizer):
        raise InputError(where, f"model vocab {model.config.vocab_size} != tokenizer size {len(tokenizer)}")
    if cfg.windows.max_length > model.config.max_position_embeddings:
        raise InputError(where, f"windows.max_length {cfg.windows.max_length} exceeds max_position_embeddings "
                                f"{model.config.max_position_embeddings}")
    return model


def window_metrics(eval_pred) -> dict:
    """seqeval strict IOB2 micro scores over window tokens (model selection during training)."""
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    logits, labels = eval_pred
    pred = np.argmax(logits, axis=-1)
    y_true, y_pred = [], []
    for p, l in zip(pred, labels):
        keep = l != -100
        y_true.append([ID2TAG[int(i)] for i in l[keep]])
        y_pred.append([ID2TAG[int(i)] for i in p[keep]])
    kw = dict(mode="strict", scheme=IOB2, zero_division=0)
    return {"precision": precision_score(y_true, y_pred, **kw), "recall": recall_score(y_true, y_pred, **kw),
            "f1": f1_score(y_true, y_pred, **kw)}


# -- evaluation on whole texts ------------------------------------------------------------------------

def evaluate_texts(tagger, records) -> dict:
    """Strict span P/R/F1 of ``tagger.predict_raw`` on whole texts, plus seqeval on char IOB2 tags."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    from annotate.scoring import score_spans, spans_to_bio

    texts = [r["text"] for r in records]
    keys = [r.get("id") or str(i) for i, r in enumerate(records)]
    gold = {k: [Span(s["start"], s["end"], s["label"]) for s in r["spans"]] for k, r in zip(keys, records)}
    pred = dict(zip(keys, tagger.predict_raw(texts)))
    spans = {name: prf.as_dict() for name, prf in score_spans(gold, pred).items()}
    y_true = [spans_to_bio(len(t), gold[k]) for k, t in zip(keys, texts)]
    y_pred = [spans_to_bio(len(t), pred[k]) for k, t in zip(keys, texts)]
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    seq = {lab: {"precision": float(rep[lab]["precision"]), "recall": float(rep[lab]["recall"]),
                 "f1": float(rep[lab]["f1-score"]), "support": int(rep[lab]["support"])}
           for lab in LABELS if lab in rep}
    m = rep["micro avg"]
    seq["micro"] = {"precision": float(m["precision"]), "recall": float(m["recall"]), "f1": float(m["f1-score"]),
                    "support": int(m["support"])}
    agree = abs(seq["micro"]["f1"] - spans["micro"]["f1"]) < 1e-9
    return {"texts": len(texts), "spans": spans, "seqeval_char_iob2": seq, "seqeval_agrees": agree}


# -- saving ---------------------------------------------------------------------------------------------

def weights_version(model_dir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(model_dir.glob("*.safetensors")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _project_relative(path: Path | None) -> str | None:
    """A path inside the project as project-relative (model cards travel); others as given."""
    if path is None:
        return None
    from train.config import PROJECT_ROOT

    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def write_meta(out: Path, cfg: FinetuneConfig, data_summary: dict, name: str) -> dict:
    meta = {
        "name": name,
        "version": weights_version(out),
        "window": cfg.windows.max_length - 2,
        "overlap": cfg.windows.overlap,
        "max_length": cfg.windows.max_length,
        "normalize": cfg.windows.normalize,
        "label_schema": {"version": SCHEMA_VERSION, "labels": list(LABELS), "tags": list(BIO_TAGS)},
        "init_from": _project_relative(cfg.model.init_from),
        "rule_features": cfg.model.rule_features,
        "decoding": "viterbi",
        "seed": cfg.training.seed,
        "training_data": data_summary,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return meta


def copy_vocab(tokenizer_src: Path | None, vocab_file: Path, out: Path) -> None:
    """vocab.txt next to tokenizer.json, for tools that read BERT vocabularies directly."""
    src = tokenizer_src / "vocab.txt" if tokenizer_src and (tokenizer_src / "vocab.txt").is_file() else vocab_file
    if Path(src).is_file():
        shutil.copyfile(src, out / "vocab.txt")


def export_fp16(src: Path, dest: Path, max_shard_size: str) -> list[str]:
    """fp16 safetensors copy of a model dir, sharded under ``max_shard_size``; loads back as fp32."""
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(str(src), dtype=torch.float32)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    model.half().save_pretrained(str(dest), safe_serialization=True, max_shard_size=max_shard_size)
    cfg_path = dest / "config.json"
    conf = json.loads(cfg_path.read_text())
    for key in ("dtype", "torch_dtype"):
        if key in conf:
            conf[key] = "float32"  # weights are stored in fp16 but CPU inference runs in fp32
    cfg_path.write_text(json.dumps(conf, indent=2))
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                 "metrics.json", "training_curves.png", "finetune_config.json"):
        if (src / name).is_file():
            shutil.copyfile(src / name, dest / name)
    meta = json.loads((src / META_FILE).read_text(encoding="utf-8"))
    meta["version"] = weights_version(dest)
    meta["weights_dtype"] = "float16"
    (dest / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    pretrain = {}
    from train.config import PROJECT_ROOT

    pre = Path(meta["init_from"]) if meta.get("init_from") else None
    if pre is not None and not pre.is_absolute():
        pre = PROJECT_ROOT / pre
    if pre is not None and pre.is_dir():
        for name in ("pretrain_metrics.json", "pretrain_config.json"):
            if (pre / name).is_file():
                pretrain[name] = json.loads((pre / name).read_text())
        if (pre / "pretrain_curves.png").is_file():
            shutil.copyfile(pre / "pretrain_curves.png", dest / "pretrain_curves.png")
    metrics = json.loads((src / "metrics.json").read_text()) if (src / "metrics.json").is_file() else {}
    (dest / "README.md").write_text(model_card(meta, metrics, pretrain), encoding="utf-8")
    return sorted(p.name for p in dest.iterdir())


def _score_table(ev: dict) -> str:
    rows = ["| label | precision | recall | F1 | gold | predicted |", "|---|---:|---:|---:|---:|---:|"]
    for lab in (*LABELS, "micro"):
        s = ev["spans"][lab]
        rows.append(f"| {lab} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} | {s['predicted']} |")
    return "\n".join(rows)


def model_card(meta: dict, metrics: dict, pretrain: dict) -> str:
    """README.md of an exported model: what it is, how it was trained, how well it does."""
    lines = [f"# {meta['name']}", "",
             "Token-classification (IOB2) extractor of LEAD_UNIT, UNIT, DEADLINE and TARGET spans in Chinese "
             "government gazette text, the default model of `gongbao infer`.", "",
             "## Use", "", "```python", "from train.tagging import Tagger",
             "spans = Tagger.load('infer/bundled_model').predict_raw([raw_text])[0]", "```", "",
             "It is a plain Hugging Face directory: `AutoModelForTokenClassification.from_pretrained(dir)` and "
             "`AutoTokenizer.from_pretrained(dir)` load it (weights stored in fp16, loaded as fp32). Texts are "
             f"normalised (`annotate.normalize`) and cut into windows of {meta['window']} characters overlapping by "
             f"{meta['overlap']} by the project, not by the tokenizer's stride.", "",
             "## Training", "", f"- seed: {meta.get('seed')}", f"- initialised from: `{meta.get('init_from')}`"]
    if meta.get("rule_features"):
        lines.insert(lines.index("## Training") - 1, "\nIt reads the rule extractor's IOB2 tags as token types (`type_vocab_size` 9, "
                     "`gongbao_rule_features` in config.json): `Tagger` runs the rules on the same normalised text "
                     "and feeds them; plain `transformers` code must pass them as `token_type_ids` too.")
    decoding = ("IOB2-constrained Viterbi (no `I-` tag without its `B-`)" if meta.get("decoding") == "viterbi"
                else "argmax per token (as transformers' pipeline, aggregation simple)")
    lines.insert(lines.index("## Training") - 1, f"\nDecoding: {decoding}.")
    if meta.get("merge"):
        pol = ", ".join(f"{k}: {v}" for k, v in meta["merge"].items())
        where = (meta.get("merge_choice") or {}).get("chosen_on", "validation")
        lines.insert(lines.index("## Training") - 1, f"\nMerged with the rules per label ({pol}; chosen on the "
                     f"{where} split): every span's `source` says whether the model, the rules or both produced it.")
    if metrics:
        tr = metrics.get("train", {})
        lines += [f"- parameters: {metrics.get('parameters'):,}",
                  f"- fine-tuning: {tr.get('steps')} steps, {tr.get('minutes')} min on {tr.get('device')} "
                  f"(bf16={tr.get('bf16')}); best window-level validation F1 {tr.get('best_window_f1')}"]
        d = metrics.get("data", {})
        if d:
            t = d.get("train", {})
            rec = t.get("records") or {}
            if rec:
                lines.append("- training records: " + ", ".join(f"{k} {v}" for k, v in rec.items()))
            lines += [f"- data: `{d.get('source')}` (split seed {d.get('split_seed')}); train {t.get('texts')} texts, "
                      f"{t.get('chars')} chars, {t.get('gold_spans')} gold spans, {t.get('windows_used')} windows; "
                      f"gold spans not on token edges: {t.get('spans_not_on_token_edges')}"]
    pm, pc = pretrain.get("pretrain_metrics.json"), pretrain.get("pretrain_config.json")
    if pm and pc:
        files = ", ".join(f"`{Path(f['path']).name}` (weight {f['weight']}, skip {f['skip_lines']} lines)"
                          for f in pc["corpus"]["files"])
        lines += ["", "### Pretraining (masked LM, from scratch)", "",
                  f"- shape: {pc['model']['num_hidden_layers']} layers, hidden {pc['model']['hidden_size']}, "
                  f"{pc['model']['num_attention_heads']} heads, max_length {pc['training']['max_length']}",
                  f"- corpus: {files}",
                  f"- {pm['steps']} steps, {pm['tokens_seen']:,} tokens seen, device {pm['device']}, seed {pc['training']['seed']}",
                  f"- held-out MLM loss {pm.get('eval_mlm_loss', float('nan')):.3f}, masked-token accuracy "
                  f"{pm.get('eval_masked_accuracy', float('nan')):.3f} on {pm.get('heldout_lines')} held-out corpus lines",
                  "", "![pretraining](pretrain_curves.png)"]
    titles = {"validation": "Validation (every validation record of the training data)", "test": "Test", "test_regional": "Test, regional gold only",
              "test_gold": "Test, seed gold only"}
    for split, title in titles.items():
        if split in metrics:
            lines += ["", f"## {title} (whole texts via `Tagger.predict_raw`, strict span match)", "",
                      _score_table(metrics[split])]
    lines += ["", "![fine-tuning](training_curves.png)", ""]
    return "\n".join(lines)


def warmup_kwargs(ratio: float) -> dict:
    """transformers 5 takes a float ``warmup_steps`` as a ratio; 4.x has ``warmup_ratio``."""
    import inspect

    from transformers import TrainingArguments

    params = inspect.signature(TrainingArguments.__init__).parameters
    return {"warmup_ratio": ratio} if "warmup_ratio" in params else {"warmup_steps": ratio}


def FinetuneTimeLimit(minutes: float):
    """A callback that ends training after ``minutes``, evaluating and saving the last state first."""
    from transformers import TrainerCallback

    class TimeLimit(TrainerCallback):
        def __init__(self):
            self.limit, self.start = minutes * 60, time.monotonic()

        def on_step_end(self, args, state, control, **kw):
            if time.monotonic() - self.start > self.limit:
                control.should_training_stop = True
                control.should_evaluate = True
                control.should_save = True

    return TimeLimit()


# -- the run ----------------------------------------------------------------------------------------------

def run_finetune(cfg: FinetuneConfig) -> dict:
    """Fine-tune, keep the best checkpoint, evaluate on whole texts, write the model dir (and bundle)."""
    import datasets
    import torch
    from transformers import DataCollatorForTokenClassification, Trainer, TrainingArguments, set_seed

    from train.plots import plot_finetune
    from train.pretrain import bf16_enabled
    from train.tagging import Tagger

    t = cfg.training
    out = Path(cfg.output_dir)
    set_seed(t.seed)
    dd = load_splits(cfg)
    tokenizer = load_tokenizer_for(cfg)
    records, composition = train_records(cfg, dd)
    train_rows, train_sum = encode_split(records, tokenizer, cfg, t.keep_empty_windows, t.seed, t.rule_dropout)
    train_sum["records"] = composition
    dev = selection_split(cfg, dd)
    val_rows, val_sum = encode_split(dev, tokenizer, cfg)
    data_summary = {"source": cfg.data.source, "split_seed": cfg.data.split_seed, "train": train_sum,
                    "validation": val_sum, "select_on": cfg.data.select_on}
    model = build_model(cfg, tokenizer)

    per_epoch = "steps" if t.eval_steps else "epoch"
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        **warmup_kwargs(t.warmup_ratio),
        label_smoothing_factor=t.label_smoothing,
        eval_strategy=per_epoch,
        save_strategy=per_epoch,
        eval_steps=t.eval_steps,
        save_steps=t.eval_steps,
        logging_steps=t.logging_steps,
        save_total_limit=t.save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model="f1",
        greater_is_better=True,
        bf16=bf16_enabled(t.bf16),
        seed=t.seed,
        data_seed=t.seed,
        report_to=[],
        dataloader_num_workers=t.dataloader_num_workers,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=datasets.Dataset.from_list(train_rows),
        eval_dataset=datasets.Dataset.from_list(val_rows),
        data_collator=DataCollatorForTokenClassification(tokenizer),
        compute_metrics=window_metrics,
        callbacks=[FinetuneTimeLimit(t.max_minutes)] if t.max_minutes else None,
    )
    started = time.monotonic()
    train_out = trainer.train()
    minutes = (time.monotonic() - started) / 60
    if not trainer.is_world_process_zero():
        return {}

    out.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(out))  # the best checkpoint (load_best_model_at_end)
    tokenizer.save_pretrained(str(out))
    copy_vocab(cfg.model.init_from, cfg.model.vocab_file, out)
    (out / "finetune_config.json").write_text(json.dumps(dump_config(cfg), indent=2, ensure_ascii=False))
    stem = Path(cfg.output_dir).name
    name = f"gongbao-{stem}" if stem.startswith("extractor") else f"gongbao-extractor-{stem}"
    write_meta(out, cfg, data_summary, name)

    tagger = Tagger.load(out, device="cuda" if torch.cuda.is_available() else "cpu")
    merge_choice = None
    if cfg.model.merge_rules:
        from train.merge import choose_for_tagger

        policy, table = choose_for_tagger(tagger, dev)
        merge_choice = {"chosen_on": f"validation ({cfg.data.select_on})", "policy": policy, "f1": table}
        meta_path = out / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.update(merge=policy, merge_choice=merge_choice)
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        tagger.merge = policy
    evaluation = {split: evaluate_texts(tagger, dd[split]) for split in ("validation", "test")
                  if split in dd and len(dd[split])}
    if cfg.data.source == "gold+regional":  # each gold set's test split on its own, as the benchmarks report them
        for name in ("regional", "gold"):
            evaluation[f"test_{name}"] = evaluate_texts(tagger, named_split(cfg, name, "test"))
    history = trainer.state.log_history
    metrics = {
        "model": name,
        "init_from": _project_relative(cfg.model.init_from),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seed": t.seed,
        "train": {"steps": trainer.state.global_step, "minutes": round(minutes, 2),
                  "train_loss": float(train_out.training_loss),
                  "best_checkpoint": trainer.state.best_model_checkpoint,
                  "best_window_f1": trainer.state.best_metric, "device": str(args.device), "bf16": args.bf16},
        "data": data_summary,
        "merge": merge_choice,
        **evaluation,
        "log_history": history,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    per_label = {split: {lab: ev["spans"][lab]["f1"] for lab in (*LABELS, "micro")} for split, ev in evaluation.items()}
    plot_finetune(history, per_label, out / "training_curves.png")
    if cfg.export.bundle_dir:
        export_fp16(out, Path(cfg.export.bundle_dir), cfg.export.max_shard_size)
    summary = {split: {"micro_f1": ev["spans"]["micro"]["f1"], **{lab: ev["spans"][lab]["f1"] for lab in LABELS}}
               for split, ev in evaluation.items()}
    return {"summary": summary, "metrics": metrics}
