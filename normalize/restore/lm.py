"""A syllable trigram language model with stupid backoff, counted from correct texts."""
from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

from .text import canonical_tone, core_kind, text_to_lines, token_to_parts

BOUNDARY = "<s>"
NUM, CODE = "<num>", "<code>"
BACKOFF = math.log(0.4)
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
            if trail[-1:] in (".", "!", "?", ";") and streams[-1]:
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
        return {"p1": p1, "p2": p2, "p3": p3}


    def to_kneser_ney(self, discount: float = 0.75) -> dict:
        """Given the counts, return interpolated Kneser-Ney tables in backoff form.

        p3/p2/p1 hold log P of seen n-grams (already interpolated with the lower order);
        a3/a2 hold the log backoff weight of a context (the mass its discounts reserved).
        """
        D = discount
        ctx2: Counter = Counter(); types2: Counter = Counter()
        for (a, b, _), c in self.c3.items():
            ctx2[(a, b)] += c; types2[(a, b)] += 1
        cont2: Counter = Counter()  # distinct left words of each bigram
        for (_, b, w) in self.c3:
            cont2[(b, w)] += 1
        for bg in self.c2:
            if bg not in cont2:
                cont2[bg] = 1
        ctx1: Counter = Counter(); types1: Counter = Counter()
        for (a, _), n in cont2.items():
            ctx1[a] += n; types1[a] += 1
        cont1: Counter = Counter()
        for (_, w) in cont2:
            cont1[w] += 1
        total1 = sum(cont1.values())
        V = len(self.c1) + 1
        P1 = {w: 0.9 * cont1[w] / total1 + 0.1 / V for w in self.c1}
        p1 = {w: round(math.log(p), 3) for w, p in P1.items()}
        P2: dict = {}
        for (a, w), n in cont2.items():
            lam = D * types1[a] / ctx1[a]
            P2[(a, w)] = max(n - D, 0) / ctx1[a] + lam * P1.get(w, 0.1 / V)
        a2 = {a: round(math.log(D * types1[a] / ctx1[a]), 3) for a in ctx1}
        p3 = {}
        for (a, b, w), c in self.c3.items():
            lam = D * types2[(a, b)] / ctx2[(a, b)]
            lower = P2.get((b, w)) or math.exp(a2.get(b, 0.0)) * P1.get(w, 0.1 / V)
            p3[f"{a} {b} {w}"] = round(math.log(max(c - D, 0) / ctx2[(a, b)] + lam * lower), 3)
        a3 = {f"{a} {b}": round(math.log(D * types2[(a, b)] / ctx2[(a, b)]), 3) for (a, b) in ctx2}
        return {"p1": p1, "p2": {f"{a} {w}": round(math.log(p), 3) for (a, w), p in P2.items()},
                "p3": p3, "a2": a2, "a3": a3}


class LanguageModel:
    """Scores a syllable given the two before it."""

    def __init__(self, tables: dict):
        self.p1: dict[str, float] = tables["p1"]
        self.p2: dict[tuple[str, str], float] = {tuple(k.split(" ")): v for k, v in tables["p2"].items()}
        self.p3: dict[tuple[str, str, str], float] = {tuple(k.split(" ")): v for k, v in tables["p3"].items()}
        # backoff weights (Kneser-Ney tables); absent: stupid backoff with a constant
        self.kn = "a3" in tables
        self.a2: dict[str, float] = tables.get("a2", {})
        self.a3: dict[tuple[str, str], float] = {tuple(k.split(" ")): v for k, v in tables.get("a3", {}).items()}

    def unigram(self, w: str) -> float:
        return self.p1.get(w, OOV_LOGP)

    def score(self, u: str, v: str, w: str) -> float:
        """Given context (u, v) and syllable w, return log P(w | u, v) (stupid backoff)."""
        s = self.p3.get((u, v, w))
        if s is not None:
            return s
        if self.kn:
            a = self.a3.get((u, v), 0.0)
            s = self.p2.get((v, w))
            if s is not None:
                return a + s
            return a + self.a2.get(v, 0.0) + self.p1.get(w, OOV_LOGP)
        s = self.p2.get((v, w))
        if s is not None:
            return BACKOFF + s
        return 2 * BACKOFF + self.p1.get(w, OOV_LOGP)
