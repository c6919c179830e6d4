"""Typed configs for ``train pretrain`` and ``train finetune``, loaded from YAML with ``--set`` overrides.

Every model forbids unknown keys; errors name the dotted key (``training.epochs: …``) and the file.
Relative paths that must exist are looked up from the working directory, then from the project root.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from annotate.errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_EXP_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def resolve_existing(value: str | Path, kind: str = "path") -> Path:
    """An existing path: as given, else relative to the project root; ValueError if neither exists."""
    p = Path(value).expanduser()
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, PROJECT_ROOT / p]):
        if cand.exists():
            return cand.resolve()
    raise ValueError(f"{kind} not found: {value}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelShape(Strict):
    """BERT shape used when a model is built from scratch."""

    hidden_size: int = Field(256, gt=0)
    num_hidden_layers: int = Field(4, gt=0)
    num_attention_heads: int = Field(4, gt=0)
    intermediate_size: int = Field(1024, gt=0)
    max_position_embeddings: int = Field(512, gt=0)
    hidden_dropout_prob: float = Field(0.1, ge=0, lt=1)
    attention_probs_dropout_prob: float = Field(0.1, ge=0, lt=1)

    @model_validator(mode="after")
    def _heads_divide(self):
        if self.hidden_size % self.num_attention_heads:
            raise ValueError("hidden_size must be a multiple of num_attention_heads")
        return self


class CorpusFile(Strict):
    path: Path
    #: relative share of training lines drawn from this file (legal text is weighted up here)
    weight: float = Field(1.0, gt=0)
    #: lines skipped at the start of the file (e.g. the seed issues, which are the fine-tuning test data)
    skip_lines: int = Field(0, ge=0)

    @field_validator("path", mode="before")
    @classmethod
    def _exists(cls, v):
        return resolve_existing(v, "corpus file")


class CorpusConfig(Strict):
    files: list[CorpusFile] = Field(min_length=1)
    #: every n-th line of each file is held out for evaluation and never trained on
    holdout_every: int = Field(200, ge=2)
    eval_lines: int = Field(1000, ge=1)
    shuffle_buffer: int = Field(10000, ge=1)
    min_chars: int = Field(5, ge=1)


class PretrainTraining(Strict):
    seed: int = 13
    max_length: int = Field(256, ge=8)
    mlm_probability: float = Field(0.15, gt=0, lt=1)
    batch_size: int = Field(16, ge=1)
    gradient_accumulation_steps: int = Field(1, ge=1)
    learning_rate: float = Field(5e-4, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    warmup_steps: int = Field(200, ge=0)
    max_steps: int = Field(10000, ge=1)
    #: stop (and save) after this many minutes of training; None = no time limit
    max_minutes: Optional[float] = Field(None, gt=0)
    logging_steps: int = Field(20, ge=1)
    eval_steps: int = Field(200, ge=1)
    save_steps: int = Field(200, ge=1)
    save_total_limit: int = Field(2, ge=1)
    bf16: Literal["auto", True, False] = "auto"
    dataloader_num_workers: int = Field(0, ge=0)


class PretrainConfig(Strict):
    output_dir: Path
    vocab_file: Path = Path("data/vocab/bert-base-chinese-vocab.txt")
    #: continue from this HF checkpoint instead of building `model` from scratch
    init_from: Optional[Path] = None
    resume: bool = True
    model: ModelShape = ModelShape()
    corpus: CorpusConfig
    training: PretrainTraining = PretrainTraining()

    _vf = field_validator("vocab_file", mode="before")(lambda v: resolve_existing(v, "vocabulary file"))
    _init = field_validator("init_from", mode="before")(
        lambda v: None if v is None else resolve_existing(v, "checkpoint directory")
    )

    @model_validator(mode="after")
    def _positions(self):
        if self.init_from is None and self.training.max_length > self.model.max_position_embeddings:
            raise ValueError("training.max_length exceeds model.max_position_embeddings")
        return self


class DataConfig(Strict):
    #: "gold" = the seed gold in data/, "regional" = the regional gold, "gold+regional" = both
    #: (annotate.dataset.named_datasetdict); else a saved DatasetDict dir (e.g. from `annotate pull`)
    source: str = "gold"
    split_seed: int = 13
    #: only the first n records of each split (quick tests); None = all
    limit: Optional[int] = Field(None, ge=1)
    #: unlabelled documents (JSONL: id, text) whose confident rule spans are added to train (train/silver.py)
    silver: Optional[Path] = None
    #: a rule span is silver when its family's precision (annotate.rules.SCORES) is at least this
    silver_min_score: float = Field(0.9, ge=0, le=1)
    #: label-preserving augmented copies of each training record (train/augment.py); 0 = none
    augment_copies: int = Field(0, ge=0)
    #: with gold+regional: each regional train record this many times (the seed gold has more text)
    regional_repeat: int = Field(1, ge=1)
    #: validation records that choose the checkpoint (and the merge policy): "all", or with gold+regional
    #: "regional" = the regional validation split only (where the model will be used)
    select_on: Literal["all", "regional"] = "all"

    _silver = field_validator("silver", mode="before")(
        lambda v: None if v is None else resolve_existing(v, "unlabelled documents file")
    )

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        from annotate.dataset import NAMED_SETS

        return v if v in NAMED_SETS else str(resolve_existing(v, "dataset directory"))


class WindowConfig(Strict):
    #: tokens per window including [CLS]/[SEP]; a window holds max_length - 2 characters
    max_length: int = Field(256, ge=8, le=4096)
    overlap: int = Field(64, ge=0)
    normalize: bool = True

    @model_validator(mode="after")
    def _overlap(self):
        if self.overlap >= self.max_length - 2:
            raise ValueError("overlap must be smaller than max_length - 2")
        return self


class FinetuneTraining(Strict):
    seed: int = 13
    epochs: float = Field(8, gt=0)
    max_steps: int = Field(-1, ge=-1)
    batch_size: int = Field(16, ge=1)
    eval_batch_size: int = Field(32, ge=1)
    gradient_accumulation_steps: int = Field(1, ge=1)
    learning_rate: float = Field(1e-4, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    logging_steps: int = Field(10, ge=1)
    #: evaluate/save every n steps; None = once per epoch
    eval_steps: Optional[int] = Field(None, ge=1)
    save_total_limit: int = Field(2, ge=1)
    bf16: Literal["auto", True, False] = "auto"
    dataloader_num_workers: int = Field(0, ge=0)
    #: windows of texts without any span are kept with this probability (they dominate otherwise)
    keep_empty_windows: float = Field(1.0, ge=0, le=1)
    #: stop after this many minutes (evaluating and saving first); the best checkpoint is still kept
    max_minutes: Optional[float] = Field(None, gt=0)
    #: with model.rule_features: share of rule spans hidden from the model in training
    rule_dropout: float = Field(0.1, ge=0, lt=1)


class FinetuneModel(Strict):
    #: a pretrained HF checkpoint (our pretrain output, or e.g. a local bert-base-chinese); None = from scratch
    init_from: Optional[Path] = None
    #: shape when built from scratch (ignored with init_from)
    shape: ModelShape = ModelShape()
    vocab_file: Path = Path("data/vocab/bert-base-chinese-vocab.txt")
    #: feed the rule extractor's IOB2 tags as token types (train/features.py)
    rule_features: bool = False
    #: merge the output with the rules per label, policy chosen on the validation split (train/merge.py)
    merge_rules: bool = False

    _vf = field_validator("vocab_file", mode="before")(lambda v: resolve_existing(v, "vocabulary file"))
    _init = field_validator("init_from", mode="before")(
        lambda v: None if v is None else resolve_existing(v, "checkpoint directory")
    )


class ExportConfig(Strict):
    #: also write a fp16, sharded copy of the best model here (e.g. infer/bundled_model); None = skip
    bundle_dir: Optional[Path] = None
    max_shard_size: str = "10MB"


class FinetuneConfig(Strict):
    output_dir: Path
    model: FinetuneModel = FinetuneModel()
    data: DataConfig = DataConfig()
    windows: WindowConfig = WindowConfig()
    training: FinetuneTraining = FinetuneTraining()
    export: ExportConfig = ExportConfig()


def parse_override(item: str) -> tuple[list[str], Any]:
    """``"training.epochs=3"`` → (["training", "epochs"], 3); the value is parsed as YAML."""
    if "=" not in item:
        raise InputError("--set", f"expected key=value, got {item!r}")
    key, _, raw = item.partition("=")
    keys = [k for k in key.strip().split(".") if k]
    if not keys:
        raise InputError("--set", f"empty key in {item!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as e:
        raise InputError("--set", f"{key}: cannot parse value {raw!r}: {e}") from e
    if isinstance(value, str) and _EXP_FLOAT.fullmatch(value):  # YAML 1.1 reads "1e-4" as a string
        value = float(value)
    return keys, value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Set dotted keys in a nested dict (unknown keys are caught by validation)."""
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {} if node.get(k) is None else node[k]
            if not isinstance(node[k], dict):
                raise InputError("--set", f"{'.'.join(keys)}: {k} is not a section")
            node = node[k]
        node[keys[-1]] = value
    return data


def format_errors(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        key = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        parts.append(f"{key}: {msg}")
    return "; ".join(parts)


def load_config(path: str | Path, kind: type[Strict], overrides: list[str] | None = None):
    """Read a YAML config, apply ``key=value`` overrides and validate it into ``kind``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError(path, f"invalid YAML: {e}") from e
    if not isinstance(data, dict):
        raise InputError(path, "config must be a mapping of keys")
    data = apply_overrides(data, overrides or [])
    try:
        return kind.model_validate(data)
    except ValidationError as e:
        raise InputError(path, format_errors(e)) from None


def load_pretrain_config(path, overrides=None) -> PretrainConfig:
    return load_config(path, PretrainConfig, overrides)


def load_finetune_config(path, overrides=None) -> FinetuneConfig:
    return load_config(path, FinetuneConfig, overrides)


def dump_config(cfg: Strict) -> dict:
    """JSON-able dict of a config (paths as strings), saved next to the model."""
    return cfg.model_dump(mode="json")
