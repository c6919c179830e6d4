"""Assemble the rule families into one non-overlapping list of raw spans."""

from __future__ import annotations

from annotate.rules import prose, slots, targets
from annotate.rules.deadlines import prose_deadlines
from annotate.rules.view import base_view, compact
from annotate.rules.zones import excluded_zones, in_zones, issue_documents, regulation_ranges
from annotate.types import Span, TextView, remove_overlaps

Hit = tuple[int, int, str]

# confidence per rule family: its strict precision on the seed gold (benchmarks/rules_vs_gold.py), rounded down
SCORES = {
    "field": 0.95,
    "note": 0.95,
    "table": 0.9,
    "prose_unit": 0.85,
    "deadline": 0.9,
    "target": 0.85,
}
# when two families claim overlapping text, the earlier (more specific) one wins
PRIORITY = ("field", "note", "table", "deadline", "prose_unit", "target")


def _raw_span(view: TextView, a: int, b: int, label: str, family: str) -> Span | None:
    """Map a view hit to a raw span, without the paragraph and cell breaks at its ends."""
    while b > a and view.text[b - 1] in "\n\t":
        b -= 1
    while a < b and view.text[a] in "\n\t":
        a += 1
    if b <= a:
        return None
    s, e = view.raw_offsets(a, b)
    return Span(s, e, label, view.raw[s:e], SCORES[family], "rules")


def family_hits(text: str) -> dict[str, list[Hit]]:
    """View hits of every rule family on the matching view ``text``."""
    fields, covered = slots.field_slots(text)
    hits = {"field": fields, "note": slots.note_slots(text, covered), "table": slots.table_slots(text)}
    taken = [(a, b) for family in hits.values() for a, b, _ in family]
    hits["prose_unit"] = prose.prose_units(text, taken)
    hits["deadline"] = prose_deadlines(text)
    hits["target"] = targets.find_targets(text)
    return hits


def extract_spans(raw: str) -> list[Span]:
    """LEAD_UNIT / UNIT / DEADLINE / TARGET spans on ``raw`` (source="rules", score per family)."""
    if not raw.strip():
        return []
    base = base_view(raw)
    view = compact(base)
    documents = issue_documents(raw, base)
    zones = excluded_zones(raw, documents)
    regulations = regulation_ranges(documents)
    chosen: list[Span] = []
    occupied: list[tuple[int, int]] = []
    hits = family_hits(view.text)
    for family in PRIORITY:
        spans = []
        for a, b, label in hits[family]:
            span = _raw_span(view, a, b, label, family)
            if span is None or in_zones(span.start, span.end, zones):
                continue
            if label == "TARGET" and in_zones(span.start, span.end, regulations):
                continue  # numbers in regulations are parameters (H28)
            if in_zones(span.start, span.end, occupied):
                continue
            spans.append(span)
        spans = remove_overlaps(spans)
        chosen += spans
        occupied += [(s.start, s.end) for s in spans]
    return sorted(chosen)
