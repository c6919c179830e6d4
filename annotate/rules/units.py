"""Organisation mentions inside a list (guide §1.2, §1.3, H1–H4).

A list such as 「省发展改革委、工业和信息化委，各州、市人民政府等部门」 is cut at the separators
、，,；; into items; bare level or domain words before a shared head are glued back to that
head (「各州、市人民政府」, 「各级公安、统计、调查部门」); brackets naming a different body become
their own span (「省发展改革委(省物价局、能源局)」), other brackets stay inside.
All positions are offsets in the matching view.
"""

from __future__ import annotations

import re

# organisational head words (§1.2); longest first so that the regex prefers them
HEADS = (
    "人民政府 管委会 委员会 领导小组 成员单位 办公厅 办公室 部门 单位 机关 机构 中心 分公司 公司 分行 支行 海关 "
    "集团 协会 学会 法院 检察院 供电局 行署 公署 大学 学院 政府 厅 局 委 办 部 院 会 联 司 协 室 队 段 组 团 台 馆 处 所 站 社 行 校 军"
).split()
HEAD_END = re.compile("(?:" + "|".join(map(re.escape, HEADS)) + r")(?:[（(][^（）()]{1,6}[）)])?$")
# place-type collectives that count inside a slot (§9.3)
PLACE_COLLECTIVE = re.compile(r"^(?:各|有关|相关)[\u4e00-\u9fff（）()]{1,10}$")
SEPARATORS = "、，,；;."
# trailing words that are never part of the mention (§1.3)
TRAILING = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位|群团组织|部门和单位|单位和部门)?|要|具体|分别|共同|按照职责分工|按职责分工|按照职责|按职责"
    r"|主要|为|是|对|也|均|\n|。|：|:|</?p>)+$"
)
SHARED_HEAD = re.compile(r"等(?:有关|相关)?部门")
LEADING = re.compile(r"^(?:由|和|及|以及|并|以下均需|均需|\n|：|:|。|</?p>)+")
BRACKET = re.compile(r"[（(〔\[]([^（）()〔〕\[\]]{1,40})[）)〕\]]$")
OPEN, CLOSE = "（(〔[", "）)〕]"
GENERIC_ROLE_NOUNS = re.compile(r"^(?:各|其他)?(?:牵头|责任|配合|协办|承办|主办|参与)(?:单位|部门|责任单位)$")
PERSONS = re.compile(r"(?:领导|同志|负责人|组长|主任|局长|厅长|书记|督导员|人员|专家|干部)$")


def has_head(item: str) -> bool:
    """Whether ``item`` ends in an organisational head word (§1.2)."""
    return bool(HEAD_END.search(item))


def _split_top(text: str) -> list[tuple[int, int, str]]:
    """Cut ``text`` at top-level separators, returning (start, end, separator after)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in SEPARATORS and depth == 0:
            parts.append((start, i, ch))
            start = i + 1
    parts.append((start, len(text), ""))
    return parts


def _trim(text: str, a: int, b: int, keep_shared_head: bool = False) -> tuple[int, int]:
    """Strip leading 由/和 and trailing 等部门/要/… from text[a:b].

    「发展改革和财政等有关部门」: when the words before 等 have no head of their own, 等…部门 is the
    shared head and stays (H3).
    """
    if keep_shared_head:
        m = SHARED_HEAD.search(text, a, b)
        if m and not has_head(text[a: m.start()]):
            a, end = _trim(text, a, m.start())
            return a, m.end() if end > a else end
    while True:
        seg = text[a:b]
        m = LEADING.match(seg)
        if m and m.end():
            a += m.end()
            continue
        m = TRAILING.search(seg)
        if m and m.start() > 0 and m.end() > m.start():
            b = a + m.start()
            continue
        return a, b


def _bracket_split(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """「主管部门(具体机构)」 → two mentions when the bracket names another body (§1.3)."""
    seg = text[a:b]
    m = BRACKET.search(seg)
    if not m or m.start() == 0:
        return [(a, b)]
    inner = m.group(1)
    if not re.match(r"[省市州县区]", inner) or not has_head(re.split(r"[、，,]", inner)[0]):
        return [(a, b)]
    out = [(a, a + m.start())]
    pos = a + m.start() + 1
    for s, e, _ in _split_top(inner):
        out.append((pos + s, pos + e))
    return out


def _joint_offices(text: str, items: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """「市委、市政府督查室」 is one joint party–government office (H4)."""
    out: list[tuple[int, int, str]] = []
    for a, b, sep in items:
        if out and out[-1][2] == "、":
            pa, pb, _ = out[-1]
            prev, cur = text[pa:pb], text[a:b]
            if re.fullmatch(r"([省市州县])委", prev) and re.match(prev[0] + r"政府\S+", cur):
                out[-1] = (pa, b, sep)
                continue
        out.append((a, b, sep))
    return out


def _split_conjunctions(text: str, items: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Cut 「X和Y」 when both sides are organisations (not 「工业和信息化委」, 「丽江市、红河州和普洱市人民政府」)."""
    out = []
    for a, b, sep in items:
        for m in re.finditer(r"和|及|与|and", text[a:b]):
            left, right = text[a: a + m.start()], text[a + m.end(): b]
            if has_head(left) and has_head(right) and len(left) >= 3:
                out.append((a, a + m.start(), "和"))
                a = a + m.end()
                break
        out.append((a, b, sep))
    return out


def _bare_word(item: str) -> bool:
    """A level, place or domain word that waits for a shared head (「各州」, 「特区」, 「卫生计生」)."""
    if len(item) > 10 or re.search(r"[（）()]|领导|主导|牵头|负责|配合|实行|健全|完善|建立", item):
        return False
    if re.search(r"(?:州|市|县|区|特区|盟|旗|地区|省)$", item) or item.startswith("各级"):
        return True
    return not re.match(r"[省市州县]", item)


def is_mention(item: str, in_slot: bool) -> bool:
    """Whether a trimmed list item is an organisation mention (§1.2, §9.1, §9.3)."""
    if not item or len(item) > 40 or GENERIC_ROLE_NOUNS.match(item) or PERSONS.search(item):
        return False
    if re.search(r"[。：:《》\t]", item) or re.fullmatch(r"[\d\W]+", item):
        return False
    if re.match(r"[\d两第个]|依法|适时|报请|请|完善|健全|加强|推进|建立", item) or item in ("部门", "单位", "政府", "机构", "机关"):
        return False  # counts (「两个及以上部门」), recipients (「报请省环境保护厅」), bare generic heads
    if has_head(item):
        return True
    # in a slot every listed body counts: place collectives (§9.3) and OCR-damaged names (H22)
    return in_slot and bool(PLACE_COLLECTIVE.match(item) or re.match(r"[省市州县][\u4e00-\u9fff]{3,14}$", item))


def split_units(text: str, start: int, end: int, in_slot: bool = True) -> list[tuple[int, int]]:
    """Organisation mentions in the list ``text[start:end]`` as view offsets (§1.3)."""
    seg = text[start:end]
    items = _joint_offices(text, [(start + a, start + b, sep) for a, b, sep in _split_top(seg)])
    mentions: list[tuple[int, int]] = []
    pending: int | None = None  # start of bare words waiting for their shared head
    waiting: list[tuple[int, int]] = []  # those bare words, in case no head comes (§9.3)
    for a, b, sep in _split_conjunctions(text, items):
        a, b = _trim(text, a, b, keep_shared_head=pending is not None or sep == "")
        if b <= a:
            pending, waiting = None, []
            continue
        item = text[a:b]
        if not has_head(item) and sep == "、" and _bare_word(item):
            # 「各州、市人民政府」, 「各级公安、统计、调查部门」: a head is still to come
            pending = a if pending is None else pending
            waiting.append((a, b))
            continue
        if pending is not None:
            if has_head(item) and not re.match(r"(?:各|有关|相关|省直|市直|州直)", item):
                a = pending
            else:  # no shared head: slot place collectives such as 「各街道、各乡镇」 stand alone
                mentions += [(s, e) for s, e in waiting if is_mention(text[s:e], in_slot)]
        pending, waiting = None, []
        parts = _bracket_split(text, a, b)
        for s, e in parts:
            if len(parts) > 1:
                s, e = _trim(text, s, e)
            if e > s and is_mention(text[s:e].replace("\n", ""), in_slot):
                mentions.append((s, e))
    return sorted(set(mentions))
