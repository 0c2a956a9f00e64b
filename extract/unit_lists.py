"""How the unit registry reads a unit cell into names (``UnitLists``, a part of
``extract.units.UnitRegistry``): the cell split at separators and where a known name starts,
names cut at a dash or a line end rejoined, a fragment after names kept as debris, the known
spans of a long print (names among another column's words)."""
from __future__ import annotations

import re
from typing import Optional

from ..core.folding import fold, squash_spaces
from ..schema import UnitRef
from .unit_data import DASHES, EDGE_PUNCT, clean_name, folded_words
from .units_identity import DEBRIS_NO_WORD, MIXED_COLUMNS, Jurisdiction

_RX = {
    "chunks": re.compile(r"[;\n]"),              # always separate units
}


class UnitLists:
    """The list-reading half of ``UnitRegistry`` (its fields: data, keyer, exact, ...)."""

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
        text = (text or "").replace("\n", " ").replace("|", " ")
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
                if reason in MIXED_COLUMNS and self.known_spans(p, level) is not None:
                    reason = None  # names with another column's date or symbols between them
                if reason in MIXED_COLUMNS or reason == DEBRIS_NO_WORD:
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
        if not name or not piece.rstrip(" .,;:'\"`_").endswith(tuple("-" + DASHES)):
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
        words = folded_words(self.keyer.expand(fold(name)))
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
            lv = level.lower()
            hits = {h for h in hits if not self.entry_levels.get(h) or lv in self.entry_levels[h]}
        return next(iter(hits)) if len(hits) == 1 else None

    def _printed_names(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """Every name and alias of the registry as its folded words (abbreviations expanded,
        "và" kept), with its canonical name."""
        if self._names_cache is None:
            self._names_cache = tuple((tuple(folded_words(self.keyer.expand(fold(v)))), e.name)
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
                    out[-1] = f"{out[-1].rstrip(EDGE_PUNCT)}{joint}{chunk.strip(EDGE_PUNCT)}"
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
        key = " ".join(folded_words(self.unglued(piece)))  # "đơn.vị thuộc ...", "đơn vị. thuộc" as OCR broke it
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
                joint = any(fold(left).lower().startswith(fold(h).lower() + " ")
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
                part = unit[cuts[a]:cuts[b]].strip(EDGE_PUNCT)
                if part and unit[cuts[a]:cuts[b]].rstrip(" ,;").endswith(tuple("-" + DASHES)):
                    part = f"{part} -"  # "Phòng Văn hóa - Các cơ quan": cut at its dash
                if part and self.is_known(part, level):
                    cand = best[a] + [part]
                    if best[b] is None or len(cand) < len(best[b]):
                        best[b] = cand
        return best[-1]

    def level_in(self, text: str) -> Optional[str]:
        """Given text, return the last administrative level word in it ("xã", "tỉnh"), if any."""
        folded = fold(text)
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
                    units.append(self.forms.describe(ref, where, collective_prefixes=self.keyer.collective,
                                                      level_markers=tuple(self.data.level_markers)))
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
                 or self.forms.debris_reason(name) in MIXED_COLUMNS)
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
        return squash_spaces(fold(text)).strip(" ,") in self.continuation_keys

    def _ends_with_qualifier(self, text: str) -> bool:
        """Whether text ends with a word that names a parent next ("thuộc", "trực thuộc")."""
        folded = " " + " ".join(folded_words(text))
        return any(folded.endswith(" " + " ".join(folded_words(q))) for q in self.data.continuation_qualifiers)

    def _starts_with_level(self, text: str) -> bool:
        """Whether text starts with a level word or marker ("tỉnh", "cấp xã"): the end of a name."""
        first = fold(text.split()[0]).lower().strip(EDGE_PUNCT) if text.split() else ""
        return first in self.level_keys or first in {fold(m).lower() for m in self.data.level_markers}

    def _only_kind_words(self, text: str) -> bool:
        """Whether text is nothing but a unit kind's words ("Sở", "Văn phòng")."""
        found = self.forms.kind_rule(text)
        return found is not None and found[1] == len(folded_words(text))

    def _starts_with_place(self, text: str) -> bool:
        """Whether text starts with 2-4 capitalised words that are a place of the national list."""
        printed = text.split()[:4]
        run = []
        for w in printed:
            if not (w[:1].isupper() and w.isalpha()):
                break
            run.append(w)
        return any(tuple(fold(w) for w in run[:k]) in self.forms.places for k in range(len(run), 1, -1))

    def _trailing_fragment(self, name: str, level: Optional[str]) -> Optional[tuple[list[str], str]]:
        """Given an unknown print, return (the known units it is, its last one or two
        lower-case words: a fragment of another cell), else None."""
        words = clean_name(name).split()
        for k in (1, 2):
            if len(words) <= k or not all(w[:1].islower() for w in words[-k:]):
                continue
            markers = {fold(m) for m in self.data.level_markers}
            if any(fold(w) in self.level_keys or fold(w) in markers for w in words[-k:]):
                continue  # a level word or marker ends a name ("UBND cấp xã", "Đoàn ... tỉnh")
            head = " ".join(words[:-k])
            # a fragment after names printed one after another: lower-case words end a single
            # name too often to be cut off it ("Các doanh nghiệp viễn thông")
            parts = self._cut(head, level)
            if len(parts) > 1 and all(self.is_known(p, level) for p in parts):
                return parts, " ".join(words[-k:])
        return None
