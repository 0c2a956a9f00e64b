"""Split unit cells into units and resolve each to a canonical name (registry + fuzzy).

The registry (canonical names, aliases, abbreviations, level words, head words) is data:
``extract/data/units.yaml``. Names are compared by *key*: folded text (no diacritics),
abbreviations expanded, punctuation and the word "và" dropped, a leading "các" dropped;
OCR noise is tolerated by fuzzy matching of keys without spaces (rapidfuzz) and by word
repairs (a word with one letter lost or misread, a speck glued to an abbreviation, a head
word moved or lost, one word lost, words out of order, a name cut at a dash or a line end).
Such a match is a guess: its UnitRef says how in ``match`` ("fuzzy, score 88"), and
``extract.items`` turns that into an item warning; an exact match leaves ``match`` None.
The registry's data and keys are in ``extract.unit_data``, its repairs in
``extract.unit_repairs``, its reading of a cell into names in ``extract.unit_lists``.

    reg = load_rules().units   # the rules bundle's registry (extract.rules)
    reg.parse("Các sở, ban, ngành, UBND xã, phường")
    # -> [UnitRef(name="Các sở, ban, ngành"), UnitRef(name="UBND xã, phường")]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional


from ..core.folding import fold, squash_spaces
from .unit_data import UnitData, UnitKeyer, clean_name, folded_words
from .unit_lists import UnitLists
from .unit_repairs import UnitRepairs
from .units_identity import UnitForms
from ..schema import UnitRef


# The module's character-level regexes (unit phrases themselves live in units.yaml).
_RX = {
    "inner_mark": re.compile(r"(?<=[^\W\d_])[.\-](?=[^\W\d_])"),  # "đơn.vị" (a lower-case word follows)
    "mark_before_word": re.compile(r"(?<=\s)\.(?=\w)"),                             # "các .sở"
}


# ----------------------------------------------------------------------------- keys


def _without_trailing_speck(name: str) -> str:
    """Given an unknown unit's cleaned name, return it without a last token that is one
    lower-case or accented letter ("Văn phòng Sở ầ", "... Sở Ầ": a speck OCR read as a letter;
    a name's own one-letter words are plain capitals: "Tổ dân phố A", "Khu Đ")."""
    words = name.split()
    last = words[-1] if words else ""
    if len(words) >= 3 and len(last) == 1 and last.isalpha() and (
            last.islower() or (not last.isascii() and last != "Đ")):
        return " ".join(words[:-1])
    return name


# ----------------------------------------------------------------------------- registry


@dataclass
class UnitRegistry(UnitRepairs, UnitLists):
    """Canonical units with their keys; resolves and splits unit phrases."""

    data: UnitData
    keyer: UnitKeyer
    forms: UnitForms = field(repr=False, compare=False)  # unit_forms.yaml and the place list
    exact: dict[str, str] = field(default_factory=dict)      # key -> canonical
    compact: dict[str, str] = field(default_factory=dict)    # compact key -> canonical
    contracted: dict[str, str] = field(default_factory=dict)  # contracted compact key -> canonical
    entry_levels: dict[str, frozenset[str]] = field(default_factory=dict)  # canonical -> levels its names print
    spaced: dict[str, str] = field(default_factory=dict)  # compact or contracted key -> its key
    bare: dict[str, dict[str, str]] = field(default_factory=dict)  # key w/o level -> level -> canonical
    level_keys: dict[str, str] = field(default_factory=dict)  # folded level word -> level word
    head_rx: Optional[re.Pattern] = None
    conjunction_rx: Optional[re.Pattern] = None
    level_rx: dict[str, re.Pattern] = field(default_factory=dict)  # folded level word -> its pattern
    continuation_keys: frozenset[str] = frozenset()
    continuation_prefixes: tuple[str, ...] = ()  # folded "continuation qualifier " starts
    vocabulary: frozenset[str] = frozenset()  # every word of every key, head and level word
    abbreviation_words: frozenset[tuple[str, ...]] = frozenset()  # folded words of each abbreviation
    head_starts: frozenset[str] = frozenset()  # folded first word of each head ("so", "uy")
    bigrams: frozenset[tuple[str, str]] = frozenset()  # folded word pairs the registry's keys print
    # (raw, level, trim) -> _match's answer: the repairs scan the whole registry and a piece is
    # asked again and again (resolve, is_known while splitting, cutting and rejoining)
    _memo: dict[tuple[str, Optional[str], bool], Optional[tuple[str, Optional[str]]]] = field(
        default_factory=dict, repr=False, compare=False)
    _names_cache: Optional[tuple[tuple[tuple[str, ...], str], ...]] = field(default=None, repr=False, compare=False)

    # -- construction

    @classmethod
    def from_data(cls, data: UnitData, forms: UnitForms) -> "UnitRegistry":
        """Given validated registry data (units.yaml) and the unit forms (unit_forms.yaml and
        the place list), return the registry; raise on conflicting keys. The extract stage's
        registry is the rules bundle's (``extract.rules.load_rules().units``)."""
        reg = cls(data=data, keyer=UnitKeyer.from_data(data), forms=forms)
        reg.level_keys = {fold(w): w for w in data.level_words}
        for entry in data.units:
            for variant in [entry.name, *entry.aliases]:
                reg._add(reg.keyer.key(variant), entry.name)
            reg.entry_levels[entry.name] = frozenset().union(
                *(reg.printed_levels(v) for v in [entry.name, *entry.aliases]))
            reg._add_bare(reg.keyer.key(entry.name), entry.name)
        heads = sorted({h for h in data.heads}, key=len, reverse=True)
        reg.head_rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(h) for h in heads) + r")(?!\w)")
        reg.continuation_keys = frozenset(fold(c) for c in data.continuations)
        reg.continuation_prefixes = tuple(f"{c} {fold(q)} " for c in reg.continuation_keys
                                          for q in data.continuation_qualifiers)
        reg.vocabulary = frozenset(w for text in [*reg.exact, *data.heads, *data.level_words,
                                                  *data.abbreviations, *data.abbreviations.values()]
                                   for w in folded_words(text))
        reg.abbreviation_words = frozenset(tuple(folded_words(a)) for a in data.abbreviations)
        reg.head_starts = frozenset(folded_words(h)[0] for h in data.heads if folded_words(h))
        reg.bigrams = frozenset((a, b) for k in reg.exact for a, b in zip(k.split(), k.split()[1:]))
        conj = "|".join(re.escape(w) for w in {c for c in data.conjunctions} | {fold(c) for c in data.conjunctions})
        reg.conjunction_rx = re.compile(rf"\s(?:{conj})\s")
        # a level word, but not where it starts a longer phrase ("xã" in "xã hội")
        exceptions = [fold(e).split() for e in data.level_exceptions]
        for lk in reg.level_keys:
            tails = [" ".join(e[1:]) for e in exceptions if e and e[0] == lk and len(e) > 1]
            not_tail = "".join(rf"(?! {re.escape(t)}(?!\w))" for t in tails)
            reg.level_rx[lk] = re.compile(rf"(?<!\w){re.escape(lk)}(?!\w){not_tail}")
        return reg

    def _add(self, key: str, name: str) -> None:
        other = self.exact.get(key)
        if other is not None and other != name:
            raise ValueError(f"units.yaml: key {key!r} names both {other!r} and {name!r}")
        self.exact[key] = name
        compact = self.keyer.compact(key)
        contracted = self.keyer.contract(compact)
        self.compact.setdefault(compact, name)
        self.contracted.setdefault(contracted, name)
        self.spaced.setdefault(compact, key)
        self.spaced.setdefault(contracted, key)

    def _add_bare(self, key: str, name: str) -> None:
        """Register "Công an" -> {xã: "Công an xã"} for names ending in a level word."""
        for lk in sorted(self.level_keys, key=len, reverse=True):
            if key.endswith(" " + lk):
                base = key[: -len(lk) - 1].strip()
                if base:
                    self.bare.setdefault(base, {}).setdefault(self.level_keys[lk], name)
                return

    # -- resolving

    def key(self, text: str) -> str:
        """Given a unit name, return its comparison key."""
        return self.keyer.key(text)

    def resolve(self, raw: str, level: str | None = None) -> UnitRef:
        """Given one unit as printed, return its UnitRef (canonical name, or cleaned raw, known=False).

        ``level`` ("xã", "tỉnh" ...) completes names printed without it ("Công an" -> "Công an xã").
        """
        found = self._match(raw, level)
        if found is not None:
            return UnitRef(raw=raw, name=found[0], known=True, match=found[1])
        name = _without_trailing_speck(clean_name(raw)) or squash_spaces(raw)
        repaired = self.unglued(name)
        if repaired != name:
            found = self._match(repaired, level)
            if found is not None:
                how = f"OCR word breaks repaired ({repaired!r})"
                return UnitRef(raw=raw, name=found[0], known=True,
                               match=how if found[1] is None else f"{how}; {found[1]}")
            name = repaired
        return UnitRef(raw=raw, name=name, known=False)

    def unglued(self, name: str) -> str:
        """Given a name as printed, return it with OCR's word-break damage undone, letters
        kept: a mark between two lower-case letters is a space ("đơn.vị", "dịch-vụ", "các
        .sở"); a token that is no registry word but the registry's words glued together is
        split ("Côngantỉnh", "SởNộivụ", "UBNDtinh"); a level word OCR left without marks
        at the end ("UBND tinh") takes them, where folding confuses it with no other word."""
        text = _RX["mark_before_word"].sub(" ", name)
        text = _RX["inner_mark"].sub(lambda m: " " if text[m.end()].islower() else m.group(0), text)
        words = [self._word_break(t) for t in text.split()]
        out = " ".join(words).split()
        if out:
            safe = {fold(w): w for w in self.forms.data.fold_safe_levels if " " not in w}
            last = out[-1]
            if last.islower() and last == fold(last) and last in safe:
                out[-1] = safe[last]
        return " ".join(out)

    def _word_break(self, token: str) -> str:
        """Given one token, return it split at the registry words it glues, else as it is
        (fewest words; every word 2+ letters and a word of the registry)."""
        folded = fold(token)
        if len(folded) < 5 or not folded.isalpha() or folded in self.vocabulary:
            return token

        @lru_cache(maxsize=None)
        def best(start: int, prev: str) -> Optional[tuple[int, int, tuple[int, ...]]]:
            """(words, -pairs of words the registry prints side by side, cut ends) from start."""
            if start == len(folded):
                return 0, 0, ()
            found = None
            for end in range(start + 2, min(len(folded), start + 12) + 1):
                word = folded[start:end]
                if word not in self.vocabulary:
                    continue
                rest = best(end, word)
                if rest is None:
                    continue
                cand = (rest[0] + 1, rest[1] - ((prev, word) in self.bigrams), (end, *rest[2]))
                if found is None or cand[:2] < found[:2]:
                    found = cand
            return found

        found = best(0, "")
        if found is None or found[0] < 2:
            return token
        cuts = found[2]
        return " ".join(token[a:b] for a, b in zip((0, *cuts[:-1]), cuts))


    # -- splitting


def level_of_issuer(issuer: str | None, reg: UnitRegistry) -> str | None:
    """Given the plan's issuer ("Ủy ban nhân dân xã Chợ Đồn") and the unit registry, return
    its level ("xã"), if any.

    Pass it as ``level`` to ``UnitRegistry.parse`` so "Công an" resolves to "Công an xã".
    """
    if not issuer:
        return None
    folded = fold(issuer)
    first: tuple[int, Optional[str]] = (len(folded) + 1, None)
    for lk, word in reg.level_keys.items():
        m = reg.level_rx[lk].search(folded)
        if m and m.start() < first[0]:
            first = (m.start(), word)
    return first[1]
