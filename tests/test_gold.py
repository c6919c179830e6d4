"""The Label Studio export reader on the bundled gold and on hand-broken exports."""

import copy
import json

import pytest

from annotate.errors import InputError
from annotate.gold import SEED_GOLD, parse_export, read_export
from annotate.types import check_spans

GOLD_COUNTS = {"LEAD_UNIT": 435, "UNIT": 2303, "DEADLINE": 449, "TARGET": 461}


def test_seed_gold_counts_match_the_annotation_readme(seed_gold):
    texts, spans = seed_gold
    assert sorted(texts) == sorted(spans)
    counts = {}
    for ss in spans.values():
        for s in ss:
            counts[s.label] = counts.get(s.label, 0) + 1
    assert counts == GOLD_COUNTS


def test_seed_gold_spans_sit_on_the_raw_seed_text(seed_gold):
    texts, spans = seed_gold
    for src, ss in spans.items():
        assert check_spans(texts[src], ss) == []
        assert all(texts[src][s.start:s.end] == s.text for s in ss)


def test_tasks_tile_each_seed_exactly(seed_texts):
    tasks, problems = read_export(SEED_GOLD)
    assert problems == [] and len(tasks) == 142
    by_src = {}
    for t in tasks:
        by_src.setdefault(t.source, []).append(t)
    for src, ts in by_src.items():
        ts.sort(key=lambda t: t.offset)
        assert "".join(t.text for t in ts) == seed_texts[src]


@pytest.fixture(scope="module")
def export():
    return json.loads(SEED_GOLD.read_text(encoding="utf-8"))


def _first_labelled(tasks):
    return next(t for t in tasks if t["annotations"][0]["result"])


@pytest.mark.parametrize(
    "breakage, reason",
    [
        (lambda r, t: r["value"].update(start=-1), "out of range"),
        (lambda r, t: r["value"].update(end=len(t) + 5), "out of range"),
        (lambda r, t: r["value"].update(text=r["value"]["text"] + "X"), "value.text"),
        (lambda r, t: r["value"].update(labels=["ORG"]), "unknown label"),
        (lambda r, t: r["value"].update(labels=[]), "0 labels"),
    ],
)
def test_bad_spans_are_reported_with_task_id_and_reason(export, breakage, reason):
    tasks = copy.deepcopy(export)
    task = _first_labelled(tasks)
    result = task["annotations"][0]["result"]
    n = len(result)
    breakage(result[0], task["data"]["text"])
    parsed, problems = parse_export(tasks)
    assert len(problems) == 1
    assert problems[0].task_id == task["id"] and reason in problems[0].reason
    kept = next(t for t in parsed if t.task_id == task["id"])
    assert len(kept.spans) == n - 1  # only the bad span is left out; the rest survive


def test_overlaps_are_reported(export):
    tasks = copy.deepcopy(export)
    task = _first_labelled(tasks)
    dup = copy.deepcopy(task["annotations"][0]["result"][0])
    dup["value"]["end"] += 1
    dup["value"]["text"] = task["data"]["text"][dup["value"]["start"]:dup["value"]["end"]]
    task["annotations"][0]["result"].append(dup)
    _, problems = parse_export(tasks)
    assert len(problems) == 1 and "overlaps" in problems[0].reason


def _task_with_annotations(*results, cancelled=()):
    text = "省文化厅牵头；省财政厅配合"
    anns = []
    for i, res in enumerate(results):
        anns.append({
            "id": i + 1, "completed_by": i + 1, "was_cancelled": i in cancelled,
            "updated_at": f"2026-01-0{i + 1}T00:00:00Z",
            "result": [{"from_name": "label", "to_name": "text", "type": "labels",
                        "value": {"start": a, "end": b, "text": text[a:b], "labels": [l]}} for a, b, l in res],
        })
    return [{"id": 7, "data": {"text": text}, "annotations": anns}]


A = (0, 4, "LEAD_UNIT")
B = (7, 11, "UNIT")


@pytest.mark.parametrize(
    "policy, results, cancelled, expected",
    [
        ("latest", ([A], [A, B]), (), {A, B}),
        ("latest", ([A], [A, B]), (1,), {A}),  # the later one was cancelled
        ("all", ([A], [B]), (), {A, B}),
        ("majority", ([A, B], [A], [A]), (), {A}),
        ("majority", ([A, B], [B], [A]), (), {A, B}),
    ],
)
def test_policies(policy, results, cancelled, expected):
    parsed, problems = parse_export(_task_with_annotations(*results, cancelled=cancelled), policy)
    assert problems == []
    assert {s.key for s in parsed[0].spans} == expected


def test_unlabelled_and_fully_cancelled_tasks_are_left_out():
    tasks = _task_with_annotations([A], cancelled=(0,)) + [{"id": 8, "data": {"text": "x"}, "annotations": []}]
    parsed, _ = parse_export(tasks)
    assert parsed == []


@pytest.mark.parametrize(
    "content, cause",
    [(None, "file not found"), ("", "not a Label Studio JSON export"), ("{\"a\": 1}", "expected a list")],
)
def test_bad_export_files_name_the_file(tmp_path, content, cause):
    path = tmp_path / "export.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_export(path)
    assert str(path) in str(e.value) and cause in str(e.value)
