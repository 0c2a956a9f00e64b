"""Token-level text helpers for restoration: folding, splitting tokens, case transfer.

All regular expressions of the restore package live in PATTERNS below.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# the marks OCR prints inside a word (ngu:ol, liéu'ciia, dién-tinh): a token is glued by them
GLUE_MARK_CHARS = "-'’‘“”,;:.|"
_GLUE = "".join(re.escape(c) for c in GLUE_MARK_CHARS)
PATTERNS: dict[str, re.Pattern[str]] = {
    # whitespace-separated tokens, keeping the whitespace so lines rebuild exactly
    "split_ws": re.compile(r"(\s+)"),
    # punctuation that may cling to either end of a word and is kept as is
    "lead_punct": re.compile(r"^[\(\[\{\"'“‘«,.;:!?…*•–—-]+"),
    # ('./.' closes the last sentence of an official document)
    "trail_punct": re.compile(r"(?:[\)\]\}\"'”’»,.;:!?…*—–-]|(?<=\.)/(?=\.))+$"),
    # a document code or anything with a digit next to a slash/hyphen: never a syllable
    # (an @ only in an e-mail address: old OCR prints @ for â/ê inside words, 'x@y')
    "code": re.compile(r"[0-9].*[/\-]|[/\-].*[0-9]|/|https?:|www\.|\w@[\w-]+\.\w|\.[a-z]{2,4}$", re.I),
    # a number with capital letters: a label or technical term (4G, 5G, 1A), kept as a code
    "label": re.compile(r"^[0-9]+[A-Z]+$"),
    "number": re.compile(r"^[0-9][0-9.,:%]*$"),
    # a word core with a mark between letter runs (ngu:ol, liéu'ciia, dién-tinh, tế-xã)
    "glued": re.compile(rf"^[^\W\d_]+(?:[{_GLUE}][^\W\d_]+)+$"),
    "glue_mark": re.compile(rf"([{_GLUE}])"),
    # a Roman numeral (Quý II, Phần IV, Phụ lục III): kept as written, a changed one changes
    # the deadline or section; VI and XI are left out, they are also syllables (ĐƠN VI -> VỊ)
    "roman": re.compile(r"^(?!VI$|XI$)X{0,3}(?:IX|IV|V?I{0,3})$"),
    # a segment of a code, for code fixes learned from pairs (QD -> QĐ)
    "code_segment": re.compile(r"[A-Za-zĐđ]+"),
}

VIETNAMESE_EXTRA = set("đăâêôơư")
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# old-style tone placement (hoá, thuỷ) and its modern form (hóa, thủy): open oa/oe/uy
MODERN_TONE_ENDINGS = ("oa", "oe", "uy")
# characters old eng-OCR prints for Vietnamese letters ($ for S: "$6" is số): a token made of
# them is a word
OCR_LETTER_SYMBOLS = set("¢€¥&@£©®§$")
# ... but alone, these mean themselves far more often than a letter: "Sở Nông nghiệp & PTNT",
# "20 $" (in the corpus old OCR a lone & is & 4 times, a letter twice): a token that is one of
# them is kept as printed
SYMBOLS_ALONE_KEPT = set("&$£§©®@")


TONE_NAMES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}


@lru_cache(maxsize=200_000)
def word_to_tone(word: str) -> str:
    """Given a word, return the name of its (first) tone mark, or 'none'."""
    for c in unicodedata.normalize("NFD", word):
        if c in TONE_NAMES:
            return TONE_NAMES[c]
    return "none"


@lru_cache(maxsize=200_000)
def raw_tone_signature(raw: str) -> str:
    """Given a raw OCR word, return what hints at its tone: its mark and any digit/symbol in it."""
    odd = next((c for c in raw if not c.isalpha()), "")
    return word_to_tone(raw) + odd


@lru_cache(maxsize=200_000)
def canonical_tone(word: str) -> str:
    """Given a syllable, return it with the modern tone placement (hoá -> hóa, thuỷ -> thủy)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return word
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    low = base.lower()
    if not low.endswith(MODERN_TONE_ENDINGS) or low.endswith("qua") or low.endswith("quy") or low.endswith("que"):
        return word
    i = len(base) - 2
    return unicodedata.normalize("NFC", base[:i + 1] + tones[0] + base[i + 1:])


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """Given a string, return it lower-cased with all diacritics removed and đ as d."""
    s = s.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


HATS = {"\u0302", "\u0306", "\u031b"}  # circumflex (â ê ô), breve (ă), horn (ơ ư)


@lru_cache(maxsize=200_000)
def marks_distance(a: str, b: str) -> int:
    """Given two words, return how many diacritics they do not share: the tone mark (or
    its absence), the hats/horns present in one only, and đ against d."""
    def marks(w: str) -> tuple[str, frozenset[str]]:
        d = unicodedata.normalize("NFD", w.lower())
        return word_to_tone(w), frozenset(c for c in d if c in HATS) | ({"đ"} if "đ" in w.lower() else set())
    (ta, ha), (tb, hb) = marks(a), marks(b)
    return (ta != tb) + len(ha ^ hb)


def has_vietnamese_marks(s: str) -> bool:
    """Given a word, return whether it carries any Vietnamese diacritic (tone, hat, horn, đ)."""
    return fold(s) != s.lower()


def token_to_parts(token: str) -> tuple[str, str, str]:
    """Given a whitespace token, return (leading punctuation, core, trailing punctuation)."""
    lead = PATTERNS["lead_punct"].match(token)
    a = lead.end() if lead else 0
    trail = PATTERNS["trail_punct"].search(token, a)
    b = trail.start() if trail else len(token)
    if a >= b:  # all punctuation: nothing to restore
        return token, "", ""
    return token[:a], token[a:b], token[b:]


def core_kind(core: str) -> str:
    """Given a token core, return 'word' (restorable), 'number', 'code' or 'other'."""
    if not core:
        return "other"
    if PATTERNS["number"].match(core):
        return "number"
    if PATTERNS["code"].search(core) or PATTERNS["label"].match(core):
        return "code"
    if core in SYMBOLS_ALONE_KEPT:
        return "other"
    if any(c.isalpha() or c in OCR_LETTER_SYMBOLS for c in core):
        return "word"
    return "other"


def transfer_case(raw: str, word: str) -> str:
    """Given the raw token and a lower-case restored word, return the word in raw's case."""
    letters = [c for c in raw if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if raw[:1].isupper() or (raw[:1] in "ÐÞ" or (not raw[:1].isalpha() and len(raw) > 1 and raw[1:2].isupper())):
        return word[:1].upper() + word[1:]
    return word


def text_to_lines(text: str) -> list[list[str]]:
    """Given a text, return per line the split pieces: tokens at even, whitespace at odd index."""
    return [PATTERNS["split_ws"].split(line) for line in text.split("\n")]
