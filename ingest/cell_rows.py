"""Lay out the cells of ruled tables for OCR: one image per table row.

Page-level OCR joins text lines across cells whose text sits at different heights and
reads ruling lines as glyphs; reading each cell on its own costs a tesseract start (and a
model load) per cell, and a lone ordinal read alone is often misread. Instead each table
row becomes an image of its cells' ink, rules left out, side by side with a fixed gap
and first text lines aligned; the page is read with its tables blanked, and page and row
images go to tesseract in one run (each laid out on its own). Each word goes back to the
page by the offset of the crop it was found in.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .scan_grid import PageGrid, grid_to_cells

GAP_PT = 9.0     # white margin around a row image (points)
HGAP_PT = 3.0    # white between the cells of a row (points): short values never join
HGAP_FIRST_PT = 3.0  # after a row's first cell: a lone ordinal stays on its text's line
PAD_PT = 2.0     # white kept around a cell's ink (points), inside its rules
MIN_LINE_PT = 3.0  # a band of ink rows lower than this (points) is specks, not a text line
MIN_INK_PT2 = 4.0  # a cell with less ink (square points) than this is empty (scan specks)


@dataclass(frozen=True)
class Slot:
    """Where one crop of the straightened page sits in its row image (pixels)."""

    x0: int  # crop's left and top on the straightened page
    t: int
    x: int   # and in the row image
    y: int
    w: int
    h: int


def grid_to_crops(grid: PageGrid, dpi: int) -> list[list[tuple[int, int, int, int]]]:
    """Given a page grid, return its tables' inked cell interiors as (x0, top, x1, bottom)
    in straightened pixels, cut to their ink, grouped by the table row they start in, left
    to right. Cells are joined across separators that are not surely rules (a doubtful one
    may be text crossing a spanning cell: cutting there would halve its words; the words
    decide the final cells after OCR)."""
    pad = max(1, round(PAD_PT * dpi / 72))
    min_ink = MIN_INK_PT2 * (dpi / 72) ** 2
    tol = grid.tol
    rows: list[list[tuple[int, int, int, int]]] = []
    for gt in grid.tables:
        by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        for r, c, rs, cs in grid_to_cells(gt.xs, gt.ys, grid.dark, tol, sure_only=True):
            x0, x1 = gt.xs[c] + tol, gt.xs[c + cs] - tol
            t, b = gt.ys[r] + tol, gt.ys[r + rs] - tol
            if x1 - x0 < 4 or b - t < 4:
                continue
            ink = grid.dark[t:b, x0:x1]
            if ink.sum() < min_ink:
                continue
            # rows and columns with 3+ ink pixels: scan specks do not widen the crop
            ys = np.flatnonzero(ink.sum(axis=1) >= 3)
            xs = np.flatnonzero(ink.sum(axis=0) >= 3)
            if not len(ys) or not len(xs):
                continue
            by_row.setdefault(r, []).append(
                (int(max(x0, x0 + xs[0] - pad)), int(max(t, t + ys[0] - pad)),
                 int(min(x1, x0 + xs[-1] + 1 + pad)), int(min(b, t + ys[-1] + 1 + pad))))
        rows += [sorted(by_row[r]) for r in sorted(by_row)]
    return rows


def ink_to_first_line(ink: np.ndarray, min_height: int) -> float:
    """Given a cell crop's ink mask, return the height (rows from its top) of the centre
    of its first text line: the first band of inked rows at least min_height tall (scan
    specks above it are skipped); the crop's middle when there is none."""
    inked = ink.sum(axis=1) >= 3
    start = None
    for y, on in enumerate(np.append(inked, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= min_height:
                return (start + y) / 2
            start = None
    return ink.shape[0] / 2


def crops_to_rows(gray: np.ndarray, dark: np.ndarray, rows: list[list[tuple[int, int, int, int]]],
                  gap: int, hgap: int, min_line: int, hgap_first: int | None = None
                  ) -> list[tuple[Image.Image, list[Slot]]]:
    """Given the straightened page, its ink mask and rows of crops of it, return one image
    per row, its crops side by side `hgap` white pixels apart (a few spaces: words of two
    cells never join) inside a `gap` margin, and where each crop went. The crops' first
    text lines share one height: a lone ordinal then sits on a text line with its row's
    text, as on the page (alone, tesseract scales a single glyph wrongly and reads "5" as
    "E", or drops it)."""
    hgap_first = hgap if hgap_first is None else hgap_first
    out = []
    for row in rows:
        centres = [ink_to_first_line(dark[t:b, x0:x1], min_line) for x0, t, x1, b in row]
        top = max(centres)
        dys = [round(top - c) for c in centres]
        height = max(dy + b - t for (_, t, _, b), dy in zip(row, dys)) + 2 * gap
        width = sum(x1 - x0 for x0, _, x1, _ in row) + hgap * (len(row) - 1) + 2 * gap  # >= needed
        canvas = np.full((height, width), 255, dtype=np.uint8)
        slots, x = [], gap
        for (x0, t, x1, b), dy in zip(row, dys):
            canvas[gap + dy:gap + dy + b - t, x:x + x1 - x0] = gray[t:b, x0:x1]
            slots.append(Slot(x0, t, x, gap + dy, x1 - x0, b - t))
            # the first cell (the ordinal, in plans) stays close to the text beside it:
            # a lone glyph far from any text is dropped as noise
            x += x1 - x0 + (hgap_first if x == gap else hgap)
        out.append((Image.fromarray(canvas), slots))
    return out


def grid_to_ocr_images(grid: PageGrid, dpi: int, image: Image.Image
                       ) -> tuple[Image.Image, list[tuple[Image.Image, list[Slot]]]]:
    """Given a page grid, its resolution and the page image it was found on, return the
    page image with its tables blanked (not straightened: headings read as on the page),
    and the tables' rows of cells, cut from the straightened page, as images with where
    each cell went (see ``crops_to_rows``)."""
    from PIL import ImageDraw

    page = image.convert("L") if image.mode != "L" else image.copy()
    draw = ImageDraw.Draw(page)
    tol = grid.tol
    for gt in grid.tables:
        x0, t, x1, b = gt.xs[0] - tol, gt.ys[0] - tol, gt.xs[-1] + tol, gt.ys[-1] + tol
        draw.polygon([grid.to_page(x, y) for x, y in ((x0, t), (x1, t), (x1, b), (x0, b))], fill=255)
    rows = grid_to_crops(grid, dpi)
    return page, crops_to_rows(
        grid.gray, grid.dark, rows, max(4, round(GAP_PT * dpi / 72)),
        max(2, round(HGAP_PT * dpi / 72)), max(2, round(MIN_LINE_PT * dpi / 72)),
        max(2, round(HGAP_FIRST_PT * dpi / 72)))


def row_box_to_page(box: tuple[float, float, float, float], slots: list[Slot],
                    ink: np.ndarray | None = None) -> tuple[float, float, float, float]:
    """Given a box in a row image's pixels, return it in straightened page pixels, moved by
    the offset of the crop it belongs to and kept inside it. A box over several crops (OCR
    glued a speck of the next cell to a word, "TT.") belongs to the crop holding most of
    its ink (the row image's ink mask), else the one holding its centre (or the nearest)."""
    x0, t, x1, b = box
    cx, cy = (x0 + x1) / 2, (t + b) / 2

    def distance(s: Slot) -> float:
        dx = max(s.x - cx, 0.0, cx - (s.x + s.w))
        dy = max(s.y - cy, 0.0, cy - (s.y + s.h))
        return dx * dx + dy * dy

    def ink_in(s: Slot) -> int:
        u0, u1 = int(max(x0, s.x)), int(min(x1, s.x + s.w))
        v0, v1 = int(max(t, s.y)), int(min(b, s.y + s.h))
        return int(ink[v0:v1, u0:u1].sum()) if ink is not None and u1 > u0 and v1 > v0 else 0

    over = [s for s in slots if s.x < x1 and x0 < s.x + s.w and s.y < b and t < s.y + s.h]
    if len(over) > 1 and ink is not None:
        s = max(over, key=ink_in)
    else:
        s = min(slots, key=distance)
    dx, dy = s.x0 - s.x, s.t - s.y
    # clipped to its crop: a word OCR ran across the small gap between two crops must not
    # lie across the rule between their cells on the page
    x0, x1 = max(x0, s.x), min(x1, s.x + s.w)
    t, b = max(t, s.y), min(b, s.y + s.h)
    return (x0 + dx, t + dy, max(x0, x1) + dx, max(t, b) + dy)


# The vie model has no "≥"/"≤" (not in its unicharset): it reads them as ">"/"<". The bar
# under the first glyph tells them apart (values such as "≥30%" in plan target tables).
BARRED = {">": "≥", "<": "≤"}
BAR_FILL = 0.7  # share of the glyph's width a row of its bar is inked along


def ink_to_barred(ink: np.ndarray) -> bool:
    """Given the ink of one word (rows x columns), return whether its first glyph has a
    horizontal bar along its bottom, apart from the strokes above it ("≥" rather than ">")."""
    cols = ink.any(axis=0)
    if not cols.any():
        return False
    start = int(np.argmax(cols))
    end = start
    while end < len(cols) and cols[end]:
        end += 1
    glyph = ink[:, start:end]
    rows = np.flatnonzero(glyph.any(axis=1))
    glyph = glyph[rows[0]:rows[-1] + 1]
    h, w = glyph.shape
    if w < 4 or h < 6:
        return False
    fill = glyph.sum(axis=1) / w
    lower = np.flatnonzero(fill[h // 2:] >= BAR_FILL) + h // 2
    if not len(lower):
        return False
    # the bar is apart from the chevron: a row above it is (nearly) empty
    above = fill[h // 3:lower[0]]
    return bool(len(above)) and float(above.min()) < 0.25


def word_to_barred(text: str, ink: np.ndarray, box: tuple[float, float, float, float]) -> str:
    """Given a word read from a row image, its ink mask and the word's box there, return the
    word with a leading ">"/"<" made "≥"/"≤" when its glyph has the bar."""
    if not text or text[0] not in BARRED:
        return text
    x0, t, x1, b = (int(round(v)) for v in box)
    if ink_to_barred(ink[max(0, t):b, max(0, x0):x1]):
        return BARRED[text[0]] + text[1:]
    return text
