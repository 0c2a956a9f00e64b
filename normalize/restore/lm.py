"""A syllable trigram language model with stupid backoff, counted from correct texts."""
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

    def to_logprobs(self, min3: float = 1.0) -> dict:
        """Given the counts, return {'p1','p2','p3'} log-probability tables (stupid backoff)."""
        total = sum(self.c1.values())
        V = len(self.c1) + 1
        p1 = {w: round(math.log((c + 0.1) / (total + 0.1 * V)), 3) for w, c in self.c1.items()}
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


class LanguageModel:
    """Scores a syllable given the two before it; integer ids and hash tables for the decoder."""

    def __init__(self, tables: dict):
        self.p1: dict[str, float] = tables["p1"]
        self.backoff: float = tables.get("backoff", BACKOFF)
        # ids: LM tokens first (sorted, so identical tables give identical ids), then the
        # boundary; words outside the LM get ids on first use (oov_id)
        tokens = sorted(set(self.p1) | {BOUNDARY})
        self.ids: dict[str, int] = {w: i for i, w in enumerate(tokens)}
        self.known_ids = len(tokens)
        self.p1_by_id = np.array([self.p1.get(w, OOV_LOGP) for w in tokens], dtype=np.float32)
        self.bigrams = self._table(tables["p2"], 2)
        self.trigrams = self._table(tables["p3"], 3)

    def _table(self, table: dict[str, float], order: int) -> IntHash:
        """Given 'a b [c]' -> log P entries, return them as an IntHash over id keys."""
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
        """Given syllable pairs (v, w), return log P(w | v) of each (bigram, else backoff)."""
        if not pairs:
            return []
        ids = self.ids
        keys = np.array([(ids[v] << ID_BITS) | ids[w] if v in ids and w in ids else -1 for v, w in pairs],
                        dtype=np.int64)
        found, values = self.bigrams.lookup(np.maximum(keys, 0))
        return [float(x) if f and k >= 0 else self.backoff + self.unigram(w)
                for f, x, k, (_, w) in zip(found, values, keys, pairs)]

    def pairs_known(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """Given syllable pairs (v, w), return whether each is a bigram the LM has seen."""
        ids = self.ids
        keys = np.array([(ids[v] << ID_BITS) | ids[w] if v in ids and w in ids else -1 for v, w in pairs],
                        dtype=np.int64)
        found, _ = self.bigrams.lookup(np.maximum(keys, 0))
        return [bool(f) and k >= 0 for f, k in zip(found, keys)]

    def unigram(self, w: str) -> float:
        return self.p1.get(w, OOV_LOGP)
