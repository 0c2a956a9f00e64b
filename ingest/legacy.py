"""Legacy Vietnamese font encodings (TCVN3, VNI) read as Windows-1252, back to Unicode.

Old plans were typed in ".VnTime" (TCVN3/ABC: one byte per letter) or "VNI-Times" (VNI: a
base letter followed by a mark byte) fonts. Their PDF text layers and text files, read as
Windows-1252/Latin-1, look like "KÕ ho¹ch" (TCVN3) or "Keá hoaïch" (VNI). The byte tables
are data (``data/legacy_tcvn3.tsv``, ``data/legacy_vni.tsv``); this module holds the logic.

TCVN3 caveat: the common VN3 fonts have no codes for capitals carrying a tone mark; headings
set in ".VnTimeH" use the lowercase codes ("KÕ HO¹CH"). Decoding restores the capitals in
words that are otherwise in capitals and in one-capital words next to such words. A word
that starts with such a capital and goes on in lowercase ("Ủy" typed "ñy") cannot be told
from lowercase and stays lowercase. The full VN1 table (a code for every capital) is also
decoded where its codes are unambiguous (C0/C1 control characters and the gaps in 0xA0-0xFF).

Run this on raw text, before clean-up steps: TCVN3 "ư" is byte 0xAD, the soft hyphen.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..core.syllable import is_vietnamese_syllable

DATA = Path(__file__).parent / "data"
LegacyEncoding = Literal["tcvn3", "vni"]

# Detection: a conversion must turn at least this share of the word tokens (and at least
# one token) into Vietnamese words; large texts are sampled.
MIN_GAIN_SHARE = 0.1
MIN_STRONG_SHARE = 0.2  # of the gained tokens, this share must carry unmistakable codes
DETECT_SAMPLE_TOKENS = 5000

# --- regular expressions: the only ones in this module -------------------------------
_WORD_RE = re.compile(r"\w+")                  # a word after decoding (letters, digits)
_LINE_RE = re.compile(r"[^\n]*\n?")            # one line with its newline


# --- tables -----------------------------------------------------------------------------
def _hex_bytes(value: str) -> bytes:
    return bytes.fromhex(value)


class TcvnRow(BaseModel):
    """One letter of data/legacy_tcvn3.tsv."""

    letter: str
    vn3: int
    vn1: int
    shown: str

    @field_validator("vn3", "vn1", mode="before")
    @classmethod
    def _hex(cls, v: str) -> int:
        (b,) = _hex_bytes(v)
        return b

    @model_validator(mode="after")
    def _check(self) -> "TcvnRow":
        if unicodedata.normalize("NFC", self.letter) != self.letter or len(self.letter) != 1:
            raise ValueError(f"{self.letter!r} is not one NFC letter")
        if bytes([self.vn3]).decode("cp1252") != self.shown:
            raise ValueError(f"{self.letter}: 'shown' does not match byte {self.vn3:02X}")
        return self


class VniRow(BaseModel):
    """One letter of data/legacy_vni.tsv."""

    letter: str
    code: bytes = Field(alias="bytes")
    shown: str

    @field_validator("code", mode="before")
    @classmethod
    def _hex(cls, v: str) -> bytes:
        return _hex_bytes(v)

    @model_validator(mode="after")
    def _check(self) -> "VniRow":
        if unicodedata.normalize("NFC", self.letter) != self.letter or len(self.letter) != 1:
            raise ValueError(f"{self.letter!r} is not one NFC letter")
        if not 1 <= len(self.code) <= 2 or self.code.decode("cp1252") != self.shown:
            raise ValueError(f"{self.letter}: bad code or 'shown' column")
        return self


def _read_tsv(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    rows = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass(frozen=True)
class TcvnTables:
    decode: dict[int, str]          # str.translate table: code point -> letter
    encode_vn3: dict[int, str]
    encode_vn1: dict[int, str]
    caseless: frozenset[str]        # decoded letters whose capital shares their VN3 code


@dataclass(frozen=True)
class VniTables:
    decode: dict[str, str]          # VNI character sequence -> letter
    encode: dict[int, str]
    pattern: re.Pattern


@lru_cache(maxsize=1)
def tcvn3_tables() -> TcvnTables:
    """Given nothing, return the TCVN3 decode/encode tables built from legacy_tcvn3.tsv."""
    rows = [TcvnRow.model_validate(r) for r in _read_tsv("legacy_tcvn3.tsv")]
    by_letter = {r.letter: r for r in rows}
    decode: dict[int, str] = {}
    caseless: set[str] = set()
    for r in rows:
        lower = by_letter[r.letter.lower()]
        if r.letter.isupper() and r.vn3 == lower.vn3:
            caseless.add(lower.letter)
        else:
            decode[r.vn3] = r.letter
    for r in rows:
        # VN1 capitals: only codes that are not also a VN3 letter
        if r.vn1 != r.vn3 and r.vn1 not in decode:
            decode[r.vn1] = r.letter
    if len(decode) != len(set(decode.values())):
        raise ValueError("legacy_tcvn3.tsv: two codes decode to the same letter")
    return TcvnTables(
        decode=decode,
        encode_vn3={ord(r.letter): chr(r.vn3) for r in rows},
        encode_vn1={ord(r.letter): chr(r.vn1) for r in rows},
        caseless=frozenset(caseless),
    )


@lru_cache(maxsize=1)
def vni_tables() -> VniTables:
    """Given nothing, return the VNI decode/encode tables built from legacy_vni.tsv."""
    rows = [VniRow.model_validate(r) for r in _read_tsv("legacy_vni.tsv")]
    decode: dict[str, str] = {}
    for r in rows:
        seq = r.code.decode("cp1252")
        decode[seq] = r.letter
        if len(seq) == 2:
            # the mark's case does not matter: the base letter carries the case ("Aù" = Á)
            for mark in {seq[1].lower(), seq[1].upper()}:
                decode.setdefault(seq[0] + mark, r.letter)
    keys = sorted(decode, key=len, reverse=True)  # longest match first: "oâ" before "o"
    return VniTables(
        decode=decode,
        encode={ord(r.letter): r.code.decode("cp1252") for r in rows},
        pattern=re.compile("|".join(map(re.escape, keys))),
    )


# --- conversions ----------------------------------------------------------------------
def _tcvn3_letters(text: str) -> str:
    """Given TCVN3 mojibake, return it decoded letter by letter (no case restoration)."""
    return text.translate(tcvn3_tables().decode)


def _word_case(word: str, caseless: frozenset[str]) -> str:
    """Given a decoded word, return "upper", "lower", "ambiguous" or "none"."""
    has_caseless = any(ch in caseless for ch in word)
    cased = [ch for ch in word if ch not in caseless and (ch.isupper() or ch.islower())]
    if any(ch.islower() for ch in cased):
        return "lower"
    if len(cased) >= 2:
        return "upper"
    return "ambiguous" if has_caseless else "none"


def _standalone(line: str, m: re.Match) -> bool:
    """Given a word match, return False if it is glued into a code like 10-KH/ĐU."""
    before = line[m.start() - 1] if m.start() else " "
    after = line[m.end()] if m.end() < len(line) else " "
    return before not in "-/&" and after not in "-/&"


def _nearest(evidence: list[str | None]) -> list[str | None]:
    """Given per-word evidence, return for each word the nearest evidence before it."""
    out, seen = [], None
    for e in evidence:
        out.append(seen)
        seen = e or seen
    return out


def _restore_line_capitals(line: str, caseless: frozenset[str]) -> str:
    """Given one decoded line, return it with .VnTimeH capitals restored (see module doc)."""
    words = list(_WORD_RE.finditer(line))
    kinds = [_word_case(m.group(), caseless) for m in words]
    if "ambiguous" not in kinds and not any(
        k == "upper" and any(ch in caseless for ch in m.group()) for k, m in zip(kinds, words)
    ):
        return line
    # evidence for a neighbour: lowercase words, and capital words that are syllables
    # (acronyms such as UBND, KH say nothing about the case of the words around them)
    evidence = [
        "upper" if k == "upper" and _standalone(line, m) and is_vietnamese_syllable(m.group())
        else "lower" if k == "lower" else None
        for k, m in zip(kinds, words)
    ]
    before = _nearest(evidence)
    after = _nearest(evidence[::-1])[::-1]
    out, last = [], 0
    for i, (m, kind) in enumerate(zip(words, kinds)):
        upper = kind == "upper"
        if kind == "ambiguous":
            upper = "upper" in (before[i], after[i]) and "lower" not in (before[i], after[i])
        out.append(line[last:m.start()])
        out.append(m.group().upper() if upper else m.group())
        last = m.end()
    out.append(line[last:])
    return "".join(out)


def tcvn3_to_unicode(text: str) -> str:
    """Given TCVN3 text read as Windows-1252/Latin-1 ("KÕ ho¹ch"), return NFC Unicode."""
    decoded = _tcvn3_letters(text)
    caseless = tcvn3_tables().caseless
    if any(ch in caseless for ch in decoded):
        decoded = "".join(_restore_line_capitals(ln, caseless) for ln in _LINE_RE.findall(decoded))
    return unicodedata.normalize("NFC", decoded)


def vni_to_unicode(text: str) -> str:
    """Given VNI text read as Windows-1252/Latin-1 ("Keá hoaïch"), return NFC Unicode."""
    tables = vni_tables()
    return unicodedata.normalize("NFC", tables.pattern.sub(lambda m: tables.decode[m.group()], text))


def encode_tcvn3(text: str, variant: Literal["vn3", "vn1"] = "vn3") -> str:
    """Given Unicode text, return it as TCVN3 bytes shown as Latin-1 characters.

    ``vn3`` (default) is what .VnTime/.VnTimeH documents hold: capitals with a tone mark
    get the lowercase code. ``vn1`` gives every capital its own code (lossless). Characters
    outside the table are kept as they are.
    """
    tables = tcvn3_tables()
    return unicodedata.normalize("NFC", text).translate(
        tables.encode_vn1 if variant == "vn1" else tables.encode_vn3
    )


def encode_vni(text: str) -> str:
    """Given Unicode text, return it as VNI bytes shown as Windows-1252 characters."""
    return unicodedata.normalize("NFC", text).translate(vni_tables().encode)


_CONVERTERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}


CP1258_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave acute tilde hook dot


def encode_cp1258(text: str) -> bytes:
    """Given Unicode text, return Windows-1258 bytes: precomposed base letters (ê, ơ, ă) with
    the tone as a combining mark, the way Windows-1258 stores "ế" (ê + U+0301)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in CP1258_TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in CP1258_TONES))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def legacy_to_unicode(text: str, encoding: LegacyEncoding) -> str:
    """Given legacy text and its encoding ("tcvn3" or "vni"), return NFC Unicode."""
    return _CONVERTERS[encoding](text)


# --- detection --------------------------------------------------------------------------
# A token "gains" when it is not a Vietnamese word as read but is one after conversion.
# Gains are "strong" when the token as read cannot be ordinary Latin text: a TCVN3 code
# that is a symbol in Windows-1252 inside a word ("ho¹ch"), a capital after a small
# letter ("thÕ"), or a VNI vowel+mark pair ("Keá"). Old OCR output without Vietnamese
# ("Céc", "méi") converts to syllables by chance but brings no strong gains; text that
# already holds Vietnamese letters beyond Latin-1 (ă ơ ư đ ạ ế ...) is Unicode already.


@dataclass(frozen=True)
class LegacyScore:
    """How converting a text with one encoding changes its word tokens."""

    words: int          # tokens with a letter
    valid_before: int   # Vietnamese words as read
    valid_after: int    # Vietnamese words after conversion
    strong: int         # gained tokens with unmistakable legacy codes
    native: int         # tokens already Vietnamese with letters beyond Latin-1

    @property
    def gain(self) -> int:
        return self.valid_after - self.valid_before


def _strip(token: str, keep) -> str:
    """Given a token and a predicate, return the token without leading/trailing characters
    the predicate rejects."""
    start = next((i for i, ch in enumerate(token) if keep(ch)), len(token))
    end = next((i for i in range(len(token), start, -1) if keep(token[i - 1])), start)
    return token[start:end]


def _core(token: str) -> str:
    """Given a whitespace token, return it without leading/trailing non-letters."""
    return _strip(token, str.isalpha)


def _is_word(core: str) -> bool:
    """Given a token core, return True if it is a Vietnamese syllable in a normal case."""
    return bool(core) and _normal_case(core) and is_vietnamese_syllable(core)


def _normal_case(core: str) -> bool:
    return core.islower() or core.isupper() or core.istitle()


def _tcvn3_strong(token: str) -> bool:
    """Given a token as read, return True if it holds codes only TCVN3 explains: a code
    below 0xC0 or a symbol in Windows-1252 (¹ µ ¸ ® ¬ × ...) inside a word
    ("ho¹ch", "®Õn"), or a code letter that breaks the word's case pattern ("thÕ", "THùC").
    """
    decode = tcvn3_tables().decode
    core = _strip(token, lambda ch: ch.isalpha() or ord(ch) in decode)
    letters = "".join(ch for ch in core if ch.isalpha())
    return len(core) >= 2 and any(ord(ch) in decode for ch in core) and (
        any(ord(ch) in decode and (ord(ch) < 0xC0 or not ch.isalpha()) for ch in core) or not _normal_case(letters)
    )


def _vni_strong(token: str) -> bool:
    """Given a token as read, return True if it holds a VNI vowel+mark pair ("Keá") or the
    VNI codes of đ/ư ("ñ", "ö"), which other languages do not put in Vietnamese words."""
    core = _core(token)
    return len(core) >= 2 and (
        any(len(m.group()) == 2 for m in vni_tables().pattern.finditer(core))
        or any(ch in "ñÑöÖ" for ch in core)
    )


def _sample_tokens(text: str, limit: int = DETECT_SAMPLE_TOKENS) -> list[str]:
    """Given text, return its whitespace tokens, evenly sampled down to ``limit``."""
    tokens = text.split()
    if len(tokens) > limit:
        step = len(tokens) / limit
        tokens = [tokens[int(i * step)] for i in range(limit)]
    return tokens


def syllable_share(text: str) -> float:
    """Given text, return the share of its word tokens that are Vietnamese syllables."""
    cores = [c for c in map(_core, _sample_tokens(text)) if c]
    return sum(map(_is_word, cores)) / len(cores) if cores else 0.0


def legacy_scores(text: str) -> dict[str, LegacyScore]:
    """Given text, return for "tcvn3" and "vni" how converting it changes its tokens."""
    tokens = _sample_tokens(text)
    checks = {"tcvn3": (tcvn3_to_unicode, _tcvn3_strong), "vni": (vni_to_unicode, _vni_strong)}
    scores = {}
    for name, (convert, strong_codes) in checks.items():
        words = before = after = strong = native = 0
        for token in tokens:
            raw, new = _core(token), _core(convert(token))
            if not raw and not new:
                continue
            words += 1
            ok_before, ok_after = _is_word(raw), _is_word(new)
            before += ok_before
            after += ok_after
            native += ok_before and any(ord(ch) > 0xFF for ch in raw)
            strong += ok_after and not ok_before and strong_codes(token)
        scores[name] = LegacyScore(words, before, after, strong, native)
    return scores


def detect_legacy(text: str) -> LegacyEncoding | None:
    """Given text (decoded as Windows-1252/Latin-1 or taken from a PDF text layer), return
    "tcvn3" or "vni" if converting it turns clearly more tokens into Vietnamese words, with
    codes only that encoding explains; else None (Unicode Vietnamese, English, old OCR).
    """
    best, best_key = None, (0, 0)
    for name, sc in legacy_scores(text).items():
        if (
            sc.gain >= max(1, MIN_GAIN_SHARE * sc.words)
            and sc.strong >= max(1, MIN_STRONG_SHARE * sc.gain)
            and sc.gain > sc.native
            and (sc.gain, sc.strong) > best_key
        ):
            best, best_key = name, (sc.gain, sc.strong)
    return best


def repair_legacy(text: str) -> tuple[str, LegacyEncoding | None]:
    """Given text, return (text converted to Unicode if it is TCVN3/VNI, the encoding)."""
    encoding = detect_legacy(text)
    return (legacy_to_unicode(text, encoding), encoding) if encoding else (text, None)


__all__ = [
    "LegacyScore", "detect_legacy", "encode_tcvn3", "encode_vni", "is_vietnamese_syllable",
    "legacy_to_unicode", "legacy_scores", "repair_legacy", "syllable_share",
    "tcvn3_to_unicode", "vni_to_unicode",
]
