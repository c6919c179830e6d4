"""Reading issues from disk: encodings, PDF text layers, and clear errors for bad input."""

from __future__ import annotations

import codecs
import random
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from annotate.errors import InputError
from annotate.normalize import normalize
from annotate.reading import read_issue
from annotate.segment import segment_issue

RESOURCES = Path(__file__).parent / "resources"


@pytest.fixture(scope="module")
def excerpt(seed_paths):
    """A seed excerpt with CJK, full- and half-width punctuation, digits and Latin letters."""
    text = seed_paths[0].read_text(encoding="utf-8")[:3000]
    assert any("\u4e00" <= c <= "\u9fff" for c in text) and "GONGBAO" in text
    return text


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("gb18030", b""),
        ("gbk", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_text_encodings_round_trip(tmp_path, excerpt, encoding, bom):
    text = excerpt
    if encoding == "gbk":  # GBK lacks a few characters of the seed (e.g. 〇 is fine, but be safe)
        text = text.encode("gbk", errors="ignore").decode("gbk")
    path = tmp_path / "issue.txt"
    path.write_bytes(bom + text.encode(encoding))
    assert read_issue(path) == text


def test_seed_reads_as_is(seed_paths, seed_texts):
    for path in seed_paths:
        assert read_issue(path) == seed_texts[path.name]


def test_pdf_text_layer_with_chinese():
    text = read_issue(RESOURCES / "chinese-text.pdf")
    for line in ["曲靖市人民政府关于进一步加快", "曲政发〔2018〕74号", "（责任单位：市民政局、市财政局）", "2018年12月21日"]:
        assert line in text
    assert "\f" in text  # pages are separated by a form feed
    # the page break is a line break for the normaliser and the segmenter
    docs = segment_issue(text)
    doc = next(d for d in docs if d.kind == "document")
    assert (doc.doc_number, doc.title, doc.date) == (
        "曲政发〔2018〕74号",
        "曲靖市人民政府关于进一步加快老龄事业发展的实施意见",
        "2018-12-21",
    )
    assert "\f" not in normalize(text).text


def test_pdf_with_upper_case_suffix(tmp_path):
    path = tmp_path / "ISSUE.PDF"
    shutil.copy(RESOURCES / "chinese-text.pdf", path)
    assert "曲政发〔2018〕74号" in read_issue(path)


def _png_bytes() -> bytes:
    raw = b"".join(b"\x00" + bytes(range(48)) for _ in range(16))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _random_bytes(seed: int, n: int = 4000) -> bytes:
    return random.Random(seed).randbytes(n)


def _random_high_bytes(seed: int, n: int = 4000) -> bytes:
    """Random bytes without NUL or ASCII controls: the hardest case for encoding detection."""
    rng = random.Random(seed)
    return bytes(rng.choice(range(0x80, 0x100)) for _ in range(n))


ERROR_CASES = [
    ("empty.txt", b"", "empty"),
    ("blank.txt", " \n\r\n\t\u3000\n".encode("utf-8"), "whitespace"),
    ("blank-utf16.txt", codecs.BOM_UTF16_LE + "  \n\n".encode("utf-16-le"), "whitespace"),
    ("image.txt", _png_bytes(), "binary"),
    ("noise.txt", _random_bytes(1), "binary"),
    ("noise2.txt", _random_bytes(2, 300), "binary"),
    ("highnoise.txt", _random_high_bytes(3), "binary"),
    ("fake.pdf", b"this is not a PDF at all", "unreadable PDF"),
    ("truncated.pdf", (RESOURCES / "chinese-text.pdf").read_bytes()[:400], "unreadable PDF"),
    ("empty.pdf", b"", "empty"),
    ("issue.docx", b"PK\x03\x04 docx", "unsupported file type .docx"),
    ("issue", "文本".encode(), "unsupported file type (none)"),
    ("bom-only.txt", codecs.BOM_UTF8, "whitespace"),
]


@pytest.mark.parametrize("name, data, cause", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_files_name_the_file_and_the_cause(tmp_path, name, data, cause):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_issue(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: ")
    assert cause in msg
    assert err.value.path == str(path)


def test_pdf_without_text_layer():
    path = RESOURCES / "blank-pages.pdf"
    with pytest.raises(InputError) as err:
        read_issue(path)
    assert str(path) in str(err.value) and "without a text layer" in str(err.value) and "2 pages" in str(err.value)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "issue.txt"
    with pytest.raises(InputError, match="file not found") as err:
        read_issue(path)
    assert str(path) in str(err.value)


def test_folder(tmp_path):
    folder = tmp_path / "issues.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder") as err:
        read_issue(folder)
    assert str(folder) in str(err.value)
