"""Count syllable n-grams of generated plan text (bench/plans) for the restoration LM.

usage: python scripts/plan_text_ngrams.py [--per-family 20] [--out normalize/data/restore_sources/ngrams/plans.tsv.gz]

The plan generator composes plans of 16 layout families from the project's own phrase
lists (bench/plans/words.yaml): headers, titles, body paragraphs, appendix tables and lists,
recipients, signer blocks. Their text, plan by plan (a table row's cells each a paragraph),
is counted as extract_vi_sources.py counts registry text. Seeded: the same counts every run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from kehoach.bench.plans.build import plan_refs  # noqa: E402
from kehoach.bench.plans.catalogue import load_catalogue  # noqa: E402
from kehoach.bench.plans.draw import draw_plan  # noqa: E402
from extract_vi_sources import write_counts  # noqa: E402
from kehoach.normalize.restore.lm import NgramCounts, text_to_streams  # noqa: E402


def plan_to_paragraphs(plan) -> list[str]:
    """Given a drawn plan, return its printed text as paragraphs."""
    out = [*plan.header_left, *plan.header_right, plan.number_line, plan.dateline, plan.doc_type, plan.title,
           *plan.paragraphs]
    for app in plan.appendices:
        out += [*app.heading, app.subheading, *app.headers]
        for row in app.rows:
            out += [row.text, *row.cells]
        for title, lines in app.list_blocks:
            out += [title, *lines]
        out.append(app.note_after)
    out += [*plan.recipients, *plan.signature]
    return [p for p in out if p and p.strip()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-family", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "normalize" / "data" / "restore_sources" / "ngrams" / "plans.tsv.gz")
    a = ap.parse_args()
    cat = load_catalogue()
    counts = NgramCounts()
    for ref in plan_refs(per_family=a.per_family):
        plan = draw_plan(cat.family(ref.family), ref.seed, ref.plan_id)
        for par in plan_to_paragraphs(plan):
            counts.add_streams(text_to_streams(par))
    write_counts(a.out, counts.c1, counts)


if __name__ == "__main__":
    main()
