"""A fax-style (group4) TIFF page goes through OCR: its compression must not leak into the
temporary image handed to tesseract (a regression: every page failed with an encoder error)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kehoach.ingest.images import load_image_page
from kehoach.ingest.ocr import TesseractEngine

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "001-son-la.pages1-2.tiff"


@pytest.mark.ocr
def test_group4_tiff_page_is_read():
    image, dpi = load_image_page(SAMPLE, 0)
    assert image.info.get("compression") == "group4"  # what made the old code fail
    result = TesseractEngine().recognize(image, dpi=dpi)
    assert "KẾ HOẠCH" in result.text.upper() or "Kế hoạch" in result.text
    assert len(result.words) > 50
