"""Length-preserving text folding shared by the field parsers (deadlines, units, values).

Matching rules are written against *folded* text: lower case, no diacritics, đ -> d. Folding
is done character by character so that a match position in the folded text is the same
position in the original text: parsers report spans of the text as printed. ``unmark`` is
the same folding with the case kept (the table readers' numerals: "Thứ nhât" -> "Thu nhat").
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Dashes and quotes that OCR and word processors use interchangeably.
_DASHES = "‐‑‒–—―−"
# Slash look-alikes of fonts and OCR ("Quý II⁄2026": U+2044 fraction slash, U+2215, U+FF0F).
_SLASHES = "⁄∕／⧸"
# D with stroke and its look-alikes: OCR reads "Đ" as the Icelandic eth "Ð" or the African "Ɖ".
_D_STROKES = "đĐðÐɖƉ"


@lru_cache(maxsize=4096)
def _unmark_char(c: str) -> str:
    """Given one character, return it without its marks, its case kept (one character)."""
    if c in _D_STROKES:
        return "d" if c.islower() else "D"
    if c in _DASHES:
        return "-"
    if c in _SLASHES:
        return "/"
    return unicodedata.normalize("NFD", c)[0]


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """Given one character, return its folded form (exactly one character)."""
    base = _unmark_char(c).lower()
    return base if len(base) == 1 else c


def fold(text: str) -> str:
    """Given text, return it lower-cased without diacritics, same length, same positions."""
    return "".join(_fold_char(c) for c in text)


def unmark(text: str) -> str:
    """Given text, return it without diacritics, its case kept ("Thứ nhât" -> "Thu nhat",
    "Đ" -> "D"), same length, same positions: ``fold`` without the lower-casing."""
    return "".join(_unmark_char(c) for c in text)


def nfc(text: str) -> str:
    """Given text, return it in Unicode NFC (the project's one text form)."""
    return unicodedata.normalize("NFC", text)


_SPACES = re.compile(r"\s+")


def squash_spaces(text: str) -> str:
    """Given text, return it with every run of whitespace turned into one space, stripped."""
    return _SPACES.sub(" ", text).strip()
