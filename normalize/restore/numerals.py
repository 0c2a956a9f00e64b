"""Section numerals: Roman numerals opening capital headings, read in their order.

Old OCR prints a Roman section numeral's letters as look-alikes ("Il." for II, "IL." for
III, "1y" for IV). Over a document's heading lines (a numeral-like first token, then a
heading in capitals), the numbering goes I, II, III... and starts again at a printed I: a
numeral-like token is read letter by letter ('Ill' is III, '1y' is IV) when that is the
numeral the order expects or the next one (a heading OCR lost), else, if no reading makes
a numeral or it repeats the last one ('Il' after II: III), as the one the order expects. A valid numeral is kept as printed; plain digits are read as numerals only in a
document whose headings show Roman numerals, never in one numbered 1, 2, 3. The
characters are data (normalize/data/section_numerals.yaml).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, field_validator

from ...core.yaml_data import yaml_to_data

DATA = Path(__file__).resolve().parent.parent / "data" / "section_numerals.yaml"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
LEADING_JUNK = "“‘\"'`_-~"


class SectionNumerals(BaseModel):
    """The validated contents of section_numerals.yaml."""

    look_alikes: dict[str, list[str]]
    after: list[str]
    heading_min_words: int
    heading_caps_share: float
    length_slack: int

    @field_validator("look_alikes")
    @classmethod
    def _letters(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(v) != {"I", "V", "X"} or any(k not in chars for k, chars in v.items()):
            raise ValueError("look_alikes: the letters I, V, X, each among its own look-alikes")
        if any(len(c) != 1 for chars in v.values() for c in chars):
            raise ValueError("look_alikes: single characters")
        return v

    @property
    def characters(self) -> frozenset[str]:
        return _characters(tuple(c for chars in self.look_alikes.values() for c in chars))


@lru_cache(maxsize=4)
def _characters(chars: tuple[str, ...]) -> frozenset[str]:
    return frozenset(chars)


@lru_cache(maxsize=1)
def load_numerals() -> SectionNumerals:
    """Return the section-numeral table (validated, cached)."""
    return SectionNumerals.model_validate(yaml_to_data(DATA.read_text(encoding="utf-8")))


def _split(token: str, table: SectionNumerals) -> tuple[str, str, str] | None:
    """Given a line's first token, return (leading junk, numeral-like core, mark after) or
    None when it is no numeral-like token."""
    lead = len(token) - len(token.lstrip(LEADING_JUNK))
    body = token[lead:]
    mark = body[-1] if body and body[-1] in table.after else ""
    core = body[: len(body) - len(mark)]
    if not core or len(core) > 5 or any(c not in table.characters for c in core):
        return None
    return token[:lead], core, mark


def _is_heading(words: list[str], table: SectionNumerals) -> bool:
    """Given the words after a numeral, return whether they are a heading in capitals."""
    lettered = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    if len(lettered) < table.heading_min_words:
        return False
    caps = sum(1 for w in lettered if all(c.isupper() for c in w if c.isalpha()))
    return caps / len(lettered) >= table.heading_caps_share


def lines_to_numeral_fixes(lines: list[list[str]]) -> dict[tuple[int, int], str]:
    """Given a text's lines as split pieces (tokens at even indexes, text.text_to_lines),
    return {(line, piece): numeral token} for the section numerals OCR misread."""
    table = load_numerals()
    chars = table.characters
    heads: list[tuple[int, int, str, str, str]] = []  # line, piece, lead, core, mark
    for li, pieces in enumerate(lines):
        toks = [(pi, pieces[pi]) for pi in range(0, len(pieces), 2) if pieces[pi]]
        if len(toks) < 2 or toks[0][1].lstrip(LEADING_JUNK)[:1] not in chars:
            continue
        split = _split(toks[0][1], table)
        if split and _is_heading([t for _, t in toks[1:]], table):
            heads.append((li, toks[0][0], *split))
    roman_seen = any(not core.isdigit() for _, _, _, core, _ in heads)
    letter = {c: k for k, chars in table.look_alikes.items() for c in chars}
    fixes: dict[tuple[int, int], str] = {}
    expected = 1
    for li, pi, lead, core, mark in heads:
        if core in ROMAN:  # a valid numeral is kept as printed; a printed I starts again
            expected = ROMAN.index(core) + 2
            continue
        if core.isdigit() and not roman_seen:
            continue
        shape = "".join(letter[c] for c in core)
        if shape in ROMAN:
            # read letter by letter ('Ill' is III): taken when it is the numeral the order
            # expects, or the one after (a heading OCR lost)
            value = ROMAN.index(shape) + 1
            if expected <= value <= expected + 1:
                fixes[(li, pi)] = lead + shape + mark
                expected = value + 1
                continue
            if value != expected - 1:  # a repeat of the last numeral is a misread ('Il' for III)
                continue
        want = ROMAN[min(expected, len(ROMAN)) - 1]
        if abs(len(core) - len(want)) <= table.length_slack:
            fixes[(li, pi)] = lead + want + mark
            expected += 1
    return fixes
