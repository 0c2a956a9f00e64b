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


class HeldOutCounts:
    """What one held-out document's trigram events ask of each source's counts, as arrays,
    so the interpolated Witten-Bell likelihood of the document under any count multipliers
    and type weight (lm.WittenBellTables) is a few numpy operations: the unigram counts of
    every syllable, and the bigram (trigram) entries whose context is one of the events'."""

    def __init__(self, sources: dict[str, NgramCounts], events: list[tuple[str, str, str]]):
        self.names = list(sources)
        words = sorted(set().union(*(c.c1 for c in sources.values())))
        wid = {w: i for i, w in enumerate(words)}
        self.c1 = np.zeros((len(self.names), len(words)))
        for s, c in enumerate(sources.values()):
            for w, n in c.c1.items():
                self.c1[s, wid[w]] = n
        ctx1 = {b for _, b, _ in events}
        ctx2 = {(a, b) for a, b, _ in events}
        self.e2, self.k2, self.m2 = self._entries(sources, "c2", lambda g: g[0] in ctx1, lambda g: g[0])
        self.e3, self.k3, self.m3 = self._entries(sources, "c3", lambda g: g[:2] in ctx2, lambda g: g[:2])
        self.ev_w = np.array([wid.get(w, -1) for _, _, w in events])
        self.ev_b = np.array([self.k2["ctx"].get(b, -1) for _, b, _ in events])
        self.ev_bw = np.array([self.k2["gram"].get((b, w), -1) for _, b, w in events])
        self.ev_ab = np.array([self.k3["ctx"].get((a, b), -1) for a, b, _ in events])
        self.ev_abw = np.array([self.k3["gram"].get(e, -1) for e in events])
        self.e2_w = np.array([wid[g[1]] for g in self.k2["grams"]], dtype=np.int64)

    def _entries(self, sources, table, keep, context):
        grams = sorted({g for c in sources.values() for g in getattr(c, table) if keep(g)})
        gid = {g: i for i, g in enumerate(grams)}
        ctxs = sorted({context(g) for g in grams})
        cid = {c: i for i, c in enumerate(ctxs)}
        m = np.zeros((len(self.names), len(grams)))
        for s, c in enumerate(sources.values()):
            for g, n in getattr(c, table).items():
                if g in gid:
                    m[s, gid[g]] = n
        index = np.array([cid[context(g)] for g in grams], dtype=np.int64)
        return index, {"gram": gid, "ctx": cid, "grams": grams, "n_ctx": len(ctxs)}, m

    def logp(self, multipliers: dict[str, float], type_weight: float, oov_logp: float, min3: float = 1.0) -> float:
        """Given count multipliers per source and the type weight, return the held-out
        document's log-likelihood (natural log) under the merged interpolated model."""
        mult = np.array([multipliers.get(n, 0.0) for n in self.names])
        c1 = mult @ self.c1
        seen = c1 > 0
        p1 = np.where(seen, (c1 + 0.1) / (c1.sum() + 0.1 * (seen.sum() + 1)), math.exp(oov_logp))

        def level(index, m, n_ctx):
            merged = mult @ m
            ctx = np.bincount(index, merged, minlength=n_ctx)
            types = type_weight * np.bincount(index, np.minimum(merged, 1.0), minlength=n_ctx)
            return merged, ctx, types

        c2, ctx1, t1 = level(self.e2, self.m2, self.k2["n_ctx"])
        c3, ctx2, t2 = level(self.e3, self.m3, self.k3["n_ctx"])
        pw = np.where(self.ev_w >= 0, p1[np.maximum(self.ev_w, 0)], math.exp(oov_logp))
        b = np.maximum(self.ev_b, 0)
        n1 = np.where(self.ev_b >= 0, ctx1[b], 0.0)
        tb = np.where(self.ev_b >= 0, t1[b], 0.0)
        cbw = np.where(self.ev_bw >= 0, c2[np.maximum(self.ev_bw, 0)], 0.0)
        p2 = np.where(n1 > 0, (cbw + tb * pw) / np.maximum(n1 + tb, 1e-300), pw)
        ab = np.maximum(self.ev_ab, 0)
        n2 = np.where(self.ev_ab >= 0, ctx2[ab], 0.0)
        tab = np.where(self.ev_ab >= 0, t2[ab], 0.0)
        cabw = np.where(self.ev_abw >= 0, c3[np.maximum(self.ev_abw, 0)], 0.0)
        p3 = np.where(cabw >= min3, (cabw + tab * p2) / np.maximum(n2 + tab, 1e-300),
                      np.where(n2 > 0, tab / np.maximum(n2 + tab, 1e-300) * p2, p2))
        return float(np.log(p3).sum())


def tune_multipliers(held: list[HeldOutCounts], start: dict[str, float], tuned: tuple[str, ...],
                     grid: tuple[float, ...], type_weights: tuple[float, ...], type_weight: float,
                     oov_logp: float, rounds: int = 3) -> tuple[dict[str, float], float, float]:
    """Given held-out documents' counts, starting multipliers, the sources to tune, the
    multipliers and type weights to try, return (multipliers, type weight, perplexity)
    that give the held-out documents their highest likelihood (coordinate ascent: one
    source, or the type weight, at a time, over its grid, until nothing changes)."""
    events = sum(len(h.ev_w) for h in held)
    best = dict(start)

    def total(m: dict[str, float], tw: float) -> float:
        return sum(h.logp(m, tw, oov_logp) for h in held)

    score = total(best, type_weight)
    for _ in range(rounds):
        changed = False
        for tw in type_weights:
            s = total(best, tw)
            if s > score + 1e-6:
                score, type_weight, changed = s, tw, True
        for name in tuned:
            for v in grid:
                trial = {**best, name: v}
                s = total(trial, type_weight)
                if s > score + 1e-6:
                    score, best, changed = s, trial, True
        if not changed:
            break
    return best, type_weight, math.exp(-score / max(events, 1))
