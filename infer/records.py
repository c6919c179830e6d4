"""Structured records: spans grouped per document and task item, deadlines resolved, targets parsed.

``build_documents`` takes the raw issue text, its spans (gold, rules or model; raw offsets)
and the documents from ``annotate.segment.segment_issue``, and returns one JSON-ready dict
per document. Every span lands in exactly one document: the one that contains its start,
else (a span in a gap between documents) the nearest one before it, else the first.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Iterable

from annotate.types import Document, Span, TaskItem
from infer.deadlines import resolve
from infer.targets import parse

PREVIEW_CHARS = 80
CSV_COLUMNS = (
    "id", "source", "doc_index", "doc_title", "doc_number", "item_index", "item_start", "item_end", "item_preview",
    "lead_units", "units", "deadline_text", "deadline_iso", "deadline_start_iso", "deadline_kind", "targets",
)
_LIST_SEP = "；"


def span_ref(span: Span) -> dict:
    """The JSON form of a span inside a record: text and raw offsets, plus score and source where known."""
    d = {"text": span.text, "start": span.start, "end": span.end}
    if span.score is not None:
        d["score"] = round(float(span.score), 4)
    if span.source is not None:
        d["source"] = span.source
    return d


def deadline_record(span: Span) -> dict:
    return {**resolve(span.text).to_dict(), **span_ref(span)}


def target_record(span: Span) -> dict:
    return {**parse(span.text).to_dict(), **span_ref(span)}


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The item text with whitespace collapsed, cut to ``limit`` characters (… marks a cut)."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _document_index(documents: list[Document], span: Span) -> int:
    starts = [d.start for d in documents]
    i = bisect.bisect_right(starts, span.start) - 1
    if i < 0:
        return 0
    for j in range(i, -1, -1):  # documents may nest or overlap: prefer one that contains the span start
        if documents[j].start <= span.start < documents[j].end:
            return j
    return i


class _ItemIndex:
    """Finds the item of a span in O(log n): by note range first, else the innermost item holding its start."""

    def __init__(self, items: list[TaskItem]):
        self.items = items
        self.starts = [it.start for it in items]
        self.reach = list(itertools.accumulate((it.end for it in items), max))  # furthest end so far
        self.notes = sorted((a, b, i) for i, it in enumerate(items) for a, b in it.notes)
        self.note_starts = [n[0] for n in self.notes]

    def find(self, span: Span) -> int | None:
        k = bisect.bisect_right(self.note_starts, span.start) - 1
        for a, b, i in self.notes[max(0, k - 2) : k + 1][::-1]:  # notes do not nest; look at the nearest few
            if a <= span.start and span.end <= b:
                return i
        # items nest properly, so the latest-starting item that still holds the span start is the innermost
        for j in range(bisect.bisect_right(self.starts, span.start) - 1, -1, -1):
            if self.reach[j] <= span.start:  # no item up to j reaches the span
                return None
            if span.start < self.items[j].end:
                return j
        return None


def _item_record(raw: str, item: TaskItem, spans: list[Span]) -> dict:
    by = {label: [s for s in spans if s.label == label] for label in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET")}
    deadlines = [deadline_record(s) for s in by["DEADLINE"]]
    dated = [d for d in deadlines if d["iso"]]
    # the item is due when its last deadline falls; max keeps the first of equal dates
    deadline = max(dated, key=lambda d: d["iso"]) if dated else (deadlines[0] if deadlines else None)
    return {
        "start": item.start,
        "end": item.end,
        "marker": item.marker,
        "level": item.level,
        "notes": [list(n) for n in item.notes],
        "preview": preview(raw[item.start : item.end]),
        "lead_units": [span_ref(s) for s in by["LEAD_UNIT"]],
        "units": [span_ref(s) for s in by["UNIT"]],
        "deadline": deadline,
        "deadlines": deadlines,
        "targets": [target_record(s) for s in by["TARGET"]],
    }


def other_span_record(span: Span) -> dict:
    d = {"label": span.label, **span_ref(span)}
    if span.label == "DEADLINE":
        d["deadline"] = resolve(span.text).to_dict()
    elif span.label == "TARGET":
        d["target"] = parse(span.text).to_dict()
    return d


def build_documents(raw: str, spans: Iterable[Span], documents: list[Document]) -> list[dict]:
    """Group ``spans`` (raw offsets on ``raw``) by document and task item; one dict per document.

    Documents of kind front/personnel/chronicle carry no items; any span inside them is kept
    in their ``other_spans``. With no documents at all, the whole text is one document.
    """
    docs = sorted(documents, key=lambda d: (d.start, -d.end)) or [Document(0, len(raw), kind="document")]
    per_doc: list[list[Span]] = [[] for _ in docs]
    for s in sorted(spans):
        per_doc[_document_index(docs, s)].append(s)

    out = []
    for doc, doc_spans in zip(docs, per_doc):
        items = sorted(doc.items, key=lambda it: (it.start, -it.end)) if doc.annotatable else []
        per_item: list[list[Span]] = [[] for _ in items]
        other: list[Span] = []
        index = _ItemIndex(items)
        for s in doc_spans:
            i = index.find(s)
            (other if i is None else per_item[i]).append(s)
        out.append({
            "kind": doc.kind,
            "title": doc.title,
            "doc_number": doc.doc_number,
            "issuer": doc.issuer,
            "date": doc.date,
            "start": doc.start,
            "end": doc.end,
            "body_start": doc.body_start,
            "items": [_item_record(raw, it, ss) for it, ss in zip(items, per_item)],
            "other_spans": [other_span_record(s) for s in other],
        })
    return out


def build_record(
    id: str, raw: str, spans: Iterable[Span], documents: list[Document], source: str | None = None
) -> dict:
    """A per-input record shaped like ``gongbao infer``'s: id, source, n_chars, spans, documents."""
    spans = sorted(spans)
    return {
        "id": id,
        "source": source or id,
        "n_chars": len(raw),
        "spans": [{"label": s.label, **span_ref(s)} for s in spans],
        "documents": build_documents(raw, spans, documents),
    }


# Labels of the span lists in a document record, for consumers that walk all spans (the report).
ITEM_SPAN_FIELDS = {"lead_units": "LEAD_UNIT", "units": "UNIT", "deadlines": "DEADLINE", "targets": "TARGET"}


def document_spans(doc: dict) -> list[dict]:
    """All spans of a document record as ``{label, text, start, end, score?, source?}``, by offset."""
    out = [dict(s) for s in doc["other_spans"]]
    for item in doc["items"]:
        for field, label in ITEM_SPAN_FIELDS.items():
            out += [{"label": label, **{k: s[k] for k in ("text", "start", "end", "score", "source") if k in s}}
                    for s in item[field]]
    return sorted(out, key=lambda s: (s["start"], s["end"]))


def _target_text(t: dict) -> str:
    return re.sub(r"\s+", "", t["text"])


def items_to_csv_rows(records: Iterable[dict]) -> list[dict]:
    """One row per task item (columns ``CSV_COLUMNS``); lists are joined with ；."""
    rows = []
    for rec in records:
        for di, doc in enumerate(rec["documents"]):
            for ii, item in enumerate(doc["items"]):
                dl = item["deadline"] or {}
                rows.append({
                    "id": rec.get("id", ""),
                    "source": rec.get("source", ""),
                    "doc_index": di,
                    "doc_title": doc["title"] or "",
                    "doc_number": doc["doc_number"] or "",
                    "item_index": ii,
                    "item_start": item["start"],
                    "item_end": item["end"],
                    "item_preview": item["preview"],
                    "lead_units": _LIST_SEP.join(re.sub(r"\s+", "", s["text"]) for s in item["lead_units"]),
                    "units": _LIST_SEP.join(re.sub(r"\s+", "", s["text"]) for s in item["units"]),
                    "deadline_text": re.sub(r"\s+", "", dl.get("text", "")),
                    "deadline_iso": dl.get("iso") or "",
                    "deadline_start_iso": dl.get("start_iso") or "",
                    "deadline_kind": dl.get("kind", ""),
                    "targets": _LIST_SEP.join(_target_text(t) for t in item["targets"]),
                })
    return rows
