"""``kehoach bench extract``: score extraction per plan and input kind against gold records.

Input kinds per plan (skipped with a note when absent):
  gold-text  corpus gold text (= perfectly restored OCR text) — the extractors' ceiling
  raw-ocr    corpus raw old-OCR text through the pipeline (normalize restores diacritics)
  pdf        samples/<id>.pdf (born digital)
  scan       samples/<id>.scan.pdf (image-only scan, OCR: minutes per plan)
  scan-short, image, tiff: samples/<id>.scan-short.pdf, .page1.jpg, .pages1-2.tiff (scored on
             their own <stem>.expected.json, which holds only the items they show)
Expected records: samples/<stem>.expected.json when present, else corpus gold records.

With ``records`` (a folder ``kehoach ingest --out`` wrote), each input's saved record is
re-extracted with the current rules instead of being read again (``extract.rerun``): the
way to iterate on extraction rules without paying for OCR each time.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..schema import Document, Page, Source
from ..core.corpus import CORPUS

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PLANS = ("000-cho-don", "001-son-la", "003-xa", "004-tan-ky")
# sample input kinds -> file name suffix after the plan id (samples/README.md)
SAMPLE_SUFFIX = {"pdf": ".pdf", "scan": ".scan.pdf", "scan-short": ".scan-short.pdf",
                 "image": ".page1.jpg", "tiff": ".pages1-2.tiff"}
INPUT_KINDS = ("gold-text", "raw-ocr") + tuple(SAMPLE_SUFFIX)


@dataclass
class BenchInput:
    plan: str
    kind: str
    path: Optional[Path]
    expected: Optional[Path]
    note: str = ""


@dataclass
class BenchRow:
    plan: str
    kind: str
    row: Optional[dict] = None
    note: str = ""
    mismatches: list = field(default_factory=list)


def text_to_document(path: Path, restore: bool) -> Document:
    """Given a plain-text plan, return a Document after ingest+normalize (pages split on form
    feeds), using the pipeline when it can read text files, else building it here."""
    try:
        from ..pipeline.runner import process_file
        from ..core.settings import Settings

        return process_file(path, Settings(restore=restore, extract=False))
    except Exception:
        pass  # text ingest not available yet: build the Document directly
    data = path.read_bytes()
    text = data.decode("utf-8")
    pages = [Page(number=i + 1, method="ocr", raw_text=t, text=t) for i, t in enumerate(text.split("\f"))]
    doc = Document(source=Source(path=str(path), sha256=hashlib.sha256(data).hexdigest(),
                                 pages=len(pages), kind="text", size_bytes=len(data)), pages=pages)
    try:
        from ..normalize import stage
        from ..core.settings import Settings

        stage.run(doc, Settings(restore=restore))
    except Exception as e:
        doc.warn("normalize", f"normalize skipped in bench: {type(e).__name__}: {e}")
    return doc


def file_to_document(path: Path) -> Document:
    """Given a PDF or image, return the Document through the pipeline without extract."""
    from ..pipeline.runner import process_file
    from ..core.settings import Settings

    return process_file(path, Settings(extract=False, jobs=1))


def bench_inputs(plans: tuple[str, ...] = PLANS, kinds: tuple[str, ...] = ("gold-text", "raw-ocr", "pdf", "scan"),
                 corpus: Path = CORPUS, samples: Path = SAMPLES) -> list[BenchInput]:
    """Return the (plan, input kind, path, expected) combinations, noting missing files."""
    out = []
    for plan in plans:
        gold = corpus / "gold" / f"{plan}.records.json"
        for kind in kinds:
            if kind == "gold-text":
                p = corpus / "gold" / f"{plan}.txt"
                if not p.exists():
                    p = corpus / "raw" / f"{plan}.txt"  # 003: raw is already correct text
                exp = gold
            elif kind == "raw-ocr":
                p, exp = corpus / "raw" / f"{plan}.txt", gold
                sample_exp = samples / f"{plan}.ocr.expected.json"
                exp = sample_exp if sample_exp.exists() else exp
            else:
                p = samples / f"{plan}{SAMPLE_SUFFIX[kind]}"
                stem = p.name[: -len(p.suffix)]
                sample_exp = samples / f"{stem}.expected.json"
                # partial samples (short scan, one page) are scored only on their own expected
                exp = sample_exp if sample_exp.exists() else (gold if kind in ("pdf", "scan") else sample_exp)
            note = "" if p.exists() else f"absent: {p}"
            out.append(BenchInput(plan, kind, p if p.exists() else None, exp if exp.exists() else None, note))
    return out


def saved_record_path(folder: Path, bi: BenchInput) -> Path:
    """Given a folder and a bench input, return where ``--save-records`` keeps its record
    (``<plan>.<kind>.json``: gold and raw text files share their names)."""
    return folder / f"{bi.plan}.{bi.kind}.json"


def input_to_document(bi: BenchInput, records: Optional[Path] = None) -> Optional[Document]:
    """Given a bench input, return its Document extracted with the current rules: from its
    saved record in ``records`` (re-extracted), else by running the pipeline on the input;
    None when ``records`` is given and holds no record of this input."""
    from .. import extract
    if records is not None:
        from ..pipeline.rerun import record_for_input, reextract
        from ..pipeline.record_files import path_to_document

        rec = saved_record_path(records, bi)
        rec = rec if rec.exists() else record_for_input(records, bi.path)
        return None if rec is None else reextract(path_to_document(rec))
    if bi.kind in ("gold-text", "raw-ocr"):
        doc = text_to_document(bi.path, restore=(bi.kind == "raw-ocr"))
    else:
        doc = file_to_document(bi.path)
    return extract.run(doc)


def run_bench(inputs: list[BenchInput], records: Optional[Path] = None,
              save_records: Optional[Path] = None) -> list[BenchRow]:
    """Run extraction on each available input (or re-extract its saved record in
    ``records``) and score it with outputs.compare; with ``save_records``, also write each
    Document there as ``<plan>.<kind>.json`` for later ``records`` runs."""
    from ..outputs.compare import compare_records, score_row

    rows = []
    for bi in inputs:
        if bi.path is None or bi.expected is None:
            rows.append(BenchRow(bi.plan, bi.kind, note=bi.note or "no expected records"))
            continue
        try:
            doc = input_to_document(bi, records)
            if doc is None:
                rows.append(BenchRow(bi.plan, bi.kind, note=f"no record of {bi.path.name} in {records}"))
                continue
        except Exception as e:
            rows.append(BenchRow(bi.plan, bi.kind, note=f"failed: {type(e).__name__}: {e}"))
            continue
        if save_records is not None:
            from ..pipeline.records import write_json_atomic

            write_json_atomic(saved_record_path(save_records, bi), doc.model_dump_json(indent=1))
        expected = json.loads(bi.expected.read_text(encoding="utf-8"))
        score = compare_records(expected, doc)
        note = "; ".join(w.message for w in doc.warnings if w.stage == "normalize")[:120]
        rows.append(BenchRow(bi.plan, bi.kind, score_row(bi.plan, score), note, score.mismatches))
    return rows


def _f(x: Any) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


def rows_to_table(rows: list[BenchRow]) -> str:
    """Given bench rows, return a fixed-width text table (one line per plan x input)."""
    head = (f"{'plan':12} {'input':9} | {'kind':7} {'n_exp':>5} {'n_act':>5} {'P':>5} {'R':>5} {'F1':>5}"
            f" | {'dl':>5} {'lead':>5} {'coop':>5} {'val':>5} | meta")
    out = [head, "-" * len(head)]
    for r in rows:
        if r.row is None:
            out.append(f"{r.plan:12} {r.kind:9} | skipped ({r.note})")
            continue
        for k in ("targets", "tasks"):
            s = r.row[k]
            meta = "" if k == "tasks" else f"{r.row['metadata']:.2f} wrong={','.join(r.row['metadata_wrong']) or '-'}"
            if s is None:
                out.append(f"{r.plan:12} {r.kind:9} | {k:7} not annotated")
                continue
            out.append(f"{r.plan:12} {r.kind:9} | {k:7} {s['n_exp']:5d} {s['n_act']:5d} {_f(s['P'])} {_f(s['R'])}"
                       f" {_f(s['F1'])} | {_f(s['deadline'])} {_f(s['lead'])} {_f(s['coop'])}"
                       f" {_f(s['values'])} | {meta}")
    notes = [f"  {r.plan} {r.kind}: {r.note}" for r in rows if r.row is not None and r.note]
    if notes:
        out += ["notes:"] + notes
    return "\n".join(out)
