"""kehoach.ingest.scan_grid on scans of ruled appendix tables built from the gold records: rendered,
rotated and degraded (noise, blur, broken rules), with the text-layer words moved like the
image standing in for OCR words (one test runs real tesseract, marked `ocr`)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tables"))

from build_tables import (build_pdf, degrade, gold_specs, pdfplumber_tables, render_page,  # noqa: E402
                          text_layer_words)
from kehoach.ingest.scan_grid import (dark_to_skew, gray_to_dark, image_to_skew, image_to_tables,  # noqa: E402
                                      words_to_cell_text)
from kehoach.schema import Word  # noqa: E402

DPI = 150


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    return {i: build_pdf([s], d / f"{i}.pdf") for i, s in enumerate(gold_specs())}


def _norm(t: str) -> str:
    return " ".join(t.split())


# (spec index, page): roman numeral beside a spanning cell, "Thứ nhất" spanning all columns,
# numbered groups over lettered items, nine columns with years.
@pytest.mark.parametrize("spec,page", [(1, 0), (5, 0), (2, 0), (3, 0)])
@pytest.mark.parametrize("angle", [0.0, 1.0, -1.5])
def test_degraded_scan_cells_match_the_ruled_pdf(pdfs, spec, page, angle):
    import pdfplumber

    with pdfplumber.open(pdfs[spec]) as pdf:
        pg = pdf.pages[page]
        ref = pdfplumber_tables(pg)[0]
        words = text_layer_words(pg, angle)
    img = degrade(render_page(pdfs[spec], page, DPI), angle=angle, seed=spec)
    tables = image_to_tables(img, words, 72 / DPI)
    assert len(tables) == 1
    t = tables[0]
    assert t.method == "image-grid"
    assert (t.n_rows, t.n_cols, len(t.cells)) == (ref.n_rows, ref.n_cols, len(ref.cells))
    assert [[_norm(c) for c in r] for r in t.rows()] == [[_norm(c) for c in r] for r in ref.rows()]
    spans = sorted((c.row, c.col, c.row_span, c.col_span) for c in t.cells)
    assert spans == sorted((c.row, c.col, c.row_span, c.col_span) for c in ref.cells)
    # Boxes come back in page points, close to the ruled PDF's (rotation moves corners).
    for a, b in zip(sorted(t.cells, key=lambda c: (c.row, c.col)), sorted(ref.cells, key=lambda c: (c.row, c.col))):
        assert max(abs(x - y) for x, y in zip(a.bbox, b.bbox)) < 12


def test_body_page_without_grid_returns_nothing():
    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    for i in range(40):  # text-like blobs and an underlined heading, no grid
        y = 200 + 35 * i
        for x in range(120, 1100, 60):
            d.rectangle((x, y, x + 40, y + 14), fill=0)
    d.line((450, 150, 800, 150), fill=0, width=2)
    assert image_to_tables(img, [], 72 / 150) == []
    assert image_to_tables(Image.new("L", (600, 800), 255), [], 72 / 150) == []


@pytest.mark.parametrize("angle", [-1.5, -0.7, 0.0, 0.4, 1.2])
def test_skew_is_recovered(angle):
    img = Image.new("L", (1200, 900), 255)
    d = ImageDraw.Draw(img)
    for y in range(100, 800, 60):
        d.line((100, y, 1100, y), fill=0, width=2)
    rotated = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    assert abs(image_to_skew(rotated) - (-angle)) < 0.08
    assert abs(dark_to_skew(gray_to_dark(np.asarray(rotated))) + angle) < 0.08


def test_grid_with_broken_rules_and_merged_row():
    img = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [100, 200, 600, 900], [100, 160, 220, 320, 420]
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        for y0, y1 in zip(ys, ys[1:]):
            if y0 == 160 and x not in (xs[0], xs[-1]):
                continue  # row 1 is one cell spanning all columns
            d.line((x, y0, x, y1), fill=0, width=3)
    for x in range(110, 900, 97):  # noise breaks in the rules
        d.rectangle((x, 95, x + 4, 105), fill=255)
    words = [Word(text="TT", bbox=(130 * .72, 120 * .72, 160 * .72, 140 * .72)),
             Word(text="Về", bbox=(110 * .72, 180 * .72, 140 * .72, 200 * .72)),
             Word(text="thể", bbox=(150 * .72, 180 * .72, 190 * .72, 200 * .72)),
             Word(text="chế", bbox=(210 * .72, 180 * .72, 250 * .72, 200 * .72)),
             Word(text="|", bbox=(598 * .72, 240 * .72, 602 * .72, 260 * .72)),
             Word(text="Công", bbox=(610 * .72, 240 * .72, 660 * .72, 260 * .72)),
             Word(text="an", bbox=(610 * .72, 275 * .72, 640 * .72, 295 * .72))]
    tables = image_to_tables(img, words, 0.72)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (4, 3)
    spanning = [c for c in t.cells if c.row == 1]
    assert len(spanning) == 1 and spanning[0].col_span == 3 and spanning[0].text == "Về thể chế"
    assert t.rows()[0][0] == "TT"
    assert t.rows()[2][2] == "Công\nan"  # the "|" OCR read on the rule is not text


def test_words_to_cell_text_reading_order():
    words = [(50, 30, 80, 40, "hai"), (10, 31, 45, 41, "dòng"), (10, 10, 40, 20, "Một"),
             (45, 11, 60, 21, "câu")]
    assert words_to_cell_text(words) == "Một câu\ndòng hai"
    assert words_to_cell_text([]) == ""


def test_rules_broken_by_wear_still_make_a_grid():
    """Worn scans break rules every few centimetres; the quick check must not skip the page."""
    from kehoach.ingest.scan_grid import gray_to_dark, image_to_grid, may_have_rules

    img = np.full((3508, 2480), 255, np.uint8)  # A4 at 300 dpi
    for y in (800, 1000, 1200, 1400, 1600):
        img[y:y + 4, 200:2280] = 0
        for x in range(200, 2280, 100):
            img[y:y + 4, x:x + 5] = 255  # a 5 px gap every 100 px
    for x in (200, 600, 1500, 2276):
        img[800:1604, x:x + 4] = 0
    assert may_have_rules(gray_to_dark(img), img.shape[1])
    grid = image_to_grid(Image.fromarray(img))
    assert grid is not None and [(len(t.xs), len(t.ys)) for t in grid.tables] == [(4, 5)]
    blank = np.full((3508, 2480), 255, np.uint8)
    assert not may_have_rules(gray_to_dark(blank), blank.shape[1])


def test_a_single_underline_is_no_grid_but_two_crossed_rules_are():
    """A body page whose only long rule is the underline under the motto stops before the
    deskew; a real grid (here skewed 1°) is still found."""
    from kehoach.ingest.scan_grid import (dark_to_rule_count, gray_to_dark, image_to_grid,
                                          may_have_rules)

    page = np.full((2339, 1655), 255, np.uint8)  # A4 at 200 dpi
    page[300:303, 1000:1450] = 0  # the underline under the motto
    for y in range(500, 1500, 60):  # text lines: words a gap apart
        for x in range(150, 1500, 90):
            page[y:y + 22, x:x + 70:3] = 0
    dark = gray_to_dark(page)
    assert may_have_rules(dark, 1655)  # the underline is a rule
    assert dark_to_rule_count(dark, 1655, 165, 28, enough=9) == 1
    assert image_to_grid(Image.fromarray(page)) is None

    table = page.copy()
    for y in (1600, 1700, 1800):
        table[y:y + 3, 150:1500] = 0
    for x in (150, 700, 1497):
        table[1600:1803, x:x + 3] = 0
    skewed = Image.fromarray(table).rotate(1.0, fillcolor=255)
    dark = gray_to_dark(np.asarray(skewed))
    assert dark_to_rule_count(dark, 1655, 165, 28, enough=9) >= 3
    grid = image_to_grid(skewed)
    assert grid is not None and [(len(t.xs), len(t.ys)) for t in grid.tables] == [(3, 3)]
