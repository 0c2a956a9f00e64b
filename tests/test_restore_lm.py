"""Tests of the restoration LM: interpolated Witten-Bell with per-context backoff weights,
its tables as the decoder scores them, and the type weight tuned by held-out likelihood."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kehoach.normalize.restore.decode import lattice_to_bigrams, lattice_to_scores
from kehoach.normalize.restore.lm import BOUNDARY, OOV_LOGP, LanguageModel, NgramCounts, WittenBellTables, text_to_streams
from kehoach.normalize.restore.train import corpus_text


@pytest.fixture(scope="module")
def counts() -> NgramCounts:
    """Counts of one correct plan (003-xa), its text counted twice over (weight 2)."""
    c = NgramCounts()
    c.add_streams(text_to_streams(corpus_text("003-xa", "gold")), 2.0)
    return c


@pytest.mark.parametrize("context", ["chuyển", "các", "xã", "số", BOUNDARY])
def test_witten_bell_bigram_distribution_sums_to_one(counts: NgramCounts, context: str) -> None:
    wb = WittenBellTables(counts, counts.unigram_logprobs())
    total = sum(wb.bigram(context, w, 4.0) for w in counts.c1)
    assert total == pytest.approx(1.0, abs=1e-4)  # the unigrams are rounded to 3 decimals
    assert wb.alpha1(context, 4.0) < wb.alpha1(context, 16.0) < 0  # more weight per type: more backoff


def test_decoder_scores_a_sentence_as_the_model_does(counts: NgramCounts) -> None:
    """A sentence of another plan (001-son-la: unseen bigrams and words outside the LM),
    scored through the decoder's hash tables, gets the Witten-Bell log-probability."""
    tables = counts.to_logprobs(type_weight=4.0)
    lm = LanguageModel(tables)
    wb = WittenBellTables(counts, counts.unigram_logprobs())
    sentence = max(text_to_streams(corpus_text("001-son-la", "gold"))[:40], key=len)
    assert len(sentence) >= 10 and any(w not in counts.c1 for w in sentence)
    ids = np.array([[lm.ids[BOUNDARY]]] * 2 + [[lm.word_to_id(w)] for w in sentence], dtype=np.int64)
    cost = np.zeros(ids.shape, dtype=np.float32)
    first = np.zeros(len(ids), dtype=bool)
    first[0] = True
    low, found2, ctx = lattice_to_bigrams(ids, cost, first, lm.p1_by_id, lm.a1_by_id, lm.bigrams,
                                          lm.contexts, lm.boundary_alpha, OOV_LOGP, lm.oov_alpha)
    scores = lattice_to_scores(ids, cost, first, low, found2, ctx, lm.trigrams)
    seq = [BOUNDARY, BOUNDARY, *sentence]
    for t in range(2, len(seq)):
        expected = wb.event_logprob(seq[t - 2], seq[t - 1], seq[t], 4.0)
        assert scores[t, 0, 0, 0] == pytest.approx(expected, abs=0.01), seq[t - 2:t + 1]


def test_stupid_backoff_tables_load_as_before(counts: NgramCounts) -> None:
    """Models trained before (one backoff constant) decode as they did: a seen bigram scores
    backoff + its table value, an unseen one two backoffs + the unigram."""
    tables = counts.to_logprobs(method="stupid")
    lm = LanguageModel(tables)
    b = tables["backoff"]
    a, w = next(iter(counts.c2))
    assert lm.pairs_logp([(a, w)])[0] == pytest.approx(tables["p2"][f"{a} {w}"], abs=1e-6)
    assert lm.alpha1(a) == pytest.approx(2 * b)
    assert lm.pairs_logp([("xã", "trịnh")])[0] == pytest.approx(b + lm.unigram("trịnh"), abs=1e-6)
    assert math.isclose(lm.unknown_logp, 2 * b + OOV_LOGP)


def test_held_out_likelihood_arrays_match_the_model() -> None:
    """mix.HeldOutCounts scores a held-out plan (001-son-la) under merged sources (two
    plans at different multipliers) as a Witten-Bell model of the merged counts does."""
    from kehoach.normalize.restore.mix import HeldOutCounts, streams_to_events

    a, b = NgramCounts(), NgramCounts()
    a.add_streams(text_to_streams(corpus_text("003-xa", "gold")))
    b.add_streams(text_to_streams(corpus_text("000-cho-don", "gold")))
    events = streams_to_events(text_to_streams(corpus_text("001-son-la", "gold")))
    merged = NgramCounts()
    merged.add_counts(a, 3.0)
    merged.add_counts(b, 0.5)
    wb = WittenBellTables(merged, merged.unigram_logprobs())
    expected = sum(wb.event_logprob(u, v, w, 6.0) for u, v, w in events)
    got = HeldOutCounts({"a": a, "b": b}, events).logp({"a": 3.0, "b": 0.5}, 6.0, OOV_LOGP)
    assert got == pytest.approx(expected, rel=2e-3)  # unigrams rounded to 3 decimals in the model
