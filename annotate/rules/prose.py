"""Responsibility in running text: the agent of 牵头 (LEAD_UNIT) or of a UNIT role word (guide §2, §3, H5, H24–H28).

The agent is the list of organisation mentions directly before the role word, back to the
previous clause boundary, after a leading 由 / 建立 / 发挥 (「建立由省商务厅牵头」, 「发挥X牵头抓总的作用」).
Every item of that list must be an organisation mention (§1.2): generic private actors, persons,
places and generic role nouns are not (§9.1). Role nouns: 「X为/是…牵头单位」 (LEAD),
「X为/是…承办单位/责任主体」 (UNIT). 要, 会同, 请, 做好, 指导, 组织 are not role words.
"""

from __future__ import annotations

import re

from annotate.rules.slots import ROLE
from annotate.rules.units import TRAILING, has_head, split_units

Hit = tuple[int, int, str]

BOUNDARY = "，,。；;：:\n\t>"
ITEM_MARKER = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|第[一二三四五六七八九十百]+条|\d+[.．、]|[一二三四五六七八九十]+、)")
ROLE_NOUN = re.compile(
    r"(?:是|为|作为)[^，,。；;\n是为]{0,40}?(?:(?P<lead>牵头单位|牵头部门)|(?P<unit>承办单位|责任主体|责任单位))"
)
AGENT_PREFIX = re.compile(r"^.*?(?:由|建立|成立|设立|发挥|明确|依托|的)(?!.*(?:由|建立|成立|设立|发挥|明确|依托|的))")
AGENT_SUFFIX = re.compile(r"(?:要|应|应当|需|需要|发挥|具体|分别|共同|主要|也|均|在[^，,。]{1,15}下)+$")
PRIVATE = re.compile(r"(?:企业|金融机构|医疗机构|养老机构|服务机构|项目单位|合作社|厂家|社会组织)$")
# bodies named without a place prefix (mass organisations)
NAMED = re.compile(r"^(?:工会|共青团|妇联|残联|科协|工商联|文联|社科联|红十字会|团委)$")
# duty phrases that assign a task to each listed body (「省直有关部门要各司其职、各负其责」)
DUTY = re.compile(r"各司其职|各负其责")
PLACE_START = re.compile(r"^(?:[省市州县区]|各|有关|相关|国家|中国|中共|[\u4e00-\u9fff]{1,5}[省市州县区])")
PLAIN_HEADS = re.compile(r"(?:部门|机关|政府|管委会|领导小组|成员单位|办公室|工委)$")
PAST = re.compile(r"起草了|了[，,。；;]|制定了|形成了")


def prose_mention(item: str) -> bool:
    """Stricter than a slot: a named body, a collective or a generic government body type (§1.2)."""
    item = item.replace("\n", "")
    if not has_head(item) or PRIVATE.search(item) or len(item) > 30 or re.match(r"[\d两第个]", item):
        return False
    named = 5 <= len(item) <= 12 and item[-1] in "局厅" and not re.search(r"[和的性]", item)  # 「民航云南安全监管局」
    return bool(NAMED.match(item) or named or PLACE_START.match(item) or PLAIN_HEADS.search(item))


def _agent_list(text: str, role_start: int, floor: int) -> tuple[int, int] | None:
    """The view range of the agent list before a role word, or None."""
    start = role_start
    while start > floor and text[start - 1] not in BOUNDARY:
        start -= 1
    m = ITEM_MARKER.match(text[start:role_start])
    if m:
        start += m.end()
    close = max(text.rfind(")", start, role_start), text.rfind("）", start, role_start))
    if close >= 0 and not re.search(r"[（(]", text[start:close]):
        start = close + 1  # the tail of a bracket that opened before the clause
    end = role_start
    m = AGENT_SUFFIX.search(text[start:end])
    if m:
        end = start + m.start()
    m = AGENT_PREFIX.match(text[start:end])
    if m:
        start += m.end()
    m = re.match(r"^(.+?)对", text[start:end])
    if m:
        end = start + m.end(1)  # 「X对本行政区域内…负总责」
    return (start, end) if end > start else None


def _clause_before(text: str, pos: int) -> int | None:
    """Start of the clause that ends in a comma right before ``pos`` (None if no comma there)."""
    if pos == 0 or text[pos - 1] not in "，,":
        return None
    start = pos - 1
    while start > 0 and text[start - 1] not in BOUNDARY:
        start -= 1
    return start


def _subject_before(text: str, pos: int) -> tuple[int, int] | None:
    """「各级能源部门为…主管部门，牵头负责…」: the subject of the previous clause carries over to the role word."""
    start = _clause_before(text, pos)
    if start is None:
        return None
    m = re.match(r"(.{2,30}?)(?:为|是|作为)", text[start: pos - 1])
    return (start, start + m.end(1)) if m else None


def _founded_before(text: str, pos: int) -> tuple[int, int] | None:
    """「成立X领导小组，负责…」: the body set up in the clause before a comma and the role word."""
    start = _clause_before(text, pos)
    if start is None:
        return None
    m = re.search(r"(?:成立|设立)(?!.*(?:成立|设立))", text[start: pos - 1])
    return (start + m.end(), pos - 1) if m else None


def _mentions(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """Mentions of a list that consists of organisation mentions only, else None."""
    units = split_units(text, start, end, in_slot=False)
    if not units or not prose_mention(text[units[0][0]: units[0][1]]):
        return None
    # after a named first item, bodies with an elided prefix follow (「自治区财政厅、科技厅」, H1)
    if not all(has_head(text[a:b]) and not PRIVATE.search(text[a:b]) for a, b in units[1:]):
        return None
    rest = text[start:end]
    for a, b in units:
        rest = rest.replace(text[a:b], "", 1)
    rest = TRAILING.sub("", rest.replace("and", ""))
    if re.sub(r"[、，,和及与\n（）()]|以下均需|均需", "", rest):
        return None  # words other than separators are left: not a pure list
    return units


def _sentence(text: str, pos: int) -> str:
    s = max(text.rfind(ch, 0, pos) for ch in "。\n") + 1
    e = [i for i in (text.find(ch, pos) for ch in "。\n") if i >= 0]
    return text[s: min(e) if e else len(text)]


def prose_units(text: str, taken: list[tuple[int, int]]) -> list[Hit]:
    """LEAD_UNIT and UNIT agents of role words and role nouns in prose."""
    hits: list[Hit] = []
    triggers = [(m.start(), "LEAD_UNIT" if m.group("lead") else "UNIT") for m in ROLE.finditer(text)]
    triggers += [(m.start(), "LEAD_UNIT" if m.group("lead") else "UNIT") for m in ROLE_NOUN.finditer(text)]
    triggers += [(m.start(), "UNIT") for m in DUTY.finditer(text)]
    for pos, label in sorted(triggers):
        if any(a <= pos < b for a, b in taken):
            continue
        if PAST.search(_sentence(text, pos)):
            continue  # how the document was drafted (§9.4)
        span = _agent_list(text, pos, max(0, pos - 80)) or _founded_before(text, pos) or _subject_before(text, pos)
        if span is None:
            continue
        units = _mentions(text, *span)
        if units:
            hits += [(a, b, label) for a, b in units]
    return hits
