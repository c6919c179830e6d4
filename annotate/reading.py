"""Read a gazette issue from disk into its raw text.

``.txt`` in UTF-8 (with or without BOM), UTF-16 (BOM) and GB18030/GBK are detected; ``.pdf``
needs a text layer. Every failure is an :class:`InputError` naming the file and the cause.
The raw text returned here is what all offsets refer to.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from annotate.errors import InputError

TEXT_SUFFIXES = {".txt", ".text", ".md"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | PDF_SUFFIXES

# A decoded text with more of these than this share is binary or a wrong guess.
_MAX_CONTROL_SHARE = 0.01
_MIN_PDF_CHARS = 20


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    return bad <= _MAX_CONTROL_SHARE * len(text)


def _first_decoding(data: bytes, encodings: tuple[str, ...]) -> str | None:
    """The text of the first encoding that decodes ``data`` into something that looks like text."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    return None


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode text bytes, detecting the encoding; raise InputError if it is not text."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(path, f"starts with a {enc} byte-order mark but does not decode ({e.reason})") from None
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: NUL bytes in every other position of CJK/ASCII text.
        text = _first_decoding(data, ("utf-16-le", "utf-16-be"))
        if text is None:
            raise InputError(path, "binary file (NUL bytes), not text")
        return text
    text = _first_decoding(data, ("utf-8", "gb18030"))
    if text is not None:
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_like_text(text):
            return text
    raise InputError(path, "binary or undecodable file: not UTF-8, UTF-16 or GB18030 text")


def read_pdf(path: Path) -> str:
    """The text layer of a PDF, pages joined by form feeds (a page break the normaliser knows)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as e:
        raise InputError(path, f"unreadable PDF ({e})") from None
    text = "\n\f".join(pages)
    if sum(1 for ch in text if not ch.isspace()) < _MIN_PDF_CHARS:
        raise InputError(path, f"PDF without a text layer ({len(pages)} pages, no extractable text); run OCR first")
    return text


def read_issue(path: str | Path) -> str:
    """Read one issue (``.txt`` or ``.pdf``) and return its raw text."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(path, f"unsupported file type {suffix or '(none)'}; expected .txt or .pdf")
    if path.stat().st_size == 0:
        raise InputError(path, "empty file")
    if suffix in PDF_SUFFIXES:
        return read_pdf(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e})") from None
    text = decode_bytes(data, path)
    if not text.strip():
        raise InputError(path, "empty file (only whitespace)")
    return text
