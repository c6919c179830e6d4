"""Parse TARGET span texts into comparator, value, unit and bound.

The span grammar is the guide's (§5): [comparator] [约/近] number [万/亿/千] [余/多] [unit]
[以上/以下/以内/左右]. Comparators are normalised to ``>=``, ``<=``, ``>``, ``<``, ``=``,
``increase`` and ``decrease``; the raw word is kept in ``comparator_word``. A bound qualifier
refines a level comparator (保持在18亿元左右 → ``=``) but not a change (削减16.7%以上 stays
``decrease`` with bound 以上). Values keep their unit: 16.7% is ``value=16.7, unit="%"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

COMPARATORS = (">=", "<=", ">", "<", "=", "increase", "decrease")

# Longest first, so that 提高到 wins over 提高 and 不低于 over 低于.
_COMPARATOR_WORDS: dict[str, str] = {
    "不低于": ">=", "不少于": ">=", "至少": ">=", "达到": ">=", "达": ">=", "≥": ">=",
    "提高到": ">=", "提高至": ">=", "提升到": ">=", "提升至": ">=", "增加到": ">=", "增加至": ">=",
    "增长到": ">=", "增长至": ">=", "增至": ">=", "保持在": ">=", "稳定在": ">=", "保持": ">=",
    "不高于": "<=", "不超过": "<=", "控制在": "<=", "下降到": "<=", "下降至": "<=", "降到": "<=",
    "降至": "<=", "减少到": "<=", "减少至": "<=", "≤": "<=",
    "超过": ">", "高于": ">", "突破": ">", "大于": ">", "低于": "<", "小于": "<",
    "增长": "increase", "增加": "increase", "提高": "increase", "提升": "increase",
    "下降": "decrease", "降低": "decrease", "减少": "decrease", "削减": "decrease",
}
_CMP_RE = re.compile("|".join(sorted(map(re.escape, _COMPARATOR_WORDS), key=len, reverse=True)))
_BOUNDS = {"及以上": "以上", "以上": "以上", "及以下": "以下", "以下": "以下", "以内": "以内", "左右": "左右"}
_BOUND_CMP = {"以上": ">=", "以下": "<=", "以内": "<=", "左右": "="}
_BOUND_RE = re.compile(r"(?:\(含\))?(及以上|以上|及以下|以下|以内|左右)(?:\(含\))?$")

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
# After a number, 千/百 start a unit (千瓦, 千米, 百分点) rather than multiply when followed by these.
_UNIT_AFTER_KILO = re.compile(r"^(?:千[瓦米克伏帕焦卡公兆]|百分)")

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUMBER_RE = re.compile(rf"^(?P<approx>[约近])?(?P<a>{_NUM})(?:[:：](?P<ratio>{_NUM})|(?:至|到|-|—|~|一)(?P<b>{_NUM}))?")
_CN_NUMBER_RE = re.compile(r"^(?P<approx>[约近])?(?P<cn>[〇零一二两三四五六七八九十百千]+)")
_DOUBLING_RE = re.compile(r"翻(?P<n>[一两二三])番")


@dataclass(frozen=True)
class Target:
    """A parsed target. ``value`` is None when the text has no readable number."""

    text: str
    comparator: str | None
    comparator_word: str | None
    value: float | None
    value_max: float | None
    unit: str | None
    bound: str | None
    approx: bool = False
    multiplier: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def cn_number(s: str) -> float | None:
    """Value of a Chinese numeral (三 → 3, 一千二百 → 1200, 二〇二二 → 2022, 千 → 1000)."""
    if not s:
        return None
    if all(c in _CN_DIGIT for c in s) and len(s) > 1:
        return float("".join(str(_CN_DIGIT[c]) for c in s))
    total, cur = 0, None
    for c in s:
        if c in _CN_DIGIT:
            cur = _CN_DIGIT[c]
        elif c in _CN_UNIT:
            total += (1 if cur is None else cur) * _CN_UNIT[c]
            cur = None
        else:
            return None
    return float(total + (cur or 0))


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = s.replace("\\geq", "≥").replace("\\leq", "≤").replace("\\%", "%").replace("$", "")
    s = re.sub(r"\s+", "", s)
    return s.replace("%。", "‰")  # OCR of ‰ (guide §5, example 9)


def _multiplier(rest: str) -> tuple[float, str]:
    """Consume 万/亿/千/百 multipliers (万千瓦 → ×1e4, unit 千瓦)."""
    factor = 1.0
    while rest and rest[0] in _MULT and not _UNIT_AFTER_KILO.match(rest):
        factor *= _MULT[rest[0]]
        rest = rest[1:]
    return factor, rest


def parse(text: str) -> Target:
    """Parse one TARGET span text. Never raises; an unreadable text gives ``value=None``."""
    s = _normalise(text or "")
    word = None
    m = _CMP_RE.match(s)
    if m:
        word, s = m.group(0), s[m.end():]
    bound = None
    b = _BOUND_RE.search(s)
    if b:
        bound, s = _BOUNDS[b.group(1)], s[: b.start()]

    value = value_max = multiplier = None
    approx = False
    unit = None
    d = _DOUBLING_RE.search(s)
    n = _NUMBER_RE.match(s)
    c = _CN_NUMBER_RE.match(s) if not n else None
    if d:
        multiplier = 2.0 ** cn_number(d.group("n").replace("两", "二"))
        value, unit = multiplier, "倍"
        word = word or d.group(0)
    elif n or c:
        num = n or c
        approx = bool(num.group("approx"))
        rest = s[num.end():]
        if n:
            value = float(n.group("a").replace(",", ""))
            if n.group("ratio"):  # 1:10
                value /= float(n.group("ratio").replace(",", ""))
                unit = "ratio"
            elif n.group("b"):
                value_max = float(n.group("b").replace(",", ""))
        else:
            value = cn_number(c.group("cn"))
            if value is None:
                rest = s
        factor, rest = _multiplier(rest)
        if value is not None:
            value *= factor
            value_max = value_max * factor if value_max is not None else None
        if rest[:1] in ("余", "多"):
            approx, rest = True, rest[1:]
        unit = unit or (rest or None)
    comparator = _comparator(word, bound, value)
    if unit == "倍" and value is not None and multiplier is None:
        multiplier = value + 1 if comparator == "increase" else value  # 增长1倍 doubles
    value, value_max = _tidy(value), _tidy(value_max)
    return Target(text, comparator, word, value, value_max, unit, bound, approx or bound == "左右", multiplier)


def _tidy(v: float | None) -> float | None:
    """Drop float noise from the multipliers (0.689万 → 6890.0, not 6889.999999999999)."""
    return None if v is None else float(f"{v:.12g}")


def _comparator(word: str | None, bound: str | None, value: float | None) -> str | None:
    base = _COMPARATOR_WORDS.get(word or "")
    if word and word.startswith("翻"):
        return "increase"
    if base in ("increase", "decrease"):
        return base
    if bound:
        return _BOUND_CMP[bound]
    if base:
        return base
    return "=" if value is not None else None
