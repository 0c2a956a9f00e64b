"""Scanned table pages read in one tesseract run: the page with its tables blanked plus one
image per table row (ingest.cell_rows, ingest.scan_page). Geometry is tested with a fake
engine; one test (marked `ocr`) reads a degraded scan of a ruled appendix table."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tables"))

from kehoach.ingest.cell_rows import crops_to_rows, grid_to_ocr_images, ink_to_first_line, row_box_to_page  # noqa: E402
from kehoach.ingest.ocr import OcrResult, split_pages  # noqa: E402
from kehoach.ingest.scan_grid import gray_to_dark, image_to_grid  # noqa: E402
from kehoach.ingest.scan_page import image_to_reading, placed_to_lines  # noqa: E402
from kehoach.schema import Word  # noqa: E402
from fake_ocr import FakeEngine  # noqa: E402
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


def _grid_page() -> Image.Image:
    """A 1000x700 page: a heading line, then a 3x3 ruled table with ink in some cells."""
    img = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(img)
    for x in range(100, 400, 7):  # a heading above the table: letter-like strokes
        d.rectangle((x, 40, x + 2, 60), fill=0)
    xs, ys = [100, 200, 600, 900], [100, 200, 350, 450]
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        d.line((x, ys[0], x, ys[-1]), fill=0, width=3)
    d.rectangle((140, 230, 160, 260), fill=0)   # an ordinal in (1, 0), beside the text's first line
    d.rectangle((220, 225, 560, 255), fill=0)   # two text lines in (1, 1)
    d.rectangle((220, 280, 500, 310), fill=0)
    d.rectangle((620, 120, 700, 150), fill=0)   # (0, 2)
    return img


def test_split_pages_of_one_tesseract_run():
    data = {"page_num": [1, 1, 2, 3], "text": ["a", "b", "c", "d"], "conf": [90, 91, 92, 93]}
    pages = split_pages(data, 3)
    assert [p["text"] for p in pages] == [["a", "b"], ["c"], ["d"]]
    assert pages[1]["conf"] == [92]
    assert split_pages(data, 1) == [data]


@pytest.mark.parametrize("rows,expected", [
    ([(0, 0), (10, 30)], 20.0),             # one text line 20 rows tall
    ([(0, 2), (10, 30), (40, 60)], 20.0),   # a speck above the first line is skipped
    ([(0, 2)], 25.0),                        # specks only: the middle of the crop
])
def test_first_text_line_of_a_crop(rows, expected):
    ink = np.zeros((50, 40), dtype=bool)
    for a, b in rows:
        ink[a:b, 5:35] = True
    assert ink_to_first_line(ink, min_height=5) == expected


def test_row_images_align_first_lines_and_map_back():
    gray = np.full((400, 600), 255, dtype=np.uint8)
    gray[110:130, 20:40] = 0                   # ordinal: one glyph, centred low in its cell
    gray[60:80, 100:300] = 0                   # text: first line higher up
    gray[100:120, 100:250] = 0
    dark = gray_to_dark(gray)
    rows = [[(15, 105, 45, 135), (95, 55, 305, 125)]]
    (image, slots), = crops_to_rows(gray, dark, rows, gap=10, hgap=8, min_line=5)
    canvas = np.asarray(image)
    # the ordinal's ink and the text's first line share rows in the row image
    ordinal_rows = set(np.flatnonzero((canvas[:, slots[0].x:slots[0].x + slots[0].w] < 128).any(axis=1)))
    text_rows = set(np.flatnonzero((canvas[:, slots[1].x:slots[1].x + slots[1].w] < 128).any(axis=1)))
    assert ordinal_rows & text_rows
    assert slots[1].x - (slots[0].x + slots[0].w) == 8
    # a word found in the second crop goes back to where it was on the page
    s = slots[1]
    box = (s.x + 5, s.y + 5, s.x + 50, s.y + 25)
    assert row_box_to_page(box, slots) == (100, 60, 145, 80)


def test_blanked_page_and_row_images_of_a_grid():
    grid = image_to_grid(_grid_page())
    assert grid is not None and len(grid.tables) == 1
    page, rows = grid_to_ocr_images(grid, 72, _grid_page())
    blank = np.asarray(page)
    assert blank[120:440, 110:890].min() == 255     # the table is blanked for the page pass
    assert (blank[40:60, 100:400] < 128).mean() > 0.3  # the heading is kept
    assert len(rows) == 2                            # rows 0 and 1 have ink, row 2 none
    assert [len(slots) for _, slots in rows] == [1, 2]


class InkEngine(FakeEngine):
    """Reads one word per inked crop: the page heading, then every row image's crops."""

    def recognize_many(self, images, *, dpi, timeout=None, psm=None):
        self.runs += 1
        out = []
        for i, im in enumerate(images):
            dark = np.asarray(im) < 128
            if i == 0:
                ys, xs = np.nonzero(dark)
                words = [Word(text="HOẠCH", bbox=(xs.min(), ys.min(), xs.max(), ys.max()), conf=95.0, line=0)]
                out.append(OcrResult(text="HOẠCH", words=words, confidence=95.0))
                continue
            words = []
            cols = np.flatnonzero(dark.any(axis=0))
            runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
            for k, run in enumerate(runs):
                ys = np.flatnonzero(dark[:, run[0]:run[-1] + 1].any(axis=1))
                words.append(Word(text=f"w{i}{k}", bbox=(run[0], ys.min(), run[-1] + 1, ys.max() + 1),
                                  conf=90.0, line=0))
            out.append(OcrResult(text=" ".join(w.text for w in words), words=words, confidence=90.0))
        return out


def test_table_page_is_read_in_one_engine_run_with_words_in_their_cells():
    engine = InkEngine()
    reading = image_to_reading(_grid_page(), dpi=72, engine=engine)
    assert engine.runs == 1
    assert len(reading.tables) == 1
    rows = reading.tables[0].rows()
    assert rows[0][2] == "w10" and rows[1][0] == "w20" and rows[1][1] == "w21"
    # the page text holds the heading, then the table's words where the table stood,
    # and every word's line number points at its line of that text
    lines = reading.text.split("\n")
    assert lines[0] == "HOẠCH"
    assert {"w10", "w20", "w21"} <= set(" ".join(lines[1:]).split())
    for w in reading.words:
        assert w.text in lines[w.line].split()
    # boxes are page points (72 dpi: pixels), inside the cell they were read in
    w20 = next(w for w in reading.words if w.text == "w20")
    assert 100 < w20.bbox[0] < w20.bbox[2] < 200 and 200 < w20.bbox[1] < w20.bbox[3] < 350


def test_visual_lines_across_cells():
    class P:
        def __init__(self, x0, t, x1, b):
            self.x0, self.t, self.x1, self.b = x0, t, x1, b

    a, b, c = P(200, 10, 240, 30), P(10, 12, 40, 30), P(10, 50, 40, 70)
    assert placed_to_lines([a, b, c]) == [[b, a], [c]]


@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_degraded_table_scan_reads_ordinals_and_cells(tmp_path):
    """The path ingest takes for a scanned page: the grid found, one tesseract run for the page
    and its row images, words placed in their cells, boxes in points on the page."""
    import os

    from build_tables import build_pdf, degrade, gold_specs, render_page
    from rapidfuzz import fuzz

    from kehoach.extract.table_columns import header_to_role
    from kehoach.extract.tables import tables_to_raw_items
    from kehoach.ingest.document import PageJob, ocr_page
    from kehoach.ingest.ocr import TesseractEngine
    from kehoach.schema import Document, Page, Source

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pdf = build_pdf([gold_specs()[1]], tmp_path / "t.pdf")
    img = degrade(render_page(pdf, 0, 200), angle=0.8, seed=1)
    img.save(tmp_path / "t.png", dpi=(200, 200))
    page = ocr_page(PageJob(str(tmp_path / "t.png"), "image", 0, 200, 0, "test"), TesseractEngine())
    assert page.error is None and len(page.tables) == 1
    rows = page.tables[0].rows()
    assert [header_to_role(t, RULES.tables) for t in rows[0][:4]] == ["ordinal", "text", "deadline", "lead"]
    doc = Document(source=Source(path="t.png", sha256="0", kind="image"),
                   pages=[Page(number=1, method="ocr", tables=page.tables)])
    items, _ = tables_to_raw_items(doc, RULES)
    ordinals = [i.ordinal for i in items]
    assert sum(o == str(k + 1) for k, o in enumerate(ordinals)) >= 7, ordinals
    first = items[0]
    assert fuzz.ratio(" ".join(first.text.split()),
                      "Triển khai công bố mã định danh điện tử của các cơ quan, đơn vị theo "
                      "Quyết định số 20/2020/QĐ-TTg, ngày 22/7/2020 được sửa đổi, bổ sung bởi "
                      "Quyết định số 09/2025/QĐ-TTg, ngày 14/4/2025") > 90
    assert first.cells["deadline"].startswith("07/2025")
    assert fuzz.ratio(first.section or "", "Về thể chế") >= 70  # tone slips: restoration's job
    # words keep boxes on the page, in points, and the page text holds the table's words
    assert all(0 <= w.bbox[0] < w.bbox[2] <= page.width + 1 for w in page.words)
    assert "Triển khai" in page.raw_text or "Triến khai" in page.raw_text
    # the cells' words are among the page's words, their boxes inside the table's box
    x0, top, x1, bottom = page.tables[0].bbox
    inside = [w for w in page.words if x0 <= (w.bbox[0] + w.bbox[2]) / 2 <= x1
              and top <= (w.bbox[1] + w.bbox[3]) / 2 <= bottom]
    assert "định danh" in " ".join(w.text for w in inside)


@pytest.mark.parametrize("text,barred", [
    ("≥30%", True), (">30%", False), ("≤5", True), ("<5", False), (">70%", False), ("≥ 1", True),
])
@pytest.mark.parametrize("font", ["DejaVuSerif.ttf", "DejaVuSans.ttf"])
def test_greater_or_equal_told_from_greater_by_its_bar(text, barred, font):
    from PIL import ImageFont

    from kehoach.ingest.cell_rows import ink_to_barred, word_to_barred
    from samples import FONT_DIR

    img = Image.new("L", (300, 90), 255)
    ImageDraw.Draw(img).text((10, 10), text, font=ImageFont.truetype(str(FONT_DIR / font), 50), fill=0)
    ink = np.asarray(img) < 128
    assert ink_to_barred(ink) == barred
    # the vie model reads both as ">"/"<": the word gets its "≥"/"≤" back from the glyph
    read = text.replace("≥", ">").replace("≤", "<")
    assert word_to_barred(read, ink, (0, 0, 300, 90)) == (text if barred else read)
    assert word_to_barred("2025", ink, (0, 0, 300, 90)) == "2025"


class SpeckEngine(InkEngine):
    """InkEngine whose page pass also reads a scan speck ("c.", confidence 0) ``DX``
    pixels right of the heading (the page pass reads a crop around what text is left)."""

    DX = 20.0

    def recognize_many(self, images, *, dpi, timeout=None, psm=None):
        out = super().recognize_many(images, dpi=dpi, timeout=timeout, psm=psm)
        page = out[0]
        x0, t, x1, b = page.words[0].bbox
        speck = Word(text="c.", bbox=(x1 + self.DX, t, x1 + self.DX + 10, t + 10), conf=0.0, line=0)
        out[0] = OcrResult(text=page.text + " c.", words=[*page.words, speck], confidence=page.confidence)
        return out


def test_dropped_specks_keep_their_boxes_on_the_page_as_given_on_a_skewed_page():
    image = _grid_page().rotate(1.5, expand=False, fillcolor=255)
    grid = image_to_grid(image)
    assert grid is not None and abs(grid.skew) > 0.5  # the table is found, skewed
    reading = image_to_reading(image, dpi=72, engine=SpeckEngine())
    assert "c." not in reading.text.split()
    [speck] = [w for w in reading.dropped if w.text == "c."]
    heading = next(w for w in reading.words if w.text == "HOẠCH")
    x0, t, x1, b = heading.bbox
    # the page pass read the page as given: the speck is where it was beside the heading
    assert speck.bbox == pytest.approx((x1 + SpeckEngine.DX, t, x1 + SpeckEngine.DX + 10, t + 10), abs=0.05)
