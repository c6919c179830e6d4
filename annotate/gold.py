"""Read Label Studio exports (JSON, the format of ``data/annotations/``) into character spans.

This is the one reader of annotation results: ``annotate pull`` (from a server or a file) and
the gold loader for training both go through :func:`parse_export`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from annotate.errors import InputError
from annotate.schema import LABELS, LS_FROM_NAME
from annotate.types import Span

Policy = Literal["latest", "all", "majority"]
POLICIES: tuple[str, ...] = ("latest", "all", "majority")

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED_DIR = DATA_DIR / "seeds"
SEED_GOLD = DATA_DIR / "annotations" / "seed-gold.labelstudio.json"


@dataclass
class AnnotatedTask:
    """One labelled task: its text, meta data (source, offset, …) and the chosen spans."""

    task_id: int | str
    text: str
    data: dict
    spans: list[Span]
    annotators: list = field(default_factory=list)

    @property
    def source(self) -> str:
        return str(self.data.get("source", ""))

    @property
    def offset(self) -> int:
        return int(self.data.get("offset", 0))


@dataclass
class Problem:
    """A span or annotation that was rejected, with the task id and the reason."""

    task_id: int | str
    reason: str

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.reason}"


def _result_spans(task_id, text: str, results: Iterable[dict], problems: list[Problem]) -> list[Span]:
    spans: list[Span] = []
    for r in results:
        if r.get("type") != "labels" or r.get("from_name", LS_FROM_NAME) != LS_FROM_NAME:
            continue  # other control tags (comments, relations) are not spans
        v = r.get("value", {})
        labels = v.get("labels") or []
        start, end = v.get("start"), v.get("end")
        where = f"span [{start},{end})"
        if len(labels) != 1:
            problems.append(Problem(task_id, f"{where} has {len(labels)} labels {labels}, expected one"))
            continue
        label = labels[0]
        if label not in LABELS:
            problems.append(Problem(task_id, f"{where} has unknown label {label!r}"))
            continue
        if not isinstance(start, int) or not isinstance(end, int) or not (0 <= start < end <= len(text)):
            problems.append(Problem(task_id, f"{where} {label} is out of range for a text of {len(text)} chars"))
            continue
        if "text" in v and v["text"] != text[start:end]:
            problems.append(
                Problem(task_id, f"{where} {label}: value.text {v['text']!r} != task text {text[start:end]!r}")
            )
            continue
        spans.append(Span(start, end, label, text[start:end], source="gold"))
    return spans


def _drop_overlaps(task_id, spans: list[Span], problems: list[Problem]) -> list[Span]:
    """Keep the first of overlapping spans and report the others (never silently)."""
    kept: list[Span] = []
    for s in sorted(set(spans)):
        if kept and s.start < kept[-1].end:
            k = kept[-1]
            problems.append(
                Problem(task_id, f"span [{s.start},{s.end}) {s.label} overlaps [{k.start},{k.end}) {k.label}; dropped")
            )
            continue
        kept.append(s)
    return kept


def _choose(task: dict, policy: str, problems: list[Problem]) -> tuple[list[Span], list]:
    tid = task.get("id")
    text = task.get("data", {}).get("text", "")
    anns = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
    if not anns:
        return [], []
    anns.sort(key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
    per_ann = [_result_spans(tid, text, a.get("result", []), problems) for a in anns]
    who = [a.get("completed_by") for a in anns]
    if policy == "latest":
        return _drop_overlaps(tid, per_ann[-1], problems), who[-1:]
    if policy == "all":
        return _drop_overlaps(tid, [s for spans in per_ann for s in spans], problems), who
    if policy == "majority":
        votes = Counter(s for spans in per_ann for s in set(spans))
        need = len(per_ann) // 2 + 1
        return _drop_overlaps(tid, [s for s, n in votes.items() if n >= need], problems), who
    raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")


def parse_export(tasks: list[dict], policy: str = "latest") -> tuple[list[AnnotatedTask], list[Problem]]:
    """Turn Label Studio export tasks into annotated tasks, reporting every rejected span.

    Tasks without a (non-cancelled) annotation are left out: they are unlabelled, not empty.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
    out: list[AnnotatedTask] = []
    problems: list[Problem] = []
    for task in tasks:
        if not any(not a.get("was_cancelled") for a in task.get("annotations", [])):
            continue
        data = task.get("data", {})
        if not isinstance(data.get("text"), str):
            problems.append(Problem(task.get("id"), "task has no text field"))
            continue
        spans, who = _choose(task, policy, problems)
        out.append(AnnotatedTask(task.get("id"), data["text"], data, spans, who))
    return out, problems


def read_export(path: str | Path, policy: str = "latest") -> tuple[list[AnnotatedTask], list[Problem]]:
    """Read a Label Studio JSON export file; errors name the file."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(path, f"not a Label Studio JSON export ({e})") from None
    if not isinstance(tasks, list):
        raise InputError(path, "not a Label Studio JSON export (expected a list of tasks)")
    return parse_export(tasks, policy)


def spans_by_source(tasks: Iterable[AnnotatedTask]) -> dict[str, list[Span]]:
    """Gold spans per source file, shifted from task offsets to offsets in the whole source text."""
    out: dict[str, list[Span]] = {}
    for t in tasks:
        out.setdefault(t.source, []).extend(s.shifted(t.offset) for s in t.spans)
    return {k: sorted(v) for k, v in out.items()}


def load_seed_gold() -> tuple[dict[str, str], dict[str, list[Span]]]:
    """The bundled seed issues and their gold spans: ``({source: raw text}, {source: spans})``."""
    tasks, problems = read_export(SEED_GOLD)
    if problems:
        raise ValueError(f"{SEED_GOLD}: {len(problems)} bad spans, first: {problems[0]}")
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))}
    return texts, spans_by_source(tasks)
