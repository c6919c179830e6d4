"""Records: gold spans grouped per document and task item, on the seeds."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from annotate.types import Document, Span, TaskItem
from infer.records import CSV_COLUMNS, build_documents, build_record, document_spans, items_to_csv_rows

try:  # helper A's segmenter; until it lands, a crude one over the same seed text
    from annotate.segment import segment_issue
except ImportError:  # pragma: no cover - depends on the session's progress
    segment_issue = None

_DOCNO = re.compile(r"^[^\n，。,:：]{1,20}〔\d{4}〕\s*\d+(?:—\d+)?\s*号\s*$", re.M)
_ITEM = re.compile(r"^[ \t]*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])", re.M)


def crude_documents(raw: str) -> list[Document]:
    """Hand-built documents: each starts at the paragraph above a 文号 line; items at numbered paragraphs."""
    starts = []
    for m in _DOCNO.finditer(raw):
        cut = raw.rfind("\n\n", 0, max(0, m.start() - 2))
        starts.append(cut + 2 if cut >= 0 else 0)
    bounds = sorted(set([0] + starts + [len(raw)]))
    docs = []
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        item_starts = [m.start() for m in _ITEM.finditer(raw, a, b)]
        items = [TaskItem(s, e) for s, e in zip(item_starts, item_starts[1:] + [b])]
        title = raw[a : raw.find("\n", a, b) if "\n" in raw[a:b] else b].strip()
        front = k == 0 and bool(starts) and starts[0] > 0
        docs.append(Document(a, b, title=title, kind="front" if front else "document", items=[] if front else items))
    return docs


def seed_documents(raw: str) -> list[Document]:
    return segment_issue(raw) if segment_issue is not None else crude_documents(raw)


@pytest.fixture(scope="module")
def seed_records(seed_gold):
    texts, spans = seed_gold
    return {src: build_record(src, texts[src], spans[src], seed_documents(texts[src])) for src in texts}


def _all_span_refs(record: dict) -> list[tuple[int, int, str, str]]:
    return [(s["start"], s["end"], s["label"], s["text"]) for doc in record["documents"] for s in document_spans(doc)]


def test_every_gold_span_lands_in_exactly_one_document(seed_gold, seed_records):
    texts, spans = seed_gold
    for src, raw in texts.items():
        got = _all_span_refs(seed_records[src])
        assert sorted(got) == sorted((s.start, s.end, s.label, s.text) for s in spans[src])
        assert all(raw[a:b] == text for a, b, _, text in got)


def test_item_spans_lie_in_their_item_or_its_notes(seed_records):
    n_items = n_item_spans = 0
    for record in seed_records.values():
        for doc in record["documents"]:
            if doc["kind"] != "document":
                assert doc["items"] == []
            for item in doc["items"]:
                n_items += 1
                ranges = [(item["start"], item["end"])] + [tuple(r) for r in item["notes"]]
                for field in ("lead_units", "units", "deadlines", "targets"):
                    for s in item[field]:
                        n_item_spans += 1
                        assert any(a <= s["start"] < b for a, b in ranges)
                assert len(item["preview"]) <= 80
    assert n_items > 100 and n_item_spans > 1000


def test_records_are_json(seed_records):
    for record in seed_records.values():
        assert json.loads(json.dumps(record, ensure_ascii=False)) == record


def _item_around(raw: str, needle: str, occurrence: int = 0) -> TaskItem:
    at = -1
    for _ in range(occurrence + 1):
        at = raw.index(needle, at + 1)
    start = raw.rfind("\n", 0, at) + 1
    end = raw.find("\n", at)
    return TaskItem(start, end)


def test_hand_built_item_on_seed_002(seed_gold):
    """002:646 「（责任单位：各州、市人民政府；完成时限：2022年11月底前，…）」 as one item."""
    texts, spans = seed_gold
    raw = texts["002_58db93a35e96c179.txt"]
    item = _item_around(raw, "完成呼叫中心系统改造")
    doc = Document(item.start - 10, item.end + 10, title="t", doc_number="云政办发〔2022〕1号", items=[item])
    inside = [s for s in spans["002_58db93a35e96c179.txt"] if doc.start <= s.start < doc.end]
    [rec] = build_documents(raw, inside, [doc])
    [it] = rec["items"]
    assert it["deadline"]["text"] == "2022年11月底前" and it["deadline"]["iso"] == "2022-11-30"
    assert [u["text"] for u in it["units"]] == ["各州、市人民政府"]
    assert it["lead_units"] == [] and it["targets"] == []
    assert it["preview"].startswith("1. 各地12345与110")


def test_several_deadlines_give_the_latest(seed_gold):
    """000:1409: a paragraph with four deadlines, among them 「2018年4月—2019年10月深化提升」."""
    texts, spans = seed_gold
    src = "000_ae1a9059d28074d2.txt"
    raw = texts[src]
    item = _item_around(raw, "2018年4月—2019年10月深化提升")
    [rec] = build_documents(raw, spans[src], [Document(item.start, item.end, items=[item])])
    it = rec["items"][0]
    texts_isos = [(d["text"], d["iso"]) for d in it["deadlines"]]
    assert texts_isos == [("2018年3月底前", "2018-03-31"), ("2019年10月底前", "2019-10-31"),
                          ("2018年3月底前", "2018-03-31"), ("2018年4月—2019年10月", "2019-10-31")]
    # the latest date, and of two spans due the same day the first
    assert (it["deadline"]["text"], it["deadline"]["iso"]) == ("2019年10月底前", "2019-10-31")


def _span(raw: str, text: str, label: str) -> Span:
    at = raw.index(text)
    return Span(at, at + len(text), label, text)


def test_spans_outside_items_and_documents():
    raw = "前言。一、甲局牵头，2025年底前完成。\n二、乙局完成。（丙局负责）\n大事记：丁局。"
    spans = [_span(raw, "前言", "UNIT"), _span(raw, "甲局", "LEAD_UNIT"), _span(raw, "2025年底前", "DEADLINE"),
             _span(raw, "乙局", "UNIT"), _span(raw, "丙局", "UNIT"), _span(raw, "丁局", "UNIT")]
    one, two, note = raw.index("一、"), raw.index("二、"), raw.index("（丙局")
    chron = raw.index("大事记")
    items = [TaskItem(one, two, marker="一、"), TaskItem(two, note, marker="二、", notes=[(note, chron - 1)])]
    docs = [Document(one, chron, title="文", items=items), Document(chron, len(raw), kind="chronicle", items=items)]
    out = build_documents(raw, spans, docs)
    assert [u["text"] for u in out[0]["other_spans"]] == ["前言"]  # before any document → the first
    first, second = out[0]["items"]
    assert [u["text"] for u in first["lead_units"]] == ["甲局"] and first["deadline"]["iso"] == "2025-12-31"
    assert [u["text"] for u in second["units"]] == ["乙局", "丙局"]  # 丙局 through the item's note
    assert out[1]["kind"] == "chronicle" and out[1]["items"] == []  # chronicles carry no items
    assert [u["text"] for u in out[1]["other_spans"]] == ["丁局"]


def test_no_documents_means_one_document():
    raw = "甲局牵头。"
    [doc] = build_documents(raw, [Span(0, 2, "LEAD_UNIT", "甲局")], [])
    assert doc["kind"] == "document" and doc["other_spans"][0]["text"] == "甲局"


def test_csv_rows(seed_records):
    rows = items_to_csv_rows(seed_records.values())
    assert rows and all(tuple(r) == CSV_COLUMNS for r in rows)
    n_items = sum(len(d["items"]) for r in seed_records.values() for d in r["documents"])
    assert len(rows) == n_items
    multi = [r for r in rows if "；" in r["units"]]
    assert multi, "some items name several units"
    dated = [r for r in rows if r["deadline_iso"]]
    assert dated and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["deadline_iso"]) for r in dated)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    w.writeheader()
    w.writerows(rows)
    assert len(list(csv.DictReader(io.StringIO(buf.getvalue())))) == len(rows)
