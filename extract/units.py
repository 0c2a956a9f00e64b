"""Split unit cells into units and resolve each to a canonical name (registry + fuzzy).

The registry (canonical names, aliases, abbreviations, level words, head words) is data:
``extract/data/units.yaml``. Names are compared by *key*: folded text (no diacritics),
abbreviations expanded, punctuation and the word "và" dropped, a leading "các" dropped;
OCR noise is tolerated by fuzzy matching of keys without spaces (rapidfuzz) and by word
repairs (a word with one letter lost or misread, a speck glued to an abbreviation, a head
word moved or lost, one word lost, words out of order, a name cut at a dash or a line end).
Such a match is a guess: its UnitRef says how in ``match`` ("fuzzy, score 88"), and
``extract.items`` turns that into an item warning; an exact match leaves ``match`` None.

    reg = UnitRegistry.load()
    reg.parse("Các sở, ban, ngành, UBND xã, phường")
    # -> [UnitRef(name="Các sở, ban, ngành"), UnitRef(name="UBND xã, phường")]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..core.folding import fold, nfc, squash_spaces
from .units_identity import Jurisdiction, UnitForms
from ..schema import UnitRef

DATA_FILE = Path(__file__).parent / "data" / "units.yaml"

_DASHES = "‐‑‒–—―−"
_EDGE_PUNCT = " \t-–—,;:.+*•·|/\\()[]{}'\"“”‘’_=>…"

# The module's character-level regexes (unit phrases themselves live in units.yaml).
_RX = {
    "key_drop": re.compile(r"[^\w\s]"),        # punctuation dropped from keys
    "spaced_dash": re.compile(r"\s-|-\s"),       # a dash used as a separator " - "
    "dash": re.compile(r"\s*-\s*"),
    "chunks": re.compile(r"[;\n]"),              # always separate units
    "digits": re.compile(r"\d+"),
    "inner_mark": re.compile(r"(?<=[^\W\d_])[.\-](?=[^\W\d_])"),  # "đơn.vị" (a lower-case word follows)
    "mark_before_word": re.compile(r"(?<=\s)\.(?=\w)"),                             # "các .sở"
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
    units: list[UnitEntry]

    def conjunctions_folded(self) -> set[str]:
        return {fold(nfc(c)) for c in self.conjunctions}


# ----------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class _Keyer:
    """Turns names into comparison keys (abbreviations expanded, folded, no punctuation)."""

    abbreviations: tuple[tuple[re.Pattern, str, str], ...]  # (pattern, expansion, folded abbreviation)
    collective: tuple[str, ...]
    contractions: tuple[tuple[str, str], ...] = ()  # (compact expansion or glued form, token)

    @classmethod
    def from_data(cls, data: UnitData) -> "_Keyer":
        pairs = sorted(data.abbreviations.items(), key=lambda kv: -len(kv[0]))
        compiled = tuple(
            (re.compile(rf"(?<!\w){re.escape(fold(nfc(a)))}(?!\w)"), fold(nfc(e)), fold(nfc(a)))
            for a, e in pairs
        )
        return cls(compiled, tuple(fold(nfc(w)) for w in data.collective_prefixes),
                   _contractions(data))

    def expand(self, folded: str) -> str:
        """Given folded text, return it with abbreviations replaced by their expansions."""
        for rx, expansion, literal in self.abbreviations:
            if literal in folded:  # a plain search first: the pattern cannot match without it
                folded = rx.sub(f" {expansion} ", folded)
        return folded

    def key(self, text: str) -> str:
        """Given a unit name as printed, return its comparison key."""
        folded = fold(nfc(text))
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
        return _contraction_rx(self.contractions).sub(lambda m: table[m.group(0)], compact)


@lru_cache(maxsize=4)
def _contraction_rx(pairs: tuple[tuple[str, str], ...]) -> re.Pattern:
    """One alternation, longest first, so each place is contracted once ("pvhcc" stays)."""
    return re.compile("|".join(re.escape(k) for k, _ in pairs))


def _words(text: str) -> list[str]:
    """Given text, return its folded words without punctuation ("&" read as "và")."""
    return _RX["key_drop"].sub(" ", fold(nfc(text)).replace("&", " va ").replace("_", " ")).split()


def _contractions(data: UnitData) -> tuple[tuple[str, str], ...]:
    """Given the registry data, return (compact form, token) pairs, longest form first: each
    expansion and each abbreviation of at least ``glued_abbreviation_min`` letters maps to the
    first such abbreviation listed for its expansion."""
    minimum = data.fuzzy.glued_abbreviation_min
    token_of: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for abbr, expansion in data.abbreviations.items():
        a = "".join(w for w in _words(abbr) if w not in data.conjunctions_folded())
        e = "".join(w for w in _words(expansion) if w not in data.conjunctions_folded())
        if len(a) < minimum:
            continue
        token = token_of.setdefault(e, a)
        pairs.setdefault(e, token)
        pairs.setdefault(a, token)
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def clean_name(text: str) -> str:
    """Given a unit as printed, return it tidied: NFC, one space, dashes " - ", no edge punctuation."""
    t = nfc(text)
    for d in _DASHES:
        t = t.replace(d, "-")
    t = _RX["dash"].sub(" - ", t) if _RX["spaced_dash"].search(t) else t
    t = squash_spaces(t).strip(_EDGE_PUNCT)
    return t


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

_MEMO_MAX = 50_000  # remembered unit prints per registry; a long batch starts over past it


@dataclass
class UnitRegistry:
    """Canonical units with their keys; resolves and splits unit phrases."""

    data: UnitData
    keyer: _Keyer
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
    forms: UnitForms = field(default_factory=UnitForms.load, repr=False, compare=False)
    # (raw, level, trim) -> _match's answer: the repairs scan the whole registry and a piece is
    # asked again and again (resolve, is_known while splitting, cutting and rejoining)
    _memo: dict[tuple[str, Optional[str], bool], Optional[tuple[str, Optional[str]]]] = field(
        default_factory=dict, repr=False, compare=False)
    _names_cache: Optional[tuple[tuple[tuple[str, ...], str], ...]] = field(default=None, repr=False, compare=False)

    # -- construction

    @classmethod
    def load(cls, path: Path | str | None = None) -> "UnitRegistry":
        """Given a registry YAML (default: the bundled one), return the registry (cached)."""
        return _load_cached(str(path) if path else str(DATA_FILE))

    @classmethod
    def from_data(cls, data: UnitData) -> "UnitRegistry":
        """Given validated registry data, return the registry; raise on conflicting keys."""
        reg = cls(data=data, keyer=_Keyer.from_data(data))
        reg.level_keys = {fold(nfc(w)): w for w in data.level_words}
        for entry in data.units:
            for variant in [entry.name, *entry.aliases]:
                reg._add(reg.keyer.key(variant), entry.name)
            reg.entry_levels[entry.name] = frozenset().union(
                *(reg.printed_levels(v) for v in [entry.name, *entry.aliases]))
            reg._add_bare(reg.keyer.key(entry.name), entry.name)
        heads = sorted({nfc(h) for h in data.heads}, key=len, reverse=True)
        reg.head_rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(h) for h in heads) + r")(?!\w)")
        reg.continuation_keys = frozenset(fold(nfc(c)) for c in data.continuations)
        reg.continuation_prefixes = tuple(f"{c} {fold(nfc(q))} " for c in reg.continuation_keys
                                          for q in data.continuation_qualifiers)
        reg.vocabulary = frozenset(w for text in [*reg.exact, *data.heads, *data.level_words,
                                                  *data.abbreviations, *data.abbreviations.values()]
                                   for w in _words(text))
        reg.abbreviation_words = frozenset(tuple(_words(a)) for a in data.abbreviations)
        reg.head_starts = frozenset(_words(h)[0] for h in data.heads if _words(h))
        reg.bigrams = frozenset((a, b) for k in reg.exact for a, b in zip(k.split(), k.split()[1:]))
        conj = "|".join(re.escape(w) for w in {nfc(c) for c in data.conjunctions} | {fold(nfc(c)) for c in data.conjunctions})
        reg.conjunction_rx = re.compile(rf"\s(?:{conj})\s")
        # a level word, but not where it starts a longer phrase ("xã" in "xã hội")
        exceptions = [fold(nfc(e)).split() for e in data.level_exceptions]
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
        text = _RX["mark_before_word"].sub(" ", nfc(name))
        text = _RX["inner_mark"].sub(lambda m: " " if text[m.end()].islower() else m.group(0), text)
        words = [self._word_break(t) for t in text.split()]
        out = " ".join(words).split()
        if out:
            safe = {fold(nfc(w)): nfc(w) for w in self.forms.data.fold_safe_levels if " " not in w}
            last = out[-1]
            if last.islower() and last == fold(last) and last in safe:
                out[-1] = safe[last]
        return " ".join(out)

    def _word_break(self, token: str) -> str:
        """Given one token, return it split at the registry words it glues, else as it is
        (fewest words; every word 2+ letters and a word of the registry)."""
        folded = fold(nfc(token))
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

    def _canonical(self, raw: str, level: Optional[str]) -> Optional[str]:
        found = self._match(raw, level)
        return found[0] if found else None

    def _match(self, raw: str, level: Optional[str], trim: bool = True) -> Optional[tuple[str, Optional[str]]]:
        """``_match_uncached``, remembered per registry (the registry never changes once built)."""
        memo_key = (raw, level, trim)
        if memo_key not in self._memo:
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[memo_key] = self._match_uncached(raw, level, trim)
        return self._memo[memo_key]

    def _match_uncached(self, raw: str, level: Optional[str], trim: bool = True) -> Optional[tuple[str, Optional[str]]]:
        """``_match_repairing``, but a repair that loses a word identifying the body (a place or
        a proper name: "Viettel Hà Tĩnh" is no "Viettel tỉnh") is no match."""
        found = self._match_repairing(raw, level, trim)
        if found is not None and found[1] is not None and self._identifying_words_lost(raw, found[0]):
            return None
        return found

    def _identifying_words_lost(self, raw: str, name: str) -> list[str]:
        """Given a print and the name a repair made of it, return the print's capitalised words
        that are no registry word (a place, a proper name) and that the name lacks: not
        inside it without spaces, nor one letter from one of its words (an OCR repair:
        "Lông" of "Công an")."""
        have = _words(name)
        compact = "".join(have)
        lost = []
        printed = re.findall(r"[^\W\d_]+", nfc(raw))
        # the head word one letter off ("Se Khoa học và Công nghệ"): a misread head, never a place
        if printed and have and Levenshtein.distance(fold(printed[0]).lower(), have[0]) <= 1 \
                and self._is_head_start(have[0].capitalize()):
            printed = printed[1:]
        for w in printed:
            f = fold(w)
            if (not w[:1].isupper() or sum(c.isupper() for c in w) > 1 or len(f) < 2
                    or f in self.vocabulary or f in compact):
                continue
            if len(f) >= 4 and any(Levenshtein.distance(f, h) <= 1 for h in have):
                continue
            # a short word with one letter added or misread, its first one kept ("Dur" of "Du lịch")
            if len(f) == 3 and any(h[:1] == f[:1] and Levenshtein.distance(f, h) <= 1 for h in have):
                continue
            lost.append(w)
        return lost

    def _match_repairing(self, raw: str, level: Optional[str], trim: bool = True) -> Optional[tuple[str, Optional[str]]]:
        """Given one unit as printed, return (its canonical name, how it was found: None when
        its key is exactly a name's or an alias's, else the repair that found it, with its
        evidence, e.g. "fuzzy, score 88"), or None when it is no known unit. Specks are
        trimmed from the edges once (``trim``), not again from what is left."""
        key = self.key(raw)
        if not key:
            return None
        compact = self.keyer.compact(key)
        hit = self.exact.get(key) or self.compact.get(compact) or self.contracted.get(self.keyer.contract(compact))
        if hit:
            return hit, None
        by_level = self.bare.get(key)
        if by_level:
            if level is not None and fold(level) in self.level_keys:
                name = by_level.get(self.level_keys[fold(level)])
                return (name, f"level '{level}' taken from the context") if name else None
            return None  # "Công an" without a level is ambiguous: never guess
        if raw.rstrip().endswith(tuple("-" + _DASHES)):  # kept by _complete_cut
            cut = self._cut_at_dash(raw)
            if cut:
                return cut
        cut = self._cut_at_conjunction(raw, level)
        if cut:
            return cut
        placed = self._with_place(raw, key, level) or self._form_with_place(raw)
        if placed:
            return placed
        fuzzy = self._fuzzy(key, raw)
        if fuzzy:
            return fuzzy
        repaired = self._words_repaired(raw, key)
        if repaired:
            return repaired
        trimmed = self._without_edge_noise(raw) if trim else raw
        if trimmed != raw:
            inner = self._match(trimmed, level, trim=False)
            if inner is None:  # the rules that follow were tried on the trimmed print
                return self._words_reordered(raw, key)
            dropped = raw.replace(trimmed, " ", 1).split() if trimmed in raw else []
            how = f"OCR specks dropped: {' '.join(dropped)!r}" if dropped else "OCR specks dropped"
            return inner[0], how if inner[1] is None else f"{how}; {inner[1]}"
        moved = self._head_moved_or_lost(raw, key)
        if moved:
            return moved
        lost = self._one_word_lost(key)
        if lost:
            return lost, "one word lost"
        return self._words_reordered(raw, key)

    def _words_reordered(self, raw: str, key: str) -> Optional[tuple[str, str]]:
        """Given a unit as printed that no rule matched, return (the one unit whose key has
        exactly its words in another order, how), else None: OCR reads the lines of a wrapped
        cell out of order ("Các cơ đơn vị quan", "an tỉnh Công"). Words of at most
        ``edge_noise_max_letters`` letters the registry does not know are specks ("nà", "v").
        At least 3 words, so that a word order that names another body is not just guessed."""
        limit = self.data.fuzzy.edge_noise_max_letters
        words = [w for w in key.split() if len(w) > limit or w in self.vocabulary or not w.isalpha()]
        if len(words) < 3 or self.conjunction_rx.search(f" {fold(nfc(raw))} ") or "&" in raw:
            return None
        bag = sorted(words)
        found = {name for k, name in self.exact.items() if sorted(k.split()) == bag}
        if len(found) != 1:
            return None
        name = next(iter(found))
        if not self._levels_agree(raw, name):
            return None
        specks = [w for w in key.split() if w not in words]
        note = f", specks dropped: {' '.join(specks)!r}" if specks else ""
        return name, f"words reordered{note}"

    def _words_repaired(self, raw: str, key: str) -> Optional[tuple[str, str]]:
        """Given a unit as printed that no rule matched, return (the one unit it is once OCR
        damage to its words is undone, how), else None. Two kinds of damage, each letter-wise
        small but beyond a ratio on the whole name: a speck glued to an abbreviation ("IPV
        HCC" is "PV HCC"), and one word with one letter lost, added or misread, its first
        one too ("Lông an xã", "Trang tâm", "ông an"). Never a damaged word that is itself a
        word of the registry (then it is another name: "Bộ Nội vụ" is not "Sở Nội vụ"), a
        word shorter than 3 letters, nor a name whose other words are shorter than it."""
        f = self.data.fuzzy
        words, notes = _words(raw), []
        for i, w in enumerate(words):
            if w in self.vocabulary or len(w) < 3:
                continue
            for bare in (w[1:], w[:-1]):
                if any(a[0] == bare and tuple(words[i + 1:i + len(a)]) == a[1:] for a in self.abbreviation_words):
                    words[i] = bare
                    notes.append(f"speck dropped from {w!r}")
                    break
        probe = self.key(" ".join(words))
        pw = probe.split()
        if len(self.keyer.compact(probe)) < f.min_length or len(pw) < 2:
            return None
        found: dict[str, tuple[str, Optional[tuple[str, str]]]] = {}
        for k, name in self.exact.items():
            kw = k.split()
            if len(kw) != len(pw):
                continue
            diff = [(a, b) for a, b in zip(pw, kw) if a != b]
            if not diff and notes:
                found.setdefault(name, (k, None))
            elif len(diff) == 1:
                bad, good = diff[0]
                kept = sum(len(a) for a, b in zip(pw, kw) if a == b)
                if (len(good) >= 3 and bad not in self.vocabulary and kept >= len(good)
                        and Levenshtein.distance(bad, good) <= 1):
                    found.setdefault(name, (k, diff[0]))
        if len(found) != 1:
            return None
        name, (k, diff) = next(iter(found.items()))
        if (_RX["digits"].findall(probe) != _RX["digits"].findall(k) or not self._levels_agree(raw, name)
                or not self._level_printed(name, k)):  # k: the probe with its word read back
            return None
        if diff:
            notes.append(f"{diff[0]!r} read as {diff[1]!r}")
        contracted = (self.keyer.contract(self.keyer.compact(x)) for x in (key, k))
        score = fuzz.ratio(*contracted)
        return name, f"fuzzy by words ({'; '.join(notes)}), score {round(score)}"

    def _one_word_lost(self, key: str) -> Optional[str]:
        """Given a key no rule matched, return the one unit whose key is it plus one word
        OCR lost inside the name ("Phòng hóa - Xã hội"), not its head, a level word, a
        marker or a list word; else None."""
        words = key.split()
        if len(words) < 2 or len(self.keyer.compact(key)) < self.data.fuzzy.min_length:
            return None
        # list words ("Các sở, ngành" / "Các sở, ban, ngành") tell units apart, never lost
        protected = (set(self.level_keys) | {fold(nfc(m)) for m in self.data.level_markers}
                     | {w for c in self.continuation_keys for w in c.split()})
        found = set()
        for k, name in self.exact.items():
            kw = k.split()
            if len(kw) != len(words) + 1 or kw[0] != words[0]:
                continue
            for i in range(1, len(kw)):
                if kw[:i] + kw[i + 1:] == words and kw[i] not in protected:
                    found.add(name)
        return next(iter(found)) if len(found) == 1 else None

    def _head_moved_or_lost(self, raw: str, key: str) -> Optional[tuple[str, str]]:
        """Given a name no rule matched, return the one unit it is when OCR moved its head
        word to the end ("Văn hóa - Xã hội Phòng", lines read out of order) or lost it
        ("Văn hóa - Xã hội"), else None. Not for phrases joining names ("HĐND và UBND xã"
        may be two bodies)."""
        words = clean_name(raw).split()
        if len(words) < 2 or self.conjunction_rx.search(f" {fold(nfc(raw))} ") or "&" in raw:
            return None
        last = words[-1]
        if self.head_rx.fullmatch(last):
            moved = " ".join([last, *words[:-1]])
            if self.exact.get(self.key(moved)):
                return self.exact[self.key(moved)], "head word moved to the end"
        if len(self.keyer.compact(key)) < self.data.fuzzy.min_length or self.head_rx.match(clean_name(raw)):
            return None  # a name that starts with a head word has its head ("Đảng ủy xã")
        heads = {nfc(h).lower() for h in self.data.heads}
        found = {name for k, name in self.exact.items()
                 if k.endswith(" " + key) and self._head_words(name, k, key, heads)}
        return (next(iter(found)), "head word lost") if len(found) == 1 else None

    def _head_words(self, name: str, name_key: str, key: str, heads: set[str]) -> bool:
        """Whether what name_key has before key is exactly one head word of the name."""
        lead = name_key[: -len(key) - 1].strip()
        return bool(lead) and any(self.key(h) == lead for h in heads)

    def _without_edge_noise(self, raw: str) -> str:
        """Given a unit as printed, return it without OCR speck tokens at its edges ("1¬
        Trung tâm PV HCC", "Ì Công an tỉnh", "Văn phòng HĐND&UBNDxã ˆ"): tokens with at most
        ``edge_noise_max_letters`` letters that are not numbers ("Ban Chỉ đạo 35", "Tổ 7")
        or level words; nor, leading, a capitalised head word or a head's first word ("Ủy
        an nhân dân": "Ủy" starts "Ủy ban", the name's own head)."""
        tokens = raw.split()
        limit = self.data.fuzzy.edge_noise_max_letters
        if len(tokens) > 1 and self._is_head_start(tokens[0]):
            return self._without_trailing_noise(tokens, limit)

        lettered = 0  # one speck with letters leads a print; two are words ("ác sở, ban")
        while len(tokens) > 1 and self._is_speck(tokens[0], limit) and lettered + any(c.isalpha() for c in tokens[0]) <= 1:
            lettered += any(c.isalpha() for c in tokens[0])
            tokens = tokens[1:]
        return self._without_trailing_noise(tokens, limit)

    def _without_trailing_noise(self, tokens: list[str], limit: int) -> str:
        """Given a print's tokens, return them joined without speck tokens at the end; not
        past a capitalised head word with words after it ("..., Sở Y tế" ends with another
        name, not specks)."""
        end = len(tokens)
        last = nfc(tokens[-1]).strip(_EDGE_PUNCT)
        if last[:1].isupper() and self.head_rx.fullmatch(last):
            return " ".join(tokens)  # a head word ends the name: "Thanh tra Sở" (the department's own)
        while end > 1 and self._is_speck(tokens[end - 1], limit):
            end -= 1
        # a head alone at the end ("Sợ") or in capitals ("SỐ s") is debris
        if any(self._is_head_start(t) and not t[1:].isupper() for t in tokens[end:-1]):
            return " ".join(tokens)
        return " ".join(tokens[:end])

    def _is_speck(self, token: str, limit: int) -> bool:
        """Whether a token at a print's edge is an OCR speck: at most ``limit`` letters, not a
        number ("Ban Chỉ đạo 35", "Tổ 7") nor a level word."""
        letters = sum(c.isalpha() for c in token)
        bare = fold(nfc(token)).strip(_EDGE_PUNCT)
        return letters <= limit and not token.isdigit() and bare not in self.level_keys

    def _is_head_start(self, token: str) -> bool:
        """Whether a token is a capitalised head word or a head's first word ("Sở", "Ủy")."""
        return token[:1].isupper() and fold(nfc(token)).strip(_EDGE_PUNCT) in self.head_starts

    def _with_place(self, raw: str, key: str, level: Optional[str]) -> Optional[tuple[str, Optional[str]]]:
        """Given "Công an tỉnh An Giang", return "Công an tỉnh An Giang" if "Công an tỉnh" is known.

        A known unit followed by a place name (words in title case) keeps the place; OCR
        debris after a name ("UBND xã SỐ", "UBND xã, phường Su") is no place: a place word
        in capitals where the name is not, or one place word of fewer than 3 letters.
        """
        words = clean_name(raw).split()
        shouting = all(w.isupper() for w in words if any(c.isalpha() for c in w))
        for n in range(1, min(4, len(words) - 1) + 1):
            place, base = words[-n:], words[:-n]
            if not all(w[:1].isupper() for w in place):
                continue
            if (not shouting and any(w.isupper() and len(w) > 1 for w in place)) or (n == 1 and len(place[0]) < 3):
                continue
            if fold(base[-1]) not in self.level_keys:
                continue
            found = self._match(" ".join(base), level)
            if found:
                return f"{found[0]} {' '.join(place)}", found[1]
        return None

    def _form_with_place(self, raw: str) -> Optional[tuple[str, Optional[str]]]:
        """Given "Viễn thông Nghệ An" / "Thuế tỉnh Nghệ An", return it as printed when it is a
        unit kind's own words ("Viễn thông", "Thuế", maybe with a level word) and a place
        printed after them: a form of the registry with its place, never a template name."""
        name = clean_name(raw)
        found = self.forms.kind_rule(name)
        if found is None:
            return None
        _, place, n = self.forms.printed_level_place(name)
        if not place or not name.endswith(place) or self.forms.place_spelling(place) != place:
            return None  # a place of the national list, as it spells it
        base = _words(name[: -len(place)])
        if base and base[-1] in self.level_keys:
            base = base[:-1]
        if len(base) != found[1]:
            return None  # more than the kind's words: another name, not a form
        return name, None

    def _fuzzy(self, key: str, raw: str = "") -> Optional[tuple[str, str]]:
        """Given a key with no exact match, return the canonical it is a noisy copy of, if clear.

        Either close by edit ratio, or a prefix cut short covering most of one name ("Phòng
        Văn hóa - Xã" at a line break); tried on the compact keys, then with abbreviations
        contracted ("Văn phòng UBNDLtinh"). Never one whose level word the text does not
        print: "Văn phòng HĐND và UBND thuộc" is not "... phường".
        """
        compact = self.keyer.compact(key)
        for probe, table in ((compact, self.compact), (self.keyer.contract(compact), self.contracted)):
            hit = self._closest(probe, table)
            if hit is None:
                continue
            name, matched, how = hit
            # a prefix (matched is None) is the start of one name, its last word maybe cut
            if matched is not None and not (self._levels_agree(raw, name) and self._shares_a_word(key, matched)):
                continue
            if self._level_printed(name, key):
                return name, how
        return None

    def _shares_a_word(self, key: str, matched: str) -> bool:
        """Whether a probe of several words keeps one word (3+ letters) of the key it is close
        to: OCR damages a word or two, a name with every word different is another name
        ("ngành Đảng" is not "ngân hàng")."""
        words = key.split()
        if len(words) < 2:
            return True
        theirs = set(self.spaced.get(matched, "").split())
        return any(len(w) >= 3 and w in theirs for w in words)

    def _levels_agree(self, raw: str, name: str) -> bool:
        """Given a unit as printed and the canonical unit it is close to, return False when the
        print adds a level marker ("UBND cấp xã" is not "UBND xã") or a level word other than
        those of the unit's names ("Trung tâm ... tỉnh" is not the unit named "... xã" and
        "... phường"). Read on the text as printed: folded, "quận" would be the "quan" of
        "cơ quan"."""
        printed, listed = self.printed_levels(raw), self.entry_levels.get(name, frozenset())
        markers = {nfc(m).lower() for m in self.data.level_markers}
        # a marker OCR damaged is still printed ("UBND ấp xã"): a word one letter from it
        # that no registry name uses ("các" is a word, not "cấp" misread)
        damaged = {m for m in markers for w in _words(raw) if w not in self.vocabulary
                   and len(fold(m)) >= 3 and Levenshtein.distance(w, fold(m)) <= 1}
        # and so is a level word of 4+ letters ("công ỉnh" prints "tỉnh")
        last = _words(raw)[-1:]  # where a name prints its level
        damaged |= {nfc(lv).lower() for lv in self.data.level_words for w in last
                    if w not in self.vocabulary and len(fold(lv)) >= 4 and " " not in lv
                    and Levenshtein.distance(w, fold(lv)) <= 1}
        printed = printed | damaged
        added = printed - listed
        # nor a print of one level for a name that spans several ("UBND phường" is not the
        # collective "UBND xã, phường"): the levels the canonical name itself prints must all be
        # there once the print names a level
        lacking = self.printed_levels(name) - printed
        return not (added & markers) and not (listed and added) and not (printed and lacking)

    def printed_levels(self, text: str) -> frozenset[str]:
        """Given a unit as printed, return the level words ("xã", "tỉnh") and markers ("cấp")
        it prints as words, with diacritics ("xã hội" is no level)."""
        t = " " + " ".join(_RX["key_drop"].sub(" ", nfc(text).lower()).split()) + " "
        for e in self.data.level_exceptions:
            t = t.replace(f" {nfc(e).lower()} ", " ")
        words = [nfc(w).lower() for w in (*self.data.level_words, *self.data.level_markers)]
        return frozenset(w for w in words if f" {w} " in t)

    def _closest(self, probe: str, table: dict[str, str]) -> Optional[tuple[str, Optional[str], str]]:
        """Given a compact probe and a table of compact keys, return (the one canonical it is
        a prefix of or clearly closest to (fuzzy settings), the table key matched by ratio or
        None for a prefix, how: "fuzzy, score 88" / "cut short, 85% of the name"), else None."""
        f = self.data.fuzzy
        if len(probe) < f.min_length:
            return None
        prefixed = {name for ck, name in table.items()
                    if ck.startswith(probe) and len(probe) >= f.prefix_min_coverage * len(ck)}
        if len(prefixed) == 1:
            name = next(iter(prefixed))
            whole = min(len(ck) for ck, n in table.items() if n == name and ck.startswith(probe))
            return name, None, f"cut short, {round(100 * len(probe) / whole)}% of the name"
        best = process.extract(probe, list(table), scorer=fuzz.ratio, limit=5)
        if not best:
            return None
        top_key, top_score, _ = best[0]
        close = top_score >= f.min_score or Levenshtein.distance(probe, top_key) <= f.max_edits
        if not close or top_key[: f.same_prefix] != probe[: f.same_prefix]:
            return None
        if _RX["digits"].findall(probe) != _RX["digits"].findall(top_key):
            return None  # a number names another body ("Ban Chỉ đạo 35", "Tổ 7")
        name = table[top_key]
        for other_key, score, _ in best[1:]:
            if table[other_key] != name and top_score - score < f.margin:
                return None
        return name, top_key, f"fuzzy, score {round(top_score)}"

    def _level_printed(self, name: str, key: str) -> bool:
        """Given a canonical name and a probe key, return False if the name's level is not in
        the probe's last words: as a word, cut ("tỉ"), glued ("UBNDxã") or, for a level
        word of 4+ letters, glued with one letter misread ("UBNDIinh")."""
        words = key.split()
        canon = self.key(name)

        def prints(lk: str, w: str) -> bool:
            if lk == w or lk.startswith(w) or w.endswith(lk):
                return True
            # glued and misread ("ubndiinh"), never a registry word ("chinh" is no "tinh")
            return (len(lk) >= 4 and len(w) > len(lk) and w not in self.vocabulary
                    and Levenshtein.distance(w[-len(lk):], lk) <= 1)

        for lk in self.level_keys:
            if canon.endswith(" " + lk) and not any(prints(lk, w) for w in words[-2:]):
                return False
        return True

    def is_exact_name(self, text: str) -> bool:
        """Given a phrase, return whether its key is exactly a registered name or alias (no
        fuzzy matching: for finding where a name ends inside running text)."""
        key = self.key(text)
        return bool(key) and key in self.exact

    def is_known(self, text: str, level: str | None = None) -> bool:
        """Given a unit phrase, return whether it resolves to a canonical unit."""
        return self._canonical(text, level) is not None

    # -- splitting

    def split(self, text: str, level: str | None = None) -> list[str]:
        """Given a cell or phrase naming units, return one cleaned string per unit.

        Splits at ";" and at commas *between* units: "Các sở, ban, ngành, UBND xã, phường"
        -> ["Các sở, ban, ngành", "UBND xã, phường"]; the longest run of comma pieces that
        is a known unit wins, lower-case list words ("ban", "ngành", "phường") stay with the
        name before them, and unknown pieces are cut at "và" / at unit head words when
        every resulting part is a known unit.
        """
        return self._split(text, level)[0]

    def _split(self, text: str, level: Optional[str] = None) -> tuple[list[str], list[str]]:
        """``split``, and the comma pieces left out as no unit (a date, a symbol: OCR debris
        or the next column's text)."""
        text = nfc(text or "").replace("\n", " ").replace("|", " ")
        level = level or self.level_in(text)
        out: list[str] = []
        debris: list[str] = []
        for chunk in self._rejoin_cut_names(_RX["chunks"].split(text), level):
            units, junk = self._split_chunk(chunk, level)
            out.extend(units)
            debris.extend(junk)
        return [u for u in out if u], debris

    def _split_chunk(self, chunk: str, level: Optional[str]) -> tuple[list[str], list[str]]:
        """Given a chunk (no ";"), return (its units, its debris pieces): the reading with the
        fewest unknown units of the chunk as one list and of the chunk cut at each "và" that
        starts a unit form ("Các Sở, ban, ngành | và | các cơ quan, đơn vị liên quan")."""
        def merged(part: str) -> tuple[list[str], list[str]]:
            pieces, junk = [], []
            for p in part.split(","):
                p = self._complete_cut(p, level)
                if not p:
                    continue
                reason = self.forms.debris_reason(p) if not self.is_known(p, level) else None
                if reason in ("a date", "a symbol no name prints") and self.known_spans(p, level) is not None:
                    reason = None  # names with another column's date or symbols between them
                if reason in ("a date", "a symbol no name prints", "no word"):
                    junk.append(p)
                else:
                    pieces.append(p)
            return self._merge_pieces(pieces, level), junk

        def unknown(units: list[str]) -> int:
            return sum(not self.is_known(u, level) for u in units)

        best = merged(chunk)
        if not unknown(best[0]) or self.is_known(chunk, level):
            return best
        for m in self.conjunction_rx.finditer(chunk):
            left, right = chunk[: m.start()], chunk[m.end():]
            # the kind rule reads only the first words, which clean_name leaves as they are
            # (the chunk is NFC; it changes only dashes, spaces and edge marks): cleaning the
            # whole rest at every "và" made long cells quadratic
            if not left or left.isspace() or self.forms.kind_rule(right) is None:
                continue
            lu, lj = merged(left)
            ru, rj = self._split_chunk(right, level)
            if (unknown(lu + ru), len(lu + ru)) < (unknown(best[0]), len(best[0])):
                best = (lu + ru, lj + rj)
        return best

    def _complete_cut(self, piece: str, level: Optional[str]) -> str:
        """Given one comma piece as printed, return it cleaned; a name the cell cut at a dash
        ("Phòng Văn hóa -", the rest lost to OCR) keeps its dash when it begins one known
        name (``_cut_at_dash``), so that resolving it can say it was completed."""
        name = clean_name(piece)
        if not name or not piece.rstrip(" .,;:'\"`_").endswith(tuple("-" + _DASHES)):
            return name
        if self.is_known(name, level) or self._cut_at_dash(name) is None:
            return name
        return f"{name} -"

    def _cut_at_dash(self, name: str) -> Optional[tuple[str, str]]:
        """Given a name as printed up to a dash where the cell cut it, return (the one known
        name it begins, covering at least ``cut_min_coverage`` of it, how), else None."""
        probe = self.keyer.compact(self.key(name))
        f = self.data.fuzzy
        if len(probe) < f.min_length:
            return None
        hits: dict[str, int] = {}  # canonical -> its shortest key the probe begins
        for ck, canon in self.compact.items():
            if ck.startswith(probe) and len(probe) >= f.cut_min_coverage * len(ck):
                hits[canon] = min(len(ck), hits.get(canon, len(ck)))
        if len(hits) != 1:
            return None
        name, whole = next(iter(hits.items()))
        return name, f"cut at a dash, completed from {round(100 * len(probe) / whole)}% of the name"

    def _cut_at_conjunction(self, name: str, level: Optional[str] = None) -> Optional[tuple[str, str]]:
        """Given a print ending with a conjunction ("Sở Nông nghiệp và", "Đài Phát thanh &":
        the cell or the line lost the rest), return (the one known name whose words start with
        all its words, the conjunction too, how), else None. At least two words before it."""
        words = _words(self.keyer.expand(fold(nfc(name))))
        if len(words) < 3 or words[-1] not in self.data.conjunctions_folded() and not name.rstrip().endswith("&"):
            return None
        if name.rstrip().endswith("&"):
            words = [*words[:-1], "va"] if words[-1] == "va" else [*words, "va"]
        found = self._only_name_begun(words, level)
        return (found, "cut after a conjunction, completed as the one name it begins") if found else None

    def _only_name_begun(self, words: list[str], level: Optional[str]) -> Optional[str]:
        """Given folded words, return the one registry name whose words begin with them and go
        on (of those, the one of the plan's level when the level tells them apart), else None."""
        hits = {canon for variant, canon in self._printed_names() if variant[:len(words)] == tuple(words)
                and len(variant) > len(words)}
        if level is not None:  # a name that prints another level is another body's
            lv = nfc(level).lower()
            hits = {h for h in hits if not self.entry_levels.get(h) or lv in self.entry_levels[h]}
        return next(iter(hits)) if len(hits) == 1 else None

    def _printed_names(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """Every name and alias of the registry as its folded words (abbreviations expanded,
        "và" kept), with its canonical name."""
        if self._names_cache is None:
            self._names_cache = tuple((tuple(_words(self.keyer.expand(fold(nfc(v))))), e.name)
                                      for e in self.data.units for v in (e.name, *e.aliases))
        return self._names_cache

    def _rejoin_cut_names(self, chunks: list[str], level: Optional[str]) -> list[str]:
        """Given a cell's chunks (split at ";"), return them with a name OCR cut in two joined
        again ("Phòng Văn ' hóa ; Xã hội"): neither side is a known unit, both joined are."""
        out: list[str] = []
        for chunk in chunks:
            right = clean_name(chunk.split(",", 1)[0])
            left = clean_name(out[-1].rsplit(",", 1)[-1]) if out else ""
            if left and right and not self.is_known(left, level) and not self.is_known(right, level):
                joint = next((j for j in (" - ", " ") if self.is_known(f"{left}{j}{right}", level)), None)
                if joint is not None:
                    out[-1] = f"{out[-1].rstrip(_EDGE_PUNCT)}{joint}{chunk.strip(_EDGE_PUNCT)}"
                    continue
            out.append(chunk)
        return out

    def _merge_pieces(self, pieces: list[str], level: Optional[str]) -> list[str]:
        units: list[str] = []
        i = 0
        while i < len(pieces):
            taken = None
            longest = min(len(pieces), i + self.data.max_pieces_per_name)
            for j in range(longest, i + 1, -1):  # the longest known run of pieces
                candidate = ", ".join(pieces[i:j])
                if self.is_known(candidate, level):
                    taken = (candidate, j)
                    break
            if taken is None:
                candidate, j = pieces[i], i + 1
                # lower-case list words, and pieces that start no unit ("TM&DL tỉnh" of
                # "Trung tâm XTĐT, TM&DL tỉnh"), continue the name before them
                while j < len(pieces) and (self._is_continuation(pieces[j]) or self._continues(pieces[j], level)):
                    candidate, j = f"{candidate}, {pieces[j]}", j + 1
                taken = (candidate, j)
            candidate, i = taken
            units.extend(self._cut(candidate, level))
        return units

    def _continues(self, piece: str, level: Optional[str]) -> bool:
        """Whether a comma piece is the rest of the name before it: it starts with no unit
        kind nor head word and is no unit itself ("TM&DL tỉnh" of "Trung tâm XTĐT, TM&DL
        tỉnh", "vận hành các nền tảng số" of "Cơ quan chủ trì quản lý, vận hành ...")."""
        name = clean_name(piece)
        return (bool(name) and self.forms.kind_rule(name) is None
                and not self.head_rx.match(name) and not self.is_known(name, level))

    def _is_continuation(self, piece: str) -> bool:
        key = " ".join(_words(self.unglued(piece)))  # "đơn.vị thuộc ...", "đơn vị. thuộc" as OCR broke it
        return piece[:1].islower() and (key in self.continuation_keys
                                        or key.startswith(self.continuation_prefixes))

    def _cut(self, unit: str, level: Optional[str]) -> list[str]:
        """Given one candidate unit, return it cut into known units when it is several."""
        if self.is_known(unit, level):
            return [unit]
        # "Công an tỉnh và các Sở, ban, ngành": cut at "và" before a head word
        for m in self.conjunction_rx.finditer(unit):
            left, right = unit[: m.start()].strip(), unit[m.end():].strip()
            if left and right and self.head_rx.match(right) and self.head_rx.match(left):
                right_units = self._merge_pieces([clean_name(p) for p in right.split(",") if p.strip()], level)
                # an office of several bodies names them joined by "và" ("Văn phòng HĐND và
                # UBND phường"): one unit, unless its own left part is a known name
                joint = any(fold(nfc(left)).lower().startswith(fold(nfc(h)).lower() + " ")
                            for h in self.data.joint_heads)
                if self.is_known(left, level) or (not joint and any(self.is_known(r, level) for r in right_units)):
                    return [*self._cut(left, level), *right_units]
        # "Phòng Kinh tế Phòng Văn hóa - Xã hội": names one after another, all known
        starts = [m.start() for m in self.head_rx.finditer(unit) if m.start() > 0]
        if len(starts) > self.data.max_pieces_per_name * 2:  # running text, not a unit list
            return [unit]
        parts = self._segment(unit, [0, *starts, len(unit)], level)
        if parts and len(parts) > 1:
            return parts
        return [unit]

    def _segment(self, unit: str, cuts: list[int], level: Optional[str]) -> Optional[list[str]]:
        """Given cut positions, return the shortest split into all-known parts, if any."""
        n = len(cuts)
        best: list[Optional[list[str]]] = [None] * n
        best[0] = []
        for b in range(1, n):
            for a in range(b):
                if best[a] is None:
                    continue
                part = unit[cuts[a]:cuts[b]].strip(_EDGE_PUNCT)
                if part and unit[cuts[a]:cuts[b]].rstrip(" ,;").endswith(tuple("-" + _DASHES)):
                    part = f"{part} -"  # "Phòng Văn hóa - Các cơ quan": cut at its dash
                if part and self.is_known(part, level):
                    cand = best[a] + [part]
                    if best[b] is None or len(cand) < len(best[b]):
                        best[b] = cand
        return best[-1]

    def level_in(self, text: str) -> Optional[str]:
        """Given text, return the last administrative level word in it ("xã", "tỉnh"), if any."""
        folded = fold(nfc(text))
        found: tuple[int, Optional[str]] = (-1, None)
        for lk, word in self.level_keys.items():
            for m in self.level_rx[lk].finditer(folded):
                if m.start() > found[0]:
                    found = (m.start(), word)
        return found[1]

    def parse(self, text: str, level: str | None = None) -> list[UnitRef]:
        """Given a cell or phrase naming units, return a UnitRef per unit (split + resolve);
        what is no unit is left out (``read`` returns it)."""
        return self.read(text, level)[0]

    def read(self, text: str, level: str | None = None,
             where: Optional[Jurisdiction] = None) -> tuple[list[UnitRef], list[str]]:
        """Given a cell or phrase naming units, the level it is read at and the plan's
        jurisdiction, return (a described UnitRef per unit, the pieces of text that are no
        unit: OCR debris, a date, a fragment of the next column), in print order."""
        if not text or not text.strip():
            return [], []
        level = level or self.level_in(text)
        names, debris = self._split(text, level)
        units: list[UnitRef] = []
        for name in names:
            for ref, junk in self._resolve_or_debris(name, level):
                if ref is not None:
                    units.append(self.forms.describe(ref, where))
                if junk:
                    debris.append(junk)
        return units, debris

    def _resolve_or_debris(self, name: str, level: Optional[str]) -> list[tuple[Optional[UnitRef], str]]:
        """Given one split name, return [(UnitRef or None, debris text)]: a known unit; an
        unknown print cut into junk and units ("HCC Phòng Văn hóa", "... Sở Khoa học và Công
        nghệ trong"); or the whole print as debris when it is no unit."""
        ref = self.resolve(name, level)
        if ref.known:
            return [(ref, "")]
        trailing = self._trailing_fragment(name, level)
        if trailing is not None:
            head, junk = trailing
            return [(self.resolve(p, level), "") for p in head] + [(None, junk)]
        lead = self.forms.junk_before_head(name)
        if lead is not None:
            junk, rest = lead
            return [(None, junk)] + self._resolve_or_debris(rest, level)
        mixed = self.forms.task_words_at(name)
        if mixed is not None:  # another column's words: the name ends before them
            head, rest = mixed
            after = self.forms.junk_before_head(rest, max_words=6)
            out = self._resolve_or_debris(head, level)
            return out + ([(None, after[0])] + self._resolve_or_debris(after[1], level) if after else [(None, rest)])
        spans = self.known_spans(name, level)
        if spans is not None:
            return [(self.resolve(text, level), "") if is_unit else (None, text) for text, is_unit in spans]
        if self.forms.debris_reason(ref.name) is not None:
            return [(None, name)]
        return [(ref, "")]

    def known_spans(self, name: str, level: Optional[str]) -> Optional[list[tuple[str, bool]]]:
        """Given a print that is no known unit as a whole, return its pieces in print order as
        (text, whether it is a known unit) when it holds known units one after another with
        other words around or between them (old OCR interleaves a cell with the next columns:
        "Sở Công Thương 2026", "Phòng Kinh tế Đoàn Thanh niên xã. Biên bản kiểm tra"), else
        None. The reading covers the most words with known names, then takes the fewest names;
        a name starts at a unit kind's words. Never when a piece left over starts with a place
        of the national list ("Sở Y tế Hà Nội" keeps its place: the print stays whole)."""
        words = clean_name(name).split()
        s = self.data.spans
        n = len(words)
        if not 2 <= n <= s.max_print_words:
            return None
        best: list[Optional[tuple[int, int, tuple[tuple[int, int, bool], ...]]]] = [None] * (n + 1)
        best[0] = (0, 0, ())

        def offer(j: int, cand: tuple[int, int, tuple[tuple[int, int, bool], ...]]) -> None:
            if best[j] is None or cand[:2] > best[j][:2]:
                best[j] = cand

        for i in range(n):
            if best[i] is None:
                continue
            covered, fewer, parts = best[i]
            offer(i + 1, (covered, fewer, parts + ((i, i + 1, False),)))
            # a name starts capitalised, or with a lower-case collective's words ("đơn vị liên quan")
            if not (words[i][:1].isupper() or self.forms.lower_start(" ".join(words[i:i + 4]))) \
                    or self.forms.kind_rule(" ".join(words[i:i + 6])) is None:
                continue
            for j in range(i + 1, min(n, i + s.max_name_words) + 1):
                text = clean_name(" ".join(words[i:j]))
                if text and self.is_known(text, level):
                    offer(j, (covered + j - i, fewer - 1, parts + ((i, j, True),)))
        found = best[n]
        if found is None or not any(unit for _, _, unit in found[2]):
            return None
        pieces: list[tuple[str, bool]] = []
        for a, b, unit in found[2]:
            if pieces and not unit and not pieces[-1][1]:
                pieces[-1] = (f"{pieces[-1][0]} {' '.join(words[a:b])}", False)
            else:
                pieces.append((" ".join(words[a:b]), unit))
        out = [(clean_name(t), unit) for t, unit in pieces]
        if any(not unit and self._starts_with_place(t) for t, unit in out):
            return None
        # the print shows it mixes columns: a number, a symbol no name prints, two names
        # or a full stop right after a name ("Sở Tài chính. cần thiết": the name ended there)
        stops = {b for a, b, unit in found[2] if unit and words[b - 1].endswith(".")}
        mixed = (any(ch.isdigit() for ch in name) or sum(unit for _, unit in out) >= 2 or bool(stops)
                 or self.forms.debris_reason(name) in ("a date", "a symbol no name prints"))
        for (t, unit), (t2, unit2) in zip(out, out[1:]):
            # one name longer than the registry knows, the known one inside it: words of a
            # kind before it ("Văn phòng | Sở Công Thương", "Các phòng, đơn vị thuộc | UBND xã"),
            # lower-case words after it ("Các doanh nghiệp | cung cấp dịch vụ", "UBND | cấp xã")
            # or a kind's words alone after it ("Thanh tra | Sở": the department's own inspectorate)
            # (a list word left without its comma, "đơn vị liên quan", is no part of it)
            # and a name after "thuộc" is the parent named inside a longer phrase ("... thuộc UBND xã")
            if (unit2 and not unit and (self.forms.kind_rule(t) is not None or self._ends_with_qualifier(t))) or (
                    unit and not unit2 and ((t2[:1].islower() and not self._is_list_word(t2)
                                             and (not mixed or self._starts_with_level(t2)))
                                            or self._only_kind_words(t2))):
                return None
        # a piece left over may be a name OCR damaged at its head, behind a speck ("5 Poan
        # TNCS Hồ Chí Minh tỉnh"): a unit when, without the speck, the registry knows it
        final: list[tuple[str, bool]] = []
        for t, unit in out:
            if not t:
                continue
            if unit:
                final.append((t, True))
                continue
            words = t.split()
            k = 0
            while k < len(words) and not any(ch.isalpha() for ch in words[k]):
                k += 1
            rest = " ".join(words[k:])
            if k and len(words) - k >= 2 and self.is_known(rest, level):
                final += [(" ".join(words[:k]), False), (rest, True)]
            else:
                final.append((t, False))
        return final

    def _is_list_word(self, text: str) -> bool:
        """Whether text is one of the registry's list words ("đơn vị liên quan", "ban, ngành")."""
        return squash_spaces(fold(nfc(text))).strip(" ,") in self.continuation_keys

    def _ends_with_qualifier(self, text: str) -> bool:
        """Whether text ends with a word that names a parent next ("thuộc", "trực thuộc")."""
        folded = " " + " ".join(_words(text))
        return any(folded.endswith(" " + " ".join(_words(q))) for q in self.data.continuation_qualifiers)

    def _starts_with_level(self, text: str) -> bool:
        """Whether text starts with a level word or marker ("tỉnh", "cấp xã"): the end of a name."""
        first = fold(nfc(text.split()[0])).lower().strip(_EDGE_PUNCT) if text.split() else ""
        return first in self.level_keys or first in {fold(nfc(m)).lower() for m in self.data.level_markers}

    def _only_kind_words(self, text: str) -> bool:
        """Whether text is nothing but a unit kind's words ("Sở", "Văn phòng")."""
        found = self.forms.kind_rule(text)
        return found is not None and found[1] == len(_words(text))

    def _starts_with_place(self, text: str) -> bool:
        """Whether text starts with 2-4 capitalised words that are a place of the national list."""
        printed = text.split()[:4]
        run = []
        for w in printed:
            if not (w[:1].isupper() and w.isalpha()):
                break
            run.append(w)
        return any(tuple(fold(nfc(w)) for w in run[:k]) in self.forms.places for k in range(len(run), 1, -1))

    def _trailing_fragment(self, name: str, level: Optional[str]) -> Optional[tuple[list[str], str]]:
        """Given an unknown print, return (the known units it is, its last one or two
        lower-case words: a fragment of another cell), else None."""
        words = clean_name(name).split()
        for k in (1, 2):
            if len(words) <= k or not all(w[:1].islower() for w in words[-k:]):
                continue
            if any(fold(nfc(w)) in self.level_keys or fold(nfc(w)) == "cap" for w in words[-k:]):
                continue  # a level word or marker ends a name ("UBND cấp xã", "Đoàn ... tỉnh")
            head = " ".join(words[:-k])
            # a fragment after names printed one after another: lower-case words end a single
            # name too often to be cut off it ("Các doanh nghiệp viễn thông")
            parts = self._cut(head, level)
            if len(parts) > 1 and all(self.is_known(p, level) for p in parts):
                return parts, " ".join(words[-k:])
        return None


@lru_cache(maxsize=4)
def _load_cached(path: str) -> UnitRegistry:
    with open(path, encoding="utf-8") as f:
        data = UnitData.model_validate(yaml.safe_load(f))
    return UnitRegistry.from_data(data)


def level_of_issuer(issuer: str | None) -> str | None:
    """Given the plan's issuer ("Ủy ban nhân dân xã Chợ Đồn"), return its level ("xã"), if any.

    Pass it as ``level`` to ``UnitRegistry.parse`` so "Công an" resolves to "Công an xã".
    """
    if not issuer:
        return None
    reg = UnitRegistry.load()
    folded = fold(nfc(issuer))
    first: tuple[int, Optional[str]] = (len(folded) + 1, None)
    for lk, word in reg.level_keys.items():
        m = reg.level_rx[lk].search(folded)
        if m and m.start() < first[0]:
            first = (m.start(), word)
    return first[1]
