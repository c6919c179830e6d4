"""Annotated tasks → a ``datasets.DatasetDict`` with document-level train/validation/test splits.

Columns: ``id``, ``text``, ``spans`` (list of {start, end, label}), ``source``, ``offset``
(of the text in its source), ``group`` (the document the text belongs to; splits never share
a group) and ``task_id``. ``train`` reads this layout, whether it came from ``annotate pull``
or straight from the gold data in ``data/``.
"""

from __future__ import annotations

import random
from typing import Callable, Iterable, Sequence

from annotate.gold import AnnotatedTask

SPLITS = ("train", "validation", "test")


def task_record(task: AnnotatedTask, group: str) -> dict:
    return {
        "id": f"{task.source}@{task.offset}" if task.source else str(task.task_id),
        "task_id": str(task.task_id),
        "text": task.text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in task.spans],
        "source": task.source,
        "offset": task.offset,
        "group": group,
    }


def document_groups(tasks: Sequence[AnnotatedTask], issue_texts: dict[str, str] | None = None) -> list[str]:
    """A group key per task: the document of its issue that contains the task's middle.

    Uses the segmenter when the full issue text is known (seed gold); otherwise the task's
    global ``document`` meta field, its per-issue ``doc_key``, the source, or the task itself.
    """
    from annotate.segment import segment_issue  # the segmenter is heavier; only needed here

    docs_cache: dict[str, list] = {}
    keys = []
    for t in tasks:
        if issue_texts and t.source in issue_texts:
            if t.source not in docs_cache:
                docs_cache[t.source] = segment_issue(issue_texts[t.source])
            mid = t.offset + len(t.text) // 2
            idx = next((i for i, d in enumerate(docs_cache[t.source]) if d.start <= mid < d.end), -1)
            keys.append(f"{t.source}#doc{idx}")
        elif t.data.get("document"):  # a global document key (e.g. the source address of a passage)
            keys.append(str(t.data["document"]))
        elif t.data.get("doc_key"):  # a document key within its source issue (exported chunks)
            keys.append(f"{t.source}#{t.data['doc_key']}")
        else:
            keys.append(t.source or str(t.task_id))
    return keys


def split_groups(
    sizes: dict[str, int], seed: int = 13, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> dict[str, str]:
    """Assign each group to a split so that each split gets about its fraction of the characters."""
    groups = sorted(sizes)
    random.Random(seed).shuffle(groups)
    total = sum(sizes.values()) or 1
    out: dict[str, str] = {}
    filled = {"test": 0, "validation": 0}
    for i, g in enumerate(groups):
        if i == len(groups) - 1 and "train" not in out.values():
            split = "train"  # never leave train empty: a tiny pull still trains
        elif filled["test"] < fractions[2] * total:
            split = "test"
        elif filled["validation"] < fractions[1] * total:
            split = "validation"
        else:
            split = "train"
        out[g] = split
        if split in filled:
            filled[split] += sizes[g]
    return out


def build_datasetdict(
    tasks: Sequence[AnnotatedTask],
    groups: Sequence[str],
    seed: int = 13,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
):
    """Build the DatasetDict; every split exists (possibly empty) so training code can rely on it."""
    import datasets

    records = [task_record(t, g) for t, g in zip(tasks, groups)]
    sizes: dict[str, int] = {}
    for r in records:
        sizes[r["group"]] = sizes.get(r["group"], 0) + len(r["text"])
    assign = split_groups(sizes, seed, fractions)
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "task_id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "spans": datasets.List(
                {"start": datasets.Value("int32"), "end": datasets.Value("int32"), "label": datasets.Value("string")}
            ),
            "source": datasets.Value("string"),
            "offset": datasets.Value("int64"),
            "group": datasets.Value("string"),
        }
    )
    def split_dataset(split: str):
        rows = [r for r in records if assign[r["group"]] == split]
        # from_dict, not from_list: from_list([]) rejects the features of an empty split
        return datasets.Dataset.from_dict({k: [r[k] for r in rows] for k in features}, features=features)

    return datasets.DatasetDict({split: split_dataset(split) for split in SPLITS})


def seed_datasetdict(seed: int = 13):
    """The bundled seed gold as a DatasetDict with document-level splits."""
    from annotate.gold import SEED_GOLD, SEED_DIR, read_export

    tasks, problems = read_export(SEED_GOLD)
    if problems:
        raise ValueError(f"{SEED_GOLD}: {problems[0]}")
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))}
    return build_datasetdict(tasks, document_groups(tasks, texts), seed=seed)


def regional_datasetdict(seed: int = 13):
    """The regional gold (other provinces and the State Council) with splits by source document."""
    from annotate.gold import DATA_DIR, read_export

    path = DATA_DIR / "regional" / "regional-gold.labelstudio.json"
    tasks, problems = read_export(path)
    if problems:
        raise ValueError(f"{path}: {problems[0]}")
    return build_datasetdict(tasks, document_groups(tasks), seed=seed)


#: Bundled gold sets by name: the seed gold, the regional gold, or both (splits concatenated).
NAMED_SETS = ("gold", "regional", "gold+regional")


def named_datasetdict(name: str, seed: int = 13):
    """A bundled gold set by name (see :data:`NAMED_SETS`)."""
    import datasets

    if name == "gold":
        return seed_datasetdict(seed)
    if name == "regional":
        return regional_datasetdict(seed)
    if name == "gold+regional":
        a, b = seed_datasetdict(seed), regional_datasetdict(seed)
        return datasets.DatasetDict({k: datasets.concatenate_datasets([a[k], b[k]]) for k in SPLITS})
    raise ValueError(f"unknown gold set {name!r}; expected one of {', '.join(NAMED_SETS)}")
