"""Silver training records: the rule extractor's output on unlabelled documents, kept where confident.

Documents (``data/unlabelled/documents.jsonl``: ``id``, ``text`` and provenance) are cut into
passages at paragraph breaks. The rules run on each passage; a span counts as silver when its rule
family's precision (``annotate.rules.SCORES``) is at least ``min_score``. Text the rules were unsure
of (spans below the bar) is not taught as ``O`` either: it goes into the record's ``ignore``
ranges, whose tokens are masked out of the loss. Passages with no confident span are dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator



def read_documents(path: str | Path) -> list[dict]:
    """Unlabelled documents from a JSONL file (each line an object with at least ``id`` and ``text``)."""
    from annotate.passages import read_jsonl

    return read_jsonl(path, required=("id", "text"))


def passages(text: str, max_chars: int = 1200) -> Iterator[tuple[int, int]]:
    """``(start, end)`` ranges of consecutive paragraphs of at most ``max_chars`` (a longer paragraph alone)."""
    start = end = 0
    for line in text.splitlines(keepends=True):
        if end > start and end + len(line) - start > max_chars:
            yield start, end
            start = end
        end += len(line)
    if end > start:
        yield start, end


def silver_records(documents: Iterable[dict], min_score: float = 0.9, max_chars: int = 1200) -> list[dict]:
    """Training records (``text``, ``spans``, ``ignore``) with the rules' confident spans as labels."""
    from annotate.rules import extract_spans

    out = []
    for doc in documents:
        text = doc["text"]
        for a, b in passages(text, max_chars):
            chunk = text[a:b]
            if not chunk.strip():
                continue
            found = extract_spans(chunk)
            sure = [s for s in found if (s.score or 0) >= min_score]
            if not sure:
                continue
            out.append({
                "id": f"silver:{doc['id']}@{a}",
                "text": chunk,
                "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in sure],
                "ignore": [[s.start, s.end] for s in found if (s.score or 0) < min_score],
                "group": f"silver:{doc['id']}",
            })
    return out


def without_overlap(records: list[dict], held_out: Iterable[str], n: int = 30,
                    max_share: float = 0.2) -> tuple[list[dict], int]:
    """Drop records copied from the held-out texts, so dev/test never leak into training through a
    copy of the same document on another site. A record is a copy when more than ``max_share`` of
    its ``n``-character runs (whitespace ignored) occur in the held-out texts; a shared line of
    political boilerplate alone does not make one. Returns the kept records and the number dropped."""
    grams = set()
    for text in held_out:
        compact = "".join(text.split())
        grams.update(compact[i : i + n] for i in range(len(compact) - n + 1))
    kept = []
    for rec in records:
        compact = "".join(rec["text"].split())
        runs = [compact[i : i + n] for i in range(0, max(len(compact) - n + 1, 0), n // 2)]
        if not runs or sum(r in grams for r in runs) <= max_share * len(runs):
            kept.append(rec)
    return kept, len(records) - len(kept)
