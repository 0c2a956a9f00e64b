"""OCR accuracy of the sample scans against the born-digital text they were made from.

Each ``samples/<plan>.scan.pdf`` is a degraded scan of ``samples/<plan>.pdf``; page i of
the scan is OCR'd (tesseract `vie`, 300 dpi, as `kehoach ingest` does) and compared with
page i's text layer. Character accuracy = 1 - Levenshtein distance / reference length,
over whitespace-normalised text (reading order inside tables differs between the two, so
this is a lower bound of what the recognizer gets right).
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from ..ingest.document import PageJob, ocr_page
from ..ingest.ocr import TesseractEngine
from ..ingest.pdf_text import read_text_layer
from .speed import SAMPLES


@dataclass
class OcrScore:
    scan: str
    pages: int
    char_accuracy: float
    word_accuracy: float
    seconds: float
    prose_char_accuracy: float  # pages without ruled tables: reading order is the same
    prose_pages: int


def _squash(text: str) -> str:
    return " ".join(text.split())


def _ocr(job: PageJob) -> str:
    return ocr_page(job, TesseractEngine()).raw_text


def score_scan(scan: Path, reference: Path, jobs: int = 2, max_pages: int | None = None) -> OcrScore:
    layer = read_text_layer(reference, with_tables=True)
    ref_pages = [p.text for p in layer]
    has_table = [bool(p.tables) for p in layer]
    n = len(ref_pages) if max_pages is None else min(max_pages, len(ref_pages))
    page_jobs = [PageJob(str(scan), "pdf", i, 300, 0, "bench") for i in range(n)]
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        hyps = list(pool.map(_ocr, page_jobs))
    seconds = time.perf_counter() - t
    dist = total = wdist = wtotal = pdist = ptotal = prose = 0
    for hyp, ref, table in zip(hyps, ref_pages, has_table):
        h, r = _squash(hyp), _squash(ref)
        d = Levenshtein.distance(h, r)
        dist += d
        total += len(r)
        wdist += Levenshtein.distance(h.split(), r.split())
        wtotal += len(r.split())
        if not table:
            pdist, ptotal, prose = pdist + d, ptotal + len(r), prose + 1
    return OcrScore(scan.name, n, 1 - dist / max(1, total), 1 - wdist / max(1, wtotal), seconds,
                    1 - pdist / max(1, ptotal), prose)


def run(max_pages: int | None = None) -> list[OcrScore]:
    scores = []
    for scan in sorted(SAMPLES.glob("*.scan.pdf")):
        ref = scan.with_name(scan.name.replace(".scan.pdf", ".pdf"))
        if ref.exists():
            scores.append(score_scan(scan, ref, max_pages=max_pages))
    return scores


def format_table(scores: list[OcrScore]) -> str:
    rows = ["| scan | pages | char accuracy | word accuracy | char accuracy, pages without "
            "tables | s/page (2 jobs) |", "|---|---|---|---|---|---|"]
    for s in scores:
        rows.append(f"| {s.scan} | {s.pages} | {s.char_accuracy:.4f} | {s.word_accuracy:.4f} | "
                    f"{s.prose_char_accuracy:.4f} ({s.prose_pages} pages) | "
                    f"{s.seconds / max(1, s.pages):.2f} |")
    return "\n".join(rows)
