"""Leave-one-document-out figures for `kehoach bench restore`."""
from __future__ import annotations

from .train import CLEAN_DOCS, PAIR_DOCS, evaluate_doc

INPUT_KINDS = ("raw", "vie", "clean")
LABELS = {"raw": "old OCR (raw/)", "vie": "tesseract vie, degraded render", "clean": "correct text (unchanged)"}


def docs_to_rows(docs: list[str] | None = None) -> list[dict]:
    """Given document ids (default all), return one row per (document, input kind)."""
    rows = []
    for doc in docs or PAIR_DOCS + CLEAN_DOCS:
        fig = evaluate_doc(doc)
        for kind in INPUT_KINDS:
            if kind in fig:
                rows.append({"doc": doc, "input": kind, **fig[kind]})
    return rows


def rows_to_table(rows: list[dict]) -> str:
    """Given bench rows, return a plain-text table."""
    out = [f"{'left-out document':<14} {'input':<32} {'before':>7} {'after':>7} {'tokens':>6} {'tokens/s':>9}"]
    for r in rows:
        out.append(f"{r['doc']:<14} {LABELS[r['input']]:<32} {r['before']:>7.2%} {r['after']:>7.2%} "
                   f"{r['total']:>6} {r['tokens_per_s']:>9.0f}")
    out.append("accuracy = syllable accuracy as shared/tools/score_restore.py; model trained without the document;")
    out.append("tokens/s = whitespace tokens per CPU second, one core, best of 3 runs each from cold caches "
               "(the model's precomputed candidate lists for words seen in training included)")
    return "\n".join(out)
