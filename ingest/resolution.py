"""Decide the resolution a page image is OCR'd at: its own, upsampled only where its text is
small for tesseract.

Scans of plans are 150-300 dpi; rendering them at a fixed 300 dpi makes tesseract read
more pixels for no more information (and reads 200 dpi scans less well than at their own
resolution: docs/benchmarks.md). What tesseract needs is text of a size in pixels, so the
page's x-height is measured on the image (``image_to_x_height``) and the page upsampled
only when that is below ``MIN_X_HEIGHT_PX``.
"""
from __future__ import annotations

from .ink import image_to_x_height

# Measured on the sample scans (docs/benchmarks.md, `kehoach bench ocr`): below this
# x-height (pixels) tesseract's word accuracy drops; at or above it, upsampling gains nothing.
MIN_X_HEIGHT_PX = 14.0
MAX_UPSAMPLE = 2.0      # a page is never enlarged more than this


def x_height_to_scale(x_height: float | None) -> float:
    """Given a page's x-height in pixels (None: unknown), return the factor to enlarge the
    page by before OCR: 1 when its text is large enough, else up to ``MAX_UPSAMPLE``."""
    if x_height is None or x_height >= MIN_X_HEIGHT_PX:
        return 1.0
    return min(MAX_UPSAMPLE, MIN_X_HEIGHT_PX / max(x_height, 1.0))


def image_to_ocr_resolution(image, dpi: int):
    """Given a page image at its own resolution, return (the image to OCR, its dpi, a note
    for the page's decision or ""): the image as it is when its text is large enough for
    tesseract, else enlarged (bicubic) until it is."""
    from PIL import Image

    x_height = image_to_x_height(image)
    scale = x_height_to_scale(x_height)
    if scale == 1.0:
        return image, dpi, ""
    new_dpi = round(dpi * scale)
    scale = new_dpi / dpi
    size = (round(image.width * scale), round(image.height * scale))
    return (image.resize(size, Image.BICUBIC), new_dpi,
            f"upsampled from {dpi} to {new_dpi} dpi for OCR (x-height {x_height:.0f} px)")
