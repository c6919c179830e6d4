"""Label Studio round trip: issues → pre-annotated tasks (export), annotations → a DatasetDict (pull).

Tasks carry the chunk text and its provenance (``source``, ``offset``, ``chunk``, ``title``,
``doc_number``, ``doc_key``) plus a stable ``key``; importing checks the keys already in the
project, so re-running (or retrying a failed batch) never duplicates a task. Pulling goes
through :func:`annotate.gold.parse_export`, the one reader of Label Studio exports.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from annotate.chunking import DEFAULT_MAX_CHARS, Chunk, assign_spans, chunk_issue
from annotate.errors import InputError
from annotate.gold import AnnotatedTask, Problem
from annotate.ls_client import Server
from annotate.reading import read_issue
from annotate.schema import LS_FROM_NAME, LS_TO_NAME, label_config_xml
from annotate.types import Span

Predictor = Callable[[str], list[Span]]


# --- predictions ----------------------------------------------------------------------------


def _rules_version() -> str:
    import annotate.rules as rules

    version = getattr(rules, "VERSION", None) or getattr(rules, "__version__", None)
    if version is None:
        from importlib.metadata import PackageNotFoundError, version as pkg_version

        try:
            version = pkg_version("gongbao")
        except PackageNotFoundError:
            version = "dev"
    return str(version)


def make_predictor(model_dir: str | Path | None = None) -> tuple[Predictor, str]:
    """``(predict(raw) -> spans, model_version)``: the rule extractor, or a trained model directory."""
    if model_dir is None:
        from annotate.rules import extract_spans

        return extract_spans, f"rules-{_rules_version()}"
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise InputError(model_dir, "model directory not found")
    from train.tagging import Tagger  # heavy (torch); only when a model is asked for

    tagger = Tagger.load(model_dir)
    version = getattr(tagger, "version", "")
    name = model_dir.resolve().name
    return (lambda raw: tagger.predict_raw([raw])[0]), f"{name}-{version}" if version else name


def result_items(spans: Iterable[Span], prefix: str = "r") -> list[dict]:
    """Spans (on a task's text) as Label Studio ``labels`` results."""
    out = []
    for i, s in enumerate(sorted(spans)):
        item = {
            "id": f"{prefix}{i}",
            "from_name": LS_FROM_NAME,
            "to_name": LS_TO_NAME,
            "type": "labels",
            "origin": "prediction" if prefix == "p" else "manual",
            "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
        }
        if s.score is not None:
            item["score"] = float(s.score)
        out.append(item)
    return out


def prediction(spans: Sequence[Span], model_version: str) -> dict:
    """A Label Studio prediction; its score is the mean span score (1.0 for no spans)."""
    scores = [s.score for s in spans if s.score is not None]
    return {
        "model_version": model_version,
        "score": float(sum(scores) / len(scores)) if scores else 1.0,
        "result": result_items(spans, prefix="p"),
    }


# --- export ---------------------------------------------------------------------------------


@dataclass
class PreparedIssue:
    """The tasks of one issue; predicted spans outside the annotatable documents are counted in
    ``out_of_scope``, those that straddle a chunk boundary (none, normally) are kept in ``unplaced``."""

    source: str
    chunks: list[Chunk]
    tasks: list[dict]
    unplaced: list[Span] = field(default_factory=list)
    out_of_scope: int = 0


def prepare_issue(
    path: str | Path,
    predictor: Predictor | None = None,
    model_version: str = "",
    max_chars: int = DEFAULT_MAX_CHARS,
    protected: Iterable[Span] = (),
) -> PreparedIssue:
    """Read an issue, predict spans on it, and cut it into Label Studio import tasks.

    The cut does not depend on the predictions (only on ``protected``, e.g. gold spans), so the
    task keys stay the same whichever model pre-annotates and re-exports never duplicate tasks.
    """
    path = Path(path)
    raw = read_issue(path)
    predicted = predictor(raw) if predictor is not None else []
    chunks = chunk_issue(raw, path.name, max_chars, protected=protected)
    per_chunk, outside = assign_spans(chunks, predicted)
    unplaced = [s for s in outside if any(s.start < c.end and c.offset < s.end for c in chunks)]
    tasks = []
    for chunk, spans in zip(chunks, per_chunk):
        task: dict = {"data": chunk.task_data()}
        if predictor is not None:
            spans = [Span(s.start, s.end, s.label, chunk.text[s.start : s.end], s.score, s.source) for s in spans]
            task["predictions"] = [prediction(spans, model_version)]
        tasks.append(task)
    return PreparedIssue(path.name, chunks, tasks, unplaced, len(outside) - len(unplaced))


def write_import_file(tasks: Sequence[dict], path: str | Path) -> None:
    """Write tasks as a Label Studio JSON import file (atomically)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(list(tasks), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


@dataclass
class ExportReport:
    project_id: int
    created_project: bool
    imported: int
    already_there: int
    seconds: float

    @property
    def tasks_per_second(self) -> float:
        return self.imported / self.seconds if self.seconds > 0 else 0.0


def export_to_server(server: Server, project: str, tasks: Sequence[dict], batch_size: int = 100) -> ExportReport:
    """Create or reuse ``project`` and import the tasks whose key it lacks, in batches.

    A failed batch is retried only for the keys still missing on the server, so a timeout
    after the server already stored part or all of a batch leaves no duplicate.
    """
    t0 = time.perf_counter()
    pid, created = server.ensure_project(project, label_config_xml())
    known = server.task_keys(pid) if not created else {}
    unique = list({t["data"]["key"]: t for t in tasks}.values())
    todo = [t for t in unique if t["data"]["key"] not in known]
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        server.call(
            f"import tasks {i + 1}-{i + len(batch)}",
            lambda: server.import_tasks(pid, batch),
            recover=lambda: _import_missing(server, pid, batch),
        )
    return ExportReport(pid, created, len(todo), len(unique) - len(todo), time.perf_counter() - t0)


def _import_missing(server: Server, pid: int, batch: Sequence[dict]) -> list[int]:
    """Retry path of a batch: import only the tasks whose key the server does not have yet."""
    have = server.task_keys(pid)
    rest = [t for t in batch if t["data"]["key"] not in have]
    return server.import_tasks(pid, rest) if rest else []


# --- pull -----------------------------------------------------------------------------------


def _groups(tasks: Sequence[AnnotatedTask], issue_dirs: Sequence[Path]) -> list[str]:
    """Document keys: ``source#doc_key`` from the task meta, else segment the issue found in ``issue_dirs``."""
    texts: dict[str, str] = {}
    for t in tasks:
        if not t.data.get("doc_key") and t.source and t.source not in texts:
            for d in issue_dirs:
                if (d / t.source).is_file():
                    texts[t.source] = read_issue(d / t.source)
                    break
    try:
        from annotate.dataset import document_groups

        return document_groups(tasks, texts)
    except ImportError:  # no segmenter yet: whole sources as groups
        return [f"{t.source}#{t.data['doc_key']}" if t.data.get("doc_key") else t.source or str(t.task_id) for t in tasks]


@dataclass
class PullReport:
    tasks: int
    spans_per_label: dict[str, int]
    splits: dict[str, int]
    problems: list[Problem]

    def lines(self) -> list[str]:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.spans_per_label.items())) or "none"
        splits = ", ".join(f"{k} {v}" for k, v in self.splits.items())
        out = [
            f"{self.tasks} annotated tasks, {sum(self.spans_per_label.values())} spans ({labels})",
            f"splits (tasks): {splits}",
            f"{len(self.problems)} problems" + (":" if self.problems else ""),
        ]
        out += [f"  {p}" for p in self.problems]
        return out


def pull_to_disk(
    tasks: Sequence[AnnotatedTask],
    problems: Sequence[Problem],
    out_dir: str | Path,
    seed: int = 13,
    issue_dirs: Sequence[str | Path] = (),
) -> PullReport:
    """Save parsed annotations (:func:`annotate.gold.parse_export`) as a DatasetDict plus ``problems.jsonl``.

    The dataset is written next to ``out_dir`` first and moved into place at the end, so a
    failure never leaves a half-written dataset behind.
    """
    from annotate.dataset import build_datasetdict

    dd = build_datasetdict(tasks, _groups(tasks, [Path(d) for d in issue_dirs]), seed=seed)
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    dd.save_to_disk(str(tmp), num_shards={k: 1 for k in dd})  # one shard each, so an empty split still loads
    with open(tmp / "problems.jsonl", "w", encoding="utf-8") as f:
        for p in problems:
            f.write(json.dumps({"task_id": p.task_id, "reason": p.reason}, ensure_ascii=False) + "\n")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    return PullReport(
        len(tasks),
        dict(Counter(s.label for t in tasks for s in t.spans)),
        {k: len(v) for k, v in dd.items()},
        list(problems),
    )
