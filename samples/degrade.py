"""Make clean page renders look like office scans: skew, blur, speckle, grey paper, low contrast.

Pure functions of (image, seed, parameters): the same inputs always give the same pixels, so
built samples are reproducible and other stages can make synthetic OCR data with them:

    from samples.degrade import degrade_page, DegradeSettings
    scan = degrade_page(clean_page_image, seed=3)

Images are Pillow images; the result is greyscale ("L") or, with ``binarize=True``, 1-bit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class DegradeSettings:
    """How hard to degrade a page. Defaults look like a 200 dpi office-copier scan."""

    skew_deg: tuple[float, float] = (0.3, 1.5)  # absolute skew drawn uniformly, random sign
    blur_radius: float = 0.6                    # Gaussian blur in pixels (optics, toner spread)
    background: int = 225                       # grey level of the paper (255 = white)
    ink: int = 45                               # grey level of full-strength ink (0 = black)
    noise_sigma: float = 9.0                    # Gaussian sensor noise, grey levels
    speckle_density: float = 0.0004             # fraction of pixels hit by dark specks
    speckle_max_px: int = 2                     # largest speck side in pixels
    binarize: bool = False                      # threshold to 1-bit (fax-like, smallest files)
    threshold: int = 150                        # grey level for ``binarize``


def rotate_page(img: Image.Image, angle_deg: float, fill: int = 255) -> Image.Image:
    """Given a greyscale page and an angle, return it rotated about its centre, same size."""
    return img.rotate(angle_deg, resample=Image.BICUBIC, expand=False, fillcolor=fill)


def blur_page(img: Image.Image, radius: float) -> Image.Image:
    """Given a greyscale page, return it Gaussian-blurred by ``radius`` pixels (0 = unchanged)."""
    return img.filter(ImageFilter.GaussianBlur(radius)) if radius > 0 else img


def compress_contrast(img: Image.Image, background: int, ink: int) -> Image.Image:
    """Given a greyscale page, return it with white mapped to ``background`` and black to ``ink``."""
    a = np.asarray(img, dtype=np.float32) / 255.0
    out = ink + a * (background - ink)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")


def add_noise(img: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    """Given a greyscale page, return it with Gaussian noise of ``sigma`` grey levels added."""
    if sigma <= 0:
        return img
    a = np.asarray(img, dtype=np.float32)
    a = a + rng.normal(0.0, sigma, a.shape).astype(np.float32)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def add_speckles(img: Image.Image, rng: np.random.Generator, density: float, max_px: int) -> Image.Image:
    """Given a greyscale page, return it with small dark specks (dust, toner) scattered on it."""
    a = np.array(img, dtype=np.uint8)
    h, w = a.shape
    n = int(density * h * w)
    if n <= 0:
        return img
    ys = rng.integers(0, h, n)
    xs = rng.integers(0, w, n)
    sizes = rng.integers(1, max_px + 1, n)
    shades = rng.integers(20, 120, n)
    for y, x, s, g in zip(ys, xs, sizes, shades):
        a[y : y + s, x : x + s] = np.minimum(a[y : y + s, x : x + s], g)
    return Image.fromarray(a, "L")


def binarize_page(img: Image.Image, threshold: int) -> Image.Image:
    """Given a greyscale page, return a 1-bit page: pixels darker than ``threshold`` are black."""
    return img.point(lambda v: 255 if v >= threshold else 0).convert("1", dither=Image.NONE)


def draw_skew(seed: int, settings: DegradeSettings) -> float:
    """Given a seed, return the skew angle in degrees that ``degrade_page`` will apply."""
    rng = np.random.default_rng(seed)
    lo, hi = settings.skew_deg
    return float(rng.uniform(lo, hi) * rng.choice([-1.0, 1.0]))


def degrade_page(img: Image.Image, seed: int, settings: DegradeSettings | None = None, **overrides) -> Image.Image:
    """Given a clean page image and a seed, return a scan-like copy (greyscale, or 1-bit).

    Order follows the physics: the page sits skewed on the glass, optics blur it, the paper is
    grey and the toner never fully black, the sensor adds noise and dust adds specks.
    Keyword ``overrides`` replace fields of ``settings`` (e.g. ``binarize=True``).
    """
    s = replace(settings or DegradeSettings(), **overrides)
    page = img.convert("L")
    angle = draw_skew(seed, s)
    rng = np.random.default_rng(seed + 1)
    page = rotate_page(page, angle)
    page = blur_page(page, s.blur_radius)
    page = compress_contrast(page, s.background, s.ink)
    page = add_noise(page, rng, s.noise_sigma)
    page = add_speckles(page, rng, s.speckle_density, s.speckle_max_px)
    if s.binarize:
        page = binarize_page(page, s.threshold)
    return page
