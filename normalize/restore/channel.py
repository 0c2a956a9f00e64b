"""The channel: how OCR turns a correct syllable into what it printed, learned from pairs.

Given aligned (raw, gold) word pairs, each raw word (lower-cased, diacritics kept because they
are evidence: 'é' often stands for ô/ơ) is aligned character by character with the *folded*
gold word (no diacritics). Runs of differing characters become rewrite chunks
('ii'->'u', 'w'->'uo', '6'->'o', '¢'->'e', 'p'->'d'); a folded raw character equal to the
gold one is an identity. P(gold chunk | raw chunk) = count / occurrences of the raw chunk.
Candidate generation enumerates rewrites of the raw word into folded keys of known
syllables (pruned by a prefix set), with cost = -log P summed over chunks.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache, partial

from .text import fold

MAX_CHUNK = 3
UNSEEN_IDENTITY_COST = 0.05
GENERIC_SUB_COST = 7.0  # any raw letter read as another letter, never seen in training
GENERIC_LETTERS = "abcdeghiklmnopqrstuvxy"  # the letters of Vietnamese syllables


def levenshtein_ops(a: str, b: str) -> list[tuple[str, str]]:
    """Given raw a and folded gold b, return aligned (a_part, b_part) pairs of length <= 1."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = fold(a[i - 1]) == b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (0 if same else 1))
    ops: list[tuple[str, str]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + (0 if fold(a[i - 1]) == b[j - 1] else 1):
            ops.append((a[i - 1], b[j - 1])); i -= 1; j -= 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            ops.append((a[i - 1], "")); i -= 1
        else:
            ops.append(("", b[j - 1])); j -= 1
    return ops[::-1]


@lru_cache(maxsize=200_000)
def aligned_chars(raw: str, word: str) -> tuple[tuple[str, str], ...]:
    """Given a raw word and a syllable, return the (raw char, syllable char) pairs that align
    one to one (positionally when the lengths agree, else by edit distance on the folded
    syllable, whose characters stand one for one with the syllable's)."""
    if len(raw) == len(word):
        return tuple(zip(raw, word))
    out, j = [], 0
    for a, b in levenshtein_ops(raw, fold(word)):
        if a and b:
            out.append((a, word[j]))
        j += 1 if b else 0
    return tuple(out)


def pairs_to_mark_costs(pairs: Counter, alpha: float = 2.0) -> dict[str, dict[str, float]]:
    """Given Counter of (raw word, gold word) pairs (lower case), return for each raw
    character that is no plain letter ('é', '6', '&') the cost -log P(raw | gold char) /
    P(raw | gold char's letter) of each gold character of a letter it was read for: the
    marks the folded channel cannot see ('é' is ê with a tone far more than à)."""
    seen: Counter = Counter()
    gold_n: Counter = Counter()
    for (raw, gold), n in pairs.items():
        for a, b in aligned_chars(raw, gold):
            seen[(a, b)] += n
            gold_n[b] += n
    fam_seen: Counter = Counter()
    fam_n: Counter = Counter()
    members: dict[str, set[str]] = defaultdict(set)
    for (a, b), n in seen.items():
        fam_seen[(a, fold(b))] += n
    for b, n in gold_n.items():
        fam_n[fold(b)] += n
        members[fold(b)].add(b)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, f), n in fam_seen.items():
        if "a" <= a <= "z" or n < 2:
            continue
        p_fam = n / fam_n[f]
        for b in sorted(members[f]):
            p = (seen[(a, b)] + alpha * p_fam) / (gold_n[b] + alpha)
            cost = round(-math.log(p / p_fam), 3)
            if abs(cost) >= 0.05:
                table[a][b] = cost
    return dict(table)


def pair_to_chunks(raw: str, gold_folded: str) -> list[tuple[str, str]]:
    """Given a raw word and a folded gold word, return the rewrite chunks covering raw.

    Identities are chunks of one character; differing runs merge; an insertion with no raw
    character attaches to its neighbour so that every chunk consumes raw text.
    """
    ops = levenshtein_ops(raw, gold_folded)
    chunks: list[list[str]] = []
    prev_diff = False
    for a, b in ops:
        diff = not (a and b and fold(a) == b)
        if diff and prev_diff and chunks:
            chunks[-1][0] += a; chunks[-1][1] += b
        else:
            chunks.append([a, b])
        prev_diff = diff
    out: list[list[str]] = []
    for c in chunks:
        if not c[0] and out:
            out[-1][0] += c[0]; out[-1][1] += c[1]
        else:
            out.append(c)
    if len(out) > 1 and not out[0][0]:
        out[1] = [out[0][0] + out[1][0], out[0][1] + out[1][1]]
        out.pop(0)
    return [(a, b) for a, b in out]


class Channel:
    """Rewrite probabilities and candidate enumeration over folded syllable keys."""

    def __init__(self, rewrites: dict[str, dict[str, float]], keys: set[str]):
        self.rewrites = rewrites  # raw chunk -> {folded gold chunk: cost}
        self.keys = keys
        self.prefixes = {k[:i] for k in keys for i in range(len(k) + 1)}
        self.suffixes = {k[i:] for k in keys for i in range(len(k) + 1)}
        # each key with one letter hidden ('th*c' -> thuc, thuc...): one unseen substitution
        self.wildcards: dict[str, list[str]] = {}
        for k in sorted(keys):
            for i in range(len(k)):
                self.wildcards.setdefault(k[:i] + "*" + k[i + 1:], []).append(k)
        self.max_chunk = max((len(r) for r in rewrites), default=1)
        # words share their beginnings and ends: parts are cached per raw prefix / suffix
        self._prefix_parts = lru_cache(maxsize=200_000)(partial(self._parts_uncached, backward=False))
        self._suffix_parts = lru_cache(maxsize=200_000)(partial(self._parts_uncached, backward=True))

    def clear_caches(self) -> None:
        """Forget the cached prefix and suffix parts (to time a cold start)."""
        self._prefix_parts.cache_clear()
        self._suffix_parts.cache_clear()

    @staticmethod
    def pairs_to_rewrites(pairs: Counter, min_count: int = 2, likelihood: bool = True) -> dict[str, dict[str, float]]:
        """Given Counter of (raw word lower, gold word lower) pairs, return chunk rewrite costs.

        likelihood: cost = -log P(raw chunk | gold chunk), the noisy channel proper (the LM
        supplies the prior); otherwise -log P(gold chunk | raw chunk).
        """
        chunk_counts: Counter = Counter()
        for (raw, gold), n in pairs.items():
            for a, b in pair_to_chunks(raw, fold(gold)):
                if len(a) <= MAX_CHUNK:
                    chunk_counts[(a, b)] += n
                if len(a) == len(b) > 1:  # '1¢'->'le' also teaches '1'->'l' and '¢'->'e'
                    for x, y in zip(a, b):
                        chunk_counts[(x, y)] += n
        # occurrences of each raw chunk in raw words, the denominator
        raw_chunks = {a for a, _ in chunk_counts}
        occ: Counter = Counter()
        for (raw, _), n in pairs.items():
            for i in range(len(raw)):
                for L in range(1, MAX_CHUNK + 1):
                    s = raw[i:i + L]
                    if len(s) == L and s in raw_chunks:
                        occ[s] += n
        gold_occ: Counter = Counter()
        if likelihood:
            gold_chunks = {b for _, b in chunk_counts}
            for (_, gold), n in pairs.items():
                g = fold(gold)
                gold_occ[""] += n * len(g)
                for i in range(len(g)):
                    for L in range(1, 5):
                        sub = g[i:i + L]
                        if len(sub) == L and sub in gold_chunks:
                            gold_occ[sub] += n
        table: dict[str, dict[str, float]] = defaultdict(dict)
        for (a, b), n in chunk_counts.items():
            identity = len(a) == 1 and fold(a) == b
            if n < min_count and not identity:
                continue
            denom = gold_occ[b] if likelihood else occ[a]
            table[a][b] = round(-math.log(max(n, 0.5) / max(denom, n)), 3)
        return dict(table)

    def word_to_keys(self, raw: str, max_cost: float = 9.0, limit: int = 12,
                     generic_below: float = 3.0, one_edit: bool = True) -> dict[str, float]:
        """Given a raw word (lower-case), return folded syllable keys reachable, with costs.

        Learned rewrites first; one unseen edit (any letter for one raw character, or its
        deletion) is tried only when they reach no key cheaper than `generic_below`.
        """
        forward = self._reach(raw, max_cost, backward=False)
        found = {k: c for k, c in forward[-1].items() if k in self.keys}
        if one_edit and (not found or min(found.values()) >= generic_below):
            self._add_one_edit(raw, forward, self._reach(raw, max_cost, backward=True), max_cost, found)
        return dict(sorted(found.items(), key=lambda kv: (kv[1], kv[0]))[:limit])

    def _reach(self, raw: str, max_cost: float, backward: bool) -> list[dict[str, float]]:
        """Given a raw word, return per position i the key parts learned rewrites make of
        raw[:i] (forward: prefixes of keys) or of raw[i:] (backward: suffixes), least costs."""
        # shortest pieces first: each builds on the cached shorter ones, so the recursion
        # stays one level deep however long the token is (a 1000-letter OCR run)
        if backward:
            return [self._suffix_parts(raw[i:], max_cost) for i in range(len(raw), -1, -1)][::-1]
        return [self._prefix_parts(raw[:i], max_cost) for i in range(len(raw) + 1)]

    def _moves(self, raw: str, at_start: bool) -> list[tuple[int, str, float]]:
        """Given raw text, return the rewrites that can consume its end (at_start: its
        start) as (length, key part, cost)."""
        moves = []
        for L in range(1, min(self.max_chunk, len(raw)) + 1):
            for b, c in (self.rewrites.get(raw[:L] if at_start else raw[-L:]) or {}).items():
                moves.append((L, b, c))
        ch = raw[0] if at_start else raw[-1]
        f = fold(ch)
        if (ch not in self.rewrites or f not in self.rewrites[ch]) and f.isalpha():
            moves.append((1, f, UNSEEN_IDENTITY_COST))  # a character training never saw
        return moves

    def _parts_uncached(self, raw: str, max_cost: float, backward: bool) -> dict[str, float]:
        """Given raw text, return the key prefixes (backward: key suffixes) learned rewrites
        make of all of it, least costs."""
        if not raw:
            return {"": 0.0}
        out: dict[str, float] = {}
        allowed, rest_parts = (self.suffixes, self._suffix_parts) if backward else (self.prefixes, self._prefix_parts)
        for L, b, c in self._moves(raw, at_start=backward):
            for part, pc in rest_parts(raw[L:] if backward else raw[:-L], max_cost).items():
                t = pc + c
                new = b + part if backward else part + b
                if t <= max_cost and new in allowed and t < out.get(new, math.inf):
                    out[new] = t
        return out

    def _add_one_edit(self, raw: str, forward: list[dict[str, float]], backward: list[dict[str, float]],
                      max_cost: float, found: dict[str, float]) -> None:
        """Given the forward and backward rewrite parts of a raw word, add to `found` the
        keys one unseen edit reaches: raw[j] read as any other letter, or dropped."""
        budget = max_cost - GENERIC_SUB_COST
        for j in range(len(raw)):
            f = fold(raw[j])
            rights = [(r, c) for r, c in backward[j + 1].items() if c <= budget]
            if not rights:
                continue
            for left, lc in forward[j].items():
                if lc > budget:
                    continue
                for right, rc in rights:
                    t = lc + rc + GENERIC_SUB_COST
                    if t > max_cost:
                        continue
                    k = left + right
                    if k in self.keys and t < found.get(k, math.inf):
                        found[k] = t
                    for k in self.wildcards.get(left + "*" + right, ()):
                        g = k[len(left)]
                        if g != f and g in GENERIC_LETTERS and t < found.get(k, math.inf):
                            found[k] = t
