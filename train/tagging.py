"""Token-classification inference over long texts: the model side shared by training's final
evaluation and by ``gongbao infer`` (so both report the same F1).

Long texts are cut into character windows by the project itself (``train/windows.py``), never by
the tokenizer's or the pipeline's ``stride``, which silently drops text past the first windows with
tokenizers 0.23.x (huggingface/tokenizers#2091). Every token is predicted by exactly one window:
between two windows the cut is the middle of their overlap (``owned_ranges``), moved to the
nearest position where both windows' tokens agree, so each character gets exactly one prediction
even when a window starts inside a long digit run or Latin word. Windows from all texts are sorted
by length and batched by a token budget.

Decoding is IOB2-constrained Viterbi by default (``constrained``: the most probable tag sequence
in which every ``I-X`` continues a ``B-X``). The tags, Viterbi's or the argmax (``decoding="simple"``),
are grouped as ``transformers.pipeline(..., aggregation_strategy="simple")`` does: ``B-X`` always starts a span; ``I-X`` continues a span only
right after ``B-X``/``I-X``; an ``I-X`` after ``O`` or after another label starts a new ``X`` span
rather than being dropped. A span's score is the mean probability of its tokens' chosen tags.
Whitespace the tokenizer drops between two tokens of one span stays inside the span; spans never
start or end on it, because they start and end on token edges.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from annotate.errors import InputError
from annotate.schema import LABELS, TAG2ID
from annotate.types import Span, TextView
from train.windows import char_windows, owned_ranges

DEFAULT_WINDOW = 510
DEFAULT_OVERLAP = 128
#: Padded tokens per forward pass; the batch size follows from the windows' lengths.
DEFAULT_BATCH_TOKENS = {"cpu": 8192, "cuda": 65536}
BUNDLED_MODEL_DIR = Path(__file__).resolve().parents[1] / "infer" / "bundled_model"
META_FILE = "gongbao.json"
DECODINGS = ("viterbi", "simple")


def normalize_view(raw: str) -> TextView:
    """The normalised view of a raw text (helper A's normaliser; identity until it exists)."""
    try:
        from annotate.normalize import normalize
    except ImportError:
        return TextView.identity(raw)
    return normalize(raw)


@dataclass
class TokenPredictions:
    """Per-text token predictions after merging windows: one row per token, in text order.

    ``start``/``end`` are character offsets on the text, ``tag`` the chosen tag id, ``prob`` its
    probability and ``window`` the index of the window that predicted it.
    """

    start: np.ndarray
    end: np.ndarray
    tag: np.ndarray
    prob: np.ndarray
    window: np.ndarray
    windows: list[tuple[int, int]] = field(default_factory=list)
    #: log-probabilities of every tag per token (n × tags), for constrained decoding
    logp: np.ndarray | None = None
    #: the rule spans the model was given as input features (models with rule features only)
    rule_spans: list[Span] = field(default_factory=list)


def allowed_transitions(names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """IOB2 constraints as additive log-scores: (start scores, prev × cur transition scores).

    ``I-X`` may only follow ``B-X`` or ``I-X`` and may not start a text; everything else is free.
    """
    k = len(names)
    trans = np.zeros((k, k), dtype=np.float64)
    for j, cur in enumerate(names):
        if cur.startswith("I-"):
            for i, prev in enumerate(names):
                if prev[2:] != cur[2:] or prev == "O":
                    trans[i, j] = -np.inf
    start = np.array([-np.inf if n.startswith("I-") else 0.0 for n in names])
    return start, trans


def viterbi(logp: np.ndarray, start: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """The tag sequence of highest total log-probability under the transition constraints."""
    n, k = logp.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    back = np.zeros((n, k), dtype=np.int64)
    score = logp[0] + start
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand[back[t], np.arange(k)] + logp[t]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def constrained(pred: TokenPredictions, names: Sequence[str]) -> TokenPredictions:
    """Token predictions re-decoded by IOB2-constrained Viterbi: the most probable tag sequence in
    which every ``I-X`` continues a ``B-X``/``I-X``, instead of the argmax per token (whose stray
    ``I-`` tags would each become a fragment of a span)."""
    if pred.logp is None or len(pred.tag) == 0:
        return pred
    start, trans = allowed_transitions(names)
    tag = viterbi(pred.logp.astype(np.float64), start, trans)
    prob = np.exp(pred.logp[np.arange(len(tag)), tag]).astype(np.float32)
    return replace(pred, tag=tag, prob=prob)


def decode_spans(text: str, pred: TokenPredictions, id2label: dict[int, str], source: str | None = None) -> list[Span]:
    """Strict IOB2 decoding with repair (see module doc) of merged token predictions."""
    n = len(pred.tag)
    if n == 0:
        return []
    names = [id2label[int(i)] for i in range(len(id2label))]
    lab_of = np.array([LABELS.index(t[2:]) + 1 if t[:2] in ("B-", "I-") else 0 for t in names])
    is_b = np.array([t.startswith("B-") for t in names])
    lab = lab_of[pred.tag]
    begin = is_b[pred.tag]
    prev = np.concatenate(([0], lab[:-1]))
    new = (lab > 0) & (begin | (lab != prev))
    group = np.cumsum(new) - 1
    inside = lab > 0
    if not inside.any():
        return []
    g = group[inside]
    starts = pred.start[inside]
    ends = pred.end[inside]
    probs = pred.prob[inside].astype(np.float64)
    labs = lab[inside]
    first = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    last = np.concatenate((first[1:] - 1, [len(g) - 1]))
    sums = np.add.reduceat(probs, first)
    counts = last - first + 1
    return [
        Span(int(starts[a]), int(ends[b]), LABELS[labs[a] - 1], text[starts[a] : ends[b]], float(s / c), source)
        for a, b, s, c in zip(first, last, sums, counts)
    ]


def window_settings(meta: dict) -> tuple[int, int]:
    """(window chars, overlap) from a model dir's ``gongbao.json``: ``window``/``overlap`` at the top
    or under ``windows``, or ``max_length`` in tokens (window = max_length - 2); defaults 510/128."""
    w = {**meta.get("windows", {}), **{k: meta[k] for k in ("window", "overlap", "max_length") if k in meta}}
    window = int(w["window"]) if "window" in w else int(w["max_length"]) - 2 if "max_length" in w else DEFAULT_WINDOW
    return window, int(w.get("overlap", DEFAULT_OVERLAP))


def _model_version(model_dir: Path) -> str:
    """Short hash of the weights, for model dirs without a version in ``gongbao.json``."""
    h = hashlib.sha256()
    for p in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("pytorch_model*.bin")):
        with p.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:12]


def _common_cut(prev: tuple[np.ndarray, ...], cur: tuple[np.ndarray, ...], nominal: int, lo: int, hi: int,
                floor: int) -> int:
    """Where the previous window's predictions stop and the current one's start.

    The cut is the position nearest to the nominal one (the middle of the overlap) that is a
    token start in the current window and inside no token of the previous one, so both windows
    agree on the tokens at the cut even when a window starts inside a long word (digits, Latin),
    and every character lies in exactly one kept token or in none (dropped whitespace).
    """
    a_prev, b_prev = prev[0], prev[1]
    starts = cur[0][(cur[0] >= max(lo, floor)) & (cur[0] <= hi)]
    if len(starts) == 0:
        return max(nominal, floor)
    before = np.searchsorted(a_prev, starts, side="left") - 1  # last previous token starting before p
    safe = np.clip(before, 0, None)
    straddled = (before >= 0) & (b_prev[safe] > starts)
    ok = starts[~straddled]
    if len(ok) == 0:
        return max(nominal, floor)
    return int(ok[np.argmin(np.abs(ok - nominal))])


class Tagger:
    """A fine-tuned token-classification model that predicts spans on texts of any length."""

    def __init__(self, model, tokenizer, *, window: int = DEFAULT_WINDOW, overlap: int = DEFAULT_OVERLAP,
                 batch_tokens: int | None = None, name: str = "model", version: str = "", device=None,
                 bf16: bool = True, decoding: str = "viterbi", merge: dict | None = None):
        import torch

        self.torch = torch
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if self.device.type == "cuda" and bf16:
            # bf16 weights on GPU: faster than autocast, and the argmax is what matters here.
            model = model.to(dtype=torch.bfloat16)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.window = window
        self.overlap = overlap
        self.batch_tokens = batch_tokens or DEFAULT_BATCH_TOKENS.get(self.device.type, 8192)
        self.name = name
        self.version = version
        if decoding not in DECODINGS:
            raise InputError(name, f"unknown decoding {decoding!r}; expected one of {', '.join(DECODINGS)}")
        #: "viterbi": IOB2-constrained best path; "simple": argmax per token with repair (as transformers' pipeline)
        self.decoding = decoding
        #: per-label merge policy with the rules (train/merge.py); None = the model's spans only
        self.merge = dict(merge) if merge else None
        if self.merge:
            from train.merge import POLICIES

            bad = {k: v for k, v in self.merge.items() if k not in LABELS or v not in POLICIES}
            if bad:
                raise InputError(name, f"bad merge policy {bad}; labels {', '.join(LABELS)}, policies {', '.join(POLICIES)}")
        self.id2label = {int(k): v for k, v in model.config.id2label.items()}
        from train.features import uses_rule_features

        self.rule_features = uses_rule_features(model.config)
        unknown = sorted(set(self.id2label.values()) - set(TAG2ID))
        if unknown:
            raise InputError(name, f"model labels {unknown} are not in the project's IOB2 tag set")
        max_pos = getattr(model.config, "max_position_embeddings", 512)
        if window + 2 > max_pos:
            raise InputError(name, f"window of {window} chars needs {window + 2} positions; model has {max_pos}")

    @classmethod
    def load(cls, model_dir: str | Path, device=None, batch_tokens: int | None = None, bf16: bool = True) -> "Tagger":
        """Load tokenizer and model from a local dir; window/overlap from its ``gongbao.json`` if any."""
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every `gongbao infer`
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file():
            raise InputError(model_dir, "not a model directory (no config.json)")
        meta = {}
        if (model_dir / META_FILE).is_file():
            meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
            # fp32 on load (a bundled model may be stored in fp16); the Tagger moves it to bf16 on GPU.
            model = AutoModelForTokenClassification.from_pretrained(str(model_dir), dtype=torch.float32)
        except (OSError, ValueError, RuntimeError) as e:
            raise InputError(model_dir, f"cannot load model: {str(e).splitlines()[0]}") from None
        if not getattr(tokenizer, "is_fast", False):
            raise InputError(model_dir, "a fast tokenizer (tokenizer.json) is needed for offset mappings")
        if len(tokenizer) != model.config.vocab_size:
            raise InputError(model_dir, f"tokenizer has {len(tokenizer)} tokens but the model {model.config.vocab_size}")
        window, overlap = window_settings(meta)
        return cls(
            model, tokenizer, window=window, overlap=overlap,
            batch_tokens=batch_tokens, device=device, bf16=bf16, decoding=str(meta.get("decoding", "viterbi")),
            merge=meta.get("merge"),
            name=str(meta.get("name", model_dir.name)), version=str(meta.get("version") or _model_version(model_dir)),
        )

    # -- prediction ---------------------------------------------------------------------------

    def _forward(self, encodings: list[list[int]], types: list[list[int]] | None = None) -> list[tuple[np.ndarray, ...]]:
        """Tag ids, their probabilities and all tags' log-probabilities for each encoding (length-sorted, token-budget batches);
        ``types``: token type ids per encoding (rule features), else all 0."""
        torch = self.torch
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
        out: list[tuple[np.ndarray, ...] | None] = [None] * len(encodings)
        pad = self.tokenizer.pad_token_id or 0
        i = 0
        with torch.inference_mode():
            while i < len(order):
                # Sorted ascending, so the last window of a batch is its longest: grow while it fits.
                j = i + 1
                while j < len(order) and len(encodings[order[j]]) * (j + 1 - i) <= self.batch_tokens:
                    j += 1
                batch = order[i:j]
                width = len(encodings[batch[-1]])
                ids = np.full((len(batch), width), pad, dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.int64)
                tt = np.zeros((len(batch), width), dtype=np.int64)
                for r, k in enumerate(batch):
                    ids[r, : len(encodings[k])] = encodings[k]
                    mask[r, : len(encodings[k])] = 1
                    if types is not None:
                        tt[r, : len(types[k])] = types[k]
                logits = self.model(
                    input_ids=torch.from_numpy(ids).to(self.device),
                    attention_mask=torch.from_numpy(mask).to(self.device),
                    token_type_ids=torch.from_numpy(tt).to(self.device),
                ).logits
                logp = torch.log_softmax(logits.float(), dim=-1)
                best, tag = logp.max(dim=-1)
                prob, tag, logp = best.exp().cpu().numpy(), tag.cpu().numpy(), logp.cpu().numpy()
                for r, k in enumerate(batch):
                    n = len(encodings[k])
                    out[k] = (tag[r, :n], prob[r, :n], logp[r, :n])
                i = j
        return out  # type: ignore[return-value]

    def token_predictions(self, texts: Sequence[str]) -> list[TokenPredictions]:
        """Merged per-token predictions for each text (each token predicted by exactly one window)."""
        plan = [(t, win) for t, text in enumerate(texts) for win in char_windows(len(text), self.window, self.overlap)]
        pieces = [texts[t][s:e] for t, (s, e) in plan]
        enc = self.tokenizer(pieces, add_special_tokens=True, return_offsets_mapping=True,
                             return_attention_mask=False, return_token_type_ids=False, truncation=False) if pieces else None
        ids = enc["input_ids"] if enc else []
        limit = self.window + 2
        for k, seq in enumerate(ids):
            if len(seq) > limit:  # cannot happen with a WordPiece tokenizer; guard against other vocabularies
                raise ValueError(f"window {plan[k][1]} has {len(seq)} tokens, more than {limit}")
        rules: list[list[Span]] = [[] for _ in texts]
        types = None
        if self.rule_features:
            from train.features import feature_ids, rule_spans

            rules = [rule_spans(text) for text in texts]
            triples = [[(r.start, r.end, r.label) for r in rs] for rs in rules]
            types = [feature_ids(enc["offset_mapping"][k], triples[t], shift=s) for k, (t, (s, _e)) in enumerate(plan)]
        preds = self._forward(ids, types)

        # Per window: absolute token starts/ends (specials dropped), tags, probs.
        toks: list[tuple[np.ndarray, ...]] = []
        for k, (_t, (s, _e)) in enumerate(plan):
            offs = np.asarray(enc["offset_mapping"][k], dtype=np.int64).reshape(-1, 2)
            real = offs[:, 1] > offs[:, 0]  # special tokens have empty offsets
            tag, prob, logp = preds[k]
            toks.append((offs[real, 0] + s, offs[real, 1] + s, tag[real], prob[real], logp[real]))

        results: list[TokenPredictions] = []
        k = 0
        for t, text in enumerate(texts):
            wins = char_windows(len(text), self.window, self.overlap)
            own = owned_ranges(wins)
            cuts = [0]
            for w in range(1, len(wins)):
                cuts.append(_common_cut(toks[k + w - 1], toks[k + w], own[w][0], wins[w][0], wins[w - 1][1], cuts[-1]))
            cuts.append(len(text))
            parts = []
            for w in range(len(wins)):
                a, b, tag, prob, logp = toks[k + w]
                keep = (a >= cuts[w]) & (a < cuts[w + 1])
                parts.append((a[keep], b[keep], tag[keep], prob[keep], np.full(int(keep.sum()), w), logp[keep]))
            k += len(wins)
            if parts:
                cols = [np.concatenate(c) for c in zip(*parts)]
            else:
                cols = [np.zeros(0, dtype=np.int64)] * 5 + [np.zeros((0, len(self.id2label)), dtype=np.float32)]
            *main, logp_all = cols
            results.append(TokenPredictions(*main, windows=wins, logp=logp_all, rule_spans=rules[t]))
        return results

    def predict_views(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans on each of the given texts. ``source`` is ``"model"``, ``"model+rules"`` where the
        model's span is exactly one the rules found, or ``"rules"`` for a rule span added by the
        model's merge policy (``gongbao.json`` ``merge``)."""
        out = []
        names = [self.id2label[i] for i in range(len(self.id2label))]
        for text, p in zip(texts, self.token_predictions(texts)):
            if self.decoding == "viterbi":
                p = constrained(p, names)
            spans = decode_spans(text, p, self.id2label, "model")
            if self.merge:
                from train.features import rule_spans
                from train.merge import merge_spans

                spans = merge_spans(spans, p.rule_spans if self.rule_features else rule_spans(text), self.merge)
            elif p.rule_spans:
                agreed = {r.key for r in p.rule_spans}
                spans = [replace(s, source="model+rules") if s.key in agreed else s for s in spans]
            out.append(spans)
        return out

    def predict_on_views(self, views: Sequence[TextView]) -> list[list[Span]]:
        """Predict on already normalised views; spans mapped back to each view's raw text."""
        spans = self.predict_views([v.text for v in views])
        return [[v.span_to_raw(s) for s in ss] for v, ss in zip(views, spans)]

    def predict_raw(self, raw_texts: Sequence[str]) -> list[list[Span]]:
        """Normalise each raw text, predict on the view, map spans back to raw offsets."""
        return self.predict_on_views([normalize_view(r) for r in raw_texts])

    @property
    def info(self) -> dict:
        return {"name": self.name, "version": self.version}


class RulesTagger:
    """The rule extractor behind the same interface, so ``--model rules`` shares the output path."""

    name = "rules"

    def __init__(self) -> None:
        from annotate.rules import extract_spans

        self._extract = extract_spans
        try:
            from importlib.metadata import version

            self.version = version("gongbao")
        except Exception:  # not installed as a package
            self.version = "0"

    def predict_raw(self, raw_texts: Sequence[str]) -> list[list[Span]]:
        return [list(self._extract(r)) for r in raw_texts]

    def predict_on_views(self, views: Sequence[TextView]) -> list[list[Span]]:
        return self.predict_raw([v.raw for v in views])

    @property
    def info(self) -> dict:
        return {"name": self.name, "version": self.version}


def load_tagger(spec: str | Path | None = None, device=None, batch_tokens: int | None = None):
    """``"rules"`` → RulesTagger; a model dir → Tagger; None → the bundled model."""
    if spec is not None and str(spec) == "rules":
        try:
            return RulesTagger()
        except ImportError as e:
            raise InputError("rules", f"rule extractor not available ({e})") from None
    path = Path(spec) if spec is not None else BUNDLED_MODEL_DIR
    if not path.exists():
        if spec is None:
            raise InputError(path, "bundled model missing; train one (gongbao train …) or pass --model DIR|rules")
        raise InputError(path, "model directory not found")
    return Tagger.load(path, device=device, batch_tokens=batch_tokens)
