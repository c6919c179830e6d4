"""Round trip against a real Label Studio server: export → annotate through the API → pull."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import datasets
import httpx
import pytest
from typer.testing import CliRunner

from annotate.chunking import assign_spans
from annotate.cli import app
from annotate.gold import SEED_DIR
from annotate.labelstudio import export_to_server, make_predictor, prepare_issue, result_items
from annotate.ls_client import LabelStudioError, Server
from annotate.schema import label_config_xml
from annotate.types import Span, span_on
from conftest import pulled_spans

REPO = Path(__file__).resolve().parent.parent


def _server(ls) -> Server:
    return Server(ls.url, ls.token, timeout=60, retries=2, backoff=0.2)


def _env(ls) -> dict:
    return {"LABEL_STUDIO_URL": ls.url, "LABEL_STUDIO_API_KEY": ls.token}


def _annotate(server: Server, task_ids: dict[str, int], tasks: list[dict], spans_per_task: list[list[Span]]) -> None:
    """Submit one annotation per task, as an annotator does when pressing Submit."""
    for task, spans in zip(tasks, spans_per_task):
        server.client.annotations.create(
            id=task_ids[task["data"]["key"]], result=result_items(spans), was_cancelled=False, lead_time=1.0
        )



@pytest.mark.slow
def test_seed_round_trip(ls_server, seed_texts, seed_gold, tmp_path, ls_metrics):
    """All seed issues with rule predictions → gold submitted through the API → pull → the gold, exactly."""
    predictor, version = make_predictor()
    tasks, per_task = [], []
    for source in seed_texts:
        prep = prepare_issue(SEED_DIR / source, predictor, version, protected=seed_gold[1][source])
        placed, straddling = assign_spans(prep.chunks, seed_gold[1][source])
        assert straddling == [], f"{source}: a gold span lies in no single chunk"
        tasks += prep.tasks
        per_task += placed

    server = _server(ls_server)
    rep = export_to_server(server, "seed round trip", tasks)
    assert rep.created_project and rep.imported == len(tasks) > len(seed_texts)
    ls_metrics[f"tasks exported per second ({rep.imported} seed tasks with rule predictions)"] = round(
        rep.tasks_per_second, 1
    )
    stored = list(server.client.tasks.list(project=rep.project_id, fields="all", page_size=500))
    assert len(stored) == len(tasks)
    assert all(t.predictions and t.predictions[0].model_version == version for t in stored)

    _annotate(server, server.task_keys(rep.project_id), tasks, per_task)
    out = tmp_path / "ds"
    r = CliRunner().invoke(app, ["pull", "--project", "seed round trip", "--out", str(out)], env=_env(ls_server))
    assert r.exit_code == 0, r.output
    assert "0 problems" in r.output

    got = pulled_spans(out)
    expected = {source: {s.key for s in spans} for source, spans in seed_gold[1].items()}
    assert got == expected
    n_same = sum(len(got[k] & expected[k]) for k in expected)
    ls_metrics["seed spans unchanged after the round trip"] = f"{n_same} of {sum(map(len, expected.values()))}"
    assert not any(ls_server.token.encode() in f.read_bytes() for f in out.rglob("*") if f.is_file())
    dd = datasets.load_from_disk(str(out))
    groups = [set(dd[s]["group"]) for s in dd]
    assert all(groups) and not any(a & b for i, a in enumerate(groups) for b in groups[i + 1 :])


@pytest.mark.slow
def test_reexport_adds_no_duplicates(ls_server, tmp_path):
    issue = SEED_DIR / "002_58db93a35e96c179.txt"
    env = _env(ls_server)
    runner = CliRunner()
    server = _server(ls_server)
    old_config = '<View><Labels name="label" toName="text"><Label value="UNIT"/></Labels><Text name="text" value="$text"/></View>'
    server.client.projects.create(title="idempotent", label_config=old_config)
    first = runner.invoke(app, ["export", str(issue), "--project", "idempotent", "--max-chars", "3000"], env=env)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["export", str(issue), "--project", "idempotent", "--max-chars", "3000"], env=env)
    assert second.exit_code == 0, second.output
    assert " 0 tasks imported" in second.output
    pid = server.find_project("idempotent")
    assert server.client.projects.get(pid).label_config.strip() == label_config_xml().strip()
    n_tasks = len(list(server.client.tasks.list(project=pid, page_size=500)))
    assert n_tasks == len(server.task_keys(pid)) > 0
    assert f"{n_tasks} already there" in second.output


@pytest.mark.slow
def test_timeout_after_import_leaves_no_duplicates(ls_server, monkeypatch):
    """The server stores a batch but the answer times out: the retry must not import it again."""
    prep = prepare_issue(SEED_DIR / "002_58db93a35e96c179.txt", max_chars=4000)
    server = _server(ls_server)
    real = server.import_tasks
    calls = []

    def flaky(pid, tasks):
        calls.append(len(tasks))
        ids = real(pid, tasks)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out")
        return ids

    monkeypatch.setattr(server, "import_tasks", flaky)
    rep = export_to_server(server, "flaky", prep.tasks, batch_size=10)
    pid = rep.project_id
    assert len(list(server.client.tasks.list(project=pid, page_size=500))) == len(prep.tasks)
    assert calls[0] == 10 and len(calls) >= 2


@pytest.mark.slow
def test_unicode_offsets_are_code_points(ls_server, tmp_path):
    """Full-width punctuation and a character outside the BMP before the spans."""
    raw = "一、𠀀市发展改革委牵头，市财政局、市统计局配合：到２０２５年底，完成率达到９５％（含𠀁）。\n"
    spans = [
        span_on(raw, raw.index("𠀀市发展改革委"), raw.index("牵头"), "LEAD_UNIT"),
        span_on(raw, raw.index("市财政局"), raw.index("、市统计局"), "UNIT"),
        span_on(raw, raw.index("市统计局"), raw.index("配合"), "UNIT"),
        span_on(raw, raw.index("２０２５年底"), raw.index("，完成"), "DEADLINE"),
        span_on(raw, raw.index("９５％"), raw.index("（含"), "TARGET"),
    ]
    assert any(ord(c) > 0xFFFF for c in raw[: spans[1].start])
    # three issues, so that each of the three splits gets a document
    issues = []
    for i in range(3):
        issues.append(tmp_path / f"unicode_{i}.txt")
        issues[-1].write_text(raw, encoding="utf-8")
    preps = [prepare_issue(p, protected=spans) for p in issues]
    tasks = [t for p in preps for t in p.tasks]
    per_task = []
    for prep in preps:
        placed, straddling = assign_spans(prep.chunks, spans)
        assert len(prep.tasks) == 1 and not straddling
        per_task += placed
    server = _server(ls_server)
    rep = export_to_server(server, "unicode", tasks)
    _annotate(server, server.task_keys(rep.project_id), tasks, per_task)

    exported = server.export_json(rep.project_id)
    assert len(exported) == 3
    for task in exported:
        values = [r["value"] for r in task["annotations"][0]["result"]]
        assert sorted((v["start"], v["end"], v["text"]) for v in values) == [(s.start, s.end, s.text) for s in spans]

    out = tmp_path / "ds"
    r = CliRunner().invoke(app, ["pull", "--project", "unicode", "--out", str(out)], env=_env(ls_server))
    assert r.exit_code == 0, r.output
    assert pulled_spans(out) == {p.name: {s.key for s in spans} for p in issues}


def _run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "annotate", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )


@pytest.mark.slow
def test_api_key_never_shown(ls_server, tmp_path):
    """Connection refused and a rejected key: a clear one-line error without the key."""
    import os
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    issue = str(SEED_DIR / "002_58db93a35e96c179.txt")
    base = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO")}

    down = _run_cli("export", issue, "--project", "p", "--retries", "2", env={**base, "LABEL_STUDIO_URL": dead, "LABEL_STUDIO_API_KEY": ls_server.token})
    assert down.returncode == 2
    assert "gave up after 3 attempts" in down.stderr and dead in down.stderr
    assert "Traceback" not in down.stderr

    wrong = "wrong-" + ls_server.token[::-1]
    refused = _run_cli("pull", "--project", "p", "--out", str(tmp_path / "o"), env={**base, "LABEL_STUDIO_URL": ls_server.url, "LABEL_STUDIO_API_KEY": wrong})
    assert refused.returncode == 2
    assert "refused the API key (HTTP 401)" in refused.stderr

    for r in (down, refused):
        for secret in (ls_server.token, wrong):
            assert secret not in r.stdout + r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_rejected_key_error_is_redacted_and_unchained(ls_server):
    server = Server(ls_server.url, "k3y-" + ls_server.token, retries=0)
    with pytest.raises(LabelStudioError) as e:
        server.find_project("x")
    assert server.api_key not in str(e.value) and e.value.__cause__ is None and e.value.__suppress_context__


# --- retry behaviour, without a server ----------------------------------------------------------


@pytest.mark.parametrize("failures, retries, ok", [(0, 0, True), (2, 2, True), (3, 2, False), (1, 0, False)])
def test_call_retries_transient_errors_then_gives_up(failures, retries, ok, monkeypatch):
    monkeypatch.setattr("annotate.ls_client.time.sleep", lambda s: None)
    server = Server("http://127.0.0.1:9", "s3cr3t-token", retries=retries, backoff=0.01)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) <= failures:
            raise httpx.ConnectError("connection refused for s3cr3t-token")
        return "done"

    if ok:
        assert server.call("do it", flaky) == "done"
        assert len(calls) == failures + 1
    else:
        with pytest.raises(LabelStudioError) as e:
            server.call("do it", flaky)
        assert len(calls) == retries + 1
        assert f"gave up after {retries + 1} attempts" in str(e.value)
        assert "s3cr3t-token" not in str(e.value) and "cannot do it at Label Studio" in str(e.value)


def test_call_recover_skips_work_already_done(monkeypatch):
    monkeypatch.setattr("annotate.ls_client.time.sleep", lambda s: None)
    server = Server("http://127.0.0.1:9", "t", retries=3, backoff=0.01)
    calls = []

    def timed_out():
        calls.append(1)
        raise httpx.ReadTimeout("slow")

    assert server.call("create", timed_out, recover=lambda: 42) == 42
    assert len(calls) == 1


def test_call_does_not_retry_client_errors(monkeypatch):
    from label_studio_sdk.core.api_error import ApiError

    server = Server("http://127.0.0.1:9", "t0ken-xyz", retries=3)
    calls = []

    def bad():
        calls.append(1)
        raise ApiError(status_code=400, body={"detail": "bad label t0ken-xyz"})

    with pytest.raises(LabelStudioError, match="HTTP 400") as e:
        server.call("import tasks", bad)
    assert len(calls) == 1 and "t0ken-xyz" not in str(e.value)


def test_missing_settings_are_named(monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_URL"):
        Server.from_env()
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_API_KEY"):
        Server.from_env("http://x")
    with pytest.raises(LabelStudioError, match="must start with http"):
        Server.from_env("localhost:8080", "k3y")
    assert "k3y" not in repr(Server.from_env("http://x", "k3y"))
