"""Gold splits for the benchmarks: the seed gold, the regional gold, or both, by name.

``load_gold(name)`` returns a ``DatasetDict`` with train/validation/test (the columns of
``annotate.dataset``); ``"both"`` concatenates each split of the seed and regional gold. The
splits are document-level in both sources, so concatenating them keeps test documents out of
training.
"""

from __future__ import annotations

from annotate.errors import InputError
from annotate.types import Span

SOURCES = ("seed", "regional")
CHOICES = (*SOURCES, "both")


def load_gold(name: str, seed: int = 13):
    """The DatasetDict of one gold source (``seed``/``regional``) or of ``both``."""
    import annotate.dataset as dataset

    if name == "both":
        import datasets

        parts = [load_gold(n, seed) for n in SOURCES]
        return datasets.DatasetDict(
            {split: datasets.concatenate_datasets([p[split] for p in parts]) for split in parts[0]}
        )
    if name not in SOURCES:
        raise InputError(name, f"unknown gold data; choose one of {', '.join(CHOICES)}")
    make = getattr(dataset, f"{name}_datasetdict", None)
    if make is None:
        raise InputError(name, f"annotate.dataset.{name}_datasetdict() does not exist yet")
    return make(seed=seed)


def gold_spans(records) -> dict[str, list[Span]]:
    """Gold spans per record id, on the record text."""
    return {
        r["id"]: [Span(s["start"], s["end"], s["label"], r["text"][s["start"]: s["end"]], None, "gold")
                  for s in r["spans"]]
        for r in records
    }
