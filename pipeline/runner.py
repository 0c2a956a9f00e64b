"""Run the stages on one document: ingest -> OCR pages -> normalize -> extract.

``process_file`` is the whole pipeline for one input, in this process. The batch runner
(pipeline.batch) uses the same three pieces but spreads OCR pages over worker processes.
"""
from __future__ import annotations

from pathlib import Path

from ingest.document import PageJob, ocr_page, plan_document
from ingest.ocr import OcrEngine, TesseractEngine
from pipeline.settings import Settings
from schema import Document, Page, ProducedBy


def make_engine(settings: Settings) -> OcrEngine:
    from pipeline.startup import import_pytesseract_without_pandas

    import_pytesseract_without_pandas()  # a no-op once imported (forked workers inherit it)
    return TesseractEngine(lang=settings.lang, psm=settings.psm)


def merge_ocr_page(doc: Document, page: Page) -> None:
    """Put an OCR'd page in its place in the document, recording a failure as a warning."""
    doc.pages[page.number - 1] = page
    if page.error:
        doc.warn("ocr", f"page {page.number} could not be read: {page.error}", page=page.number)
    if page.dropped:
        shown = ", ".join(repr(w.text) for w in page.dropped[:8])
        more = f" and {len(page.dropped) - 8} more" if len(page.dropped) > 8 else ""
        doc.warn("ocr", f"page {page.number}: {len(page.dropped)} OCR words read as scan specks or "
                 f"rule glyphs left out of the text ({shown}{more}); see pages[].dropped",
                 page=page.number)


def finish_document(doc: Document, settings: Settings) -> Document:
    """Given a Document whose pages are all read, normalize and extract it; set status."""
    import normalize.stage
    from pipeline.settings import kehoach_version

    doc.produced_by = ProducedBy(version=kehoach_version(), options=settings.fingerprint())
    normalize.stage.run(doc, settings)
    if settings.extract:
        import extract

        extract.run(doc, settings)
    for page in doc.pages:
        if not page.error and not page.raw_text.strip():
            doc.warn("ingest", f"page {page.number} is blank: no text found", page=page.number)
    failed = [p.number for p in doc.pages if p.error]
    if failed and len(failed) == len(doc.pages):
        doc.status = "failure"
    elif failed:
        doc.status = "partial"
    return doc


def process_file(path: str | Path, settings: Settings | None = None,
                 engine: OcrEngine | None = None) -> Document:
    """Given one input file, return its finished Document (raises KehoachError if unreadable)."""
    settings = settings or Settings()
    doc, jobs = plan_document(Path(path), settings)
    if jobs:
        engine = engine or make_engine(settings)
        for job in jobs:
            merge_ocr_page(doc, ocr_page(job, engine))
    return finish_document(doc, settings)


def ocr_job(job: PageJob, settings: Settings) -> Page:
    """Worker entry point: OCR one page with a fresh engine (picklable arguments only)."""
    return ocr_page(job, make_engine(settings))
