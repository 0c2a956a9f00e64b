"""The metadata rules (extract/data/metadata.yaml, person_names.yaml): document types, header
noise, issuer words and casing, signer roles, family, middle and given names, the regex table;
validated and compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from ...core.folding import fold, nfc, squash_spaces


class MetadataPatterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str
    number_line: str
    symbol: str
    place_date: str
    attached: str
    reference: str
    recipients: str
    issuer_after: str
    issuer_before: str


class MetadataTable(BaseModel):
    """The validated content of metadata.yaml."""

    model_config = ConfigDict(extra="forbid")
    doc_types: dict[str, list[str]]
    header_noise: list[str]
    issuer_heads: list[str]
    issuer_casing: dict[str, str]
    person_titles: list[str]
    issues_verb: str
    section_heading: str
    body_openers: list[str]
    title_max_lines: int = 6
    header_noise_min_score: float = 85
    place_min_score: float = 75
    issuer_min_score: float = 88
    signer_prefixes: list[str]
    signer_roles: list[str]
    signer_search_lines: int = 40
    signer_recipients_phrase: str
    signer_on_behalf_prefix: str
    signer_for_head_prefix: str
    signer_deputy_word: str
    signer_block_ends: list[str]
    surnames: list[str]
    long_issuer_names: list[str]
    level_words: list[str]
    # two-word phrases that start with a level word but name a body ("Huyện ủy Chư Sê"): no place follows
    level_phrases_not_levels: list[str] = []
    symbol_codes: list[str] = []
    symbol_confusions: dict[str, str] = {}
    header_head_confusions: dict[str, str] = {}
    issuer_stops: list[str]
    patterns: MetadataPatterns


class PersonNames(BaseModel):
    """The validated content of person_names.yaml."""

    model_config = ConfigDict(extra="forbid")
    middle: list[str]
    given: list[str]


def fold_phrase(s: str) -> str:
    """Given a phrase, return it folded (no diacritics, lower case) with single spaces."""
    return squash_spaces(fold(nfc(s)))


def letters_of(text: str) -> str:
    """Given text, return its letters folded, without spaces or marks."""
    return "".join(ch for ch in fold(nfc(text)).lower() if ch.isalnum())


def _name_table(words: list[str]) -> dict[str, tuple[str, ...]]:
    """Given names, return {folded name: its spellings in the list's order}."""
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(fold(nfc(w)).lower(), []).append(nfc(w))
    return {k: tuple(v) for k, v in out.items()}


def _unique_folds(names: list[str]) -> dict[str, str]:
    """Given names, return {folded name: name} for the folds exactly one name has."""
    by_fold: dict[str, set[str]] = {}
    for n in names:
        by_fold.setdefault(fold(nfc(n)), set()).add(nfc(n))
    return {f: next(iter(v)) for f, v in by_fold.items() if len(v) == 1}


def _alt(words: list[str]) -> str:
    ws = sorted({fold_phrase(w) for w in words}, key=len, reverse=True)
    # OCR may put a stray mark between the words of a phrase ("Quyết: định")
    return "|".join(r"[\s:.]+".join(re.escape(t) for t in w.split()) for w in ws)


@dataclass(frozen=True)
class MetadataRules:
    """metadata.yaml and person_names.yaml compiled: what the metadata reader matches with."""

    r: MetadataTable
    kinds: dict[str, str]          # folded doc type -> as written
    number: re.Pattern
    number_line: re.Pattern
    place_date: re.Pattern
    attached: re.Pattern
    reference: re.Pattern
    section: re.Pattern
    heads: tuple[str, ...]
    person_titles: tuple[str, ...]
    casing: dict[tuple[str, ...], str]
    roles: dict[str, str]          # folded role -> as written
    bodies_compact: dict[str, str]  # a body's letters -> the body in capitals
    roles_compact: dict[str, str]  # a role's letters without spaces or marks -> the role ("CHỦTỊCH", "GIAMDOC")
    surnames: frozenset[str]
    surnames_folded: dict[str, str]   # folded family name -> the one spelling it folds from
    stops: re.Pattern
    recipients: re.Pattern
    issuer_after: re.Pattern
    issuer_before: re.Pattern
    levels: frozenset[str]
    not_levels: frozenset[str]
    issues_verb: re.Pattern        # "ban hành" as a whole word, folded
    signer_prefix: re.Pattern      # "KT. CHỦ TỊCH", "TM." ... before the signer's role, as printed
    recipients_letters: str = ""   # "noinhan": "Nơi nhận" by its letters, one of them maybe misread
    block_ends: tuple[str, ...] = ()  # folded headings past which no signer name is looked for
    middle_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded -> spellings, list order
    given_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    specks: dict[str, str] = field(default_factory=dict)  # OCR speck sets (ocr_specks.yaml), as Rules.specks

    @classmethod
    def from_table(cls, r: MetadataTable, names: PersonNames, specks: dict[str, str]) -> "MetadataRules":
        kinds = {fold_phrase(k): k for k in r.doc_types}
        kind_alt = _alt(list(r.doc_types))
        stops = [re.escape(fold_phrase(s.strip())) for s in r.issuer_stops]
        return cls(
            r=r,
            middle_names=_name_table(names.middle),
            given_names=_name_table(names.given),
            kinds=kinds,
            number=re.compile(r.patterns.number),
            number_line=re.compile(r.patterns.number_line),
            place_date=re.compile(r.patterns.place_date),
            attached=re.compile(r.patterns.attached),
            reference=re.compile(r.patterns.reference.replace("KIND", kind_alt)),
            section=re.compile(r.section_heading),
            heads=tuple(sorted({fold_phrase(h) for h in r.issuer_heads}, key=len, reverse=True)),
            person_titles=tuple(sorted({fold_phrase(t) for t in r.person_titles}, key=len, reverse=True)),
            casing={tuple(fold_phrase(k).split()): v for k, v in r.issuer_casing.items()},
            roles={fold_phrase(x): x for x in r.signer_roles},
            roles_compact={letters_of(x): x for x in r.signer_roles},
            # the bodies an authority line names ("ỦY BAN NHÂN DÂN"), by their letters: what OCR
            # glued, broke or marked ("UY.BAN", "DÂN»") reads as the body in capitals
            bodies_compact={letters_of(v): v.upper() for v in r.issuer_casing.values() if len(letters_of(v)) >= 6},
            surnames=frozenset(nfc(s) for s in r.surnames),
            surnames_folded=_unique_folds(r.surnames),
            stops=re.compile(rf"(?:\s(?:{'|'.join(stops)})(?![a-z])|[;.:()\[\]]|,\s*(?:{kind_alt})\b)"),
            recipients=re.compile(r.patterns.recipients),
            issuer_after=re.compile(r.patterns.issuer_after),
            issuer_before=re.compile(r.patterns.issuer_before),
            levels=frozenset(fold_phrase(w) for w in r.level_words),
            not_levels=frozenset(fold_phrase(w) for w in r.level_phrases_not_levels),
            issues_verb=re.compile(rf"(?<![a-z]){re.escape(fold_phrase(r.issues_verb))}(?![a-z])"),
            recipients_letters=letters_of(r.signer_recipients_phrase),
            block_ends=tuple(fold_phrase(h) for h in r.signer_block_ends),
            signer_prefix=re.compile(r"(?<![A-Za-zÀ-ỹ])("
                                     + "|".join(re.escape(p) for p in sorted(r.signer_prefixes, key=len, reverse=True))
                                     + r")\s*(?=[^\W\d_])"),
            specks=specks,
        )
