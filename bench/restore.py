"""Figures for `kehoach bench restore`: leave-one-document-out on the corpus, and the
unseen plans (tests/fixtures/unseen: never in training) with the model a user gets."""
from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from ..normalize.restore.train import CLEAN_DOCS, PAIR_DOCS, evaluate_doc, score

INPUT_KINDS = ("raw", "vie", "clean")
LABELS = {"raw": "old OCR", "vie": "tesseract vie, degraded render", "clean": "correct text (unchanged)",
          "stripped": "diacritics stripped"}
UNSEEN = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "unseen"
UNSEEN_OLD_OCR = UNSEEN / "old-ocr"  # scripts/unseen_old_ocr.py


def docs_to_rows(docs: list[str] | None = None) -> list[dict]:
    """Given document ids (default all), return one row per (document, input kind)."""
    rows = []
    for doc in docs or PAIR_DOCS + CLEAN_DOCS:
        fig = evaluate_doc(doc)
        for kind in INPUT_KINDS:
            if kind in fig:
                rows.append({"doc": doc, "input": kind, **fig[kind]})
    return rows


def strip_diacritics(text: str) -> str:
    """Given Vietnamese text, return it as old OCR without Vietnamese fonts gave it."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def unseen_inputs() -> dict[str, dict[str, str]]:
    """Return {plan: {"gold", "raw" (old OCR), "stripped", "clean"}} for every unseen plan
    whose old OCR was made (old-ocr/<plan>.txt; its gold is old-ocr/<plan>.gold.txt when the
    plan is no text file: the table plan)."""
    out = {}
    for ocr in sorted(UNSEEN_OLD_OCR.glob("*.txt")):
        plan = ocr.name[:-4]
        if plan.endswith(".gold"):
            continue
        gold_file = UNSEEN_OLD_OCR / f"{plan}.gold.txt"
        gold = (gold_file if gold_file.exists() else UNSEEN / f"{plan}.txt").read_text(encoding="utf-8")
        out[plan] = {"gold": gold, "raw": ocr.read_text(encoding="utf-8"),
                     "stripped": strip_diacritics(gold), "clean": gold}
    return out


def unseen_rows(restorer=None) -> list[dict]:
    """Given a Restorer (default: the bundled model), return one row per (unseen plan,
    input kind: old OCR, diacritics stripped, correct text) and an "all" row per kind."""
    from ..normalize.restore.model import Restorer

    r = restorer or Restorer.load()
    rows, sums = [], {}
    for plan, texts in unseen_inputs().items():
        for kind in ("raw", "stripped", "clean"):
            text = texts[kind]
            r.clear_caches()
            t0 = time.process_time()
            hyp = r.restore_text(text).text
            dt = max(time.process_time() - t0, 1e-9)
            before, total = score(texts["gold"], text)
            after, _ = score(texts["gold"], hyp)
            rows.append({"doc": plan, "input": kind, "before": before / total, "after": after / total,
                         "total": total, "tokens_per_s": len(text.split()) / dt})
            s = sums.setdefault(kind, [0, 0, 0, 0.0, 0])
            s[0] += before; s[1] += after; s[2] += total; s[3] += dt; s[4] += len(text.split())
    for kind, (before, after, total, dt, ntok) in sums.items():
        rows.append({"doc": "unseen (all)", "input": kind, "before": before / total, "after": after / total,
                     "total": total, "tokens_per_s": ntok / dt})
    return rows


def rows_to_table(rows: list[dict]) -> str:
    """Given bench rows, return a plain-text table."""
    out = [f"{'document':<18} {'input':<32} {'before':>7} {'after':>7} {'tokens':>6} {'tokens/s':>9}"]
    for r in rows:
        out.append(f"{r['doc']:<18} {LABELS[r['input']]:<32} {r['before']:>7.2%} {r['after']:>7.2%} "
                   f"{r['total']:>6} {r['tokens_per_s']:>9.0f}")
    out.append("accuracy = syllable accuracy as shared/tools/score_restore.py; corpus documents: model trained "
               "without the document; unseen plans: the bundled model (they are never trained on);")
    out.append("tokens/s = whitespace tokens per CPU second, one core (corpus: best of 3 runs each from cold caches, "
               "the model's precomputed candidate lists for words seen in training included; unseen: one cold run)")
    return "\n".join(out)
