"""Inline span markup as used in the annotation guide: ``⟦L 省文化厅⟧牵头``.

``⟦L …⟧`` LEAD_UNIT, ``⟦U …⟧`` UNIT, ``⟦D …⟧`` DEADLINE, ``⟦T …⟧`` TARGET. One space follows the
letter and is not part of the span. Useful for writing test cases and for annotating
passages by hand; :func:`parse_inline` returns the plain text and code-point spans on it.
"""

from __future__ import annotations

import re

from annotate.types import Span

CODES = {"L": "LEAD_UNIT", "U": "UNIT", "D": "DEADLINE", "T": "TARGET"}
LETTERS = {v: k for k, v in CODES.items()}
_OPEN = re.compile(r"⟦([LUDT]) ")


def parse_inline(marked: str) -> tuple[str, list[Span]]:
    """Strip the markup; return ``(text, spans)``. Raises ValueError on unbalanced or nested marks."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    n = 0  # length of the plain text so far
    while True:
        m = _OPEN.search(marked, pos)
        close = marked.find("⟧", pos)
        if m is None:
            if close != -1:
                raise ValueError(f"'⟧' without '⟦' at {close}: {marked[max(0, close - 20):close + 1]!r}")
            out.append(marked[pos:])
            break
        if close != -1 and close < m.start():
            raise ValueError(f"'⟧' without '⟦' at {close}: {marked[max(0, close - 20):close + 1]!r}")
        out.append(marked[pos : m.start()])
        n += m.start() - pos
        end = marked.find("⟧", m.end())
        if end == -1:
            raise ValueError(f"unclosed '⟦' at {m.start()}: {marked[m.start():m.start() + 30]!r}")
        inner = marked[m.end() : end]
        if "⟦" in inner:
            raise ValueError(f"nested '⟦' at {m.start()}: {marked[m.start():end + 1]!r}")
        if not inner:
            raise ValueError(f"empty span at {m.start()}")
        spans.append(Span(n, n + len(inner), CODES[m.group(1)], inner))
        out.append(inner)
        n += len(inner)
        pos = end + 1
    return "".join(out), spans


def render_inline(text: str, spans: list[Span]) -> str:
    """Inverse of :func:`parse_inline` for non-overlapping spans."""
    parts, pos = [], 0
    for s in sorted(spans):
        parts += [text[pos : s.start], f"⟦{LETTERS[s.label]} ", text[s.start : s.end], "⟧"]
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts)
