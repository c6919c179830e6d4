"""The label schema: the one place that defines the four labels, their BIO tags and colours."""

from __future__ import annotations

from xml.sax.saxutils import escape

LABELS: tuple[str, ...] = ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET")

#: Human-readable meaning, shown in Label Studio and the HTML report.
DESCRIPTIONS: dict[str, str] = {
    "LEAD_UNIT": "organisation designated to lead a task (牵头)",
    "UNIT": "organisation responsible or cooperating without the lead role",
    "DEADLINE": "time point or period by which a task or target must be achieved",
    "TARGET": "numeric level, amount or count the document commits to",
}

COLORS: dict[str, str] = {
    "LEAD_UNIT": "#d62728",
    "UNIT": "#ff7f0e",
    "DEADLINE": "#1f77b4",
    "TARGET": "#2ca02c",
}

#: IOB2 tags in a fixed order; index 0 is "O".
BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(BIO_TAGS)}
ID2TAG: dict[int, str] = dict(enumerate(BIO_TAGS))

#: Names used in the Label Studio labeling config; the gold export uses exactly these.
LS_FROM_NAME = "label"
LS_TO_NAME = "text"


def check_label(label: str) -> str:
    """Return `label` if it is one of the schema's labels, else raise ValueError."""
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def label_config_xml() -> str:
    """The Label Studio labeling config for span annotation over raw text (code-point offsets)."""
    labels = "\n".join(
        f'    <Label value="{escape(label)}" background="{COLORS[label]}" hint="{escape(DESCRIPTIONS[label])}"/>'
        for label in LABELS
    )
    return (
        "<View>\n"
        f'  <Labels name="{LS_FROM_NAME}" toName="{LS_TO_NAME}">\n'
        f"{labels}\n"
        "  </Labels>\n"
        f'  <Text name="{LS_TO_NAME}" value="$text" granularity="symbol"/>\n'
        "</View>\n"
    )
