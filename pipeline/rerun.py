"""Re-extract saved records: run the extract stage again on a record's normalized pages.

OCR is the expensive part of the pipeline; the extract rules change more often. A record
(``<stem>.json``, a ``schema.Document``) keeps its pages (normalized text, words, tables),
so the extract stage can be run again on it without reading the input again:

    doc = reextract(path_to_document("out/plan.scan.json"))

Everything the extract stage fills (metadata, items, units, its warnings) is cleared first,
so a re-extracted record equals what ``kehoach ingest`` would write with the current rules.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from ..schema import SCHEMA_VERSION, Document, Metadata

STAGE = "extract"
REVIEW_STAGE = "review"  # warnings of corrections applied (pipeline.corrections)
FINISHING_STAGES = ("normalize", "extract")  # the stages that run on read pages


def document_to_unextracted(doc: Document) -> Document:
    """Given a Document (extracted or not), return a copy as the normalize stage left it:
    no metadata, items, units or extract warnings, "extract" not among its stages."""
    out = doc.model_copy(deep=True)
    out.metadata = Metadata()
    out.targets, out.tasks, out.units = [], [], []
    out.doc_id, out.review = None, None  # extraction and corrections set them again
    out.warnings = [w for w in out.warnings if w.stage not in (STAGE, REVIEW_STAGE)]
    out.errors = [e for e in out.errors if e.stage != STAGE]
    out.stages = [s for s in out.stages if s != STAGE]
    return out


def saved_to_ingested(saved: Document) -> Document:
    """Given a saved record, return its Document as ingest and OCR left it: page texts back
    to what was read, restored words and cells back to their ``raw``, no edits, and nothing
    the normalize and extract stages added; ``finish_document`` then makes the record again
    with the current rules and model, without reading the input again."""
    doc = document_to_unextracted(saved)
    for page in doc.pages:
        page.text, page.edits, page.tokens_changed = page.raw_text, [], 0
        for word in page.words:
            if word.raw is not None:
                word.text, word.raw = word.raw, None
        for table in page.tables:
            for cell in table.cells:
                if cell.raw is not None:
                    cell.text, cell.raw = cell.raw, None
    # finish_document adds these again (and page errors, before schema 1.1 an ocr warning)
    doc.warnings = [w for w in doc.warnings if w.stage != "normalize"
                    and not (w.stage == "ingest" and w.message.endswith("is blank: no text found"))
                    and not (w.stage == "ocr" and " could not be read: " in w.message)]
    page_errors = [p.error for p in doc.pages if p.error]
    doc.errors = [e for e in doc.errors if e.stage not in FINISHING_STAGES and e not in page_errors]
    doc.schema_version = SCHEMA_VERSION
    doc.stages = [s for s in doc.stages if s not in FINISHING_STAGES]
    doc.produced_by = None
    return doc


def reextract(doc: Document, settings: Any = None) -> Document:
    """Given a saved Document, return a copy extracted again with the current rules; its
    ``produced_by.version`` names the build that re-extracted it."""
    from .. import extract
    from ..core.settings import kehoach_version

    from .runner import document_status

    out = extract.run(document_to_unextracted(doc), settings)
    out.status = document_status(out)
    if out.produced_by is not None:
        out.produced_by = out.produced_by.model_copy(update={"version": kehoach_version()})
    return out


def record_for_input(records: Path, input_path: Path) -> Optional[Path]:
    """Given a folder of records and an input file, return the record ``kehoach ingest``
    wrote for that input there (``<stem>*.json`` whose source has the same file name in a
    folder of the same name: corpus gold/ and raw/ texts share their names), or None."""
    from .record_files import path_to_document

    for cand in sorted(records.glob(f"{input_path.stem}*.json")):
        if cand.name.endswith(".error.json"):
            continue
        try:
            doc = path_to_document(cand)
        except Exception:  # noqa: BLE001 - not a record: not this input's
            continue
        if Path(doc.source.path).parts[-2:] == input_path.resolve().parts[-2:]:
            return cand
    return None
