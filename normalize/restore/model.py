"""Restorer: loads the model artifact and restores a text token by token (Viterbi decoding)."""
from __future__ import annotations

import gc
import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from ...schema import TokenEdit

from .compiled import load_model
from .channel import GENERIC_LETTERS, Channel, aligned_chars
from .decode import ID_BITS, bigrams_to_kept, lattice_to_bigrams, lattice_to_scores, pairs_to_bonus, segments_to_best
from .lm import BOUNDARY, OOV_LOGP, SENTENCE_ENDS, LanguageModel, core_to_lm_token
from .numerals import lines_to_numeral_fixes
from .text import GLUE_MARK_CHARS, OCR_LETTER_SYMBOLS, PATTERNS, canonical_tone, marks_distance, raw_tone_signature, word_to_tone, core_kind, fold, has_vietnamese_marks, text_to_lines, token_to_parts, transfer_case

MAX_LATTICE_TOKENS = 50_000  # a longer text is decoded in groups of sentences (memory)
# A join reading is two syllables (at most 7 letters each) with some OCR debris; the search
# costs the cube of the length, so a longer run of letters (OCR noise) is not tried.
MAX_JOIN_LEN = 20
# old OCR prints digits for letters ('Ty 18' for tỷ lệ, '16 trình' for lộ trình): a number of
# at most this many digits between two words may be read as a syllable (raw regime)
MAX_DIGIT_WORD = 3
DIGIT_TRAILS = (",", ";", ":", ".")  # ... the number may end a clause ('chế 46, biểu': độ,)
FAR_MIN_LEN, FAR_MAX_LEN = 3, 8  # the words two-edit readings are tried for
GLUE_MARKS = frozenset(GLUE_MARK_CHARS)  # a token without one of them is not glued
GLUE_STRIP = "-'’,;:.|()[]\"“”‘!?…/"  # ... nor one with marks only at its ends (trailing comma)
BUNDLED_MODEL = Path(__file__).resolve().parent.parent / "data" / "restore_model.json.gz"

# parameters applied after the candidate search: the shipped candidate lists hold for any value
AFTER_SEARCH = ("stripped_ascii", "stripped_spelled", "stripped_change", "name_weight")


def _search_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if k not in AFTER_SEARCH}


DEFAULT_PARAMS = {
    "channel_weight": 1.0,     # weight of channel cost against LM log-probability
    "direct_weight": 1.0,      # weight of the whole-word (raw -> gold) evidence
    "unknown_identity": 9.0,   # cost of keeping a raw word that is no known syllable
    "known_identity": 1.5,     # cost of keeping a known syllable (raw regime)
    "clean_change": 8.0,       # clean regime: cost of changing a known, marked syllable
    "clean_tone": 6.5,         # clean regime: cost of changing only its diacritics
    "clean_threshold": 0.45,   # share of marked known syllables above which text is clean
    # stripped regime: text whose words are all plain ASCII spellings of syllables lost its
    # marks but not its letters (typed without a Vietnamese keyboard, marks stripped by a
    # tool): changing a letter costs this much more than choosing marks. Corpus and unseen
    # old OCR: 80-91% ASCII words, 83-92% of them syllable spellings; stripped text 100/99.8%
    "stripped_ascii": 0.98,
    "stripped_spelled": 0.97,
    "stripped_change": 6.0,
    "clean_unknown_bonus": -8.0,  # clean regime: an unmarked unknown word (GRDP, email) stays
    "clean_unknown_marked": 2.0,  # clean regime: an unknown marked word is likely a misread
    "clean_unknown_plain": -8.0,  # clean regime: an unknown lower-case unmarked word
    "vie_max_cost": 9.0,       # clean regime, unknown word: the vie channel's search bound
    "vie_unknown": -0.5,       # ... base cost of reading it as a known syllable
    "vie_mark_weight": 1.0,    # ... per diacritic the reading does not share with it
    "vie_known_change": 3.0,   # ... a known word read as another skeleton by the vie channel
    "vie_eng_extra": 0.5,      # ... extra cost of an old-OCR rewrite (the vie channel has few)
    "slip_bias": 1.0,          # clean regime: base cost of any learned tone/hat slip
    "mark_weight": 0.5,        # weight of what the raw word's marked characters say (mark_costs)
    "tone_weight": 0.5,        # weight of the tone hint the raw word keeps ('vé' -> về)
    "split_above": 3.0,        # raw regime: an unknown word whose best single reading costs more
    "split_cost": 2.0,         # ... may be two syllables run together, at this extra cost
    "split_part_max": 5.0,     # ... each read cheaply enough (noise inside one word is no join)
    "caps_identity": -2.0,     # raw regime: a word in capitals (X, PV, HCC) tends to stay
    "unknown_caps_identity": -4.0,  # ... more so an unknown one
    "digit_word": 3.0,         # raw regime: extra cost of reading a number between words as a syllable
    "far_base": 4.0,           # raw regime, an unknown word no learned rewrite reads: a syllable
    "far_edit": 2.5,           # ... at most two edits away costs far_base + far_edit per edit
    "max_candidates": 10,
    "clean_max_candidates": 4,  # clean regime: few words change, so fewer alternatives
    "beam": 15.0,
    "cache_weight": 1.0,       # weight of the document's own first-pass bigrams (2nd pass)
    # two neighbouring words printed with capitals (Sơn La, CHỢ ĐỒN) are likely a name: a
    # pair of readings that is a pair of the national list of place names earns this much
    "name_weight": 2.0,
    "trigram_candidates": 4,   # candidates per token the bigram pass keeps for the trigram pass
    "bigram_margin": 12.0,     # ... only those whose best bigram path is this close to the best
}


@dataclass
class RestoreResult:
    """Restored text and the token edits that made it from the input."""

    text: str
    edits: list[TokenEdit] = field(default_factory=list)


class Restorer:
    """Noisy-channel restorer: channel (rewrites + word pairs) x syllable trigram LM."""

    def __init__(self, model: dict, lm: LanguageModel | None = None):
        """Given a model (and its language model already built: then the model's "lm"
        tables may be left out), make the restorer."""
        self._model = model
        self.params = {**DEFAULT_PARAMS, **model.get("params", {})}
        self.vocab: set[str] = set(model["vocab"])
        by_key: dict[str, list[str]] = {}
        for w in model["vocab"]:
            by_key.setdefault(fold(w), []).append(w)
        self.by_key = by_key
        self.channel = Channel(model["rewrites"], set(by_key))
        # tesseract `vie` misreads ('rig' for ng, 'ii' for n): the clean regime's unknown words
        self.vie_channel = Channel(model.get("vie_rewrites") or model["rewrites"], set(by_key))
        self.direct: dict[str, dict[str, float]] = model["direct"]
        self.code_fixes: dict[str, str] = model["code_fixes"]
        self.tone_evidence: dict[str, dict[str, float]] = model.get("tone_evidence", {})
        self.abbreviations: set[str] = set(model.get("abbreviations", []))
        self.vie_chars: dict[str, dict[str, float]] = model.get("vie_chars", {})
        self.mark_costs: dict[str, dict[str, float]] = model.get("mark_costs", {})
        self.lm = lm if lm is not None else LanguageModel(model["lm"])
        # pairs of syllables of place names (model["name_pairs"]: "a b"), as LM id pair keys
        ids = self.lm.ids
        self.name_keys = np.array(sorted({(ids[a] << ID_BITS) | ids[b] for a, b in
                                          (p.split(" ") for p in model.get("name_pairs", []))
                                          if a in ids and b in ids}), dtype=np.int64)
        # candidate lists precomputed at training for frequent raw words (valid for the
        # parameters they were made with)
        table = model.get("candidate_table") or {}
        same = _search_params(table.get("params") or {}) == _search_params(self.params)
        self.cand_table: dict[str, list] = table.get("lists", {}) if same else {}
        self._cands = lru_cache(maxsize=100_000)(self._candidates)
        self._deletions: dict[str, set[str]] | None = None  # _far_keys' index, built on first use
        self._row_cached = lru_cache(maxsize=100_000)(self._row)
        self._part = lru_cache(maxsize=100_000)(self._part_readings)
        self._parts = lru_cache(maxsize=200_000)(self._token_parts)
        self._plan = lru_cache(maxsize=200_000)(self._token_plan)
        self._glued_cached = lru_cache(maxsize=100_000)(self._glued)
        self._output = lru_cache(maxsize=200_000)(self._token_output)
        # per instance (a cache on the method would keep every Restorer alive)
        self.segment_to_fixed = lru_cache(maxsize=10_000)(self._segment_to_fixed)
        self.source: str | None = None  # the file it was loaded from, for pickling

    def clear_caches(self) -> None:
        """Forget the per-word candidate lists (to time a cold start)."""
        for cache in (self._cands, self._glued_cached, self._row_cached, self._part, self._parts, self._plan, self._output,
                      self.segment_to_fixed):
            cache.cache_clear()
        self.channel.clear_caches()

    def __reduce__(self):
        """Pickle a loaded Restorer as its path (workers reload it; the tables stay home)."""
        if self.source:
            return (_load_cached, (self.source,))
        return (Restorer, (self._model, self.lm))

    # ---- persistence -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Restorer":
        """Given a model path (None: the bundled model), return a Restorer (cached)."""
        return _load_cached(str(Path(path).resolve()) if path else str(BUNDLED_MODEL))

    @staticmethod
    def save(model: dict, path: str | Path) -> None:
        """Given a model dict, write it as gzipped JSON (byte-identical for identical models)."""
        data = json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
            f.write(data)

    # ---- candidates --------------------------------------------------------------------
    def _candidates(self, low: str, clean: bool, raw_is_caps: bool = False,
                    split: bool = True) -> tuple[tuple[str, float], ...]:
        """Given a lower-case raw word, the regime and whether the raw word is in capitals
        (and whether it may be read as two syllables OCR ran together), return
        (syllable, channel cost) pairs."""
        if not clean:
            listed = self.cand_table.get(low.upper() if raw_is_caps else low)
            if listed is not None:
                return tuple((w, c) for w, c in listed)
        p = self.params
        low = canonical_tone(low)
        known = low in self.vocab
        cands: dict[str, float] = {}
        if clean:
            # correct text or tesseract `vie`: keeping a word is the norm; a known syllable
            # or an unmarked unknown word (abbreviation, foreign word) stays unless the LM
            # strongly prefers a tone change; unknown marked words are likely misreads.
            marked = has_vietnamese_marks(low)
            # a word with letters no Vietnamese or English word has, or OCR's stand-ins for
            # letters (theø, €ơ), is a misread
            odd = not low.isascii() and any(c.isalpha() for c in low) and any(
                (c.isalpha() and fold(c) not in GENERIC_LETTERS + "fjwz") or c in OCR_LETTER_SYMBOLS for c in low)
            misread = low.isalpha() or odd
            if known:
                cands[low] = 0.0
            elif odd and not raw_is_caps:
                cands[low] = p["clean_unknown_marked"]
            elif not low.isalpha() or (not marked and raw_is_caps):
                cands[low] = p["clean_unknown_bonus"]
            elif not marked:
                # an unknown lower-case word: a foreign word, or a misread ('trorig' for trong)
                cands[low] = p["clean_unknown_plain"]
            else:
                cands[low] = p["clean_unknown_marked"]
            for key, kc in self.channel.word_to_keys(low, max_cost=6.0).items():
                for w in self.by_key[key]:
                    if w != low:
                        extra = (self._slip_cost(low, w) if key == fold(low)
                                 else p["clean_change"] + kc)
                        if not known:
                            extra = min(extra, 1.5 + kc)
                        cands[w] = min(cands.get(w, 1e9), extra)
            if not known and misread and len(low) > 1 and not raw_is_caps:
                # an unknown word in clean text: what OCR misreads (tesseract `vie`'s, else
                # old OCR's) would make of a syllable; the marks it kept still count
                # (tổnig -> tổng before tông)
                keys = self.vie_channel.word_to_keys(fold(low), max_cost=p["vie_max_cost"])
                for key, kc in self.channel.word_to_keys(fold(low), max_cost=p["vie_max_cost"]).items():
                    keys[key] = min(keys.get(key, 1e9), kc + p["vie_eng_extra"])
                for key, kc in keys.items():
                    for w in self.by_key[key]:
                        extra = p["vie_unknown"] + kc + p["vie_mark_weight"] * marks_distance(low, w)
                        cands[w] = min(cands.get(w, 1e9), extra)
            elif known and low.isalpha():
                # a known syllable may still be a vie misread of another (tường for lường,
                # cự for dự): the vie channel's learned rewrites only, at a price
                for key, kc in self.vie_channel.word_to_keys(fold(low), max_cost=6.0, one_edit=False).items():
                    for w in self.by_key[key]:
                        if key != fold(low):
                            extra = p["vie_known_change"] + kc + p["vie_mark_weight"] * marks_distance(low, w)
                            cands[w] = min(cands.get(w, 1e9), extra)
        else:
            cands[low] = p["known_identity"] if known else p["unknown_identity"]
            for key, kc in self.channel.word_to_keys(low).items():
                for w in self.by_key[key]:
                    c = p["channel_weight"] * kc
                    if c < cands.get(w, 1e9):
                        cands[w] = c
            for w, dc in self.direct.get(low, {}).items():
                c = p["direct_weight"] * dc
                if c < cands.get(w, 1e9):
                    cands[w] = c
            if self.mark_costs and not (low.isascii() and low.isalpha()):
                mw = p["mark_weight"]
                cands = {w: c + mw * self._mark_cost(low, w) for w, c in cands.items()}
            evidence = self.tone_evidence.get(raw_tone_signature(low))
            if evidence:
                tw = p["tone_weight"]
                cands = {w: c + tw * evidence.get(word_to_tone(w), 0.0) for w, c in cands.items()}
        if (not clean and not known and not raw_is_caps and len(cands) == 1 and p["far_edit"] > 0
                and FAR_MIN_LEN <= len(low) <= FAR_MAX_LEN and sum(c.isalpha() for c in low) >= 2):
            # no rewrite training taught reaches a syllable (thivc, hudng, ngw0i): the
            # syllables two edits of the folded word away, dear enough that the LM must want them
            for key, d in self._far_keys(fold(low)):
                for w in self.by_key[key]:
                    c = p["far_base"] + p["far_edit"] * d + p["mark_weight"] * self._mark_cost(low, w)
                    if c < cands.get(w, 1e9):
                        cands[w] = c
        if split and not clean and not known and 5 <= len(low) <= MAX_JOIN_LEN:
            # no cheap single reading: maybe two syllables run together (xahoi: xãhội)
            if min((c for w, c in cands.items() if w != low), default=1e9) > p["split_above"]:
                for w, c in self._split_readings(low).items():
                    cands[w] = min(cands.get(w, 1e9), c)
        if not clean and low.isascii() and raw_is_caps:
            # capitals OCR kept as capitals are mostly abbreviations or list marks (PV, HCC, X, 1A);
            # an unknown one also pays the LM's out-of-vocabulary cost, so gets more back
            bonus = p["caps_identity"] + (0.0 if known else p["unknown_caps_identity"])
            cands[low] = min(cands[low], bonus)
        p1 = self.lm.p1
        ranked = sorted((c - p1.get(w, OOV_LOGP), w, c) for w, c in cands.items())
        cut = ranked[0][0] + p["beam"]
        kept = [(w, c) for s, w, c in ranked if s <= cut]
        kept = kept[: int(p["clean_max_candidates"] if clean else p["max_candidates"])]
        if all(w != low for w, _ in kept):  # the raw word itself is always a candidate
            kept.append((low, cands[low]))
        return tuple(kept)

    def _far_keys(self, raw: str) -> list[tuple[str, int]]:
        """Given a folded raw word, return the syllable keys at most two edits away (letter
        changed, added or dropped), with their edit distance: a deletion index (every key
        with up to two letters dropped, built on first use) then an exact distance check."""
        if self._deletions is None:
            index: dict[str, set[str]] = {}
            for key in self.by_key:
                for v in _deletions(key):
                    index.setdefault(v, set()).add(key)
            self._deletions = index
        found: set[str] = set()
        for v in _deletions(raw):
            found |= self._deletions.get(v, set())
        out = []
        for key in sorted(found):
            d = Levenshtein.distance(raw, key, score_cutoff=2)
            if d <= 2:
                out.append((key, d))
        return out

    def _split_readings(self, low: str) -> dict[str, float]:
        """Given an old-OCR word, return readings as two syllables written together, with
        costs that also carry what the LM says of the pair (the decoder sees the joined
        word as one unknown token)."""
        p, lm = self.params, self.lm
        unknown = lm.unknown_logp  # what the decoder's LM gives the joined word
        pairs: list[tuple[str, str, float]] = []
        for i in range(2, len(low) - 1):
            left, right = self._part(low[:i]), self._part(low[i:])
            pairs += [(w1, w2, c1 + c2) for w1, c1 in left for w2, c2 in right
                      if max(c1, c2) <= p["split_part_max"]]
        out: dict[str, float] = {}
        # an output token must be a syllable, a known word, a number or what was printed:
        # a join is written only for a pair the LM has seen as two words (xã hội), never
        # for two syllables that merely fit the letters (chire: chủ rễ)
        pairs = [t for t, known in zip(pairs, lm.pairs_known([(w1, w2) for w1, w2, _ in pairs])) if known]
        logps = lm.pairs_logp([(w1, w2) for w1, w2, _ in pairs])
        for (w1, w2, c), lp in zip(pairs, logps):
            cost = c + p["split_cost"] - (lm.unigram(w1) + lp - unknown)
            if cost < out.get(w1 + w2, 1e9):
                out[w1 + w2] = cost
        return out

    def _part_readings(self, part: str) -> list[tuple[str, float]]:
        """Given a piece of an old-OCR word, return its three cheapest known syllables by
        learned rewrites and seen word pairs (no unseen edits: a join needs clean parts)."""
        p = self.params
        cands: dict[str, float] = {}
        for key, kc in self.channel.word_to_keys(part, one_edit=False).items():
            for w in self.by_key[key]:
                cands[w] = min(cands.get(w, 1e9), p["channel_weight"] * kc)
        for w, dc in self.direct.get(part, {}).items():
            if w in self.vocab:
                cands[w] = min(cands.get(w, 1e9), p["direct_weight"] * dc)
        p1 = self.lm.p1
        return [(w, c) for _, w, c in sorted((c - p1.get(w, OOV_LOGP), w, c) for w, c in cands.items())[:3]]

    def _mark_cost(self, raw: str, word: str) -> float:
        """Given a raw word and a candidate, return the learned cost of the marks: what its
        marked characters ('é', '6') say about the candidate's diacritics."""
        table = self.mark_costs
        return sum(table[a].get(b, 0.0) for a, b in aligned_chars(raw, word) if a in table)

    def _slip_cost(self, raw: str, word: str) -> float:
        """Given a raw syllable and a same-skeleton candidate, return the clean-regime cost
        of reading `word` as `raw`: learned tone/hat slips, capped at `clean_tone`."""
        cap = self.params["clean_tone"]
        if len(raw) != len(word):
            return cap
        cost = self.params["slip_bias"]
        for a, b in zip(raw, word):
            if a != b:
                cost += self.vie_chars.get(a, {}).get(b, cap)
        return min(cost, cap)

    def _is_clean(self, cores: list[str]) -> bool:
        """Given the word cores of a text, return whether it reads as correct Vietnamese."""
        words = [c.lower() for c in cores if len(c) > 1]
        if not words:
            return True
        good = sum(1 for w in words if w in self.vocab and has_vietnamese_marks(w))
        return good / len(words) >= self.params["clean_threshold"]

    def _is_stripped(self, cores: list[str]) -> bool:
        """Given the word cores of a text that is not clean, return whether it reads as
        Vietnamese with only its marks taken away (letters intact)."""
        words = [c.lower() for c in cores if len(c) > 1 and c.isalpha()]
        plain = [w for w in words if w.isascii()]
        if not words or not plain:
            return False
        spelled = sum(1 for w in plain if w in self.by_key)
        return (len(plain) / len(words) >= self.params["stripped_ascii"]
                and spelled / len(plain) >= self.params["stripped_spelled"])

    def _letters_kept(self, cands: tuple[tuple[str, float], ...], low: str) -> tuple[tuple[str, float], ...]:
        """Given a stripped text's candidates for a word spelled ``low``, return them with
        every reading that changes a letter (not only marks) made dearer, cheapest first."""
        extra = self.params["stripped_change"]
        priced = [(w, c if fold(w) == low else c + extra) for w, c in cands]
        return tuple(sorted(priced, key=lambda wc: wc[1]))

    # ---- decoding ----------------------------------------------------------------------
    def _row(self, cands: tuple[tuple[str, float], ...], width: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """Given a candidate list and the lattice width, return (ids, costs) padded to width."""
        known, to_id = self.lm.ids, self.lm.word_to_id
        cands = cands[:width]
        pad = width - len(cands)
        ids = [known[w] if w in known else to_id(w) for w, _ in cands]
        return tuple(ids) + (-1,) * pad, tuple([c for _, c in cands]) + (0.0,) * pad

    def _decode(self, segments: list[list[tuple[tuple[str, float], ...]]], width: int, two_pass: bool,
                caps: list[list[bool]] | None = None) -> list[list[str]]:
        """Given segments of per-token candidate lists (and per token whether it is printed
        with a capital), return the best syllable per token.

        Exact trigram Viterbi over the lattice (decode.py). With two_pass, the document's
        own repeated first-pass bigrams then earn a cache bonus and the lattice is decoded
        again, so a plan's recurring phrases are read consistently.
        """
        boundary = (self.lm.ids[BOUNDARY],) + (-1,) * (width - 1), (0.0,) * width
        rows, starts = [], []
        for seg in segments:
            starts.append(len(rows))
            rows += [boundary, boundary]
            rows += [self._row_cached(cands, width) for cands in seg]
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        cost = np.array([r[1] for r in rows], dtype=np.float32)
        starts_a = np.array(starts, dtype=np.int64)
        ends = np.append(starts_a[1:], len(rows))
        first = np.zeros(len(rows), dtype=bool)
        first[starts_a] = True
        flags = np.zeros(len(rows), dtype=bool)
        if caps is not None:
            for start, seg_caps in zip(starts, caps):
                flags[start + 2:start + 2 + len(seg_caps)] = seg_caps
        name_w = float(self.params["name_weight"])
        lm = self.lm
        keep = int(self.params["trigram_candidates"])
        low, found2, ctx = lattice_to_bigrams(ids, cost, first, lm.p1_by_id, lm.a1_by_id, lm.bigrams,
                                                lm.contexts, lm.boundary_alpha, OOV_LOGP, lm.oov_alpha,
                                                contexts_too=keep >= width)
        slots = None
        if keep < width:  # a bigram pass keeps the likely candidates for the trigram pass
            names = pairs_to_bonus(ids, flags, self.name_keys, name_w)
            slots = bigrams_to_kept(low if names is None else low + names, starts_a, ends, keep,
                                    self.params["bigram_margin"])
            ids = np.where(slots >= 0, np.take_along_axis(ids, np.maximum(slots, 0), axis=1), -1)
            cost = np.take_along_axis(cost, np.maximum(slots, 0), axis=1)
            low, found2, ctx = lattice_to_bigrams(ids, cost, first, lm.p1_by_id, lm.a1_by_id, lm.bigrams,
                                                lm.contexts, lm.boundary_alpha, OOV_LOGP, lm.oov_alpha)
        scores = lattice_to_scores(ids, cost, first, low, found2, ctx, lm.trigrams)
        names = pairs_to_bonus(ids, flags, self.name_keys, name_w)
        if names is not None:
            scores += names[:, None, :, :]
        best = segments_to_best(scores, starts_a, ends)
        if two_pass:
            scores += self._cache_bonus(ids, best, first)[:, None, :, :]
            best = segments_to_best(scores, starts_a, ends)
        if slots is not None:
            best = slots[np.arange(len(best)), best]
        out = []
        for seg, start in zip(segments, starts):
            out.append([seg[j][best[start + 2 + j]][0] for j in range(len(seg))])
        return out

    def _cache_bonus(self, ids: np.ndarray, best: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Given the lattice, a first-pass best slot per position and segment starts, return
        N x K x K bonuses for the slot pairs (b at i-1, c at i) that form a bigram the first
        pass chose at least twice: cache_weight * log(times)."""
        n, k = ids.shape
        chosen = ids[np.arange(n), best]
        real = ~first & ~np.roll(first, 1)
        key = (np.roll(chosen, 1) << ID_BITS) | chosen
        keys, counts = np.unique(key[real], return_counts=True)
        keys, counts = keys[counts >= 2], counts[counts >= 2]
        bonus = np.zeros((n, k, k), dtype=np.float32)
        if not len(keys):
            return bonus
        prev = np.roll(ids, 1, axis=0)
        pair = (prev[:, :, None] << ID_BITS) | ids[:, None, :]
        ok = real[:, None, None] & (prev[:, :, None] >= 0) & (ids[:, None, :] >= 0)
        at = np.searchsorted(keys, pair[ok])
        at = np.minimum(at, len(keys) - 1)
        hit = keys[at] == pair[ok]
        vals = np.where(hit, self.params["cache_weight"] * np.log(counts[at]), 0.0)
        bonus[ok] = vals
        return bonus

    def _token_parts(self, tok: str) -> tuple[str, str, str, str]:
        """Given a whitespace token, return (lead, core, trail, kind of core)."""
        lead, core, trail = token_to_parts(tok)
        return lead, core, trail, core_kind(core)

    def _token_plan(self, tok: str, clean: bool) -> tuple[tuple[tuple[str, float], ...] | None, str | None, bool]:
        """Given a token and the regime, return (its candidates, or None when the LM does not
        see it; the token with a certain code fix, or None; whether it ends a sentence)."""
        lead, core, trail, kind = self._parts(tok)
        cands, fixed = None, None
        if kind == "word" and not clean and core.isupper() and core.isascii() and len(core) > 2:
            fix = self.code_to_fixed(core)
            if fix != core and fold(fix) not in self.by_key:  # an abbreviation with Đ read as D/P/B (HDND -> HĐND)
                return (("<code>", 0.0),), lead + fix + trail, trail[-1:] in SENTENCE_ENDS
        if kind == "word" and PATTERNS["roman"].match(core):
            cands = ((canonical_tone(core.lower()), 0.0),)  # kept; the LM still sees it
        elif kind == "word":
            # clean regime: any capital (GRDP, VNeID, Zalo) marks a name or abbreviation
            cands = self._cands(core.lower(), clean, not core.islower() if clean else core.isupper())
        elif kind in ("number", "code"):
            cands = ((core_to_lm_token(core), 0.0),)
            if kind == "code":
                fix = self.code_to_fixed(core)
                fixed = lead + fix + trail if fix != core else None
        return cands, fixed, trail[-1:] in SENTENCE_ENDS

    def _glued(self, tok: str) -> tuple[str, ...] | None:
        """Given a token of the old-OCR regime, return how to read a word core with a mark
        between its letters (ngu:ol, liéu'ciia, dién-tinh): ("one", token without the
        marks) when the letters read cheaply as one syllable (the mark is OCR noise), else
        ("parts", part, mark, part, ...) when every part reads as a syllable (two words OCR
        glued with a mark, or a hyphenated pair: tế-xã), else None (read as before)."""
        lead, core, trail, kind = self._parts(tok)
        if kind != "word" or not PATTERNS["glued"].match(core):
            return None
        pieces = PATTERNS["glue_mark"].split(core)
        words = pieces[0::2]
        joined = "".join(words)
        caps = joined.isupper()
        p = self.params

        def best(word: str) -> float:
            low = word.lower()
            return min((c for w, c in self._cands(low, False, caps) if w != low and w in self.vocab), default=1e9)

        if len(joined) <= 7 and best(joined) <= p["split_above"]:
            return ("one", lead + joined + trail)
        if all(len(w) >= 2 and (w.lower() in self.vocab or best(w) <= p["split_part_max"]) for w in words):
            return ("parts", lead + pieces[0], *pieces[1:-1], pieces[-1] + trail)
        return None

    def _digit_word_positions(self, tokens: list[tuple[int, int, str]]) -> set[int]:
        """Given the (line, piece, token) list, return the indexes of short bare numbers
        after a word (no punctuation between them) and before a word, number or code ('Thông
        tư 86 21/2023/TT-BTTTT': số), perhaps ending a clause ('chế 46, biểu': độ,): old
        OCR's digits for letters, which the LM may read as syllables."""
        parts = self._parts
        out = set()
        for n in range(1, len(tokens) - 1):
            lead, core, trail, kind = parts(tokens[n][2])
            if (kind != "number" or lead or (trail and trail not in DIGIT_TRAILS) or len(core) > MAX_DIGIT_WORD
                    or not core.isdigit()):
                continue
            before, after = parts(tokens[n - 1][2]), parts(tokens[n + 1][2])
            if before[3] == "word" and not before[2] and after[3] in ("word", "number", "code") and not after[0]:
                out.add(n)
        return out

    def _digit_readings(self, tok: str) -> tuple[tuple[str, float], ...]:
        """Given a bare number (a token's core), return it kept (<num>) and its syllable readings."""
        extra = self.params["digit_word"]
        words = [(w, c + extra) for w, c in self._cands(tok, False, False, False) if w.isalpha() and w in self.vocab]
        return (("<num>", 0.0), *words[: int(self.params["max_candidates"]) - 1])

    def _token_output(self, tok: str, word: str) -> str | None:
        """Given a token and the syllable chosen for it, return the new token (None: unchanged)."""
        lead, core, trail, _ = self._parts(tok)
        if word == canonical_tone(core.lower()) or word in ("<num>", "<code>"):
            return None
        return lead + transfer_case(core, word) + trail

    def restore_text(self, text: str) -> RestoreResult:
        """Given a text, return it restored, one output token per input token, with the edits."""
        # restoring allocates many small objects and makes no reference cycles: a garbage
        # collection in the middle (a full one walks every object) is wasted time
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._restore_text(text)
        finally:
            if collecting:
                gc.enable()

    def _restore_text(self, text: str) -> RestoreResult:
        lines = text_to_lines(text)
        parts = self._parts
        tokens = [(li, pi, pieces[pi]) for li, pieces in enumerate(lines)
                  for pi in range(0, len(pieces), 2) if pieces[pi]]
        cores = [p[1] for p in map(parts, (t for _, _, t in tokens)) if p[3] == "word"]
        clean = self._is_clean(cores)
        stripped = not clean and self._is_stripped(cores)
        # segments: runs of LM tokens separated by blank lines and sentence ends
        outputs: dict[tuple[int, int], str] = {}
        segments: list[list[tuple[int, int, str]]] = [[]]
        cand_lists: list[list[tuple]] = [[]]
        last_line = -1
        plan = self._plan
        digit_words = set() if clean else self._digit_word_positions(tokens)
        glued_parts: dict[tuple[int, int], list[str]] = {}  # token -> its parts and marks
        numerals = {} if clean else lines_to_numeral_fixes(lines)  # 'Il.' opening a heading: III.
        outputs.update(numerals)
        for n, (li, pi, tok) in enumerate(tokens):
            tok = numerals.get((li, pi), tok)
            if li > last_line + 1 and segments[-1]:
                segments.append([]); cand_lists.append([])  # a blank line separates paragraphs
            last_line = li
            glued = None if clean or not GLUE_MARKS.intersection(tok.strip(GLUE_STRIP)) else self._glued_cached(tok)
            if glued and glued[0] == "parts":
                # two words glued by a mark: each part is a token of the lattice
                glued_parts[(li, pi)] = list(glued[1:])
                for j in range(1, len(glued), 2):
                    cands, _, ends = plan(glued[j], clean)
                    if cands is not None:
                        segments[-1].append((li, pi, glued[j], j - 1))
                        cand_lists[-1].append(self._letters_kept(cands, parts(glued[j])[1].lower())
                                              if stripped and parts(glued[j])[1].lower() in self.by_key else cands)
                if ends and segments[-1]:
                    segments.append([]); cand_lists.append([])
                continue
            read = glued[1] if glued else tok  # a mark inside one word: read without it
            cands, fixed, ends = plan(read, clean)
            if n in digit_words:
                cands = self._digit_readings(parts(tok)[1])
            elif stripped and cands is not None:
                low = parts(read)[1].lower()
                if low.isascii() and low in self.by_key:
                    cands = self._letters_kept(cands, low)
            if fixed is not None:
                outputs[(li, pi)] = fixed
            if cands is not None:
                segments[-1].append((li, pi, read, -1))
                cand_lists[-1].append(cands)
            if ends and segments[-1]:
                segments.append([]); cand_lists.append([])
        if not segments[-1]:
            segments.pop(); cand_lists.pop()
        width = int(self.params["clean_max_candidates"] if clean else self.params["max_candidates"]) + 1
        two_pass = not clean and self.params["cache_weight"] > 0
        # a word printed with a capital (its first letter): names are pairs of them
        caps = [[parts(t)[1][:1].isupper() for _, _, t, _ in seg] for seg in segments]
        bests = []
        at = 0
        for group in _segment_groups(cand_lists, MAX_LATTICE_TOKENS):  # bounded memory
            bests += self._decode(group, width, two_pass, caps[at:at + len(group)])
            at += len(group)
        output = self._output
        for seg, best in zip(segments, bests):
            for (li, pi, tok, j), w in zip(seg, best):
                new = output(tok, w)
                if j >= 0:
                    glued_parts[(li, pi)][j] = new if new is not None else tok
                elif new is not None:
                    outputs[(li, pi)] = new
        for key, pieces in glued_parts.items():
            outputs[key] = "".join(pieces)
        edits: list[TokenEdit] = []
        for (li, pi), new in sorted(outputs.items()):
            raw = lines[li][pi]
            if new != raw:
                index = pi // 2 - (1 if lines[li][0] == "" else 0)
                edits.append(TokenEdit(line=li, index=index, raw=raw, text=new))
                lines[li][pi] = new
        return RestoreResult(text="\n".join("".join(p) for p in lines), edits=edits)

    def code_to_fixed(self, code: str) -> str:
        """Given a document code, return it with its letter segments fixed where certain."""
        return PATTERNS["code_segment"].sub(lambda m: self.segment_to_fixed(m.group(0)), code)

    def _segment_to_fixed(self, seg: str) -> str:
        """Given a capital letter segment (QD, HDND, BCDTW), return it fixed where certain.

        A fix learned from pairs wins; otherwise, if the segment is no known abbreviation
        and exactly one way of reading its D/P/B as Đ (old OCR's confusions) is, take it.
        """
        if seg in self.code_fixes:
            return self.code_fixes[seg]
        if not seg.isupper() or seg in self.abbreviations or len(seg) < 2:
            return seg
        spots = [i for i, c in enumerate(seg) if c in "DPB"]
        if not spots or len(spots) > 3:
            return seg
        found = set()
        for mask in range(1, 1 << len(spots)):
            chars = list(seg)
            for k, i in enumerate(spots):
                if mask >> k & 1:
                    chars[i] = "Đ"
            cand = "".join(chars)
            if cand in self.abbreviations:
                found.add(cand)
        return found.pop() if len(found) == 1 else seg


def _deletions(word: str) -> set[str]:
    """Given a word, return it and every string made by dropping one or two of its letters."""
    one = {word[:i] + word[i + 1:] for i in range(len(word))}
    return {word} | one | {w[:i] + w[i + 1:] for w in one for i in range(len(w))}


def _segment_groups(segments: list[list], limit: int) -> list[list[list]]:
    """Given segments, return them in consecutive groups of at most `limit` tokens (a
    longer segment makes a group of its own)."""
    groups: list[list[list]] = []
    size = limit
    for seg in segments:
        if size + len(seg) > limit:
            groups.append([])
            size = 0
        groups[-1].append(seg)
        size += len(seg)
    return groups


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Restorer:
    restorer = Restorer(*load_model(path))  # the language model compiled once, then cached
    restorer.source = path
    return restorer
