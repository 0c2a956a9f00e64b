"""The one place pypdfium2 is used: render a PDF page to an image for OCR."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import IngestError


def render_pdf_page(path: Path, page_index: int, dpi: int):
    """Given a PDF and a 0-based page index, return the page as a greyscale PIL image."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise IngestError(f"{path.name}: cannot render page {page_index + 1}: {exc}",
                          code="render-failed") from exc
    try:
        page = pdf[page_index]
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        image = bitmap.to_pil().convert("L")
        page.close()
        return image
    finally:
        pdf.close()
