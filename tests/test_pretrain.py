"""Streaming corpus, sparse MLM loss, and a tiny pretraining run end to end (CPU, seconds)."""

from __future__ import annotations

import gzip
import itertools
import json
import lzma
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from train import corpus
from train.config import CorpusFile, load_pretrain_config
from train.tokenizer import VOCAB_SIZE, build_tokenizer

ROOT = Path(__file__).resolve().parents[1]
TINY = Path(__file__).parent / "resources" / "tiny-pretrain.yaml"


@pytest.fixture(scope="module")
def seed_lines():
    text = sorted((ROOT / "data" / "seeds").glob("*.txt"))[2].read_text(encoding="utf-8")
    unique = dict.fromkeys(ln.strip() for ln in text.splitlines() if len(ln.strip()) >= 5)
    return list(unique)[:400]


@pytest.fixture()
def corpus_files(tmp_path, seed_lines):
    body = "\n".join(seed_lines) + "\n"
    paths = {"txt": tmp_path / "c.txt", "gz": tmp_path / "c.txt.gz", "xz": tmp_path / "c.txt.xz"}
    paths["txt"].write_text(body, encoding="utf-8")
    with gzip.open(paths["gz"], "wt", encoding="utf-8") as f:
        f.write(body)
    with lzma.open(paths["xz"], "wt", encoding="utf-8") as f:
        f.write(body)
    return paths


def test_plain_gz_and_xz_read_alike(corpus_files, seed_lines):
    got = {k: list(corpus.iter_lines(p)) for k, p in corpus_files.items()}
    assert got["txt"] == got["gz"] == got["xz"] == seed_lines


def test_heldout_lines_never_reach_training(corpus_files, seed_lines):
    f = CorpusFile(path=corpus_files["xz"], skip_lines=3)
    held = corpus.heldout_lines([f], holdout_every=10, n_lines=1000)
    train = list(corpus.iter_lines(f.path, f.skip_lines, 10))
    assert held and not set(held) & set(train)
    assert len(held) + len(train) == len(seed_lines) - 3
    stream = corpus.mixed_lines([f], 10, shuffle_buffer=50, seed=1)
    assert not set(itertools.islice(stream, 2 * len(train))) & set(held)


def test_mix_follows_weights(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(f"甲{i:05d}行文本" for i in range(300)), encoding="utf-8")
    b.write_text("\n".join(f"乙{i:05d}行文本" for i in range(300)), encoding="utf-8")
    files = [CorpusFile(path=a, weight=3), CorpusFile(path=b, weight=1)]
    drawn = list(itertools.islice(corpus.mixed_lines(files, 1000, 20, seed=5), 4000))
    share = sum(x.startswith("甲") for x in drawn) / len(drawn)
    assert 0.7 < share < 0.8
    # the stream cycles past the end of a file, and a different shard sees different lines
    assert len(set(drawn)) > 300
    other = list(itertools.islice(corpus.mixed_lines(files, 1000, 20, seed=5, shard=(1, 2)), 100))
    assert other != drawn[:100]


def test_packed_blocks_are_full_and_framed(seed_lines):
    tok = build_tokenizer()
    blocks = list(corpus.pack_lines(iter(seed_lines), tok, 64))
    assert len(blocks) > 10
    assert all(len(b) == 64 and b[0] == tok.cls_token_id and b[-1] == tok.sep_token_id for b in blocks)
    n_tokens = sum(len(ids) + 1 for ids in tok(seed_lines, add_special_tokens=False)["input_ids"])
    assert len(blocks) == n_tokens // 62


def test_sparse_mlm_loss_equals_full_head_loss():
    from transformers import BertConfig, BertForMaskedLM

    from train.pretrain import SparseMLMBert

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=300, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    full = BertForMaskedLM(cfg).eval()
    sparse = SparseMLMBert(cfg).eval()
    sparse.load_state_dict(full.state_dict())
    ids = torch.randint(5, 300, (3, 20))
    labels = torch.full_like(ids, -100)
    labels[torch.rand(ids.shape) < 0.3] = 7
    labels[0, 0] = 9
    a = full(input_ids=ids, labels=labels)
    b = sparse(input_ids=ids, labels=labels)
    assert torch.allclose(a.loss, b.loss, atol=1e-5)
    assert b.logits.shape == (int((labels != -100).sum()), 300)


@pytest.mark.slow
def test_tiny_pretraining_learns_saves_reloads_and_resumes(tmp_path):
    from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer

    from train.pretrain import run_pretrain

    out = tmp_path / "pt"
    cfg = load_pretrain_config(TINY, [f"output_dir={out}"])
    m = run_pretrain(cfg)
    assert m["steps"] == 30 and m["tokens_seen"] == 30 * 8 * 64
    assert m["train_loss_last"] < m["train_loss_first"] - 1.0
    history = json.loads((out / "log_history.json").read_text())
    evals = [h["eval_mlm_loss"] for h in history if "eval_mlm_loss" in h]
    assert len(evals) == 3 and evals[-1] < evals[0]  # steps 0, 15, 30
    assert 0 <= m["eval_masked_accuracy"] <= 1 and m["eval_masked_tokens"] > 0
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "pretrain_curves.png"):
        assert (out / name).is_file(), name
    assert json.loads((out / "config.json").read_text())["architectures"] == ["BertForMaskedLM"]
    tok = AutoTokenizer.from_pretrained(str(out))
    assert len(tok) == VOCAB_SIZE
    enc = AutoModel.from_pretrained(str(out))
    assert enc.config.hidden_size == 64
    mlm = AutoModelForMaskedLM.from_pretrained(str(out)).eval()
    with torch.no_grad():
        logits = mlm(**tok("市发展改革委[MASK]头", return_tensors="pt")).logits
    assert logits.shape[-1] == VOCAB_SIZE

    # resume from the last checkpoint and continue the step count
    m2 = run_pretrain(load_pretrain_config(TINY, [f"output_dir={out}", "training.max_steps=40"]))
    assert m2["resumed_from_step"] == 30 and m2["steps"] == 40


def test_cli_reports_config_errors_without_traceback(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "train", "pretrain", "--config", str(TINY), "--set", f"output_dir={tmp_path}",
         "--set", "training.max_stepz=3"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert r.returncode == 2
    assert "training.max_stepz: unknown key" in r.stderr and "Traceback" not in r.stderr
