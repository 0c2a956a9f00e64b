"""OCR accuracy of scans against the born-digital text they were made from, per OCR choice.

Each ``samples/<plan>.scan.pdf`` is a degraded 200 dpi scan of ``samples/<plan>.pdf``; the
"hard" scans are made here from the same born-digital PDFs at 150 dpi (``hard_scans``).
``score_scan`` (the figure `kehoach bench ocr` has always printed) OCRs each page at 300 dpi
and compares it with the page's text layer: character accuracy = 1 - Levenshtein distance /
reference length over whitespace-normalised text (reading order inside tables differs
between the two, so that is a lower bound).

``run_choices`` reads every scan once per OCR choice (a tesseract model and a resolution:
a fixed dpi, or None for the page's own, as `kehoach ingest` decides it) through the
pipeline (OCR, restoration, extraction) and reports, per choice:
  - word accuracy of the pages without ruled tables (reading order is the same there),
    raw OCR and after restoration: 1 - word-level Levenshtein / reference words, over
    words with a letter or digit, punctuation around them stripped (``text_to_words``);
  - table rows found (a text-layer row whose text an OCR'd row matches with similarity
    >= 80) and the mean similarity of their cells (each cell against the most similar cell
    of its row; raw OCR);
  - items F1 and metadata of the extracted record against the sample's expected record;
  - CPU time of the OCR (workers and tesseract), as a ratio to the first choice: one run,
    choices alternated scan by scan, so machine load touches them alike.
"""
from __future__ import annotations

import json
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..ingest.document import PageJob, ocr_page
from ..ingest.ocr import TesseractEngine
from ..ingest.pdf_text import read_text_layer
from .speed import SAMPLES

HARD_DPI = 150          # the hard scans' resolution (office scans are 150-200 dpi)
HARD_SEED = 5000        # their degradation seeds: HARD_SEED + 100 * k + page
ROW_FOUND = 80.0        # similarity of a row's joined text for the row to count as found
PUNCTUATION = ".,;:!?'\"`()[]{}<>|/\\-_~^ˆ¬*•…“”‘’«»"  # stripped around words


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


# --- OCR choices: model x resolution ----------------------------------------------------

@dataclass(frozen=True)
class OcrChoice:
    """One way to OCR: a tesseract model (as --lang takes it) and a resolution (dpi; None:
    the page's own, decided per page as `kehoach ingest` does by default)."""

    model: str
    dpi: int | None

    @property
    def label(self) -> str:
        return f"{self.model} @ {self.dpi or 'own'}"


@dataclass(frozen=True)
class BenchScan:
    """A scan to read and what it is scored against."""

    name: str           # e.g. "000-cho-don.scan", "000-cho-don.hard"
    scan: Path
    reference: Path     # the born-digital PDF it was made from
    expected: Path      # the expected record


@dataclass
class ChoiceTally:
    """Sums over the scans read with one choice (``ChoiceScore`` turns them into rates)."""

    pages: int = 0
    prose_pages: int = 0
    words: int = 0
    word_errors: int = 0
    restored_errors: int = 0
    ref_rows: int = 0
    rows_found: int = 0
    cell_similarity: float = 0.0
    cells: int = 0
    items_f1: list = field(default_factory=list)
    metadata: list = field(default_factory=list)
    cpu: float = 0.0
    wall: float = 0.0
    failed_pages: int = 0

    def add(self, other: "ChoiceTally") -> None:
        for k, v in vars(other).items():
            setattr(self, k, getattr(self, k) + v)


def scan_sets(kinds: tuple[str, ...] = ("scan", "hard"), work: Path | None = None) -> list[BenchScan]:
    """Given the kinds wanted ("scan": samples/<plan>.scan.pdf; "hard": made by
    ``hard_scans`` into ``work``), return the scans with their references."""
    out = []
    for k, scan in enumerate(sorted(SAMPLES.glob("*.scan.pdf"))):
        plan = scan.name[: -len(".scan.pdf")]
        ref, exp = SAMPLES / f"{plan}.pdf", SAMPLES / f"{plan}.scan.expected.json"
        if not (ref.exists() and exp.exists()):
            continue
        if "scan" in kinds:
            out.append(BenchScan(f"{plan}.scan", scan, ref, exp))
        if "hard" in kinds and work is not None:
            out.append(BenchScan(f"{plan}.hard", hard_scan(ref, work / f"{plan}.hard.pdf",
                                                             HARD_SEED + 100 * k), ref, exp))
    return out


def hard_scan(reference: Path, out: Path, seed: int) -> Path:
    """Given a born-digital PDF, write a harder scan of it to ``out``: rendered at
    ``HARD_DPI`` and degraded as the samples are (samples/degrade.py), 1-bit."""
    import sys

    if str(SAMPLES.parent) not in sys.path:  # samples/ is a source-tree tool, not in the package
        sys.path.insert(0, str(SAMPLES.parent))
    from samples.build_samples import images_to_pdf_bytes, pdf_pages_to_images
    from samples.degrade import degrade_page

    if not out.exists():
        pages = pdf_pages_to_images(reference.read_bytes(), dpi=HARD_DPI)
        images = [degrade_page(img, seed=seed + i, binarize=True) for i, img in enumerate(pages)]
        out.write_bytes(images_to_pdf_bytes(images, dpi=HARD_DPI))
    return out


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _ocr_choice(args):
    job, lang = args
    from ..core.settings import Settings
    from ..pipeline.runner import make_engine

    return ocr_page(job, make_engine(Settings(lang=lang, jobs=1)))


def text_to_words(text: str) -> list[str]:
    """Given a page text, return its words for word accuracy: tokens with a letter or a
    digit, punctuation around them stripped (scan specks read as "'", ":" or "¬" are not
    words; a word misread is an error however it is punctuated)."""
    out = []
    for token in text.split():
        core = token.strip(PUNCTUATION)
        if any(ch.isalnum() for ch in core):
            out.append(core)
    return out


def ref_rows(tables) -> list[list[str]]:
    """Given a page's tables, return their rows with any text, as lists of squashed cells."""
    rows = []
    for t in tables:
        for row in t.rows():
            cells = [_squash(c) for c in row]
            if any(cells):
                rows.append(cells)
    return rows


def rows_to_scores(ref: list[list[str]], got: list[list[str]]) -> tuple[int, float, int]:
    """Given the reference rows of a page and the OCR'd rows, return (rows found, summed
    cell similarity (0-1) over the found rows' non-empty cells, cells compared)."""
    found, sim, cells = 0, 0.0, 0
    got_text = [" ".join(c for c in r if c) for r in got]
    for row in ref:
        text = " ".join(c for c in row if c)
        if not got_text:
            break
        best = max(range(len(got)), key=lambda i: fuzz.ratio(text, got_text[i]))
        if fuzz.ratio(text, got_text[best]) < ROW_FOUND:
            continue
        found += 1
        for c in row:
            if c:
                sim += max(fuzz.ratio(c, g) for g in got[best]) / 100
                cells += 1
    return found, sim, cells


def read_scan(bs: BenchScan, choice: OcrChoice, jobs: int, lang: str) -> tuple[ChoiceTally, object]:
    """Given a scan, an OCR choice and its model as tesseract takes it, read it through the pipeline (OCR in ``jobs`` fresh
    worker processes, then restoration and extraction here); return its tally and Document."""
    from ..ingest.document import plan_document
    from ..outputs.compare import compare_records
    from ..core.settings import Settings
    from ..pipeline.runner import finish_document, merge_ocr_page

    settings = Settings(lang=lang, dpi=choice.dpi, jobs=jobs)
    doc, page_jobs = plan_document(bs.scan, settings)
    cpu, t = _children_cpu(), time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pages = list(pool.map(_ocr_choice, [(j, lang) for j in page_jobs]))
    tally = ChoiceTally(wall=time.perf_counter() - t, cpu=_children_cpu() - cpu)
    for page in pages:
        merge_ocr_page(doc, page)
    doc = finish_document(doc, settings)
    layer = read_text_layer(bs.reference, with_tables=True)
    for page, ref in zip(doc.pages, layer):
        tally.pages += 1
        tally.failed_pages += bool(page.error)
        if ref.tables:
            rows = ref_rows(ref.tables)
            found, sim, cells = rows_to_scores(rows, ref_rows(page.tables))
            tally.ref_rows += len(rows)
            tally.rows_found += found
            tally.cell_similarity += sim
            tally.cells += cells
            continue
        words = text_to_words(ref.text)
        tally.prose_pages += 1
        tally.words += len(words)
        tally.word_errors += Levenshtein.distance(text_to_words(page.raw_text), words)
        tally.restored_errors += Levenshtein.distance(text_to_words(page.text), words)
    score = compare_records(json.loads(bs.expected.read_text(encoding="utf-8")), doc)
    n = [s.items for s in (score.targets, score.tasks) if s.scored]
    tp, fp, fn = (sum(getattr(p, k) for p in n) for k in ("tp", "fp", "fn"))
    tally.items_f1 = [2 * tp / max(1, 2 * tp + fp + fn)]
    tally.metadata = [score.metadata_accuracy]
    return tally, doc


def run_choices(choices: list[OcrChoice], scans: list[BenchScan], jobs: int = 1,
                progress=None, save: Path | None = None) -> dict[tuple[str, OcrChoice], ChoiceTally]:
    """Given OCR choices and scans, read every scan with every choice (choices alternated
    scan by scan); return the tally per (scan kind, choice): kind "scan" or "hard". With
    ``save``, each Document read is written there as ``<scan>.<model>@<dpi>.json``."""
    from ..ingest.ocr import resolve_models

    out: dict[tuple[str, OcrChoice], ChoiceTally] = {}
    langs = {c.model: resolve_models(c.model).lang for c in choices}  # as tesseract takes them
    for bs in scans:
        kind = bs.name.rsplit(".", 1)[-1]
        for choice in choices:
            tally, doc = read_scan(bs, choice, jobs, langs[choice.model])
            if save is not None:
                name = f"{bs.name}.{choice.model.replace('/', '-')}@{choice.dpi or 'own'}.json"
                (save / name).write_text(doc.model_dump_json(), encoding="utf-8")
            out.setdefault((kind, choice), ChoiceTally()).add(tally)
            if progress:
                progress(f"{bs.name} {choice.label}: cpu {tally.cpu:.1f}s, "
                         f"words {1 - tally.word_errors / max(1, tally.words):.4f}")
    return out


def choices_to_table(tallies: dict[tuple[str, OcrChoice], ChoiceTally]) -> str:
    """Given the tallies of ``run_choices``, return a markdown table, one row per scan kind
    and choice; CPU time as a ratio to the kind's first choice."""
    rows = ["| scans | OCR choice | pages | words, raw | words, restored | rows found | "
            "cell similarity | items F1 | metadata | OCR CPU (ratio) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    first: dict[str, float] = {}
    for (kind, choice), t in tallies.items():
        base = first.setdefault(kind, t.cpu)
        f1 = sum(t.items_f1) / max(1, len(t.items_f1))
        meta = sum(t.metadata) / max(1, len(t.metadata))
        failed = f" ({t.failed_pages} failed)" if t.failed_pages else ""
        rows.append(f"| {kind} | {choice.label} | {t.pages}{failed} | "
                    f"{1 - t.word_errors / max(1, t.words):.4f} | "
                    f"{1 - t.restored_errors / max(1, t.words):.4f} | {t.rows_found}/{t.ref_rows} | "
                    f"{t.cell_similarity / max(1, t.cells):.4f} | {f1:.3f} | {meta:.3f} | "
                    f"{t.cpu / base if base else float('nan'):.2f} ({t.cpu:.0f}s) |")
    return "\n".join(rows)


def parse_choices(models: str, resolutions: str) -> list[OcrChoice]:
    """Given comma-separated models ("vie,script/Vietnamese") and resolutions ("300,200,own"),
    return every combination, models outer."""
    dpis = [None if r.strip() == "own" else int(r) for r in resolutions.split(",") if r.strip()]
    return [OcrChoice(m.strip(), d) for m in models.split(",") if m.strip() for d in dpis]
