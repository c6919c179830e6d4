"""The rule extractor's output as a model input: one IOB2 tag id per token, fed as ``token_type_ids``.

The rules are precise on the layouts they know and blind to the others; a model that sees their
tags can keep what they get right and learn the rest from gold. The tags ride in BERT's token
type embeddings (``type_vocab_size`` = the 9 IOB2 tags), so the model is still a plain
``BertForTokenClassification`` that loads with ``transformers``; ``config.json`` carries
``gongbao_rule_features`` and the rule set's version so that ``Tagger`` computes the same input.

Train and infer run the rules on the same normalised view text the model reads, so the features
at inference are exactly those seen in training. In training a share of the rule spans is dropped
(``rule_dropout``) so the model does not learn to trust them blindly.
"""

from __future__ import annotations

import random
from typing import Sequence

from annotate.schema import BIO_TAGS, TAG2ID
from annotate.types import Span

CONFIG_KEY = "gongbao_rule_features"
RULES_VERSION_KEY = "gongbao_rules_version"
N_TYPES = len(BIO_TAGS)

Triple = tuple[int, int, str]


def uses_rule_features(config) -> bool:
    """True if a model config says the model reads rule tags as token types."""
    return bool(getattr(config, CONFIG_KEY, False))


def rule_spans(text: str) -> list[Span]:
    """Rule spans on ``text`` (the normalised view the model reads)."""
    from annotate.rules import extract_spans

    return list(extract_spans(text))


def drop_spans(spans: Sequence[Triple], rate: float, rng: random.Random) -> list[Triple]:
    """Each span kept with probability ``1 - rate`` (training-time feature dropout)."""
    if rate <= 0:
        return list(spans)
    return [s for s in spans if rng.random() >= rate]


def feature_ids(offsets: Sequence[tuple[int, int]], spans: Sequence[Triple], shift: int = 0) -> list[int]:
    """Token type ids for window-relative ``offsets``: the rules' IOB2 tag id per token, 0 (``O``)
    for special tokens; same token/tag rule as gold labels (``train.align.token_tags``)."""
    from train.align import token_tags

    return [TAG2ID["O"] if t is None else TAG2ID[t] for t in token_tags(offsets, spans, shift)]


def enable(model) -> None:
    """Give a BERT token classifier 9 token types and mark its config.

    The new rows start as the existing type-0 row (the one pretraining used) plus small noise, so
    a pretrained encoder sees its usual input until fine-tuning learns what each rule tag means.
    """
    import torch

    bert = getattr(model, model.base_model_prefix)
    old = bert.embeddings.token_type_embeddings
    if old.num_embeddings != N_TYPES:
        new = torch.nn.Embedding(N_TYPES, old.embedding_dim)
        with torch.no_grad():
            new.weight[:] = old.weight[0]
            new.weight[1:] += torch.randn_like(new.weight[1:]) * model.config.initializer_range
        bert.embeddings.token_type_embeddings = new
        if hasattr(bert.embeddings, "token_type_ids"):  # registered buffer of zeros, sized by position
            bert.embeddings.token_type_ids.zero_()
    from annotate.rules import VERSION

    model.config.type_vocab_size = N_TYPES
    setattr(model.config, CONFIG_KEY, True)
    setattr(model.config, RULES_VERSION_KEY, VERSION)
