"""The resolution a page is OCR'd at (its own, upsampled where its text is small) and the
ink checks that skip OCR passes with nothing to read. Real sample scans; the OCR test runs
real tesseract."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kehoach.ingest.ink import has_text_lines, image_to_x_height
from kehoach.ingest.render import page_to_own_dpi, render_pdf_page
from kehoach.ingest.resolution import MIN_X_HEIGHT_PX, image_to_ocr_resolution

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SHORT_SCAN = SAMPLES / "001-son-la.scan-short.pdf"   # 200 dpi, 1-bit: page 1 and a table page


def _own_dpi(path: Path, index: int) -> float | None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return page_to_own_dpi(pdf[index])
    finally:
        pdf.close()


def test_a_scanned_page_is_rendered_at_its_images_resolution():
    assert round(_own_dpi(SHORT_SCAN, 0)) == 200
    assert round(_own_dpi(SHORT_SCAN, 1)) == 200          # landscape page, same scan
    image, dpi = render_pdf_page(SHORT_SCAN, 1, None)
    assert dpi == 200 and abs(image.size[0] - 2339) <= 1 and abs(image.size[1] - 1654) <= 1  # its own pixels
    image, dpi = render_pdf_page(SHORT_SCAN, 0, 300)      # --dpi overrides
    assert dpi == 300 and abs(image.size[0] - 595.44 * 300 / 72) <= 1


def test_a_born_digital_page_has_no_own_resolution():
    assert _own_dpi(SAMPLES / "001-son-la.pdf", 0) is None
    assert render_pdf_page(SAMPLES / "001-son-la.pdf", 0, None)[1] == 300


def test_x_height_follows_the_scan_resolution():
    at_200 = image_to_x_height(render_pdf_page(SHORT_SCAN, 0, 200)[0])
    at_100 = image_to_x_height(render_pdf_page(SHORT_SCAN, 0, 100)[0])
    # 13-14 pt serif body text: x-height ~0.45 em, 16-17 px at 200 dpi
    assert 14 <= at_200 <= 20
    assert 0.4 <= at_100 / at_200 <= 0.6
    assert image_to_x_height(Image.new("L", (800, 1000), 255)) is None  # nothing to measure


def test_small_text_is_upsampled_large_text_kept():
    page, dpi = render_pdf_page(SHORT_SCAN, 0, 200)
    same, same_dpi, note = image_to_ocr_resolution(page, dpi)
    assert same is page and same_dpi == 200 and note == ""
    small = page.resize((page.width // 2, page.height // 2), Image.BICUBIC)   # a 100 dpi scan
    big, big_dpi, note = image_to_ocr_resolution(small, 100)
    assert big_dpi > 100 and big.width == round(small.width * big_dpi / 100)
    assert image_to_x_height(big) >= MIN_X_HEIGHT_PX - 1
    assert "upsampled from 100" in note


def _letters(d: ImageDraw.ImageDraw, x0: int, top: int, x1: int, bottom: int) -> None:
    """Draw a line of letter-like strokes (3 px wide, 4 px apart) in the box."""
    for x in range(x0, x1, 7):
        d.rectangle((x, top, x + 2, bottom), fill=0)


def test_specks_and_rule_stubs_are_not_text_lines():
    img = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(img)
    rng = np.random.default_rng(0)
    for x, y in rng.integers(0, 690, size=(300, 2)):     # dust: 1-2 px specks
        d.rectangle((x, y, x + 1, y + 1), fill=0)
    d.line((100, 300, 900, 300), fill=0, width=2)         # a rule stub left by blanking
    d.line((50, 100, 50, 600), fill=0, width=3)
    assert not has_text_lines(img, min_line=8)
    _letters(d, 100, 40, 400, 60)                         # one line of text
    assert has_text_lines(img, min_line=8)


@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_ingest_reads_a_scan_at_its_own_resolution():
    from kehoach.ingest.document import PageJob, ocr_page
    from kehoach.ingest.ocr import TesseractEngine

    page = ocr_page(PageJob(str(SHORT_SCAN), "pdf", 0, None, 0, "test"), TesseractEngine())
    assert page.error is None and page.dpi == 200
    assert abs(page.width - 595.44) < 1 and abs(page.height - 842.04) < 1  # points, not pixels
    text = "".join(page.raw_text.split())
    for phrase in ("KẾ HOẠCH", "ỦY BAN NHÂN DÂN", "169/KH-UBND", "Sơn La"):
        assert "".join(phrase.split()) in text, phrase
