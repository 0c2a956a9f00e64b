"""The deadline phrase grammar (extract/data/deadline_phrases.yaml): period patterns, range
connectors, recurring / conditional / status markers; validated and compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, field_validator

from ...core.folding import fold, nfc, squash_spaces


class PeriodPattern(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: str
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v)
        return v


class DeadlineGrammar(BaseModel):
    """The validated content of deadline_phrases.yaml (markers folded on load)."""

    model_config = ConfigDict(extra="forbid")
    periods: list[PeriodPattern]
    references: list[str]
    range_connectors: list[str]
    range_openers: list[str] = []
    list_connectors: list[str] = []
    part_separators: list[str]
    label_end: str = ":"
    recurring: list[str]
    conditional: list[str]
    status: list[str]
    fuzzy_min_length: int = 9
    fuzzy_min_score: float = 90
    roman_quarters: dict[str, int]
    roman_ocr: dict[str, str] = {}
    max_quarter_strokes: int = 3

    @field_validator("range_connectors", "range_openers", "list_connectors", "recurring",
                     "conditional", "status")
    @classmethod
    def _fold_words(cls, v: list[str]) -> list[str]:
        return [squash_spaces(fold(nfc(w))) for w in v]


@dataclass(frozen=True)
class DeadlineRules:
    """deadline_phrases.yaml compiled: what parse_deadline matches with."""

    grammar: DeadlineGrammar
    periods: tuple[tuple[PeriodPattern, re.Pattern], ...]
    references: tuple[re.Pattern, ...]
    separators: re.Pattern

    @classmethod
    def from_grammar(cls, g: DeadlineGrammar) -> "DeadlineRules":
        return cls(
            grammar=g,
            periods=tuple((p, re.compile(p.regex)) for p in g.periods),
            references=tuple(re.compile(r) for r in g.references),
            separators=re.compile("|".join(re.escape(s) for s in g.part_separators)),
        )
