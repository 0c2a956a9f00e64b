"""Measure the ink of a page image before OCR: its text lines' x-height, where any text is
left on it (numpy only; pure functions of the image)."""
from __future__ import annotations

import numpy as np

STRIP_SHARE = 1 / 12    # text lines are measured in vertical strips this share of the width
MIN_STRIP_PX = 40       # (narrow enough that a 1.5 degree skew does not merge lines)
MIN_LINE_PX = 4         # a band of inked rows lower than this is specks or a rule
MIN_BAND_INK = 6        # and a band whose fullest row has fewer ink pixels is specks or a rule
MIN_BANDS = 8           # fewer text line pieces than this: too little text to tell a size
MAX_LINE_FACTOR = 12    # a band taller than this many min_line is not one line of text


def image_to_ink(image) -> np.ndarray:
    """Given a page image, return its ink mask (pixels darker than mid-grey)."""
    return np.asarray(image.convert("L") if image.mode != "L" else image) < 128


def ink_to_line_pieces(ink: np.ndarray, min_line: int = MIN_LINE_PX) -> list[tuple[int, int]]:
    """Given an ink mask, return the pieces of text lines on it as (core height, ink): in
    vertical strips of the page, each band of rows that cross two strokes or more, at least
    ``min_line`` tall and with ``MIN_BAND_INK`` pixels in its fullest row, is a piece of a
    text line (specks are too low; a rule is one stroke, so the rules of a table neither
    make bands nor join its lines into one); its core, the rows inked at least half as much as its
    fullest row, is the x-height band between ascenders or diacritics and descenders."""
    h, w = ink.shape
    strip = max(MIN_STRIP_PX, int(w * STRIP_SHARE))
    # where a stroke starts along each row: a rule crossing a row is one stroke, text many
    stroke_starts = np.zeros((h, w), dtype=bool)
    stroke_starts[:, 0] = ink[:, 0]
    stroke_starts[:, 1:] = ink[:, 1:] & ~ink[:, :-1]
    pieces: list[tuple[int, int]] = []
    for x0 in range(0, max(1, w - strip + 1), strip):
        rows = ink[:, x0:x0 + strip].sum(axis=1)
        strokes = stroke_starts[:, x0:x0 + strip].sum(axis=1)
        d = np.diff(np.concatenate(([0], (strokes >= 2).astype(np.int8), [0])))
        for start, end in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            band = rows[start:end]
            top = int(band.max())
            if end - start < min_line or top < MIN_BAND_INK:
                continue
            pieces.append((int((band * 2 >= top).sum()), int(band.sum())))
    return pieces


def image_to_x_height(image) -> float | None:
    """Given a page image, return the x-height of its text in pixels: the median core of
    its text line pieces weighted by their ink (body text outweighs headings and page
    numbers); None when it has too little text to tell."""
    pieces = ink_to_line_pieces(image_to_ink(image))
    if len(pieces) < MIN_BANDS:
        return None
    cores = np.asarray([c for c, _ in pieces])
    order = np.argsort(cores, kind="stable")
    cum = np.cumsum(np.asarray([n for _, n in pieces])[order])
    return float(cores[order][np.searchsorted(cum, cum[-1] / 2)])


def ink_to_text_box(ink: np.ndarray, min_line: int = MIN_LINE_PX) -> tuple[int, int, int, int] | None:
    """Given an ink mask, return the box (x0, top, x1, bottom; pixels) around every piece of
    text on it, None when there is none: nothing but scan specks and stubs of rules.

    In half-overlapping vertical strips (a glyph narrower than half a strip lies whole in
    one), a band of inked rows is text when it is at least ``min_line`` tall with
    ``MIN_BAND_INK`` pixels in its fullest row, and either short enough for a line of text
    (``MAX_LINE_FACTOR`` x ``min_line``: a lone page number "7" is one stroke) or crossing two
    strokes or more on a quarter of its rows (text beside a rule; specks beside a rule
    stub are far fewer). Specks are too low,
    horizontal rule stubs too thin, vertical ones too tall and one stroke."""
    h, w = ink.shape
    strip = max(MIN_STRIP_PX, int(w * STRIP_SHARE))
    stroke_starts = np.zeros((h, w), dtype=bool)
    stroke_starts[:, 0] = ink[:, 0]
    stroke_starts[:, 1:] = ink[:, 1:] & ~ink[:, :-1]
    box: list[int] | None = None
    for x0 in range(0, max(1, w - strip // 2), strip // 2):
        x1 = min(w, x0 + strip)
        rows = ink[:, x0:x1].sum(axis=1)
        strokes = stroke_starts[:, x0:x1].sum(axis=1)
        # any ink: a 1-bit scan thins a glyph's diagonal to one pixel a row ("7")
        d = np.diff(np.concatenate(([0], (rows >= 1).astype(np.int8), [0])))
        for start, end in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            if end - start < min_line or int(rows[start:end].max()) < MIN_BAND_INK:
                continue
            if end - start > MAX_LINE_FACTOR * min_line and \
                    (strokes[start:end] >= 2).sum() < max(min_line, (end - start) // 4):
                continue
            cols = np.flatnonzero(ink[start:end, x0:x1].any(axis=0))
            piece = [x0 + int(cols[0]), int(start), x0 + int(cols[-1]) + 1, int(end)]
            box = piece if box is None else [min(box[0], piece[0]), min(box[1], piece[1]),
                                             max(box[2], piece[2]), max(box[3], piece[3])]
    return None if box is None else (box[0], box[1], box[2], box[3])


def image_to_text_box(image, min_line: int = MIN_LINE_PX) -> tuple[int, int, int, int] | None:
    """Given an image, return the box around the text on it (``ink_to_text_box``)."""
    return ink_to_text_box(image_to_ink(image), min_line)
