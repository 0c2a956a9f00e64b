"""The one place pytesseract is used: recognise a page image into words with boxes.

The engine is passed into the pipeline (``OcrEngine`` protocol), so later stages can be
tested on recorded OCR output while this module is tested against real tesseract.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

from ingest.errors import IngestError, MissingToolError, PageTimeout
from schema import Word

INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-vie"
LOW_CONFIDENCE = 55.0  # below this mean word confidence, check the page's orientation


@dataclass
class OcrResult:
    text: str
    words: list[Word]
    confidence: float | None
    rotation: int = 0
    warnings: list[str] = field(default_factory=list)


class OcrEngine(Protocol):
    """Recognise a page image; boxes are returned in PDF points (px * 72 / dpi). psm:
    tesseract's page segmentation mode, None for the engine's own. An engine may also have
    ``orientation(image, timeout) -> clockwise degrees`` (ingest.scan_page uses it on
    pages read with low confidence)."""

    name: str

    def recognize(self, image, *, dpi: int, timeout: float | None = None,
                  psm: int | None = None) -> OcrResult: ...


class TesseractEngine:
    """pytesseract with the LSTM engine; one tesseract process per call."""

    name = "tesseract"

    def __init__(self, lang: str = "vie", psm: int = 3, fix_orientation: bool = True):
        self.lang = lang
        self.psm = psm
        self.fix_orientation = fix_orientation
        # OpenMP threads fight each other when pages run in parallel processes
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def check(self) -> str:
        """Raise MissingToolError unless tesseract and every requested language exist;
        return the languages it has. One tesseract start (--list-langs), as every run pays it."""
        import pytesseract

        try:
            langs = set(pytesseract.get_languages(config=""))
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingToolError("tesseract is not installed or not on PATH",
                                   hint=INSTALL_HINT) from exc
        missing = [lang for lang in self.lang.split("+") if lang not in langs]
        if missing:
            pkgs = " ".join(f"tesseract-ocr-{m}" for m in missing)
            raise MissingToolError(
                f"tesseract has no language data for: {', '.join(missing)}",
                hint=f"install it with: apt-get install {pkgs}")
        return ", ".join(sorted(langs))

    def recognize(self, image, *, dpi: int, timeout: float | None = None,
                  psm: int | None = None) -> OcrResult:
        return self.recognize_many([image], dpi=dpi, timeout=timeout, psm=psm)[0]

    def recognize_many(self, images: list, *, dpi: int, timeout: float | None = None,
                       psm: int | None = None) -> list[OcrResult]:
        """Recognise several images in one tesseract run (one start, one model load), each
        laid out on its own as a page of its own; one result per image, in order."""
        import pytesseract

        psm = self.psm if psm is None else psm
        try:
            # uncompressed TIFFs are written ~10x faster than the PNG pytesseract would make
            # (and tesseract reads them ~5% faster than PGMs);
            # a text file listing images makes tesseract read them all in one run
            with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as tmp:
                paths = []
                for i, image in enumerate(images):
                    paths.append(os.path.join(tmp, f"p{i}.tif"))
                    # compression named: an image keeps its source's ("group4" of a fax
                    # TIFF) in .info, which Pillow would reuse and cannot write for mode L
                    (image if image.mode in ("L", "1") else image.convert("L")).save(
                        paths[-1], compression="raw")
                path = paths[0]
                if len(paths) > 1:
                    path = os.path.join(tmp, "pages.txt")
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write("\n".join(paths) + "\n")
                data = pytesseract.image_to_data(
                    path, lang=self.lang, config=self._config(dpi, psm),
                    output_type=pytesseract.Output.DICT, timeout=timeout or 0)
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingToolError("tesseract is not installed or not on PATH",
                                   hint=INSTALL_HINT) from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise PageTimeout(f"OCR took longer than {timeout:g} s",
                                  hint="raise --page-timeout, or check the page image") from exc
            raise IngestError(f"tesseract failed: {exc}", code="ocr-failed") from exc
        except pytesseract.TesseractError as exc:
            msg = str(exc)
            if "Failed loading language" in msg or "Error opening data file" in msg:
                raise MissingToolError(f"tesseract cannot load language '{self.lang}'",
                                       hint=INSTALL_HINT) from exc
            raise IngestError(f"tesseract failed: {msg[:300]}", code="ocr-failed") from exc
        return [data_to_result(d, 72.0 / dpi) for d in split_pages(data, len(images))]

    def _config(self, dpi: int, psm: int) -> str:
        # tessedit_do_invert=0 (no inverted-text retry of doubtful lines) was measured: no
        # speed gain within noise, and a few characters lost on the sample scans' prose
        return f"--oem 1 --psm {psm} --dpi {dpi}"

    def orientation(self, image, timeout: float | None = None) -> int:
        """Return the clockwise rotation (0/90/180/270) that makes the page upright."""
        import pytesseract

        try:
            osd = pytesseract.image_to_osd(image, config="--psm 0 -c min_characters_to_try=10",
                                           timeout=timeout or 0)
        except Exception:  # too little text to tell; keep the page as it is
            return 0
        m = re.search(r"Rotate:\s*(\d+)", osd)
        return int(m.group(1)) % 360 if m else 0


def split_pages(data: dict, n: int) -> list[dict]:
    """Given image_to_data output over n images (page_num 1..n), return one dict per image."""
    if n == 1:
        return [data]
    out: list[dict] = [{k: [] for k in data} for _ in range(n)]
    for i, page in enumerate(data.get("page_num", [])):
        if 1 <= int(page) <= n:
            for k, values in data.items():
                out[int(page) - 1][k].append(values[i])
    return out


def data_to_result(data: dict, px_to_pt: float) -> OcrResult:
    """Given pytesseract image_to_data output, return the page text and words in points.

    Lines keep tesseract's reading order; a blank line separates blocks, so paragraph
    structure survives. ``Word.line`` is the index of the word's line in the returned text.
    """
    n = len(data.get("text", []))
    lines: list[list[Word]] = []
    text_lines: list[str] = []
    prev_key = None
    prev_bottom: float | None = None
    prev_height = 0.0
    confs: list[float] = []
    for i in range(n):
        token = unicodedata.normalize("NFC", (data["text"][i] or "").strip())
        if not token:
            continue
        key = (data["page_num"][i], data["block_num"][i], data["par_num"][i], data["line_num"][i])
        x, y = float(data["left"][i]), float(data["top"][i])
        w, h = float(data["width"][i]), float(data["height"][i])
        if key != prev_key:
            # a blank line where the page shows vertical space, so paragraphs survive
            # (tesseract's own blocks also split columns and table cells)
            if prev_bottom is not None and y - prev_bottom > 1.3 * max(h, prev_height):
                text_lines.append("")
                lines.append([])
            text_lines.append("")
            lines.append([])
            prev_key = key
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        word = Word(
            text=token,
            bbox=(round(x * px_to_pt, 2), round(y * px_to_pt, 2),
                  round((x + w) * px_to_pt, 2), round((y + h) * px_to_pt, 2)),
            conf=round(conf, 1) if conf >= 0 else None,
            line=len(text_lines) - 1,
        )
        if conf >= 0:
            confs.append(conf)
        lines[-1].append(word)
        prev_bottom, prev_height = y + h, h
        text_lines[-1] = f"{text_lines[-1]} {token}" if text_lines[-1] else token
    words = [w for line in lines for w in line]
    mean = round(sum(confs) / len(confs), 1) if confs else None
    return OcrResult(text="\n".join(text_lines), words=words, confidence=mean)
