"""Normalise a gazette text for reading and tagging, keeping an exact map back to the raw text.

The view drops what PDF extraction added and a reader would not see:

* line wraps inside paragraphs (hard wraps every ~20 characters in seed 003, occasional
  mid-word wraps elsewhere, blank lines between physical lines, page breaks shown as a
  leading space) — one ``"\\n"`` is kept where a paragraph, heading, table row or
  signature line ends, so the item structure survives;
* running headers, lone page numbers and similar page furniture;
* spaces inside CJK runs and between CJK and digits (``楚 雄 州``, ``2019 年 2 月``);
  spaces between Latin words and tabs (table cells) stay.

Every view character is a raw character, except that a kept line break is always ``"\n"`` and a
kept space (between Latin words, also across a line wrap) is always ``" "``; ``view.to_raw`` is
strictly increasing and spans map back exactly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from statistics import median

from annotate.types import TextView

__all__ = [
    "normalize",
    "view_span",
    "is_cjkish",
    "content_lines",
    "is_furniture",
    "Line",
    "DOC_NUMBER",
    "DATE_LINE",
    "ISSUER_LINE",
    "ITEM_MARKER",
]

_LINE = re.compile(r"[^\n\r\f\v\x85\u2028\u2029]+")
_SPACES = " \u3000\xa0"
_SPACE_RUN = re.compile(r"[ \u3000\xa0]+")

# A line ending in one of these ends its paragraph (opening quotes and 、，do not).
_TERMINATORS = set("。；;！!？?：:）)」』】")
# Item markers that start a new paragraph.
ITEM_MARKER = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、.．]"
    r"|[（(][一二三四五六七八九十]{1,3}[)）]"
    r"|\d{1,2}(?:[.．](?!\d)|、)"
    r"|[（(]\d{1,2}[)）]"
    r"|[①-⑳]"
    r"|——"
    r"|[-•·*]\s"
    r"|第[一二三四五六七八九十百零〇\d]+[条章节款]"
    r"|专栏\s*\d"
    r"|附件"
    r"|[（(]此件|[（(]本文有删减"
    r")"
)
DOC_NUMBER = re.compile(r"[（(]?[\u4e00-\u9fff]{1,10}[〔\[［【]\s*\d{4}\s*[〕\]］】]\s*\d+(?:\s*[—–-]\s*\d+)?\s*号[)）]?")
DATE_LINE = re.compile(r"(?:\d|[()（）])+\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?")
ISSUER_LINE = re.compile(r"[\u4e00-\u9fff]{2,14}(?:人民政府|办公厅|办公室|广播电视局|委员会)")
_FIELD = re.compile(r"(?:主要内容|主办单位|协办单位|年度投资任务|牵头单位|责任单位|完成时限|配合单位|联系人)\s*[:：]")
_HEADING_PUNCT = set("。；;：:！？")
_SENTENCE_PUNCT = set("。；;，,：:")
_TITLE_START = re.compile(r"[\u4e00-\u9fff]{2,12}(?:人民政府|办公厅|办公室)(?:关于|印发|转发)")
_TITLE_END = re.compile(r"(?:方案|意见|办法|措施|规划|纲要|制度|名单|通知|决定|细则|规定|条例|计划|决议|的函)$")
_CONTINUES = set("（(《“‘〔[【、，,")

# Running headers and page furniture, compared with all spaces removed.
_FURNITURE = re.compile(
    r"[-—–·•]?\d{1,3}[-—–·•]?"
    r"|第\d{1,3}页"
    r"|云南省人民政府政务刊物"
    r"|政府文件|政府办公室文件"
    r"|\d{1,2}月份"
)
# Lines that are furniture only when the PDF spaced them out (otherwise they are real headings).
_SPACED_FURNITURE = {"大事记"}


def is_cjkish(ch: str) -> bool:
    """CJK characters, full-width forms and CJK/general punctuation (—, “, …)."""
    o = ord(ch)
    return o >= 0x2E80 or 0x2010 <= o <= 0x206F


_NARROW = re.compile(r"[\x00-\u200f\u2070-\u2e7f]")


def _width(s: str) -> float:
    """Display width in CJK cells: narrow (Latin, digits) characters count half."""
    return len(s) - 0.5 * len(_NARROW.findall(s))


def _squeeze(s: str) -> str:
    return s.replace(" ", "").replace("\u3000", "").replace("\xa0", "")


class Line:
    __slots__ = ("start", "end", "brk", "text", "flat", "width")

    def __init__(self, start: int, end: int, brk: int, text: str):
        self.start, self.end, self.brk, self.text = start, end, brk, text
        self.flat = _squeeze(text)
        self.width = _width(text)


def content_lines(raw: str) -> list[Line]:
    """Content lines, trimmed of spaces (not tabs), with the raw offset of the break after them."""
    out = []
    for m in _LINE.finditer(raw):
        s, e = m.span()
        while s < e and raw[s] in _SPACES:
            s += 1
        while e > s and raw[e - 1] in _SPACES:
            e -= 1
        if s == e or not raw[s:e].strip():
            continue
        out.append(Line(s, e, m.end(), raw[s:e]))
    return out


def is_furniture(line: Line) -> bool:
    if "\t" in line.text:
        return False
    if _FURNITURE.fullmatch(line.flat):
        return True
    return line.flat in _SPACED_FURNITURE and line.flat != line.text.strip()


def _wrap_width(lines: list[Line]) -> float | None:
    """The hard-wrap width if most lines are cut at one width (seed 003), else None."""
    widths = [ln.width for ln in lines if ln.width >= 8 and "\t" not in ln.text]
    if len(widths) < 50:
        return None
    w = median(widths)
    near = sum(1 for x in widths if abs(x - w) <= 1.5)
    return w if near >= 0.5 * len(widths) and w <= 40 else None


def _standalone(flat: str) -> bool:
    """Lines that are never part of a paragraph: 文号, dates, signatures."""
    return bool(
        DOC_NUMBER.fullmatch(flat)
        or DATE_LINE.fullmatch(flat)
        or (len(flat) <= 16 and ISSUER_LINE.fullmatch(flat))
    )


_BRACKET = re.compile(r"[（()）]")


class _Brackets:
    """Open-bracket state of the paragraph being built: a note wrapped after ：or ；stays joined."""

    _MAX_OPEN = 200  # chars; an older unclosed bracket is an OCR slip, not a note

    def __init__(self) -> None:
        self.depth, self.since = 0, 0

    def feed(self, flat: str) -> None:
        last_open = None
        for m in _BRACKET.finditer(flat):
            if m.group() in "（(":
                self.depth += 1
                last_open = m.start()
            else:
                self.depth = max(0, self.depth - 1)
        self.since = len(flat) - last_open if last_open is not None else self.since + len(flat)

    @property
    def inside(self) -> bool:
        return self.depth > 0 and self.since <= self._MAX_OPEN


def _joins(a: Line, b: Line, wrap: float | None, inside_bracket: bool = False) -> bool:
    """Whether line ``b`` continues the paragraph of line ``a``."""
    fa, fb = a.flat, b.flat
    if "\t" in a.text or "\t" in b.text:
        return False
    if _standalone(fa) or _standalone(fb):
        return False
    if fa[-1] in _TERMINATORS and not (inside_bracket and fa[-1] not in "）)"):
        return False
    if ITEM_MARKER.match(fb):
        return False
    if _TITLE_START.match(fb) and fa.rfind("《") <= fa.rfind("》"):  # a title, not a wrapped citation
        return False
    if fa[-1] not in _CONTINUES and _FIELD.match(fb):
        return False
    if wrap is not None:
        return a.width >= wrap - 2.5
    if a.width < 17:
        return False
    # A numbered heading without sentence punctuation stands on its own line (第X条 runs on).
    m = ITEM_MARKER.match(fa)
    if m and not m.group().startswith("第") or m and m.group()[-1] in "章节":
        if not any(c in _HEADING_PUNCT for c in fa) and a.width < 30:
            return False
    # So does a title (of an embedded document, a list) unless its bracketed tail follows.
    if _TITLE_END.search(fa) and len(fa) <= 45 and not any(c in _SENTENCE_PUNCT for c in fa):
        return fb[0] in "（(，,、"
    return True


def _emit_line(ln: Line, chars: list[str], offs: list[int]) -> None:
    """Append the line's characters, dropping spaces that touch CJK (or tabs)."""
    text, base = ln.text, ln.start
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        s, e = m.span()
        chars.append(text[pos:s])
        offs.extend(range(base + pos, base + s))
        left, right = text[s - 1], text[e] if e < len(text) else ""
        if right and not (is_cjkish(left) or is_cjkish(right) or left == "\t" or right == "\t"):
            chars.append(" ")
            offs.append(base + s)
        pos = e
    chars.append(text[pos:])
    offs.extend(range(base + pos, base + len(text)))


def normalize(raw: str) -> TextView:
    """The normalised view of ``raw`` with ``to_raw`` mapping each view char to its raw offset."""
    lines = [ln for ln in content_lines(raw) if not is_furniture(ln)]
    wrap = _wrap_width(lines)
    chars: list[str] = []
    offs: list[int] = []
    prev: Line | None = None
    brackets = _Brackets()
    for ln in lines:
        if prev is not None:
            if not _joins(prev, ln, wrap, brackets.inside):
                chars.append("\n")
                offs.append(prev.brk)
                brackets = _Brackets()
            elif prev.text[-1].isascii() and prev.text[-1].isalnum() and ln.text[0].isascii() and ln.text[0].isalnum():
                # Two Latin words (or numbers) across a wrap stay apart.
                chars.append(" ")
                offs.append(prev.brk)
        _emit_line(ln, chars, offs)
        brackets.feed(ln.flat)
        prev = ln
    return TextView(raw, "".join(chars), offs)


def view_span(view: TextView, raw_start: int, raw_end: int) -> tuple[int, int] | None:
    """The view span of the view chars whose raw offsets lie in ``[raw_start, raw_end)``; None if none do."""
    a = bisect_left(view.to_raw, raw_start)
    b = bisect_left(view.to_raw, raw_end)
    return (a, b) if a < b else None
