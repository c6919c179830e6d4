"""Label-preserving augmentation: exact spans on the new text, untouched text outside them."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from annotate.dataset import named_datasetdict
from train.augment import augment_record, augment_records, unit_pool, vary_deadline, vary_number


@pytest.fixture(scope="module")
def train_records():
    return [dict(r) for r in named_datasetdict("gold+regional")["train"]]


def outside(text, spans):
    """The text between the spans, as a list of pieces."""
    pieces, pos = [], 0
    for s in sorted(spans, key=lambda s: s["start"]):
        pieces.append(text[pos : s["start"]])
        pos = s["end"]
    return pieces + [text[pos:]]


def test_augmented_gold_is_exact(train_records):
    aug = augment_records(train_records, copies=2, seed=5)
    by_id = {r["id"]: r for r in train_records}
    assert len(aug) > len(train_records)  # most records have something to vary
    for a in aug:
        src = by_id[a["id"].split("#")[0]]
        assert [s["label"] for s in a["spans"]] == [s["label"] for s in sorted(src["spans"], key=lambda s: s["start"])]
        assert outside(a["text"], a["spans"]) == outside(src["text"], src["spans"])
        for s in a["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(a["text"])
            if "text" in s:
                assert a["text"][s["start"] : s["end"]] == s["text"]


def test_augmentation_changes_all_three_kinds(train_records):
    aug = augment_records(train_records, copies=1, seed=1)
    by_id = {r["id"]: r for r in train_records}
    changed = Counter()
    for a in aug:
        src = sorted(by_id[a["id"].split("#")[0]]["spans"], key=lambda s: s["start"])
        old = [by_id[a["id"].split("#")[0]]["text"][s["start"] : s["end"]] for s in src]
        new = [a["text"][s["start"] : s["end"]] for s in a["spans"]]
        changed.update(s["label"] for s, o, n in zip(a["spans"], old, new) if o != n)
    assert all(changed[lab] > 20 for lab in ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET"))


def test_augmentation_is_deterministic_for_a_seed(train_records):
    a = augment_records(train_records[:30], copies=1, seed=9)
    b = augment_records(train_records[:30], copies=1, seed=9)
    assert a == b


def test_unit_pool_is_clean_names(train_records):
    pool = unit_pool(train_records)
    assert len(pool) > 300 and len(pool) == len(set(pool))
    assert "省财政厅" in pool
    assert not [u for u in pool if re.search(r"[\n，,。；;：:、()（）]", u)]


@pytest.mark.parametrize("text", ["36.5%", "1000万元以上", "达到5.1公里/平方公里", "增加到989处以上", "Ⅳ类"])
def test_vary_number_keeps_shape(text):
    new = vary_number(text, random.Random(0))
    assert len(new) == len(text)
    assert re.sub(r"\d", "9", new) == re.sub(r"\d", "9", text)
    assert not re.search(r"(?<!\d)0\d", new) or re.search(r"(?<!\d)0\d", text)


@pytest.mark.parametrize("text, delta, forms", [
    ("2025年底前", 2, {"2027年底前", "2027年12月底前", "2027年年底前", "2027年末前"}),
    ("2023年6月底前", -1, {"2022年6月底前"}),
    ("2020—2022年", 1, {"2021—2023年"}),
    ("长期坚持", 3, {"长期坚持"}),
])
def test_vary_deadline(text, delta, forms):
    got = {vary_deadline(text, random.Random(k), delta) for k in range(40)}
    assert got == forms


def test_overlapping_spans_are_left_alone():
    rec = {"text": "省财政厅省教育厅", "spans": [{"start": 0, "end": 4, "label": "UNIT"}, {"start": 2, "end": 8, "label": "UNIT"}]}
    assert augment_record(rec, random.Random(0), ["市民政局"], p_unit=1.0) is None
