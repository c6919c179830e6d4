"""benchmarks/peer_spacy.py: gold → spaCy docs → spans round trip, and a short real training run.

spaCy is the optional ``bench`` extra; without it these tests are skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy", reason="spaCy is the optional 'bench' extra: pip install -e .[bench]")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import peer_spacy  # noqa: E402
from _data import gold_spans, load_gold  # noqa: E402

from annotate.schema import LABELS  # noqa: E402
from annotate.types import check_spans  # noqa: E402


@pytest.fixture(scope="module")
def seed_dd():
    return load_gold("seed")


@pytest.fixture(scope="module")
def blank_zh():
    return spacy.blank("zh")


def _docs(nlp, db):
    return list(db.get_docs(nlp.vocab))


def test_char_segmenter_is_configured():
    config = peer_spacy.spacy_config(minutes=1, seed=0, eval_frequency=10)
    assert config["nlp"]["lang"] == "zh"
    assert config["nlp"]["tokenizer"]["segmenter"] == "char"
    assert config["paths"]["vectors"] is None
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner"]


def test_seed_gold_round_trips_through_docbin(seed_dd, blank_zh):
    """Every seed gold span aligns with character tokens and comes back on the same offsets."""
    recs = list(seed_dd["train"])
    db, stats = peer_spacy.make_docbin(blank_zh, recs)
    assert stats.docs == len(recs)
    for r, doc in zip(recs, _docs(blank_zh, db)):
        assert doc.text == r["text"]
        gold = {(s["start"], s["end"], s["label"]) for s in r["spans"]}
        dropped = {(a, b, lab) for rid, a, b, lab in stats.misaligned if rid == r["id"]}
        got = peer_spacy.doc_spans(doc)
        assert {s.key for s in got} == gold - dropped
        assert not check_spans(r["text"], got)
    # with character tokens only whitespace edges can fail to align
    for rid, a, b, _ in stats.misaligned:
        text = next(r["text"] for r in recs if r["id"] == rid)
        assert text[a].isspace() or text[b - 1].isspace() or text[a - 1 : a + 1].isspace() or text[b - 1 : b + 1].isspace()


@pytest.mark.parametrize(
    "text, start, end, aligned, expanded",
    [
        ("甲 乙", 0, 3, True, (0, 3)),      # inner space (trailing whitespace of 甲) is fine
        ("甲 乙", 1, 3, False, (2, 3)),     # starts on 甲's trailing space: expand drops the space
        ("甲 乙", 0, 2, False, (0, 1)),     # ends on it: likewise
        ("甲\n\n乙", 1, 4, True, (1, 4)),   # a whitespace run is a token of its own
        ("甲\n\n乙", 2, 4, False, (1, 4)),  # starts inside that token: expand takes all of it
        ("甲乙丙", 1, 2, True, (1, 2)),
    ],
)
def test_alignment_edge_cases(blank_zh, text, start, end, aligned, expanded):
    rec = {"id": "x", "text": text, "spans": [{"start": start, "end": end, "label": "UNIT"}]}
    _, stats = peer_spacy.make_docbin(blank_zh, [rec])
    assert (not stats.misaligned) == aligned
    db, stats = peer_spacy.make_docbin(blank_zh, [rec], fallback_expand=True)
    [doc] = _docs(blank_zh, db)
    assert [s.key[:2] for s in peer_spacy.doc_spans(doc)] == [expanded]
    assert stats.expanded == (0 if aligned else 1)


def test_both_concatenates_each_split(seed_dd, monkeypatch):
    """``--data both`` stacks seed and regional splits (regional stood in by the seed gold here)."""
    import annotate.dataset

    monkeypatch.setattr(annotate.dataset, "regional_datasetdict", lambda seed=13: seed_dd, raising=False)
    both = load_gold("both")
    assert {k: len(v) for k, v in both.items()} == {k: 2 * len(v) for k, v in seed_dd.items()}


@pytest.mark.parametrize(
    "argv, named",
    [
        (["--eval", "seed,nowhere"], "nowhere"),
        (["--reuse", "{tmp}/no-such-run"], "no-such-run"),
    ],
)
def test_bad_arguments_are_clear_errors(capsys, tmp_path, argv, named):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert peer_spacy.main([*argv, "--minutes", "0"]) == 1
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


@pytest.mark.slow
def test_short_training_run_scores_spans_on_record_offsets(seed_dd, tmp_path):
    """A few real spaCy training steps on a handful of seed tasks; predictions go through the
    same scoring path as the benchmark and sit on the record texts' offsets."""
    train = [r for r in seed_dd["train"] if r["spans"]][:6]
    dev = list(seed_dd["validation"])[:2]
    test = list(seed_dd["test"])[:3]
    run = peer_spacy.train_spacy(train, dev, tmp_path, minutes=5, max_steps=12, eval_frequency=4, log=sys.stderr)
    nlp = run.nlp
    assert (tmp_path / "model" / "model-best" / "meta.json").exists()
    assert run.stats["train"].docs == len(train) and run.seconds > 0 and 0 <= run.dev_f1 <= 1
    assert nlp.get_pipe("ner").labels and set(nlp.get_pipe("ner").labels) <= set(LABELS)

    texts = [r["text"] for r in test]
    preds = peer_spacy.spacy_spans(nlp, texts)
    assert len(preds) == len(texts)
    for text, spans in zip(texts, preds):
        assert not check_spans(text, spans)  # text at its offsets, no overlaps
        assert all(s.label in LABELS and s.end <= len(text) for s in spans)

    run.settings = {"data": "seed", "seed": 0, "minutes": 5, "expand": False, "spacy": spacy.__version__}
    run.save(tmp_path)
    again = peer_spacy.SpacyRun.load(tmp_path)  # what --reuse scores
    assert again.stats == run.stats and again.seconds == run.seconds and again.settings == run.settings
    assert peer_spacy.spacy_spans(again.nlp, texts) == preds

    gold = gold_spans(test)
    ids = [r["id"] for r in test]
    rows = peer_spacy.score_rows(gold, ids, {"spaCy": preds, "gold": [gold[i] for i in ids], "none": None})
    assert rows["gold"]["micro"].f1 == 1.0  # the scoring path keys predictions to the right records
    assert rows["spaCy"]["micro"].n_gold == sum(len(v) for v in gold.values())
    assert rows["spaCy"]["micro"].n_pred == sum(len(p) for p in preds)
    assert rows["none"] is None
    table = peer_spacy.markdown_table("t", rows, {"spaCy": run.seconds / 60}, {"none": "missing"})
    assert sum(line.startswith("| ") for line in table.splitlines()) == 1 + 3  # header + one row per system
    assert "| none (missing) |" in table
