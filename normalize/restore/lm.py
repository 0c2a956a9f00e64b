"""A syllable trigram language model counted from correct texts: interpolated Witten-Bell
with per-context backoff weights (or the older stupid backoff, one constant for every context)."""
from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

import numpy as np

from .decode import ID_BITS, IntHash
from .text import canonical_tone, core_kind, text_to_lines, token_to_parts

BOUNDARY = "<s>"
SENTENCE_ENDS = (".", "!", "?", ";")  # a trailing mark that ends an LM stream (a segment)
NUM, CODE = "<num>", "<code>"
BACKOFF = math.log(0.6)
OOV_LOGP = -16.0
# "wb": interpolated Witten-Bell, backoff weights per context; "stupid": one constant
LM_METHOD = "wb"
TYPE_WEIGHT = 1.0


def core_to_lm_token(core: str) -> str | None:
    """Given a token core, return the LM token: lower-case syllable, <num>, <code> or None."""
    kind = core_kind(core)
    if kind == "word":
        return canonical_tone(core.lower())
    if kind == "number":
        return NUM
    if kind == "code":
        return CODE
    return None


def text_to_streams(text: str) -> list[list[str]]:
    """Given a text, return LM token streams; blank lines and sentence ends start new streams."""
    streams: list[list[str]] = [[]]
    for pieces in text_to_lines(text):
        tokens = pieces[0::2]
        if not any(t for t in tokens):
            streams.append([])
            continue
        for tok in tokens:
            lead, core, trail = token_to_parts(tok)
            t = core_to_lm_token(core)
            if t is not None:
                streams[-1].append(t)
            if trail[-1:] in SENTENCE_ENDS and streams[-1]:
                streams.append([])
    return [s for s in streams if s]


class NgramCounts:
    """Accumulates weighted unigram/bigram/trigram counts."""

    def __init__(self) -> None:
        self.c1: Counter = Counter()
        self.c2: Counter = Counter()
        self.c3: Counter = Counter()

    def add_streams(self, streams: Iterable[list[str]], weight: float = 1.0, order: int = 3) -> None:
        for s in streams:
            seq = [BOUNDARY, BOUNDARY] + s
            for i in range(2, len(seq)):
                self.c1[seq[i]] += weight
                if order >= 2:
                    self.c2[(seq[i - 1], seq[i])] += weight
                if order >= 3:
                    self.c3[(seq[i - 2], seq[i - 1], seq[i])] += weight

    def add_counts(self, other: "NgramCounts", weight: float = 1.0, order: int = 3) -> None:
        """Add another set of counts, each multiplied by `weight` (n-grams up to `order`)."""
        for mine, theirs, n in ((self.c1, other.c1, 1), (self.c2, other.c2, 2), (self.c3, other.c3, 3)):
            if n <= order:
                for k, c in theirs.items():
                    mine[k] += weight * c

    @classmethod
    def from_tsv(cls, text: str) -> "NgramCounts":
        """Given `ngram<TAB>count` lines (syllables joined by spaces), return the counts."""
        counts = cls()
        tables = {1: counts.c1, 2: counts.c2, 3: counts.c3}
        for line in text.splitlines():
            gram, _, n = line.rpartition("\t")
            parts = gram.split(" ")
            tables[len(parts)][parts[0] if len(parts) == 1 else tuple(parts)] += float(n)
        return counts

    def to_logprobs(self, min3: float = 1.0, method: str = LM_METHOD, type_weight: float = TYPE_WEIGHT) -> dict:
        """Given the counts, return log-probability tables: 'p1' (unigrams), 'p2' and 'p3'
        (seen bigrams and trigrams) and, for method "wb" (interpolated Witten-Bell,
        WittenBellTables), the per-context backoff weights 'a1' (log alpha of a one-syllable
        context) and 'a2' (of a two-syllable context 'u v'): an unseen n-gram scores
        alpha(context) + the lower order. Method "stupid": one backoff constant for every
        context (the older tables)."""
        p1 = self.unigram_logprobs()
        if method == "stupid":
            return self._stupid(p1, min3)
        wb = WittenBellTables(self, p1)
        p2 = {f"{a} {b}": round(math.log(wb.bigram(a, b, type_weight)), 3) for (a, b) in self.c2}
        a1 = {a: round(wb.alpha1(a, type_weight), 3) for a in wb.ctx1}
        p3 = {f"{a} {b} {w}": round(math.log(wb.seen_trigram(a, b, w, type_weight)), 3)
              for (a, b, w), c in self.c3.items() if c >= min3}
        a2 = {f"{a} {b}": round(wb.alpha2(a, b, type_weight), 3) for (a, b) in wb.ctx2}
        return {"p1": p1, "p2": p2, "p3": p3, "a1": a1, "a2": a2, "method": "wb", "type_weight": type_weight}

    def unigram_logprobs(self) -> dict[str, float]:
        """Given the counts, return the unigram log-probabilities (add-0.1 smoothing)."""
        total = sum(self.c1.values())
        V = len(self.c1) + 1
        return {w: round(math.log((c + 0.1) / (total + 0.1 * V)), 3) for w, c in self.c1.items()}

    def _stupid(self, p1: dict, min3: float) -> dict:
        ctx1: Counter = Counter()
        for (a, _), c in self.c2.items():
            ctx1[a] += c
        ctx1[BOUNDARY] = max(ctx1[BOUNDARY], 1)
        p2 = {f"{a} {b}": round(math.log(c / ctx1[a]), 3) for (a, b), c in self.c2.items()}
        ctx2: Counter = Counter()
        for (a, b, _), c in self.c3.items():
            ctx2[(a, b)] += c
        p3 = {f"{a} {b} {w}": round(math.log(c / ctx2[(a, b)]), 3)
              for (a, b, w), c in self.c3.items() if c >= min3}
        return {"p1": p1, "p2": p2, "p3": p3, "backoff": BACKOFF}


class WittenBellTables:
    """Interpolated Witten-Bell estimates from weighted counts. A context's weight of
    "types" (distinct followers) is `type_weight` per follower, a follower seen with less
    than weight 1 counting that fraction: P(w | v) = (c(v w) + T(v) P(w)) / (c(v) + T(v)),
    alpha(v) = T(v) / (c(v) + T(v)), and the same one order up. The type weight is chosen
    by held-out likelihood (train.tune_type_weight), not by hand."""

    def __init__(self, counts: NgramCounts, p1: dict[str, float]):
        self.counts = counts
        self.p1 = {w: math.exp(v) for w, v in p1.items()}
        self.oov = math.exp(OOV_LOGP)
        self.ctx1: Counter = Counter()
        self.types1: Counter = Counter()
        for (a, _), c in counts.c2.items():
            self.ctx1[a] += c
            self.types1[a] += min(c, 1.0)
        self.ctx2: Counter = Counter()
        self.types2: Counter = Counter()
        for (a, b, _), c in counts.c3.items():
            self.ctx2[(a, b)] += c
            self.types2[(a, b)] += min(c, 1.0)

    def bigram(self, a: str, b: str, tw: float) -> float:
        """Given a context syllable, a syllable and the type weight, return P(b | a)."""
        n = self.ctx1.get(a, 0.0)
        u = self.p1.get(b, self.oov)
        if not n:
            return u
        t = tw * self.types1[a]
        return (self.counts.c2.get((a, b), 0.0) + t * u) / (n + t)

    def alpha1(self, a: str, tw: float) -> float:
        t = tw * self.types1[a]
        return math.log(t / (self.ctx1[a] + t))

    def alpha2(self, a: str, b: str, tw: float) -> float:
        t = tw * self.types2[(a, b)]
        return math.log(t / (self.ctx2[(a, b)] + t))

    def seen_trigram(self, a: str, b: str, w: str, tw: float) -> float:
        """Given a seen trigram and the type weight, return P(w | a, b)."""
        t = tw * self.types2[(a, b)]
        return (self.counts.c3[(a, b, w)] + t * self.bigram(b, w, tw)) / (self.ctx2[(a, b)] + t)

    def event_logprob(self, a: str, b: str, w: str, tw: float, min3: float = 1.0) -> float:
        """Given a trigram event and the type weight, return log P(w | a, b) as the decoder
        scores it from to_logprobs' tables (a trigram kept below min3 backs off)."""
        if self.counts.c3.get((a, b, w), 0.0) >= min3:
            return math.log(self.seen_trigram(a, b, w, tw))
        lp = math.log(self.bigram(b, w, tw))
        return lp + self.alpha2(a, b, tw) if (a, b) in self.ctx2 else lp


class LanguageModel:
    """Scores a syllable given the two before it; integer ids and hash tables for the decoder."""

    def __init__(self, tables: dict):
        self.p1: dict[str, float] = tables["p1"]
        # ids: LM tokens first (sorted, so identical tables give identical ids), then the
        # boundary; words outside the LM get ids on first use (oov_id)
        tokens = sorted(set(self.p1) | {BOUNDARY})
        self.ids: dict[str, int] = {w: i for i, w in enumerate(tokens)}
        self.known_ids = len(tokens)
        self.p1_by_id = np.array([self.p1.get(w, OOV_LOGP) for w in tokens], dtype=np.float32)
        if "a1" in tables:
            p2 = tables["p2"]
            a1 = tables["a1"]
            # a context never seen keeps the whole mass for the lower order (alpha 1)
            self.a1_by_id = np.array([a1.get(w, 0.0) for w in tokens], dtype=np.float32)
            self.contexts = self._table(tables["a2"], 2)
            self.boundary_alpha = float(tables["a2"].get(f"{BOUNDARY} {BOUNDARY}", 0.0))
            self.unknown_logp = float(np.median(self.a1_by_id)) + OOV_LOGP
            self.pair_offset = 0.0
            self.oov_alpha = 0.0
        else:  # stupid backoff as per-context tables: seen bigram backoff + p2, unseen 2 backoffs
            b = tables.get("backoff", BACKOFF)
            p2 = {k: v + b for k, v in tables["p2"].items()}
            self.a1_by_id = np.full(len(tokens), 2 * b, dtype=np.float32)
            self.contexts = self._table({}, 2)
            self.boundary_alpha = 0.0
            self.unknown_logp = 2 * b + OOV_LOGP
            self.pair_offset = b  # pairs_logp gives the old tables' values
            self.oov_alpha = 2 * b
        self.bigrams = self._table(p2, 2)
        self.trigrams = self._table(tables["p3"], 3)

    # the hash tables and the numbers the constructor derives, as ``to_arrays`` keeps them
    TABLES = ("bigrams", "trigrams", "contexts")
    NUMBERS = ("known_ids", "boundary_alpha", "unknown_logp", "pair_offset", "oov_alpha")

    def to_arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Given a freshly built model (no word added by ``word_to_id`` yet), return its
        compiled form: (the unigrams' words and the derived numbers, the arrays: unigram
        log-probabilities, per-id tables, hash tables), which ``from_arrays`` turns back
        into the same model without parsing or hashing the n-gram tables again."""
        if len(self.ids) != self.known_ids:
            raise ValueError("the model has words added since it was built")
        meta = {"p1_words": list(self.p1), **{name: getattr(self, name) for name in self.NUMBERS}}
        arrays = {"p1": np.fromiter(self.p1.values(), dtype=np.float64, count=len(self.p1)),
                  "p1_by_id": self.p1_by_id, "a1_by_id": self.a1_by_id}
        for name in self.TABLES:
            arrays.update({f"{name}.{k}": v for k, v in getattr(self, name).to_arrays().items()})
        return meta, arrays

    @classmethod
    def from_arrays(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "LanguageModel":
        """Given what ``to_arrays`` returned, return the model it was taken from."""
        lm = cls.__new__(cls)
        words, values = meta["p1_words"], arrays["p1"]
        if len(words) != len(values):
            raise ValueError("the unigram words and log-probabilities do not match")
        lm.p1 = dict(zip(words, values.tolist()))
        tokens = sorted(set(lm.p1) | {BOUNDARY})
        lm.ids = {w: i for i, w in enumerate(tokens)}
        for name in cls.NUMBERS:
            setattr(lm, name, meta[name])
        if lm.known_ids != len(tokens) or len(arrays["p1_by_id"]) != len(tokens):
            raise ValueError("the unigram table does not match the words")
        lm.p1_by_id, lm.a1_by_id = arrays["p1_by_id"], arrays["a1_by_id"]
        for name in cls.TABLES:
            setattr(lm, name, IntHash.from_arrays({k: arrays[f"{name}.{k}"] for k in ("keys", "values", "bits")}))
        return lm

    def _table(self, table: dict[str, float], order: int) -> IntHash:
        """Given 'a b [c]' -> log P entries, return them as an IntHash over id keys."""
        if not table:
            return IntHash(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        flat = " ".join(table).split(" ")  # every key has `order` tokens
        cols = np.fromiter(map(self.ids.__getitem__, flat), dtype=np.int64, count=len(flat)).reshape(-1, order)
        key = cols[:, 0]
        for j in range(1, order):
            key = (key << ID_BITS) | cols[:, j]
        return IntHash(key, np.fromiter(table.values(), dtype=np.float32, count=len(table)))

    def word_to_id(self, w: str) -> int:
        """Given a syllable or LM token, return its id (new words get new ids above the LM's)."""
        i = self.ids.get(w)
        if i is None:
            i = len(self.ids)
            if i >= 1 << ID_BITS:  # never reached in practice: share the last id
                return (1 << ID_BITS) - 1
            self.ids[w] = i
        return i

    def pairs_logp(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Given syllable pairs (v, w), return log P(w | v) of each as the decoder scores it
        (the bigram, else the context's backoff weight + the unigram)."""
        if not pairs:
            return []
        ids = self.ids
        keys = np.array([(ids[v] << ID_BITS) | ids[w] if v in ids and w in ids else -1 for v, w in pairs],
                        dtype=np.int64)
        found, values = self.bigrams.lookup(np.maximum(keys, 0))
        return [(float(x) if f and k >= 0 else self.alpha1(v) + self.unigram(w)) - self.pair_offset
                for f, x, k, (v, w) in zip(found, values, keys, pairs)]

    def alpha1(self, v: str) -> float:
        """Given a syllable, return the log backoff weight of its one-syllable context."""
        i = self.ids.get(v)
        return float(self.a1_by_id[i]) if i is not None and i < len(self.a1_by_id) else self.oov_alpha

    def pairs_known(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """Given syllable pairs (v, w), return whether each is a bigram the LM has seen."""
        ids = self.ids
        keys = np.array([(ids[v] << ID_BITS) | ids[w] if v in ids and w in ids else -1 for v, w in pairs],
                        dtype=np.int64)
        found, _ = self.bigrams.lookup(np.maximum(keys, 0))
        return [bool(f) and k >= 0 for f, k in zip(found, keys)]

    def unigram(self, w: str) -> float:
        return self.p1.get(w, OOV_LOGP)
