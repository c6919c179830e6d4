"""infer/inputs.py and infer/pipeline.py: expanding inputs, records, resumable output, errors."""

from __future__ import annotations

import json

import pytest

from annotate.errors import InputError
from infer.inputs import InputFailure, InputTask, expand_inputs, file_id, load_task
from infer.pipeline import read_records, recover_jsonl, run_inference
from test_tagging import tiny_model_dir, tiny_tagger  # noqa: F401  (session fixtures)


@pytest.fixture()
def small_issues(tmp_path, seed_texts):
    """A folder of short issues cut from the seeds (one in a subfolder), so the model runs fast."""
    root = tmp_path / "issues"
    (root / "sub").mkdir(parents=True)
    for i, (name, raw) in enumerate(sorted(seed_texts.items())):
        (root / ("sub" if i == 0 else "") / name).write_text(raw[:3000], encoding="utf-8")
    return root


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


# -- inputs ----------------------------------------------------------------------------------


def test_expand_folder_files_and_jsonl(tmp_path, small_issues):
    (small_issues / "notes.csv").write_text("x")
    jl = tmp_path / "in.jsonl"
    jl.write_text("\n".join([
        json.dumps({"id": "a", "text": "省教育厅牵头，2022年底前完成。"}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": 7, "text": "𠀀市政府负责"}, ensure_ascii=False),
        json.dumps({"id": "a", "text": "again"}),
        json.dumps({"id": "c", "text": "   "}),
    ]) + "\n", encoding="utf-8")
    one = sorted(small_issues.glob("*.txt"))[0]
    items = list(expand_inputs([small_issues, jl, one, tmp_path / "missing.txt", small_issues / "notes.csv"]))
    tasks = [t for t in items if isinstance(t, InputTask)]
    fails = [t for t in items if isinstance(t, InputFailure)]
    files = [t for t in tasks if t.path]
    assert len(files) == 5  # the file given again by itself has the same id (name + hash): once
    assert any(t.id.startswith("sub/") for t in files)
    assert {t.id for t in tasks if t.text} == {"a", "7"}
    causes = {f.input: f.error for f in fails}
    assert "not a JSON line" in causes[f"{jl}:3"]
    assert '"id" and "text"' in causes[f"{jl}:4"]
    assert "duplicate id" in causes[f"{jl}:6"]
    assert "non-empty" in causes[f"{jl}:7"]
    assert causes[str(tmp_path / "missing.txt")] == "file not found"
    assert "unsupported file type" in causes[str(small_issues / "notes.csv")]
    assert sum(1 for t in files if t.id.startswith(one.name + "@")) == 1


def test_file_id_changes_with_content():
    assert file_id("a.txt", b"x") != file_id("a.txt", b"y")
    assert file_id("a.txt", b"x") == file_id("a.txt", b"x")


def test_load_task_reports_bad_files(tmp_path):
    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    result = load_task(InputTask(id="x", source=str(bad), path=str(bad)))
    assert isinstance(result, InputFailure) and result.input == str(bad) and "binary" in result.error


# -- resumable output ------------------------------------------------------------------------


def test_recover_truncates_partial_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a"}\n{"id": "b"}\n{"id": "c", "spa', encoding="utf-8")
    assert recover_jsonl(out) == {"a", "b"}
    assert out.read_text() == '{"id": "a"}\n{"id": "b"}\n'
    assert recover_jsonl(tmp_path / "none.jsonl") == set()


@pytest.mark.parametrize("content", ['{"id": "a"}\nnot json\n', '[1, 2]\n', '{"no_id": 1}\n'])
def test_recover_refuses_foreign_files(tmp_path, content):
    out = tmp_path / "out.jsonl"
    out.write_text(content)
    with pytest.raises(InputError, match="not a gongbao record"):
        recover_jsonl(out)
    assert out.read_text() == content  # left alone
    with pytest.raises(InputError, match="folder"):
        recover_jsonl(tmp_path)


def test_run_records_contract_and_resume(tmp_path, small_issues, tiny_tagger):
    out = tmp_path / "res" / "out.jsonl"
    s = run_inference([small_issues], out, tiny_tagger, batch_chars=4000)
    assert (s.written, s.skipped, s.exit_code) == (5, 0, 0)
    assert not s.errors_path.exists()
    records = list(read_records(out))
    raws = {p.name: p.read_text(encoding="utf-8") for p in small_issues.rglob("*.txt")}
    for r in records:
        assert set(r) >= {"id", "source", "model", "spans", "documents"}
        assert r["model"] == tiny_tagger.info
        raw = raws[r["source"].rsplit("/", 1)[-1]]
        assert r["spans"]
        for sp in r["spans"]:
            assert raw[sp["start"] : sp["end"]] == sp["text"]
            assert set(sp) == {"start", "end", "label", "text", "score", "source"} and sp["source"] == "model"
    before = out.read_bytes()
    s2 = run_inference([small_issues], out, tiny_tagger)
    assert (s2.written, s2.skipped) == (0, 5) and out.read_bytes() == before


def test_crash_loses_only_the_document_in_flight(tmp_path, small_issues, tiny_tagger):
    class Crashing:
        info = tiny_tagger.info

        def __init__(self, after):
            self.calls = 0
            self.after = after

        def predict_on_views(self, views):
            self.calls += 1
            if self.calls > self.after:
                raise KeyboardInterrupt  # not an Exception: ends the run like a kill
            return tiny_tagger.predict_on_views(views)

    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_inference([small_issues], out, Crashing(after=2), batch_chars=1)
    assert len(lines(out)) == 2
    with out.open("ab") as f:  # as if killed in the middle of a write
        f.write(b'{"id": "half')
    s = run_inference([small_issues], out, tiny_tagger, batch_chars=1)
    assert (s.written, s.skipped) == (3, 2)
    ids = [json.loads(x)["id"] for x in lines(out)]
    assert len(ids) == len(set(ids)) == 5


def test_bad_inputs_go_to_errors_jsonl(tmp_path, small_issues, tiny_tagger):
    bad = small_issues / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    empty = small_issues / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    s = run_inference([small_issues, tmp_path / "gone.txt"], out, tiny_tagger)
    assert s.written == 5 and s.exit_code == 1
    errors = [json.loads(x) for x in lines(s.errors_path)]
    assert {e["input"] for e in errors} == {str(bad), str(empty), str(tmp_path / "gone.txt")}
    assert all(e["error"] for e in errors)
    # A re-run retries only the failures; errors.jsonl describes the latest run.
    bad.unlink()
    empty.unlink()
    s2 = run_inference([small_issues], out, tiny_tagger)
    assert (s2.written, s2.skipped, s2.exit_code) == (0, 5, 0) and not s2.errors_path.exists()


def test_a_document_the_model_fails_on_does_not_stop_the_others(tmp_path, small_issues, tiny_tagger):
    class Picky:
        info = tiny_tagger.info

        def predict_on_views(self, views):
            if any("公报" in v.text[:200] and "云南省人民政府公报" in v.text[:100] for v in views):
                raise RuntimeError("boom")
            return tiny_tagger.predict_on_views(views)

    out = tmp_path / "out.jsonl"
    s = run_inference([small_issues], out, Picky())
    assert s.failures and all("prediction failed: RuntimeError: boom" in f.error for f in s.failures)
    assert s.written == 5 - len(s.failures) > 0


def test_workers_give_the_same_records(tmp_path, small_issues, tiny_tagger):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_inference([small_issues], a, tiny_tagger, workers=1)
    run_inference([small_issues], b, tiny_tagger, workers=2)
    assert a.read_bytes() == b.read_bytes()


def test_jsonl_offsets_are_code_points_into_the_text_field(tmp_path, tiny_tagger):
    texts = {"x": "𠀀𠀁省教育厅牵头，市财政局配合，2022年11月底前完成覆盖率达到95%。" * 20, "y": "\ufeff云南 省 政府\r\n办公厅"}
    jl = tmp_path / "in.jsonl"
    jl.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in texts.items()),
                  encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_inference([jl], out, tiny_tagger)
    for r in read_records(out):
        for sp in r["spans"]:
            assert texts[r["id"]][sp["start"] : sp["end"]] == sp["text"]
