"""``kehoach bench generality``: extraction scored per plan family and input kind on generated
plans (bench/plans), with outputs/compare.py's scoring.

Input kinds: ``pdf`` (born digital), ``scan`` (image-only, OCR'd by the pipeline: slow),
``ocr`` (old OCR text: tesseract eng on the scan, restored by the pipeline). Plans missing from
the build folder are built first (bench/plans/build.py). Per family and kind the items of all
its plans are pooled: items P/R/F1 (targets and tasks together), then the accuracy over matched
items of deadline (end date), lead units (exact set), cooperating units (set F1) and values
(targets only); ``empty`` counts plans that expected items and got none.

With ``records`` (a folder), each input's Document is kept there as ``<plan>.<kind>.json``
after its first reading and re-extracted with the current rules on later runs
(``extract.rerun``): OCR of the scans is paid once while the extract rules are tuned.
``start`` picks plans ``start .. start+per_family-1`` of each family: a set of other seeds
(e.g. ``--start 100``) is a held-out set for rules tuned on plans 0..N.
"""
from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from .plans.build import KINDS, PlanRef, build_all, plan_paths, plan_refs

FIELDS = ("deadline", "lead_units", "cooperating_units", "values")


@dataclass
class PlanScore:
    """One plan read as one input kind: pooled counts (or the failure)."""

    plan: str
    family: str
    kind: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[float]] = field(default_factory=dict)  # name -> [correct, total]
    error: str = ""
    mismatches: list[dict] = field(default_factory=list)


@dataclass
class FamilyRow:
    family: str
    kind: str
    plans: int = 0
    failed: int = 0
    empty: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[float]] = field(default_factory=dict)

    @property
    def f1(self) -> float:
        from ..outputs.compare import PRF

        return PRF(self.tp, self.fp, self.fn).f1

    def accuracy(self, name: str) -> Optional[float]:
        c, t = self.fields.get(name, [0.0, 0])
        return c / t if t else None

    def to_dict(self) -> dict:
        return {"family": self.family, "kind": self.kind, "plans": self.plans, "failed": self.failed,
                "empty": self.empty, "tp": self.tp, "fp": self.fp, "fn": self.fn, "f1": self.f1,
                **{f: self.accuracy(f) for f in FIELDS}}


def input_to_document(ref: PlanRef, kind: str, folder: Path, records: Optional[Path] = None,
                      dpi: Optional[int] = None):
    """Given a plan and an input kind, return its Document extracted with the current rules:
    re-extracted from its saved record in ``records`` when there is one, else read by the
    pipeline at ``dpi`` (None: each page's own, ``--dpi own``; saved there when ``records``
    is given)."""
    from ..pipeline.runner import process_file
    from ..core.settings import Settings

    saved = records / f"{ref.plan_id}.{kind}.json" if records is not None else None
    if saved is not None and saved.exists():
        from ..pipeline.rerun import reextract
        from ..pipeline.record_files import path_to_document

        return reextract(path_to_document(saved))
    doc = process_file(plan_paths(folder, ref)[kind], Settings(jobs=1, restore=(kind == "ocr"), dpi=dpi))
    if saved is not None:
        from ..pipeline.records import write_json_atomic

        saved.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(saved, doc.model_dump_json(indent=1))
    return doc


def score_input(ref: PlanRef, kind: str, folder: Path, records: Optional[Path] = None,
                dpi: Optional[int] = None) -> PlanScore:
    """Given a plan and an input kind, run the pipeline on that input (or re-extract its
    saved record in ``records``) and score it against the plan's gold records (never
    raises: a failure is kept in ``error``)."""
    from ..outputs.compare import compare_records

    out = PlanScore(ref.plan_id, ref.family, kind)
    paths = plan_paths(folder, ref)
    try:
        expected = json.loads(paths["records"].read_text(encoding="utf-8"))
        doc = input_to_document(ref, kind, folder, records, dpi)
        score = compare_records(expected, doc)
    except Exception as e:  # a broken input is a figure (failed), not a crash of the bench
        out.error = f"{type(e).__name__}: {e}"[:300]
        return out
    items = score.items
    out.tp, out.fp, out.fn = items.tp, items.fp, items.fn
    for name in FIELDS:
        c = t = 0.0
        for s in (score.targets, score.tasks):
            if s.scored:
                fs = getattr(s, name)
                c, t = c + fs.correct, t + fs.total
        out.fields[name] = [c, t]
    out.mismatches = [{k: v for k, v in asdict(m).items() if k != "provenance"} for m in score.mismatches]
    return out


def _score_job(args) -> PlanScore:
    return score_input(*args)


def run_generality(folder: Path, families: Optional[list[str]] = None, per_family: int = 20,
                   kinds: tuple[str, ...] = KINDS, jobs: int = 1, build: bool = True,
                   quiet: bool = True, records: Optional[Path] = None, start: int = 0,
                   dpi: Optional[int] = None) -> list[PlanScore]:
    """Build what is missing of ``per_family`` plans of each family (from plan ``start``) into
    ``folder``, read each as every input kind of ``kinds`` (or re-extract its record saved in
    ``records``; scans OCR'd at ``dpi``, None: their own) and return the per-plan scores."""
    refs = plan_refs(families, per_family, start)
    if build:
        build_all(refs, folder, tuple(kinds), jobs=jobs, quiet=quiet)
    work = [(r, k, folder, records, dpi) for r in refs for k in kinds]
    if jobs <= 1:
        return [_score_job(w) for w in work]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_score_job, work, chunksize=1))


def scores_to_rows(scores: list[PlanScore]) -> list[FamilyRow]:
    """Given per-plan scores, return one pooled row per (family, kind), in input order."""
    rows: dict[tuple[str, str], FamilyRow] = {}
    for s in scores:
        row = rows.setdefault((s.family, s.kind), FamilyRow(s.family, s.kind))
        row.plans += 1
        if s.error:
            row.failed += 1
            continue
        if s.tp + s.fp == 0 and s.fn > 0:
            row.empty += 1
        row.tp, row.fp, row.fn = row.tp + s.tp, row.fp + s.fp, row.fn + s.fn
        for name, (c, t) in s.fields.items():
            acc = row.fields.setdefault(name, [0.0, 0])
            acc[0] += c
            acc[1] += t
    return list(rows.values())


def _f(x: Any) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


def rows_to_table(rows: list[FamilyRow]) -> str:
    """Given family rows, return a markdown table (one line per family and input kind) with an
    overall line per kind."""
    head = "| family | input | plans | items F1 | deadline | lead | coop | values | empty | failed |"
    out = [head, "|---|---|---|---|---|---|---|---|---|---|"]

    def line(r: FamilyRow) -> str:
        return (f"| {r.family} | {r.kind} | {r.plans} | {_f(r.f1)} | {_f(r.accuracy('deadline'))} | "
                f"{_f(r.accuracy('lead_units'))} | {_f(r.accuracy('cooperating_units'))} | "
                f"{_f(r.accuracy('values'))} | {r.empty} | {r.failed} |")

    for r in rows:
        out.append(line(r))
    for kind in dict.fromkeys(r.kind for r in rows):
        total = FamilyRow("**all families**", kind)
        for r in rows:
            if r.kind != kind:
                continue
            total.plans += r.plans
            total.failed += r.failed
            total.empty += r.empty
            total.tp, total.fp, total.fn = total.tp + r.tp, total.fp + r.fp, total.fn + r.fn
            for name, (c, t) in r.fields.items():
                acc = total.fields.setdefault(name, [0.0, 0])
                acc[0] += c
                acc[1] += t
        out.append(line(total))
    return "\n".join(out)
