"""Length-preserving text folding shared by the field parsers (deadlines, units, values).

Matching rules are written against *folded* text: lower case, no diacritics, đ -> d. Folding
is done character by character so that a match position in the folded text is the same
position in the original text: parsers report spans of the text as printed.
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
def _fold_char(c: str) -> str:
    """Given one character, return its folded form (exactly one character)."""
    if c in _D_STROKES:
        return "d"
    if c in _DASHES:
        return "-"
    if c in _SLASHES:
        return "/"
    base = unicodedata.normalize("NFD", c)[0].lower()
    return base if len(base) == 1 else c


def fold(text: str) -> str:
    """Given text, return it lower-cased without diacritics, same length, same positions."""
    return "".join(_fold_char(c) for c in text)


def nfc(text: str) -> str:
    """Given text, return it in Unicode NFC (the project's one text form)."""
    return unicodedata.normalize("NFC", text)


_SPACES = re.compile(r"\s+")


def squash_spaces(text: str) -> str:
    """Given text, return it with every run of whitespace turned into one space, stripped."""
    return _SPACES.sub(" ", text).strip()
