"""``gongbao annotate`` commands without a server: segment, extract, export --to-file, pull --from-file."""

from __future__ import annotations

import copy
import json
import re

import datasets
import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import InputError
from annotate.gold import SEED_DIR, SEED_GOLD
from annotate.schema import LABELS, LS_FROM_NAME, LS_TO_NAME
from conftest import pulled_spans

runner = CliRunner()
SEED = "004_3791d645c7736a07.txt"


def _invoke(*args: str):
    return runner.invoke(app, list(args))



def test_export_to_file_is_a_valid_import_file(tmp_path, seed_texts):
    from annotate.rules import extract_spans

    out = tmp_path / "tasks.json"
    r = _invoke("export", str(SEED_DIR / SEED), "--to-file", str(out), "--max-chars", "1500")
    assert r.exit_code == 0, r.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    raw = seed_texts[SEED]
    assert isinstance(tasks, list) and len(tasks) > 1
    predicted = set()
    for t in tasks:
        d = t["data"]
        assert set(d) >= {"text", "source", "offset", "chunk", "title", "doc_number", "doc_key", "key"}
        assert raw[d["offset"] : d["offset"] + len(d["text"])] == d["text"] and len(d["text"]) <= 1500
        (pred,) = t["predictions"]
        assert pred["model_version"].startswith("rules-") and 0 <= pred["score"] <= 1
        for item in pred["result"]:
            assert (item["from_name"], item["to_name"], item["type"]) == (LS_FROM_NAME, LS_TO_NAME, "labels")
            v = item["value"]
            assert d["text"][v["start"] : v["end"]] == v["text"] and v["labels"][0] in LABELS
            assert 0 <= item["score"] <= 1
            predicted.add((d["offset"] + v["start"], d["offset"] + v["end"], v["labels"][0]))
    assert len({t["data"]["key"] for t in tasks}) == len(tasks)
    assert predicted == {s.key for s in extract_spans(raw)}
    again = tmp_path / "again.json"
    assert _invoke("export", str(SEED_DIR / SEED), "--to-file", str(again), "--max-chars", "1500").exit_code == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    # the same tasks (keys) whatever pre-annotates them, so switching models never duplicates tasks
    bare = tmp_path / "bare.json"
    r = _invoke("export", str(SEED_DIR / SEED), "--to-file", str(bare), "--max-chars", "1500", "--no-predictions")
    assert r.exit_code == 0, r.output
    bare_tasks = json.loads(bare.read_text(encoding="utf-8"))
    assert [t["data"] for t in bare_tasks] == [t["data"] for t in tasks]
    assert not any("predictions" in t for t in bare_tasks)


def test_export_with_a_model_directory(tmp_path, seed_texts):
    """Pre-annotations from a (tiny, random) trained model instead of the rules."""
    from test_tagging import build_tiny_model  # helper of the tagger's tests: a real tiny BERT

    from train.tagging import Tagger

    model_dir = build_tiny_model(tmp_path / "tiny-model")
    source = "002_58db93a35e96c179.txt"
    out = tmp_path / "tasks.json"
    r = _invoke("export", str(SEED_DIR / source), "--to-file", str(out), "--model", str(model_dir))
    assert r.exit_code == 0, r.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    versions = {t["predictions"][0]["model_version"] for t in tasks}
    assert len(versions) == 1 and versions.pop().startswith("tiny-model")
    got = set()
    for t in tasks:
        for item in t["predictions"][0]["result"]:
            v = item["value"]
            assert t["data"]["text"][v["start"] : v["end"]] == v["text"] and 0 <= item["score"] <= 1
            got.add((t["data"]["offset"] + v["start"], t["data"]["offset"] + v["end"], v["labels"][0]))
    chunks = [(t["data"]["offset"], t["data"]["offset"] + len(t["data"]["text"])) for t in tasks]
    predicted = Tagger.load(model_dir).predict_raw([seed_texts[source]])[0]
    expected = {s.key for s in predicted if any(a <= s.start and s.end <= b for a, b in chunks)}
    assert got == expected and got
    # the rest is reported: outside the documents (counted) or across a document boundary (a warning each)
    m = re.search(r"(\d+) outside annotatable documents", r.output)
    assert (int(m.group(1)) if m else 0) + r.output.count("crosses a task boundary") == len(predicted) - len(expected)


@pytest.mark.parametrize(
    "args",
    [
        ["export", str(SEED_DIR / SEED)],  # neither --project nor --to-file
        ["export", str(SEED_DIR / SEED), "--project", "p", "--to-file", "x.json"],
        ["pull", "--out", "o"],
        ["pull", "--out", "o", "--from-file", str(SEED_GOLD), "--policy", "loudest"],
    ],
)
def test_usage_errors(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = _invoke(*args)
    assert r.exit_code == 2 and not (tmp_path / "o").exists() and not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("command", ["export", "pull"])
def test_help_never_shows_the_api_key(command):
    r = runner.invoke(app, [command, "--help"], env={"LABEL_STUDIO_API_KEY": "k3y-from-env-0123"})
    assert r.exit_code == 0 and "LABEL_STUDIO_API_KEY" in r.output and "k3y-from-env-0123" not in r.output


def test_missing_model_directory(tmp_path):
    r = _invoke("export", str(SEED_DIR / SEED), "--to-file", str(tmp_path / "t.json"), "--model", str(tmp_path / "none"))
    assert isinstance(r.exception, InputError) and "none" in str(r.exception)
    assert not (tmp_path / "t.json").exists()


@pytest.mark.parametrize("command", ["export", "pull"])
def test_missing_input_names_the_file(command, tmp_path):
    missing = tmp_path / "nope.json"
    args = ["export", str(missing), "--to-file", str(tmp_path / "t.json")] if command == "export" else [
        "pull", "--from-file", str(missing), "--out", str(tmp_path / "o")]
    r = _invoke(*args)
    assert isinstance(r.exception, InputError) and str(missing) in str(r.exception)


def test_pull_from_file_reproduces_the_gold(tmp_path, seed_gold):
    out = tmp_path / "ds"
    r = _invoke("pull", "--from-file", str(SEED_GOLD), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "0 problems" in r.output
    expected = {src: {s.key for s in spans} for src, spans in seed_gold[1].items()}
    assert sum(map(len, expected.values())) == 3648
    assert pulled_spans(out) == expected
    dd = datasets.load_from_disk(str(out))
    groups = {name: set(split["group"]) for name, split in dd.items()}
    assert all(len(g) for g in groups.values())
    assert not (groups["train"] & groups["test"] or groups["train"] & groups["validation"] or groups["validation"] & groups["test"])
    assert (out / "problems.jsonl").read_text() == ""


def test_pull_reports_bad_spans_with_task_and_reason(tmp_path, seed_gold):
    tasks = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    edited = copy.deepcopy(tasks)
    with_spans = [t for t in edited if len(t["annotations"][0]["result"]) >= 2]
    bad = {}
    a, b, c, d = with_spans[:4]
    a["annotations"][0]["result"][0]["value"]["end"] = len(a["data"]["text"]) + 5
    bad[a["id"]] = "out of range"
    b["annotations"][0]["result"][0]["value"]["text"] = "不是这段文字"
    bad[b["id"]] = "value.text"
    c["annotations"][0]["result"][0]["value"]["labels"] = ["PERSON"]
    bad[c["id"]] = "unknown label 'PERSON'"
    extra = copy.deepcopy(d["annotations"][0]["result"][0])
    v = extra["value"]
    v["start"] += 1
    v["end"] += 1
    v["text"] = d["data"]["text"][v["start"] : v["end"]]
    d["annotations"][0]["result"].append(extra)
    bad[d["id"]] = "overlaps"
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")

    out = tmp_path / "ds"
    r = _invoke("pull", "--from-file", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "4 problems" in r.output
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["task_id"] for p in problems} == set(bad)
    for p in problems:
        assert bad[p["task_id"]] in p["reason"]
        assert f"task {p['task_id']}: {p['reason']}" in r.output
    removed = set()
    for t in (a, b, c):
        v = next(x for x in tasks if x["id"] == t["id"])["annotations"][0]["result"][0]["value"]
        removed.add((t["data"]["source"], t["data"]["offset"] + v["start"], t["data"]["offset"] + v["end"], v["labels"][0]))
    expected = {(src_, *s.key) for src_, spans in seed_gold[1].items() for s in spans} - removed
    got = {(src_, *k) for src_, keys in pulled_spans(out).items() for k in keys}
    assert got == expected and len(got) == 3648 - 3


def test_extract_prints_rule_spans(seed_texts):
    from annotate.rules import extract_spans

    r = _invoke("extract", str(SEED_DIR / SEED))
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert lines == [s.to_dict() for s in extract_spans(seed_texts[SEED])]
    assert all(seed_texts[SEED][x["start"] : x["end"]] == x["text"] for x in lines)


def test_segment_prints_documents(seed_texts):
    from annotate.segment import segment_issue

    r = _invoke("segment", str(SEED_DIR / SEED), "--no-items")
    assert r.exit_code == 0, r.output
    docs = segment_issue(seed_texts[SEED])
    lines = r.output.splitlines()
    assert len(lines) == len(docs)
    for line, d in zip(lines, docs):
        assert f"{d.start}-{d.end}" in line and d.kind in line and (d.doc_number or "") in line


@pytest.mark.parametrize("policy, keep", [("latest", "first"), ("all", "union"), ("majority", "first")])
def test_pull_policy_with_two_annotators(policy, keep, tmp_path):
    """A second, later annotator kept only the first span of a task."""
    tasks = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    task = next(t for t in tasks if len(t["annotations"][0]["result"]) >= 3)
    first = copy.deepcopy(task["annotations"][0])
    second = {**copy.deepcopy(first), "id": 10**6, "completed_by": 2, "result": first["result"][:1],
              "updated_at": "2099-01-01T00:00:00Z", "created_at": "2099-01-01T00:00:00Z"}
    task["annotations"].append(second)
    task["annotations"].append({**copy.deepcopy(first), "id": 10**6 + 1, "was_cancelled": True, "result": [],
                                "updated_at": "2100-01-01T00:00:00Z"})
    src = tmp_path / "two.json"
    src.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "ds"
    r = _invoke("pull", "--from-file", str(src), "--out", str(out), "--policy", policy)
    assert r.exit_code == 0, r.output
    off = task["data"]["offset"]
    spans = {(off + x["value"]["start"], off + x["value"]["end"], x["value"]["labels"][0]) for x in first["result"]}
    first_span = {(off + first["result"][0]["value"]["start"], off + first["result"][0]["value"]["end"],
                   first["result"][0]["value"]["labels"][0])}
    end = off + len(task["data"]["text"])
    got = {k for k in pulled_spans(out)[task["data"]["source"]] if off <= k[0] < end}
    assert got == (spans if keep == "union" else first_span)
