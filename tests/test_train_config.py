"""Config loading: the shipped configs validate; unknown keys, missing paths and wrong types are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.errors import InputError
from train.config import (
    FinetuneConfig,
    PretrainConfig,
    apply_overrides,
    load_finetune_config,
    load_pretrain_config,
    parse_override,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
RES = Path(__file__).parent / "resources"
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))


def test_pretrain_small_validates_with_portable_corpus():
    files = f"[{{path: {SEEDS[0]}, weight: 2}}, {{path: {SEEDS[1]}}}]"
    cfg = load_pretrain_config(CONFIGS / "pretrain-small.yaml", [f"corpus.files={files}", "training.max_minutes=15"])
    assert isinstance(cfg, PretrainConfig)
    assert cfg.model.num_hidden_layers == 4 and cfg.training.max_minutes == 15.0
    assert [f.weight for f in cfg.corpus.files] == [2.0, 1.0]
    assert cfg.vocab_file.is_file()


def test_pretrain_small_as_shipped():
    cfg = load_pretrain_config(CONFIGS / "pretrain-small.yaml")  # the corpus ships in data/corpus
    legal, tech = cfg.corpus.files
    assert legal.weight > tech.weight and legal.skip_lines > 0


def test_extractor_small_is_the_bundle_config():
    cfg = load_finetune_config(CONFIGS / "extractor-small.yaml")  # the bundled encoder ships in data/encoder
    assert cfg.model.init_from.is_dir()
    cfg = load_finetune_config(CONFIGS / "extractor-small.yaml", ["model.init_from=null"])
    assert isinstance(cfg, FinetuneConfig)
    assert cfg.export.bundle_dir == Path("infer/bundled_model")
    assert cfg.windows.max_length <= cfg.model.shape.max_position_embeddings


def test_extractor_base_takes_a_user_checkpoint(tmp_path):
    cfg = load_finetune_config(CONFIGS / "extractor-base.yaml", [f"model.init_from={tmp_path}"])
    assert cfg.model.init_from == tmp_path.resolve() and cfg.windows.max_length == 512


@pytest.mark.parametrize(
    "config, overrides, named",
    [
        ("extractor-small.yaml", ["model.init_from=/nonexistent/bert"], "model.init_from"),
        ("extractor-base.yaml", [], "model.init_from"),
        ("extractor-small.yaml", ["model.init_from=null", "training.epochz=3"], "training.epochz: unknown key"),
        ("extractor-small.yaml", ["model.init_from=null", "training.epochs=three"], "training.epochs"),
        ("extractor-small.yaml", ["model.init_from=null", "windows.overlap=300"], "windows"),
        ("extractor-small.yaml", ["model.init_from=null", "data.source=/nonexistent/ds"], "data.source"),
        ("extractor-small.yaml", ["model.init_from=null", "modle.init_from=x"], "modle: unknown key"),
        ("pretrain-small.yaml", ["corpus.files=[{path: /nonexistent.txt.xz}]"], "corpus.files.0.path"),
        ("pretrain-small.yaml", [f"corpus.files=[{{path: {SEEDS[0]}}}]", "training.batch_size=[1]"], "training.batch_size"),
        ("pretrain-small.yaml", [f"corpus.files=[{{path: {SEEDS[0]}}}]", "model.hidden_size=130"], "model"),
        ("pretrain-small.yaml", [f"corpus.files=[{{path: {SEEDS[0]}}}]", "training.max_length=1024"], "max_position_embeddings"),
    ],
)
def test_errors_name_the_key(config, overrides, named):
    loader = load_pretrain_config if config.startswith("pretrain") else load_finetune_config
    with pytest.raises(InputError) as e:
        loader(CONFIGS / config, overrides)
    assert named in str(e.value) and config in str(e.value)


def test_missing_config_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="config file not found"):
        load_finetune_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("output_dir: [unclosed\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_finetune_config(bad)
    bad.write_text("- a list\n")
    with pytest.raises(InputError, match="mapping"):
        load_finetune_config(bad)


@pytest.mark.parametrize(
    "item, keys, value",
    [("training.epochs=3", ["training", "epochs"], 3), ("training.learning_rate=1e-4", ["training", "learning_rate"], 1e-4),
     ("model.init_from=null", ["model", "init_from"], None), ("output_dir=runs/x=y", ["output_dir"], "runs/x=y"),
     ("training.bf16=false", ["training", "bf16"], False)],
)
def test_parse_override(item, keys, value):
    assert parse_override(item) == (keys, value)


def test_overrides_create_sections_and_reject_bad_items():
    assert apply_overrides({"a": 1}, ["b.c=2"]) == {"a": 1, "b": {"c": 2}}
    with pytest.raises(InputError, match="key=value"):
        apply_overrides({}, ["training.epochs"])
    with pytest.raises(InputError, match="not a section"):
        apply_overrides({"a": 1}, ["a.b=2"])


def test_tiny_test_configs_validate(tmp_path):
    assert load_pretrain_config(RES / "tiny-pretrain.yaml", [f"output_dir={tmp_path}"]).model.hidden_size == 64
    assert load_finetune_config(RES / "tiny-finetune.yaml", [f"output_dir={tmp_path}"]).model.shape.hidden_size == 64


@pytest.mark.parametrize("name", ["gold", "regional", "gold+regional"])
def test_named_gold_sets_are_valid_sources(name):
    from train.finetune import load_splits

    cfg = load_finetune_config(CONFIGS / "extractor-small.yaml", [f"data.source={name}"])
    assert cfg.data.source == name
    dd = load_splits(cfg)
    assert all(len(dd[s]) > 0 for s in ("train", "validation", "test"))
