"""Strict span scoring, cross-checked against seqeval's strict IOB2 mode on character tags."""

import random

import pytest
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from annotate.schema import LABELS
from annotate.scoring import score_spans, spans_to_bio
from annotate.types import Span, remove_overlaps


def _seqeval(gold, pred, length):
    rep = classification_report([spans_to_bio(length, gold)], [spans_to_bio(length, pred)], mode="strict",
                                scheme=IOB2, output_dict=True, zero_division=0)
    return rep


def _random_spans(rng, length, n):
    out = []
    for _ in range(n):
        a = rng.randrange(length - 1)
        out.append(Span(a, min(length, a + rng.randint(1, 8)), rng.choice(LABELS)))
    return remove_overlaps(out)


@pytest.mark.parametrize("seed", range(25))
def test_matches_seqeval_strict_on_random_spans(seed):
    rng = random.Random(seed)
    length = 300
    gold = _random_spans(rng, length, 30)
    # predictions: some gold kept, some shifted by one, some relabelled, some new
    pred = []
    for s in gold:
        r = rng.random()
        if r < 0.5:
            pred.append(s)
        elif r < 0.65:
            pred.append(Span(s.start, min(length, s.end + 1), s.label))
        elif r < 0.8:
            pred.append(Span(s.start, s.end, rng.choice([l for l in LABELS if l != s.label])))
    pred = remove_overlaps(pred + _random_spans(rng, length, 5))
    ours = score_spans({"d": gold}, {"d": pred})
    ref = _seqeval(gold, pred, length)
    assert ours["micro"].f1 == pytest.approx(ref["micro avg"]["f1-score"])
    for label in LABELS:
        if label in ref:
            assert ours[label].precision == pytest.approx(ref[label]["precision"])
            assert ours[label].recall == pytest.approx(ref[label]["recall"])
            assert ours[label].n_gold == ref[label]["support"]


def test_adjacent_same_label_spans_are_two_entities():
    gold = [Span(0, 2, "UNIT"), Span(2, 4, "UNIT")]
    pred = [Span(0, 4, "UNIT")]
    assert score_spans({"d": gold}, {"d": pred})["micro"].tp == 0
    assert _seqeval(gold, pred, 6)["micro avg"]["f1-score"] == 0


def test_perfect_and_empty():
    gold = [Span(0, 3, "DEADLINE")]
    assert score_spans({"a": gold}, {"a": gold})["micro"].f1 == 1.0
    s = score_spans({"a": gold}, {})
    assert s["micro"].recall == 0 and s["micro"].precision == 0 and s["micro"].n_gold == 1


def test_documents_are_scored_separately():
    s = Span(0, 3, "UNIT")
    assert score_spans({"a": [s], "b": []}, {"a": [], "b": [s]})["micro"].tp == 0


def test_gold_against_itself_on_seeds(seed_gold):
    _, spans = seed_gold
    assert score_spans(spans, spans)["micro"].f1 == 1.0
