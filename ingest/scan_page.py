"""Read one scanned page image into text, words and ruled tables.

Ruled tables are found first (ingest.scan_grid, a small share of the OCR time); a page
without one is OCR'd as it is. A page with tables is straightened and OCR'd with its
tables blanked, together with one image per table row (ingest.cell_rows) in the same
tesseract run: one run per page whatever the number of cells. Words keep boxes in points on
the page as given; the page text holds the tables' words too, line by line where the
tables stood.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .frames import box_pt_to_px, box_px_to_pt, box_shift, grid_pt_box_to_page_pt, page_pt_box_to_grid_pt
from .ocr import LOW_CONFIDENCE, OcrEngine, OcrResult
from ..schema import Table, Word


SPECK_CONF = 20.0  # below this confidence a short word is specks (cf. scan_grid.MIN_WORD_CONF)


@dataclass
class PageReading:
    text: str
    words: list[Word]
    confidence: float | None
    tables: list[Table] = field(default_factory=list)
    rotation: int = 0
    warnings: list[str] = field(default_factory=list)
    dropped: list[Word] = field(default_factory=list)  # specks left out of the text


def image_to_reading(image, dpi: int, engine: OcrEngine, timeout: float | None = None,
                     fix_orientation: bool = True) -> PageReading:
    """Given a page image, its resolution and an OCR engine, return the page's reading;
    a page read with low confidence is turned upright by orientation detection and read
    again when that reads better (``rotation`` says by how much, clockwise)."""
    reading = _read(image, dpi, engine, timeout)
    doubtful = reading.confidence is None or reading.confidence < LOW_CONFIDENCE
    if fix_orientation and doubtful:
        angle = engine.orientation(image, timeout)
        if angle:
            second = _read(image.rotate(-angle, expand=True), dpi, engine, timeout)  # PIL: ccw
            if (second.confidence or 0) > (reading.confidence or 0):
                second.rotation = angle
                second.warnings.append(f"page image was rotated by {angle} degrees before OCR")
                return second
    return reading


def _read(image, dpi: int, engine: OcrEngine, timeout: float | None) -> PageReading:
    import numpy as np

    from .cell_rows import MIN_LINE_PT, grid_to_ocr_images, row_box_to_page, word_to_barred
    from .ink import image_to_text_box
    from .scan_grid import Placed, grid_to_tables, image_to_grid

    px_to_pt = 72.0 / dpi
    grid = image_to_grid(image)
    if grid is None:
        r = engine.recognize(image, dpi=dpi, timeout=timeout)
        return PageReading(r.text, r.words, r.confidence, warnings=list(r.warnings))
    page_image, rows = grid_to_ocr_images(grid, dpi, image)
    # Once its tables are blanked a page is mostly white: a heading, a page number, scan
    # specks, stubs of rules. Tesseract's layout pass over the whole page costs ~0.2 s for
    # that; only the box around what is left as text is read (nothing when none is left).
    min_line = max(2, round(MIN_LINE_PT * dpi / 72))
    box = image_to_text_box(page_image, min_line)
    if box is not None:
        pad = 2 * min_line
        box = (max(0, box[0] - pad), max(0, box[1] - pad),
               min(page_image.width, box[2] + pad), min(page_image.height, box[3] + pad))
    images = ([page_image.crop(box)] if box else []) + [im for im, _ in rows]
    # one tesseract run for the page and its rows
    results = engine.recognize_many(images, dpi=dpi, timeout=timeout) if images else []
    page = _shifted(results.pop(0), box[0] * px_to_pt, box[1] * px_to_pt) if box else OcrResult("", [], None)
    cells: list[Placed] = []
    warnings = [w for r in [page, *results] for w in r.warnings]
    for (row_image, slots), r in zip(rows, results):
        ink = np.asarray(row_image) < 128
        for w in r.words:
            px = box_pt_to_px(w.bbox, px_to_pt)
            box = row_box_to_page(px, slots, ink)
            cells.append(Placed.of(*box, word_to_barred(w.text, ink, px), w.conf, ruled=False))
    tables = grid_to_tables(grid, cells, px_to_pt)
    # With its tables blanked a page has little text left, and tesseract then reads scan
    # specks beside headings as short zero-confidence "words" ("có.", "c.") or glues them
    # to a word as "_" ("_PHỤ LỤC"): drop those, trim these.
    lines = [[_to_grid(_trimmed(w), grid, px_to_pt) for w in ln if not _speck(w)]
             for ln in _page_lines(page)]
    # on the page as given, like the page's words: the page pass was read unstraightened,
    # the cells' specks are moved back from the straightened frame
    dropped = [w.model_copy(update={"line": -1}) for w in page.words if _speck(w)]
    dropped += [_to_page(Word(text=p.text, bbox=box_px_to_pt((p.x0, p.t, p.x1, p.b), px_to_pt),
                              conf=p.conf, line=-1), grid, px_to_pt)
                for p in cells if p.noise and p.text]
    for gt in reversed(grid.tables):  # bottom table first: insertion points stay valid
        x0, t, x1, b = gt.xs[0], gt.ys[0], gt.xs[-1], gt.ys[-1]
        inside = [p for p in cells if not p.noise and x0 <= (p.x0 + p.x1) / 2 <= x1
                  and t <= (p.t + p.b) / 2 <= b]
        at = next((i for i, ln in enumerate(lines) if ln and min(w.bbox[1] for w in ln) / px_to_pt > t),
                  len(lines))
        table_lines = [[Word(text=p.text, bbox=box_px_to_pt((p.x0, p.t, p.x1, p.b), px_to_pt),
                             conf=p.conf, line=0)
                        for p in ln] for ln in placed_to_lines(inside)]
        lines[at:at] = [[], *table_lines, []]
    text, words = _lines_to_page(lines, grid, px_to_pt)
    confs = [w.conf for w in words if w.conf is not None]
    mean = round(sum(confs) / len(confs), 1) if confs else None
    return PageReading(text, words, mean, tables, warnings=warnings, dropped=dropped)


def _shifted(result: OcrResult, dx: float, dy: float) -> OcrResult:
    """The OCR result of a crop with its words' boxes moved by (dx, dy) points onto the
    page the crop was cut from."""
    if not dx and not dy:
        return result
    words = [w.model_copy(update={"bbox": box_shift(w.bbox, dx, dy, 2)}) for w in result.words]
    return OcrResult(result.text, words, result.confidence, result.rotation, list(result.warnings))


def _speck(word: Word) -> bool:
    """Whether an OCR word is a reading of scan specks: short and not trusted at all."""
    return word.conf is not None and word.conf < SPECK_CONF and len(word.text) <= 3


def _to_grid(word: Word, grid, px_to_pt: float) -> Word:
    """The word with its box moved from the page image as given into the grid's
    straightened frame (centre rotated, size kept; points)."""
    return word.model_copy(update={"bbox": page_pt_box_to_grid_pt(word.bbox, grid.to_grid, px_to_pt)})


def _to_page(word: Word, grid, px_to_pt: float) -> Word:
    """The word with its box moved from the grid's straightened frame back onto the page
    image as given (centre rotated, size kept; points, rounded to 0.01)."""
    return Word(text=word.text, conf=word.conf, line=word.line,
                bbox=grid_pt_box_to_page_pt(word.bbox, grid.to_page, px_to_pt))


def _trimmed(word: Word) -> Word:
    """The word without underscores glued to its ends, when it has letters or digits."""
    text = word.text.strip("_")
    if text == word.text or not any(ch.isalnum() for ch in text):
        return word
    return word.model_copy(update={"text": text})


def _page_lines(result: OcrResult) -> list[list[Word]]:
    """Given an OCR result, return its text lines as lists of words ([] for a blank line)."""
    lines: list[list[Word]] = [[] for _ in result.text.split("\n")] if result.text else []
    for w in result.words:
        lines[w.line].append(w)
    return lines


def placed_to_lines(placed: list) -> list[list]:
    """Given words in one frame (x0, t, x1, b attributes), return them grouped in visual
    lines top to bottom, each left to right (a word joins a line when its centre is within
    half the median word height of the line's centre), as a text layer reads a table."""
    if not placed:
        return []
    heights = sorted(p.b - p.t for p in placed)
    half = max(1.0, heights[len(heights) // 2] * 0.5)
    lines: list[list] = []
    centres: list[float] = []
    for p in sorted(placed, key=lambda p: (p.t + p.b) / 2):
        cy = (p.t + p.b) / 2
        if lines and cy - centres[-1] <= half:
            lines[-1].append(p)
            centres[-1] = sum((q.t + q.b) / 2 for q in lines[-1]) / len(lines[-1])
        else:
            lines.append([p])
            centres.append(cy)
    return [sorted(ln, key=lambda p: p.x0) for ln in lines]


def _lines_to_page(lines: list[list[Word]], grid, px_to_pt: float) -> tuple[str, list[Word]]:
    """Given lines of words with boxes in straightened points, return the page text and the
    words numbered by its lines, boxes moved back onto the page as given (centres rotated,
    sizes kept). Runs of blank lines collapse to one."""
    text_lines: list[str] = []
    words: list[Word] = []
    for ln in lines:
        if not ln:
            if text_lines and text_lines[-1] != "":
                text_lines.append("")
            continue
        words += [_to_page(w, grid, px_to_pt).model_copy(update={"line": len(text_lines)}) for w in ln]
        text_lines.append(" ".join(w.text for w in ln))
    while text_lines and text_lines[-1] == "":
        text_lines.pop()
    return "\n".join(text_lines), words
