"""The value grammar (extract/data/value_units.yaml): comparator phrases, units, qualitative
cells, the regex table; validated and compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, field_validator

from ...core.folding import fold, nfc, squash_spaces

COMPARATORS = (">=", ">", "<=", "<", "=")


def word_alt(words: list[str]) -> str:
    """Given phrases, return a regex alternation of their folded forms, longest first."""
    folded = sorted({squash_spaces(fold(nfc(w))) for w in words}, key=len, reverse=True)
    parts = []
    for w in folded:
        body = r"\s+".join(re.escape(t) for t in w.split())
        parts.append(rf"(?<![a-z]){body}" if w[:1].isalpha() else body)
    return "|".join(parts)



class ValuePatterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str
    number_full: str
    ignore: list[str]
    year_label: str
    unit_tail: str
    speck_before_number: str = r"(?!)"


class OcrCellRules(BaseModel):
    """How OCR damages a one-value cell (value_units.yaml ``ocr_cell``)."""

    model_config = ConfigDict(extra="forbid")
    comparators: dict[str, str] = {}
    digits: dict[str, str] = {}
    ge_as_digit: list[str] = []
    trailing_word_max: int = 0


class ValueGrammar(BaseModel):
    """The validated content of value_units.yaml."""

    model_config = ConfigDict(extra="forbid")
    comparators: dict[str, str]
    directions: list[str]
    default_comparator: dict[str, str]
    percent: list[str]
    units: list[str]
    qualitative: list[str]
    percent_subjects: list[str] = ["tỷ lệ", "tỉ lệ"]
    patterns: ValuePatterns
    ocr_cell: OcrCellRules = OcrCellRules()

    @field_validator("comparators")
    @classmethod
    def _known_ops(cls, v: dict[str, str]) -> dict[str, str]:
        bad = {k: op for k, op in v.items() if op not in COMPARATORS}
        if bad:
            raise ValueError(f"unknown comparators: {bad}")
        return v

    @field_validator("default_comparator")
    @classmethod
    def _modes(cls, v: dict[str, str]) -> dict[str, str]:
        if set(v) != {"cell", "text"} or not set(v.values()) <= set(COMPARATORS):
            raise ValueError("default_comparator needs 'cell' and 'text' comparators")
        return v


@dataclass(frozen=True)
class ValueRules:
    """value_units.yaml compiled: what the value parsers match with."""

    g: ValueGrammar
    number: re.Pattern
    number_full: re.Pattern
    ignore: tuple[re.Pattern, ...]
    speck: re.Pattern
    comparator: re.Pattern      # anchored at the end of the text before a number
    units: tuple[tuple[re.Pattern, str], ...]  # (folded pattern, unit as written)
    year_label: re.Pattern
    unit_tail: re.Pattern
    qualitative: frozenset[str]
    percent_subjects: tuple[str, ...]
    ops: dict[str, str]         # folded comparator phrase -> comparator
    known_units: tuple[str, ...]
    specks: dict[str, str] = field(default_factory=dict)  # OCR speck sets (ocr_specks.yaml), as Rules.specks

    @classmethod
    def from_grammar(cls, g: ValueGrammar, specks: dict[str, str]) -> "ValueRules":
        cmp_rx = re.compile(
            rf"(?:(?P<dir>{word_alt(g.directions)})\s+)?(?P<cmp>{word_alt(list(g.comparators))})\s*$")
        units: list[tuple[re.Pattern, str]] = []
        for u in g.percent:
            units.append((re.compile(rf"\s*(?:{word_alt([u])})(?![a-z0-9])"), "%"))
        for u in sorted(g.units, key=len, reverse=True):
            units.append((re.compile(rf"\s*(?:{word_alt([u])})(?![a-z0-9])"), nfc(u)))
        return cls(
            g=g,
            number=re.compile(g.patterns.number),
            number_full=re.compile(g.patterns.number_full),
            ignore=tuple(re.compile(r) for r in g.patterns.ignore),
            speck=re.compile(g.patterns.speck_before_number.replace(
                "SPECKS", "".join(re.escape(ch) for ch in specks["number_lead"]))),
            comparator=cmp_rx,
            units=tuple(units),
            year_label=re.compile(g.patterns.year_label),
            unit_tail=re.compile(g.patterns.unit_tail),
            qualitative=frozenset(squash_spaces(fold(nfc(q))) for q in g.qualitative),
            percent_subjects=tuple(fold(nfc(s)) for s in g.percent_subjects),
            ops={squash_spaces(fold(nfc(k))): op for k, op in g.comparators.items()},
            known_units=tuple(nfc(u) for u in g.units),
            specks=specks,
        )
