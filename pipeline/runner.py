"""Run the stages on one document: ingest -> OCR pages -> normalize -> extract.

``process_file`` is the whole pipeline for one input, in this process. The batch runner
(pipeline.batch) uses the same three pieces but spreads OCR pages over worker processes.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..ingest.document import PageJob, ocr_page, plan_document
from ..core.errors import KehoachError
from ..ingest.ocr import OcrEngine, TesseractEngine, import_pytesseract_without_pandas, resolve_models
from .limits import PAGE_MARGIN_S, stage_time_limit
from ..core.settings import Settings
from ..schema import Document, ErrorInfo, Page, ProducedBy, Source, Status


# Whether this process is one of the batch's worker processes (pipeline.batch's worker
# initializer says so). Only there is tesseract's library loaded in the process: a crash in
# it costs the worker, and the batch gives that input an error record. Where kehoach runs
# in its caller's process (--jobs 1, the Python API, Dask's threads) a crash would end the
# whole run, so each page is read by the tesseract command, a process of its own.
_worker = {"is": False}


def mark_batch_worker() -> None:
    """Record that this process is a batch worker: its OCR may load tesseract's library."""
    _worker["is"] = True


def make_engine(settings: Settings) -> OcrEngine:
    import_pytesseract_without_pandas()  # a no-op once imported (forked workers inherit it)
    lang = settings.lang or _default_models(settings.tessdata_dir)
    return TesseractEngine(lang=lang, psm=settings.psm, tessdata_dir=settings.tessdata_dir,
                           in_process=_worker["is"])


@lru_cache(maxsize=4)
def _default_models(tessdata_dir: str | None) -> str:
    """The default models as tesseract takes them, listed once per process (every page job
    makes an engine)."""
    return resolve_models(None, tessdata_dir).lang


def merge_ocr_page(doc: Document, page: Page) -> None:
    """Put an OCR'd page in its place in the document (a page that could not be read keeps
    its error; ``finish_document`` lists it in the document's errors)."""
    doc.pages[page.number - 1] = page
    if page.dropped:
        shown = ", ".join(repr(w.text) for w in page.dropped[:8])
        more = f" and {len(page.dropped) - 8} more" if len(page.dropped) > 8 else ""
        doc.warn("ocr", f"page {page.number}: {len(page.dropped)} OCR words read as scan specks or "
                 f"rule glyphs left out of the text ({shown}{more}); see pages[].dropped",
                 page=page.number)


def finish_document(doc: Document, settings: Settings) -> Document:
    """Given a Document whose pages are all read, normalize and extract it; set status."""
    from ..normalize import stage
    from ..core.settings import kehoach_version

    ensure_warm(doc, settings)  # loading the model is no file's work: not in its time limits
    doc.produced_by = ProducedBy(version=kehoach_version(), options=settings.fingerprint())
    # pages that could not be read lead the errors, in page order (OCR ends in any order)
    doc.errors = [p.error for p in doc.pages if p.error] + doc.errors
    name = Path(doc.source.path).name
    with stage_time_limit("normalize", settings.file_timeout, name):
        stage.run(doc, settings)
    if settings.extract:
        from .. import extract
        with stage_time_limit("extract", settings.file_timeout, name):
            extract.run(doc, settings)
    for page in doc.pages:
        if not page.error and not page.raw_text.strip():
            doc.warn("ingest", f"page {page.number} is blank: no text found", page=page.number)
    doc.status = document_status(doc)
    return doc


def document_status(doc: Document) -> Status:
    """Given a finished Document, return its status, the one place it is decided: failure
    when not one of its pages could be read, partial when anything failed (a page, a
    reader, a parser: ``Document.errors``), else success."""
    if doc.pages and all(p.error for p in doc.pages):
        return "failure"
    return "partial" if doc.errors or any(p.error for p in doc.pages) else "success"


# A few lines of a plan, read as an OCR'd page: finishing it loads what every document's
# finishing needs (restoration model, extraction rule tables) without knowing their names.
WARM_UP_TEXT = """ỦY BAN NHÂN DÂN XÃ
Số: 1/KH-UBND
KẾ HOẠCH
Thực hiện nhiệm vụ năm 2025
I. MỤC TIÊU
1. Tỷ lệ hộ nghèo giảm 2%.
II. NHIỆM VỤ
1. Phòng Kinh tế chủ trì, hoàn thành trước ngày 30/6/2025.
Nơi nhận:
CHỦ TỊCH
"""


def warm_up(settings: Settings) -> None:
    """Load once what finishing documents needs, by finishing a tiny made-up one (the
    result is thrown away; the caches are per process)."""
    global _warmed
    if _warmed or not (settings.restore or settings.extract):
        return
    _warmed = True  # first, as finishing the made-up document comes back here
    doc = Document(source=Source(path="warm-up", sha256="", kind="image"),
                   pages=[Page(number=1, method="ocr", raw_text=WARM_UP_TEXT)])
    try:
        finish_document(doc, settings)
    except Exception:  # noqa: BLE001 - the real documents will meet and report it
        pass


_warming: threading.Thread | None = None
_warmed = False


def start_warm_up(settings: Settings) -> None:
    """Run ``warm_up`` in a thread of this process (once), so the restoration model and
    rule tables (~0.5 s) load while the first pages are read: that is mostly waiting on
    tesseract. Finishing a document waits for it (``finish_document``). Also the pool
    workers' initializer."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=warm_up, args=(settings,), daemon=True,
                                    name="kehoach-warm-up")
        _warming.start()


def ensure_warm(doc: Document, settings: Settings) -> None:
    """Return once what finishing ``doc`` needs is loaded in this process: wait for the
    warm-up thread, or warm up here when none ran and a page of ``doc`` is to be restored (a
    pool or Dask worker's first document: on a busy machine loading the model alone can take
    seconds of a short --file-timeout; born-digital pages never load it)."""
    from ..normalize.stage import needs_restoration

    wait_warm_up()
    if settings.restore and any(needs_restoration(p, doc.source.kind) for p in doc.pages):
        warm_up(settings)


def wait_warm_up() -> None:
    """Wait until the warm-up thread (if any) is done; never from the thread itself."""
    if _warming is not None and _warming is not threading.current_thread():
        _warming.join()


def process_file(path: str | Path, settings: Settings | None = None,
                 engine: OcrEngine | None = None, warm_up_during_ocr: bool = False,
                 on_pages: Callable[[int, int], None] | None = None) -> Document:
    """Given one input file, return its finished Document (raises KehoachError if unreadable).
    ``warm_up_during_ocr``: start ``start_warm_up`` if pages go to OCR (only then is there
    waiting to hide it in; otherwise it would just contend for the interpreter).
    ``on_pages(read, total)`` is told the pages read so far, once parsed and after each OCR page."""
    settings = settings or Settings()
    doc, jobs = plan_file(Path(path), settings)
    if on_pages:
        on_pages(len(doc.pages) - len(jobs), len(doc.pages))
    if jobs and warm_up_during_ocr:
        start_warm_up(settings)
    if jobs:
        engine = engine or make_engine(settings)
        for done, job in enumerate(jobs, start=len(doc.pages) - len(jobs) + 1):
            merge_ocr_page(doc, ocr_page_limited(job, engine))
            if on_pages:
                on_pages(done, len(doc.pages))
    return finish_document(doc, settings)


def plan_file(path: Path, settings: Settings, sha256: str | None = None):
    """``plan_document`` (parse the file, plan its OCR pages) within --file-timeout."""
    with stage_time_limit("ingest", settings.file_timeout, path.name):
        return plan_document(path, settings, sha256=sha256)


def ocr_page_limited(job: PageJob, engine: OcrEngine) -> Page:
    """``ocr_page`` within the page timeout plus a margin (rendering and table grids are
    not covered by tesseract's own timeout): a page past it gets a page error."""
    limit = job.timeout + PAGE_MARGIN_S if job.timeout else None
    try:
        with stage_time_limit("ocr", limit, f"{Path(job.path).name} page {job.index + 1}",
                              option="--page-timeout"):
            return ocr_page(job, engine)
    except KehoachError as exc:
        if exc.code != "timeout":
            raise
        return Page(number=job.index + 1, method="ocr", decision=job.reason,
                    encoding=job.encoding, error=ErrorInfo(code=exc.code, message=exc.message,
                                                           hint=exc.hint, page=job.index + 1,
                                                           stage="ocr"))


def ocr_job(job: PageJob, settings: Settings) -> Page:
    """Worker entry point: OCR one page with a fresh engine (picklable arguments only)."""
    return ocr_page_limited(job, make_engine(settings))
