"""Inputs → records: the batch extraction behind ``gongbao infer``.

Worker processes read, normalise and segment inputs (:func:`infer.inputs.load_task`); the main
process batches the windows of several documents through the model and writes one JSON line per
document. Output is resumable: each record is one ``write`` + ``flush`` + ``fsync`` of a whole
line, a re-run skips ids already in the file, and a partial last line left by a crash is cut off
before appending. A crash loses at most the documents of the batch in flight. Inputs that cannot
be used go to ``errors.jsonl`` next to the output (rewritten by each run) and do not stop the run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from annotate.errors import InputError
from annotate.types import Span
from infer.inputs import InputFailure, InputTask, Loaded, expand_inputs, load_task

ERRORS_NAME = "errors.jsonl"
#: Characters of (normalised) text sent to the model together, across documents.
DEFAULT_BATCH_CHARS = 400_000


# -- resumable JSONL output ------------------------------------------------------------------


def recover_jsonl(path: Path) -> set[str]:
    """Ids of the complete records in ``path``; cuts off a partial last line (crash mid-write)."""
    if not path.exists():
        return set()
    if path.is_dir():
        raise InputError(path, "output is a folder; give a .jsonl file name")
    data = path.read_bytes()
    complete = data.rfind(b"\n") + 1
    if complete < len(data):
        with path.open("r+b") as f:
            f.truncate(complete)
            f.flush()
            os.fsync(f.fileno())
    ids: set[str] = set()
    for n, line in enumerate(data[:complete].splitlines(), 1):
        if not line.strip():
            continue
        try:
            ids.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            raise InputError(path, f"line {n} is not a gongbao record; not appending to this file") from None
    return ids


class JsonlAppender:
    """Appends whole lines durably: one write, flush and fsync per line."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("ab")

    def write(self, obj: dict) -> None:
        self._f.write((json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8"))
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "JsonlAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_records(path: str | Path) -> Iterator[dict]:
    """The complete records of an output file."""
    with Path(path).open("rb") as f:
        for line in f:
            if line.endswith(b"\n") and line.strip():
                yield json.loads(line)


# -- records ---------------------------------------------------------------------------------


def span_record(s: Span) -> dict:
    """A span of an output record; ``source`` says what produced it (rules, model, model+rules)."""
    return {"start": s.start, "end": s.end, "label": s.label, "text": s.text,
            "score": None if s.score is None else round(float(s.score), 4), "source": s.source}


def build_documents(loaded: Loaded, spans: list[Span]) -> list[dict]:
    """Structured documents (helper F's ``infer.records``); empty while it or the segmenter is missing."""
    if loaded.documents is None:
        return []
    try:
        from infer.records import build_documents as build
    except ImportError:
        return []
    return build(loaded.raw, spans, loaded.documents)


def make_record(loaded: Loaded, spans: list[Span], model: dict) -> dict:
    bad = [s for s in spans if s.end > len(loaded.raw) or s.text != loaded.raw[s.start : s.end]]
    if bad:  # a bug upstream; never write a record that breaks the contract
        raise ValueError(f"span {bad[0].key} does not match the input text at its offsets")
    return {
        "id": loaded.task.id,
        "source": loaded.task.source,
        "model": model,
        "n_chars": len(loaded.raw),
        "spans": [span_record(s) for s in sorted(spans)],
        "documents": build_documents(loaded, spans),
    }


# -- the run ---------------------------------------------------------------------------------


@dataclass
class RunSummary:
    output: Path
    errors_path: Path
    written: int = 0
    skipped: int = 0
    failures: list[InputFailure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def _loaded_stream(tasks: Iterable[InputTask], workers: int) -> Iterator[Loaded | InputFailure]:
    """Load tasks in input order, in up to ``workers`` processes with bounded read-ahead."""
    if workers <= 1:
        for t in tasks:
            yield load_task(t)
        return
    # spawn: the parent may hold CUDA and tokenizer threads, which must not be forked.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: deque[Future] = deque()
        it = iter(tasks)
        for t in it:
            pending.append(pool.submit(load_task, t))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(load_task, nxt))
            yield result


def _batches(stream: Iterator[Loaded | InputFailure], batch_chars: int) -> Iterator[list[Loaded | InputFailure]]:
    batch: list[Loaded | InputFailure] = []
    size = 0
    for item in stream:
        batch.append(item)
        if isinstance(item, Loaded):
            size += len(item.view.text)
        if size >= batch_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def run_inference(inputs: list[str | Path], output: str | Path, tagger, *, workers: int = 1,
                  batch_chars: int = DEFAULT_BATCH_CHARS,
                  on_progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """Process ``inputs`` into ``output`` (JSONL, resumable); failures go to ``errors.jsonl``."""
    output = Path(output)
    done = recover_jsonl(output)
    summary = RunSummary(output, output.parent / ERRORS_NAME)
    model = dict(tagger.info)
    summary.errors_path.unlink(missing_ok=True)
    errors = JsonlAppender(summary.errors_path)

    def fail(f: InputFailure) -> None:
        summary.failures.append(f)
        errors.write(f.to_dict())

    def todo() -> Iterator[InputTask]:
        for t in expand_inputs(inputs):
            if isinstance(t, InputFailure):
                fail(t)
            elif t.id in done:
                summary.skipped += 1
            else:
                done.add(t.id)
                yield t

    try:
        with JsonlAppender(output) as out:
            for batch in _batches(_loaded_stream(todo(), workers), batch_chars):
                for item in batch:
                    if isinstance(item, InputFailure):
                        fail(item)
                loaded = [i for i in batch if isinstance(i, Loaded)]
                for item, spans in zip(loaded, _predict(tagger, loaded, fail)):
                    if spans is None:
                        continue
                    try:
                        record = make_record(item, spans, model)
                    except Exception as e:
                        fail(InputFailure(item.task.path or item.task.source, f"{type(e).__name__}: {e}"))
                        continue
                    out.write(record)
                    summary.written += 1
                if on_progress:
                    on_progress(summary.written, len(summary.failures))
    finally:
        errors.close()
        if not summary.failures:
            summary.errors_path.unlink(missing_ok=True)
    return summary


def _predict(tagger, loaded: list[Loaded], fail) -> list[list[Span] | None]:
    """Spans for a batch of documents; if the batch fails, retry one by one so one bad input
    cannot take the others down."""
    if not loaded:
        return []
    try:
        return tagger.predict_on_views([item.view for item in loaded])
    except Exception as e:
        if len(loaded) == 1:
            item = loaded[0]
            fail(InputFailure(item.task.path or item.task.source, f"prediction failed: {type(e).__name__}: {e}"))
            return [None]
    return [_predict(tagger, [item], fail)[0] for item in loaded]
