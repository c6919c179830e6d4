import xml.etree.ElementTree as ET

import pytest

from annotate.schema import BIO_TAGS, COLORS, ID2TAG, LABELS, TAG2ID, check_label, label_config_xml


def test_labels_are_exactly_the_guide_labels():
    assert LABELS == ("LEAD_UNIT", "UNIT", "DEADLINE", "TARGET")


def test_bio_tags_iob2_and_maps_inverse():
    assert BIO_TAGS[0] == "O"
    assert len(BIO_TAGS) == 1 + 2 * len(LABELS)
    for label in LABELS:
        assert f"B-{label}" in BIO_TAGS and f"I-{label}" in BIO_TAGS
    assert all(ID2TAG[TAG2ID[t]] == t for t in BIO_TAGS)


def test_label_config_parses_and_lists_every_label_with_its_colour():
    root = ET.fromstring(label_config_xml())
    labels = root.find("Labels")
    assert labels.get("name") == "label" and labels.get("toName") == "text"
    assert [(e.get("value"), e.get("background")) for e in labels] == [(l, COLORS[l]) for l in LABELS]
    text = root.find("Text")
    assert text.get("value") == "$text" and text.get("granularity") == "symbol"


@pytest.mark.parametrize("bad", ["lead_unit", "ORG", "", "B-UNIT"])
def test_unknown_label_rejected(bad):
    with pytest.raises(ValueError, match="unknown label"):
        check_label(bad)
