"""OCR engines for stage tests: complete ``kehoach.ingest.ocr.OcrEngine``s that answer
without tesseract (recorded lines, a reading made from the image's ink, a failure), so the
stages after OCR are tested on known OCR output. The OCR module itself is tested against
real tesseract (tests marked ``ocr``)."""
from __future__ import annotations

from kehoach.ingest.ocr import OcrResult
from kehoach.schema import Word


class FakeEngine:
    """The whole engine protocol: a subclass says how one image reads (``read``) or how a
    run of images reads (``recognize_many``); ``runs`` counts tesseract-like runs and
    ``images`` the images read. Pages are upright (``orientation`` 0)."""

    name = "fake"
    fix_orientation = True

    def __init__(self):
        self.runs = 0
        self.images = 0

    def read(self, image, dpi: int) -> OcrResult:
        raise NotImplementedError

    def recognize_many(self, images, *, dpi, timeout=None, psm=None) -> list[OcrResult]:
        self.runs += 1
        self.images += len(images)
        return [self.read(im, dpi) for im in images]

    def recognize(self, image, *, dpi, timeout=None, psm=None) -> OcrResult:
        return self.recognize_many([image], dpi=dpi, timeout=timeout, psm=psm)[0]

    def orientation(self, image, timeout=None) -> int:
        return 0


def lines_to_result(lines: list[str], conf: float = 93.0) -> OcrResult:
    """Given text lines, return them as an OCR result: words on a 20-point line pitch."""
    words = [Word(text=t, bbox=(10.0 * k, 20.0 * i, 10.0 * k + 8, 20.0 * i + 12), conf=conf, line=i)
             for i, line in enumerate(lines) for k, t in enumerate(line.split())]
    return OcrResult(text="\n".join(lines), words=words, confidence=conf)


class RecordedEngine(FakeEngine):
    """Reads the same recorded lines on every image."""

    def __init__(self, lines: list[str], conf: float = 93.0):
        super().__init__()
        self.result = lines_to_result(lines, conf)

    def read(self, image, dpi):
        return self.result


class FailingEngine(FakeEngine):
    """Fails the test if anything asks it to read."""

    def read(self, image, dpi):
        raise AssertionError("OCR ran where no page was to be read")
