"""The one place pypdfium2 is used: render a PDF page to an image for OCR."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import IngestError

DEFAULT_RENDER_DPI = 300  # a page without a scanned image (vector art, glyph garbage)
# A scanned page is rendered at its image's own resolution, kept in this range: a 72/96 dpi
# image is a screen grab (or a wrongly sized scan) whose text is judged by its size in
# pixels anyway (ingest.resolution); above 400 dpi tesseract reads no better, only slower.
OWN_DPI_RANGE = (100, 400)
MIN_IMAGE_SHARE = 0.5  # a page whose largest image covers less of it is not a scan


def render_pdf_page(path: Path, page_index: int, dpi: int | None):
    """Given a PDF, a 0-based page index and a resolution (None: the page's own, see
    ``page_to_own_dpi``), return (the page as a greyscale PIL image, its dpi)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise IngestError(f"{path.name}: cannot render page {page_index + 1}: {exc}",
                          code="render-failed") from exc
    try:
        page = pdf[page_index]
        if dpi is None:
            own = page_to_own_dpi(page)
            dpi = DEFAULT_RENDER_DPI if own is None else min(max(round(own), OWN_DPI_RANGE[0]),
                                                             OWN_DPI_RANGE[1])
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        image = bitmap.to_pil().convert("L")
        page.close()
        return image, dpi
    finally:
        pdf.close()


def page_to_own_dpi(page) -> float | None:
    """Given a pypdfium2 page, return the resolution of the scanned image that makes it
    (its largest image, when that covers at least ``MIN_IMAGE_SHARE`` of the page): pixels
    per inch of the image as placed, the lower of its two directions; None when there is
    no such image."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    best, best_area = None, 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
            meta = obj.get_metadata()
        except Exception:  # noqa: BLE001 - a damaged image object: judge by the others
            continue
        area = max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
        if area > best_area and meta.horizontal_dpi > 0 and meta.vertical_dpi > 0:
            best, best_area = min(meta.horizontal_dpi, meta.vertical_dpi), area
    if best is None or best_area < MIN_IMAGE_SHARE * width * height:
        return None
    return best
