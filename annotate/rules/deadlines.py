"""DEADLINE rules (guide §4, H11–H14, §9.6–9.7).

Two sources: time slots (the value of 完成时限:, the time part of a responsibility note), where
standing values such as 长期 or 持续推进 count too; and calendar-anchored prose expressions.
Spans keep the suffix (前/底/末/起/期间) and leave out leading 到/至/在/于/力争/确保.
"""

from __future__ import annotations

import re

from annotate.rules.common import RETRO, document_years, in_short_cell, is_retrospective_year, last_year, sentence

_YEAR = r"(?:(?:19|20|管)[0-9O()（）。]{2,4})年"
_MONTH = r"(?:[01]?\d)月"
_DAY = r"(?:[0-3]?\d)日"
_SEASON = r"(?:[春夏秋冬]季(?:学期)?|上半年|下半年|第?[一二三四1-4]季度|年底|年末|年初|底|末|初|中旬|上旬|下旬)"
_POINT = rf"{_YEAR}(?:{_MONTH}(?:{_DAY})?)?{_SEASON}?"
_PARTIAL = rf"(?:{_MONTH}(?:{_DAY})?|{_DAY})"  # the right end of 2017年1—3月, 2018年4月—2019年10月
_RANGE_SEP = r"(?:[—–\-~～至到]|－)"
_SUFFIX = r"(?:以前|之前|前|起|开始|期间|时期|以来)?"
_PLAN = r"[“\"]?[十卜][一二三四五六七八九]五[”\"]?(?:期间|时期|末|初|中期)?"

_MONTH_RANGE = rf"{_YEAR}[01]?\d[—–\-~～至到][01]?\d月"
# 2018年4月—2019年10月, 2014—2015年, 2015至2017年, 2017年1—3月, 2017年1月开始至2019年10月结束
CALENDAR = re.compile(
    rf"(?:\d{{4}}{_RANGE_SEP}\d{{4}}年|{_MONTH_RANGE}"
    rf"|{_POINT}(?:{_RANGE_SEP}(?:{_POINT}|{_PARTIAL}))?{_SUFFIX}(?:(?:至|到){_POINT}(?:结束|底|末)?)?"
    rf"|每年\d{{1,2}}月(?:底|第\d+个工作日|\d{{1,2}}日)?(?:前|内)?)"
)
PLAN_PERIOD = re.compile(_PLAN)
STANDING = re.compile(r"(?:长期坚持|长期|持续推进|持续加强领导|持续开展|常态化推进|持续)$")


def calendar_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Calendar expressions in text[start:end] (slot values and prose candidates)."""
    spans = [m.span() for rx in (CALENDAR, PLAN_PERIOD) for m in rx.finditer(text, start, end)]
    return sorted(spans)


def slot_value_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """DEADLINE spans in a time-slot value: its calendar parts, else the whole standing value (§4a)."""
    cal = calendar_spans(text, start, end)
    if cal:
        return cal
    seg = text[start:end]
    m = re.match(r"^(?:在|于)?(.{1,16}?)$", seg)
    if m and STANDING.search(seg):
        return [(start + m.start(1), end)]  # 「在综合治理实施过程中持续推进」 → without 在
    return []


# leading words that show a forward time point (they stay out of the span)
FORWARD_BEFORE = re.compile(r"(?:到|至|在|于|从|自|计划|(?:力争|确保|争取)[^，,。；;\d]{0,4})$")
BASELINE_BEFORE = re.compile(r"(?:比|较|与|同|截至|截止|截止到|由|期限为|期为)$")
BASELINE_AFTER = re.compile(
    r"^(?:[^，,。；;]{0,30}(?:基础上|基准|水平上)|的|以来|比|相比|同期|末的|底的|[^，,。；;]{0,10}起(?:施行|执行|实施|生效)|施行|执行《|生效|上线|印发)"
)
ALLOCATION_AFTER = re.compile(r"^[，,]?[^，,。；;]{0,12}(?:安排|补助|补贴|奖励|免收|暂免|贴息|给予)")
TASK_VERB = re.compile(r"^(?:完成|实现|建成|新增|新建|累计|培育|打造|建设|力争|确保)")
SUFFIXED = re.compile(r"(?:前|底|末|初|起|开始|期间|时期|结束|年度)$|[—–\-~～至到]")
TASK_AFTER = re.compile(
    r"^(?:[，,.]|全[省市州县区面]|各|基本|完成|实现|建成|达到|力争|确保|启动|开展|新增|新建|累计|主要|我[省市州县]|要|初步|争取|形成|培育|计划"
    r"|实施|配套|研究|淘汰|节约|节能|城市|市中心)"
)


def _not_a_task_time(text: str, a: int, b: int) -> bool:
    """Baselines, effective dates, allocation periods, title periods and noun modifiers (§4 negatives, §9.7)."""
    before, after = text[max(0, a - 8): a], text[b: b + 40]
    if BASELINE_BEFORE.search(before) or BASELINE_AFTER.match(after) or ALLOCATION_AFTER.match(after):
        return True
    if before.endswith("在") and re.match(r"^[^，,。；;]{0,40}基础上", after):
        return True  # 「在2014年…的基础上」
    in_brackets = a > 0 and text[a - 1] in "(（" and text[b: b + 1] in ")）"
    return in_brackets and not re.search(r"阶段[(（]$", before)  # 「方案(2015—2017年)」, not 「部署阶段(2017年1—3月)」


def _retrospective(text: str, a: int, b: int, doc_year) -> bool:
    """Past reports: 已/了/截至 in the sentence, or a year well before the document (§0 rule 4)."""
    return bool(RETRO.search(sentence(text, a, b))) or is_retrospective_year(last_year(text[a:b]), doc_year(a))


def _plan_period_attached(text: str, a: int, b: int) -> bool:
    """「“十四五”末」 always; 「“十四五”期间，…」 as a time frame, not a noun modifier; bare 「“十二五”」 next to a task verb."""
    expr, before, after = text[a:b], text[max(0, a - 8): a], text[b: b + 40]
    if expr.endswith(("末", "初")):
        return True
    if expr.endswith(("期间", "时期")):
        return bool(re.match(r"^[，,]", after) or TASK_VERB.match(after))
    return bool(re.search(r"完成\S{0,2}$", before) or TASK_VERB.match(after))


def _calendar_attached(text: str, a: int, b: int) -> bool:
    """A forward preposition before, a suffix or range inside, a task after, or a clause of its own."""
    expr, before, after = text[a:b], text[max(0, a - 8): a], text[b: b + 40]
    return bool(
        FORWARD_BEFORE.search(before) or SUFFIXED.search(expr) or TASK_AFTER.match(after)
        or (re.search(r"[。；;，,：:\n]$", before) and not after.startswith("的"))
    )


def prose_deadlines(text: str) -> list[tuple[int, int, str]]:
    """Calendar-anchored time phrases attached to tasks or targets in prose (§4b, H13, H14, §9.6–9.7).

    Table lines are skipped (their 「2025 年」 are headers, H21).
    """
    hits = []
    doc_year = document_years(text)
    for a, b in calendar_spans(text, 0, len(text)):
        if in_short_cell(text, a, b) or _not_a_task_time(text, a, b) or _retrospective(text, a, b, doc_year):
            continue
        attached = _plan_period_attached if PLAN_PERIOD.fullmatch(text[a:b]) else _calendar_attached
        if attached(text, a, b):
            hits.append((a, b, "DEADLINE"))
    return hits
