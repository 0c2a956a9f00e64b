"""Build generated plans: gold records, born-digital PDF, degraded scan and old OCR text.

    .venv/bin/python -m kehoach.bench.plans.build --out build/plans                  # every family, 20 each
    .venv/bin/python -m kehoach.bench.plans.build --out DIR --per-family 2 --kinds pdf,ocr --jobs 2

Plan ids are ``<family>-<k>`` (k = 000, 001, ...); the seed of plan k of a family is a CRC of
"<family>:<k>", so a plan is the same whatever else is built. Files that already exist are kept
(a rebuild only adds what is missing). Per plan, in OUT: ``<id>.records.json`` (gold, corpus
format), ``<id>.pdf``, ``<id>.scan.pdf``, ``<id>.ocr.txt``.
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from .catalogue import load_catalogue  # noqa: E402

KINDS = ("pdf", "scan", "ocr")
SUFFIX = {"records": ".records.json", "pdf": ".pdf", "scan": ".scan.pdf", "ocr": ".ocr.txt"}
DEFAULT_PER_FAMILY = 20
SUBSET = ROOT / "bench" / "plans" / "subset"


@dataclass(frozen=True)
class PlanRef:
    family: str
    k: int

    @property
    def plan_id(self) -> str:
        return f"{self.family}-{self.k:03d}"

    @property
    def seed(self) -> int:
        return zlib.crc32(f"{self.family}:{self.k}".encode())


def plan_refs(families: list[str] | None = None, per_family: int = DEFAULT_PER_FAMILY,
              start: int = 0) -> list[PlanRef]:
    """Return the plans to build: ``per_family`` plans of each family (all by default),
    numbered from ``start`` (another start gives plans of other seeds: a held-out set)."""
    cat = load_catalogue()
    ids = families or [f.id for f in cat.families]
    for f in ids:
        cat.family(f)  # unknown ids fail here with the list of known ones
    return [PlanRef(f, k) for f in ids for k in range(start, start + per_family)]


def plan_paths(out: Path, ref: PlanRef) -> dict[str, Path]:
    return {k: out / f"{ref.plan_id}{s}" for k, s in SUFFIX.items()}


def build_plan(ref: PlanRef, out: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, Path]:
    """Given a plan reference, write its missing files into ``out``; return their paths."""
    from .draw import draw_plan
    from .render import (images_to_pdf_bytes, pdf_to_scan_images, plan_to_pdf_bytes,
                                    scan_images_to_old_ocr_text)

    paths = plan_paths(out, ref)
    wanted = ["records", *kinds]
    if all(paths[k].exists() for k in wanted):
        return paths
    out.mkdir(parents=True, exist_ok=True)
    plan = draw_plan(load_catalogue().family(ref.family), ref.seed, ref.plan_id)
    if not paths["records"].exists():
        paths["records"].write_text(json.dumps(plan.records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    pdf = plan_to_pdf_bytes(plan)
    if "pdf" in kinds and not paths["pdf"].exists():
        paths["pdf"].write_bytes(pdf)
    need_scan = ("scan" in kinds and not paths["scan"].exists()) or ("ocr" in kinds and not paths["ocr"].exists())
    if need_scan:
        images = pdf_to_scan_images(pdf, seed=ref.seed % 100000)
        if "scan" in kinds and not paths["scan"].exists():
            paths["scan"].write_bytes(images_to_pdf_bytes(images))
        if "ocr" in kinds and not paths["ocr"].exists():
            paths["ocr"].write_text(scan_images_to_old_ocr_text(images), encoding="utf-8")
    return paths


def _build_one(args) -> str:
    ref, out, kinds = args
    build_plan(ref, out, kinds)
    return ref.plan_id


def build_all(refs: list[PlanRef], out: Path, kinds: tuple[str, ...] = KINDS, jobs: int = 1,
              quiet: bool = False) -> None:
    """Build every plan of ``refs`` into ``out`` (``jobs`` worker processes)."""
    work = [(r, out, kinds) for r in refs]
    if jobs <= 1:
        done = map(_build_one, work)
    else:
        pool = ProcessPoolExecutor(jobs)
        done = pool.map(_build_one, work)
    for i, pid in enumerate(done, 1):
        if not quiet:
            print(f"[{i}/{len(work)}] {pid}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "plans")
    ap.add_argument("--per-family", type=int, default=DEFAULT_PER_FAMILY)
    ap.add_argument("--start", type=int, default=0, help="first plan number of each family (held-out sets)")
    ap.add_argument("--family", action="append", default=None, help="family id (repeatable); default all")
    ap.add_argument("--kinds", default=",".join(KINDS), help="pdf,scan,ocr (records always)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--subset", action="store_true",
                    help=f"rebuild the committed test subset ({SUBSET.relative_to(ROOT)}): plan 0 of a few families, pdf and ocr")
    args = ap.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        ap.error(f"unknown kinds {bad}; choose from {list(KINDS)}")
    if args.subset:
        refs = [PlanRef(f, 0) for f in SUBSET_FAMILIES]
        build_all(refs, SUBSET, ("pdf", "ocr"), args.jobs)
        return 0
    build_all(plan_refs(args.family, args.per_family, args.start), args.out, kinds, args.jobs)
    return 0


# families whose plan 0 is committed for tests (small files: pdf + old OCR text + records)
SUBSET_FAMILIES = ("province-assignment-milestones", "kpi-one-year", "project-list-focal-unit")

if __name__ == "__main__":
    sys.exit(main())
