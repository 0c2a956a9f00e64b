"""Source weights of the restoration LM, tuned by held-out perplexity.

Each text source (the corpus's own plans, VLSP sentences, unit names, registry packages'
help pages and UI strings...) is a component: an interpolated Witten-Bell trigram model of
its counts. Their linear interpolation weights are the ones that give a held-out document
its highest likelihood (EM). The decoder's LM pools the sources' counts, so the weights are
turned into count multipliers (count merging: a source's counts are scaled by its weight
over its size, so the pooled unigram distribution is the tuned mixture).
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .lm import BOUNDARY, NgramCounts


class WittenBell:
    """An interpolated Witten-Bell trigram model of one source's (weighted) counts."""

    def __init__(self, counts: NgramCounts, vocab_size: int):
        self.c1, self.c2, self.c3 = counts.c1, counts.c2, counts.c3
        self.total = sum(self.c1.values())
        self.types1 = len(self.c1)
        self.uniform = 1.0 / vocab_size
        self.ctx2: Counter = Counter()
        self.types2: Counter = Counter()
        for (a, _), c in self.c2.items():
            self.ctx2[a] += c
            self.types2[a] += 1
        self.ctx3: Counter = Counter()
        self.types3: Counter = Counter()
        for (a, b, _), c in self.c3.items():
            self.ctx3[(a, b)] += c
            self.types3[(a, b)] += 1

    def prob(self, u: str, v: str, w: str) -> float:
        """Given two syllables of context and a syllable, return P(w | u, v)."""
        p = (self.c1.get(w, 0.0) + self.types1 * self.uniform) / (self.total + self.types1) if self.total else self.uniform
        n = self.ctx2.get(v, 0.0)
        if n:
            t = self.types2[v]
            p = (self.c2.get((v, w), 0.0) + t * p) / (n + t)
        n = self.ctx3.get((u, v), 0.0)
        if n:
            t = self.types3[(u, v)]
            p = (self.c3.get((u, v, w), 0.0) + t * p) / (n + t)
        return p


def streams_to_events(streams: list[list[str]]) -> list[tuple[str, str, str]]:
    """Given LM token streams, return the (u, v, w) trigram events they score."""
    out = []
    for s in streams:
        seq = [BOUNDARY, BOUNDARY] + s
        out += [(seq[i - 2], seq[i - 1], seq[i]) for i in range(2, len(seq))]
    return out


def components_to_probs(components: dict[str, NgramCounts], events: list[tuple[str, str, str]]) -> np.ndarray:
    """Given named components and held-out events, return S x E probabilities."""
    vocab = set()
    for c in components.values():
        vocab.update(c.c1)
    models = [WittenBell(c, len(vocab) + 1) for c in components.values()]
    return np.array([[m.prob(*e) for e in events] for m in models])


def probs_to_weights(probs: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Given S x E component probabilities of held-out events, return the interpolation
    weights (summing to 1) that maximise the held-out likelihood (EM)."""
    s = probs.shape[0]
    lam = np.full(s, 1.0 / s)
    for _ in range(iterations):
        mix = lam[:, None] * probs
        lam = (mix / mix.sum(axis=0, keepdims=True)).mean(axis=1)
    return lam


def perplexity(probs: np.ndarray, lam: np.ndarray) -> float:
    """Given S x E probabilities and weights, return the mixture's held-out perplexity."""
    return float(math.exp(-np.log(lam @ probs).mean()))


def weights_to_count_multipliers(names: list[str], lam: np.ndarray, sizes: dict[str, float],
                                 anchor: str, anchor_multiplier: float) -> dict[str, float]:
    """Given component names, their tuned weights and token counts, return count multipliers
    (count merging: multiplier ~ weight / size), scaled so `anchor` keeps `anchor_multiplier`."""
    per_token = {n: float(l) / max(sizes[n], 1e-9) for n, l in zip(names, lam)}
    scale = anchor_multiplier / per_token[anchor]
    return {n: round(v * scale, 6) for n, v in per_token.items()}
