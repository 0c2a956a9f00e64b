"""Decide the resolution a page image is OCR'd at when asked for its own (``--dpi own``, the
default): its own, enlarged only where its text is small for tesseract.

Scans of plans are 150-300 dpi; rendering them at a fixed 300 dpi makes tesseract read
more pixels for no more information. What tesseract needs is text of a size in pixels, so
each page's x-height is measured on the image (``ingest.ink.image_to_x_height``) and the
page enlarged only when that is small.
"""
from __future__ import annotations

from .ink import image_to_x_height

# Measured on the sample scans (docs/benchmarks.md, `kehoach bench ocr`, vie). Body text
# of the 200 dpi scans has an x-height of 14-18 px: word accuracy at their own resolution
# 0.948 against 0.952 at 300 dpi, cell similarity 0.982 against 0.960, for 0.78x the OCR
# time. The 150 dpi scans' 13 px pages read as well as enlarged to 200 dpi; a 12 px page
# lost 6 words of 407 more. Metadata hangs on a few words of the first page, and single
# misreads there come and go with the resolution (0.81-0.95 at or near 200 dpi with the
# rules of the time, 1.00 at 300): once headers, list markers and field labels were read
# through such slips, the samples' audit at own resolution equals 300 dpi's (items F1
# 99.3%, metadata 100%) and the generated scan families' fields are as good or better.
MIN_X_HEIGHT_PX = 13.0        # below this a page is enlarged ...
TARGET_X_HEIGHT_PX = 17.0     # ... to this
MAX_UPSAMPLE = 2.0            # a page is never enlarged more than this


def x_height_to_scale(x_height: float | None) -> float:
    """Given a page's x-height in pixels (None: unknown), return the factor to enlarge the
    page by before OCR: 1 when its text is large enough, else what brings it to
    ``TARGET_X_HEIGHT_PX``, at most ``MAX_UPSAMPLE``."""
    if x_height is None or x_height >= MIN_X_HEIGHT_PX:
        return 1.0
    return min(MAX_UPSAMPLE, TARGET_X_HEIGHT_PX / max(x_height, 1.0))


def image_to_ocr_dpi(image, dpi: int) -> tuple[int, str]:
    """Given a page image at its own resolution, return (the dpi to OCR it at, a note for
    the page's decision or ""): its own when its text is large enough for tesseract, else
    what enlarges the text enough."""
    x_height = image_to_x_height(image)
    new_dpi = round(dpi * x_height_to_scale(x_height))
    if new_dpi == dpi:
        return dpi, ""
    return new_dpi, f"enlarged from {dpi} to {new_dpi} dpi for OCR (small text, x-height {x_height:.0f} px)"


def enlarge(image, dpi: int, new_dpi: int):
    """Given a page image, its dpi and a higher one, return the image at the higher dpi
    (bicubic: the page is not rendered again)."""
    from PIL import Image

    if new_dpi == dpi:
        return image
    scale = new_dpi / dpi
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.BICUBIC)


def image_to_ocr_resolution(image, dpi: int):
    """Given a page image at its own resolution, return (the image to OCR, its dpi, a note
    for the page's decision or ""): the image as it is when its text is large enough for
    tesseract, else enlarged until it is."""
    new_dpi, note = image_to_ocr_dpi(image, dpi)
    return enlarge(image, dpi, new_dpi), new_dpi, note
