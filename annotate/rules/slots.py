"""Responsibility slots: labelled fields, role-verb notes and 责任单位 table columns (guide §1.1, F1–F15).

Everything listed in a slot is annotated (§9.3). 牵头 roles and 牵头单位: give LEAD_UNIT, the other
role words and labels give UNIT; the time part of a note gives DEADLINE (§4a).
Offsets are view offsets; each function returns ``(start, end, label)`` triples.
"""

from __future__ import annotations

import re

from annotate.rules.deadlines import slot_value_spans
from annotate.rules.units import split_units

Hit = tuple[int, int, str]

LEAD_ROLE = r"(?:按职责牵头|按照职责牵头|牵头负责|负责牵头|主牵头|牵头)"
UNIT_ROLE = (
    r"(?:按照职责分工负责|按职责分工负责|按照职责负责|按职责负责|分别负责|负责落实|具体负责|共同负责|负总责|负主体责任|负责"
    r"|配合|协助|参与|参加|协办|主办(?!单位)|承办(?!单位))"
)
# 牵头单位/牵头部门 are labels or role nouns, 负责人/负责同志/负责制 are persons and systems (§3)
ROLE = re.compile(rf"(?P<lead>{LEAD_ROLE})(?!单位|部门)|(?P<unit>{UNIT_ROLE})(?!人|同志|制)")
LEAD_LABEL = r"(?:牵头责任单位|牵头责任部门|牵头单位|牵头部门|主办单位牵头)"
UNIT_LABEL = r"(?:协同责任单位|协同单位|协同部门|配合部门|责任单位|责任部门|主办单位|协办单位|配合单位|参与单位|实施单位)"
TIME_LABEL = r"(?:完成时限|时间节点|完成时间|完成期限|时限)"
OTHER_LABEL = r"(?:[\u4e00-\u9fff]{2,6}(?:任务|内容|目标|要求|措施|名称|地点|规模))"
FIELD = re.compile(
    rf"(?:(?P<lead>{LEAD_LABEL})|(?P<unit>{UNIT_LABEL})|(?P<time>{TIME_LABEL})|(?P<other>{OTHER_LABEL}))[:：]"
)
NOTE = re.compile(r"[（(](?P<body>(?:[^（）()]|[（(][^（）()\n]{0,30}[）)]){2,1500})[）)]")
CLAUSE_END = re.compile(r"[；;。\n]")


def _close_bracket(text: str, start: int, end: int) -> int:
    """End of a field value: the first unmatched closing bracket, else ``end``."""
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in "（(〔[":
            depth += 1
        elif ch in "）)〕]":
            if depth == 0:
                return i
            depth -= 1
    return end


def field_slots(text: str) -> tuple[list[Hit], list[tuple[int, int]]]:
    """Labelled fields anywhere: 牵头单位:/责任单位:/主办单位:/完成时限: and their values (F1, F4, F6, F10).

    Returns the hits and the view ranges covered by field values (which the other rules skip).
    """
    hits: list[Hit] = []
    covered: list[tuple[int, int]] = []
    fields = list(FIELD.finditer(text))
    for k, m in enumerate(fields):
        vstart = m.end()
        while vstart < len(text) and text[vstart] == "\n":  # 「责任单位：」 on its own line
            vstart += 1
        nxt = fields[k + 1].start() if k + 1 < len(fields) else len(text)
        end = _close_bracket(text, vstart, min(nxt, vstart + 800))
        if m.group("other"):
            continue
        stop = CLAUSE_END.search(text, vstart, end)
        vend = stop.start() if stop else end
        if m.group("time"):
            hits += [(a, b, "DEADLINE") for a, b in slot_value_spans(text, vstart, vend)]
        else:
            label = "LEAD_UNIT" if m.group("lead") else "UNIT"
            hits += [(a, b, label) for a, b in split_units(text, vstart, vend, in_slot=True)]
            # the rest of the note after the list: a time part (「。2018年3月底前完成」)
            if stop and end > stop.end():
                hits += _time_part(text, stop.end(), end)
        covered.append((m.start(), vend))
    return hits, covered


def _time_part(text: str, start: int, end: int) -> list[Hit]:
    """DEADLINE spans in the time part of a note: calendar parts, else standing values (§4a, H11, H12)."""
    hits: list[Hit] = []
    for piece in re.finditer(r"[^，,；;。]+", text[start:end]):
        a, b = start + piece.start(), start + piece.end()
        while a < b and text[a] == "\n":
            a += 1
        while b > a and text[b - 1] == "\n":
            b -= 1
        if a >= b:
            continue
        hits += [(s, e, "DEADLINE") for s, e in slot_value_spans(text, a, b)]
    return hits


def _list_start(text: str, start: int, role_start: int, after_role: bool) -> int:
    """Where the organisation list in front of a role word begins.

    After a previous role word, the text up to the next comma is that role's domain (F14:
    「省安全监管局负责危险化学品生产、储存…企业；」), not a list.
    """
    if after_role and start < role_start and text[start] not in "，,、":
        comma = re.search(r"[，,]", text[start:role_start])
        return start + comma.end() if comma else role_start
    return start


def role_clause(text: str, start: int, end: int) -> list[Hit]:
    """Role-verb note content 「X牵头，Y、Z配合；W按照职责分工负责，持续推进」 (F2, F3, F5, F7, F8, F14)."""
    hits: list[Hit] = []
    for clause in re.finditer(r"[^；;。]+", text[start:end]):
        cs, ce = start + clause.start(), start + clause.end()
        pos, after_role, last = cs, False, []
        roles = list(ROLE.finditer(text, cs, ce))
        for r in roles:
            label = "LEAD_UNIT" if r.group("lead") else "UNIT"
            ls = _list_start(text, pos, r.start(), after_role)
            units = split_units(text, ls, r.start(), in_slot=True) if ls < r.start() else []
            if units:
                last = [(a, b, label) for a, b in units]
                hits += last
            elif label == "LEAD_UNIT" and last and not text[ls:r.start()].strip("，,"):
                # H8: 「省交通运输厅负责运输企业,牵头负责…」 → one mention with both roles is LEAD
                hits = [h for h in hits if h not in last]
                last = [(a, b, "LEAD_UNIT") for a, b, _ in last]
                hits += last
            pos, after_role = r.end(), True
        tail = pos
        if roles:
            comma = re.search(r"[，,]", text[pos:ce])
            if comma is None:
                continue
            tail = pos + comma.end()
        hits += _time_part(text, tail, ce)
    return hits


def note_slots(text: str, covered: list[tuple[int, int]]) -> list[Hit]:
    """Bracketed notes with role words and no field label (F2, F3, F5, F7, F8, F11, F12, F15)."""
    hits: list[Hit] = []
    for m in NOTE.finditer(text):
        a, b = m.span("body")
        if any(a < e and s < b for s, e in covered):
            continue
        body = m.group("body")
        if not ROLE.search(body):
            if re.match(r"[\d“\"]", body) and re.search(r"完成|成果|推进|底前|月前", body):
                hits += _time_part(text, a, b)  # F15: a note with a time part only
            continue
        first = ROLE.search(body)
        if not split_units(text, a, a + first.start(), in_slot=True):
            continue  # a bracket that does not open with an organisation list is prose
        hits += role_clause(text, a, b)
    return hits


def table_slots(text: str) -> list[Hit]:
    """Cells of a 责任单位 column in tab-separated tables, with the first-listed convention (F9, §1.1)."""
    hits: list[Hit] = []
    col = None
    first_lead = False
    line_start = 0
    for line in text.split("\n"):
        cells = line.split("\t")
        header = [i for i, c in enumerate(cells) if re.fullmatch(r"(?:责任单位|责任部门|牵头单位|主办单位)", c)]
        if header:
            col = header[0]
        elif col is not None and len(cells) > col and "\t" in line:
            cs = line_start + sum(len(c) + 1 for c in cells[:col])
            ce = cs + len(cells[col])
            cell = cells[col]
            if re.search(r"[列排]首位的?为牵头单位", cell):
                first_lead = True
            conv = re.search(r"[（(][^（）()]*首位[^（）()]*[）)]", cell)
            if conv:
                ce = cs + conv.start()
            units = split_units(text, cs, ce, in_slot=True)
            for k, (a, b) in enumerate(units):
                # a lone unit is also "listed first" (000:285 in the gold)
                hits.append((a, b, "LEAD_UNIT" if first_lead and k == 0 else "UNIT"))
            # role words inside the task cells are handled by the prose rules
        elif "\t" not in line and len(line) > 60:
            col, first_lead = None, False  # a prose paragraph ends the table (short lines are page furniture)
        line_start += len(line) + 1
    return hits
