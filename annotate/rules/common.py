"""Helpers shared by the rule families: clause and sentence bounds, table cells, document years.

All positions are offsets in the matching view (see ``view.py``).
"""

from __future__ import annotations

import re
from typing import Callable

CLAUSE_ENDS = "，,；;。\n"
SENTENCE_ENDS = "。\n"
# words of a sentence that reports the past (§0 rule 4)
RETRO = re.compile(r"已经|已达|已完成|已实现|完成了|实现了|达到了|截至|截止|实际完成|实际达到|累计投入")
# a signing date on its own line: 「2016年12月20日」
SIGNED = re.compile(r"(?:^|\n)(\d{4})年\d{1,2}月\d{1,2}日")


def bounds(text: str, a: int, b: int, ends: str) -> tuple[int, int]:
    """The range around text[a:b] delimited by any of ``ends``."""
    start = max(text.rfind(ch, 0, a) for ch in ends) + 1
    after = [i for i in (text.find(ch, b) for ch in ends) if i >= 0]
    return start, min(after) if after else len(text)


def clause(text: str, a: int, b: int) -> tuple[int, int]:
    return bounds(text, a, b, CLAUSE_ENDS)


def sentence(text: str, a: int, b: int) -> str:
    s, e = bounds(text, a, b, SENTENCE_ENDS)
    return text[s:e]


def in_short_cell(text: str, a: int, b: int, longest: int = 20) -> bool:
    """Whether text[a:b] lies in a short cell of a tab-separated row (long cells are prose, H5)."""
    line_start, line_end = bounds(text, a, b, "\n")
    if "\t" not in text[line_start:line_end]:
        return False
    s, e = bounds(text, a, b, "\t\n")
    return e - s <= longest


def document_years(text: str) -> Callable[[int], int]:
    """Year of the document around a position: the later of the nearest signing dates before and after.

    Covers (000–003) carry the date before the body, 004 after it; the later one of the two is the
    document's year or the next document's, which is close enough to tell retrospective years.
    """
    dates = [(m.start(), int(m.group(1))) for m in SIGNED.finditer(text)]

    def year_at(pos: int) -> int:
        before = [y for p, y in dates if p <= pos][-1:]
        after = [y for p, y in dates if p > pos][:1]
        return max(before + after, default=0)

    return year_at


def last_year(expr: str) -> int | None:
    """The last calendar year an expression reaches; plan periods count too (「十二五」 → 2015)."""
    years = re.findall(r"(?:19|20)\d\d", expr)
    if years:
        return int(years[-1])
    # the n-th five-year plan ends in 1955 + 5n
    m = re.search(r"[十卜]([一二三四五六七八九])五", expr)
    return 1955 + 5 * (11 + "一二三四五六七八九".index(m.group(1))) if m else None


def is_retrospective_year(year: int | None, doc_year: int) -> bool:
    """A year well before the document's own year is retrospective (§0 rule 4)."""
    return year is not None and year < doc_year - 1
