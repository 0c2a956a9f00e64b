"""Plain-text inputs: every encoding round trip, NUL bytes, pages, errors, a 5 MB line."""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from kehoach.core.errors import IngestError
from kehoach.ingest.text_file import (
    bytes_to_decoded_text,
    decode_text_bytes,
    read_text_file,
    read_text_pages,
    text_to_pages,
)
from kehoach.ingest.legacy import encode_cp1258, encode_tcvn3, encode_vni, tcvn3_tables
from kehoach.core import corpus

GOLD = sorted(corpus.GOLD.glob("*.txt"))


# Windows-1252 punctuation in 0x80-0x9F: TCVN3 VN1 uses those bytes for capitals; the
# OCR ligature ﬁ has no 8-bit code at all
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-",
                        "…": "...", "€": "E", "ﬁ": "fi"})


def _gold(path: Path) -> str:
    return path.read_text(encoding="utf-8").translate(_PLAIN)


ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16-le": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le-nobom": lambda t: t.encode("utf-16-le"),
    "utf-16-be-nobom": lambda t: t.encode("utf-16-be"),
    "cp1258": encode_cp1258,
    "vni": lambda t: encode_vni(t).encode("cp1252"),
}
EXPECTED_NAME = {"utf-16-le-nobom": "utf-16-le", "utf-16-be-nobom": "utf-16-be"}


@pytest.mark.parametrize("name", ENCODERS)
@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_round_trip(path, name):
    gold = _gold(path)
    text, encoding = decode_text_bytes(ENCODERS[name](gold))
    assert encoding == EXPECTED_NAME.get(name, name)
    assert text == gold


def _representable(gold: str) -> list[int]:
    codes = {chr(c) for c in tcvn3_tables().decode}
    return [i for i, tok in enumerate(gold.split()) if not set(tok) & codes]


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_tcvn3_vn1_bytes(path):
    gold = _gold(path)
    text, encoding = decode_text_bytes(encode_tcvn3(gold, variant="vn1").encode("latin-1"))
    assert encoding == "tcvn3"
    keep, got, want = _representable(gold), text.split(), gold.split()
    assert [got[i] for i in keep] == [want[i] for i in keep]


@pytest.mark.parametrize("wrap", ["bytes", "utf-8"])
@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_tcvn3_vn3_bytes(path, wrap):
    """.VnTime text: exact but for words starting with a toned capital ("Ủy" -> "ủy")."""
    gold = _gold(path)
    legacy = encode_tcvn3(gold)
    data = legacy.encode("cp1252") if wrap == "bytes" else legacy.encode("utf-8")
    text, encoding = decode_text_bytes(data)
    assert encoding == ("tcvn3" if wrap == "bytes" else "utf-8+tcvn3")
    keep, got_all, want_all = _representable(gold), text.split(), gold.split()
    got, want = [got_all[i] for i in keep], [want_all[i] for i in keep]
    assert [g.lower() for g in got] == [w.lower() for w in want]
    assert sum(g != w for g, w in zip(got, want)) <= 0.01 * len(want)


@pytest.mark.parametrize("name", ENCODERS)
def test_short_text_round_trip(name):
    text = "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo"
    assert decode_text_bytes(ENCODERS[name](text)) == (text, EXPECTED_NAME.get(name, name))


def test_ascii_and_output_is_nfc():
    assert decode_text_bytes(b"UBND xa Cho Don\n") == ("UBND xa Cho Don\n", "ascii")
    decomposed = unicodedata.normalize("NFD", "Việt Nam").encode("utf-8")
    assert decode_text_bytes(decomposed) == ("Việt Nam", "utf-8")


def test_stray_nul_bytes_removed_with_warning():
    data = "Kế hoạch\n".encode("utf-8") + b"\0\0" + "chuyển đổi số\n".encode("utf-8") + b"\0"
    decoded = bytes_to_decoded_text(data)
    assert decoded.text == "Kế hoạch\nchuyển đổi số\n"
    assert decoded.encoding == "utf-8"
    assert any("3 stray NUL" in w for w in decoded.warnings)


def test_utf16_odd_length_warns():
    decoded = bytes_to_decoded_text(codecs.BOM_UTF16_LE + "Kế hoạch".encode("utf-16-le") + b"\n")
    assert decoded.text == "Kế hoạch" and decoded.encoding == "utf-16-le"
    assert decoded.warnings


@pytest.mark.parametrize("text, encoding", [
    ("Le président a été élu à la majorité; très bien.", "cp1252"),
    ("Résumé “quoted” — naïve café…", "cp1252"),
])
def test_windows_1252_fallback(text, encoding):
    decoded = bytes_to_decoded_text(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, encoding)
    assert any("no Vietnamese encoding" in w for w in decoded.warnings)


def test_latin1_fallback_for_bytes_undefined_in_1252():
    data = b"abc \x81\x8d def \xe9"
    assert decode_text_bytes(data) == ("abc \x81\x8d def é", "latin-1")


@pytest.mark.parametrize("text, pages", [
    ("one page only\n", ["one page only\n"]),
    ("p1\fp2\fp3", ["p1", "p2", "p3"]),
    ("p1\n\fp2\n\f", ["p1\n", "p2\n"]),      # pdftotext ends every page with \f
    ("p1\f\fp3", ["p1", "", "p3"]),           # an empty page in the middle is kept
])
def test_text_to_pages(text, pages):
    assert text_to_pages(text) == pages


def test_read_text_pages_from_tcvn3_file(tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_bytes(encode_tcvn3("KẾ HOẠCH\nchuyển đổi số\fPhụ lục I\f").encode("cp1252"))
    assert read_text_pages(path) == ["KẾ HOẠCH\nchuyển đổi số", "Phụ lục I"]
    pages, encoding, warnings = read_text_file(path)
    assert encoding == "tcvn3" and len(pages) == 2 and warnings == []


@pytest.mark.parametrize("content, code", [
    (None, "unreadable"),                    # missing file
    ("dir", "unreadable"),                   # a folder
    (b"", "empty"),
    (b"\0\0 \n\n", "empty"),
    (bytes(range(1, 32)) * 50, "binary"),
])
def test_unreadable_files_raise_ingest_error(tmp_path, content, code):
    path = tmp_path / "input.txt"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        read_text_file(path)
    assert info.value.code == code
    assert path.name in info.value.message


def test_five_megabyte_single_line_tcvn3_file(tmp_path):
    line = " ".join(_gold(GOLD[0]).split())
    big = " ".join([line] * (5_000_000 // len(line.encode("cp1258", errors="replace")) + 1))
    path = tmp_path / "big.txt"
    path.write_bytes(encode_tcvn3(big).encode("cp1252"))
    assert path.stat().st_size >= 5_000_000
    pages, encoding, _ = read_text_file(path)
    assert encoding == "tcvn3" and len(pages) == 1
    assert len(pages[0]) == len(big)
    assert pages[0][:2000].lower() == big[:2000].lower()
