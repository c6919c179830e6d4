"""Hand-annotated passages (inline ⟦⟧ markup, one JSON object per line) → Label Studio export tasks.

The regional gold is annotated as JSON lines ``{"id", "text", "marked", "region", "title", "year",
"source_url", "doc_key", …}``; :func:`to_export` turns the final (adjudicated) version into the
Label Studio JSON export format, so it is read like any export: ``gongbao annotate pull --from-file``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from annotate.errors import InputError
from annotate.inline import parse_inline
from annotate.schema import LS_FROM_NAME, LS_TO_NAME
from annotate.types import Span

META_FIELDS = ("region", "title", "year", "source_url", "doc_key", "doc_type")


def read_jsonl(path: str | Path, required: tuple[str, ...] = ()) -> list[dict]:
    """The objects of a JSONL file (blank lines skipped), each holding the ``required`` keys."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(path, f"line {n} is not JSON ({e.msg})") from None
            if required and (not isinstance(row, dict) or any(k not in row for k in required)):
                raise InputError(path, f"line {n}: expected an object with {', '.join(map(repr, required))}")
            rows.append(row)
    return rows


def marked_spans(row: dict, field: str = "marked") -> list[Span]:
    """Spans of a row's inline markup, checked against its plain ``text``."""
    text, spans = parse_inline(row[field])
    if "text" in row and text != row["text"]:
        raise ValueError(f"passage {row.get('id')}: markup does not strip to the passage text")
    return spans


def to_task(row: dict, spans: Iterable[Span], task_id: int, annotator: int = 1) -> dict:
    """One Label Studio export task with one submitted annotation."""
    result = [
        {
            "id": f"{row['id']}-{i}",
            "from_name": LS_FROM_NAME,
            "to_name": LS_TO_NAME,
            "type": "labels",
            "origin": "manual",
            "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
        }
        for i, s in enumerate(sorted(spans))
    ]
    # "document" groups passages of one source document, so dataset splits never share one
    data = {"text": row["text"], "source": row["id"], "offset": 0, "document": row.get("doc_key") or row["id"]}
    data.update({k: row[k] for k in META_FIELDS if k in row})
    return {
        "id": task_id,
        "data": data,
        "annotations": [
            {"id": task_id, "completed_by": annotator, "result": result, "was_cancelled": False, "ground_truth": True}
        ],
        "predictions": [],
    }


def to_export(rows: list[dict], field: str = "marked") -> list[dict]:
    """Label Studio export (a list of tasks) for passages whose final markup is in ``field``."""
    return [to_task(row, marked_spans(row, field), i + 1) for i, row in enumerate(rows)]
