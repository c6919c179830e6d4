"""``gongbao train …``: commands of the train stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="Pretrain the encoder and fine-tune the token-classification extractor.", no_args_is_help=True)

SET_HELP = "Override a config key, e.g. --set training.epochs=3 (repeatable)."


@app.command()
def pretrain(
    config: Path = typer.Option(..., "--config", "-c", help="Pretraining YAML, e.g. configs/pretrain-small.yaml."),
    set_: Optional[List[str]] = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Masked-LM pretraining of a BERT on plain-text corpora; writes a HF model directory."""
    from train.config import load_pretrain_config
    from train.pretrain import run_pretrain

    cfg = load_pretrain_config(config, set_ or [])
    metrics = run_pretrain(cfg)
    typer.echo(json.dumps(metrics, indent=2))
    typer.echo(f"model written to {cfg.output_dir}")


@app.command()
def finetune(
    config: Path = typer.Option(..., "--config", "-c", help="Fine-tuning YAML, e.g. configs/extractor-small.yaml."),
    data: Optional[str] = typer.Option(
        None, "--data", help="'gold' (seed gold), 'regional', 'gold+regional', or an `annotate pull` DatasetDict dir; overrides data.source."
    ),
    set_: Optional[List[str]] = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Fine-tune the span extractor (token classification) on gold data; writes a HF model directory."""
    from train.config import load_finetune_config
    from train.finetune import run_finetune

    overrides = list(set_ or []) + ([f"data.source={data}"] if data else [])
    cfg = load_finetune_config(config, overrides)
    result = run_finetune(cfg)
    typer.echo(json.dumps(result.get("summary", result), indent=2))
    typer.echo(f"model written to {cfg.output_dir}")


@app.command()
def evaluate(
    model: str = typer.Option("bundled", "--model", "-m", help="Model dir, 'rules', or 'bundled' (the default model)."),
    data: str = typer.Option("gold", "--data", help="'gold' (seed gold), 'regional', 'gold+regional', or a saved DatasetDict dir."),
    split: str = typer.Option("test", "--split", help="train, validation or test."),
    split_seed: int = typer.Option(13, "--split-seed"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the scores as JSON here."),
) -> None:
    """Strict span P/R/F1 of a model (or the rules) on whole texts of a split, as training reports it."""
    from annotate.errors import InputError
    from annotate.scoring import PRF, format_table
    from train.config import DataConfig, FinetuneConfig
    from train.finetune import evaluate_texts, load_splits
    from train.tagging import load_tagger

    try:
        data_cfg = DataConfig(source=data, split_seed=split_seed)
    except ValueError as e:
        raise InputError(data, str(e)) from None
    dd = load_splits(FinetuneConfig(output_dir=Path("."), data=data_cfg))
    if split not in dd:
        raise InputError(data, f"no split {split!r}")
    tagger = load_tagger(None if model == "bundled" else model)
    ev = evaluate_texts(tagger, dd[split])
    scores = {k: PRF(v["tp"], v["predicted"], v["support"]) for k, v in ev["spans"].items()}
    typer.echo(format_table(scores, f"{model} on {data}/{split} ({ev['texts']} texts)"))
    typer.echo(f"seqeval strict IOB2 on character tags agrees: {ev['seqeval_agrees']}")
    if out:
        out.write_text(json.dumps({"model": model, "data": data, "split": split, **ev}, indent=2))
