"""Silver records: the rules' confident spans on unlabelled text, the unsure ones masked, no leaks."""

from __future__ import annotations

import json

import pytest

from annotate.errors import InputError
from annotate.rules import extract_spans
from train.silver import passages, read_documents, silver_records, without_overlap


@pytest.fixture(scope="module")
def seed_doc(seed_texts):
    name, text = sorted(seed_texts.items())[0]
    return {"id": name, "text": text}


def test_passages_partition_the_text(seed_doc):
    text = seed_doc["text"]
    parts = list(passages(text, 800))
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert all(b - a <= 800 or "\n" not in text[a : b - 1] for a, b in parts)


@pytest.mark.parametrize("min_score", [0.85, 0.9, 0.95])
def test_silver_keeps_confident_spans_and_masks_the_rest(seed_doc, min_score):
    records = silver_records([seed_doc], min_score=min_score)
    assert records
    for rec in records:
        found = {s.key: s.score for s in extract_spans(rec["text"])}
        assert rec["spans"]
        for s in rec["spans"]:
            assert found[(s["start"], s["end"], s["label"])] >= min_score
        assert sorted(map(tuple, rec["ignore"])) == sorted((a, b) for (a, b, _), sc in found.items() if sc < min_score)


def test_stricter_bar_gives_fewer_spans(seed_doc):
    n = [sum(len(r["spans"]) for r in silver_records([seed_doc], min_score=m)) for m in (0.85, 0.95)]
    assert n[0] > n[1] > 0


def test_without_overlap_drops_copies_of_held_out_text(seed_doc):
    records = silver_records([seed_doc])
    held = records[3]["text"]
    kept, dropped = without_overlap(records, ["前言" + held.replace("\n", "\n  ") + "后记"])
    assert dropped >= 1 and all(r["text"] != held for r in kept)
    kept, dropped = without_overlap(records, ["完全无关的一段文字" * 5])
    assert dropped == 0 and kept == records
    # one shared sentence (boilerplate) does not make a copy
    long = max(records, key=lambda r: len(r["text"]))
    line = max(long["text"].splitlines(), key=len)[:40]
    kept, dropped = without_overlap([long], ["前言" + line + "后记"])
    assert dropped == 0


def test_read_documents_names_file_and_line(tmp_path):
    good = tmp_path / "docs.jsonl"
    good.write_text(json.dumps({"id": "a", "text": "牵头单位：省财政厅"}, ensure_ascii=False) + "\n\n", encoding="utf-8")
    assert read_documents(good) == [{"id": "a", "text": "牵头单位：省财政厅"}]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{"id": 2}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl.*line 2"):
        read_documents(bad)
    with pytest.raises(InputError, match="not found"):
        read_documents(tmp_path / "missing.jsonl")
