"""Zones that are never annotated (guide §0 rule 3): front matter, 人事任免, 大事记, titles and
headings, 文号, addressee lines, signature and date blocks, 《》 citations.

Uses helper A's ``annotate.segment`` when it exists (document kinds and header ranges) and line
heuristics on the raw text in any case, so that short passages work without document structure.
Returns raw ``(start, end)`` ranges.
"""

from __future__ import annotations

import re

from annotate.types import Document, TextView

WENHAO = r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+(?:\s*[—-]\s*\d+)?\s*号"
WENHAO_LINE = re.compile(rf"^\s*[（(]?{WENHAO}[)）]?\s*$", re.M)
WENHAO_ANY = re.compile(WENHAO)
CITATION = re.compile(r"《[^《》]{1,120}》")
TITLE_LINE = re.compile(
    r"^[^。；;，,：:\n]{0,80}(?:关于|印发|转发)[^。；;：:\n]{0,80}(?:通知|意见|方案|办法|决定|批复|函|规划|纲要|细则|规定|报告|决议|措施|条)\s*$",
    re.M,
)
# an embedded document's title on its own line: 「楚雄州加快中彝医药特色发展30条措施」
BARE_TITLE_LINE = re.compile(
    r"^[^\S\n]*[^\s。；;，,：:、（）()“”\"]{6,40}(?:措施|方案|规划|意见|办法|细则|条例|纲要|计划|规定)[^\S\n]*$", re.M
)
SIGNATURE_LINE = re.compile(
    r"^\s*[\u4e00-\u9fff ]{2,30}(?:人民政府|办公厅|办公室|委员会|广播电视局|局|厅)\s*$", re.M
)
DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*$", re.M)
# 「各州、市人民政府，省直各委、办、厅、局：」, also with a scrambled tail after the colon (000:1233)
ADDRESSEE_LINE = re.compile(
    r"^[^\S\n]*(?:各|省|市|州|县)[^。\n:：]{0,120}(?:政府|厅|局|委|办|部门|单位|管委会)[^\S\n]*[:：](?=[^\n]{0,10}$)", re.M
)
HEADING_LINE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[章节])(?![^\n]*牵头)[^。；;，,:：\n]{1,50}$",
    re.M,
)
SPECIAL_HEAD = re.compile(r"^\s*(?:人\s*事\s*任\s*免|大\s*事\s*记)\s*$", re.M)
CHRONICLE_LINE = re.compile(r"^\s*(?:\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*日\s*[，,—])[^\n]*$", re.M)
PUBLIC_LINE = re.compile(r"^\s*[（(]此件(?:公开发布|不公开)[）)]\s*$", re.M)


def issue_documents(raw: str, view: TextView | None = None) -> list[Document]:
    """helper A's segmentation when available (else none): document kinds, header and regulation ranges."""
    try:
        from annotate.segment import segment_issue
    except ImportError:
        return []
    return segment_issue(raw, view)


def _document_zones(documents: list[Document]) -> list[tuple[int, int]]:
    """Non-document sections (front matter, 人事任免, 大事记) and each document's header (title, 文号, addressees)."""
    zones = []
    for doc in documents:
        if doc.kind != "document":
            zones.append((doc.start, doc.end))
        elif doc.body_start is not None and doc.body_start > doc.start:
            zones.append((doc.start, doc.body_start))
    return zones


REGULATION_TITLE = re.compile(r"(?:办法|细则|条例|章程)(?:（试行）|\(试行\)|（暂行）)?(?:的通知)?$")


def regulation_ranges(documents: list[Document]) -> list[tuple[int, int]]:
    """Raw ranges of regulations (办法, 细则, 条例): their numbers are parameters, never TARGETs (H28)."""
    return [(d.start, d.end) for d in documents if REGULATION_TITLE.search(re.sub(r"\s", "", d.title or ""))]


def _front_matter(raw: str) -> list[tuple[int, int]]:
    """Everything before the title of the first document (masthead, TOC, imprint)."""
    m = WENHAO_LINE.search(raw)
    if not m or m.start() > len(raw) // 3:
        return []
    before = raw[: m.start()].rstrip("\n")
    title_start = before.rfind("\n", 0, len(before)) + 1  # the title line just above the 文号
    return [(0, title_start)] if title_start > 0 else []


def _special_sections(raw: str) -> list[tuple[int, int]]:
    """人事任免 and 大事记 run from their heading to the next 文号 line or the end; chronicle lines anywhere.

    Headings in the first third of the text belong to the table of contents.
    """
    zones = []
    for m in SPECIAL_HEAD.finditer(raw):
        if m.start() > len(raw) // 3 and not (zones and zones[-1][1] > m.start()):
            nxt = WENHAO_LINE.search(raw, m.end())
            zones.append((m.start(), nxt.start() if nxt else len(raw)))
    zones += [m.span() for m in CHRONICLE_LINE.finditer(raw)]
    return zones


def excluded_zones(raw: str, documents: list[Document] = ()) -> list[tuple[int, int]]:
    """Raw ranges that no span may touch."""
    zones = _document_zones(list(documents))
    zones += _front_matter(raw) + _special_sections(raw)
    for rx in (WENHAO_ANY, CITATION, TITLE_LINE, BARE_TITLE_LINE, DATE_LINE, HEADING_LINE, PUBLIC_LINE):
        zones += [m.span() for m in rx.finditer(raw)]
    zones += [m.span() for m in SIGNATURE_LINE.finditer(raw) if _near_date(raw, *m.span())]
    zones += [m.span() for m in ADDRESSEE_LINE.finditer(raw) if not re.search(r"牵头|责任|时限", m.group())]
    return sorted(zones)


def _near_date(raw: str, start: int, end: int, reach: int = 80) -> bool:
    """A signature line sits next to its date line (a lone org name elsewhere may be a wrapped list)."""
    return bool(DATE_LINE.search(raw[end: end + reach]) or DATE_LINE.search(raw[max(0, start - reach): start]))


def in_zones(start: int, end: int, zones: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in zones)
