"""Label-preserving augmentation of training records: new surface forms, exact gold spans.

Only the text inside gold spans changes, so every label stays exact by construction:

- unit names: a LEAD_UNIT or UNIT span is replaced by another unit name mined from the training
  gold (``unit_pool``), so the model sees regional names (州/盟/地区 prefixes, 发展改革委 vs 发改委 …)
  in every layout the gold has, not only the layouts they were annotated in;
- numbers: the digits of a TARGET are redrawn with the same number of digits (达到36.5% → 达到41.2%),
  so the model learns the shape of a target, not particular values;
- dates: the years of a DEADLINE are shifted together (2025年底前 → 2027年底前) and written out in
  the alternative forms official documents use (2025年底 ↔ 2025年12月底 ↔ 2025年年底).

Spans are rebuilt from the pieces, and every new span's text equals the new text at its offsets.
"""

from __future__ import annotations

import random
import re
from typing import Iterable, Sequence

_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_DIGIT = re.compile(r"\d")
_YEAR_END = re.compile(r"((?:19|20)\d{2})年(?:年底|底|12月底|末|年末)")
_BAD_UNIT = re.compile(r"[\n\t，,。；;：:、（）()]")


def unit_pool(records: Iterable[dict], min_len: int = 3, max_len: int = 20) -> list[str]:
    """Distinct LEAD_UNIT/UNIT names of the gold spans of ``records`` (one name each, no punctuation)."""
    seen: dict[str, None] = {}
    for rec in records:
        for s in rec["spans"]:
            if s["label"] in ("LEAD_UNIT", "UNIT"):
                name = rec["text"][s["start"] : s["end"]]
                if min_len <= len(name) <= max_len and not _BAD_UNIT.search(name):
                    seen.setdefault(name, None)
    return sorted(seen)


def vary_number(text: str, rng: random.Random) -> str:
    """Redraw each digit (a leading digit stays non-zero): same shape, other value."""
    out, prev_digit = [], False
    for ch in text:
        if ch.isdigit() and ch.isascii():
            out.append(str(rng.randint(0 if prev_digit else 1, 9)))
            prev_digit = True
        else:
            out.append(ch)
            prev_digit = False
    return "".join(out)


def vary_deadline(text: str, rng: random.Random, delta: int) -> str:
    """Shift every year by ``delta``, and rewrite a year-end in another common form."""
    text = _YEAR.sub(lambda m: str(int(m.group(0)) + delta), text)
    form = rng.choice(("{y}年底", "{y}年12月底", "{y}年年底", "{y}年末"))
    return _YEAR_END.sub(lambda m: form.format(y=m.group(1)), text)


def augment_record(record: dict, rng: random.Random, units: Sequence[str], *, p_unit: float = 0.5,
                   p_number: float = 0.5, p_date: float = 0.5, suffix: str = "aug") -> dict | None:
    """One augmented copy of ``record`` (``text`` + ``spans``), or None if nothing changed."""
    text = record["text"]
    spans = sorted(record["spans"], key=lambda s: (s["start"], s["end"]))
    pieces, new_spans, pos, changed = [], [], 0, False
    delta = rng.choice((-3, -2, -1, 1, 2, 3))  # one shift per record keeps its dates consistent
    length = 0
    for s in spans:
        if s["start"] < pos:  # overlapping gold cannot be rebuilt piecewise; leave the record alone
            return None
        pieces.append(text[pos : s["start"]])
        length += s["start"] - pos
        old = text[s["start"] : s["end"]]
        new = old
        if s["label"] in ("LEAD_UNIT", "UNIT") and units and rng.random() < p_unit and "\n" not in old:
            new = rng.choice(units)
        elif s["label"] == "TARGET" and rng.random() < p_number:
            new = vary_number(old, rng)
        elif s["label"] == "DEADLINE" and rng.random() < p_date:
            new = vary_deadline(old, rng, delta)
        changed |= new != old
        pieces.append(new)
        new_spans.append({**s, "start": length, "end": length + len(new), **({"text": new} if "text" in s else {})})
        length += len(new)
        pos = s["end"]
    if not changed:
        return None
    pieces.append(text[pos:])
    out = {**record, "text": "".join(pieces), "spans": new_spans}
    if "id" in record:
        out["id"] = f"{record['id']}#{suffix}"
    return out


def augment_records(records: Sequence[dict], copies: int, seed: int = 0, **kw) -> list[dict]:
    """``copies`` augmented versions of each record (those that changed), unit names mined from ``records``."""
    rng = random.Random(seed)
    units = unit_pool(records)
    out = []
    for k in range(copies):
        for rec in records:
            aug = augment_record(rec, rng, units, suffix=f"aug{k + 1}", **kw)
            if aug is not None:
                out.append(aug)
    return out
