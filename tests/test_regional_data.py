"""The regional gold (other provinces and the State Council): loads, spans sit on the text, splits by document."""

import json
import subprocess
import sys
from collections import Counter

import pytest

from annotate.dataset import SPLITS, regional_datasetdict
from annotate.gold import DATA_DIR, read_export
from annotate.inline import parse_inline
from annotate.passages import read_jsonl, to_export

REGIONAL = DATA_DIR / "regional"
EXPORT = REGIONAL / "regional-gold.labelstudio.json"


@pytest.fixture(scope="module")
def rows():
    return read_jsonl(REGIONAL / "adjudicated.jsonl")


@pytest.fixture(scope="module")
def dd():
    return regional_datasetdict()


def test_export_is_the_adjudicated_passages_less_the_excluded(rows):
    kept = [r for r in rows if not r.get("exclude")]
    assert json.loads(EXPORT.read_text(encoding="utf-8")) == json.loads(json.dumps(to_export(kept), ensure_ascii=False))


def test_every_passage_has_provenance_and_markup_that_strips_to_its_text(rows):
    for r in rows:
        assert r["source_url"].startswith("http") and r["title"] and r["region"] and r["doc_key"]
        # year is null only where the source gives none (3 passages, noted in data/README.md)
        assert r["year"] is None or 1990 <= r["year"] <= 2026
        for field in ("marked", "pass1", "pass2"):
            assert parse_inline(r[field])[0] == r["text"], (r["id"], field)


def test_every_span_text_equals_the_text_at_its_offsets():
    tasks, problems = read_export(EXPORT)
    assert problems == []
    for t in tasks:
        for s in t.spans:
            assert t.text[s.start : s.end] == s.text


def test_coverage_of_regions_and_labels(rows):
    kept = [r for r in rows if not r.get("exclude")]
    regions = Counter(r["region"] for r in kept)
    assert len(regions) >= 25 and "国务院" in regions and "云南" not in regions
    labels = Counter(s.label for r in kept for s in parse_inline(r["marked"])[1])
    assert all(labels[l] >= 100 for l in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET"))


def test_splits_share_no_source_document(dd, rows):
    doc_of = {r["id"]: r["doc_key"] for r in rows}
    docs = {s: {doc_of[src] for src in dd[s]["source"]} for s in SPLITS}
    assert all(len(dd[s]) for s in SPLITS)
    assert sum(1 for r in rows if r["year"] is None) <= 5
    assert not docs["train"] & docs["validation"] and not docs["train"] & docs["test"]
    assert not docs["validation"] & docs["test"]


def test_pull_from_file_reads_it_like_any_export(tmp_path):
    out = tmp_path / "regional"
    proc = subprocess.run([sys.executable, "-m", "annotate", "pull", "--from-file", str(EXPORT), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    import datasets

    pulled = datasets.load_from_disk(str(out))
    n_spans = sum(len(x) for s in SPLITS for x in pulled[s]["spans"])
    tasks, _ = read_export(EXPORT)
    assert n_spans == sum(len(t.spans) for t in tasks)
