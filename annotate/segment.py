"""Split a gazette issue into documents and task items (CORPUS_NOTES §2–4, DOC_FIELDS).

Documents are anchored on 文号 lines (``云政发〔2016〕103号`` alone on a line, or bracketed
under the title in 004); the title is the 1–3 lines above. Front matter, 人事任免 and 大事记
become documents of their own kind, so the documents partition the issue in order.
Items (numbered paragraphs, table rows, paragraphs with a responsibility note) are found on
the normalised view and reported with raw offsets, as is everything here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from annotate.normalize import (
    DATE_LINE,
    DOC_NUMBER,
    ISSUER_LINE,
    ITEM_MARKER,
    Line,
    content_lines,
    is_cjkish,
    is_furniture,
    normalize,
    view_span,
)
from annotate.types import Document, TaskItem, TextView

__all__ = ["segment_issue", "find_items", "find_notes", "ISSUER_BY_CODE", "parse_date"]

# 文号 code → issuing organ, for documents whose title and signature do not name it.
ISSUER_BY_CODE = {
    "云政发": "云南省人民政府",
    "云政办发": "云南省人民政府办公厅",
    "云政办函": "云南省人民政府办公厅",
    "云政办规": "云南省人民政府办公厅",
    "云政任": "云南省人民政府",
    "云广规": "云南省广播电视局",
    "楚政通": "楚雄州人民政府",
    "楚政办通": "楚雄州人民政府办公室",
    "曲政发": "曲靖市人民政府",
    "曲政办发": "曲靖市人民政府办公室",
    "六盘水府发": "六盘水市人民政府",
    "六盘水府办发": "六盘水市人民政府办公室",
}

_ORGAN_END = re.compile(r"(?:人民政府|政府|办公厅|办公室|委员会|局|委|厅)$")
_TITLE_VERB = re.compile(r"关于|印发|转发")
_FULL_DATE = re.compile(r"((?:\d|\(\)|（）|[Oo]){4})年(\d{1,2})月(\d{1,2})日")
_LEADING_DATE = re.compile(r"(?:\d|\(\)|（）|[Oo]){4}年\d{1,2}月\d{1,2}日")
_PUBLIC = re.compile(r"[（(](?:此件公开发布|本文有删减)[)）]")
_TITLE_STOP = set("。；;：:")
# Imprint and furniture lines that can sit right above a first title.
_NOT_TITLE_END = re.compile(r"(?:公司|印刷厂|出版|研究室|编辑部)$")
_SECTION = re.compile(r"(?:省|州|市)?(?:政府|政府办公厅|政府办|政府办公室|级部门)文件")
_PERSONNEL = re.compile(r"(?:[\u4e00-\u9fff]{2,12}(?:人民政府|政府))?任免通知|人事任免")
_CHRONICLE_LINE = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}日(?:[—–-]\d{1,2}日)?[，,、—\s]")
_CHRONICLE_HEAD = re.compile(r".{0,12}大事记|\d{1,2}月份?|.{0,10}\d{4}年\d{1,2}月(?:[—–-]\d{1,2}月)?")

_NOTE_WORDS = re.compile(r"责任单位|责任部门|牵头单位|牵头部门|主办单位|协办单位|配合单位|完成时限|牵头|负责|配合|协助|参与")
_NOTE_TIME = re.compile(r"^\d{4}\s*年.{0,30}(?:前|底|完成|推进|成果)")
_NOTE_COLUMN = re.compile(r"(?:<p>)?(?:责任单位|牵头单位|主办单位|责任部门|牵头部门|责任主体)(?:</p>)?")
_FIELD_NOTE = re.compile(r"(?:主办单位|协办单位|责任单位|责任部门|牵头单位|牵头部门|配合单位)\s*[:：]")

_MARKER_LEVEL = [
    (re.compile(r"第[一二三四五六七八九十百零〇\d]+章"), 1),
    (re.compile(r"第[一二三四五六七八九十百零〇\d]+节"), 2),
    (re.compile(r"第[一二三四五六七八九十百零〇\d]+条"), 3),
    (re.compile(r"附件"), 1),
    (re.compile(r"[一二三四五六七八九十]{1,3}[、.．]"), 1),
    (re.compile(r"[（(][一二三四五六七八九十]{1,3}[)）]"), 2),
    (re.compile(r"专栏\s*\d+"), 3),
    (re.compile(r"\d{1,2}(?:[.．]|、)"), 3),
    (re.compile(r"[（(]\d{1,2}[)）]"), 4),
    (re.compile(r"[①-⑳]"), 5),
    (re.compile(r"——"), 5),
    (re.compile(r"[-•·*]\s"), 5),
]
TABLE_LEVEL = 6


@dataclass
class _Anchor:
    line: int  # index into the content lines
    number: str
    code: str


def _flat_cjk(text: str) -> str:
    """Drop whitespace that touches a CJK character (PDF spacing), keep it between Latin words."""
    out = []
    parts = re.split(r"(\s+)", text.strip())
    for i, p in enumerate(parts):
        if i % 2 == 1:
            left, right = parts[i - 1][-1:], parts[i + 1][:1]
            if left and right and not (is_cjkish(left) or is_cjkish(right)):
                out.append(" ")
        else:
            out.append(p)
    return "".join(out)


def parse_date(text: str) -> str | None:
    """ISO date of the first full Chinese date in ``text`` (spaces and OCR ``2()15`` tolerated)."""
    m = _FULL_DATE.search(re.sub(r"\s+", "", text))
    if not m:
        return None
    year = re.sub(r"\(\)|（）|[Oo]", "0", m.group(1))
    if not re.fullmatch(r"\d{4}", year):
        return None
    try:
        return date(int(year), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _canonical_number(flat: str) -> tuple[str, str]:
    s = flat.strip("（()）")
    s = re.sub(r"[\[［【]", "〔", s)
    s = re.sub(r"[\]］】]", "〕", s)
    return s, s.split("〔", 1)[0]


def _anchors(lines: list[Line]) -> list[_Anchor]:
    out = []
    for i, ln in enumerate(lines):
        if DOC_NUMBER.fullmatch(ln.flat):
            number, code = _canonical_number(ln.flat)
            out.append(_Anchor(i, number, code))
    return out


def _is_title_line(ln: Line) -> bool:
    f = ln.flat
    return not (
        "\t" in ln.text
        or len(f) > 70
        or f[-1] in _TITLE_STOP
        or DATE_LINE.fullmatch(f)
        or DOC_NUMBER.fullmatch(f)
        or _PUBLIC.fullmatch(f)
        or _SECTION.fullmatch(f)
        or is_furniture(ln)
        or (ITEM_MARKER.match(f) and not f.startswith(("(", "（")))
        or any(c in f for c in ":：")
        or _NOT_TITLE_END.search(f)
        or sum(c in "）)" for c in f) > sum(c in "（(" for c in f)
        or sum(1 for c in f if is_cjkish(c)) < sum(1 for c in f if c.isascii() and c.isalpha())
    )


def _title_lines(lines: list[Line], anchor: int, floor: int) -> list[int]:
    """Indices of the 1–3 title lines directly above the 文号 line (not below ``floor``)."""
    picked: list[int] = []
    j = anchor - 1
    while j >= floor and len(picked) < 3 and _is_title_line(lines[j]):
        f = lines[j].flat
        if ISSUER_LINE.fullmatch(f) and not (picked and _TITLE_VERB.match(lines[picked[0]].flat)):
            break  # the previous document's signature, not a title line
        picked.insert(0, j)
        if _LEADING_DATE.match(f):
            break  # 004: the previous document's date glued to the title
        j -= 1
    while len(picked) > 1 and lines[picked[0]].flat[0] in "（(":
        picked.pop(0)  # a bracketed remark above the title, e.g. (以上附件略…)
    return picked


def _title_start(raw: str, ln: Line) -> int:
    """Raw start of a title line, after a date glued in front of it (004:77)."""
    m = re.match(r"\s*(?:\d|\(\)|（）|[Oo]){4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*", ln.text)
    return ln.start + (m.end() if m and m.end() < len(ln.text) else 0)


def _issuer_from_title(title: str) -> str | None:
    m = _TITLE_VERB.search(title)
    if m and m.start() > 0:
        prefix = title[: m.start()]
        if _ORGAN_END.search(prefix):
            return prefix
    return None


def _clip(raw: str, ln: Line, end: int) -> str:
    return raw[ln.start : min(ln.end, end)]


def _signature(raw: str, lines: list[Line], first: int, last: int, end: int) -> tuple[str | None, str | None]:
    """(issuer line, ISO date) from the first standalone date line of a document and the lines above it."""
    for k in range(first, last):
        text = _clip(raw, lines[k], end)
        flat = re.sub(r"\s+", "", text)
        if not flat or not DATE_LINE.fullmatch(flat):
            continue
        iso = parse_date(flat)
        if iso is None:
            continue
        issuer = None
        for j in range(k - 1, max(first, k - 4) - 1, -1):
            if ISSUER_LINE.fullmatch(lines[j].flat) and len(lines[j].flat) <= 20:
                issuer = lines[j].flat
                break
        return issuer, iso
    return None, None


def _body_start(lines: list[Line], anchor: int, last: int) -> int:
    """Line index where the body starts: after the 文号 and the addressee line(s) ending in ：."""
    for k in range(anchor + 1, min(anchor + 4, last)):
        f = lines[k].flat
        if "。" in f or len(f) > 80:
            break
        if f[-1] in "：:":
            return k + 1
    return anchor + 1


def _chronicle_start(lines: list[Line], lo: int) -> int | None:
    """First line of a run of date-led lines (大事记), moved up over its header lines."""
    led = [bool(_CHRONICLE_LINE.match(ln.flat)) for ln in lines]
    def is_head(f: str) -> bool:
        return len(f) <= 24 and bool(_CHRONICLE_HEAD.fullmatch(f)) and not _FULL_DATE.search(f)

    for k in range(lo, len(lines)):
        if led[k] and sum(led[k : k + 15]) >= 4:
            while k - 1 >= lo and is_head(lines[k - 1].flat):
                k -= 1
            return k
    return None


def _personnel_start(lines: list[Line], lo: int) -> int | None:
    for k in range(lo, len(lines)):
        if len(lines[k].flat) <= 24 and _PERSONNEL.fullmatch(lines[k].flat):
            return k
    return None


def segment_issue(raw: str, view: TextView | None = None) -> list[Document]:
    """Documents of one issue, in order, covering ``raw`` without gaps or overlaps."""
    if not raw:
        return []
    view = view if view is not None else normalize(raw)
    lines = content_lines(raw)
    anchors = [a for a in _anchors(lines) if not a.code.endswith("任")]
    if not lines:
        return [Document(0, len(raw), kind="front")]

    # (raw start, Document, 文号 line) for each section; sorted, each ends where the next starts.
    sections: list[tuple[int, Document, int | None]] = []
    floor = 0
    first_doc_line = None
    for a in anchors:
        tl = _title_lines(lines, a.line, floor)
        top = tl[0] if tl else a.line
        title = _flat_cjk(" ".join(lines[i].text for i in tl))
        title = _LEADING_DATE.sub("", title, count=1) if _LEADING_DATE.match(title) else title
        start = _title_start(raw, lines[top]) if tl else lines[a.line].start
        doc = Document(start, start, title=title, doc_number=a.number, kind="document")
        sections.append((start, doc, a.line))
        floor = a.line + 1
        if first_doc_line is None:
            first_doc_line = top

    lo = first_doc_line if first_doc_line is not None else 0
    p = _personnel_start(lines, lo + 1 if anchors else lo)
    if p is not None:
        f = lines[p].flat
        if f == "人事任免" and p + 1 < len(lines) and _PERSONNEL.fullmatch(lines[p + 1].flat):
            title = lines[p + 1].flat
        else:
            title = f
        sections.append((lines[p].start, Document(lines[p].start, lines[p].start, title=title, kind="personnel"), None))
    c = _chronicle_start(lines, lo)
    if c is not None:
        heads = [ln.flat for ln in lines[c : c + 3] if _CHRONICLE_HEAD.fullmatch(ln.flat)]
        title = "".join(h for h in heads if "大事记" in h or "年" in h) or "大事记"
        sections.append((lines[c].start, Document(lines[c].start, lines[c].start, title=title, kind="chronicle"), None))

    if not sections:
        # No 文号 anywhere (a single document pasted without its header): one document.
        doc = Document(0, len(raw), title=_flat_cjk(lines[0].text)[:100], kind="document", body_start=0)
        doc.date = parse_date(lines[-1].flat) if DATE_LINE.fullmatch(lines[-1].flat) else None
        doc.items = find_items(view, 0, len(raw))
        return [doc]
    sections.sort(key=lambda s: s[0])
    first = sections[0][0]
    docs: list[Document] = []
    if raw[:first].strip():
        docs.append(Document(0, first, title=lines[0].flat, kind="front"))
    else:
        sections[0][1].start = 0
    for i, (start, doc, _) in enumerate(sections):
        doc.end = sections[i + 1][0] if i + 1 < len(sections) else len(raw)
        docs.append(doc)
    docs = [d for d in docs if d.end > d.start]

    line_starts = [ln.start for ln in lines]
    for start, doc, anchor in sections:
        if doc.kind == "document" and anchor is not None:
            _fill_document(raw, lines, line_starts, doc, anchor)
        elif doc.kind == "personnel":
            nums = [a for a in _anchors(lines) if a.code.endswith("任") and doc.start <= lines[a.line].start < doc.end]
            if nums:
                doc.doc_number = nums[0].number
                doc.issuer = ISSUER_BY_CODE.get(nums[0].code)
        if doc.kind == "document":
            doc.items = find_items(view, doc.body_start if doc.body_start is not None else doc.start, doc.end)
    return docs


def _fill_document(raw: str, lines: list[Line], line_starts: list[int], doc: Document, anchor: int) -> None:
    last = bisect_left(line_starts, doc.end)
    body = _body_start(lines, anchor, last)
    doc.body_start = lines[body].start if body < last else lines[anchor].end
    sig_issuer, doc.date = _signature(raw, lines, anchor + 1, last, doc.end)
    code = _canonical_number(lines[anchor].flat)[1]
    doc.issuer = _issuer_from_title(doc.title) or sig_issuer or ISSUER_BY_CODE.get(code)


# ---------------------------------------------------------------- items and notes


def _match_close(text: str, i: int, limit: int = 600) -> int | None:
    """Index of the bracket closing ``text[i]`` (full- and half-width mixed), or None."""
    depth = 0
    for k in range(i, min(len(text), i + limit)):
        c = text[k]
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth -= 1
            if depth == 0:
                return k
    return None


def find_notes(text: str) -> list[tuple[int, int]]:
    """Responsibility notes in a paragraph: bracketed (F1–F8, F11, F15) or field lines (F4, F10)."""
    notes = []
    if _FIELD_NOTE.match(text):
        return [(0, len(text.rstrip("。;；")))]
    i = 0
    while i < len(text):
        if text[i] in "（(":
            j = _match_close(text, i)
            if j is None:
                i += 1
                continue
            inner = text[i + 1 : j]
            if len(inner) >= 3 and (_NOTE_WORDS.search(inner) or _NOTE_TIME.match(inner)) and "《" not in inner[:2]:
                notes.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return notes


def _marker(text: str) -> tuple[str, int] | None:
    for rx, level in _MARKER_LEVEL:
        m = rx.match(text)
        if m:
            return m.group().strip(), level
    return None


def find_items(view: TextView, raw_start: int, raw_end: int) -> list[TaskItem]:
    """Task items between two raw offsets, found on the view's paragraphs; offsets are raw."""
    span = view_span(view, raw_start, raw_end)
    if span is None:
        return []
    a, b = span
    text, to_raw = view.text, view.to_raw
    items: list[TaskItem] = []
    current: TaskItem | None = None
    closed = False
    level = 0
    note_col: int | None = None  # table column holding the responsible units (F9)
    pos = a
    while pos < b:
        nl = text.find("\n", pos, b)
        end = b if nl < 0 else nl
        para = text[pos:end]
        if para.strip():
            r0, r1 = to_raw[pos], to_raw[end - 1] + 1
            notes = [(to_raw[pos + s], to_raw[pos + e - 1] + 1) for s, e in find_notes(para)]
            whole_note = len(notes) == 1 and notes[0] == (r0, r1)
            mk = None if "\t" in para else _marker(para)
            if "\t" in para:
                cells = para.split("\t")
                heads = [k for k, c in enumerate(cells) if _NOTE_COLUMN.fullmatch(c.strip())]
                if heads:
                    note_col = heads[0]  # a header row (repeated at page breaks)
                elif note_col is not None and note_col < len(cells):
                    cell = cells[note_col]
                    s0 = sum(len(c) + 1 for c in cells[:note_col])
                    s1 = s0 + len(cell.rstrip())
                    s0 += len(cell) - len(cell.lstrip().removeprefix("<p>"))
                    s1 -= len(cell.rstrip()) - len(cell.rstrip().removesuffix("</p>"))
                    if s1 > s0:
                        n0, n1 = to_raw[pos + s0], to_raw[pos + s1 - 1] + 1
                        notes = [(a, b) for a, b in notes if not (n0 <= a and b <= n1)] + [(n0, n1)]
                current = TaskItem(r0, r1, cells[0].strip(), TABLE_LEVEL, notes)
                items.append(current)
                closed = True
            elif mk is not None:
                level = mk[1]
                current = TaskItem(r0, r1, mk[0], level, notes)
                items.append(current)
                closed = bool(notes)
            elif whole_note and items:
                # A note on its own line closes the item before it (F12).
                items[-1].end = r1
                items[-1].notes.extend(notes)
                closed = True
            elif current is not None and not closed:
                current.end = r1
                current.notes.extend(notes)
                closed = bool(notes)
            elif notes:
                current = TaskItem(r0, r1, "", level + 1, notes)
                items.append(current)
                closed = True
            else:
                current, closed = None, False
        pos = end + 1
    return items
