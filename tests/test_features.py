"""The rules' tags as model input: alignment in training, the same input at inference, plain HF loading."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch

from annotate.normalize import normalize
from annotate.rules import extract_spans
from annotate.schema import BIO_TAGS, ID2TAG, TAG2ID
from train.align import encode_record, token_tags
from train.config import load_finetune_config
from train.features import CONFIG_KEY, N_TYPES, drop_spans, enable, feature_ids, uses_rule_features
from train.tagging import Tagger
from train.tokenizer import build_tokenizer

RES = Path(__file__).parent / "resources"


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer()


def copy_rules_model(out_dir):
    """A BERT whose output tag is its token type: it returns the rule tags it is given.

    Word and position embeddings are zero, token type t is the one-hot vector e_t, every layer's
    residual branches are zero (so each layer is the identity after LayerNorm) and the classifier
    reads dimension t as tag t.
    """
    from transformers import BertConfig, BertForTokenClassification

    tok = build_tokenizer()
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, num_labels=len(BIO_TAGS), id2label=dict(ID2TAG), label2id=dict(TAG2ID))
    model = BertForTokenClassification(cfg)
    enable(model)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        emb = model.bert.embeddings
        emb.LayerNorm.weight.fill_(1.0)
        emb.token_type_embeddings.weight[:, :N_TYPES] = torch.eye(N_TYPES) * 10
        for layer in model.bert.encoder.layer:
            layer.attention.output.LayerNorm.weight.fill_(1.0)
            layer.output.LayerNorm.weight.fill_(1.0)
        model.classifier.weight[:, :N_TYPES] = torch.eye(N_TYPES) * 10
    model.save_pretrained(str(out_dir))
    tok.save_pretrained(str(out_dir))
    return out_dir


@pytest.fixture(scope="module")
def copier(tmp_path_factory):
    return Tagger.load(copy_rules_model(tmp_path_factory.mktemp("copier")), device="cpu")


def test_enable_marks_the_config_and_keeps_type_zero(tok):
    from transformers import BertConfig, BertForTokenClassification

    model = BertForTokenClassification(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,
                                                  num_attention_heads=2, intermediate_size=64))
    row0 = model.bert.embeddings.token_type_embeddings.weight[0].detach().clone()
    assert not uses_rule_features(model.config)
    enable(model)
    w = model.bert.embeddings.token_type_embeddings.weight
    assert w.shape[0] == N_TYPES == 9 and model.config.type_vocab_size == 9
    assert torch.equal(w[0], row0)  # a pretrained encoder sees its usual input for "no rule tag"
    assert uses_rule_features(model.config) and getattr(model.config, CONFIG_KEY) is True


@pytest.mark.parametrize("rate, expect", [(0.0, 50), (0.999, 0)])
def test_drop_spans_extremes(rate, expect):
    spans = [(i * 3, i * 3 + 2, "UNIT") for i in range(50)]
    assert len(drop_spans(spans, rate, random.Random(0))) == expect


def test_drop_spans_rate_is_about_right():
    spans = [(i * 3, i * 3 + 2, "UNIT") for i in range(2000)]
    assert 150 < 2000 - len(drop_spans(spans, 0.1, random.Random(1))) < 250


def test_feature_ids_are_the_rule_tags(tok):
    text = "牵头单位：省发展改革委；责任单位：省财政厅，2025年底前完成。"
    rules = [(s.start, s.end, s.label) for s in extract_spans(text)]
    assert {lab for *_, lab in rules} >= {"LEAD_UNIT", "UNIT", "DEADLINE"}
    enc = tok(text, return_offsets_mapping=True)
    ids = feature_ids(enc["offset_mapping"], rules)
    tags = token_tags(enc["offset_mapping"], rules)
    assert ids[0] == ids[-1] == TAG2ID["O"]  # [CLS], [SEP]
    assert [ID2TAG[i] for i in ids[1:-1]] == tags[1:-1]


def test_encode_record_carries_rule_types_on_every_window(seed_texts, tok):
    raw = max(seed_texts.values(), key=len)[:20000]
    enc = encode_record({"text": raw, "spans": []}, tok, 128, 32, rule_features=True)
    view = normalize(raw)
    rules = [(s.start, s.end, s.label) for s in extract_spans(view.text)]
    expected = sum(1 for _ in rules)
    b_tags = sum(1 for w in enc.windows for t in w["token_type_ids"] if ID2TAG[t].startswith("B-"))
    assert all(len(w["token_type_ids"]) == len(w["input_ids"]) for w in enc.windows)
    assert b_tags >= expected  # every rule span begins in at least one window (overlaps count twice)
    dropped = encode_record({"text": raw, "spans": []}, tok, 128, 32, rule_features=True, rule_dropout=0.5,
                            rng=random.Random(3))
    b_dropped = sum(1 for w in dropped.windows for t in w["token_type_ids"] if ID2TAG[t].startswith("B-"))
    assert 0 < b_dropped < b_tags


def test_tagger_feeds_the_rules_on_long_texts(copier, seed_texts):
    """A model that copies its input returns exactly the rule spans of the view: the features reach
    every window of a whole issue, aligned, and the spans say both produced them."""
    assert copier.rule_features
    raw = max(seed_texts.values(), key=len)
    view = normalize(raw)
    want = {s.key for s in extract_spans(view.text)}
    got = copier.predict_views([view.text])[0]
    assert len(view.text) > 10 * copier.window
    assert {s.key for s in got} == want
    assert {s.source for s in got} == {"model+rules"}


def test_model_without_rule_features_gets_no_rules(tmp_path):
    from test_tagging import build_tiny_model  # a real tiny BERT without rule features

    tagger = Tagger.load(build_tiny_model(tmp_path / "plain"), device="cpu")
    assert not tagger.rule_features
    preds = tagger.token_predictions(["牵头单位：省发展改革委；责任单位：省财政厅。"])
    assert preds[0].rule_spans == []
    assert {s.source for s in tagger.predict_views(["牵头单位：省发展改革委；责任单位：省财政厅。"])[0]} <= {"model"}


@pytest.mark.slow
def test_finetune_with_rule_features_loads_with_plain_transformers(tmp_path):
    from transformers import AutoModelForTokenClassification

    from train.finetune import run_finetune

    out = tmp_path / "rf"
    run_finetune(load_finetune_config(RES / "tiny-finetune.yaml", [
        f"output_dir={out}", "data.limit=3", "training.max_steps=4", "training.eval_steps=4",
        "model.rule_features=true"]))
    conf = json.loads((out / "config.json").read_text())
    assert conf["type_vocab_size"] == 9 and conf[CONFIG_KEY] is True
    model = AutoModelForTokenClassification.from_pretrained(str(out))
    assert model.bert.embeddings.token_type_embeddings.num_embeddings == 9
    assert json.loads((out / "gongbao.json").read_text())["rule_features"] is True
    assert Tagger.load(out, device="cpu").rule_features
