"""Character windows over long texts, cut by the project itself.

Tokenizer/pipeline ``stride`` is not used: with tokenizers 0.23.x it silently drops text after
the first windows of long Chinese texts (huggingface/tokenizers#2091). Windows here overlap by
``overlap`` characters; when merging predictions each character takes the prediction of the
window in which it lies farthest from a cut edge ("owner"), so every character gets exactly one.
A window of ``size`` characters never yields more than ``size`` tokens with a BERT tokenizer,
because every token covers at least one character.
"""

from __future__ import annotations


def char_windows(n_chars: int, size: int = 510, overlap: int = 128) -> list[tuple[int, int]]:
    """Windows ``[(start, end), …]`` of at most ``size`` characters covering ``range(n_chars)``."""
    if size <= 0 or overlap < 0 or overlap >= size:
        raise ValueError(f"need 0 <= overlap < size, got size={size} overlap={overlap}")
    if n_chars <= 0:
        return []
    if n_chars <= size:
        return [(0, n_chars)]
    step = size - overlap
    starts = list(range(0, n_chars - size, step)) + [n_chars - size]
    return [(s, s + size) for s in starts]


def owned_ranges(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each window, the sub-range of characters it owns; the owned ranges partition the text.

    Between two overlapping windows the cut is in the middle of the overlap, so each character
    is predicted with at least ``overlap // 2`` characters of context on both sides.
    """
    owned = []
    for i, (s, e) in enumerate(windows):
        lo = s if i == 0 else (s + windows[i - 1][1]) // 2
        hi = e if i == len(windows) - 1 else (windows[i + 1][0] + e) // 2
        owned.append((lo, hi))
    return owned
