"""The table header rules (extract/data/table_headers.yaml): column-title synonyms per role,
target-table titles, the table grammar's patterns; validated and compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from ...core.folding import fold, nfc

_NOT_FOLDED_LETTER = re.compile(r"[^0-9a-z]")


def header_fold(text: str) -> str:
    """Given header text, return it folded as every rule matches (core.folding.fold: lower
    case, no diacritics, đ -> d) without spaces, punctuation or other marks ("°", "©" are
    dropped, not spelt out as letters)."""
    return _NOT_FOLDED_LETTER.sub("", fold(nfc(text)))


def header_words(text: str) -> set[str]:
    """Given header text, return its words folded as ``header_fold`` does, without
    punctuation or other marks."""
    return set(_NOT_FOLDED_LETTER.sub(" ", fold(nfc(text))).split())


class TablePatterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year_header: str
    ordinal: str
    roman: str
    letter: str
    section_prefix: str
    section_text: str
    column_number: str
    appendix: str
    appendix_reference: str = r"(?!)"
    ordinal_in_text: str = r"(?!)"
    non_item_row: str = r"(?!)"
    value_cell: str = r"(?!)"


class HeaderTable(BaseModel):
    """The validated content of table_headers.yaml."""

    model_config = ConfigDict(extra="forbid")
    roles: dict[str, list[str]]
    target_text_headers: list[str]
    non_field_roles: list[str] = []
    patterns: TablePatterns
    appendix_numeral_ocr: dict[str, str] = {}
    letter_sequence: str = ""
    flat_header_fuzzy: int = Field(default=100, ge=50, le=100)
    flat_header_min_roles: int = Field(default=3, ge=1)
    flat_after_last_lead: list[str] = []
    flat_line_end_unit_words: int = Field(default=8, ge=2)
    flat_unit_trailing_date: str = r"(?!)"
    flat_horizon_titles: list[str] = []


@dataclass(frozen=True)
class TableRules:
    """table_headers.yaml compiled: what the table readers match with."""

    synonyms: tuple[tuple[str, str], ...]  # (folded synonym, role), longest first
    target_text: frozenset[str]
    rx: dict[str, re.Pattern]
    numeral_ocr: tuple[tuple[str, str], ...] = ()
    letters: tuple[str, ...] = ()
    non_field: frozenset[str] = frozenset()
    specks: dict[str, str] = field(default_factory=dict)  # OCR speck sets (ocr_specks.yaml), as Rules.specks
    flat_header_fuzzy: int = 100  # partial_ratio a damaged flattened-table title needs (flat_cells)
    flat_header_min_roles: int = 3  # roles a flattened table's header lines name (flat_cells)
    flat_after_last_lead: tuple[str, ...] = ()  # roles that may follow a lead column printed last
    flat_line_end_unit_words: int = 8  # longest unit name looked for at a text line's end
    flat_unit_trailing_date: re.Pattern = re.compile(r"(?!)")  # a date closing a unit fragment
    flat_horizon_titles: tuple[str, ...] = ()  # titles of a milestone year (flat_cells.one_year_deadline)

    @classmethod
    def from_table(cls, raw: HeaderTable, specks: dict[str, str]) -> "TableRules":
        syn = sorted({(header_fold(s), role) for role, ss in raw.roles.items() for s in ss},
                     key=lambda p: -len(p[0]))
        rx = {k: re.compile(v, re.IGNORECASE) for k, v in raw.patterns.model_dump().items()}
        return cls(tuple(syn), frozenset(header_fold(s) for s in raw.target_text_headers), rx,
                   tuple(raw.appendix_numeral_ocr.items()), tuple(raw.letter_sequence.split()),
                   frozenset(raw.non_field_roles), specks, raw.flat_header_fuzzy,
                   raw.flat_header_min_roles, tuple(raw.flat_after_last_lead),
                   raw.flat_line_end_unit_words, re.compile(raw.flat_unit_trailing_date),
                   tuple(raw.flat_horizon_titles))
