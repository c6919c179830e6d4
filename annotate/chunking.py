"""Cut an issue into Label Studio tasks: chunks of at most ``max_chars`` at item/paragraph boundaries.

Chunks are taken from the annotatable documents of the issue (the segmenter's documents;
the whole text when the segmenter is not available) and never cut through a protected span
(gold or predicted), so every span lands in exactly one chunk. Offsets are code points of the
raw issue text, like every offset in the project.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Sequence

from annotate.types import Document, Span

DEFAULT_MAX_CHARS = 2000
#: Cut-point preference: item starts, then blank lines, then line breaks, then sentence ends.
_ITEM, _BLANK, _LINE, _SENTENCE = range(4)
_SENTENCE_ENDS = "。；！？;!?"


@dataclass(frozen=True)
class Chunk:
    """A slice ``raw[offset:offset + len(text)]`` of one document of an issue."""

    source: str
    offset: int
    text: str
    index: int
    doc_index: int = 0
    title: str = ""
    doc_number: str | None = None

    @property
    def end(self) -> int:
        return self.offset + len(self.text)

    @property
    def key(self) -> str:
        """Stable task key: same source, place and text → same key (idempotent import)."""
        h = hashlib.sha1(f"{self.source}\x00{self.offset}\x00{self.text}".encode("utf-8"))
        return h.hexdigest()[:20]

    @property
    def doc_key(self) -> str:
        """The document this chunk belongs to, unique within the issue (dataset split groups)."""
        return f"doc{self.doc_index}:{self.doc_number or self.title}"

    def task_data(self) -> dict:
        """The ``data`` of the Label Studio task (``annotate.gold`` reads ``text``, ``source``, ``offset``)."""
        return {
            "text": self.text,
            "source": self.source,
            "offset": self.offset,
            "chunk": self.index,
            "title": self.title,
            "doc_number": self.doc_number or "",
            "doc_key": self.doc_key,
            "key": self.key,
        }


def _documents(raw: str) -> list[Document]:
    """The annotatable documents of the issue, or the whole text when no segmenter is installed."""
    try:
        from annotate.segment import segment_issue
    except ImportError:
        return [Document(0, len(raw), title="")]
    return [d for d in segment_issue(raw) if d.annotatable]


def _candidates(raw: str, start: int, end: int, items: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted (position, preference) of cut points strictly inside ``(start, end)``."""
    best: dict[int, int] = {}

    def add(p: int, pref: int) -> None:
        if start < p < end and pref < best.get(p, 99):
            best[p] = pref

    for p in items:
        add(p, _ITEM)
    i = raw.find("\n", start, end)
    while i != -1:
        blank = raw[i + 1 : i + 2] == "\n" or raw[max(start, i - 1) : i] == "\n"
        add(i + 1, _BLANK if blank else _LINE)
        i = raw.find("\n", i + 1, end)
    for j in range(start, end):
        if raw[j] in _SENTENCE_ENDS:
            add(j + 1, _SENTENCE)
    return sorted(best.items())


def _cut_points(
    raw: str, start: int, end: int, items: Sequence[int], protected: Sequence[Span], max_chars: int
) -> list[int]:
    """Positions where ``raw[start:end]`` is cut, greedily as late as allowed with the best preference."""
    blocked = bytearray(end - start + 1)  # blocked[p - start]: p lies strictly inside a protected span
    for s in protected:
        a, b = max(s.start + 1, start), min(s.end, end + 1)
        if a < b:
            blocked[a - start : b - start] = b"\x01" * (b - a)
    cands = [(p, pref) for p, pref in _candidates(raw, start, end, items) if not blocked[p - start]]
    positions = [p for p, _ in cands]
    cuts: list[int] = []
    pos = start
    while end - pos > max_chars:
        lo, hi = bisect_right(positions, pos), bisect_right(positions, pos + max_chars)
        window = cands[lo:hi]
        if window:
            # late enough to keep chunks reasonably full; among those the best kind, then the latest
            late = [c for c in window if c[0] >= pos + max_chars // 2] or window
            cut = min(late, key=lambda c: (c[1], -c[0]))[0]
        else:  # no boundary at all: any unprotected position, else the end of the span in the way
            cut = next((p for p in range(pos + max_chars, pos, -1) if not blocked[p - start]), None)
            if cut is None:  # a protected span longer than max_chars: the chunk ends after it
                cut = next((p for p in range(pos + max_chars, end) if not blocked[p - start]), end)
        if cut >= end:
            break
        cuts.append(cut)
        pos = cut
    return cuts


def chunk_issue(
    raw: str,
    source: str,
    max_chars: int = DEFAULT_MAX_CHARS,
    protected: Iterable[Span] = (),
    documents: Sequence[Document] | None = None,
) -> list[Chunk]:
    """Chunks of the annotatable documents of ``raw``; none cuts through a ``protected`` span.

    Whitespace-only chunks are left out. ``documents`` defaults to the segmenter's.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    docs = _documents(raw) if documents is None else [d for d in documents if d.annotatable]
    spans = sorted(protected)
    chunks: list[Chunk] = []
    for di, doc in enumerate(docs):
        inside = [s for s in spans if s.start < doc.end and s.end > doc.start]
        items = [it.start for it in doc.items]
        bounds = [doc.start, *_cut_points(raw, doc.start, doc.end, items, inside, max_chars), doc.end]
        for a, b in zip(bounds, bounds[1:]):
            if raw[a:b].strip():
                chunks.append(Chunk(source, a, raw[a:b], len(chunks), di, doc.title or "", doc.doc_number))
    return chunks


def assign_spans(chunks: Sequence[Chunk], spans: Iterable[Span]) -> tuple[list[list[Span]], list[Span]]:
    """Spans per chunk (shifted to chunk offsets) and the spans that lie in no single chunk."""
    starts = [c.offset for c in chunks]
    per_chunk: list[list[Span]] = [[] for _ in chunks]
    outside: list[Span] = []
    for s in sorted(spans):
        i = bisect_right(starts, s.start) - 1
        if i >= 0 and s.end <= chunks[i].end:
            per_chunk[i].append(s.shifted(-chunks[i].offset))
        else:
            outside.append(s)
    return per_chunk, outside
