"""Ruled tables in scanned page images: find the grid lines, build the cells, put OCR words
in them.

numpy only (no opencv): the page is binarized, deskewed by projection profiles, and ruling
lines are long runs of dark pixels after a sliding-window closing that bridges the small
breaks scanning noise leaves in them. Cells come from the grid of line positions; where a
separator is missing between two grid units (a section row spanning all columns, a cell
spanning rows) the units are merged. OCR words are assigned to the cell their box overlaps
most, so each cell's text is read on its own, never from a page-level text soup.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np
from PIL import Image

from ..schema import Table, TableCell, Word
from .frames import (PointMove, box_move_centre, box_move_corners, box_pt_to_px, box_px_to_pt,
                     rotate_point, straightened_to_page_affine)

# OCR reads ruling lines crossing text as these glyphs; a word made only of them is a line.
LINE_GLYPHS = frozenset("|¦[]{}")

# OCR of rules and of shaded or crossed areas gives wide zero-confidence "words"
# ("MIREERH((a(a(G.EI1"); below this confidence a word is noise, not cell text.
MIN_WORD_CONF = 20.0
# In cell images, a word of only these marks is scan specks however sure the OCR is
# ("__", "''", ":"); dashes, pluses and crosses are kept: they mean "none" or "yes" in cells.
SPECK_MARKS = frozenset("_'`\"ˆ^.,:;~¬°")
# In cell images without rules, punctuation read below this confidence is scan specks
# ("." ":" "ˆ"); a printed "-" in an empty value cell reads at 90+.
MIN_MARK_CONF = 60.0
# A word whose box lies less than this share inside one cell spans rules: noise too.
MIN_WORD_INSIDE = 0.5

MAX_SKEW_DEG = 2.0
SKEW_STEP_DEG = 0.1
SKEW_FINE_DEG = 0.02
# Share of the span between its crossing rules a cell separator is inked along: above SURE
# it is a rule, below MIN it is not; between, words straddling it decide (measured on
# degraded renders at 150-300 dpi: rules >= 0.78, text crossing spanning cells <= 0.71).
SEPARATOR_SURE = 0.85
SEPARATOR_MIN = 0.55


@dataclass
class _Line:
    """A ruling line in deskewed pixels: pos is y (horizontal) or x (vertical)."""

    pos: float
    start: int
    end: int


def gray_to_dark(gray: np.ndarray) -> np.ndarray:
    """Given a greyscale page (uint8), return the ink mask by Otsu's threshold."""
    hist = np.array(Image.fromarray(gray).histogram(), dtype=np.float64)  # C, ~10x bincount
    total = hist.sum()
    cum = np.cumsum(hist)
    cum_mean = np.cumsum(hist * np.arange(256))
    w0, w1 = cum, total - cum
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (cum_mean[-1] * w0 - cum_mean * total) ** 2 / (w0 * w1)
    between = np.nan_to_num(between)
    t = int(np.argmax(between))
    # Blank or near-blank pages have no meaningful split: keep only clearly dark ink.
    t = min(t, 200) if between[t] > 0 else 128
    return gray <= t


def _points_to_skew(ys: np.ndarray, xs: np.ndarray, width: int, angles: np.ndarray) -> float:
    """Given ink pixel coordinates, return the angle among `angles` whose sheared row
    projection is sharpest (largest sum of squared bin counts)."""
    xs_c = xs - width / 2

    def score(deg: float) -> float:
        proj = np.round(ys - xs_c * math.tan(math.radians(deg))).astype(np.int64)
        proj -= proj.min()
        h = np.bincount(proj).astype(np.float64)
        return float((h * h).sum())

    return float(max(angles, key=score))


def _sample(ys: np.ndarray, xs: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if len(ys) <= n:
        return ys, xs
    idx = np.random.default_rng(0).choice(len(ys), n, replace=False)
    return ys[idx], xs[idx]


def _pool(dark: np.ndarray, f: int, any_ink: bool) -> np.ndarray:
    """Given an ink mask, return it f times smaller each way: a pixel is ink if any was
    (any_ink), else if at least half were (solid strokes and rules only)."""
    if f == 1:
        return dark
    scale = np.uint8(255) if any_ink else np.uint8(1)  # PIL rounds the box mean of 0/1
    return np.asarray(Image.fromarray(dark.view(np.uint8) * scale).reduce(f)) > 0  # in C


def dark_to_skew(dark: np.ndarray) -> float:
    """Given an ink mask, return the skew in degrees (lines follow y = y0 + x*tan(skew),
    y down) that makes the row projection profile sharpest."""
    # Coarse to fine: 0.1° steps on a mask pooled to ~600 px wide (a 0.1° shear moves its
    # far edge a pixel), then 0.02° steps on a sample of the full-size ink.
    f = max(1, min(4, dark.shape[1] // 600))
    small = _pool(dark, f, any_ink=False)  # fewer points, rules kept
    ys, xs = np.nonzero(small)
    if len(ys) < 50:
        return 0.0
    ys, xs = _sample(ys, xs, 120_000)
    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, SKEW_STEP_DEG)
    best = _points_to_skew(ys, xs, small.shape[1], coarse)
    ys, xs = np.nonzero(dark[::3])  # every third row is plenty and 3x cheaper
    ys = ys * 3
    if len(ys) < 1000:  # thin drawings can fall between the sampled rows
        ys, xs = np.nonzero(dark)
    ys, xs = _sample(ys, xs, 250_000)
    fine = np.arange(best - SKEW_STEP_DEG, best + SKEW_STEP_DEG + 1e-9, SKEW_FINE_DEG)
    return round(_points_to_skew(ys, xs, dark.shape[1], fine), 3)


def image_to_skew(image: Image.Image) -> float:
    """Given a page image, return its skew in degrees: ``image.rotate(skew)`` (PIL,
    counter-clockwise) straightens it. OCR reads skewed tables badly (rows drift into each
    other across a wide page), so the OCR path can straighten pages with this first."""
    return dark_to_skew(gray_to_dark(np.asarray(image.convert("L"))))


def _window_sum(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Sum of a over a centered window of k along axis (same shape)."""
    c = np.cumsum(a, axis=axis, dtype=np.int32)
    pad = [(0, 0), (0, 0)]
    pad[axis] = (1, 0)
    c = np.pad(c, pad)
    n = a.shape[axis]
    lo = np.clip(np.arange(n) - k // 2, 0, n)
    hi = np.clip(np.arange(n) + (k - k // 2), 0, n)
    return np.take(c, hi, axis=axis) - np.take(c, lo, axis=axis)


def dark_to_lines(dark: np.ndarray, k: int, min_len: int, tol: int,
                  vertical: bool = False) -> list[_Line]:
    """Given an ink mask, return its horizontal ruling lines (vertical: the vertical ones,
    as lines of the transposed mask, pos being x): straight runs at least min_len long, 80% ink in every window of k
    (noise breaks up to k/5 long are bridged), merged across up to tol rows.

    Worked on a mask pooled 2x across the lines (any ink) and 4x along them (ink counts),
    8x fewer pixels with the same density test: grid finding must cost far less than OCR."""
    fy, fx = 2, 4
    # PIL's box reduction in C (numpy's strided any/sum cost more than all the rest)
    mask = Image.fromarray(dark.view(np.uint8) * np.uint8(255))
    if vertical:
        mask, dark = mask.transpose(Image.Transpose.TRANSPOSE), dark.T
    rows = np.asarray(mask.reduce((1, fy))) > 0
    counts = np.rint(np.asarray(Image.fromarray(rows.view(np.uint8) * np.uint8(255)).reduce((fx, 1)),
                                dtype=np.float32) * (fx / 255)).astype(np.uint8)
    ks = max(2, round(k / fx))
    dense = _window_sum(counts, ks, axis=1) >= 0.8 * ks * fx
    # A run's dense core stops short of each end: spread it back by less than that (lines
    # must not poke into merged cells), then find the ends on the full-size mask.
    mask = _window_sum(dense.astype(np.uint8), max(1, round(0.6 * ks)), axis=1) > 0
    lines = mask_to_lines(mask, min_len=max(1, math.ceil(min_len / fx)), tol=max(1, tol // fy),
                          gap=tol)
    out = []
    for ln in lines:
        y = int(ln.pos * fy + (fy - 1) / 2)
        band = dark[max(0, y - fy):y + fy + 2].any(axis=0)
        start, end = ln.start * fx, ln.end * fx
        reach = 2 * fx
        while start > 0 and reach and band[start - 1]:
            start, reach = start - 1, reach - 1
        reach = 2 * fx
        while end < len(band) and reach and band[end]:
            end, reach = end + 1, reach - 1
        out.append(_Line(pos=ln.pos * fy + (fy - 1) / 2, start=start, end=end))
    return out


def mask_to_lines(mask: np.ndarray, min_len: int, tol: int, gap: int | None = None) -> list[_Line]:
    """Given a horizontal line mask, return its lines (runs of at least min_len merged
    across up to tol rows and gaps up to `gap`, default 4*tol, along them)."""
    gap = 4 * tol if gap is None else gap
    padded = np.pad(mask, ((0, 0), (1, 1))).astype(np.int8)
    d = np.diff(padded, axis=1)
    rs, starts = np.nonzero(d == 1)
    re_, ends = np.nonzero(d == -1)
    order_s, order_e = np.lexsort((starts, rs)), np.lexsort((ends, re_))
    rs, starts, ends = rs[order_s], starts[order_s], ends[order_e]
    keep = ends - starts >= min_len
    runs = sorted(zip(rs[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))
    lines: list[list[float]] = []  # [sum_y, n, start, end, last_y]
    for y, s, e in runs:
        joined = False
        for ln in reversed(lines):
            if y - ln[4] > tol:
                break
            if s <= ln[3] + gap and e >= ln[2] - gap:
                ln[0] += y
                ln[1] += 1
                ln[2], ln[3], ln[4] = min(ln[2], s), max(ln[3], e), y
                joined = True
                break
        if not joined:
            lines.append([y, 1, s, e, y])
    return [_Line(pos=ln[0] / ln[1], start=int(ln[2]), end=int(ln[3])) for ln in lines]


def _cluster(values: list[float], tol: float) -> list[float]:
    """Given positions, return cluster means where neighbours closer than tol merge."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def lines_to_components(hs: list[_Line], vs: list[_Line], tol: int) -> list[tuple[list[_Line], list[_Line]]]:
    """Given horizontal and vertical lines, return groups that intersect each other (each
    group a candidate table with at least two lines each way)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[_Line], list[_Line]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def separator_share(dark: np.ndarray, a0: int, a1: int, b: int, tol: int,
                    along_rows: bool) -> float:
    """Given the ink mask, return the largest share of a0..a1 inked along one straight line
    within tol of position b. along_rows: the run is
    vertical (rows a0..a1 at column b); otherwise horizontal (columns a0..a1 at row b)."""
    # Search close to the rule's measured position only: further out, glyph stems of
    # text crossing a spanning cell would pass for a rule.
    near = max(2, tol // 3)
    lo, hi = max(0, b - near), b + near + 1
    band = dark[a0:a1, lo:hi] if along_rows else dark[lo:hi, a0:a1].T
    n = band.shape[0]
    if n == 0 or band.shape[1] == 0:
        return 0.0
    # Pairs of neighbouring columns: a 1-2 px line wobbles between them after resampling.
    pairs = band[:, :-1] | band[:, 1:] if band.shape[1] > 1 else band
    # Share of inked positions, not a bridged run: bridging would join a crossing text
    # stroke to the rules through the cell padding.
    return float(pairs.mean(axis=0).max())


def _intruded(words: list[tuple[float, float, float, float, str]], lo: float, hi: float,
              at: float, near: float, vertical: bool) -> bool:
    """Whether a word centred in the band lo..hi covers position `at` (within `near`), so
    no rule can run there. vertical: `at` is an x and the band spans rows."""
    for x0, t, x1, b, _ in words:
        a0, a1, m = (x0, x1, (t + b) / 2) if vertical else (t, b, (x0 + x1) / 2)
        if lo < m < hi and a0 < at + near and a1 > at - near:
            return True
    return False


def grid_to_cells(xs: list[int], ys: list[int], dark: np.ndarray, tol: int,
                  words: list[tuple[float, float, float, float, str]] | None = None,
                  sure_only: bool = False) -> list[tuple[int, int, int, int]]:
    """Given column and row boundaries, the ink mask and the words (deskewed pixels),
    return the cells as (row, col, row_span, col_span), merging grid units whose separator
    is absent. A separator must be inked along most of the span between its crossing rules;
    in the doubtful band (text crossing a spanning cell inks up to ~70%, a rule broken by
    noise keeps ~78%+) a word lying across the position decides that there is none.
    sure_only: only sure separators count (before OCR, when no words can decide)."""
    nr, nc = len(ys) - 1, len(xs) - 1
    words = words or []
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def present(share: float, lo: float, hi: float, at: float, vertical: bool) -> bool:
        if share >= SEPARATOR_SURE:
            return True
        if share < SEPARATOR_MIN or sure_only:
            return False
        return not _intruded(words, lo, hi, at, max(2, tol // 3), vertical)

    for r in range(nr):
        for c in range(1, nc):
            share = separator_share(dark, ys[r], ys[r + 1], xs[c], tol, True)
            if not present(share, ys[r], ys[r + 1], xs[c], True):
                parent[find(r * nc + c)] = find(r * nc + c - 1)
    for c in range(nc):
        for r in range(1, nr):
            share = separator_share(dark, xs[c], xs[c + 1], ys[r], tol, False)
            if not present(share, xs[c], xs[c + 1], ys[r], False):
                parent[find(r * nc + c)] = find((r - 1) * nc + c)
    units: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            units.setdefault(find(r * nc + c), []).append((r, c))
    cells = []
    for us in units.values():
        r0, r1 = min(u[0] for u in us), max(u[0] for u in us)
        c0, c1 = min(u[1] for u in us), max(u[1] for u in us)
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return sorted(cells)


def words_to_cell_text(words: list[tuple[float, float, float, float, str]]) -> str:
    """Given words as (x0, top, x1, bottom, text) in deskewed pixels, return them joined in
    reading order, one output line per text line."""
    if not words:
        return ""
    heights = sorted(w[3] - w[1] for w in words)
    half = max(1.0, heights[len(heights) // 2] * 0.5)
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for w in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
        cy = (w[1] + w[3]) / 2
        if lines:
            ly = sum((v[1] + v[3]) / 2 for v in lines[-1]) / len(lines[-1])
            # a box stretched by a scan speck moves its centre: most of it still lies
            # within the line's extent
            lt = sorted(v[1] for v in lines[-1])[len(lines[-1]) // 2]
            lb = sorted(v[3] for v in lines[-1])[len(lines[-1]) // 2]
            inside = min(w[3], lb) - max(w[1], lt)
            if cy - ly <= half or inside >= 0.6 * min(w[3] - w[1], lb - lt):
                lines[-1].append(w)
                continue
        lines.append([w])
    return "\n".join(" ".join(w[4] for w in sorted(ln, key=lambda w: w[0])) for ln in lines)


@dataclass
class GridTable:
    """One ruled table of a page: its column and row boundaries in deskewed pixels."""

    xs: list[int]
    ys: list[int]


@dataclass
class PageGrid:
    """The ruled tables of a page image and the straightened frame they were found in."""

    skew: float        # image.rotate(skew) (PIL, counter-clockwise) straightened the page
    cx: float          # rotation centre
    cy: float
    tol: int           # how far (px) positions of one rule may wander
    gray: np.ndarray   # the straightened greyscale page (when skewed: its table boxes, white elsewhere)
    dark: np.ndarray   # its ink mask
    tables: list[GridTable]

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        """Where a straightened-frame point lies on the page image as given."""
        return rotate_point(x, y, -self.skew, self.cx, self.cy)

    def to_grid(self, x: float, y: float) -> tuple[float, float]:
        """Where a page-image point lies in the straightened frame."""
        return rotate_point(x, y, self.skew, self.cx, self.cy)


# Quick check for ruling lines before any search (most body pages stop here): the longest
# run of ink across 16 px bands of the page, as a share of the page width. Measured on the
# sample scans (46 pages, 300 dpi) and on rules broken every 100 px by 5 px gaps (worn scans):
#   check                                  body pages   table pages   broken rules
#   any ink per 4x4 block, unbridged        <= 0.071      >= 0.225      0.08
#   any ink, 1-block gaps bridged           <= 0.197      >= 0.225      0.84
#   solid blocks (half ink), 1-block gaps   <= 0.092      >= 0.190      0.84
# Any-ink keeps thin rules, solid blocks drop most text strokes; a page passes on any row.
RULE_RUN_CHECKS = (  # (any_ink, bridged gap in blocks, min share of the page width)
    (True, 0, 0.08),
    (True, 1, 0.30),
    (False, 1, 0.13),
)


def _band_runs(small: np.ndarray, bridge: int) -> list[tuple[int, int, int]]:
    """Given a pooled ink mask, return its horizontal runs (top row, start, end in pooled
    pixels) in bands 4 rows tall (two band phases), runs separated by at most `bridge`
    pixels joined."""
    out: list[tuple[int, int, int]] = []
    for phase in (0, 2):
        band = np.asarray(Image.fromarray(small[phase:].view(np.uint8) * np.uint8(255)).reduce((1, 4))) > 0
        d = np.diff(np.pad(band, ((0, 0), (1, 1))).astype(np.int8), axis=1)
        rows, starts = np.nonzero(d == 1)
        ends = np.nonzero(d == -1)[1]
        if not len(starts):
            continue
        # a new joined run begins at each row start and after each gap wider than `bridge`
        new = np.ones(len(starts), dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]) | (starts[1:] - ends[:-1] > bridge)
        first = np.flatnonzero(new)
        last = np.append(first[1:] - 1, len(starts) - 1)
        out += zip((rows[first] * 4 + phase).tolist(), starts[first].tolist(), ends[last].tolist())
    return out


def dark_to_rule_runs(dark: np.ndarray, width: int, checks=RULE_RUN_CHECKS
                      ) -> Iterator[list[tuple[int, int, int]]]:
    """Given an ink mask and the page width, yield for each of `checks` the runs of ink
    longer than text ever makes (``RULE_RUN_CHECKS``; words are gaps apart) as (top row,
    start, end) in pixels pooled 4x, each 16 px tall."""
    pooled: dict[bool, np.ndarray] = {}
    for any_ink, bridge, share in checks:
        if any_ink not in pooled:
            pooled[any_ink] = _pool(dark, 4, any_ink=any_ink)
        yield [r for r in _band_runs(pooled[any_ink], bridge) if (r[2] - r[1]) * 4 >= share * width]


def may_have_rules(dark: np.ndarray, width: int) -> bool:
    """Given an ink mask and the page width, return whether it may hold a ruling line: a run
    of ink longer than text ever makes (``RULE_RUN_CHECKS``; words are gaps apart)."""
    return any(dark_to_rule_runs(dark, width))


def dark_to_rule_count(dark: np.ndarray, width: int, min_len: int, gap: int,
                       enough: int = 2) -> int:
    """Given an ink mask, the page width, a grid's shortest horizontal rule and its largest
    gap (px), return how many such rules the page may hold (``rule_runs_to_count``),
    stopping once `enough` are found."""
    runs: list[tuple[int, int, int]] = []
    n = 0
    for found in dark_to_rule_runs(dark, width):
        runs += found
        n = rule_runs_to_count(runs, min_len, gap)
        if n >= enough:
            break
    return n


def rule_runs_to_count(runs: list[tuple[int, int, int]], min_len: int, gap: int) -> int:
    """Given rule runs from ``dark_to_rule_runs``, return how many rules at least min_len
    px long they may make: runs in overlapping or touching bands whose ends meet (within
    `gap` px) are one rule, as a rule skewed up to ``MAX_SKEW_DEG`` crosses bands in steps.
    Lengths are taken as pooled, one 4 px block either way; rules closer than a band
    (16 px) count as one: a grid's rows are taller."""
    parent = list(range(len(runs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    g = math.ceil(gap / 4)
    runs = sorted(runs)
    for i, (y, s, e) in enumerate(runs):
        for j in range(i - 1, -1, -1):
            y2, s2, e2 = runs[j]
            if y - y2 > 4:
                break
            if s <= e2 + g and s2 <= e + g:
                parent[find(i)] = find(j)
    spans: dict[int, list[int]] = {}
    for i, (_, s, e) in enumerate(runs):
        sp = spans.setdefault(find(i), [s, e])
        sp[0], sp[1] = min(sp[0], s), max(sp[1], e)
    return sum(1 for s, e in spans.values() if (e - s) * 4 + 8 >= min_len)


def image_to_grid(image: Image.Image) -> Optional[PageGrid]:
    """Given a page image, return its ruled tables and the straightened page, or None when
    it has no grid (most body pages stop at the quick check for two rules)."""
    gray = np.asarray(image.convert("L"))
    dark = gray_to_dark(gray)
    h, w = dark.shape
    tol = max(3, round(0.003 * max(h, w)))
    k = max(15, round(0.012 * max(h, w)))
    min_h = max(3 * k, int(0.1 * w))
    # Most body pages stop here, before the deskew: no rule, or a single one as long as a
    # grid's (the underline under the motto); a grid has two at least.
    if dark_to_rule_count(dark, w, min_h, 4 * tol) < 2:
        return None
    # Deskew first: at 1.5° a rule drifts a pixel every 38 px and no long run survives.
    skew = dark_to_skew(dark)
    rotated = abs(skew) > 0.02
    if rotated:  # the mask alone is enough to look for rules; the page follows if found
        dark = np.asarray(Image.fromarray(dark.view(np.uint8)).rotate(skew, resample=Image.NEAREST)) > 0
    hs = dark_to_lines(dark, k, min_len=min_h, tol=tol)
    if len(hs) < 2:
        return None
    vs = dark_to_lines(dark, k, min_len=max(3 * k, int(0.02 * h)), tol=tol, vertical=True)
    if len(vs) < 2:
        return None
    tables = []
    for ghs, gvs in lines_to_components(hs, vs, tol):
        xs = _cluster([v.pos for v in gvs], 2 * tol)
        ys = _cluster([ln.pos for ln in ghs], 2 * tol)
        left, right = min(ln.start for ln in ghs), max(ln.end for ln in ghs)
        top, bottom = min(v.start for v in gvs), max(v.end for v in gvs)
        if xs[0] - left > 2 * tol:  # open frame: the outer rule is only where rows end
            xs.insert(0, left)
        if right - xs[-1] > 2 * tol:
            xs.append(right)
        if ys[0] - top > 2 * tol:
            ys.insert(0, top)
        if bottom - ys[-1] > 2 * tol:
            ys.append(bottom)
        xs_i, ys_i = [int(round(v)) for v in xs], [int(round(v)) for v in ys]
        if len(xs_i) >= 2 and len(ys_i) >= 2:
            tables.append(GridTable(xs_i, ys_i))
    if not tables:
        return None
    if rotated:
        gray = _straighten(image.convert("L"), skew, tables, tol)
    tables.sort(key=lambda t: t.ys[0])
    return PageGrid(skew, w / 2, h / 2, tol, gray, dark, tables)


def _straighten(image: Image.Image, skew: float, tables: list[GridTable], tol: int) -> np.ndarray:
    """Given a page image, its skew and its tables (straightened pixels), return the
    straightened page's table boxes, bilinear (nearest neighbour's jagged strokes make OCR
    read bold "STT" as "STITT"), on white: only the tables' cells are read from it (the
    rest of the page is OCR'd as given), so the rest is not rotated at all."""
    w, h = image.size
    out = np.full((h, w), 255, dtype=np.uint8)
    cx, cy = w / 2, h / 2
    for gt in tables:
        x0, y0 = max(0, gt.xs[0] - tol), max(0, gt.ys[0] - tol)
        x1, y1 = min(w, gt.xs[-1] + tol + 1), min(h, gt.ys[-1] + tol + 1)
        # output (u, v) of the box is straightened point (x0 + u, y0 + v): its source on
        # the page is that point rotated back about the centre (see PageGrid.to_page)
        data = straightened_to_page_affine(skew, cx, cy, x0, y0)
        box = image.transform((x1 - x0, y1 - y0), Image.AFFINE, data, resample=Image.BILINEAR,
                              fillcolor=255)
        out[y0:y1, x0:x1] = np.asarray(box)
    return out


def words_to_placed(words: list[Word], px_to_pt: float, grid: PageGrid) -> list["Placed"]:
    """Given OCR words with boxes in page points, return them in the grid's straightened
    pixels (centres rotated like the image, sizes kept), noise marked."""
    placed: list[Placed] = []
    for wd in words:
        if not wd.text.strip():
            continue
        box = box_move_centre(box_pt_to_px(wd.bbox, px_to_pt), grid.to_grid)
        placed.append(Placed.of(*box, wd.text, wd.conf))
    return placed


def grid_to_tables(grid: PageGrid, placed: list["Placed"], px_to_pt: float) -> list[Table]:
    """Given a page's grid and its OCR words in the grid's pixels, return the tables with
    each cell's words as its text (boxes in page points)."""
    good = [p.box_text() for p in placed if not p.noise]
    tables = []
    for gt in grid.tables:
        spans = grid_to_cells(gt.xs, gt.ys, grid.dark, grid.tol, good)
        buckets = _assign_words(spans, gt.xs, gt.ys, placed)
        tables.append(_build_table(spans, gt.xs, gt.ys, buckets, grid.to_page, px_to_pt))
    tables.sort(key=lambda t: (t.bbox or (0, 0, 0, 0))[1])
    return tables


def image_to_tables(image: Image.Image, words: list[Word], px_to_pt: float) -> list[Table]:
    """Given a scanned page image, words on it (boxes in points) and the points per pixel,
    return the ruled tables on the page with each cell's words as its text ([] when the
    page has no grid). Ingest reads the cells apart instead (ingest.scan_page, one image per
    table row); this puts words read over the whole page into the grid (tests of the grid)."""
    grid = image_to_grid(image)
    if grid is None:
        return []
    return grid_to_tables(grid, words_to_placed(words, px_to_pt, grid), px_to_pt)


@dataclass
class Placed:
    """An OCR word in deskewed pixels; noise: unreadable (line glyphs, low confidence)."""

    x0: float
    t: float
    x1: float
    b: float
    text: str
    conf: Optional[float]
    noise: bool

    def box_text(self) -> tuple[float, float, float, float, str]:
        return (self.x0, self.t, self.x1, self.b, self.text)

    @classmethod
    def of(cls, x0: float, t: float, x1: float, b: float, text: str,
           conf: Optional[float], ruled: bool = True) -> "Placed":
        """A word as OCR gave it: line glyphs trimmed ("|Về": a rule glued to a word);
        noise when nothing else is left or the OCR was not sure it is text at all. ruled:
        read on a page with its rules; without them (cell images) a low-confidence word
        with letters or digits is text (">50" next to "≥" reads at confidence 9), only
        punctuation specks are noise, and underscores glued to a word's ends are specks."""
        trimmed = text.strip().strip("".join(LINE_GLYPHS))
        unsure = conf is not None and 0 <= conf < MIN_WORD_CONF
        if not ruled:  # specks under a glyph read as "_" glued to it ("1_", "4_")
            trimmed = trimmed.strip("_") if any(ch.isalnum() for ch in trimmed) else trimmed
            unsure = ((conf is not None and 0 <= conf < MIN_MARK_CONF
                       and not any(ch.isalnum() for ch in trimmed))
                      or all(ch in SPECK_MARKS for ch in trimmed))
        return cls(x0, t, x1, b, trimmed, conf, not trimmed or unsure)


@dataclass
class _Bucket:
    words: list[tuple[float, float, float, float, str]]


def _assign_words(spans, xs, ys, placed: list[Placed]) -> list[_Bucket]:
    """Put each word in the cell its box overlaps most; noise words and words spanning
    rules are in no cell."""
    nr, nc = len(ys) - 1, len(xs) - 1
    owner: dict[tuple[int, int], int] = {}
    for i, (r, c, rs, cs) in enumerate(spans):
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                owner[(rr, cc)] = i
    buckets = [_Bucket([]) for _ in spans]
    for wd in placed:
        if wd.x1 < xs[0] or wd.x0 > xs[-1] or wd.b < ys[0] or wd.t > ys[-1]:
            continue
        best, best_area = None, 0.0
        for r in range(nr):
            oy = min(wd.b, ys[r + 1]) - max(wd.t, ys[r])
            if oy <= 0:
                continue
            for c in range(nc):
                ox = min(wd.x1, xs[c + 1]) - max(wd.x0, xs[c])
                if ox > 0 and ox * oy > best_area:
                    best, best_area = owner[(r, c)], ox * oy
        if best is None:
            continue
        inside = best_area >= MIN_WORD_INSIDE * max(1e-6, (wd.x1 - wd.x0) * (wd.b - wd.t))
        if wd.noise or not inside:
            continue
        buckets[best].words.append(wd.box_text())
    return buckets


def _build_table(spans, xs, ys, buckets: list[_Bucket], to_page: PointMove, px_to_pt) -> Table:
    """Assemble a schema Table with boxes back in the page's (skewed) frame in points."""
    nr, nc = len(ys) - 1, len(xs) - 1

    def to_pt(x0: float, t: float, x1: float, b: float) -> tuple[float, float, float, float]:
        return box_px_to_pt(box_move_corners((x0, t, x1, b), to_page), px_to_pt, 2)

    cells = [
        TableCell(row=r, col=c, row_span=rs, col_span=cs, text=words_to_cell_text(buckets[i].words),
                  bbox=to_pt(xs[c], ys[r], xs[c + cs], ys[r + rs]))
        for i, (r, c, rs, cs) in enumerate(spans)
    ]
    return Table(bbox=to_pt(xs[0], ys[0], xs[-1], ys[-1]), n_rows=nr, n_cols=nc, cells=cells,
                 method="image-grid")
