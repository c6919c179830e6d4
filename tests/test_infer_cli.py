"""``gongbao infer INPUT... --output …``: the command end to end (rules, a tiny model, folders,
JSONL with non-BMP characters, bad inputs, resume, reports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infer.gongbao import app
from infer.pipeline import read_records
from test_tagging import tiny_model_dir  # noqa: F401  (session fixture)
from train.tagging import BUNDLED_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def gongbao(*args: str):
    return runner.invoke(app, ["infer", *map(str, args)])


def has_rules() -> bool:
    try:
        from annotate.rules import extract_spans  # noqa: F401
    except ImportError:
        return False
    return True


def check_contract(out: Path, raws: dict[str, str]) -> list[dict]:
    """Every record has the contract's fields; every span's text is the input at its offsets."""
    records = list(read_records(out))
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for r in records:
        assert {"id", "source", "model", "spans", "documents"} <= set(r)
        assert set(r["model"]) == {"name", "version"}
        raw = raws[r["id"]]
        for s in r["spans"]:
            assert raw[s["start"] : s["end"]] == s["text"]
        for d in r["documents"]:
            assert {"title", "doc_number", "issuer", "date", "items"} <= set(d)
            for item in d["items"]:
                assert {"lead_units", "units", "deadline", "targets"} <= set(item)
    return records


def raws_by_id(out: Path, paths: list[Path]) -> dict[str, str]:
    by_source = {str(p): p.read_text(encoding="utf-8") for p in paths}
    return {r["id"]: by_source[r["source"]] for r in read_records(out)}


@pytest.fixture()
def small_issues(tmp_path, seed_texts):
    root = tmp_path / "issues"
    root.mkdir()
    for name, raw in sorted(seed_texts.items()):
        (root / name).write_text(raw[:4000], encoding="utf-8")
    return root


@pytest.mark.skipif(not has_rules(), reason="rule extractor not written yet")
def test_rules_on_a_seed_issue_with_html_and_csv(tmp_path, seed_paths):
    seed = seed_paths[1]
    out = tmp_path / "out.jsonl"
    r = gongbao(seed, "--model", "rules", "--output", out, "--html", tmp_path / "out.html", "--csv", tmp_path / "items.csv")
    assert r.exit_code == 0, r.output
    (rec,) = check_contract(out, raws_by_id(out, [seed]))
    assert rec["model"]["name"] == "rules" and rec["spans"]
    assert {s["source"] for s in rec["spans"]} == {"rules"}
    assert any(d["items"] for d in rec["documents"])
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and rec["spans"][0]["text"] in html
    assert (tmp_path / "items.csv").read_text(encoding="utf-8-sig").startswith("id,")


def test_tiny_model_on_a_folder_then_resume(tmp_path, small_issues, tiny_model_dir):
    out = tmp_path / "out.jsonl"
    r = gongbao(small_issues, "--model", tiny_model_dir, "-o", out, "--workers", "0")
    assert r.exit_code == 0, r.output
    records = check_contract(out, raws_by_id(out, sorted(small_issues.glob("*.txt"))))
    assert len(records) == 5 and all(rec["model"]["name"] == tiny_model_dir.name for rec in records)
    before = out.read_bytes()
    r = gongbao(small_issues, "--model", tiny_model_dir, "-o", out)
    assert r.exit_code == 0 and out.read_bytes() == before
    assert "0 written, 5 already done" in r.output


def test_partial_last_line_is_replaced_on_resume(tmp_path, small_issues, tiny_model_dir):
    out = tmp_path / "out.jsonl"
    assert gongbao(small_issues, "--model", tiny_model_dir, "-o", out, "-w", "0").exit_code == 0
    lines = out.read_bytes().splitlines(keepends=True)
    # As if killed while writing the 4th record: keep 3 lines and half of the 4th.
    out.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])
    r = gongbao(small_issues, "--model", tiny_model_dir, "-o", out, "-w", "0")
    assert r.exit_code == 0, r.output
    assert "2 written, 3 already done" in r.output
    assert sorted(out.read_bytes().splitlines(keepends=True)) == sorted(lines)


def test_jsonl_input_with_non_bmp_characters(tmp_path, tiny_model_dir):
    texts = {"a": "𠀀𠀁𠀂省教育厅牵头，市财政局、𡈽𡈽局配合，2022年11月底前完成，覆盖率达到95%以上。" * 30,
             "b": "云南 省 人民政府\r\n办公厅　关于印发🙂方案的通知"}
    jl = tmp_path / "in.jsonl"
    jl.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in texts.items()),
                  encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = gongbao(jl, "--model", tiny_model_dir, "-o", out, "-w", "0")
    assert r.exit_code == 0, r.output
    records = check_contract(out, texts)
    assert {rec["id"] for rec in records} == set(texts)
    assert {rec["source"] for rec in records} == {f"{jl}:1", f"{jl}:2"}
    assert sum(len(rec["spans"]) for rec in records) > 0


def test_bad_input_among_good_ones(tmp_path, small_issues, tiny_model_dir):
    (small_issues / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (small_issues / "garbage.txt").write_bytes(os.urandom(2000).replace(b"\xef\xbb\xbf", b""))
    jl = tmp_path / "bad.jsonl"
    jl.write_text('{"id": "x", "text": "省政府牵头"}\n{"id": "y"\n', encoding="utf-8")
    out = tmp_path / "run" / "out.jsonl"
    r = gongbao(small_issues, jl, tmp_path / "missing.txt", "--model", tiny_model_dir, "-o", out, "-w", "0")
    assert r.exit_code == 1, r.output
    errors = {e["input"]: e["error"] for e in map(json.loads, (out.parent / "errors.jsonl").read_text().splitlines())}
    assert set(errors) == {str(small_issues / "scan.pdf"), str(small_issues / "garbage.txt"), f"{jl}:2",
                           str(tmp_path / "missing.txt")}
    assert errors[str(tmp_path / "missing.txt")] == "file not found"
    assert "PDF" in errors[str(small_issues / "scan.pdf")]
    assert {rec["id"] for rec in read_records(out)} >= {"x"} and len(list(read_records(out))) == 6
    assert "scan.pdf" in r.output and "errors.jsonl" in r.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "/nonexistent/model"], "model directory not found"),
        (["--output", "out.txt"], "output must be a .jsonl file"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path, seed_paths, args, message):
    cmd = [sys.executable, "-m", "infer", str(seed_paths[0]), "-q"]
    if "--output" not in args:
        cmd += ["--output", str(tmp_path / "o.jsonl")]
    r = subprocess.run(cmd + [a if a != "out.txt" else str(tmp_path / a) for a in args],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_python_m_infer_with_workers(tmp_path, small_issues, tiny_model_dir):
    """The module entry point, with reading/segmenting in spawned worker processes."""
    out = tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-m", "infer", str(small_issues), "--model", str(tiny_model_dir),
                        "--output", str(out), "--workers", "2", "-q"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    assert len(check_contract(out, raws_by_id(out, sorted(small_issues.glob("*.txt"))))) == 5


@pytest.mark.slow
@pytest.mark.skipif(not (BUNDLED_MODEL_DIR / "config.json").is_file(), reason="no bundled model yet")
def test_default_bundled_model_needs_no_flags(tmp_path, seed_paths):
    seed = seed_paths[2]
    out = tmp_path / "out.jsonl"
    r = gongbao(seed, "--output", out, "--html", tmp_path / "out.html")
    assert r.exit_code == 0, r.output
    (rec,) = check_contract(out, raws_by_id(out, [seed]))
    assert rec["model"]["name"] and (tmp_path / "out.html").is_file()
    # every span says what produced it: the bundled model reads the rules and merges with them per label
    sources = {s["source"] for s in rec["spans"]}
    assert sources <= {"model", "rules", "model+rules"} and "model+rules" in sources


@pytest.mark.slow
@pytest.mark.skipif(not (BUNDLED_MODEL_DIR / "metrics.json").is_file(), reason="no bundled model with metrics yet")
def test_test_f1_through_infer_equals_training(tmp_path):
    """The bundled model's test-split F1 through ``gongbao infer`` is what training reported."""
    from annotate.dataset import named_datasetdict
    from annotate.scoring import score_spans
    from annotate.types import Span

    meta = json.loads((BUNDLED_MODEL_DIR / "gongbao.json").read_text(encoding="utf-8"))
    reported = json.loads((BUNDLED_MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))["test"]["spans"]["micro"]["f1"]
    data = meta.get("training_data", {})
    test = named_datasetdict(data.get("source", "gold"), seed=data.get("split_seed", 13))["test"]
    jl = tmp_path / "test.jsonl"
    jl.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in test),
                  encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = gongbao(jl, "--output", out, "--device", "cpu", "-w", "0")
    assert r.exit_code == 0, r.output
    gold = {r["id"]: [Span(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in test}
    pred = {rec["id"]: [Span.from_dict(s) for s in rec["spans"]] for rec in read_records(out)}
    f1 = score_spans(gold, pred)["micro"].f1
    print(f"test micro F1 through gongbao infer: {f1:.4f} (training reported {reported:.4f})")
    assert f1 == pytest.approx(reported, abs=1e-9)
