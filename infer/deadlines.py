"""Resolve DEADLINE span texts to ISO dates.

A deadline is read as the period it names (a year, a month, a quarter, a plan period …) and
reported as the *end* of that period, because a task "by 2025" is due on 2025-12-31. Ranges
also give the start of their first period, start deadlines (…起 / …开始) give the date they
start on. The suffix 前 is read inclusively (2016年6月前 → 2016-06-30), as the gazettes use it.

Kinds follow the annotation guide §7: ``point``, ``range``, ``start``, ``standing`` (长期,
持续推进), ``recurring`` (每年10月底前); text that cannot be read safely (OCR residue such as
管15年, dates without a year) gives ``iso=None`` and never a guessed date.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

KINDS = ("point", "range", "start", "standing", "recurring", "unresolved")


@dataclass(frozen=True)
class Deadline:
    """A resolved deadline: ``iso`` is the due date, ``start_iso`` the start of a range or start time."""

    text: str
    iso: str | None
    start_iso: str | None
    kind: str

    def to_dict(self) -> dict:
        return asdict(self)


# --- normalisation ---------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇零○一二两三四五六七八九十"

# Five-year plans (十一五 = 11th plan = 2006–2010); the guide names 十二五 to 十五五.
_PLANS = {"十一": 2006, "十二": 2011, "十三": 2016, "十四": 2021, "十五": 2026, "十六": 2031}
_PLAN_RE = re.compile(r"^[“”\"'‘’]*(十[一二三四五六])五[“”\"'‘’]*(末|期末|期间|时期|初|期)?(?:前|以前|之前)?$")

_LEADING = re.compile(r"^(?:力争到|确保到|力争在|确保在|力争|确保|截至|截止|到|至|在|于|从|自|由)")
_STANDING_WORDS = re.compile(r"长期|持续|坚持|常态|常年|逐步|及时|随时")
_RECURRING = re.compile(r"^每|每年|每月|每季|季度结束|次月|次年")


def cn_int(s: str) -> int | None:
    """Value of a Chinese numeral up to the thousands (十一 → 11, 二〇二二 → 2022); None if not one."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):  # digit by digit: 二〇二二
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        elif c in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (cur or 1) * unit
            cur = 0
        else:
            return None
    return total + cur


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    s = s.replace("年年", "年")  # 2020 年年底前
    s = re.sub("[—–－‐‑―~〜～]+", "-", s)
    return s


def _cn_numbers(s: str) -> str:
    """Replace Chinese numerals before a date unit by digits (二〇二二年 → 2022年, 十一月 → 11月)."""
    def repl(m: re.Match) -> str:
        v = cn_int(m.group(1))
        return (str(v) if v is not None else m.group(1)) + m.group(2)

    return re.sub(f"([{_CN_NUM}]+)(年|月|日|号|季度)", repl, s)


# --- periods ---------------------------------------------------------------------------------

def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


_YEAR_PART = {  # part of a year → (first month, first day, last month, last day or None = month end)
    "底": (12, 1, 12, None), "末": (12, 1, 12, None), "初": (1, 1, 1, None),
    "上半年": (1, 1, 6, None), "前半年": (1, 1, 6, None), "下半年": (7, 1, 12, None), "后半年": (7, 1, 12, None),
    "一季度": (1, 1, 3, None), "二季度": (4, 1, 6, None), "三季度": (7, 1, 9, None), "四季度": (10, 1, 12, None),
    "春季学期": (3, 1, 6, None), "秋季学期": (9, 1, 12, None),
    "春季": (3, 1, 5, None), "夏季": (6, 1, 8, None), "秋季": (9, 1, 11, None), "冬季": (12, 1, 12, None),
}
_MONTH_PART = {"底": (1, None), "末": (1, None), "初": (1, 10), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, None)}

_POINT_RE = re.compile(
    r"^(?:(?P<y>\d{4})(?P<yu>年)?)?"
    r"(?:(?P<ypart>底|末|初|上半年|前半年|下半年|后半年|第?[1-4一二三四]季度|[春秋]季学期|[春夏秋冬]季)"
    r"|(?P<m>\d{1,2})(?:(?P<mu>月份?)(?:(?P<mpart>底|末|初|上旬|中旬|下旬)|(?P<d>\d{1,2})(?P<du>[日号])?)?)?)?"
    r"(?P<suffix>(?:以前|之前|前|起|开始|结束|期间|时期|为止|止)*)$"
)


@dataclass
class _Point:
    y: int | None
    unit: str  # finest unit written: "y", "m", "d"
    suffix: str
    m: int | None = None
    d: int | None = None
    ypart: str | None = None
    mpart: str | None = None


def _parse_point(s: str) -> _Point | None:
    m = _POINT_RE.match(s)
    if not m or not s:
        return None
    g = m.groupdict()
    if not (g["y"] or g["m"] or g["ypart"]):
        return None
    unit = "d" if g["d"] else "m" if g["m"] else "y"
    ypart = g["ypart"]
    if ypart and "季度" in ypart:
        ypart = "一二三四"[int(ypart[-3]) - 1] + "季度" if ypart[-3].isdigit() else ypart.lstrip("第")
    return _Point(
        y=int(g["y"]) if g["y"] else None, unit=unit, suffix=g["suffix"] or "",
        m=int(g["m"]) if g["m"] else None, d=int(g["d"]) if g["d"] else None, ypart=ypart, mpart=g["mpart"],
    )


def _period(p: _Point) -> tuple[date, date] | None:
    """The (first day, last day) of the period a point names, or None if it does not make a date."""
    y = p.y
    if y is None or not (1949 <= y <= 2100):
        return None
    try:
        if p.m is None:
            m1, d1, m2, d2 = _YEAR_PART.get(p.ypart or "", (1, 1, 12, None))
            return date(y, m1, d1), date(y, m2, d2 or _last_day(y, m2))
        if p.d is None:
            d1, d2 = _MONTH_PART.get(p.mpart or "", (1, None))
            return date(y, p.m, d1), date(y, p.m, d2 or _last_day(y, p.m))
        return date(y, p.m, p.d), date(y, p.m, p.d)
    except ValueError:  # month 13, 2月30日 …
        return None


def _split_range(s: str) -> tuple[str, str] | None:
    """Split 'A-B' / 'A至B' / 'A到B' into its two ends, if it is a range."""
    for sep in ("-", "至", "到"):
        if sep in s:
            a, _, b = s.partition(sep)
            if a and b:
                return a, b
    return None


def _fill_range(a: _Point, b: _Point) -> bool:
    """Give the right end the year (and month) the left end writes out. False if no year is known."""
    if b.y is None:
        b.y = a.y
        if b.unit == "d" and b.m is None:
            b.m = a.m
    return a.y is not None and b.y is not None


def _resolve_plan(m: re.Match, text: str) -> Deadline:
    first = _PLANS[m.group(1)]
    last = first + 4
    suffix = m.group(2) or ""
    if suffix in ("末", "期末"):
        return Deadline(text, f"{last}-12-31", None, "point")
    if suffix == "初":
        return Deadline(text, f"{first}-12-31", None, "point")
    return Deadline(text, f"{last}-12-31", f"{first}-01-01", "range")


def resolve(text: str) -> Deadline:
    """Resolve one DEADLINE span text. Never raises; unreadable text gives ``iso=None``."""
    s = _LEADING.sub("", _normalise(text or ""))
    plan = _PLAN_RE.match(s)
    if plan:
        return _resolve_plan(plan, text)
    s = _cn_numbers(s)
    if _RECURRING.search(s):
        return Deadline(text, None, None, "recurring")
    if not re.search(r"\d", s):
        kind = "standing" if _STANDING_WORDS.search(s) else "unresolved"
        return Deadline(text, None, None, kind)

    point = _parse_point(s)
    if point is not None:
        per = _period(point)
        if per is None:
            return Deadline(text, None, None, "unresolved" if point.y is not None else "point")
        if "起" in point.suffix or "开始" in point.suffix:
            return Deadline(text, per[0].isoformat(), per[0].isoformat(), "start")
        if "期间" in point.suffix or "时期" in point.suffix:
            return Deadline(text, per[1].isoformat(), per[0].isoformat(), "range")
        return Deadline(text, per[1].isoformat(), None, "point")

    parts = _split_range(s)
    if parts:
        a, b = (_parse_point(x) for x in parts)
        day = re.fullmatch(r"(\d{1,2})[日号]((?:以前|之前|前|结束|为止|止)*)", parts[1])
        if b is None and day and a is not None and a.unit == "d":  # 2022年6月1-15日
            b = _Point(y=None, unit="d", suffix=day.group(2), d=int(day.group(1)))
        if a is not None and b is not None and _fill_range(a, b):
            pa, pb = _period(a), _period(b)
            if pa and pb and pa[0] <= pb[1]:
                return Deadline(text, pb[1].isoformat(), pa[0].isoformat(), "range")
    return Deadline(text, None, None, "unresolved")


def latest(deadlines: list[Deadline]) -> Deadline | None:
    """The deadline due last (by ``iso``); the first one if none resolves; None for an empty list."""
    if not deadlines:
        return None
    dated = [d for d in deadlines if d.iso]
    return max(dated, key=lambda d: d.iso) if dated else deadlines[0]
