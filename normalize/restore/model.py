"""Restorer: loads the model artifact and restores a text token by token (Viterbi decoding)."""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from schema import TokenEdit

from .channel import Channel
from .lm import BOUNDARY, OOV_LOGP, LanguageModel, core_to_lm_token
from .text import PATTERNS, canonical_tone, raw_tone_signature, word_to_tone, core_kind, fold, has_vietnamese_marks, text_to_lines, token_to_parts, transfer_case

BUNDLED_MODEL = Path(__file__).resolve().parent.parent / "data" / "restore_model.json.gz"

DEFAULT_PARAMS = {
    "channel_weight": 1.0,     # weight of channel cost against LM log-probability
    "direct_weight": 1.0,      # weight of the whole-word (raw -> gold) evidence
    "unknown_identity": 9.0,   # cost of keeping a raw word that is no known syllable
    "known_identity": 1.5,     # cost of keeping a known syllable (raw regime)
    "clean_change": 8.0,       # clean regime: cost of changing a known, marked syllable
    "clean_tone": 6.5,         # clean regime: cost of changing only its diacritics
    "clean_threshold": 0.45,   # share of marked known syllables above which text is clean
    "clean_unknown_bonus": -8.0,  # clean regime: an unmarked unknown word (GRDP, email) stays
    "clean_unknown_marked": 2.0,  # clean regime: an unknown marked word is likely a misread
    "slip_bias": 1.0,          # clean regime: base cost of any learned tone/hat slip
    "tone_weight": 0.5,        # weight of the tone hint the raw word keeps ('vé' -> về)
    "caps_identity": -2.0,     # raw regime: a word in capitals (X, PV, HCC) tends to stay
    "unknown_caps_identity": -4.0,  # ... more so an unknown one
    "max_candidates": 14,
    "clean_max_candidates": 4,  # clean regime: few words change, so fewer alternatives
    "beam": 15.0,
    "cache_weight": 0.5,       # weight of the document's own first-pass bigrams (2nd pass)
    "first_pass_candidates": 6,  # the first pass only builds that cache: narrower
    "first_pass_states": 6,
    "max_states": 12,          # Viterbi states kept per position
    "state_beam": 12.0,        # ... and only those within this log-probability of the best
}


@dataclass
class RestoreResult:
    """Restored text and the token edits that made it from the input."""

    text: str
    edits: list[TokenEdit] = field(default_factory=list)


class Restorer:
    """Noisy-channel restorer: channel (rewrites + word pairs) x syllable trigram LM."""

    def __init__(self, model: dict):
        self._model = model
        self.params = {**DEFAULT_PARAMS, **model.get("params", {})}
        self.vocab: set[str] = set(model["vocab"])
        by_key: dict[str, list[str]] = {}
        for w in model["vocab"]:
            by_key.setdefault(fold(w), []).append(w)
        self.by_key = by_key
        self.channel = Channel(model["rewrites"], set(by_key))
        self.direct: dict[str, dict[str, float]] = model["direct"]
        self.code_fixes: dict[str, str] = model["code_fixes"]
        self.tone_evidence: dict[str, dict[str, float]] = model.get("tone_evidence", {})
        self.abbreviations: set[str] = set(model.get("abbreviations", []))
        self.vie_chars: dict[str, dict[str, float]] = model.get("vie_chars", {})
        self.lm = LanguageModel(model["lm"])
        self._cands = lru_cache(maxsize=100_000)(self._candidates)
        self.source: str | None = None  # the file it was loaded from, for pickling

    def __reduce__(self):
        """Pickle a loaded Restorer as its path (workers reload it; the tables stay home)."""
        if self.source:
            return (_load_cached, (self.source,))
        return (Restorer, (self._model,))

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
    def _candidates(self, low: str, clean: bool, raw_is_caps: bool = False) -> tuple[tuple[str, float], ...]:
        """Given a lower-case raw word, the regime and whether the raw word is in capitals,
        return (syllable, channel cost) pairs."""
        p = self.params
        low = canonical_tone(low)
        known = low in self.vocab
        cands: dict[str, float] = {}
        if clean:
            # correct text or tesseract `vie`: keeping a word is the norm; a known syllable
            # or an unmarked unknown word (abbreviation, foreign word) stays unless the LM
            # strongly prefers a tone change; unknown marked words are likely misreads.
            marked = has_vietnamese_marks(low)
            if known:
                cands[low] = 0.0
            elif not marked or not low.isalpha():
                cands[low] = p["clean_unknown_bonus"]
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
            evidence = self.tone_evidence.get(raw_tone_signature(low))
            if evidence:
                tw = p["tone_weight"]
                cands = {w: c + tw * evidence.get(word_to_tone(w), 0.0) for w, c in cands.items()}
        if not clean and low.isascii() and raw_is_caps:
            # capitals OCR kept as capitals are mostly abbreviations or list marks (PV, HCC, X, 1A);
            # an unknown one also pays the LM's out-of-vocabulary cost, so gets more back
            bonus = p["caps_identity"] + (0.0 if known else p["unknown_caps_identity"])
            cands[low] = min(cands[low], bonus)
        ranked = sorted(cands.items(), key=lambda kv: kv[1] - self.lm.unigram(kv[0]))
        best = ranked[0][1] - self.lm.unigram(ranked[0][0])
        kept = [kv for kv in ranked if kv[1] - self.lm.unigram(kv[0]) <= best + p["beam"]]
        kept = kept[: int(p["clean_max_candidates"] if clean else p["max_candidates"])]
        if all(w != low for w, _ in kept):  # the raw word itself is always a candidate
            kept.append((low, cands[low]))
        return tuple(kept)

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

    # ---- decoding ----------------------------------------------------------------------
    def _bests_to_cache(self, bests: list[list[str]]) -> dict[tuple[str, str], float]:
        """Given first-pass syllable sequences, return bonuses for their repeated bigrams."""
        counts: dict[tuple[str, str], int] = {}
        for best in bests:
            for v, w in zip([BOUNDARY] + best, best):
                counts[(v, w)] = counts.get((v, w), 0) + 1
        cw = self.params["cache_weight"]
        return {k: cw * math.log(n) for k, n in counts.items() if n >= 2}

    def _viterbi(self, cand_lists: list[tuple[tuple[str, float], ...]],
                 cache: dict[tuple[str, str], float] | None = None, states: int | None = None) -> list[str]:
        """Given per-position candidate lists, return the best syllable sequence (trigram).

        States are (previous, current) syllable pairs, pruned to the best `max_states`
        within `state_beam`; the backoff part of each score is computed once per
        (previous, candidate) pair, so a state costs one trigram lookup per candidate.
        """
        p1, p2, p3n = self.lm.p1, self.lm.p2, self.lm.p3_by_context
        bo1, bo2 = self.lm.backoff, 2 * self.lm.backoff
        max_states, state_beam = states or int(self.params["max_states"]), self.params["state_beam"]
        neg = -math.inf
        states: dict[tuple[str, str], float] = {(BOUNDARY, BOUNDARY): 0.0}
        backs: list[dict[tuple[str, str], tuple[str, str]]] = []
        for cands in cand_lists:
            new: dict[tuple[str, str], float] = {}
            back: dict[tuple[str, str], tuple[str, str]] = {}
            # per previous syllable v, aligned with cands: the state key, the bigram-or-lower
            # score, and the cache bonus; a state then costs one trigram lookup per candidate
            per_v: dict[str, tuple[list, list, list]] = {}
            for v in {v for _, v in states}:
                keys, lows, bonus = [], [], []
                for w, cc in cands:
                    b = p2.get((v, w))
                    cb = cache.get((v, w), 0.0) if cache else 0.0
                    keys.append((v, w))
                    lows.append((bo1 + b if b is not None else bo2 + p1.get(w, OOV_LOGP)) - cc + cb)
                    bonus.append(cb - cc)
                per_v[v] = (keys, lows, bonus)
            for (u, v), s in states.items():
                keys, lows, bonus = per_v[v]
                tri = p3n.get((u, v))
                for j in range(len(cands)):
                    t3 = tri.get(cands[j][0]) if tri is not None else None
                    t = s + (t3 + bonus[j] if t3 is not None else lows[j])
                    key = keys[j]
                    if t > new.get(key, neg):
                        new[key] = t
                        back[key] = (u, v)
            if len(new) > max_states:
                top = sorted(new.items(), key=lambda kv: -kv[1])[:max_states]
                cut = top[0][1] - state_beam
                new = {k: v for k, v in top if v >= cut}
            states = new
            backs.append(back)
        state = max(states, key=states.get)
        out = [state[1]]
        for back in reversed(backs[1:]):
            state = back[state]
            out.append(state[1])
        return out[::-1]

    def restore_text(self, text: str) -> RestoreResult:
        """Given a text, return it restored, one output token per input token, with the edits."""
        lines = text_to_lines(text)
        slots: list[tuple[int, int, str, str, str, str | None]] = []  # line, piece, lead, core, trail, kind
        for li, pieces in enumerate(lines):
            for pi in range(0, len(pieces), 2):
                tok = pieces[pi]
                if not tok:
                    continue
                lead, core, trail = token_to_parts(tok)
                slots.append((li, pi, lead, core, trail, core_kind(core)))
        clean = self._is_clean([s[3] for s in slots if s[5] == "word"])
        # segments: runs of LM tokens separated by blank lines / sentence ends
        outputs: dict[tuple[int, int], str] = {}
        segments: list[list[tuple[int, int, str, str, str, tuple]]] = [[]]
        last_line = -1
        for li, pi, lead, core, trail, kind in slots:
            if li > last_line + 1 and segments[-1]:
                segments.append([])  # a blank line separates paragraphs
            last_line = li
            if kind == "word" and not clean and core.isupper() and core.isascii() and len(core) > 2:
                fixed = self.code_to_fixed(core)
                if fixed != core and fold(fixed) not in self.by_key:  # an abbreviation with Đ read as D/P/B (HDND -> HĐND)
                    outputs[(li, pi)] = lead + fixed + trail
                    kind = "fixed"
                    segments[-1].append((li, pi, lead, core, trail, (("<code>", 0.0),)))
            if kind == "word":
                caps = core.isupper()
                cands = self._cands(core.lower(), clean, caps)
                segments[-1].append((li, pi, lead, core, trail, cands))
            elif kind in ("number", "code"):
                lm_tok = core_to_lm_token(core)
                segments[-1].append((li, pi, lead, core, trail, ((lm_tok, 0.0),)))
                if kind == "code":
                    fixed = self.code_to_fixed(core)
                    if fixed != core:
                        outputs[(li, pi)] = lead + fixed + trail
            if trail[-1:] in (".", "!", "?", ";") and segments[-1]:
                segments.append([])
        segments = [seg for seg in segments if seg]
        two_pass = not clean and self.params["cache_weight"] > 0
        # the first of two passes only feeds the cache: a narrower search is enough
        k1 = int(self.params["first_pass_candidates"]) if two_pass else None
        bests = [self._viterbi([s[5][:k1] if k1 else s[5] for s in seg], states=(
            int(self.params["first_pass_states"]) if two_pass else None)) for seg in segments]
        if two_pass:
            # second pass with the document's own first-pass bigrams as a cache LM: a plan
            # repeats its phrases (chuyển đổi số, xã Chợ Đồn), so decisions agree across it
            cache = self._bests_to_cache(bests)
            bests = [self._viterbi([s[5] for s in seg], cache) for seg in segments]
        for seg, best in zip(segments, bests):
            for (li, pi, lead, core, trail, _), w in zip(seg, best):
                if w != canonical_tone(core.lower()) and w not in ("<num>", "<code>"):
                    outputs[(li, pi)] = lead + transfer_case(core, w) + trail
        edits: list[TokenEdit] = []
        for (li, pi), new in sorted(outputs.items()):
            raw = lines[li][pi]
            if new != raw:
                edits.append(TokenEdit(line=li, index=pi // 2 - (1 if lines[li][0] == "" else 0), raw=raw, text=new))
                lines[li][pi] = new
        return RestoreResult(text="\n".join("".join(p) for p in lines), edits=edits)

    def code_to_fixed(self, code: str) -> str:
        """Given a document code, return it with its letter segments fixed where certain."""
        return PATTERNS["code_segment"].sub(lambda m: self.segment_to_fixed(m.group(0)), code)

    @lru_cache(maxsize=10_000)
    def segment_to_fixed(self, seg: str) -> str:
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


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Restorer:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        restorer = Restorer(json.load(f))
    restorer.source = path
    return restorer
