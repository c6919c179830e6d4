"""TARGET rules (guide §5, H15–H20): [comparator] + number + unit + [以上/以下/以内/左右].

A quantity is a TARGET when it has a comparator or a bound qualifier, or stands in a forward
sentence (到2020年, 力争, 目标, 完成, 新增…), and is not a policy parameter (subsidies, fees,
allocations, thresholds inside a noun phrase, time limits, frequencies) nor retrospective.
Table cells count in the target-year column only.
"""

from __future__ import annotations

import re

from annotate.rules.common import (
    RETRO, clause, document_years, in_short_cell, is_retrospective_year, last_year, sentence,
)

COMPARATOR = (
    r"(?:达到|不低于|不少于|不高于|不超过|超过|高于|低于|至少|控制在|保持在|稳定在|提高到|提高至|提升到|提升至|增加到|增加至"
    r"|增长到|增长至|增至|下降到|下降至|降到|降至|减少到|减少至|削减|下降|降低|减少|增长|增加|提高|提升|突破|保持|达|≥|≤|\\geq|\\leq)"
)
_NUM = r"(?:\d+:\d+|\d+(?:\.\d+)?|[一二三四五六七八九十两]+(?=[万亿千百个名所家项户人套处座]))"
_MULT = r"(?:万|亿|千|百万|千万)"
UNIT = (
    r"(?:%|‰|％|万吨标准煤|吨标准煤|标准煤|微克/立方米|亿立方米|平方米|平方公里|立方米|亿千瓦时|千瓦时|万千瓦|千瓦|蒸吨|[A-Za-z]{1,4}ps|公里|千米|米"
    r"|人次|学时|小时|万亩|亩|吨|元|次|个|人|户|所|家|项|处|套|张|座|条|部|名|篇|场|种|批|倍|辆|台|件|对|间|床)"
)
QUALIFIER = r"(?:及以上|及以下|以上|以下|以内|左右|\(含\)|（含）)"
DOUBLING = re.compile(r"翻[一两二]番")  # a multiplier target without digits (H16)
QUANTITY = re.compile(
    rf"(?P<cmp>{COMPARATOR})?(?P<num>(?:约|近)?{_NUM}(?:(?:至|到|—|-|~|一){_NUM})?{_MULT}?(?:余|多)?)"
    rf"(?P<unit>[%‰]。(?=以下)|{UNIT}(?:[（(][\u4e00-\u9fff]{{1,2}}[)）])?)?(?P<qual>{QUALIFIER})?"
)
# words of a forward sentence: a deadline, a commitment or a task verb
FORWARD = re.compile(
    r"到\d{4}|力争|确保|目标|任务|计划|实现|做到|至少|达到|完成|新增|新建|建成|建设|建立|设立|建|选配|筛选|制定"
    r"|扶持|培训|实施|创建|培育|打造|改造|发展|引进|推广|覆盖|淘汰|节约|削减|下降|降低|提高"
)
MONEY_PARAM = re.compile(
    r"注册资本|电价|每千瓦时|补助|补贴|奖励|资助|贷款|贴息|给予|安排|每生|每人|最高|收费|费用|价格|担保|扶持|补偿|承担|拨付|以奖代补"
)
# headings of retrospective sections (现状, 发展成效, 规划背景…), §0 rule 4
RETRO_HEAD = re.compile(r"背景|现状|(?<!初见)成效|发展基础|回顾|完成情况|如期实现|成就|形势")
HEADING = re.compile(
    r"(?m)^(?:(?P<l0>第[一二三四五六七八九十]+章)|(?P<l1>第[一二三四五六七八九十]+节)"
    r"|(?P<l2>[一二三四五六七八九十]+、)|(?P<l3>[（(][一二三四五六七八九十]+[）)]))[^\n]{0,40}$"
)
QUOTED = re.compile(r"[“\"][^”\"\n]{1,14}[”\"]")
NOT_UNIT_AFTER = re.compile(r"^(?:内|以内办结|工作日|周岁|岁|年|月|日|季度|次/|/)")
PARAM_CLAUSE = re.compile(r"原则上|不得|股权投资|调剂|还款率|的标准|高度|总投资|[具持]有|应当|须|必须|资质")
ENUMERATION = re.compile(r"\D*?(?:[\u4e00-\u9fff]{1,5}、){2,}[\u4e00-\u9fff]{1,5}(?:和[\u4e00-\u9fff]{1,5})?")
STRUCTURE = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:行动|工程|任务|措施|方面|领域|行业|评价指标)")


class _Context:
    """The text around one quantity match, as the parameter tests need it."""

    def __init__(self, text: str, m: re.Match):
        self.m, self.text = m, text
        self.a, self.b = m.span()
        cs, ce = clause(text, self.a, self.b)
        self.clause = text[cs:ce]
        self.head = text[cs: self.a]  # clause text before the quantity
        self.before = text[max(0, self.a - 3): self.a]
        self.after = text[self.b: self.b + 12]
        self.unit = m.group("unit") or ""
        self.cmp = m.group("cmp")


def _not_a_measure(c: _Context) -> bool:
    """Ordinals, time limits, ages, ratios per unit, totals after 等/共 (「第3」, 「7个工作日内」, 「等3个」)."""
    if c.after.startswith(("“", '"')) and not c.unit.endswith(("%", "％")):
        return True  # 「24小时“不打烊”服务」: part of a name
    if NOT_UNIT_AFTER.match(c.after) or re.search(r"(?:第|等|前|每|近|共|后|序号|由|涉及|围绕|对)$", c.before):
        return True
    if "涉及" in c.head:  # 「涉及16个州、市中的74个县」: the scope of a project list
        return True
    if c.unit == "对" and c.after.startswith(tuple("接口应象外比")):
        return True  # 「110对接」
    if not c.cmp and re.search(r"\d年$", c.before):
        return True  # 「2017年10件惠民实事」: a count in a name
    return not c.cmp and re.match(r"[一二三四五六七八九十两]", c.m.group("num")) is not None  # 「六个严禁」


def _standard_or_baseline(c: _Context) -> bool:
    """Compliance standards (「应 100% 建设」), capacities in names (「年产10万吨」), baselines (「72微克/立方米基准值」)."""
    return bool(re.search(r"(?:应|应当|须|必须|年产)$", c.before) or re.match(r"^的?(?:基准|基数)", c.after))


def _share(c: _Context) -> bool:
    """Allocation and cost shares: 「不低于总量的30%」, 「各承担10%」, 「总投资的6%」 (§5, H19)."""
    if re.search(r"(?:总量|资金|总额|经费|总投资|总收入|收入|标准)的$", c.head):
        return True
    if re.search(r"(?:\d年|年末|年底)的$", c.head) or (not c.cmp and re.search(r"由[^，,。；;]{0,12}$", c.head)):
        return True  # baselines: 「由 2015 年的 2829 元上升到…」, 「由132处增加到…」
    if c.cmp:
        return False
    return bool(re.search(r"(?:各|分别)(?:承担|负担)|占[^，,。；;]{0,10}$", c.head))


def _money_or_allocation(c: _Context) -> bool:
    """Subsidies, fees, loans and allocations (§5, H18): money or shares in a benefit clause, 安排/计算/上下限."""
    if ("元" in c.unit or c.unit in ("%", "％", "‰")) and MONEY_PARAM.search(c.clause):
        return True
    return not c.cmp and bool(re.search(r"安排|计算|[上下]限", c.clause))


def _frequency_or_structure(c: _Context) -> bool:
    """「每季度组织1次」 and structure counts 「开展5项提升行动」, 「昆明、红河、曲靖3个…中心」 (§5)."""
    if c.unit == "次" and re.search(r"每|连续", c.clause) or c.unit == "小时" and "每" in c.clause and not c.cmp:
        return True
    if re.search(r"(?:开展|实施|围绕)$", c.before) and STRUCTURE.match(c.after):
        return True
    return bool(ENUMERATION.fullmatch(c.head))


def _regulation_clause(c: _Context) -> bool:
    """Conditions and requirements of regulations: 「…的，」, 原则上, 不得, 应当, 资质 (H28)."""
    return bool(re.match(r"^的[，,；;]", c.after) or PARAM_CLAUSE.search(c.clause))


def _attribute_threshold(c: _Context) -> bool:
    """「30户以上自然村」: a bound inside a noun phrase, unless a task verb makes it an output (「申报3个以上…」)."""
    return bool(
        not c.cmp and c.m.group("qual") and not c.unit.endswith(("%", "％"))
        and re.match(r"^的?[\u4e00-\u9fff]", c.after)
        and not (TASK_VERB_BEFORE.search(c.text[max(0, c.a - 4): c.a])
                 and not re.search(r"(?:禁止|不再|不得|严禁)\S{0,2}$", c.text[max(0, c.a - 6): c.a]))
    )


PARAMETER_TESTS = (_not_a_measure, _standard_or_baseline, _share, _money_or_allocation,
                   _frequency_or_structure, _regulation_clause, _attribute_threshold)


def is_parameter(text: str, m: re.Match) -> bool:
    """Policy parameters, thresholds, limits, frequencies and names (§5 'Not TARGET')."""
    c = _Context(text, m)
    return any(test(c) for test in PARAMETER_TESTS)


TASK_VERB_BEFORE = re.compile(r"(?:申报|建设|建成|新建|培育|打造|创建|培训|新增|完成|实施|引进|扶持|推广|形成|评定|改造|筛选)$")
ARTICLE = re.compile(r"第[一二三四五六七八九十百]+条")
BARE_CHANGE = {"提高", "提升", "增加", "增长", "下降", "降低", "减少", "削减"}


def _span(m: re.Match) -> tuple[int, int]:
    """The TARGET span; a bare change verb before a count is a task verb, not a comparator (「提升 100 个乡镇卫生院」)."""
    unit = m.group("unit") or ""
    if m.group("cmp") in BARE_CHANGE and not re.search(r"[%‰％元]|吨|千瓦|立方米", unit):
        return m.start("num"), m.end()
    return m.span()


def _retrospective(text: str, a: int, b: int, year_at) -> bool:
    """A sentence that reports the past: 已/了/截至/实际完成, or only years well before the document (§0 rule 4)."""
    sent = sentence(text, a, b)
    if RETRO.search(sent):
        return True
    years = [last_year(y) for y in re.findall(r"(?:19|20)\d\d(?=年)|[十卜][一二三四五六七八九]五", sent)]
    return bool(years) and is_retrospective_year(max(years), year_at(a))


def _committed(text: str, m: re.Match) -> bool:
    """A comparator or bound on the quantity, a comparator before its base phrase, or a forward sentence."""
    a, b = m.span()
    if m.group("cmp") and re.search(r"(?:最高|最低)$", text[max(0, a - 2): a]):
        return False  # 「最高不超过20万元」: a cap
    cmp_before = re.search(COMPARATOR + r"[^，,。；;]{1,20}的$", text[max(0, a - 30): a])
    return bool(m.group("cmp") or m.group("qual") or cmp_before or FORWARD.search(sentence(text, a, b)))


def _candidates(text: str):
    """Quantity matches with a unit, a bound or a 万/亿 multiplier, then 翻一番-style multipliers."""
    for m in QUANTITY.finditer(text):
        if m.group("unit") or m.group("qual") or re.search(r"\d[万亿]$", m.group("num")) or (
                m.group("cmp") and ":" in m.group("num")):  # 「不低于1:10」
            yield m
    yield from DOUBLING.finditer(text)


def find_targets(text: str) -> list[tuple[int, int, str]]:
    """TARGET spans in prose and in the target-year column of tables."""
    hits = table_targets(text)
    year_at = document_years(text)
    skip = retrospective_sections(text) + [q.span() for q in QUOTED.finditer(text)]
    for m in _candidates(text):
        a, b = m.span()
        if any(s <= a < e for s, e in skip) or ARTICLE.match(text, text.rfind("\n", 0, a) + 1):
            continue  # retrospective sections, quoted names, articles of regulations (H28)
        if in_short_cell(text, a, b) or _retrospective(text, a, b, year_at):
            continue  # indicator table cells are left to table_targets
        if m.re is DOUBLING:
            hits.append((a, b, "TARGET"))
        elif not is_parameter(text, m) and _committed(text, m):
            hits.append((*_span(m), "TARGET"))
    return hits


def retrospective_sections(text: str) -> list[tuple[int, int]]:
    """View ranges under headings such as 「第一章 规划背景」 or 「一、发展成效」.

    A range runs to the next heading of the same or a higher level.
    """
    zones, open_at, open_level = [], None, None
    for m in HEADING.finditer(text):
        level = next(i for i in range(4) if m.group(f"l{i}"))
        if open_at is not None and level <= open_level:
            zones.append((open_at, m.start()))
            open_at = None
        if open_at is None and RETRO_HEAD.search(m.group()):
            open_at, open_level = m.start(), level
    if open_at is not None:
        zones.append((open_at, min(len(text), open_at + 20000)))
    return zones


def table_targets(text: str) -> list[tuple[int, int, str]]:
    """Cells in the target-year column (2025年 / 目标值) of tab-separated indicator tables (§5 Tables, H21)."""
    hits = []
    year_at = document_years(text)
    col = None
    pos = 0
    for line in text.split("\n"):
        cells = line.split("\t")
        if len(cells) >= 3:
            years = [(i, int(y.group(1))) for i, c in enumerate(cells) if (y := re.fullmatch(r"(\d{4})年(?:目标值?)?", c))]
            goal = [i for i, c in enumerate(cells) if re.fullmatch(r"(?:目标值?|预期目标|规划目标)", c)]
            if years or goal:
                col = goal[0] if goal else max(years, key=lambda t: t[1])[0]
                if years and not goal and is_retrospective_year(max(y for _, y in years), year_at(pos)):
                    col = None  # a retrospective table
                if len(years) < 2 and not goal:
                    col = None
            elif col is not None and len(cells) > col:
                cs = pos + sum(len(c) + 1 for c in cells[:col])
                cell = re.sub(r"</?p>", "", cells[col])
                off = cells[col].find(cell) if cell else 0
                if re.search(r"\d", cell):
                    hits.append((cs + off, cs + off + len(cell), "TARGET"))
        elif line.strip() and "\t" not in line and len(line) > 40:
            col = None
        pos += len(line) + 1
    return hits
