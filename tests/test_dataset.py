"""Document-level splits of the seed gold."""

import pytest

from annotate.dataset import SPLITS, seed_datasetdict, split_groups


@pytest.fixture(scope="module")
def dd():
    return seed_datasetdict()


def test_all_splits_present_and_no_document_in_two(dd):
    groups = {split: set(dd[split]["group"]) for split in SPLITS}
    assert all(len(dd[split]) > 0 for split in SPLITS)
    for a in SPLITS:
        for b in SPLITS:
            if a < b:
                assert not groups[a] & groups[b]


def test_every_gold_task_and_span_kept(dd, seed_gold):
    _, spans = seed_gold
    n_tasks = sum(len(dd[s]) for s in SPLITS)
    n_spans = sum(len(r["spans"]) for s in SPLITS for r in dd[s])
    assert n_tasks == 142 and n_spans == sum(len(v) for v in spans.values())


def test_spans_sit_on_record_text(dd, seed_texts):
    for split in SPLITS:
        for r in dd[split]:
            assert seed_texts[r["source"]][r["offset"] : r["offset"] + len(r["text"])] == r["text"]
            for s in r["spans"]:
                assert 0 <= s["start"] < s["end"] <= len(r["text"])


def test_groups_are_documents_not_whole_issues(dd):
    groups = {g for s in SPLITS for g in dd[s]["group"]}
    assert len(groups) > 30  # 42 documents plus front matter / special sections in five issues


def test_split_is_seeded_and_roughly_proportional():
    sizes = {f"g{i}": 100 + i for i in range(50)}
    a, b = split_groups(sizes, seed=1), split_groups(sizes, seed=1)
    assert a == b and split_groups(sizes, seed=2) != a
    share = {s: sum(sizes[g] for g in sizes if a[g] == s) / sum(sizes.values()) for s in SPLITS}
    assert 0.05 < share["test"] < 0.2 and 0.05 < share["validation"] < 0.2 and share["train"] > 0.6


def test_one_document_leaves_empty_splits_that_still_work(seed_gold):
    from annotate.dataset import build_datasetdict
    from annotate.gold import SEED_GOLD, read_export

    tasks, _ = read_export(SEED_GOLD)
    dd = build_datasetdict(tasks[:3], ["only-doc"] * 3)
    sizes = {s: len(dd[s]) for s in SPLITS}
    assert sizes == {"train": 3, "validation": 0, "test": 0}
