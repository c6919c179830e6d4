"""The HTML report: structure and escaping in Python, rendering in headless Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

import pytest
from PIL import Image

from annotate.schema import COLORS, LABELS
from annotate.types import Document, Span, TaskItem
from infer.records import build_record, document_spans
from infer.report import render_html, tint
from test_records import seed_documents

SEED = "001_d33ab35c47177a2a.txt"  # short front matter, so highlighted text shows in the first screen
WINDOW = (1280, 2000)


@pytest.fixture(scope="module")
def seed_report(seed_gold, tmp_path_factory):
    texts, spans = seed_gold
    raw = texts[SEED]
    record = build_record(SEED, raw, spans[SEED], seed_documents(raw))
    page = render_html([record], {SEED: raw})
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return record, page, path


def _marks(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<mark class="s-(\w+)" title="[^"]*">(.*?)</mark>', page, flags=re.S)


def test_every_span_is_highlighted_once(seed_gold, seed_report):
    record, page, _ = seed_report
    marks = _marks(page)
    gold = sorted((s.label, s.text) for s in seed_gold[1][SEED])
    assert sorted((label, html.unescape(text)) for label, text in marks) == gold


def test_document_text_is_shown_exactly(seed_gold, seed_report):
    record, page, _ = seed_report
    raw = seed_gold[0][SEED]
    texts = re.findall(r'<pre class="text">(.*?)</pre>', page, flags=re.S)
    assert len(texts) == len(record["documents"])
    for doc, shown in zip(record["documents"], texts):
        plain = html.unescape(re.sub(r'<a class="im"[^>]*>\d+</a>|<[^>]+>', "", shown))
        assert plain == raw[doc["start"] : doc["end"]]


def test_page_is_self_contained_and_has_items_and_toc(seed_report):
    record, page, _ = seed_report
    assert not re.search(r'(src|href)="(https?:|//)', page) and "<script" not in page
    n_items = sum(len(d["items"]) for d in record["documents"] if d["kind"] == "document")
    assert page.count('<tr id="in0-d') == n_items > 0
    for doc in record["documents"]:
        if doc["doc_number"]:
            assert html.escape(doc["doc_number"]) in page
    assert page.count("<nav>") == 1 and all(f'href="#in0-d{i}"' in page for i in range(len(record["documents"])))


def test_everything_is_escaped():
    raw = '<script>alert(1)</script> 甲局 & "乙局" 2025年底前'
    spans = [Span(raw.index("甲局"), raw.index("甲局") + 2, "LEAD_UNIT", "甲局", 0.9, "model"),
             Span(raw.index("2025"), len(raw), "DEADLINE", "2025年底前")]
    doc = Document(0, len(raw), title="<b>标题</b>", doc_number="x〔2022〕1号", items=[TaskItem(0, len(raw))])
    page = render_html([build_record("a<b>.txt", raw, spans, [doc])], {"a<b>.txt": raw})
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "a&lt;b&gt;.txt" in page and "&quot;乙局&quot;" in page
    assert 'title="LEAD_UNIT · score 0.90 · source model"' in page
    assert "2025-12-31" in page


def test_overlapping_spans_show_the_text_once():
    raw = "省财政厅负责"
    spans = [{"label": "UNIT", "text": "省财政厅", "start": 0, "end": 4},
             {"label": "LEAD_UNIT", "text": "财政厅负责", "start": 1, "end": 6}]
    doc = {"kind": "document", "title": "", "doc_number": None, "issuer": None, "date": None, "start": 0,
           "end": len(raw), "items": [], "other_spans": spans}
    page = render_html([{"source": "s", "documents": [doc]}], {"s": raw})
    assert [html.unescape(t) for _, t in _marks(page)] == ["省财政厅", "负责"]
    assert document_spans(doc) == spans


def _chromium() -> str | None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return exe


def _run_chromium(args: list[str], profile) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_chromium_renders_the_highlights(seed_report, tmp_path):
    record, _, path = seed_report
    png = tmp_path / "report.png"
    shot = _run_chromium([f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}", path.as_uri()],
                         tmp_path / "profile")
    assert png.exists(), shot.stderr[-2000:]
    img = Image.open(png).convert("RGB")
    assert img.size == WINDOW
    colours = img.getcolors(maxcolors=WINDOW[0] * WINDOW[1])
    assert len(colours) > 50, "the page is blank"

    def count_near(hex_colour: str, tol: int = 4) -> int:
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(n for n, c in colours if all(abs(a - b) <= tol for a, b in zip(c, rgb)))

    shown = {s["label"] for d in record["documents"] for s in document_spans(d) if d["start"] < 20000}
    for label in LABELS:
        assert count_near(COLORS[label]) > 100, f"{label}: no legend swatch or underline in its colour"
    for label in shown:  # highlight backgrounds of the spans on the first screen
        assert count_near(tint(COLORS[label])) > 100, f"{label}: no highlighted span on screen"


@pytest.mark.slow
def test_chromium_dom_has_the_spans(seed_gold, seed_report, tmp_path):
    _, _, path = seed_report
    dom = _run_chromium(["--dump-dom", path.as_uri()], tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    marks = _marks(dom.stdout)
    assert len(marks) == len(seed_gold[1][SEED])
    assert {label for label, _ in marks} == set(LABELS)


# -- files written by ``gongbao infer --html/--csv`` -------------------------------------------------


@pytest.fixture()
def infer_record(seed_gold, seed_paths, tmp_path):
    """A record as ``gongbao infer`` writes it (infer.pipeline.make_record), with the gold spans as predictions."""
    from infer.inputs import expand_inputs, load_task
    from infer.pipeline import make_record

    src = tmp_path / "issue.txt"
    src.write_bytes(next(p for p in seed_paths if p.name == SEED).read_bytes())
    [task] = list(expand_inputs([src]))
    loaded = load_task(task)
    return make_record(loaded, seed_gold[1][SEED], {"name": "gold"}), src


def test_write_html_reads_the_text_back_from_the_source(infer_record, tmp_path):
    from infer.report import write_csv, write_html

    record, src = infer_record
    out = tmp_path / "out" / "report.html"
    write_html([record], out)
    page = out.read_text(encoding="utf-8")
    assert len(_marks(page)) == len(record["spans"]) and "not available" not in page

    src.write_text("changed", encoding="utf-8")  # offsets no longer fit: tables only, never wrong highlights
    write_html([record], out)
    page = out.read_text(encoding="utf-8")
    assert _marks(page) == [] and "not available" in page

    rows = tmp_path / "items.csv"
    write_csv([record], rows)
    text = rows.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].split(",")[:3] == ["id", "source", "doc_index"]
    assert text.count("\n") - 1 >= sum(len(d["items"]) for d in record["documents"]) > 0


def test_jsonl_source_is_read_back(tmp_path):
    from infer.report import load_raw

    raw = "甲局牵头，2025年底前完成。"
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"id": "a", "text": "x"}\n' + json.dumps({"id": "b", "text": raw}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    record = {"id": "b", "source": f"{lines}:2", "n_chars": len(raw),
              "spans": [{"label": "LEAD_UNIT", "start": 0, "end": 2, "text": "甲局"}], "documents": []}
    assert load_raw(record) == raw
    assert load_raw({**record, "source": f"{lines}:1"}) is None  # other text: not this record's
    assert load_raw({**record, "source": str(tmp_path / "gone.txt")}) is None
    page = render_html([record], {"b": raw})  # no documents: the whole input is one
    assert [t for _, t in _marks(page)] == ["甲局"]


def test_unwritable_report_is_a_clear_error(tmp_path):
    from annotate.errors import InputError
    from infer.report import write_html

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write"):
        write_html([], blocker / "report.html")
