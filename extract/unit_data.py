"""The unit registry's data (extract/data/units.yaml: canonical names, aliases,
abbreviations, level words, head words, fuzzy and span settings, the repairs in their order),
validated, and the keys
names are compared by: folded text, abbreviations expanded, punctuation and "và" dropped
(``UnitKeyer``); a unit as printed tidied (``clean_name``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.folding import fold, squash_spaces

DASHES = "‐‑‒–—―−"
EDGE_PUNCT = " \t-–—,;:.+*•·|/\\()[]{}'\"“”‘’_=>…"

# The module's character-level regexes (unit phrases themselves live in units.yaml).
_RX = {
    "key_drop": re.compile(r"[^\w\s]"),        # punctuation dropped from keys
    "spaced_dash": re.compile(r"\s-|-\s"),       # a dash used as a separator " - "
    "dash": re.compile(r"\s*-\s*"),
}


class UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    aliases: list[str] = Field(default_factory=list)


class FuzzySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_score: float = 90
    max_edits: int = 1
    min_length: int = 6
    margin: float = 3
    same_prefix: int = 2
    prefix_min_coverage: float = 0.8
    cut_min_coverage: float = 0.6
    # abbreviations at least this long (letters) are also recognised glued to the next word
    # ("UBNDxã"): keys are compared a second time with expansions contracted to them
    glued_abbreviation_min: int = 4
    # an OCR speck token at a name's edge ("1¬", "Ì", "`"): at most this many letters
    edge_noise_max_letters: int = 1


class SpanSettings(BaseModel):
    """How a print that is no unit as a whole is read as the known units it holds."""

    model_config = ConfigDict(extra="forbid")
    max_print_words: int = 40
    max_name_words: int = 9


# The repairs the registry tries, in the order units.yaml lists them (``repairs``), on a print
# whose key is no name's or alias's: each a method ``UnitRepairs._repair_<name>``.
RepairName = Literal["level_from_context", "cut_at_dash", "cut_at_conjunction", "with_place",
                     "form_with_place", "fuzzy", "words_repaired", "specks_trimmed",
                     "head_moved_or_lost", "one_word_lost", "words_reordered"]


class UnitData(BaseModel):
    """The validated content of units.yaml."""

    model_config = ConfigDict(extra="forbid")
    abbreviations: dict[str, str]
    level_words: list[str]
    heads: list[str]
    continuations: list[str]
    # words after a continuation that keep the piece with the name before it, whatever follows
    # ("Các phòng, đơn vị thuộc Sở": "đơn vị" + "thuộc" + the parent unit)
    continuation_qualifiers: list[str] = Field(default_factory=list)
    collective_prefixes: list[str] = Field(default_factory=lambda: ["các", "những"])
    level_exceptions: list[str] = Field(default_factory=list)
    level_markers: list[str] = Field(default_factory=list)
    conjunctions: list[str] = Field(default_factory=lambda: ["và"])
    # heads of names that join the bodies they serve with "và" ("Văn phòng HĐND và UBND xã")
    joint_heads: list[str] = Field(default_factory=list)
    fuzzy: FuzzySettings = Field(default_factory=FuzzySettings)
    max_pieces_per_name: int = 6
    spans: SpanSettings = Field(default_factory=SpanSettings)
    repairs: list[RepairName] = Field(min_length=1)
    units: list[UnitEntry]

    @field_validator("repairs")
    @classmethod
    def _each_repair_once(cls, repairs: list[str]) -> list[str]:
        twice = sorted({r for r in repairs if repairs.count(r) > 1})
        if twice:
            raise ValueError(f"repairs listed twice: {twice}")
        return repairs

    def conjunctions_folded(self) -> set[str]:
        return {fold(c) for c in self.conjunctions}


@dataclass(frozen=True)
class UnitKeyer:
    """Turns names into comparison keys (abbreviations expanded, folded, no punctuation)."""

    abbreviations: tuple[tuple[re.Pattern, str, str], ...]  # (pattern, expansion, folded abbreviation)
    collective: tuple[str, ...]
    contractions: tuple[tuple[str, str], ...] = ()  # (compact expansion or glued form, token)

    @classmethod
    def from_data(cls, data: UnitData) -> "UnitKeyer":
        pairs = sorted(data.abbreviations.items(), key=lambda kv: -len(kv[0]))
        compiled = tuple(
            (re.compile(rf"(?<!\w){re.escape(fold(a))}(?!\w)"), fold(e), fold(a))
            for a, e in pairs
        )
        return cls(compiled, tuple(fold(w) for w in data.collective_prefixes),
                   contractions_of(data))

    def expand(self, folded: str) -> str:
        """Given folded text, return it with abbreviations replaced by their expansions."""
        for rx, expansion, literal in self.abbreviations:
            if literal in folded:  # a plain search first: the pattern cannot match without it
                folded = rx.sub(f" {expansion} ", folded)
        return folded

    def key(self, text: str) -> str:
        """Given a unit name as printed, return its comparison key."""
        folded = fold(text)
        folded = self.expand(folded).replace("&", " va ")
        # again once punctuation is gone: "PV - HCC", "PV-HCC" are "PV HCC"
        folded = self.expand(" ".join(_RX["key_drop"].sub(" ", folded.replace("_", " ")).split()))
        tokens = folded.split()
        tokens = [t for t in tokens if t != "va"]
        while tokens and tokens[0] in self.collective:
            tokens = tokens[1:]
        return " ".join(tokens)

    def compact(self, key: str) -> str:
        """Given a key, return it without spaces (OCR merges and splits words)."""
        compact = key.replace(" ", "")
        for lead in self.collective:  # "Cácsở" -> "cacso": the leading word got glued on
            if compact.startswith(lead) and len(compact) > len(lead) + 3:
                compact = compact[len(lead):]
                break
        return compact

    def contract(self, compact: str) -> str:
        """Given a compact key, return it with expansions and glued abbreviations turned into
        one token each ("uybannhandanxa" and "ubndxa" -> "ubndxa"): OCR glues abbreviations
        to the next word ("UBNDxã"), where they cannot be expanded as words."""
        if not self.contractions:
            return compact
        table = dict(self.contractions)
        return contraction_rx(self.contractions).sub(lambda m: table[m.group(0)], compact)


@lru_cache(maxsize=4)
def contraction_rx(pairs: tuple[tuple[str, str], ...]) -> re.Pattern:
    """One alternation, longest first, so each place is contracted once ("pvhcc" stays)."""
    return re.compile("|".join(re.escape(k) for k, _ in pairs))


def folded_words(text: str) -> list[str]:
    """Given text, return its folded words without punctuation ("&" read as "và")."""
    return _RX["key_drop"].sub(" ", fold(text).replace("&", " va ").replace("_", " ")).split()


def contractions_of(data: UnitData) -> tuple[tuple[str, str], ...]:
    """Given the registry data, return (compact form, token) pairs, longest form first: each
    expansion and each abbreviation of at least ``glued_abbreviation_min`` letters maps to the
    first such abbreviation listed for its expansion."""
    minimum = data.fuzzy.glued_abbreviation_min
    token_of: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for abbr, expansion in data.abbreviations.items():
        a = "".join(w for w in folded_words(abbr) if w not in data.conjunctions_folded())
        e = "".join(w for w in folded_words(expansion) if w not in data.conjunctions_folded())
        if len(a) < minimum:
            continue
        token = token_of.setdefault(e, a)
        pairs.setdefault(e, token)
        pairs.setdefault(a, token)
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def clean_name(text: str) -> str:
    """Given a unit as printed, return it tidied: NFC, one space, dashes " - ", no edge punctuation."""
    t = text
    for d in DASHES:
        t = t.replace(d, "-")
    t = _RX["dash"].sub(" - ", t) if _RX["spaced_dash"].search(t) else t
    t = squash_spaces(t).strip(EDGE_PUNCT)
    return t
