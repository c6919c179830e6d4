"""train/tagging.py: windowed prediction over long texts, IOB2 decoding, raw offsets, and
agreement with transformers.pipeline, on a real tiny BERT built with the project tokenizer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from annotate.errors import InputError
from annotate.schema import BIO_TAGS, ID2TAG, TAG2ID
from train import tagging
from train.tagging import Tagger, TokenPredictions, decode_spans, load_tagger, normalize_view


def build_tiny_model(out_dir, seed: int = 0):
    """A 2-layer BERT (hidden 32) with random weights and the project tokenizer, saved to ``out_dir``.

    The classifier is scaled up so the predictions are confident (no near-ties that float noise
    of padding could flip) and biased so that all tags, O included, occur.
    """
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from train.tokenizer import build_tokenizer

    tok = build_tokenizer()
    assert len(tok) == 21128
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512, num_labels=len(BIO_TAGS),
                     id2label=dict(ID2TAG), label2id=dict(TAG2ID))
    model = BertForTokenClassification(cfg)
    with torch.no_grad():
        model.classifier.weight.mul_(40)
        model.classifier.bias.zero_()
        model.classifier.bias[0] = 1.5  # more O than anything else, as in real text
    model.save_pretrained(str(out_dir))
    tok.save_pretrained(str(out_dir))
    return out_dir


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny_model"))


@pytest.fixture(scope="session")
def tiny_tagger(tiny_model_dir):
    return Tagger.load(tiny_model_dir, device="cpu")


@pytest.fixture(scope="session")
def longest_view(seed_texts):
    raw = max(seed_texts.values(), key=len)
    return normalize_view(raw)


def dropped_by_tokenizer(tok, ch: str) -> bool:
    return not tok(ch, add_special_tokens=False)["input_ids"]


def assert_each_char_once(tagger, text: str, pred: TokenPredictions) -> None:
    counts = np.zeros(len(text), dtype=np.int64)
    for a, b in zip(pred.start, pred.end):
        counts[a:b] += 1
    assert counts.max() <= 1, "a character was predicted by more than one token/window"
    missing = {text[i] for i in np.flatnonzero(counts == 0)}
    # Only characters the tokenizer itself drops (whitespace, controls) get no token.
    assert all(dropped_by_tokenizer(tagger.tokenizer, ch) for ch in missing), sorted(missing)[:10]
    for a, b, w in zip(pred.start, pred.end, pred.window):
        assert pred.windows[w][0] <= a < b <= pred.windows[w][1]
    assert np.all(np.diff(pred.start) > 0) and np.all(np.diff(pred.window) >= 0)


def test_every_char_of_longest_seed_predicted_once(tiny_tagger, longest_view):
    text = longest_view.text
    assert len(text) > 80_000
    pred = tiny_tagger.token_predictions([text])[0]
    assert len(pred.windows) > 200
    assert set(pred.window.tolist()) == set(range(len(pred.windows)))
    assert_each_char_once(tiny_tagger, text, pred)


@pytest.mark.parametrize("window,overlap", [(32, 8), (64, 31), (100, 0), (510, 128)])
def test_coverage_with_small_windows_and_long_words(tiny_model_dir, seed_texts, window, overlap):
    """Digit runs and Latin words longer than a window's overlap straddle the ownership cuts."""
    tagger = Tagger.load(tiny_model_dir, device="cpu")
    tagger.window, tagger.overlap = window, overlap
    raw = sorted(seed_texts.values(), key=len)[0][:3000]
    text = raw + " 20222022202220222022年 abcdefghijklmnopqrstuvwxyzabcdef 𠀀𠀁 \u3000 ok。" * 3
    pred = tagger.token_predictions([text, "短", ""])
    assert_each_char_once(tagger, text, pred[0])
    assert len(pred[1].tag) == 1 and len(pred[2].tag) == 0


def test_windows_never_exceed_model_positions(tiny_tagger, longest_view, monkeypatch):
    lengths = []
    forward = Tagger._forward

    def spy(self, encodings, types=None):
        lengths.extend(len(e) for e in encodings)
        return forward(self, encodings, types)

    monkeypatch.setattr(Tagger, "_forward", spy)
    tiny_tagger.token_predictions([longest_view.text[:20_000]])
    assert lengths and max(lengths) <= tiny_tagger.window + 2 <= tiny_tagger.model.config.max_position_embeddings


def test_batching_does_not_change_predictions(tiny_tagger, seed_texts):
    texts = [t[:5000] for t in seed_texts.values()] + ["省教育厅牵头，2022年底前完成。"]
    together = tiny_tagger.predict_views(texts)
    alone = [tiny_tagger.predict_views([t])[0] for t in texts]
    assert [[s.key for s in ss] for ss in together] == [[s.key for s in ss] for ss in alone]
    assert sum(map(len, together)) > 0


def test_predict_raw_spans_are_valid_on_raw_text(tiny_tagger, seed_texts):
    raws = [t[:20_000] for t in seed_texts.values()]
    for raw, spans in zip(raws, tiny_tagger.predict_raw(raws)):
        assert spans
        for s in spans:
            assert raw[s.start : s.end] == s.text and s.text.strip() == s.text and s.source == "model"
            assert 0 < s.score <= 1


T = TAG2ID


@pytest.mark.parametrize(
    "tags,expected",
    [
        (["B-UNIT", "I-UNIT", "O"], [(0, 2, "UNIT")]),
        (["I-UNIT", "I-UNIT"], [(0, 2, "UNIT")]),  # I after nothing starts a span
        (["O", "I-DEADLINE", "O", "I-DEADLINE"], [(1, 2, "DEADLINE"), (3, 4, "DEADLINE")]),
        (["B-UNIT", "I-LEAD_UNIT", "I-LEAD_UNIT"], [(0, 1, "UNIT"), (1, 3, "LEAD_UNIT")]),
        (["B-UNIT", "B-UNIT", "I-UNIT"], [(0, 1, "UNIT"), (1, 3, "UNIT")]),
        (["O", "O"], []),
        (["B-TARGET"], [(0, 1, "TARGET")]),
    ],
)
def test_decode_iob2_repair(tags, expected):
    n = len(tags)
    pred = TokenPredictions(np.arange(n), np.arange(1, n + 1), np.array([T[t] for t in tags]),
                            np.linspace(0.5, 1.0, n), np.zeros(n, dtype=np.int64))
    text = "甲乙丙丁戊"[:n]
    spans = decode_spans(text, pred, dict(ID2TAG))
    assert [s.key for s in spans] == expected
    for s in spans:
        assert s.text == text[s.start : s.end]
        assert s.score == pytest.approx(float(np.mean(pred.prob[s.start : s.end])))


def test_spans_bridge_dropped_whitespace():
    text = "2022年 11月底前"
    starts, ends = [0, 4, 6, 8, 9, 10], [4, 5, 8, 9, 10, 11]
    tags = [T["B-DEADLINE"]] + [T["I-DEADLINE"]] * 5
    pred = TokenPredictions(np.array(starts), np.array(ends), np.array(tags), np.ones(6), np.zeros(6, dtype=np.int64))
    (span,) = decode_spans(text, pred, dict(ID2TAG))
    assert (span.start, span.end, span.text) == (0, 11, text)


def test_agrees_with_transformers_pipeline(tiny_tagger, seed_texts, monkeypatch):
    """On pieces of at most 510 characters (where the pipeline is correct) both find the same spans
    with the pipeline's decoding (argmax per token, "simple" grouping)."""
    from transformers import pipeline

    monkeypatch.setattr(tiny_tagger, "decoding", "simple")
    text = normalize_view(seed_texts[sorted(seed_texts)[2]]).text
    pieces = [text[i : i + 510] for i in range(0, 510 * 12, 510)]
    pipe = pipeline("token-classification", model=tiny_tagger.model, tokenizer=tiny_tagger.tokenizer,
                    aggregation_strategy="simple", device=-1)
    ours = tiny_tagger.predict_views(pieces)
    n = 0
    for piece, spans, theirs in zip(pieces, ours, pipe(pieces)):
        assert [s.key for s in spans] == [(e["start"], e["end"], e["entity_group"]) for e in theirs]
        for s, e in zip(spans, theirs):
            assert s.score == pytest.approx(float(e["score"]), abs=1e-4)
        n += len(spans)
    assert n > 20


def test_load_checks(tiny_model_dir, tmp_path, monkeypatch):
    with pytest.raises(InputError, match="not a model directory"):
        Tagger.load(tmp_path)
    with pytest.raises(InputError, match="model directory not found"):
        load_tagger(tmp_path / "nope")
    monkeypatch.setattr(tagging, "BUNDLED_MODEL_DIR", tmp_path / "bundled_model")
    with pytest.raises(InputError, match="bundled model missing"):
        load_tagger(None)
    # gongbao.json sets the window; a vocabulary mismatch is refused
    import shutil

    d = tmp_path / "m"
    shutil.copytree(tiny_model_dir, d)
    (d / "gongbao.json").write_text(json.dumps({"window": 256, "overlap": 64, "name": "tiny", "version": "t1"}))
    t = Tagger.load(d, device="cpu")
    assert (t.window, t.overlap, t.info) == (256, 64, {"name": "tiny", "version": "t1"})
    t.model.resize_token_embeddings(21130)
    t.model.save_pretrained(str(d))
    with pytest.raises(InputError, match="tokenizer has 21128 tokens but the model 21130"):
        Tagger.load(d, device="cpu")
    cfg = json.loads((d / "config.json").read_text())
    cfg["vocab_size"] = 100
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(InputError, match="cannot load model"):
        Tagger.load(d, device="cpu")


def test_rules_tagger_shares_interface(seed_texts):
    pytest.importorskip("annotate.rules", reason="rule extractor not written yet")
    from annotate import rules

    if not hasattr(rules, "extract_spans"):
        pytest.skip("annotate.rules.extract_spans not written yet")
    raw = seed_texts[sorted(seed_texts)[0]]
    tagger = load_tagger("rules")
    (spans,) = tagger.predict_raw([raw])
    assert spans and all(raw[s.start : s.end] == s.text for s in spans)
    assert tagger.info["name"] == "rules"


# -- constrained (Viterbi) decoding -----------------------------------------------------------------

def _path_score(path, logp, start, trans):
    return start[path[0]] + logp[0, path[0]] + sum(trans[path[i - 1], path[i]] + logp[i, path[i]] for i in range(1, len(path)))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(10))
def test_viterbi_is_the_best_valid_path(n, seed):
    """Cross-check against brute force over all 9**n tag sequences."""
    import itertools

    from annotate.schema import BIO_TAGS
    from train.tagging import allowed_transitions, viterbi

    start, trans = allowed_transitions(BIO_TAGS)
    rng = np.random.default_rng(seed)
    logp = np.log(rng.dirichlet(np.full(9, 0.3), size=n))
    best = max(_path_score(p, logp, start, trans) for p in itertools.product(range(9), repeat=n))
    got = viterbi(logp, start, trans)
    assert np.isfinite(_path_score(got, logp, start, trans))
    assert _path_score(got, logp, start, trans) == pytest.approx(best)


def test_viterbi_joins_what_argmax_fragments():
    """O I O O I (argmax) on 8月5日前 is one span under the constraints, not two fragments."""
    from annotate.schema import BIO_TAGS, TAG2ID
    from train.tagging import constrained

    text = "8月5日前"
    p = np.full((5, 9), 0.01)
    for i, (tag, pr) in enumerate([("O", .5), ("I-DEADLINE", .6), ("O", .5), ("O", .5), ("I-DEADLINE", .6)]):
        p[i, TAG2ID[tag]] = pr
    p[0, TAG2ID["B-DEADLINE"]] = 0.45
    for i in (2, 3):
        p[i, TAG2ID["I-DEADLINE"]] = 0.45
    p /= p.sum(axis=1, keepdims=True)
    pred = TokenPredictions(start=np.arange(5), end=np.arange(1, 6), tag=p.argmax(1), prob=p.max(1),
                            window=np.zeros(5, dtype=int), logp=np.log(p))
    assert [s.text for s in decode_spans(text, pred, dict(ID2TAG))] == ["月", "前"]
    (span,) = decode_spans(text, constrained(pred, BIO_TAGS), dict(ID2TAG))
    assert (span.text, span.label) == ("8月5日前", "DEADLINE")


def test_viterbi_output_is_valid_iob2_on_a_whole_issue(tiny_tagger, longest_view):
    from annotate.schema import BIO_TAGS
    from train.tagging import constrained

    (pred,) = tiny_tagger.token_predictions([longest_view.text[:30_000]])
    tags = [BIO_TAGS[i] for i in constrained(pred, BIO_TAGS).tag]
    assert any(t.startswith("I-") for t in tags)
    for prev, cur in zip(["O"] + tags, tags):
        if cur.startswith("I-"):
            assert prev in (f"B-{cur[2:]}", cur)
