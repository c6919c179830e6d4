"""Offset-based label alignment: hand-made edge cases and an oracle round trip through the Tagger."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from annotate.schema import ID2TAG, TAG2ID
from train.align import encode_record, encode_text, representable, token_tags
from train.tagging import Tagger
from train.tokenizer import build_tokenizer


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer()


class OracleModel(torch.nn.Module):
    """Returns the aligned training labels as logits: decoding them must give the gold spans back."""

    def __init__(self, windows, max_positions=512):
        super().__init__()
        self.table = {tuple(w["input_ids"]): w["labels"] for w in windows}
        self.config = type("C", (), {"id2label": dict(ID2TAG), "max_position_embeddings": max_positions})()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        logits = torch.zeros(*input_ids.shape, len(ID2TAG))
        for r, (ids, mask) in enumerate(zip(input_ids.tolist(), attention_mask.tolist())):
            labels = self.table[tuple(i for i, m in zip(ids, mask) if m)]
            for c, lab in enumerate(labels):
                logits[r, c, TAG2ID["O"] if lab == -100 else lab] = 10.0
        return type("Out", (), {"logits": logits})()


def oracle_spans(text, spans, tok, max_length, overlap):
    enc = encode_text(text, spans, tok, max_length, overlap)
    tagger = Tagger(OracleModel(enc.windows), tok, window=max_length - 2, overlap=overlap, device="cpu")
    got = [(s.start, s.end, s.label) for s in tagger.predict_views([text])[0]]
    return enc, got


def tags_of(text, spans, tok):
    enc = tok(text, return_offsets_mapping=True)
    toks = tok.convert_ids_to_tokens(enc["input_ids"])
    return [(t, text[a:b], tag) for t, (a, b), tag in zip(toks, enc["offset_mapping"], token_tags(enc["offset_mapping"], spans))]


def test_digits_form_one_token_and_the_span_starts_with_b(tok):
    text = "力争2025年底前完成"
    rows = tags_of(text, [(2, 9, "DEADLINE")], tok)
    assert rows[0][2] is None and rows[-1][2] is None  # [CLS], [SEP]
    inner = [(piece, tag) for _, piece, tag in rows[1:-1]]
    assert inner[:3] == [("力", "O"), ("争", "O"), ("2025", "B-DEADLINE")]
    assert [t for _, t in inner[3:6]] == ["I-DEADLINE"] * 3
    assert [t for _, t in inner[6:]] == ["O", "O"]


def test_span_starting_inside_a_token_is_reported_unrepresentable(tok):
    text = "投资1000万元以上"
    spans = [(3, 8, "TARGET")]  # "000万元": starts inside the token "1000"
    enc = encode_text(text, spans, tok, 64, 8)
    assert enc.unrepresentable == spans
    offsets = tok(text, return_offsets_mapping=True)["offset_mapping"]
    assert not representable(offsets, spans[0]) and representable(offsets, (2, 8))


@pytest.mark.parametrize(
    "text, spans",
    [
        ("由市发展改革委牵头，市财政局配合。", [(1, 7, "LEAD_UNIT"), (10, 14, "UNIT")]),
        ("建成5G基站1200个，覆盖率达到95％以上。", [(2, 11, "TARGET"), (15, 22, "TARGET")]),
        ("（一）市 发展改革委：负责，2025 年 6 月底前完成。", [(3, 10, "LEAD_UNIT"), (14, 26, "DEADLINE")]),
        ("责任单位：ＡＢＣ公司、Huawei Cloud 团队；「十四五」期间", [(5, 10, "UNIT"), (11, 23, "UNIT"), (25, 32, "DEADLINE")]),
        ("全年ＧＤＰ增长６．５％左右", [(2, 13, "TARGET")]),
    ],
    ids=["cjk", "latin-digits-fullwidth-percent", "whitespace-inside", "fullwidth-latin-brackets", "fullwidth-digits"],
)
def test_hand_made_cases_round_trip(tok, text, spans):
    for s, e, _ in spans:
        assert text[s:e].strip() == text[s:e] and text[s:e]  # the cases themselves are well formed
    enc, got = oracle_spans(text, spans, tok, 64, 8)
    assert enc.unrepresentable == []
    assert got == sorted(spans)


def test_whitespace_inside_a_span_stays_inside_and_gets_i_tags(tok):
    text = "由市 发展改革委牵头"
    rows = tags_of(text, [(1, 8, "LEAD_UNIT")], tok)
    inner = [(piece, tag) for _, piece, tag in rows[1:-1]]
    assert inner[1] == ("市", "B-LEAD_UNIT") and inner[2] == ("发", "I-LEAD_UNIT")
    assert all(piece.strip() for piece, _ in inner)  # the tokenizer drops the space itself


@pytest.mark.parametrize("max_length, overlap", [(16, 4), (24, 10), (34, 0)])
def test_spans_across_window_borders_round_trip(tok, max_length, overlap):
    unit = "各区县人民政府要在2026年12月底前完成改造任务，市住房城乡建设委牵头，"
    text = unit * 6
    spans = []
    for k in range(6):
        base = k * len(unit)
        spans += [(base, base + 7, "UNIT"), (base + 9, base + 20, "DEADLINE"), (base + 27, base + 34, "LEAD_UNIT")]
    enc, got = oracle_spans(text, spans, tok, max_length, overlap)
    assert len(enc.windows) > 6
    # some spans really are cut by a window edge
    cut = [sp for sp in spans if any(s < sp[0] < e < sp[1] or s < sp[1] - 1 < e <= sp[0] + 1 for s, e in (w["window"] for w in enc.windows))]
    assert cut
    # a window starting inside a span labels its first tokens I-, never B-
    for w in enc.windows:
        s, _ = w["window"]
        inside = next((sp for sp in spans if sp[0] < s < sp[1]), None)
        if inside:
            assert ID2TAG[w["labels"][1]] == f"I-{inside[2]}"
    assert got == sorted(spans)


def test_span_longer_than_a_window(tok):
    text = "本项目" + "由市发展改革委会同市财政局市教育局市卫生健康委" * 2 + "共同负责"
    spans = [(3, len(text) - 4, "UNIT")]
    _, got = oracle_spans(text, spans, tok, 20, 4)
    assert got == spans


def test_every_character_of_a_long_seed_issue_is_covered(tok, seed_texts):
    """No text lost: tokenizer stride drops text of long Chinese texts (tokenizers#2091); our windows do not."""
    name, raw = max(seed_texts.items(), key=lambda kv: len(kv[1]))
    assert len(raw) > 50_000
    enc = encode_text(raw, [], tok, 256, 64)
    covered = np.zeros(len(raw), dtype=bool)
    for w in enc.windows:
        s, e = w["window"]
        offsets = tok(raw[s:e], return_offsets_mapping=True)["offset_mapping"]
        assert len(w["input_ids"]) == len(offsets) <= 256
        for a, b in offsets:
            covered[s + a : s + b] = True
    missing = [i for i in np.flatnonzero(~covered) if not raw[i].isspace() and raw[i].isprintable()]
    assert missing == [], f"{name}: characters without a token, e.g. {raw[missing[0]]!r}"


def test_seed_gold_round_trips_through_normalised_windows(tok, seed_texts, seed_gold):
    """A whole seed issue: gold raw spans → view → windows → labels → Tagger decoding = the projected gold."""
    from annotate.normalize import normalize
    from train.align import project_spans

    name = min(seed_texts, key=lambda k: len(seed_texts[k]))
    raw, gold = seed_texts[name], seed_gold[1][name]
    assert gold
    view = normalize(raw)
    spans, dropped = project_spans(view, gold)
    enc = encode_record({"text": raw, "spans": [s.to_dict() for s in gold]}, tok, 128, 32)
    assert enc.n_spans == len(spans) and enc.dropped == dropped
    tagger = Tagger(OracleModel(enc.windows), tok, window=126, overlap=32, device="cpu")
    got = {(s.start, s.end, s.label) for s in tagger.predict_views([view.text])[0]}
    representable_spans = set(spans) - set(enc.unrepresentable)
    assert representable_spans <= got
    assert len(enc.unrepresentable) <= 0.01 * len(spans)
