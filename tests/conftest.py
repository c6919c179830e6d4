"""Shared fixtures: the bundled seed issues and their gold spans."""

from __future__ import annotations

import pytest

from annotate.gold import SEED_DIR, load_seed_gold

pytest_plugins = ["fixtures_labelstudio"]


@pytest.fixture(scope="session")
def seed_gold():
    """``({source: raw text}, {source: gold spans})`` for the five seed issues."""
    return load_seed_gold()


@pytest.fixture(scope="session")
def seed_texts(seed_gold):
    return seed_gold[0]


@pytest.fixture(scope="session")
def seed_paths():
    return sorted(SEED_DIR.glob("*.txt"))


def pulled_spans(out) -> dict[str, set[tuple[int, int, str]]]:
    """Spans of a pulled DatasetDict on whole-issue offsets, per source."""
    import datasets

    dd = datasets.load_from_disk(str(out))
    got: dict[str, set] = {}
    for split in dd.values():
        for row in split:
            for s in row["spans"]:
                got.setdefault(row["source"], set()).add((row["offset"] + s["start"], row["offset"] + s["end"], s["label"]))
    return got
