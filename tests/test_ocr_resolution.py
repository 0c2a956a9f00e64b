"""The resolution a page is OCR'd at (its own, upsampled where its text is small) and the
ink checks that skip OCR passes with nothing to read. Real sample scans; the OCR test runs
real tesseract."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kehoach.ingest.ink import image_to_text_box, image_to_x_height
from kehoach.ingest.render import page_to_own_dpi, render_pdf_page
from kehoach.ingest.ocr import OcrResult
from kehoach.ingest.resolution import TARGET_X_HEIGHT_PX, image_to_ocr_resolution
from kehoach.ingest.scan_page import image_to_reading
from kehoach.schema import Word

from fake_ocr import FakeEngine

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


def test_small_text_is_enlarged_large_text_kept():
    page, dpi = render_pdf_page(SHORT_SCAN, 0, 200)
    same, same_dpi, note = image_to_ocr_resolution(page, dpi)
    assert same is page and same_dpi == 200 and note == ""
    small = page.resize((page.width // 2, page.height // 2), Image.BICUBIC)   # a 100 dpi scan
    big, big_dpi, note = image_to_ocr_resolution(small, 100)
    assert big_dpi > 100 and big.width == round(small.width * big_dpi / 100)
    assert abs(image_to_x_height(big) - TARGET_X_HEIGHT_PX) <= 2
    assert "enlarged from 100" in note and "small text" in note


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
    d.line((100, 300, 900, 300), fill=0, width=2)         # rule stubs left by blanking
    d.line((50, 100, 50, 600), fill=0, width=3)
    assert image_to_text_box(img, min_line=8) is None
    _letters(d, 100, 40, 400, 60)                         # one line of text
    x0, t, x1, b = image_to_text_box(img, min_line=8)    # around it (and specks beside it)
    assert 0 < x0 <= 100 and 30 <= t <= 40 and 403 <= x1 < 500 and 61 <= b <= 70
    d.rectangle((800, 640, 803, 665), fill=0)             # a page number "1": one stroke
    d.rectangle((796, 662, 808, 665), fill=0)
    x0, t, x1, b = image_to_text_box(img, min_line=8)
    assert 0 < x0 <= 100 and 30 <= t <= 40 and 809 <= x1 < 900 and 666 <= b <= 680


def _table_only_page(with_heading: bool) -> Image.Image:
    """A page whose ruled table fills it, scan specks around it (and a heading above)."""
    img = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [60, 200, 600, 940], [60, 200, 350, 500, 650]
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        d.line((x, ys[0], x, ys[-1]), fill=0, width=3)
    for r in range(4):
        d.rectangle((220, ys[r] + 30, 560, ys[r] + 55), fill=0)
    for x, y in ((20, 20), (970, 680), (500, 670), (30, 400)):
        d.rectangle((x, y, x + 1, y + 1), fill=0)
    if with_heading:
        _letters(d, 300, 15, 700, 40)
    return img


class CountingEngine(FakeEngine):
    """Returns one word per image (its ink's box) and remembers the images' sizes per run."""

    def __init__(self):
        super().__init__()
        self.sizes: list[list[tuple[int, int]]] = []

    def recognize_many(self, images, *, dpi, timeout=None, psm=None):
        self.sizes.append([im.size for im in images])
        out = []
        for im in images:
            ys, xs = np.nonzero(np.asarray(im) < 128)
            words = [Word(text="chữ", bbox=(xs.min(), ys.min(), xs.max(), ys.max()), conf=90.0, line=0)]
            out.append(OcrResult(text="chữ", words=words, confidence=90.0))
        return out


@pytest.mark.parametrize("with_heading", [False, True])
def test_blanked_page_pass_only_where_text_is_left(with_heading):
    engine = CountingEngine()
    reading = image_to_reading(_table_only_page(with_heading), dpi=72, engine=engine)
    assert len(reading.tables) == 1
    # four row images; the page with its table blanked only when the heading is on it,
    # cut to the heading, and its word put back where the heading is on the page
    assert [len(sizes) for sizes in engine.sizes] == [5 if with_heading else 4]
    assert sum(c.text == "chữ" for c in reading.tables[0].cells) == 4
    if with_heading:
        w, h = engine.sizes[0][0]
        assert w < 500 and h < 50
        heading = [w for w in reading.words if w.bbox[3] < 60]
        assert len(heading) == 1 and abs(heading[0].bbox[0] - 300) <= 1 and abs(heading[0].bbox[1] - 15) <= 1


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
    table_page = ocr_page(PageJob(str(SHORT_SCAN), "pdf", 1, None, 0, "test"), TesseractEngine())
    assert table_page.error is None and table_page.dpi == 200 and len(table_page.tables) == 1


def test_dpi_option_takes_a_number_or_own():
    from kehoach.cli import dpi_option
    from kehoach.core.settings import Settings

    assert dpi_option("own") is None and dpi_option("OWN") is None and dpi_option("200") == 200
    with pytest.raises(ValueError):
        dpi_option("high")
    assert Settings().dpi is None and Settings(dpi=300).dpi == 300
