"""Chunking issues into Label Studio tasks: sizes, boundaries, protected spans, stable keys."""

from __future__ import annotations

import pytest

from annotate.chunking import Chunk, assign_spans, chunk_issue
from annotate.types import Document, Span, TaskItem, span_on


@pytest.mark.parametrize("max_chars", [300, 2000, 6000])
def test_seed_chunks_partition_documents_and_keep_gold_whole(seed_texts, seed_gold, max_chars):
    from annotate.segment import segment_issue

    for source, raw in seed_texts.items():
        gold = seed_gold[1][source]
        docs = [d for d in segment_issue(raw) if d.annotatable]
        chunks = chunk_issue(raw, source, max_chars, protected=gold)
        assert chunks and [c.index for c in chunks] == list(range(len(chunks)))
        for c in chunks:
            assert raw[c.offset : c.end] == c.text and c.text.strip()
            assert len(c.text) <= max_chars or any(s.start < c.offset + max_chars < s.end for s in gold)
        # every non-blank character of every annotatable document is in exactly one chunk
        covered = [0] * len(raw)
        for c in chunks:
            for i in range(c.offset, c.end):
                covered[i] += 1
        for d in docs:
            assert all(covered[i] == 1 for i in range(d.start, d.end) if not raw[i].isspace())
        per_chunk, outside = assign_spans(chunks, gold)
        assert outside == []
        assert sum(map(len, per_chunk)) == len(gold)
        for c, spans in zip(chunks, per_chunk):
            assert all(c.text[s.start : s.end] == s.text for s in spans)


def test_keys_are_stable_and_unique(seed_texts):
    source, raw = next(iter(seed_texts.items()))
    a, b = chunk_issue(raw, source), chunk_issue(raw, source)
    assert [c.key for c in a] == [c.key for c in b]
    assert len({c.key for c in a}) == len(a)
    assert chunk_issue(raw, "other.txt")[0].key != a[0].key
    data = a[0].task_data()
    assert data["text"] == a[0].text and data["offset"] == a[0].offset and data["key"] == a[0].key
    assert data["source"] == source and data["doc_key"]


def _doc(raw: str, items=()) -> list[Document]:
    return [Document(0, len(raw), title="t", items=[TaskItem(s, e) for s, e in items])]


def test_cuts_prefer_item_starts_then_blank_lines():
    raw = "一、" + "甲" * 58 + "\n二、" + "乙" * 25 + "\n\n" + "丙" * 30 + "\n"
    item2 = raw.index("二、")
    with_items = chunk_issue(raw, "s", 100, documents=_doc(raw, [(0, item2), (item2, len(raw))]))
    assert with_items[0].end == item2
    without = chunk_issue(raw, "s", 100, documents=_doc(raw))
    assert without[0].text.endswith("\n\n")
    assert [c.text for c in chunk_issue(raw, "s", len(raw), documents=_doc(raw))] == [raw]


@pytest.mark.parametrize(
    "raw",
    [
        "字" * 5000,  # no boundary at all
        "句子。" * 1500,  # sentence ends only
        "行\n" * 2500,  # line breaks only
        "（一）𠀀市发展改革委牵头，２０２５年底前完成。\n" * 200,  # full-width and non-BMP
    ],
)
@pytest.mark.parametrize("max_chars", [1, 7, 500])
def test_limits_hold_without_good_boundaries(raw, max_chars):
    chunks = chunk_issue(raw, "s", max_chars, documents=_doc(raw))
    assert all(len(c.text) <= max_chars for c in chunks)
    ends = [0] + [c.end for c in chunks]
    starts = [c.offset for c in chunks] + [len(raw)]
    assert all(a <= b for a, b in zip(ends, starts)), "chunks overlap or are out of order"
    assert all(not raw[a:b].strip() for a, b in zip(ends, starts)), "only blank text is left out"


def test_protected_span_longer_than_limit_stays_whole():
    raw = "前言。" * 10 + "长" * 300 + "。后记" * 10
    span = span_on(raw, raw.index("长"), raw.rindex("长") + 1, "TARGET")
    chunks = chunk_issue(raw, "s", 50, protected=[span], documents=_doc(raw))
    _, outside = assign_spans(chunks, [span])
    assert outside == []
    assert any(c.offset <= span.start and span.end <= c.end for c in chunks)


def test_blank_text_and_bad_limit():
    assert chunk_issue("\n \n\u3000\n", "s", documents=_doc("\n \n\u3000\n")) == []
    with pytest.raises(ValueError):
        chunk_issue("abc", "s", 0)


def test_assign_spans_reports_straddling():
    chunks = [Chunk("s", 0, "abcd", 0), Chunk("s", 4, "efgh", 1)]
    inside, straddle = Span(5, 7, "UNIT", "fg"), Span(3, 6, "UNIT", "def")
    per_chunk, outside = assign_spans(chunks, [inside, straddle])
    assert per_chunk == [[], [Span(1, 3, "UNIT")]] and outside == [straddle]
