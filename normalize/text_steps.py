"""Pure text clean-up steps that keep every token in place (``str -> str``).

They never merge or split whitespace-separated tokens within a line, so the token map
between raw and normalized text stays the identity until restoration edits tokens.
"""
from __future__ import annotations

import re
import unicodedata

# invisible or odd spaces that PDFs and OCR emit; zero-width ones are removed
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_TRAILING = re.compile(r"[ ]+$", re.M)


def to_nfc(text: str) -> str:
    """Vietnamese is always Unicode NFC: composed letters with their tone marks."""
    return unicodedata.normalize("NFC", text)


def clean_spaces(text: str) -> str:
    """Turn odd spaces into plain spaces, drop zero-width characters and trailing spaces."""
    text = text.translate(_ZERO_WIDTH)
    text = _ODD_SPACES.sub(" ", text)
    return _TRAILING.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


STEPS = (to_nfc, clean_spaces)


def clean_text(text: str) -> str:
    """Given raw page text, return it with every clean-up step applied in order."""
    for step in STEPS:
        text = step(text)
    return text


_VIET_MARKED = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)


def accent_ratio(text: str) -> float:
    """Share of alphabetic tokens carrying a Vietnamese diacritic or đ (~0.6 in real text)."""
    tokens = [t for t in text.lower().split() if t.isalpha()]
    if not tokens:
        return 0.0
    marked = sum(1 for t in tokens if any(ch in _VIET_MARKED for ch in t))
    return marked / len(tokens)
