"""Lattice decoding with numpy: exact second-order Viterbi over per-token candidate lists.

A text becomes a lattice of N positions x K candidate slots (integer syllable ids, channel
costs; unused slots are padding). Every segment (sentence, paragraph) starts with two
boundary positions, so every real position has two predecessors. The trigram score of
every (a, b, c) slot triple is gathered in bulk: bigram and trigram log-probabilities come
from open-addressing hash tables looked up with numpy (one vectorised probe loop for all
queries, no per-token Python), trigrams only where both of their bigrams exist. The
dynamic programme then runs all segments side by side, one numpy step per position index.
No state pruning: the search is exact over the candidates kept, and the per-token work is
K^3 vectorised additions instead of a Python loop over states.
"""
from __future__ import annotations

import numpy as np

EMPTY = np.int64(-(2 ** 62))  # hash slot marker no key can equal (ids are >= 0)
ID_BITS = 21                  # syllable ids < 2**21: bigram key a<<21|b, trigram (a<<21|b)<<21|c
NEG = np.float32(-1e30)       # score of a padding slot


class IntHash:
    """An open-addressing hash table from non-negative int64 keys to float32 values,
    built and queried in bulk with numpy (linear probing, load factor <= 1/2). Most
    queries miss (most candidate pairs are no known bigram): a bitmap of 8 bits per slot
    answers them in one probe."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        keys = np.asarray(keys, dtype=np.int64)
        size = 1 << max(4, int(np.ceil(np.log2(max(len(keys), 1) * 2))))
        self.mask = np.uint64(size - 1)
        self.bits_mask = np.uint64(size * 8 - 1)
        self.bits = np.zeros(size, dtype=np.uint8)
        b = self._bit_slots(keys)
        np.bitwise_or.at(self.bits, b >> 3, (1 << (b & 7)).astype(np.uint8))
        self.keys = np.full(size, EMPTY, dtype=np.int64)
        self.values = np.zeros(size, dtype=np.float32)
        self._place(keys, np.asarray(values, dtype=np.float32))

    def _place(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Put distinct keys into the empty table by linear probing, in one pass: taken in
        order of their home slots, each key lands at its home or just after the key before
        it, whichever is later (a running maximum). The few that would run past the end
        wrap to the first free slots from the start, one by one, as probing would."""
        n = len(keys)
        if not n:
            return
        size = len(self.keys)
        home = self._slots(keys)
        order = np.argsort(home, kind="stable")
        keys, values = keys[order], values[order]
        step = np.arange(n, dtype=np.int64)
        slot = np.maximum.accumulate(home[order] - step) + step
        inside = slot < size
        self.keys[slot[inside]] = keys[inside]
        self.values[slot[inside]] = values[inside]
        free = 0
        for key, value in zip(keys[~inside], values[~inside]):
            while self.keys[free] != EMPTY:
                free += 1
            self.keys[free], self.values[free] = key, value

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Given the table, return its slots' keys and values and its bitmap (``from_arrays``)."""
        return {"keys": self.keys, "values": self.values, "bits": self.bits}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "IntHash":
        """Given the arrays ``to_arrays`` returned (read-only memory maps will do: lookups
        never write), return the table they make, without building it again."""
        table = cls.__new__(cls)
        table.keys, table.values, table.bits = arrays["keys"], arrays["values"], arrays["bits"]
        if len(table.keys) != len(table.values) or len(table.bits) != len(table.keys):
            raise ValueError("the hash table's arrays do not belong together")
        table.mask = np.uint64(len(table.keys) - 1)
        table.bits_mask = np.uint64(len(table.bits) * 8 - 1)
        return table

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Given int64 keys, return their home slots (Fibonacci hashing)."""
        h = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return ((h >> np.uint64(24)) & self.mask).astype(np.int64)

    def _bit_slots(self, keys: np.ndarray) -> np.ndarray:
        """Given int64 keys, return their bits in the bitmap (another multiplicative hash)."""
        h = keys.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        return ((h >> np.uint64(20)) & self.bits_mask).astype(np.int64)

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Given int64 query keys, return (found mask, values; 0 where not found)."""
        queries = np.asarray(queries, dtype=np.int64)
        found = np.zeros(len(queries), dtype=bool)
        values = np.zeros(len(queries), dtype=np.float32)
        b = self._bit_slots(queries)
        todo = np.nonzero((self.bits[b >> 3] >> (b & 7).astype(np.uint8)) & 1)[0]
        slot = np.zeros(len(queries), dtype=np.int64)
        slot[todo] = self._slots(queries[todo])
        while len(todo):
            s = slot[todo]
            k = self.keys[s]
            hit = k == queries[todo]
            found[todo[hit]] = True
            values[todo[hit]] = self.values[s[hit]]
            go_on = ~hit & (k != EMPTY)
            todo = todo[go_on]
            slot[todo] = (s[go_on] + 1) & int(self.mask)
        return found, values


def lattice_to_bigrams(ids: np.ndarray, cost: np.ndarray, first: np.ndarray, p1: np.ndarray, a1: np.ndarray,
                       bigrams: IntHash, contexts: IntHash, boundary_alpha: float,
                       oov_logp: float, oov_alpha: float = 0.0,
                       contexts_too: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given the lattice (ids, channel costs: N x K, padding id -1; `first`: the positions
    that start a segment) and the LM's unigram array, per-syllable backoff weights, bigram
    table, two-syllable context backoff weights and that of the two boundaries (and the
    backoff weight of a syllable outside the LM), return
    (B: N x K x K with B[i, b, c] = log P(c | b) - cost[i, c], the bigram where known,
    else the backoff weight of b plus the unigram of c; whether the bigram (b, c) exists:
    N x K x K; and C: N x K x K, the log backoff weight of (b, c) as the context of the
    next position's trigram, 0 where it is none; all 0 without contexts_too: a pass that
    only needs B)."""
    n, k = ids.shape
    valid = ids >= 0
    safe = np.where(valid, ids, 0)
    inside = safe < len(p1)
    uni = np.where(inside, p1[np.minimum(safe, len(p1) - 1)], oov_logp).astype(np.float32)
    alpha = np.where(inside, a1[np.minimum(safe, len(a1) - 1)], oov_alpha).astype(np.float32)
    prev = np.roll(safe, 1, axis=0)
    prev_valid = np.roll(valid, 1, axis=0) & ~first[:, None]
    pair_ok = prev_valid[:, :, None] & valid[:, None, :]
    key2 = (prev[:, :, None] << ID_BITS) | safe[:, None, :]
    found2 = np.zeros((n, k, k), dtype=bool)
    val2 = np.zeros((n, k, k), dtype=np.float32)
    ctx = np.zeros((n, k, k), dtype=np.float32)
    f, v = bigrams.lookup(key2[pair_ok])
    found2[pair_ok] = f
    val2[pair_ok] = v
    where = np.nonzero(found2)
    if contexts_too and len(where[0]):
        _, cv = contexts.lookup(key2[where])
        ctx[where] = cv
    # the two boundaries before a segment's first word: the trigram (<s>, <s>, w) exists
    second = np.roll(first, 1)
    found2[second, 0, 0] = True
    ctx[second, 0, 0] = boundary_alpha
    low = np.where(found2, val2, np.roll(alpha, 1, axis=0)[:, :, None] + uni[:, None, :]) - cost[:, None, :]
    low = np.where(valid[:, None, :] & (prev_valid[:, :, None] | first[:, None, None]), low, NEG)
    return low.astype(np.float32), found2, ctx


def lattice_to_scores(ids: np.ndarray, cost: np.ndarray, first: np.ndarray, low: np.ndarray,
                      found2: np.ndarray, ctx: np.ndarray, trigrams: IntHash) -> np.ndarray:
    """Given the lattice, its bigram scores, bigram existence and context backoff weights
    (lattice_to_bigrams) and the trigram table, return T: N x K x K x K, T[i, a, b, c] =
    log P(c | a, b) - cost[i, c] (the context (a, b)'s backoff weight plus the bigram score
    where the trigram is unknown). The predecessors of position i are i-1 and i-2
    (segments start with two boundaries)."""
    n, k = ids.shape
    safe = np.where(ids >= 0, ids, 0)
    second = np.roll(first, 1)
    prev_ctx = np.roll(ctx, 1, axis=0)
    prev_ctx[first | second] = 0.0
    scores = low[:, None, :, :] + prev_ctx[:, :, :, None]
    # trigrams exist only where both bigrams (a, b) at i-1 and (b, c) at i do
    prev_found = np.roll(found2, 1, axis=0)
    prev_found[first | second] = False
    pi, b, c = np.nonzero(found2)
    a_ok = prev_found[pi, :, b]  # (pairs, K): the a's whose (a, b) exists
    row, a = np.nonzero(a_ok)
    pi, b, c = pi[row], b[row], c[row]
    if len(pi):
        key3 = (((np.roll(safe, 2, axis=0)[pi, a] << ID_BITS) | np.roll(safe, 1, axis=0)[pi, b]) << ID_BITS) | safe[pi, c]
        f, v = trigrams.lookup(key3)
        pi, a, b, c = pi[f], a[f], b[f], c[f]
        scores[pi, a, b, c] = v[f] - cost[pi, c]
    return scores


def _segment_order(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given segments, return (starts, lengths) longest first and, per step t, how many
    segments are longer than t (those still running at t are a prefix)."""
    lengths = ends - starts
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    longest = int(lengths[0]) if len(lengths) else 0
    return starts, lengths, np.searchsorted(-lengths, -np.arange(longest + 1), side="left")


def bigrams_to_kept(low: np.ndarray, starts: np.ndarray, ends: np.ndarray, keep: int, margin: float) -> np.ndarray:
    """Given bigram scores B (N x K x K) and the segments, return per position the slots
    (N x keep, best first, -1 for none) whose best bigram path (max-marginal, forward plus
    backward Viterbi) is within `margin` of the best: the coarse pass that narrows the
    trigram lattice."""
    n, k = low.shape[:2]
    starts, lengths, active = _segment_order(starts, ends)
    alpha = np.full((n, k), NEG, dtype=np.float32)
    alpha[starts + 1, 0] = 0.0
    beta = np.zeros((n, k), dtype=np.float32)
    for t in range(2, len(active) - 1):
        m = int(active[t])
        pos = starts[:m] + t
        alpha[pos] = (alpha[pos - 1][:, :, None] + low[pos]).max(axis=1)
    for t in range(len(active) - 3, 1, -1):
        m = int(active[t + 1])  # segments that go on after t
        pos = starts[:m] + t
        beta[pos] = (low[pos + 1] + beta[pos + 1][:, None, :]).max(axis=2)
    marg = alpha + beta
    order = np.argsort(-marg, axis=1, kind="stable")[:, :keep]
    top = np.take_along_axis(marg, order, axis=1)
    return np.where(top >= top[:, :1] - margin, order, -1)


def segments_to_best(scores: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Given T (N x K x K x K) and segments [start, end) that each begin with two boundary
    positions, return the best slot per position (exact second-order Viterbi)."""
    n, k = scores.shape[:2]
    starts, lengths, active = _segment_order(starts, ends)
    best = np.zeros(n, dtype=np.int64)
    longest = len(active) - 1
    if longest <= 2:
        return best
    end_state = np.zeros(len(starts), dtype=np.int64)  # flat (b, c) of the best final state
    state = np.full((len(starts), k, k), NEG, dtype=np.float32)  # (b, c): slots at t-1, t
    state[:, 0, 0] = 0.0  # boundaries use slot 0
    backs = []
    for t in range(2, longest):
        m = int(active[t])
        total = state[:m, :, :, None] + scores[starts[:m] + t]
        arg = total.argmax(axis=1)
        backs.append(arg)
        state = np.take_along_axis(total, arg[:, None], axis=1)[:, 0]
        ending = slice(int(active[t + 1]), m)  # segments whose last position is t
        if ending.start < m:
            end_state[ending] = state[ending].reshape(m - ending.start, k * k).argmax(axis=1)
    cur_b = np.zeros(len(starts), dtype=np.int64)
    cur_c = np.zeros(len(starts), dtype=np.int64)
    for t in range(longest - 1, 1, -1):
        m = int(active[t])
        ending = slice(int(active[t + 1]), m)
        cur_b[ending], cur_c[ending] = np.divmod(end_state[ending], k)
        rows = np.arange(m)
        best[starts[:m] + t] = cur_c[:m]
        a = backs[t - 2][rows, cur_b[:m], cur_c[:m]]
        cur_c[:m] = cur_b[:m]
        cur_b[:m] = a
    return best


def pairs_to_bonus(ids: np.ndarray, flags: np.ndarray, keys: np.ndarray, weight: float) -> np.ndarray | None:
    """Given the lattice ids (N x K, padding -1), a flag per position (boundaries False),
    sorted pair keys (a<<ID_BITS|b) and a weight, return N x K x K bonuses: `weight` for the
    slot pairs (b at i-1, c at i) that form a listed pair where positions i-1 and i are both
    flagged; None when no pair can be scored (no flagged neighbours, no keys)."""
    rows = np.nonzero(flags & np.roll(flags, 1))[0]
    rows = rows[rows > 0]
    if not len(rows) or not len(keys) or weight == 0:
        return None
    n, k = ids.shape
    prev, cur = ids[rows - 1], ids[rows]
    pair = (np.maximum(prev, 0)[:, :, None] << ID_BITS) | np.maximum(cur, 0)[:, None, :]
    at = np.minimum(np.searchsorted(keys, pair), len(keys) - 1)
    hit = (keys[at] == pair) & (prev[:, :, None] >= 0) & (cur[:, None, :] >= 0)
    bonus = np.zeros((n, k, k), dtype=np.float32)
    bonus[rows] = np.where(hit, np.float32(weight), np.float32(0.0))
    return bonus
