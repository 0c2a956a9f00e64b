"""Is a token a well-formed written Vietnamese syllable?

A syllable is onset + vowel nucleus + coda with at most one tone mark, placed on the vowel
the orthography allows (old or new placement: hóa/hoá). The inventory lives in
``data/vietnamese_syllable.yaml``; this module holds the parsing logic only. Used to tell
real Vietnamese from mojibake (legacy encodings read as Windows-1252) and from English.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, field_validator

from .yaml_data import yaml_to_data

DATA = Path(__file__).parent / "data" / "vietnamese_syllable.yaml"
MAX_SYLLABLE_LEN = 8  # "nghiêng", "khuyếch" are 7 letters; anything longer is not one syllable
_MODIFIED_VOWELS = "ăâêôơư"  # a tone goes on the (last) vowel carrying one of these marks
_VOWELS = "aăâeêioôơuưy"


class Nuclei(BaseModel):
    any: list[str]
    none: list[str]
    required: list[str]


class SyllableInventory(BaseModel):
    """The validated contents of vietnamese_syllable.yaml."""

    onsets: list[str]
    front_only_onsets: list[str]
    not_before_front: list[str]
    front_vowels: list[str]
    codas: list[str]
    stop_codas: list[str]
    stop_tones: list[str]
    palatal_codas: list[str]
    palatal_nuclei: list[str]
    velar_codas: list[str]
    no_velar_nuclei: list[str]
    nuclei: Nuclei
    new_style_tone_on_second: list[str]
    tones: dict[str, str]
    letters: str

    @field_validator("onsets", "codas")
    @classmethod
    def _longest_first(cls, v: list[str]) -> list[str]:
        # matching takes the longest onset first ("ngh" before "ng" before "n")
        return sorted(v, key=len, reverse=True)

    def coda_rule(self, nucleus: str) -> str | None:
        """Given a vowel cluster, return "any", "none", "required" or None if unknown."""
        for rule in ("any", "none", "required"):
            if nucleus in getattr(self.nuclei, rule):
                return rule
        return None


@lru_cache(maxsize=1)
def load_inventory() -> SyllableInventory:
    """Given nothing, return the syllable inventory loaded from its data file."""
    return SyllableInventory.model_validate(yaml_to_data(DATA.read_text(encoding="utf-8")))


def split_tone(token: str) -> tuple[str, list[tuple[int, str]]] | None:
    """Given a lowercase token, return (letters without tone marks, [(letter index, tone)]).

    Returns None when a combining mark other than the Vietnamese ones is found.
    """
    inv = load_inventory()
    letters: list[str] = []
    tones: list[tuple[int, str]] = []
    for ch in unicodedata.normalize("NFD", token):
        if ch in inv.tones:
            if not letters:
                return None
            tones.append((len(letters) - 1, inv.tones[ch]))
        elif unicodedata.combining(ch):
            if not letters or ch not in "\u0302\u0306\u031b":  # circumflex, breve, horn
                return None
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    return "".join(letters), tones


def _tone_positions(nucleus: str, has_coda: bool, new_style: list[str]) -> set[int]:
    """Given a vowel cluster, return the indices in it that may carry the tone mark."""
    modified = [i for i, ch in enumerate(nucleus) if ch in _MODIFIED_VOWELS]
    if modified:
        return {modified[-1]}
    if len(nucleus) == 1:
        return {0}
    if len(nucleus) == 2:
        if has_coda:
            return {1}
        return {0, 1} if nucleus in new_style else {0}
    return {1}


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """Given one token (any case, no surrounding punctuation), return True if it is spelled
    as a Vietnamese syllable: known onset, vowel cluster and coda, spelling rules for
    k/gh/ngh, at most one tone mark on an allowed vowel, only acute/dot after p, t, c, ch.
    """
    if not token or len(token) > MAX_SYLLABLE_LEN:
        return False
    split = split_tone(token.lower())
    if split is None:
        return False
    word, tones = split
    inv = load_inventory()
    if len(tones) > 1 or any(ch not in inv.letters for ch in word):
        return False
    tone_at, tone = tones[0] if tones else (None, None)
    for onset in inv.onsets:
        if not word.startswith(onset):
            continue
        rest = word[len(onset):]
        n_vowels = len(rest) - len(rest.lstrip(_VOWELS))
        nucleus, coda, start = rest[:n_vowels], rest[n_vowels:], len(onset)
        if not nucleus and onset == "gi":  # gì, gìn: the i of "gi" is the vowel
            nucleus, start = "i", 1
        if _rhyme_ok(inv, onset, nucleus, coda) and (
            tone_at is None
            or tone_at - start in _tone_positions(nucleus, bool(coda), inv.new_style_tone_on_second)
        ) and not (coda in inv.stop_codas and tone not in inv.stop_tones):
            return True
    return False


def _rhyme_ok(inv: SyllableInventory, onset: str, nucleus: str, coda: str) -> bool:
    """Given a split syllable, return True if nucleus, coda and onset spelling agree."""
    rule = inv.coda_rule(nucleus)
    if rule is None or coda not in inv.codas:
        return False
    if (rule == "none" and coda) or (rule == "required" and not coda):
        return False
    if coda in inv.palatal_codas and nucleus not in inv.palatal_nuclei:
        return False
    if coda in inv.velar_codas and nucleus in inv.no_velar_nuclei:
        return False
    front = nucleus[0] in inv.front_vowels
    if onset in inv.front_only_onsets and not front:
        return False
    if onset in inv.not_before_front and front:
        return False
    return True
