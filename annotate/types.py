"""Shared data types of the pipeline: spans, text views with offset maps, documents and task items.

All offsets are Python string indices, i.e. Unicode code points, which is also what Label
Studio uses. Spans are always reported on the *raw* text; a `TextView` maps offsets of a
derived (normalised or windowed) text back to the raw text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Iterable, Sequence

from annotate.schema import check_label


@dataclass(frozen=True, order=True)
class Span:
    """A labelled character span ``text[start:end]``.

    ``source`` says what produced it (``"gold"``, ``"rules"``, ``"model"``, ``"model+rules"``); ``score`` is a
    confidence in [0, 1] where the producer has one.
    """

    start: int
    end: int
    label: str
    text: str = field(default="", compare=False)
    score: float | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        check_label(self.label)
        if not (0 <= self.start < self.end):
            raise ValueError(f"bad span offsets [{self.start}, {self.end})")

    @property
    def key(self) -> tuple[int, int, str]:
        """Identity used for strict matching: offsets and label."""
        return (self.start, self.end, self.label)

    def shifted(self, delta: int) -> "Span":
        return Span(self.start + delta, self.end + delta, self.label, self.text, self.score, self.source)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "Span":
        return cls(int(d["start"]), int(d["end"]), d["label"], d.get("text", ""), d.get("score"), d.get("source"))


def span_on(text: str, start: int, end: int, label: str, **kw) -> Span:
    """Build a span whose ``text`` is taken from ``text`` at its offsets."""
    return Span(start, end, label, text[start:end], **kw)


def check_spans(text: str, spans: Iterable[Span]) -> list[str]:
    """Return a list of problems (empty if fine): out of range, text mismatch, overlaps."""
    problems: list[str] = []
    ordered = sorted(spans)
    for s in ordered:
        if s.end > len(text):
            problems.append(f"span [{s.start},{s.end}) {s.label} ends past the text ({len(text)} chars)")
        elif s.text and text[s.start : s.end] != s.text:
            problems.append(
                f"span [{s.start},{s.end}) {s.label}: text {s.text!r} != {text[s.start:s.end]!r} at its offsets"
            )
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            problems.append(f"spans [{a.start},{a.end}) {a.label} and [{b.start},{b.end}) {b.label} overlap")
    return problems


def remove_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Greedy overlap removal: longer spans first, then LEAD_UNIT over UNIT, then earlier."""
    rank = {"LEAD_UNIT": 0, "DEADLINE": 1, "TARGET": 2, "UNIT": 3}
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), rank[s.label], s.start)):
        if all(s.end <= a or s.start >= b for a, b in taken):
            chosen.append(s)
            taken.append((s.start, s.end))
    return sorted(chosen)


@dataclass
class TextView:
    """A text derived from ``raw`` (e.g. normalised), with ``to_raw[i]`` = raw offset of ``text[i]``.

    ``to_raw`` has one entry per character of ``text``. A span ``[a, b)`` on the view maps to
    ``[to_raw[a], to_raw[b-1] + 1)`` on the raw text, which may be longer than the view's span
    when characters (spaces, line breaks, headers) were dropped inside it.
    """

    raw: str
    text: str
    to_raw: Sequence[int]

    def __post_init__(self) -> None:
        if len(self.to_raw) != len(self.text):
            raise ValueError("offset map length differs from the view text length")

    @classmethod
    def identity(cls, raw: str) -> "TextView":
        return cls(raw, raw, range(len(raw)))

    def raw_offsets(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span [start, end) to raw offsets."""
        if not (0 <= start < end <= len(self.text)):
            raise ValueError(f"view span [{start},{end}) out of range 0..{len(self.text)}")
        return self.to_raw[start], self.to_raw[end - 1] + 1

    def span_to_raw(self, span: Span) -> Span:
        a, b = self.raw_offsets(span.start, span.end)
        return Span(a, b, span.label, self.raw[a:b], span.score, span.source)


@dataclass
class TaskItem:
    """A task item inside a document: a numbered item, a table row, or a paragraph with a note.

    Offsets are raw offsets into the issue text. ``notes`` are the raw ranges of the
    responsibility notes that belong to the item.
    """

    start: int
    end: int
    marker: str = ""
    level: int = 0
    notes: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Document:
    """One document of a gazette issue, with raw offsets into the issue text."""

    start: int
    end: int
    title: str = ""
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd where it resolves
    kind: str = "document"  # "document", "personnel" (人事任免), "chronicle" (大事记), "front" (front matter)
    body_start: int | None = None
    items: list[TaskItem] = field(default_factory=list)

    @property
    def annotatable(self) -> bool:
        return self.kind == "document"
