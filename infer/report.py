"""A single self-contained HTML report of structured records: highlighted text and item tables.

No external resources (inline CSS, no scripts), everything HTML-escaped. The text is built by
slicing between sorted spans, so a 250 k-character issue renders in linear time.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import os
import re
from pathlib import Path
from typing import Iterable

from annotate.errors import GongbaoError, InputError
from annotate.reading import read_issue
from annotate.schema import COLORS, DESCRIPTIONS, LABELS
from annotate.types import Span
from infer.records import CSV_COLUMNS, build_documents, document_spans, items_to_csv_rows


def tint(hex_colour: str, alpha: float = 0.28) -> str:
    """The colour mixed with white (a solid highlight background that keeps black text readable)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = lambda c: round(255 - alpha * (255 - c))  # noqa: E731
    return f"#{mix(r):02x}{mix(g):02x}{mix(b):02x}"


def _css() -> str:
    label_rules = "\n".join(
        f".s-{lab}{{background:{tint(col)};border-bottom:3px solid {col}}}"
        f" .sw-{lab}{{background:{col}}} .t-{lab}{{color:{col};font-weight:600}}"
        for lab, col in COLORS.items()
    )
    return f"""
body{{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:1200px;padding:16px 24px;color:#222;line-height:1.6}}
h1{{font-size:22px;margin:8px 0}} h2{{font-size:19px;border-bottom:2px solid #888;margin-top:32px}}
h3{{font-size:16px;margin:24px 0 4px}}
.legend{{display:flex;gap:18px;flex-wrap:wrap;padding:8px 0;position:sticky;top:0;background:#fff;
border-bottom:1px solid #ccc;z-index:1}}
.legend span.sw{{display:inline-block;width:22px;height:14px;vertical-align:middle;margin-right:6px}}
.meta{{color:#555;font-size:13px}} .kind{{font-size:12px;padding:1px 6px;border:1px solid #999;border-radius:3px}}
pre.text{{white-space:pre-wrap;word-break:break-all;font-family:inherit;font-size:14px;background:#fafafa;
border:1px solid #e3e3e3;padding:10px;max-height:none}}
mark{{color:inherit;padding:0 1px}}
a.im{{font-size:11px;color:#666;text-decoration:none;border:1px solid #bbb;border-radius:2px;
padding:0 2px;margin-right:2px}}
table{{border-collapse:collapse;font-size:13px;width:100%;margin:6px 0 12px}}
th,td{{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}} th{{background:#f0f0f0}}
td.num{{white-space:nowrap}} .muted{{color:#999}} .nw{{white-space:nowrap}}
table.items th:nth-child(1){{width:90px}} table.items th:nth-child(2){{width:32%}}
table.items th:nth-child(5){{width:17%}} table.items th:nth-child(6){{width:14%}}
nav ol{{margin:4px 0}} nav li{{font-size:14px}}
{label_rules}
"""


def _esc(s: object) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _hover(span: dict) -> str:
    parts = [span["label"]]
    if span.get("score") is not None:
        parts.append(f"score {span['score']:.2f}")
    if span.get("source"):
        parts.append(f"source {span['source']}")
    return " · ".join(parts)


def highlight(raw: str, start: int, end: int, spans: list[dict], item_starts: dict[int, str] | None = None) -> str:
    """``raw[start:end]`` as escaped HTML with ``<mark>`` per span and an anchor at each item start.

    Spans that overlap an earlier one are clipped to what is left of them, so the text is
    always shown exactly once.
    """
    item_starts = item_starts or {}
    events = sorted(set(p for p in item_starts if start <= p < end))
    out: list[str] = []
    pos = start
    anchors = iter(events + [end + 1])
    next_anchor = next(anchors)

    def emit_plain(upto: int) -> None:
        nonlocal pos, next_anchor
        while next_anchor <= upto and next_anchor < end + 1:
            out.append(_esc(raw[pos:next_anchor]))
            out.append(item_starts[next_anchor])
            pos = next_anchor
            next_anchor = next(anchors)
        out.append(_esc(raw[pos:upto]))
        pos = upto

    for s in spans:
        a, b = max(s["start"], pos, start), min(s["end"], end)
        if a >= b:
            continue
        emit_plain(a)
        out.append(f'<mark class="s-{s["label"]}" title="{_esc(_hover(s))}">{_esc(raw[a:b])}</mark>')
        pos = b
    emit_plain(end)
    return "".join(out)


def _fmt_value(t: dict) -> str:
    if t.get("value") is None:
        return ""
    v = t["value"]
    text = f"{v:,.10g}"
    if t.get("value_max") is not None:
        text += f"–{t['value_max']:,.10g}"
    return text


def _targets_cell(targets: list[dict]) -> str:
    rows = []
    for t in targets:
        parsed = " ".join(x for x in (t.get("comparator") or "", _fmt_value(t), t.get("unit") or "",
                                      f"({t['bound']})" if t.get("bound") else "") if x)
        rows.append(f'<span class="t-TARGET">{_esc(t["text"])}</span>'
                    + (f' <span class="meta">{_esc(parsed)}</span>' if parsed else ""))
    return "<br>".join(rows)


def _deadline_cell(item: dict) -> str:
    rows = []
    for d in item["deadlines"]:
        when = d.get("iso") or "—"
        if d.get("start_iso") and d.get("start_iso") != d.get("iso"):
            when = f"{d['start_iso']} → {when}"
        chosen = item["deadline"] is not None and d["start"] == item["deadline"]["start"]
        star = " ★" if chosen and len(item["deadlines"]) > 1 else ""  # the item's deadline among several
        rows.append(f'<span class="t-DEADLINE">{_esc(d["text"])}</span> <span class="meta nw">{_esc(when)} '
                    f'({_esc(d.get("kind"))}){star}</span>')
    return "<br>".join(rows)


def _units_cell(units: list[dict], label: str) -> str:
    return "、".join(f'<span class="t-{label}">{_esc(u["text"])}</span>' for u in units)


def _item_label(item: dict) -> str:
    marker, text = item.get("marker") or "", item["preview"]
    return text if not marker or text.startswith(marker.strip()) else f"{marker} {text}"


def _items_table(doc_id: str, items: list[dict]) -> str:
    if not items:
        return '<p class="muted">No task items.</p>'
    head = "<tr><th>#</th><th>item</th><th>lead units</th><th>units</th><th>deadline (ISO)</th><th>targets</th></tr>"
    rows = []
    for i, it in enumerate(items):
        rows.append(
            f'<tr id="{doc_id}-r{i}"><td class="num"><a href="#{doc_id}-i{i}">{i + 1}</a> '
            f'<span class="meta">{it["start"]}–{it["end"]}</span></td>'
            f'<td>{_esc(_item_label(it))}</td>'
            f'<td>{_units_cell(it["lead_units"], "LEAD_UNIT")}</td><td>{_units_cell(it["units"], "UNIT")}</td>'
            f"<td>{_deadline_cell(it)}</td><td>{_targets_cell(it['targets'])}</td></tr>"
        )
    return f'<table class="items">{head}{"".join(rows)}</table>'


def _doc_heading(doc: dict, n: int) -> str:
    title = doc.get("title") or ("(front matter)" if doc["kind"] == "front" else "(untitled)")
    return f"{n}. {title}"


def _legend() -> str:
    return '<div class="legend">' + "".join(
        f'<span title="{_esc(DESCRIPTIONS[lab])}"><span class="sw sw-{lab}"></span>{lab}</span>' for lab in LABELS
    ) + "</div>"


def _counts(spans: list[dict]) -> str:
    c = {lab: 0 for lab in LABELS}
    for s in spans:
        c[s["label"]] += 1
    return " ".join(f'<span class="t-{lab}">{c[lab]}</span>' for lab in LABELS)


def _record_key(rec: dict, i: int) -> str:
    return str(rec.get("id", rec.get("source", f"input-{i}")))


def _unavailable() -> str:
    return '<p class="muted">The input text is not available; spans are listed in the table.</p>'


def render_html(records: Iterable[dict], raws: dict[str, str], title: str = "gongbao report") -> str:
    """One self-contained HTML page for ``records`` (from ``build_record`` or ``gongbao infer``).

    ``raws`` maps each record's ``id`` (else its ``source``) to its raw text, which the records
    only point into; a record whose text is missing is shown with its tables only.
    """
    records = list(records)
    toc: list[str] = []
    body: list[str] = []
    for ri, rec in enumerate(records):
        key = _record_key(rec, ri)
        raw = raws.get(key)
        documents = rec.get("documents") or []
        if not documents and raw is not None and rec.get("spans"):
            # no segmenter ran: the whole input as one document
            documents = build_documents(raw, [Span.from_dict(s) for s in rec["spans"]], [])
        src = rec.get("source", key)
        rid = f"in{ri}"
        toc_docs = []
        n_chars = len(raw) if raw is not None else rec.get("n_chars", rec.get("chars", 0))
        body.append(f'<section id="{rid}"><h2>{_esc(src)}</h2>'
                    f'<p class="meta">{_esc(key) + " · " if key != src else ""}{n_chars:,} characters, '
                    f"{len(documents)} documents</p>")
        for di, doc in enumerate(documents):
            did = f"{rid}-d{di}"
            spans = document_spans(doc)
            heading = _doc_heading(doc, di + 1)
            toc_docs.append(f'<li><a href="#{did}">{_esc(heading)}</a> <span class="kind">{_esc(doc["kind"])}</span> '
                            f'<span class="meta">{len(doc["items"])} items</span> {_counts(spans)}</li>')
            anchors = {it["start"]: f'<a class="im" id="{did}-i{i}" href="#{did}-r{i}">{i + 1}</a>'
                       for i, it in reversed(list(enumerate(doc["items"])))}
            meta = " · ".join(_esc(x) for x in (doc.get("doc_number"), doc.get("issuer"), doc.get("date")) if x)
            is_doc = doc["kind"] == "document"
            if raw is not None:
                text = highlight(raw, doc["start"], doc["end"], spans, anchors)
                shown = (f'<details{" open" if is_doc else ""}><summary>text</summary>'
                         f'<pre class="text">{text}</pre></details>')
            else:
                shown = _unavailable()
            body.append(
                f'<article id="{did}"><h3>{_esc(heading)} <span class="kind">{_esc(doc["kind"])}</span></h3>'
                f'<p class="meta">{meta or "—"} · chars {doc["start"]}–{doc["end"]} · {_counts(spans)}</p>'
                + shown
                + (_items_table(did, doc["items"]) if is_doc else "")
                + "</article>"
            )
        body.append("</section>")
        toc.append(f'<li><a href="#{rid}">{_esc(src)}</a><ol>{"".join(toc_docs)}</ol></li>')
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
        f"<style>{_css()}</style></head><body><h1>{_esc(title)}</h1>{_legend()}"
        f'<nav><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>{"".join(body)}</body></html>'
    )


# -- files -------------------------------------------------------------------------------------

def load_raw(record: dict) -> str | None:
    """The raw text a ``gongbao infer`` record points into, read again from its source.

    ``source`` is a file path, or ``path.jsonl:N`` for line N of a JSONL input. None when the
    source is gone or no longer matches the record (changed file: other length or span texts).
    """
    source = str(record.get("source") or "")
    raw = None
    try:
        m = re.fullmatch(r"(.+\.jsonl):(\d+)", source, flags=re.I)
        if m and Path(m.group(1)).is_file():
            with Path(m.group(1)).open("rb") as f:
                line = next(itertools.islice(f, int(m.group(2)) - 1, None), b"")
            raw = json.loads(line.decode("utf-8-sig")).get("text")
        elif source and Path(source).is_file():
            raw = read_issue(source)
    except (GongbaoError, OSError, ValueError, AttributeError):
        return None
    if not isinstance(raw, str):
        return None
    n = record.get("n_chars", record.get("chars"))
    if n is not None and n != len(raw):
        return None
    if any(raw[s["start"] : s["end"]] != s["text"] for s in record.get("spans", [])):
        return None
    return raw


def _write_atomic(path: Path, text: str, newline: str | None = None) -> None:
    """Write via a temporary file and a rename, so a failure never leaves half a report."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline=newline) as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        if tmp.parent.is_dir():
            tmp.unlink(missing_ok=True)
        raise InputError(path, f"cannot write ({e.strerror or e})") from None


def write_html(records: Iterable[dict], path: str | Path, raws: dict[str, str] | None = None) -> None:
    """Render ``records`` to ``path``; texts not in ``raws`` are read again from each record's source."""
    records = list(records)
    raws = dict(raws or {})
    for i, rec in enumerate(records):
        key = _record_key(rec, i)
        if key not in raws:
            raw = load_raw(rec)
            if raw is not None:
                raws[key] = raw
    _write_atomic(Path(path), render_html(records, raws))


def write_csv(records: Iterable[dict], path: str | Path) -> None:
    """One row per task item (``infer.records.CSV_COLUMNS``), UTF-8 with BOM so spreadsheet programs read it."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(items_to_csv_rows(records))
    _write_atomic(Path(path), "\ufeff" + buf.getvalue(), newline="")
