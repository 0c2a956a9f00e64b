"""The coordinate frames of a scanned page and every conversion between them.

A scanned page is measured in four frames:

- page pixels: the page image as given (rendered at ``dpi``, or the image file);
- page points: PDF points, ``px * 72 / dpi`` (``px_to_pt``); the frame of every bbox in a
  record, whatever the page's source;
- straightened pixels: the page image rotated by ``skew`` degrees (counter-clockwise, as
  ``PIL.Image.rotate``) about its centre, where a skewed page's ruled grid is found
  (``scan_grid.PageGrid``);
- crop pixels: a crop of the page (a table row image, the box around a page's text) at an
  offset on it.

Boxes are ``(x0, top, x1, bottom)``. Pure functions, ``x_to_y`` named; no rounding unless
``ndigits`` is given (records keep boxes to 0.01 pt).
"""
from __future__ import annotations

import math
from typing import Callable, Optional

Box = tuple[float, float, float, float]
PointMove = Callable[[float, float], tuple[float, float]]


def rotate_point(x: float, y: float, deg: float, cx: float, cy: float) -> tuple[float, float]:
    """Given a point, an angle and a centre, return where the point lands when the image is
    rotated by ``deg`` degrees counter-clockwise (as PIL.Image.rotate) about the centre."""
    t = math.radians(deg)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(t) + dy * math.sin(t), cy - dx * math.sin(t) + dy * math.cos(t)


def straightened_to_page_affine(skew: float, cx: float, cy: float, x0: float,
                                y0: float) -> tuple[float, float, float, float, float, float]:
    """Given a skew, the rotation centre and the straightened-pixel corner (x0, y0) of a
    box, return the PIL affine data that samples the page image as given for each pixel
    (u, v) of that box straightened (``Image.transform(size, Image.AFFINE, data)``): the
    straightened point (x0 + u, y0 + v) rotated back about the centre."""
    c, s = math.cos(math.radians(-skew)), math.sin(math.radians(-skew))
    return (c, s, cx + (x0 - cx) * c + (y0 - cy) * s,
            -s, c, cy - (x0 - cx) * s + (y0 - cy) * c)


def box_px_to_pt(box: Box, px_to_pt: float, ndigits: Optional[int] = None) -> Box:
    """Given a box in pixels and the points per pixel, return it in points."""
    out = tuple(v * px_to_pt for v in box)
    return tuple(round(v, ndigits) for v in out) if ndigits is not None else out  # type: ignore[return-value]


def box_pt_to_px(box: Box, px_to_pt: float) -> Box:
    """Given a box in points and the points per pixel, return it in pixels."""
    return tuple(v / px_to_pt for v in box)  # type: ignore[return-value]


def box_shift(box: Box, dx: float, dy: float, ndigits: Optional[int] = None) -> Box:
    """Given a box in a crop's frame and the crop's offset on the page (same unit), return
    the box on the page."""
    out = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
    return tuple(round(v, ndigits) for v in out) if ndigits is not None else out  # type: ignore[return-value]


def box_move_centre(box: Box, move: PointMove) -> Box:
    """Given a box and a point conversion (``PageGrid.to_grid`` / ``to_page``), return the
    box with its centre converted and its size kept: a word stays upright in either frame."""
    x0, t, x1, b = box
    mx, my = move((x0 + x1) / 2, (t + b) / 2)
    hw, hh = (x1 - x0) / 2, (b - t) / 2
    return (mx - hw, my - hh, mx + hw, my + hh)


def box_move_corners(box: Box, move: PointMove) -> Box:
    """Given a box and a point conversion, return the bounds of its four corners converted:
    a table or cell box keeps all it covered in the other frame."""
    x0, t, x1, b = box
    pts = [move(x, y) for x, y in ((x0, t), (x1, t), (x0, b), (x1, b))]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def page_pt_box_to_grid_pt(box: Box, to_grid: PointMove, px_to_pt: float) -> Box:
    """Given a box in page points, the grid's point conversion (``PageGrid.to_grid``, in
    pixels) and the points per pixel, return the box in straightened points (centre moved,
    size kept)."""
    return box_px_to_pt(box_move_centre(box_pt_to_px(box, px_to_pt), to_grid), px_to_pt)


def grid_pt_box_to_page_pt(box: Box, to_page: PointMove, px_to_pt: float,
                           ndigits: Optional[int] = 2) -> Box:
    """Given a box in straightened points, the grid's point conversion back
    (``PageGrid.to_page``, in pixels) and the points per pixel, return the box in page
    points (centre moved, size kept; rounded to ``ndigits``)."""
    return box_px_to_pt(box_move_centre(box_pt_to_px(box, px_to_pt), to_page), px_to_pt, ndigits)
