"""Nested leave-one-document-out choice of decoder parameters: for each corpus document
left out (the test document), each parameter setting of the grid is scored on the other
documents, each restored by a model trained without it and without the test document; the
setting with the most correct syllables there is the fold's choice, and only then is the
test document restored with it. The test document never takes part in its fold's choice.

usage: nice -n 10 .venv/bin/python scripts/tune_restore_params.py channel_weight=0.8,1,1.25 known_identity=1,1.5,2
       (a name "w:SOURCE" sets an LM source's count multiplier: w:admin=0.1,0.3,1; the
       models are then trained per setting)
"""
from __future__ import annotations

import itertools
import sys
import time

from kehoach.normalize.restore.model import Restorer
from kehoach.normalize.restore.train import PAIR_DOCS, build_model, corpus_text, score


def restore_score(model: dict, doc: str, params: dict) -> tuple[int, int]:
    """Given a model, a document and parameters, return (correct, total) on its old OCR."""
    params = {k: v for k, v in params.items() if not k.startswith("w:")}
    r = Restorer({**model, "params": {**model.get("params", {}), **params}})
    return score(corpus_text(doc, "gold"), r.restore_text(corpus_text(doc, "raw")).text)


def main() -> None:
    grid = {}
    for arg in sys.argv[1:]:
        name, _, values = arg.partition("=")
        grid[name] = [float(v) for v in values.split(",")]
    settings = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]
    t0 = time.perf_counter()
    models: dict[tuple, dict] = {}

    def model(exclude: frozenset, setting: dict | None = None) -> dict:
        weights = {k[2:]: v for k, v in (setting or {}).items() if k.startswith("w:")}
        key = (exclude, tuple(sorted(weights.items())))
        if key not in models:
            models[key] = build_model(set(exclude), weights=weights or None)
        return models[key]

    inner: dict[tuple, tuple[int, int]] = {}  # (frozenset pair, inner doc, setting index)
    total_ok = total_n = 0
    for test in PAIR_DOCS:
        sums = []
        for i, s in enumerate(settings):
            ok = n = 0
            for doc in PAIR_DOCS:
                if doc == test:
                    continue
                key = (frozenset({test, doc}), doc, i)
                if key not in inner:
                    inner[key] = restore_score(model(frozenset({test, doc}), s), doc, s)
                ok += inner[key][0]; n += inner[key][1]
            sums.append((ok, -i))
        best = settings[-max(sums)[1]]
        ok, n = restore_score(model(frozenset({test}), best), test, best)
        base_ok, _ = restore_score(model(frozenset({test})), test, {})
        total_ok += ok; total_n += n
        print(f"{test}: chosen {best} (inner {max(sums)[0]} correct; grid {[s[0] for s in sums]}) -> "
              f"{ok / n:.2%} ({ok}/{n}); defaults {base_ok / n:.2%}", flush=True)
    print(f"all: {total_ok / total_n:.2%} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
