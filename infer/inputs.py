"""Expanding ``gongbao infer`` INPUT arguments into documents to process, and loading them.

INPUT is a ``.txt``/``.pdf`` file, a folder (searched recursively for such files), or a
``.jsonl`` file whose lines are ``{"id": …, "text": …}``. A file's id is its path relative to the
folder given (or its name) plus a short hash of its bytes, so a changed file is processed again
and an unchanged one is skipped on a re-run. Loading (decode, normalise, segment) is a pure
function of an :class:`InputTask`, run in worker processes; this module does not import torch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from annotate.errors import InputError
from annotate.reading import SUPPORTED, read_issue
from annotate.types import Document, TextView

ISSUE_SUFFIXES = {".txt", ".pdf"}
JSONL_SUFFIXES = {".jsonl"}
HASH_CHARS = 12


@dataclass(frozen=True)
class InputTask:
    """One document to process: a file (``path``) or a text from a JSONL line (``text``)."""

    id: str
    source: str
    path: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class InputFailure:
    """An input that could not be used; ``input`` names the file (and line), ``error`` the cause."""

    input: str
    error: str

    def to_dict(self) -> dict:
        return {"input": self.input, "error": self.error}


@dataclass
class Loaded:
    """A loaded input: raw text, its normalised view and its documents (None: no segmenter)."""

    task: InputTask
    raw: str
    view: TextView
    documents: list[Document] | None = field(default=None)


def file_id(rel: str, data: bytes) -> str:
    return f"{rel}@{hashlib.sha256(data).hexdigest()[:HASH_CHARS]}"


def _file_task(path: Path, rel: str) -> InputTask:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read file ({e.strerror or e})") from None
    return InputTask(id=file_id(rel, data), source=str(path), path=str(path))


def _jsonl_tasks(path: Path) -> Iterator[InputTask | InputFailure]:
    try:
        handle = path.open("rb")
    except OSError as e:
        yield InputFailure(str(path), f"cannot read file ({e.strerror or e})")
        return
    with handle:
        for n, line in enumerate(handle, 1):
            where = f"{path}:{n}"
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
            except UnicodeDecodeError as e:
                yield InputFailure(where, f"not UTF-8 ({e.reason} at byte {e.start})")
                continue
            except json.JSONDecodeError as e:
                yield InputFailure(where, f"not a JSON line ({e.msg} at column {e.colno})")
                continue
            if not isinstance(obj, dict) or "id" not in obj or "text" not in obj:
                yield InputFailure(where, 'expected an object with "id" and "text"')
            elif not isinstance(obj["text"], str) or not obj["text"].strip():
                yield InputFailure(where, '"text" must be a non-empty string')
            elif not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool) or str(obj["id"]) == "":
                yield InputFailure(where, '"id" must be a non-empty string or an integer')
            else:
                yield InputTask(id=str(obj["id"]), source=where, text=obj["text"])


def expand_inputs(args: list[str | Path]) -> Iterator[InputTask | InputFailure]:
    """Tasks (and failures, in place) for INPUT arguments, in a stable order; duplicates once."""
    seen: set[str] = set()
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ISSUE_SUFFIXES)
            if not files:
                yield InputFailure(str(path), "folder contains no .txt or .pdf files")
            items = ((p, p.relative_to(path).as_posix()) for p in files)
        elif path.suffix.lower() in JSONL_SUFFIXES and path.is_file():
            items = None
            for t in _jsonl_tasks(path):
                if isinstance(t, InputTask):
                    if t.id in seen:
                        yield InputFailure(t.source, f"duplicate id {t.id!r}; only its first text is processed")
                        continue
                    seen.add(t.id)
                yield t
            continue
        elif not path.exists():
            yield InputFailure(str(path), "file not found")
            continue
        elif path.suffix.lower() not in SUPPORTED:
            yield InputFailure(str(path), f"unsupported file type {path.suffix or '(none)'}; expected .txt, .pdf, .jsonl or a folder")
            continue
        else:
            items = [(path, path.name)]
        for p, rel in items:
            try:
                t = _file_task(p, rel)
            except InputError as e:
                yield InputFailure(e.path, e.cause)
                continue
            if t.id not in seen:
                seen.add(t.id)
                yield t


def load_task(task: InputTask) -> Loaded | InputFailure:
    """Read, normalise and segment one input (runs in a worker process)."""
    from train.tagging import normalize_view

    where = task.path or task.source
    try:
        raw = read_issue(task.path) if task.path is not None else task.text
        view = normalize_view(raw)
        documents = segment(raw, view)
    except InputError as e:
        return InputFailure(e.path, e.cause)
    except Exception as e:  # a bug on odd input must not stop the other inputs
        return InputFailure(where, f"{type(e).__name__}: {e}")
    if not view.text.strip():
        return InputFailure(where, "no text left after normalisation")
    return Loaded(task, raw, view, documents)


def segment(raw: str, view: TextView | None = None) -> list[Document] | None:
    """Documents of the text (``annotate.segment``); None while the segmenter does not exist."""
    try:
        from annotate.segment import segment_issue
    except ImportError:
        return None
    return segment_issue(raw, view)
