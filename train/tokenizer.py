"""The project's BERT tokenizer: built once from ``data/vocab``, saved, and always loaded from a saved dir.

``BertTokenizerFast(vocab_file=…)`` silently yields a 5-token tokenizer under transformers 5.x,
so the vocabulary is read here and passed as a dict, and the size is checked.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from annotate.errors import InputError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
VOCAB_FILE = DATA_DIR / "vocab" / "bert-base-chinese-vocab.txt"
VOCAB_SIZE = 21128


def read_vocab(path: str | Path = VOCAB_FILE) -> dict[str, int]:
    """``{token: id}`` from a one-token-per-line vocabulary file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "vocabulary file not found")
    vocab: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        vocab.setdefault(line.rstrip("\r\n"), len(vocab))
    return vocab


def build_tokenizer(vocab_file: str | Path = VOCAB_FILE, expected_size: int | None = VOCAB_SIZE):
    """A fast BERT tokenizer (lower-casing, CJK chars split) over ``vocab_file``."""
    from transformers import BertTokenizerFast

    vocab = read_vocab(vocab_file)
    if "vocab" in inspect.signature(BertTokenizerFast.__init__).parameters:  # transformers >= 5
        tok = BertTokenizerFast(vocab=vocab)
    else:
        tok = BertTokenizerFast(vocab_file=str(vocab_file))
    check_tokenizer(tok, expected_size, str(vocab_file))
    return tok


def check_tokenizer(tok, expected_size: int | None = VOCAB_SIZE, where: str = "tokenizer"):
    """Fail loudly if the tokenizer is not a full fast BERT vocabulary."""
    if not getattr(tok, "is_fast", False):
        raise InputError(where, "a fast tokenizer is needed (offset mappings)")
    if expected_size is not None and len(tok) != expected_size:
        raise InputError(where, f"tokenizer has {len(tok)} tokens, expected {expected_size}")
    if tok.unk_token_id is not None and tok.convert_tokens_to_ids("的") == tok.unk_token_id:
        raise InputError(where, "tokenizer maps common CJK characters to [UNK]; wrong vocabulary")
    return tok


def save_tokenizer(out_dir: str | Path, vocab_file: str | Path = VOCAB_FILE) -> Path:
    """Build the tokenizer and save it (tokenizer.json, vocab.txt, config) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    build_tokenizer(vocab_file).save_pretrained(str(out_dir))
    return out_dir


def load_tokenizer(model_dir: str | Path, expected_size: int | None = None):
    """Load a saved tokenizer from a model directory and check it."""
    from transformers import AutoTokenizer

    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise InputError(model_dir, "tokenizer directory not found")
    try:
        tok = AutoTokenizer.from_pretrained(str(model_dir))
    except (OSError, ValueError) as e:
        raise InputError(model_dir, f"cannot load tokenizer: {e}") from e
    return check_tokenizer(tok, expected_size, str(model_dir))
