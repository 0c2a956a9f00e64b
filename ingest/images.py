"""The one place Pillow opens input images: PNG, JPEG, TIFF (multi-page), GIF, BMP, WebP."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import IngestError

DEFAULT_IMAGE_DPI = 300
MAX_PIXELS = 120_000_000  # ~ A0 at 300 dpi; larger pages are almost surely not plan pages


def image_page_count(path: Path) -> int:
    with _open(path) as im:
        return max(1, getattr(im, "n_frames", 1))


def load_image_page(path: Path, index: int):
    """Given an image file and a 0-based frame index, return (greyscale image, dpi)."""
    from PIL import ImageOps

    from PIL import Image

    with _open(path) as im:
        try:
            im.seek(index)
        except EOFError as exc:
            raise IngestError(f"{path.name} has no page {index + 1}", code="bad-image") from exc
        except Image.DecompressionBombError as exc:
            raise _too_large(path, f"page {index + 1}: {exc}") from exc
        w, h = im.size  # each frame of a TIFF has its own size: the first one was checked
        if w * h > MAX_PIXELS:
            raise _too_large(path, f"page {index + 1} is {w}x{h} px")
        dpi = _dpi(im)
        try:
            # EXIF orientation first: phone photos of plans are often stored sideways
            page = ImageOps.exif_transpose(im) if index == 0 else im.copy()
            page = page.convert("L")
        except Image.DecompressionBombError as exc:
            raise _too_large(path, f"page {index + 1}: {exc}") from exc
        except OSError as exc:
            raise IngestError(f"{path.name}: image data is damaged: {exc}", code="bad-image") from exc
    return page, dpi


def _too_large(path: Path, detail: str) -> IngestError:
    return IngestError(f"{path.name} is too large an image ({detail})",
                       hint=f"images over {MAX_PIXELS // 1_000_000} megapixels are refused; "
                       "downscale it to 300 dpi first", code="image-too-large")


def _dpi(im) -> int:
    dpi = im.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    # 72/96 dpi are screen defaults written by tools that never knew the scan resolution
    return value if 100 <= value <= 1200 else DEFAULT_IMAGE_DPI


class _open:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            self.im = Image.open(self.path)
            w, h = self.im.size
        except Image.DecompressionBombError as exc:
            raise IngestError(
                f"{self.path.name} is too large an image ({exc})",
                hint=f"images over {MAX_PIXELS // 1_000_000} megapixels are refused; "
                "downscale it to 300 dpi first", code="image-too-large") from exc
        except Exception as exc:
            raise IngestError(f"{self.path.name} is not a readable image: {exc}",
                              code="bad-image") from exc
        if w * h > MAX_PIXELS:
            self.im.close()
            raise IngestError(
                f"{self.path.name} is too large an image ({w}x{h} px)",
                hint=f"images over {MAX_PIXELS // 1_000_000} megapixels are refused; "
                "downscale it to 300 dpi first", code="image-too-large")
        return self.im

    def __exit__(self, *exc):
        self.im.close()
        return False
