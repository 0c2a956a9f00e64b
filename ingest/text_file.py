"""Plain-text inputs: decode any encoding Vietnamese files come in, split into pages.

Handled: UTF-8 (with or without BOM), UTF-16 LE/BE (with a BOM, or recognised by the
pattern of NUL bytes), Windows-1258, the legacy font encodings TCVN3 and VNI (as bytes, or
as mojibake already saved as UTF-8), stray NUL bytes (removed, with a warning) and a
Windows-1252/Latin-1 fallback. Text comes out NFC; pages are separated by form feeds.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import IngestError
from .legacy import (
    detect_legacy, legacy_to_unicode, syllable_share, tcvn3_to_unicode, vni_to_unicode,
)

UTF8_BOM = b"\xef\xbb\xbf"
UTF8_REPLACEMENT = "\ufffd".encode("utf-8")  # U+FFFD already in the file, not damage
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
UTF16_MIN_NUL_SHARE = 0.2     # ASCII-heavy UTF-16: this share of high bytes is NUL ...
UTF16_MAX_OTHER_NUL = 0.02    # ... and almost none of the low bytes
SAMPLE_TOKENS = 5000          # single-byte candidates are compared on a sample of tokens
MIN_SHARE_GAIN = 0.05         # Windows-1258 must beat Windows-1252 by this syllable share
MAX_CONTROL_SHARE = 0.1       # more control characters than this: not a text file
# UTF-8 with a few damaged bytes (a bad copy, a cut multi-byte character): at least this
# many valid multi-byte characters per invalid byte. Single-byte encodings (TCVN3, VNI,
# Windows-1258) almost never form valid multi-byte UTF-8 sequences.
MIN_UTF8_PER_INVALID = 10
PAGE_BREAK = "\f"

# --- regular expressions: the only one in this module ---------------------------------
_C1_BYTE_RE = re.compile(rb"[\x80-\x9f]")


def _cp1252_char(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


# C1 bytes 0x80-0x9F: Windows-1252 punctuation where defined, Latin-1 control otherwise
_C1_TO_CP1252 = {b: _cp1252_char(b) for b in range(0x80, 0xA0)}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def bytes_to_cp1252(data: bytes) -> str:
    """Given bytes, return them read as Windows-1252 (Latin-1 for its 5 undefined bytes)."""
    return data.decode("latin-1").translate(_C1_TO_CP1252)


def _utf16_by_nuls(data: bytes) -> str | None:
    """Given bytes without a BOM, return "utf-16-le"/"utf-16-be" if their NUL bytes fall
    on every other position, as in UTF-16 text that is mostly ASCII; else None."""
    if len(data) < 4:
        return None
    even, odd = data[0::2], data[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= UTF16_MIN_NUL_SHARE and even_nul <= UTF16_MAX_OTHER_NUL:
        return "utf-16-le"
    if even_nul >= UTF16_MIN_NUL_SHARE and odd_nul <= UTF16_MAX_OTHER_NUL:
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, encoding: str, warnings: list[str]) -> str:
    """Given UTF-16 bytes (no BOM), return the text; damage is replaced and reported."""
    if len(data) % 2:
        warnings.append(f"{encoding}: odd number of bytes, last byte dropped")
        data = data[:-1]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        warnings.append(f"{encoding}: {text.count(chr(0xFFFD))} undecodable code units replaced by U+FFFD")
        return text


def _sample(data: bytes, limit: int = SAMPLE_TOKENS) -> bytes:
    """Given bytes, return up to ``limit`` of their whitespace tokens, evenly spread."""
    tokens = data.split()
    if len(tokens) > limit:
        step = len(tokens) / limit
        tokens = [tokens[int(i * step)] for i in range(limit)]
    return b" ".join(tokens)


def _c1_bytes_are_capitals(data: bytes, limit: int = SAMPLE_TOKENS) -> bool:
    """Given TCVN3 bytes, return True if the tokens holding bytes 0x80-0x9F read as more
    Vietnamese words with those bytes as the capitals of the full VN1 table ("B\x97" =
    "BỘ") than as Windows-1252 punctuation (curly quotes, dashes)."""
    tokens = [t for t in data.split() if _C1_BYTE_RE.search(t)][:limit]
    if not tokens:
        return False
    joined = b" ".join(tokens)
    as_capitals = syllable_share(tcvn3_to_unicode(joined.decode("latin-1")))
    return as_capitals > syllable_share(tcvn3_to_unicode(bytes_to_cp1252(joined)))


def _single_byte(data: bytes, warnings: list[str]) -> DecodedText:
    """Given bytes that are not UTF-8, return them decoded with the single-byte encoding
    (TCVN3, VNI, Windows-1258, else Windows-1252) that yields the most Vietnamese words."""
    sample = _sample(data)
    baseline = syllable_share(bytes_to_cp1252(sample))
    legacy = detect_legacy(bytes_to_cp1252(sample))
    scores: dict[str, float] = {}
    if legacy == "tcvn3":
        scores["tcvn3"] = syllable_share(tcvn3_to_unicode(bytes_to_cp1252(sample)))
    elif legacy == "vni":
        scores["vni"] = syllable_share(vni_to_unicode(bytes_to_cp1252(sample)))
    try:
        scores["cp1258"] = syllable_share(unicodedata.normalize("NFC", sample.decode("cp1258")))
    except UnicodeDecodeError:
        pass
    best = max(scores, key=scores.__getitem__, default=None)
    if best == "cp1258" and scores[best] < baseline + MIN_SHARE_GAIN:
        best = None
    if best == "tcvn3":
        # bytes 0x80-0x9F: capitals of the full VN1 table, or Windows-1252 punctuation
        text = data.decode("latin-1") if _c1_bytes_are_capitals(data) else bytes_to_cp1252(data)
        return DecodedText(legacy_to_unicode(text, "tcvn3"), "tcvn3", warnings)
    if best == "vni":
        return DecodedText(legacy_to_unicode(bytes_to_cp1252(data), "vni"), "vni", warnings)
    if best == "cp1258":
        return DecodedText(data.decode("cp1258"), "cp1258", warnings)
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    warnings.append(f"no Vietnamese encoding recognised; read as {encoding}")
    return DecodedText(text, encoding, warnings)


def bytes_to_decoded_text(data: bytes) -> DecodedText:
    """Given the bytes of a text file, return its NFC text, encoding name and warnings.

    Encoding names: ascii, utf-8, utf-8-sig, utf-16-le, utf-16-be, cp1258, tcvn3, vni,
    cp1252, latin-1, and utf-8+tcvn3 / utf-8+vni for legacy mojibake saved as UTF-8.
    """
    warnings: list[str] = []
    for bom, encoding in UTF16_BOMS.items():
        if data.startswith(bom):
            decoded = DecodedText(_decode_utf16(data[2:], encoding, warnings), encoding, warnings)
            break
    else:
        encoding = None if data.startswith(UTF8_BOM) else _utf16_by_nuls(data)
        decoded = None
        if encoding:
            try:
                decoded = DecodedText(data[: len(data) // 2 * 2].decode(encoding), encoding, warnings)
            except UnicodeDecodeError:
                decoded = None
        if decoded is None:
            decoded = _bytes_to_8bit_text(data, warnings)
    return DecodedText(unicodedata.normalize("NFC", decoded.text), decoded.encoding, decoded.warnings)


def _bytes_to_8bit_text(data: bytes, warnings: list[str]) -> DecodedText:
    """Given bytes that are not UTF-16, return them decoded (UTF-8 first, then 8-bit)."""
    bom = data.startswith(UTF8_BOM)
    if bom:
        data = data[len(UTF8_BOM):]
    if b"\0" in data:
        warnings.append(f"removed {data.count(0)} stray NUL bytes")
        data = data.replace(b"\0", b"")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        invalid = text.count("\ufffd") - data.count(UTF8_REPLACEMENT)
        valid = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
        if bom or valid >= MIN_UTF8_PER_INVALID * invalid:
            warnings.append(f"utf-8: {invalid} undecodable byte sequence(s) replaced by U+FFFD")
            return DecodedText(text, "utf-8-sig" if bom else "utf-8", warnings)
        return _single_byte(data, warnings)
    encoding = "utf-8-sig" if bom else ("ascii" if data.isascii() else "utf-8")
    if encoding != "ascii":
        legacy = detect_legacy(text)
        if legacy:
            warnings.append(f"text is {legacy.upper()} read as Windows-1252 and saved as UTF-8; converted")
            return DecodedText(legacy_to_unicode(text, legacy), f"utf-8+{legacy}", warnings)
    return DecodedText(text, encoding, warnings)


def decode_text_bytes(data: bytes) -> tuple[str, str]:
    """Given the bytes of a text file, return (NFC text, encoding name); see
    ``bytes_to_decoded_text`` for the warnings."""
    decoded = bytes_to_decoded_text(data)
    return decoded.text, decoded.encoding


def text_to_pages(text: str) -> list[str]:
    """Given decoded text, return its pages: one per form-feed-separated chunk (a final
    form feed, as pdftotext writes, does not start an empty page)."""
    pages = text.split(PAGE_BREAK)
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return pages


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return controls / max(1, len(text))


def read_text_file(path: str | Path) -> tuple[list[str], str, list[str]]:
    """Given the path of a text file, return (pages, encoding name, warnings).

    Raises IngestError (code "unreadable", "empty" or "binary") when it cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError(f"{path.name}: no such file", hint="check the path", code="unreadable") from exc
    except IsADirectoryError as exc:
        raise IngestError(f"{path.name}: is a folder, not a text file", code="unreadable") from exc
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot be read ({exc.strerror})",
                          hint="check the file's permissions", code="unreadable") from exc
    if not data.replace(b"\0", b"").strip():
        raise IngestError(f"{path.name}: the text file is empty", code="empty")
    decoded = bytes_to_decoded_text(data)
    if _control_share(decoded.text) > MAX_CONTROL_SHARE:
        raise IngestError(f"{path.name}: binary data, not text",
                          hint="give a PDF, an image or a text file", code="binary")
    return text_to_pages(decoded.text), decoded.encoding, list(decoded.warnings)


def read_text_pages(path: str | Path) -> list[str]:
    """Given the path of a text file, return its pages (split on form feeds)."""
    return read_text_file(path)[0]
