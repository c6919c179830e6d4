"""The matching view of the rule extractor: a whitespace-free text with paragraph breaks kept.

Rules match on this view and map spans back to raw offsets, so that mentions broken by PDF
line wraps, page breaks or spaces (guide §0 rule 1, H9) are found whole and keep their internal
whitespace on the raw text. When helper A's ``annotate.normalize`` exists, it runs first
(dropping running headers and page numbers); this module then removes the whitespace that is
left and keeps one ``\\n`` per paragraph break and one ``\\t`` per table cell break.
"""

from __future__ import annotations

import re

from annotate.rules.zones import DATE_LINE, PUBLIC_LINE, SIGNATURE_LINE, TITLE_LINE, WENHAO_LINE
from annotate.types import TextView

# a line break after these characters ends a paragraph
TERMINAL = "。；;！!？?：:"
ITEM_START = re.compile(
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、](?!\d)"
    r"|第[一二三四五六七八九十百零\d]+[章节条]|专栏|附件|——|[-*•]\s|序号)"
)
# 「主办单位:」, 「年度投资任务：」 at the start of a line
FIELD_START = re.compile(r"[\u4e00-\u9fff]{2,8}[ \u3000]*[:：]")
_WS = re.compile(r"[ \t\r\n\u3000\u00a0\f\v]+")


def base_view(raw: str) -> TextView:
    """helper A's normalised view when available, else the identity view."""
    try:
        from annotate.normalize import normalize
    except ImportError:
        return TextView.identity(raw)
    return normalize(raw)


def _line_has_tab(text: str, pos: int, forward: bool) -> bool:
    if forward:
        end = text.find("\n", pos)
        return "\t" in text[pos: end if end >= 0 else len(text)]
    start = text.rfind("\n", 0, pos) + 1
    return "\t" in text[start:pos]


def _keep_break(text: str, a: int, b: int) -> bool:
    """Whether the whitespace run text[a:b] (containing a line break) is a paragraph break."""
    if a == 0 or b >= len(text):
        return True
    if text[a - 1] in TERMINAL:
        return True
    prev_line = text[text.rfind("\n", 0, a) + 1: a]
    if ITEM_START.match(prev_line) and len(prev_line.strip()) <= 15:
        return True  # a heading line such as 「二、工作目标」
    nxt = text[b: b + 12]
    if re.match(r"\d{4}\s*年", nxt) and text[a - 1] not in "到至在于从自比较前的和、" and not text[a - 1].isdigit():
        return True  # a line opening with a year after a finished field line
    if ITEM_START.match(nxt) or FIELD_START.match(nxt):
        return True
    line_end = text.find("\n", b)
    line = text[b: line_end if line_end >= 0 else len(text)]
    if any(rx.match(line) for rx in (TITLE_LINE, WENHAO_LINE, DATE_LINE, SIGNATURE_LINE, PUBLIC_LINE)):
        return True
    return _line_has_tab(text, a, False) or _line_has_tab(text, b, True)


def compact(view: TextView) -> TextView:
    """Drop whitespace from ``view``, keeping ``\\n`` at paragraph breaks and ``\\t`` between cells."""
    text = view.text
    out: list[str] = []
    omap: list[int] = []
    pos = 0
    for m in _WS.finditer(text):
        a, b = m.span()
        out.append(text[pos:a])
        omap.extend(view.to_raw[i] for i in range(pos, a))
        run = m.group()
        nl = max(run.rfind("\n"), run.rfind("\r"))
        if nl >= 0 and _keep_break(text, a, b):
            out.append("\n")
            omap.append(view.to_raw[a + max(run.find("\n"), 0)])
        # one tab per cell break, also a leading empty cell after the line break
        for k, ch in enumerate(run):
            if ch == "\t" and k > nl:
                out.append("\t")
                omap.append(view.to_raw[a + k])
        pos = b
    out.append(text[pos:])
    omap.extend(view.to_raw[i] for i in range(pos, len(text)))
    return TextView(view.raw, "".join(out), omap)


def match_view(raw: str) -> TextView:
    """The view all rules match on (see the module docstring)."""
    return compact(base_view(raw))
