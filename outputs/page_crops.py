"""Render a source page and cut out the region a value came from, with its box drawn.

Provenance boxes are ``[x0, top, x1, bottom]`` in PDF points, origin top-left (see
schema/models.py). PDFs are rendered with pypdfium2 at ``scale`` pixels per point; images
(JPEG, PNG, multi-page TIFF) are opened with PIL and their pixels-per-point is derived from
the page width recorded in the Document (or the image's dpi).
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path
from typing import Optional

from PIL import Image, ImageDraw, ImageSequence

from ..schema.models import BBox

RENDER_SCALE = 2.0  # 144 dpi: small text stays legible in the report
MARGIN_PT = 40.0    # context kept around the box, in points
BOX_COLOUR = (220, 30, 30)


@lru_cache(maxsize=8)
def _pdf_page_image(path: str, page_number: int, scale: float) -> Image.Image:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return pdf[page_number - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()


@lru_cache(maxsize=8)
def _image_page(path: str, page_number: int) -> Image.Image:
    with Image.open(path) as img:
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i == page_number - 1:
                return frame.convert("RGB")
    raise IndexError(f"{path} has no page {page_number}")


def source_page_to_image(path: str | Path, page_number: int, page_width_pt: Optional[float] = None
                         ) -> tuple[Image.Image, float]:
    """Given a PDF or image file and a 1-based page, return (RGB page image, pixels per point)."""
    path = str(path)
    if path.lower().endswith(".pdf"):
        return _pdf_page_image(path, page_number, RENDER_SCALE).copy(), RENDER_SCALE
    img = _image_page(path, page_number).copy()
    if page_width_pt:
        return img, img.width / page_width_pt
    dpi = (img.info.get("dpi") or (72, 72))[0] or 72
    return img, float(dpi) / 72.0


def page_box_to_crop(img: Image.Image, px_per_pt: float, bbox: BBox, margin_pt: float = MARGIN_PT) -> Image.Image:
    """Given a page image and a box in points, return the region around it with the box outlined.

    The crop keeps the full page width when the box is narrow, so a table row is seen whole.
    """
    x0, top, x1, bottom = (v * px_per_pt for v in bbox)
    draw = ImageDraw.Draw(img)
    draw.rectangle([x0, top, x1, bottom], outline=BOX_COLOUR, width=max(2, round(px_per_pt)))
    m = margin_pt * px_per_pt
    left, right = (0, img.width) if (x1 - x0) < img.width / 2 else (max(0, x0 - m), min(img.width, x1 + m))
    return img.crop((int(left), int(max(0, top - m)), int(right), int(min(img.height, bottom + m))))


def image_to_data_uri(img: Image.Image, max_width: int = 1000) -> str:
    """Given an image, return a base64 PNG data URI (scaled down to ``max_width``)."""
    if img.width > max_width:
        img = img.resize((max_width, max(1, round(img.height * max_width / img.width))))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def provenance_to_crop_uri(path: str | Path, provenance: Optional[dict],
                           page_widths: dict[int, float] | None = None) -> Optional[str]:
    """Given a source file and a provenance dict, return the crop as a data URI, or None
    when the provenance has no page and box or the source is not a PDF or image."""
    if not provenance or not provenance.get("page") or not provenance.get("bbox"):
        return None
    if Path(path).suffix.lower() not in (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"):
        return None
    page = int(provenance["page"])
    img, px_per_pt = source_page_to_image(path, page, (page_widths or {}).get(page))
    return image_to_data_uri(page_box_to_crop(img, px_per_pt, tuple(provenance["bbox"])))
