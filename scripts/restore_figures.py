"""Restoration accuracy in one run: leave-one-document-out on the corpus (old OCR and
correct text of 000/001/004, correct text of 003, and tesseract eng of a rendering of each,
synth/<doc>.eng.txt: the unseen plans' kind of old OCR) and the unseen plans (old OCR,
stripped of diacritics, correct text kept) with a model trained on the whole corpus (as bundled).
Accuracy only (one run each, no timing): the figures before and after a change.

usage: nice -n 10 .venv/bin/python scripts/restore_figures.py [--errors N] [--skip-loo] [--skip-unseen]
"""
from __future__ import annotations

import argparse
import difflib
import time
from collections import Counter

from kehoach.bench.restore import unseen_inputs
from kehoach.normalize.restore.model import Restorer
from kehoach.normalize.restore.train import CLEAN_DOCS, PAIR_DOCS, SOURCES, build_model, corpus_text, read, score


def errors(gold: str, hyp: str, into: Counter) -> None:
    """Count (gold word -> output word) substitutions, aligned as score() aligns them."""
    import re

    word = re.compile(r"\w+")
    g, h = [x.lower() for x in word.findall(gold)], [x.lower() for x in word.findall(hyp)]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, g, h, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for a, b in zip(g[i1:i2], h[j1:j2]):
                into[(a, b)] += 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", type=int, default=0, help="print the commonest errors")
    ap.add_argument("--skip-loo", action="store_true")
    ap.add_argument("--skip-unseen", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    errs: dict[str, Counter] = {"loo raw": Counter(), "unseen raw": Counter(), "unseen stripped": Counter(),
                                "unseen clean": Counter()}
    if not a.skip_loo:
        for doc in PAIR_DOCS + CLEAN_DOCS:
            r = Restorer(build_model({doc}))
            gold = corpus_text(doc, "gold")
            line = [doc]
            for kind in ("raw", "clean", "eng"):
                if kind == "raw" and doc not in PAIR_DOCS:
                    continue
                eng = SOURCES / "synth" / f"{doc}.eng.txt"  # never in its own fold's training
                if kind == "eng" and not eng.exists():
                    continue
                text = corpus_text(doc, "raw") if kind == "raw" else read(eng) if kind == "eng" else gold
                hyp = r.restore_text(text).text
                ok, total = score(gold, hyp)
                line.append(f"{kind} {ok / total:.2%} ({ok}/{total})")
                if kind == "raw":
                    errors(gold, hyp, errs["loo raw"])
            print("  ".join(line), flush=True)
    if not a.skip_unseen:
        r = Restorer(build_model())
        sums: dict[str, list[int]] = {}
        for plan, texts in unseen_inputs().items():
            line = [plan]
            for kind in ("raw", "stripped", "clean"):
                hyp = r.restore_text(texts[kind]).text
                ok, total = score(texts["gold"], hyp)
                s = sums.setdefault(kind, [0, 0])
                s[0] += ok; s[1] += total
                line.append(f"{kind} {ok / total:.2%}")
                errors(texts["gold"], hyp, errs[f"unseen {kind}"])
            print("  ".join(line), flush=True)
        print("unseen all: " + "  ".join(f"{k} {ok / t:.2%} ({ok}/{t})" for k, (ok, t) in sums.items()))
    if a.errors:
        for name, c in errs.items():
            print(f"-- {name}: " + ", ".join(f"{g}->{h} {n}" for (g, h), n in c.most_common(a.errors)))
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
