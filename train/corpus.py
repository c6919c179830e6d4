"""Streaming plain-text corpora (.txt, .txt.xz, .txt.gz), one paragraph per line, mixed by weight.

Nothing is held in memory beyond a shuffle buffer. Every ``holdout_every``-th line of a file is
reserved for evaluation and never yielded for training.
"""

from __future__ import annotations

import gzip
import itertools
import lzma
import random
from pathlib import Path
from typing import Iterator, Sequence

from annotate.errors import InputError


def open_text(path: str | Path):
    """Open a text file for reading, decompressing .xz / .gz on the fly."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "corpus file not found")
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8", errors="replace")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def iter_lines(path, skip_lines: int = 0, holdout_every: int = 0, heldout: bool = False, min_chars: int = 1):
    """Stripped lines of one file; with ``holdout_every`` only training (or only held-out) lines."""
    with open_text(path) as f:
        for i, line in enumerate(f):
            if i < skip_lines:
                continue
            if holdout_every and ((i - skip_lines) % holdout_every == 0) != heldout:
                continue
            line = line.strip()
            if len(line) >= min_chars:
                yield line


def cycle_lines(path, **kw) -> Iterator[str]:
    """Training lines of a file, restarting from the top when it ends (epochs over a stream)."""
    while True:
        empty = True
        for line in iter_lines(path, **kw):
            empty = False
            yield line
        if empty:
            raise InputError(path, "no usable lines")


def shuffled(lines: Iterator[str], buffer: int, rng: random.Random) -> Iterator[str]:
    """Approximate shuffle of a stream with a fixed-size buffer."""
    buf: list[str] = []
    for line in lines:
        if len(buf) < buffer:
            buf.append(line)
            continue
        j = rng.randrange(buffer)
        yield buf[j]
        buf[j] = line
    rng.shuffle(buf)
    yield from buf


def mixed_lines(files: Sequence, holdout_every: int, shuffle_buffer: int, seed: int, min_chars: int = 5,
                shard: tuple[int, int] = (0, 1)) -> Iterator[str]:
    """An endless stream of training lines drawn from ``files`` in proportion to their ``weight``.

    ``files`` are objects with ``path``, ``weight`` and ``skip_lines`` (config entries). ``shard``
    = (index, count) keeps every count-th line for one data-loader worker or process.
    """
    rng = random.Random(seed * 1000 + shard[0])
    streams = [
        shuffled(cycle_lines(f.path, skip_lines=f.skip_lines, holdout_every=holdout_every, min_chars=min_chars),
                 shuffle_buffer, random.Random(rng.random()))
        for f in files
    ]
    weights = [f.weight for f in files]
    index, count = shard
    for n in itertools.count():
        line = next(streams[rng.choices(range(len(streams)), weights)[0]])
        if n % count == index:
            yield line


def heldout_lines(files: Sequence, holdout_every: int, n_lines: int, min_chars: int = 5) -> list[str]:
    """The first held-out lines of each file, ``n_lines`` in all, split across files by weight."""
    total = sum(f.weight for f in files)
    out: list[str] = []
    for f in files:
        want = max(1, round(n_lines * f.weight / total))
        out += itertools.islice(
            iter_lines(f.path, f.skip_lines, holdout_every, heldout=True, min_chars=min_chars), want
        )
    return out


def pack_lines(lines: Iterator[str], tokenizer, max_length: int, batch_lines: int = 256) -> Iterator[list[int]]:
    """Token-id blocks of exactly ``max_length`` ([CLS] … [SEP]), lines joined by [SEP] and cut to fit."""
    body = max_length - 2
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    buf: list[int] = []
    while True:
        chunk = list(itertools.islice(lines, batch_lines))
        if not chunk:
            return
        for ids in tokenizer(chunk, add_special_tokens=False)["input_ids"]:
            buf.extend(ids)
            buf.append(sep)
            while len(buf) >= body:
                yield [cls] + buf[:body] + [sep]
                buf = buf[body:]
