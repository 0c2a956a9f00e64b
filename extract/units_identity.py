"""What a unit is, beside what it is called: kind, level, place, collective; and what is no
unit at all (OCR debris, a date, a fragment of the next column).

Rules are data (``extract/data/unit_forms.yaml``); place names come from the national list
of administrative units shipped with the underthesea wheel (``admin_units.txt.gz``), never
from the plans at hand. A unit's place is the one its name prints ("Công an tỉnh An Giang",
"Viễn thông Nghệ An"); a name printed relative to the plan ("UBND xã" in the plan of Ủy ban
nhân dân xã Bình Minh) takes the issuer's place, and the UnitRef says so in ``inferred``.

    forms = load_rules().units.forms   # the rules bundle's (extract.rules)
    where = Jurisdiction.from_issuer("Ủy ban nhân dân xã Bình Minh", forms)
    forms.describe(UnitRef(raw="UBND xã", name="Ủy ban nhân dân xã"), where,
                   collective_prefixes=("cac", "nhung"),  # folded, from units.yaml
                   level_markers=("cấp",))
    # -> kind "UBND", level "xã", place "Bình Minh", inferred ["place"]
"""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from ..core.folding import fold, nfc, squash_spaces
from ..schema import UnitRef

PLACES_FILE = Path(__file__).resolve().parents[1] / "normalize" / "data" / "restore_sources" / "admin_units.txt.gz"

_RX = {
    "words": re.compile(r"[^\W_]+"),   # words: letters and digits
    "date": re.compile(r"\d{1,2}\s*/\s*\d{1,4}"),
}

# the debris reasons other code acts on (the others are only reported): a print with a date or
# a symbol no name prints mixes another column's text in; one without a word is no name at all
DEBRIS_DATE = "a date"
DEBRIS_SYMBOL = "a symbol no name prints"
DEBRIS_NO_WORD = "no word"
MIXED_COLUMNS = frozenset({DEBRIS_DATE, DEBRIS_SYMBOL})


class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    starts: list[str]
    level: Optional[str] = None
    collective: bool = False


class DebrisRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_words_without_kind: int = 2
    name_punctuation: str = ",.-–&()/'’"
    lower_starts: list[str] = Field(default_factory=list)
    task_words: list[str] = Field(default_factory=list)
    task_starts: list[str] = Field(default_factory=list)


class FormsData(BaseModel):
    """The validated content of unit_forms.yaml."""

    model_config = ConfigDict(extra="forbid")
    kinds: list[KindRule]
    levels: dict[str, str]
    place_prefixes: dict[str, str]
    fold_safe_levels: list[str] = Field(default_factory=list)
    not_places: list[list[str]] = Field(default_factory=list)
    debris: DebrisRules = Field(default_factory=DebrisRules)


def _fwords(text: str) -> tuple[str, ...]:
    """Given text, return its folded words (letters and digits; "&" and other marks dropped)."""
    return tuple(fold(w) for w in _RX["words"].findall(text))


@dataclass(frozen=True)
class Jurisdiction:
    """The level and place of the body that issued a plan: where its relative names point."""

    level: Optional[str] = None   # "xã", "huyện", "tỉnh", "trung ương"
    place: Optional[str] = None   # "Bình Minh"

    @classmethod
    def from_issuer(cls, issuer: Optional[str], forms: "UnitForms") -> "Jurisdiction":
        """Given the plan's issuer ("Ban Thường vụ Đảng ủy xã Tân Kỳ") and the unit forms,
        return its level and place."""
        if not issuer:
            return cls()
        level, place, _ = forms.printed_level_place(issuer)
        return cls(level, place)


@dataclass
class UnitForms:
    data: FormsData
    starts: tuple[tuple[tuple[str, ...], KindRule], ...]   # folded start words, longest first
    level_of_word: dict[tuple[str, ...], str]               # folded level words -> level
    places: dict[tuple[str, ...], frozenset[str]]          # folded place words -> levels
    spellings: dict[tuple[str, ...], dict[str, frozenset[str]]]  # folded place words -> level -> names
    not_places: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    lower_starts: tuple[tuple[str, ...], ...]
    _compact_places: Optional[dict[tuple[str, str], set[str]]] = None

    @classmethod
    def from_data(cls, data: FormsData, place_lines: list[str]) -> "UnitForms":
        starts = sorted(((_fwords(s), rule) for rule in data.kinds for s in rule.starts),
                        key=lambda sr: -len(sr[0]))
        levels = {tuple(w.lower().split()): lv for w, lv in data.levels.items()}
        # a level word that OCR left without its marks, where folding confuses it with no word
        # of a unit name ("tinh", "huyen"; never "quan" of "cơ quan" nor "phuong" of "địa phương")
        levels.update({_fwords(w): data.levels[w] for w in data.fold_safe_levels})
        prefixes = sorted(((_fwords(p), lv) for p, lv in data.place_prefixes.items()), key=lambda p: -len(p[0]))
        places: dict[tuple[str, ...], set[str]] = {}
        spellings: dict[tuple[str, ...], dict[str, set[str]]] = {}
        for line in place_lines:
            words = _fwords(line)
            if not words:
                continue
            printed = line.split()
            for pw, lv in prefixes:
                if words[:len(pw)] == pw and len(words) > len(pw):
                    key, name = words[len(pw):], " ".join(printed[len(pw):])
                    break
            else:
                key, name, lv = words, line, "tỉnh"  # a province's short name
            places.setdefault(key, set()).add(lv)
            spellings.setdefault(key, {}).setdefault(lv, set()).add(name)
        # "Thành phố Huế" is a province; "Thành phố Sơn La" a province's town: a city whose name
        # is also a province's stays a province place too
        return cls(data, tuple(starts), levels, {k: frozenset(v) for k, v in places.items()},
                   {k: {lv: frozenset(n) for lv, n in v.items()} for k, v in spellings.items()},
                   tuple((_fwords(" ".join(p[:-1])), _fwords(p[-1])) for p in data.not_places if p),
                   tuple(_fwords(s) for s in data.debris.lower_starts))

    # -- kinds and levels

    def kind_rule(self, name: str) -> Optional[tuple[KindRule, int]]:
        """Given a unit name, return (the kind rule its first words match, how many words),
        longest start first, else None. Only the first words a start can span are read (a
        long cell's start costs the same as a short one's: no quadratic splitting)."""
        span = max((len(start) for start, _ in self.starts), default=0)
        words = tuple(fold(m.group()) for m in islice(_RX["words"].finditer(name), span))
        for start, rule in self.starts:
            if words[:len(start)] == start:
                return rule, len(start)
        return None

    def printed_level_place(self, name: str) -> tuple[Optional[str], Optional[str], int]:
        """Given a name ("Công an tỉnh An Giang", "Viễn thông Nghệ An"), return (the level it
        prints, the place it prints, how many words the place takes at the end): the last
        level word outside the kind's own words ("Hợp tác xã") and not starting "xã hội",
        with the capitalised words after it; else a place of the national list at the end."""
        printed = _RX["words"].findall(name)
        words = [w.lower() for w in printed]
        # a capitalised level word is part of a place name ("Hà Tĩnh"), unless all is capitals
        shouting = name.isupper()
        folded = [fold(w) if shouting or w[:1].islower() else "" for w in printed]
        words = [w if shouting or p[:1].islower() else "" for w, p in zip(words, printed)]
        found = self.kind_rule(name)
        skip = found[1] if found else 0
        level, at = None, None
        i = skip
        while i < len(words):
            step = 1
            for n in (2, 1):
                key = next((k for k in (tuple(words[i:i + n]), tuple(folded[i:i + n]))
                            if len(k) == n and k in self.level_of_word), None)
                if key is not None and folded[i:i + 2] != ["xa", "hoi"]:  # "xã hội" is no level
                    level, at, step = self.level_of_word[key], (i, n), n
                    break
            i += step
        if at is not None:
            i, n = at
            after = []
            for w in printed[i + n:]:
                if not w[:1].isupper():
                    break
                after.append(w)
            if after and len(after) == len(printed) - i - n:
                return level, " ".join(after), len(after)
            return level, None, 0
        placed = self.place_at_end(printed[skip:])
        if placed:
            n, lv = placed
            return lv, " ".join(printed[-n:]), n
        return None, None, 0

    def place_at_end(self, printed: list[str]) -> Optional[tuple[int, str]]:
        """Given a name's words after its kind, return (how many words at the end are a place
        of the national list, its level: a province's when it may be one), else None."""
        words = tuple(fold(w) for w in printed)
        for n in range(min(4, len(words)), 1, -1):  # a place name has 2+ syllables
            tail, before = words[-n:], words[:-n]
            if not all(w[:1].isupper() for w in printed[-n:]) or tail not in self.places:
                continue
            if any(tail == p and before[-len(b):] == b for b, p in self.not_places):
                return None
            levels = self.places[tail]
            return n, "tỉnh" if "tỉnh" in levels else sorted(levels)[-1]
        return None

    def place_spelling(self, place: str, level: Optional[str] = None) -> Optional[str]:
        """Given a place as read ("Nam Dân", "Hóa Phòng": old OCR restored with other marks)
        and its level, return the national list's spelling when the list has exactly one name
        of that level (any level if None) with the same letters, else None. A place the list
        spells as printed is returned as printed."""
        spelt = self.spellings.get(_fwords(place), {})
        names = set().union(*(v for lv, v in spelt.items() if level is None or lv == level)) if spelt else set()
        if place in names:
            return place
        cased = {n for n in names if n[:1].isupper()}
        if len(cased) > 1:  # the name the list holds at most levels ("Nam Đàn": a district's too)
            reach = {n: sum(n in v for v in spelt.values()) for n in cased}
            cased = {n for n in cased if reach[n] == max(reach.values())}
        return cased.pop() if len(cased) == 1 else None

    def place_spelling_compact(self, letters: str, level: str) -> Optional[str]:
        """Given a place's letters without spaces or marks ("myhoa": OCR glued the words) and
        its level, return the national list's one name of that level with those letters, else None."""
        if self._compact_places is None:
            table: dict[tuple[str, str], set[str]] = {}
            for key, by_level in self.spellings.items():
                for lv, names in by_level.items():
                    table.setdefault(("".join(key), lv), set()).update(n for n in names if n[:1].isupper())
            self._compact_places = table
        names = self._compact_places.get((letters, level), set())
        return next(iter(names)) if len(names) == 1 else None

    # -- describing a unit

    def describe(self, ref: UnitRef, where: Optional[Jurisdiction] = None, *,
                 collective_prefixes: tuple[str, ...], level_markers: tuple[str, ...]) -> UnitRef:
        """Given a resolved unit, the plan's jurisdiction, the folded leading words of
        collective names (units.yaml ``collective_prefixes``, as ``UnitKeyer.collective``) and
        the level markers (units.yaml ``level_markers``: "cấp" of "UBND cấp xã"), return it
        with kind, level, place and collective filled; a level or place taken from the plan is
        in ``inferred``."""
        where = where or Jurisdiction()
        found = self.kind_rule(ref.name)
        rule = found[0] if found else None
        level, place, _ = self.printed_level_place(ref.name)
        collective = bool(rule and rule.collective) or self._collective(ref.name, collective_prefixes, level_markers)
        inferred: list[str] = []
        if level is None and rule and rule.level:
            level = rule.level
        if level is None and where.level:
            level = where.level
            inferred.append("level")
        if place is None and where.place and level == where.level and not self._levels_listed(ref.name, level_markers):
            place = where.place
            inferred.append("place")
        return ref.model_copy(update={"kind": rule.kind if rule else None, "level": level, "place": place,
                                      "collective": collective, "inferred": inferred})

    def _collective(self, name: str, prefixes: tuple[str, ...], markers: tuple[str, ...]) -> bool:
        """A name for many bodies: it starts with a collective prefix ("Các ...", "những ...";
        folded), or names the bodies of every unit of a level (``_levels_listed``)."""
        words = _fwords(name)
        return (any(words[:len(p.split())] == tuple(p.split()) for p in prefixes)
                or self._levels_listed(name, markers))

    def _levels_listed(self, name: str, markers: tuple[str, ...]) -> bool:
        """Whether a name stands for the bodies of every unit of a level, none of them the
        plan's own: levels listed ("UBND xã, phường") or a level marker ("UBND cấp xã")."""
        words = name.lower().replace(",", " ").split()
        if any(m.lower() in words for m in markers):
            return True
        return len([w for w in words if (w,) in self.level_of_word]) >= 2 and "," in name

    # -- debris

    def debris_reason(self, text: str) -> Optional[str]:
        """Given an unknown unit print, return why it is no unit ("a date", "a symbol", "a
        fragment", "no unit named"), else None."""
        t = squash_spaces(text)
        if not t:
            return "empty"
        if _RX["date"].search(t):
            return DEBRIS_DATE
        allowed = set(self.data.debris.name_punctuation)
        if any(not (c.isalnum() or c.isspace() or c in allowed) for c in t):
            return DEBRIS_SYMBOL
        words = _fwords(t)
        # a unit cell's name starts in capitals, a collective's or a list's words aside ("các
        # sở", "đơn vị liên quan"): a lower-case kind word ("hội", "tổ dân ...", "trung tâm
        # Phục vụ án ...") is the tail of the text before it, OCR having lost what it named;
        # kinds listed in lower case ("phòng, ban, ngành") are a collective
        first, *rest = t.split(",")
        listed = bool(rest) and self.kind_rule(first) is not None and len(first.split()) <= 2 and all(
            1 <= len(p.split()) <= 2 and p.strip()[:1].islower() for p in rest)
        if t[:1].islower() and not listed and not any(words[:len(s)] == s for s in self.lower_starts):
            return "a fragment (starts in lower case)"
        lettered = [w for w in words if sum(c.isalpha() for c in w) >= 2]
        if not lettered:
            return DEBRIS_NO_WORD
        if self.kind_rule(t) is None and any(words[:len(s)] == s for s in self._task_starts):
            return "a task's words (another column's text)"
        if self.kind_rule(t) is None and len(lettered) <= self.data.debris.max_words_without_kind:
            return "no unit named"
        return None

    def lower_start(self, text: str) -> bool:
        """Whether text starts with the lower-case words of a unit phrase ("các", "đơn vị")."""
        words = _fwords(text)
        return text[:1].islower() and any(words[:len(s)] == s for s in self.lower_starts)

    def task_words_at(self, text: str) -> Optional[tuple[str, str]]:
        """Given an unknown print, return (what comes before the first task word printed in
        lower case, the rest from it) when it holds one ("Công an | để rà soát Phòng ..."), else None."""
        printed = squash_spaces(text).split()
        for i in range(1, len(printed)):
            for tw in self._task_words:
                if printed[i][:1].islower() and tuple(w.lower() for w in printed[i:i + len(tw)]) == tw:
                    return " ".join(printed[:i]), " ".join(printed[i:])
        return None

    @property
    def _task_starts(self) -> tuple[tuple[str, ...], ...]:
        return tuple(_fwords(w) for w in self.data.debris.task_starts)

    @property
    def _task_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(w.lower().split()) for w in self.data.debris.task_words)

    def junk_before_head(self, text: str, max_words: int = 2) -> Optional[tuple[str, str]]:
        """Given an unknown print that starts with no kind ("HCC Phòng Văn hóa"), return (the
        words before the first capitalised kind start within ``max_words`` words, the rest),
        else None."""
        printed = squash_spaces(text).split()
        if self.kind_rule(" ".join(printed)) is not None:
            return None
        for k in range(1, min(max_words, len(printed) - 1) + 1):
            rest = " ".join(printed[k:])
            if printed[k][:1].isupper() and self.kind_rule(rest) is not None:
                return " ".join(printed[:k]), rest
        return None


def read_place_lines(path: Path = PLACES_FILE) -> list[str]:
    """Given the national list of administrative units (gzip, one name a line), return its
    names, NFC."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [nfc(line.strip()) for line in f if line.strip()]
