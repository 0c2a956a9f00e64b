"""Turn one input file into a Document with its pages: text layers read directly, and a
``PageJob`` for every page that needs OCR (run separately, possibly in another process).
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .detect import sniff_kind
from ..core.errors import IngestError, KehoachError, MissingToolError
from .ocr import INSTALL_HINT, OcrEngine
from ..schema import Document, ErrorInfo, Page, Source, line_to_error_info


# errors of a PDF or image reader that mean "this is not that format at all"
UNPARSED_HEADER = {"corrupt-pdf", "bad-image", "no-pages"}
TEXT_SUFFIXES = {".txt", ".text"}


@dataclass(frozen=True)
class PageJob:
    """Everything a worker needs to OCR one page (picklable, no open handles)."""

    path: str
    kind: str          # "pdf" or "image"
    index: int         # 0-based page / frame index
    dpi: int | None    # resolution to OCR at; None: the page's own (ingest.resolution)
    timeout: float
    reason: str
    encoding: str | None = None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def printable_path(path: Path) -> tuple[str, bool]:
    """Given a path, return it as valid Unicode (undecodable bytes of old archives' file
    names become U+FFFD) and whether that is exact."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text, True
    except UnicodeEncodeError:
        raw = os.fsencode(path)
        return raw.decode("utf-8", "replace"), False


def plan_document(path: Path, settings, sha256: str | None = None) -> tuple[Document, list[PageJob]]:
    """Given an input file, return its Document (text-layer pages filled) and OCR jobs."""
    kind = sniff_kind(path)
    shown, exact = printable_path(path)
    source = Source(path=shown, sha256=sha256 or file_sha256(path), kind=kind,
                    size_bytes=path.stat().st_size)
    doc = Document(source=source)
    if not exact:
        doc.warn("ingest", "the file name is not valid UTF-8; source.path shows the undecodable "
                 "bytes as U+FFFD")
    jobs: list[PageJob] = []
    if kind == "text":
        _plan_text(path, doc)
    elif kind in ("docx", "doc"):
        _plan_word(path, doc, kind)
    else:
        try:
            jobs = _plan_pdf(path, doc, settings) if kind == "pdf" else _plan_image(path, doc, settings)
        except IngestError as exc:
            # a text file whose first bytes look like a header ("%PDF-" quoted at the
            # start, "GIF89a ..."): the header does not parse, so read it as the text it is
            if exc.code not in UNPARSED_HEADER or path.suffix.lower() not in TEXT_SUFFIXES:
                raise
            doc.pages.clear()
            doc.source.kind = "text"
            _plan_text(path, doc)
            doc.warn("ingest", f"{path.name} starts like a {kind} but is not one ({exc.message}); "
                     "read it as text")
    doc.source.pages = len(doc.pages)
    if jobs and settings.ocr_unavailable:
        raise MissingToolError(f"{path.name} needs OCR but {settings.ocr_unavailable}",
                               hint=settings.ocr_hint or INSTALL_HINT)
    suffix = path.suffix.lower()
    if kind == "image" and suffix == ".pdf":
        doc.warn("ingest", f"{path.name} is named .pdf but is an image; read it as an image")
    if kind == "pdf" and suffix not in (".pdf", ""):
        doc.warn("ingest", f"{path.name} is named {suffix} but is a PDF; read it as a PDF")
    doc.stages.append("ingest")
    return doc, jobs


def _plan_text(path: Path, doc: Document) -> None:
    from .text_file import read_text_file

    pages, encoding, warnings = read_text_file(path)
    doc.source.encoding = encoding
    for message in warnings:
        doc.warn("ingest", message)
    for i, text in enumerate(pages, start=1):
        doc.pages.append(Page(number=i, method="text", raw_text=text, text=text,
                              encoding=encoding if encoding not in ("utf-8", "ascii") else None,
                              decision="plain-text input"))


def _plan_word(path: Path, doc: Document, kind: str) -> None:
    from .word import read_doc, read_docx

    if kind == "doc":
        pages, decision = read_doc(path), "Word document converted to .docx by LibreOffice"
    else:
        pages, decision = read_docx(path), "Word document"
    for wp in pages:
        doc.pages.append(Page(number=wp.number, method="text", raw_text=wp.text, text=wp.text,
                              width=wp.width, height=wp.height, tables=wp.tables,
                              decision=f"{decision}: paragraphs and table cells"))


def _plan_pdf(path: Path, doc: Document, settings) -> list[PageJob]:
    from .pdf_text import read_text_layer
    from .text_layer import assess_text_layer

    jobs = []
    for tl in read_text_layer(path):
        page = Page(number=tl.number, method="text", width=tl.width, height=tl.height)
        decision = assess_text_layer(tl.text, tl.image_area)
        if tl.error:
            decision_reason, use_text = tl.error, False
        elif settings.force_ocr:
            decision_reason, use_text = "OCR forced (--force-ocr)", False
        else:
            decision_reason, use_text = decision.reason, decision.use_text
        page.decision = decision_reason
        if tl.missing:  # the page tree declares it but it is not there: nothing to read
            page.error = ErrorInfo(**line_to_error_info(tl.error), page=tl.number, stage="ingest")
        elif use_text:
            page.raw_text = page.text = tl.text
            page.words = tl.words
            page.tables = tl.tables
        else:
            page.method = "ocr"
            page.encoding = decision.encoding
            jobs.append(PageJob(str(path), "pdf", tl.number - 1, settings.dpi,
                                settings.page_timeout, decision_reason, decision.encoding))
        doc.pages.append(page)
    return jobs


def _plan_image(path: Path, doc: Document, settings) -> list[PageJob]:
    from .images import image_page_count

    jobs = []
    for i in range(image_page_count(path)):
        doc.pages.append(Page(number=i + 1, method="ocr", decision="image input"))
        jobs.append(PageJob(str(path), "image", i, settings.dpi, settings.page_timeout,
                            "image input"))
    return jobs


def ocr_page(job: PageJob, engine: OcrEngine) -> Page:
    """Given a page job, render or load the page image and OCR it into a Page (text, words
    and ruled tables, see ingest.scan_page).

    Failures of this page are recorded on the page (``error``), never raised, so one bad
    page does not lose the rest of the document.
    """
    from .images import load_image_page
    from .render import render_pdf_page
    from .resolution import enlarge, image_to_ocr_dpi
    from .scan_page import image_to_reading

    page = Page(number=job.index + 1, method="ocr", decision=job.reason, encoding=job.encoding)
    try:
        if job.kind == "pdf":
            image, dpi = render_pdf_page(Path(job.path), job.index, job.dpi)
        else:
            image, dpi = load_image_page(Path(job.path), job.index)
        if job.dpi is None:  # the page's own resolution, enlarged where its text is small
            new_dpi, note = image_to_ocr_dpi(image, dpi)
            image, dpi = enlarge(image, dpi, new_dpi), new_dpi
            if note:
                page.decision = f"{page.decision}; {note}"
        page.dpi = dpi
        reading = image_to_reading(image, dpi, engine, timeout=job.timeout or None,
                                   fix_orientation=engine.fix_orientation)
        width, height = image.size if reading.rotation in (0, 180) else image.size[::-1]
        page.width, page.height = round(width * 72.0 / dpi, 2), round(height * 72.0 / dpi, 2)
        page.raw_text = page.text = unicodedata.normalize("NFC", reading.text)
        page.words = reading.words
        page.confidence = reading.confidence
        page.rotation = reading.rotation
        page.tables = reading.tables
        page.dropped = reading.dropped
        if reading.warnings:
            page.decision = "; ".join([page.decision, *reading.warnings])
    except KehoachError as exc:
        if exc.code == "missing-tool":
            raise  # nothing can be OCR'd: stop the batch with the install hint
        page.error = ErrorInfo(code=exc.code, message=exc.message, hint=exc.hint,
                               page=page.number, stage="ocr")
    except Exception as exc:  # a damaged page image must not lose the other pages
        page.error = ErrorInfo(code="ocr-failed", message=f"{type(exc).__name__}: {exc}"[:300],
                               page=page.number, stage="ocr")
    return page
