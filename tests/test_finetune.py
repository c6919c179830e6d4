"""Fine-tuning end to end on a slice of the seed gold with a tiny BERT, and the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from annotate.schema import BIO_TAGS, LABELS
from train.config import load_finetune_config, load_pretrain_config

ROOT = Path(__file__).resolve().parents[1]
RES = Path(__file__).parent / "resources"
BUNDLE = ROOT / "infer" / "bundled_model"
KNOWN = "（三）加快推进充电基础设施建设。由市发展改革委牵头，市财政局配合，2025年底前建成公共充电桩1200个。"


@pytest.fixture(scope="module")
def tiny_pretrained(tmp_path_factory):
    from train.pretrain import run_pretrain

    out = tmp_path_factory.mktemp("pt")
    run_pretrain(load_pretrain_config(RES / "tiny-pretrain.yaml", [f"output_dir={out}", "training.max_steps=8",
                                                                   "training.eval_steps=8", "training.max_length=128",
                                                                   "model.max_position_embeddings=128"]))
    return out


@pytest.fixture(scope="module")
def saved_dataset(tmp_path_factory):
    """A slice of the seed gold saved like `annotate pull` saves its DatasetDict."""
    import datasets

    from annotate.dataset import seed_datasetdict

    dd = seed_datasetdict()
    small = datasets.DatasetDict({k: v.select(range(min(5, len(v)))) for k, v in dd.items()})
    path = tmp_path_factory.mktemp("ds") / "pulled"
    small.save_to_disk(str(path))
    return path


@pytest.mark.slow
def test_finetune_from_pretrained_end_to_end(tiny_pretrained, saved_dataset, tmp_path):
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from train.finetune import export_fp16, run_finetune
    from train.tagging import Tagger

    out = tmp_path / "ft"
    cfg = load_finetune_config(RES / "tiny-finetune.yaml", [
        f"output_dir={out}", f"model.init_from={tiny_pretrained}", f"data.source={saved_dataset}", "data.limit=null",
        "training.max_steps=16", "training.eval_steps=8"])
    result = run_finetune(cfg)
    m = json.loads((out / "metrics.json").read_text())
    assert m["init_from"] == str(tiny_pretrained)
    losses = [h["loss"] for h in m["log_history"] if "loss" in h]
    assert len(losses) >= 4 and min(losses[-2:]) < losses[0]
    assert m["train"]["best_checkpoint"] and Path(m["train"]["best_checkpoint"]).name.startswith("checkpoint-")
    for split in ("validation", "test"):
        ev = m[split]
        assert ev["texts"] == 5 and set(ev["spans"]) == {*LABELS, "micro"}
        assert ev["seqeval_agrees"], ev  # span scoring == seqeval strict IOB2 on character tags
        assert ev["spans"]["micro"]["support"] > 0
    assert result["summary"]["test"]["micro_f1"] == m["test"]["spans"]["micro"]["f1"]
    assert m["data"]["train"]["spans_not_on_token_edges"] == 0
    assert (out / "training_curves.png").stat().st_size > 10_000

    meta = json.loads((out / "gongbao.json").read_text())
    assert meta["window"] == 126 and meta["overlap"] == 32 and meta["normalize"] is True
    assert meta["label_schema"]["tags"] == list(BIO_TAGS)
    conf = json.loads((out / "config.json").read_text())
    assert conf["id2label"] == {str(i): t for i, t in enumerate(BIO_TAGS)}

    # the saved dir reloads with transformers alone and equals the best checkpoint
    model = AutoModelForTokenClassification.from_pretrained(str(out)).eval()
    best = AutoModelForTokenClassification.from_pretrained(m["train"]["best_checkpoint"]).eval()
    tok = AutoTokenizer.from_pretrained(str(out))
    enc = tok(KNOWN, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
        assert torch.equal(logits, best(**enc).logits)
    tagger = Tagger.load(out, device="cpu")
    spans = tagger.predict_raw([KNOWN])[0]
    want = [tuple(model.config.id2label[int(i)] for i in logits[0, 1:-1].argmax(-1))]
    assert all(KNOWN[s.start:s.end] == s.text and s.label in LABELS for s in spans)
    assert bool(spans) == any(t != "O" for t in want[0])

    # fp16 export: sharded, reloads in fp32, same predictions up to fp16 rounding
    files = export_fp16(out, tmp_path / "bundle", "300KB")
    shards = [f for f in files if f.endswith(".safetensors")]
    assert len(shards) > 1 and "model.safetensors.index.json" in files and "gongbao.json" in files
    half = AutoModelForTokenClassification.from_pretrained(str(tmp_path / "bundle")).eval()
    assert next(half.parameters()).dtype == torch.float32
    with torch.no_grad():
        assert torch.allclose(half(**enc).logits, logits, atol=0.05)


@pytest.mark.slow
def test_finetune_is_reproducible_with_a_seed(tmp_path):
    from train.finetune import run_finetune

    def run(name):
        out = tmp_path / name
        run_finetune(load_finetune_config(RES / "tiny-finetune.yaml", [
            f"output_dir={out}", "data.limit=3", "training.max_steps=4", "training.eval_steps=4"]))
        return json.loads((out / "metrics.json").read_text())

    a, b = run("a"), run("b")
    la = [h["loss"] for h in a["log_history"] if "loss" in h]
    lb = [h["loss"] for h in b["log_history"] if "loss" in h]
    assert la == lb and a["validation"] == b["validation"]


def test_bad_dataset_dir_is_a_clear_error(tmp_path):
    from annotate.errors import InputError
    from train.finetune import run_finetune

    (tmp_path / "notads").mkdir()
    cfg = load_finetune_config(RES / "tiny-finetune.yaml", [f"output_dir={tmp_path / 'o'}", f"data.source={tmp_path / 'notads'}"])
    with pytest.raises(InputError, match="notads"):
        run_finetune(cfg)


# -- the bundled default model ---------------------------------------------------------------------

needs_bundle = pytest.mark.skipif(not (BUNDLE / "config.json").is_file(), reason="no bundled model")


@needs_bundle
def test_bundle_is_small_fp16_and_loads_with_transformers_alone():
    from safetensors import safe_open
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    files = [p for p in BUNDLE.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 25 * 1024 * 1024
    assert all(p.stat().st_size < 15 * 1024 * 1024 for p in files)
    for p in BUNDLE.glob("*.safetensors"):
        with safe_open(str(p), "pt") as f:
            assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}
    assert (BUNDLE / "README.md").is_file()
    tok = AutoTokenizer.from_pretrained(str(BUNDLE))
    model = AutoModelForTokenClassification.from_pretrained(str(BUNDLE))
    assert len(tok) == model.config.vocab_size == 21128
    assert [model.config.id2label[i] for i in range(len(BIO_TAGS))] == list(BIO_TAGS)


@needs_bundle
def test_bundled_model_tags_a_known_sentence():
    """A responsibility list and a deadline in the style of the seeds (not a gold sentence)."""
    from train.tagging import Tagger

    text = "责任单位：省发展改革委、省财政厅、省自然资源厅。" + KNOWN
    spans = Tagger.load(BUNDLE, device="cpu").predict_raw([text])[0]
    got = {(s.text, s.label) for s in spans}
    assert {("省发展改革委", "UNIT"), ("省财政厅", "UNIT")} <= got
    assert ("2025年底前", "DEADLINE") in got
    assert all(text[s.start:s.end] == s.text for s in spans)


# -- extra training records: silver and augmentation ------------------------------------------------

def test_train_records_add_silver_and_augmented_copies_without_leaks(tmp_path, seed_texts):
    from annotate.dataset import named_datasetdict
    from train.finetune import train_records

    dd = named_datasetdict("gold+regional")
    test_text = dd["test"][0]["text"]
    name, issue = sorted(seed_texts.items())[0]
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in [
        {"id": "issue", "text": issue},
        {"id": "copy-of-test", "text": test_text},  # a held-out passage must never reach training
    ]), encoding="utf-8")
    cfg = load_finetune_config(RES / "tiny-finetune.yaml", [
        f"output_dir={tmp_path / 'o'}", f"data.silver={docs}", "data.augment_copies=1"])
    records, info = train_records(cfg, dd)
    gold = len(dd["train"])
    assert info["gold"] == gold and info["silver"] > 10 and info["augmented"] > gold // 2
    assert len(records) == gold + info["silver"] + info["augmented"]
    silver = [r for r in records if r["id"].startswith("silver:")]
    assert silver and not [r for r in silver if r["id"].startswith("silver:copy-of-test")]
    assert info["silver_dropped_overlap"] >= 1
    assert all(r["spans"] for r in silver)


def test_silver_file_errors_name_the_file(tmp_path):
    from annotate.errors import InputError

    with pytest.raises(InputError, match="unlabelled documents file not found"):
        load_finetune_config(RES / "tiny-finetune.yaml", [f"output_dir={tmp_path}", f"data.silver={tmp_path / 'nope.jsonl'}"])


@pytest.mark.slow
def test_gold_plus_regional_reports_each_test_split_and_the_card_says_so(tmp_path):
    from train.finetune import run_finetune

    out, bundle = tmp_path / "both", tmp_path / "bundle"
    run_finetune(load_finetune_config(RES / "tiny-finetune.yaml", [
        f"output_dir={out}", "data.source=gold+regional", "data.limit=3", "training.max_steps=2",
        "training.eval_steps=2", "model.rule_features=true", "model.merge_rules=true", "data.select_on=regional",
        f"export.bundle_dir={bundle}"]))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["select_on"] == "regional" and metrics["merge"]["chosen_on"] == "validation (regional)"
    assert metrics["data"]["validation"]["texts"] == 3
    assert metrics["test_regional"]["texts"] == metrics["test_gold"]["texts"] == 3
    card = (bundle / "README.md").read_text()
    for words in ("Test, regional gold only", "Test, seed gold only", "token types", "Merged with the rules", "Viterbi"):
        assert words in card


def test_regional_repeat_repeats_only_regional_records(tmp_path):
    from annotate.dataset import named_datasetdict
    from train.finetune import train_records

    dd = named_datasetdict("gold+regional")
    cfg = load_finetune_config(RES / "tiny-finetune.yaml", [f"output_dir={tmp_path}", "data.source=gold+regional",
                                                            "data.regional_repeat=3"])
    records, info = train_records(cfg, dd)
    n_regional = len(named_datasetdict("regional")["train"])
    assert info["regional_repeated"] == 2 * n_regional
    assert len(records) == len(dd["train"]) + 2 * n_regional
    seed_ids = {r["id"] for r in named_datasetdict("gold")["train"]}
    assert sum(r["id"] in seed_ids for r in records) == len(seed_ids)


def test_select_on_regional_needs_the_regional_gold(tmp_path):
    from annotate.errors import InputError
    from train.finetune import run_finetune

    cfg = load_finetune_config(RES / "tiny-finetune.yaml", [f"output_dir={tmp_path / 'o'}", "data.select_on=regional"])
    with pytest.raises(InputError, match="select_on"):
        run_finetune(cfg)
