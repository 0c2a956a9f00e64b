"""ingest.frames: the conversions between a scanned page's frames (page pixels, page points,
a skewed page's straightened pixels, crops) agree with each other and with PIL's rotation."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kehoach.ingest.frames import (box_move_centre, box_move_corners, box_pt_to_px, box_px_to_pt,
                                   box_shift, grid_pt_box_to_page_pt, page_pt_box_to_grid_pt,
                                   rotate_point, straightened_to_page_affine)
from kehoach.ingest.scan_grid import image_to_grid

PX_TO_PT = 72 / 300


def test_a_point_rotated_and_rotated_back_is_where_it_was():
    x, y = rotate_point(700.0, 240.0, 1.5, 1240.0, 1754.0)
    assert (x, y) != (700.0, 240.0)
    assert rotate_point(x, y, -1.5, 1240.0, 1754.0) == pytest.approx((700.0, 240.0), abs=1e-9)


def test_rotate_point_follows_pil_rotate():
    """A dot drawn on an image lands where rotate_point says once PIL rotates the image."""
    image = Image.new("L", (400, 300), 255)
    ImageDraw.Draw(image).ellipse((96, 76, 104, 84), fill=0)  # centre (100, 80)
    turned = np.asarray(image.rotate(10, resample=Image.BICUBIC, fillcolor=255))
    ys, xs = np.nonzero(turned < 128)
    assert (xs.mean(), ys.mean()) == pytest.approx(rotate_point(100.0, 80.0, 10, 200.0, 150.0), abs=0.6)


def test_the_straightening_affine_samples_the_page_where_the_grid_point_came_from():
    skew, cx, cy, x0, y0 = -1.2, 1240.0, 1754.0, 300.0, 500.0
    a, b, c, d, e, f = straightened_to_page_affine(skew, cx, cy, x0, y0)
    for u, v in ((0.0, 0.0), (800.0, 40.0), (120.0, 900.0)):
        assert (a * u + b * v + c, d * u + e * v + f) == pytest.approx(
            rotate_point(x0 + u, y0 + v, -skew, cx, cy), abs=1e-6)


def test_points_and_pixels_and_crops():
    box = (100.0, 200.0, 340.0, 236.0)
    assert box_pt_to_px(box_px_to_pt(box, PX_TO_PT), PX_TO_PT) == pytest.approx(box)
    assert box_px_to_pt(box, PX_TO_PT, 2) == (24.0, 48.0, 81.6, 56.64)
    assert box_shift((1.0, 2.0, 3.0, 4.0), 10.004, 20.0, 2) == (11.0, 22.0, 13.0, 24.0)


def test_a_word_box_keeps_its_size_and_a_table_box_covers_its_corners():
    grid_to_page = lambda x, y: rotate_point(x, y, -2.0, 500.0, 500.0)  # noqa: E731
    word = box_move_centre((100.0, 100.0, 180.0, 120.0), grid_to_page)
    assert (word[2] - word[0], word[3] - word[1]) == pytest.approx((80.0, 20.0))
    table = box_move_corners((100.0, 100.0, 900.0, 400.0), grid_to_page)
    assert table[2] - table[0] > 800.0 and table[3] - table[1] > 300.0
    for x, y in ((100.0, 100.0), (900.0, 400.0)):
        px, py = grid_to_page(x, y)
        assert table[0] <= px <= table[2] and table[1] <= py <= table[3]


def test_a_word_moved_into_a_skewed_grid_and_back_is_where_it_was():
    image = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(image)
    for y in (100, 300, 500):
        d.line((100, y, 900, y), fill=0, width=3)
    for x in (100, 500, 900):
        d.line((x, 100, x, 500), fill=0, width=3)
    grid = image_to_grid(image.rotate(1.5, fillcolor=255))
    assert grid is not None and abs(grid.skew) > 0.5
    word = (60.0, 40.0, 90.0, 52.0)
    there = page_pt_box_to_grid_pt(word, grid.to_grid, PX_TO_PT)
    assert there != word
    assert grid_pt_box_to_page_pt(there, grid.to_page, PX_TO_PT) == pytest.approx(word, abs=0.006)
