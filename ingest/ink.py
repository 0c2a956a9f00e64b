"""Measure the ink of a page image before OCR: its text lines' x-height, whether any text
is left on it (numpy only; pure functions of the image)."""
from __future__ import annotations

import numpy as np

STRIP_SHARE = 1 / 12    # text lines are measured in vertical strips this share of the width
MIN_STRIP_PX = 40       # (narrow enough that a 1.5 degree skew does not merge lines)
MIN_LINE_PX = 4         # a band of inked rows lower than this is specks or a rule
MIN_BAND_INK = 6        # and a band whose fullest row has fewer ink pixels is specks or a rule
MIN_BANDS = 8           # fewer text line pieces than this: too little text to tell a size


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


def has_text_lines(image, min_line: int = MIN_LINE_PX) -> bool:
    """Given an image, return whether any piece of a text line is on it (a page left with
    nothing but scan specks or the stubs of blanked rules has none)."""
    return bool(ink_to_line_pieces(image_to_ink(image), min_line))
