"""How the unit registry matches a print it does not hold exactly (``UnitRepairs``, a part of
``extract.units.UnitRegistry``): OCR repairs of its words (a letter lost or misread, a speck
glued to an abbreviation, a head word moved or lost, one word lost, words out of order),
a place printed after a known name, fuzzy matching of keys; a match by any of them is a
guess the UnitRef says so (``match``). The repairs are methods ``_repair_<name>``, tried in
the order units.yaml lists them (``repairs``, validated by ``unit_data.RepairName``)."""
from __future__ import annotations

import re
from typing import Optional

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..core.folding import fold
from .unit_data import DASHES, EDGE_PUNCT, clean_name, folded_words

NO_UNIT = ("", "")  # a repair's verdict that the print is no known unit (the repairs after it are not tried)
MEMO_MAX = 50_000  # remembered unit prints per registry; a long batch starts over past it

_RX = {
    "key_drop": re.compile(r"[^\w\s]"),        # punctuation dropped from keys
    "digits": re.compile(r"\d+"),
}


class UnitRepairs:
    """The matching half of ``UnitRegistry`` (its fields: data, keyer, exact, compact, ...)."""

    def _canonical(self, raw: str, level: Optional[str]) -> Optional[str]:
        found = self._match(raw, level)
        return found[0] if found else None

    def _match(self, raw: str, level: Optional[str], trim: bool = True) -> Optional[tuple[str, Optional[str]]]:
        """``_match_uncached``, remembered per registry (the registry never changes once built)."""
        memo_key = (raw, level, trim)
        if memo_key not in self._memo:
            if len(self._memo) >= MEMO_MAX:
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
        have = folded_words(name)
        compact = "".join(have)
        lost = []
        printed = re.findall(r"[^\W\d_]+", raw)
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
        evidence, e.g. "fuzzy, score 88"), or None when it is no known unit. The repairs are
        tried in the order units.yaml lists them (``repairs``); the first that decides wins.
        Specks are trimmed from the edges once (``trim``), not again from what is left."""
        key = self.key(raw)
        if not key:
            return None
        compact = self.keyer.compact(key)
        hit = self.exact.get(key) or self.compact.get(compact) or self.contracted.get(self.keyer.contract(compact))
        if hit:
            return hit, None
        for name in self.data.repairs:
            found = getattr(self, f"_repair_{name}")(raw, key, level, trim)
            if found is not None:
                return None if found is NO_UNIT else found
        return None

    # -- the repairs: each given (the print, its key, the plan's level, whether specks may be
    # trimmed), returns (the name, how it was found), NO_UNIT (decided: no known unit), or
    # None (not this repair's case: the next one is tried)

    def _repair_level_from_context(self, raw: str, key: str, level: Optional[str], trim: bool):
        by_level = self.bare.get(key)
        if not by_level:
            return None
        if level is not None and fold(level) in self.level_keys:
            name = by_level.get(self.level_keys[fold(level)])
            return (name, f"level '{level}' taken from the context") if name else NO_UNIT
        return NO_UNIT  # "Công an" without a level is ambiguous: never guess

    def _repair_cut_at_dash(self, raw: str, key: str, level: Optional[str], trim: bool):
        if raw.rstrip().endswith(tuple("-" + DASHES)):  # kept by _complete_cut
            return self._cut_at_dash(raw)
        return None

    def _repair_cut_at_conjunction(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._cut_at_conjunction(raw, level)

    def _repair_with_place(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._with_place(raw, key, level)

    def _repair_form_with_place(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._form_with_place(raw)

    def _repair_fuzzy(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._fuzzy(key, raw)

    def _repair_words_repaired(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._words_repaired(raw, key)

    def _repair_specks_trimmed(self, raw: str, key: str, level: Optional[str], trim: bool):
        trimmed = self._without_edge_noise(raw) if trim else raw
        if trimmed == raw:
            return None
        inner = self._match(trimmed, level, trim=False)
        if inner is None:  # the repairs that follow were tried on the trimmed print
            return self._words_reordered(raw, key) or NO_UNIT
        dropped = raw.replace(trimmed, " ", 1).split() if trimmed in raw else []
        how = f"OCR specks dropped: {' '.join(dropped)!r}" if dropped else "OCR specks dropped"
        return inner[0], how if inner[1] is None else f"{how}; {inner[1]}"

    def _repair_head_moved_or_lost(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._head_moved_or_lost(raw, key)

    def _repair_one_word_lost(self, raw: str, key: str, level: Optional[str], trim: bool):
        lost = self._one_word_lost(key)
        return (lost, "one word lost") if lost else None

    def _repair_words_reordered(self, raw: str, key: str, level: Optional[str], trim: bool):
        return self._words_reordered(raw, key)

    def _words_reordered(self, raw: str, key: str) -> Optional[tuple[str, str]]:
        """Given a unit as printed that no rule matched, return (the one unit whose key has
        exactly its words in another order, how), else None: OCR reads the lines of a wrapped
        cell out of order ("Các cơ đơn vị quan", "an tỉnh Công"). Words of at most
        ``edge_noise_max_letters`` letters the registry does not know are specks ("nà", "v").
        At least 3 words, so that a word order that names another body is not just guessed."""
        limit = self.data.fuzzy.edge_noise_max_letters
        words = [w for w in key.split() if len(w) > limit or w in self.vocabulary or not w.isalpha()]
        if len(words) < 3 or self.conjunction_rx.search(f" {fold(raw)} ") or "&" in raw:
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
        words, notes = folded_words(raw), []
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
        protected = (set(self.level_keys) | {fold(m) for m in self.data.level_markers}
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
        if len(words) < 2 or self.conjunction_rx.search(f" {fold(raw)} ") or "&" in raw:
            return None
        last = words[-1]
        if self.head_rx.fullmatch(last):
            moved = " ".join([last, *words[:-1]])
            if self.exact.get(self.key(moved)):
                return self.exact[self.key(moved)], "head word moved to the end"
        if len(self.keyer.compact(key)) < self.data.fuzzy.min_length or self.head_rx.match(clean_name(raw)):
            return None  # a name that starts with a head word has its head ("Đảng ủy xã")
        heads = {h.lower() for h in self.data.heads}
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
        last = tokens[-1].strip(EDGE_PUNCT)
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
        bare = fold(token).strip(EDGE_PUNCT)
        return letters <= limit and not token.isdigit() and bare not in self.level_keys

    def _is_head_start(self, token: str) -> bool:
        """Whether a token is a capitalised head word or a head's first word ("Sở", "Ủy")."""
        return token[:1].isupper() and fold(token).strip(EDGE_PUNCT) in self.head_starts

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
        base = folded_words(name[: -len(place)])
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
        markers = {m.lower() for m in self.data.level_markers}
        # a marker OCR damaged is still printed ("UBND ấp xã"): a word one letter from it
        # that no registry name uses ("các" is a word, not "cấp" misread)
        damaged = {m for m in markers for w in folded_words(raw) if w not in self.vocabulary
                   and len(fold(m)) >= 3 and Levenshtein.distance(w, fold(m)) <= 1}
        # and so is a level word of 4+ letters ("công ỉnh" prints "tỉnh")
        last = folded_words(raw)[-1:]  # where a name prints its level
        damaged |= {lv.lower() for lv in self.data.level_words for w in last
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
        t = " " + " ".join(_RX["key_drop"].sub(" ", text.lower()).split()) + " "
        for e in self.data.level_exceptions:
            t = t.replace(f" {e.lower()} ", " ")
        words = [w.lower() for w in (*self.data.level_words, *self.data.level_markers)]
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
