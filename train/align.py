"""Gold character spans → token IOB2 labels through the tokenizer's offset mappings, per window.

A token is labelled by the span its first character lies in: the span's first token gets
``B-``, later ones ``I-``; a token of a span that began before the window (cut by the window's
left edge) gets ``I-``, as in the whole text. Special tokens get -100. A span is *representable*
when it starts on a token start and ends on a token end; others are counted and reported, since
the model can only predict spans with token edges.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from annotate.schema import TAG2ID
from annotate.types import Span, TextView
from train.features import drop_spans, feature_ids, rule_spans
from train.windows import char_windows

IGNORE = -100


def token_tags(offsets: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int, str]], shift: int = 0) -> list[str | None]:
    """IOB2 tag per token (None for special tokens) for window-relative ``offsets``.

    ``spans`` are ``(start, end, label)`` on the full text; ``shift`` is the window's start in it.
    """
    ordered = sorted(spans)
    starts = [s[0] for s in ordered]
    tags: list[str | None] = []
    seen: set[int] = set()
    for a, b in offsets:
        if b <= a:  # [CLS], [SEP], padding
            tags.append(None)
            continue
        pos = a + shift
        i = bisect_right(starts, pos) - 1
        if i >= 0 and pos < ordered[i][1]:
            s, _, label = ordered[i]
            # B- on the first token of the span within the text; a span cut by the window's left edge continues with I-.
            tags.append(f"{'I' if i in seen or s < shift else 'B'}-{label}")
            seen.add(i)
        else:
            tags.append("O")
    return tags


def representable(offsets: Sequence[tuple[int, int]], span: tuple[int, int], shift: int = 0) -> bool:
    """True if the span starts on a token start and ends on a token end (offsets relative to ``shift``)."""
    starts = {a + shift for a, b in offsets if b > a}
    ends = {b + shift for a, b in offsets if b > a}
    return span[0] in starts and span[1] in ends


@dataclass
class Encoded:
    """Training windows of one text plus what could not be represented."""

    windows: list[dict] = field(default_factory=list)
    n_spans: int = 0
    unrepresentable: list[tuple[int, int, str]] = field(default_factory=list)
    dropped: int = 0  # gold spans with no character left in the normalised view


def project_spans(view: TextView, spans: Iterable[dict | Span]) -> tuple[list[tuple[int, int, str]], int]:
    """Raw gold spans → view spans ``(start, end, label)``; returns them and the number dropped."""
    from annotate.normalize import view_span

    out, dropped = [], 0
    for s in spans:
        start, end, label = (s["start"], s["end"], s["label"]) if isinstance(s, dict) else (s.start, s.end, s.label)
        v = view_span(view, start, end)
        if v is None:
            dropped += 1
        else:
            out.append((v[0], v[1], label))
    return out, dropped


def encode_text(text: str, spans: Sequence[tuple[int, int, str]], tokenizer, max_length: int, overlap: int,
                features: Sequence[tuple[int, int, str]] | None = None,
                ignore: Sequence[tuple[int, int]] = ()) -> Encoded:
    """Windows of ``max_length - 2`` chars over ``text``, tokenized, with IOB2 label ids per token;
    with ``features`` (rule spans on ``text``) also their tag ids as ``token_type_ids``. Tokens
    starting inside an ``ignore`` range (text of unknown label, e.g. unsure silver) get -100."""
    enc = Encoded(n_spans=len(spans))
    wins = char_windows(len(text), max_length - 2, overlap)
    if not wins:
        return enc
    batch = tokenizer([text[s:e] for s, e in wins], add_special_tokens=True, return_offsets_mapping=True,
                      truncation=False, return_token_type_ids=False)
    all_starts, all_ends = set(), set()
    for k, (s, e) in enumerate(wins):
        offsets = batch["offset_mapping"][k]
        if len(offsets) > max_length:
            raise ValueError(f"window [{s},{e}) has {len(offsets)} tokens, more than max_length={max_length}")
        tags = token_tags(offsets, spans, shift=s)
        labels = [IGNORE if t is None else TAG2ID[t] for t in tags]
        for i, (a, b) in enumerate(offsets):
            if b > a and any(lo <= a + s < hi for lo, hi in ignore):
                labels[i] = IGNORE
        enc.windows.append({
            "input_ids": batch["input_ids"][k],
            "attention_mask": batch["attention_mask"][k],
            "labels": labels,
            "window": [s, e],
            **({"token_type_ids": feature_ids(offsets, features, shift=s)} if features is not None else {}),
            "has_span": any(t not in (None, "O") for t in tags),
        })
        all_starts.update(a + s for a, b in offsets if b > a)
        all_ends.update(b + s for a, b in offsets if b > a)
    enc.unrepresentable = [sp for sp in spans if sp[0] not in all_starts or sp[1] not in all_ends]
    return enc


def encode_record(record: dict, tokenizer, max_length: int, overlap: int, normalize: bool = True,
                  rule_features: bool = False, rule_dropout: float = 0.0, rng: random.Random | None = None) -> Encoded:
    """A DatasetDict record (raw ``text`` + raw ``spans``) → training windows on its (normalised) view.

    With ``rule_features`` the rules run on the view (as ``Tagger`` does at inference) and their
    tags become ``token_type_ids``; ``rule_dropout`` of their spans are dropped first.
    """
    if normalize:
        from annotate.normalize import normalize as norm

        view = norm(record["text"])
    else:
        view = TextView.identity(record["text"])
    spans, dropped = project_spans(view, record["spans"])
    from annotate.normalize import view_span

    ignore = [v for lo, hi in record.get("ignore") or () if (v := view_span(view, lo, hi)) is not None]
    features = None
    if rule_features:
        found = [(r.start, r.end, r.label) for r in rule_spans(view.text)]
        features = drop_spans(found, rule_dropout, rng or random.Random(0))
    enc = encode_text(view.text, spans, tokenizer, max_length, overlap, features, ignore)
    enc.dropped = dropped
    return enc
