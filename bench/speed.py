"""Speed and memory figures of the pipeline, as ratios measured in one run.

Machines here are shared and noisy, so every figure that matters is a ratio of two timings
taken back to back on the same input: pipeline vs bare tesseract on the same page images,
--jobs 2 vs --jobs 1 on the same batch, kehoach vs ocrmypdf on the same scanned PDF.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    met: bool | None
    detail: str = ""


def _env() -> dict:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _kehoach(args: list[str]) -> float:
    """Run `kehoach ...` in a fresh process; return wall seconds."""
    cmd = [sys.executable, "-m", "kehoach", *args]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"kehoach {' '.join(args)} failed: {proc.stderr[-500:]}")
    return elapsed


def scanned_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.pdf") if "scan" in p.name)


def born_digital_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.pdf") if "scan" not in p.name and "mixed" not in p.name)


def render_pages(pdf: Path, out_dir: Path, dpi: int | None = None, limit: int | None = None) -> list[Path]:
    """Given a scanned PDF, write its pages (all, or the first `limit`) as PNGs at `dpi`
    (None: each page's own resolution), the bare-tesseract input."""
    from ..ingest.render import render_pdf_page
    from ..ingest.pdf_text import pdf_page_count

    n = pdf_page_count(pdf) if limit is None else min(limit, pdf_page_count(pdf))
    paths = []
    for i in range(n):
        p = out_dir / f"page{i + 1:03d}.png"
        image, used = render_pdf_page(pdf, i, dpi)
        image.save(p, dpi=(used, used))
        paths.append(p)
    return paths


def default_model() -> str:
    """The model `kehoach ingest` reads with by default, as tesseract takes it."""
    from ..ingest.ocr import resolve_models

    return resolve_models(None).lang


def ocr_floor(work: Path, pages: int | None = None, rounds: int = 2) -> Figure:
    """`kehoach ingest --jobs 1` of one scanned sample's page images (all pages, at their
    own resolution) vs bare `tesseract PAGE.png out -l MODEL --oem 1` on each, one after the
    other, the same default model; ``rounds`` times, alternated, the ratio of the sums."""
    scans = scanned_samples()
    if not scans:
        return Figure("OCR overhead vs bare tesseract", float("nan"), "x", "<= 1.15", None,
                      "no scanned sample")
    img_dir = work / "imgs"
    img_dir.mkdir()
    images = render_pages(scans[0], img_dir, limit=pages)
    model = default_model()
    bare = bare_cpu = pipeline = pipeline_cpu = 0.0
    for k in range(rounds):
        t, c = time.perf_counter(), _children_cpu()
        for p in images:
            subprocess.run(["tesseract", str(p), str(work / p.stem), "-l", model, "--oem", "1"],
                           env=_env(), check=True, capture_output=True)
        bare, bare_cpu = bare + time.perf_counter() - t, bare_cpu + _children_cpu() - c
        c = _children_cpu()
        pipeline += _kehoach(["ingest", str(img_dir), "--out", str(work / f"out-floor{k}"), "--jobs", "1",
                              "--quiet", "--force"])
        pipeline_cpu += _children_cpu() - c
    ratio = pipeline / bare
    # CPU time too: kehoach loads its model in a thread while tesseract runs, which hides
    # wall time on an idle second core but not CPU time
    return Figure("OCR overhead vs bare tesseract (--jobs 1)", ratio, "x", "<= 1.15",
                  ratio <= 1.15, f"{scans[0].name}, {len(images)} page images at their own resolution, "
                  f"-l {model}, {rounds} rounds alternated: kehoach {pipeline:.1f}s, "
                  f"bare tesseract {bare:.1f}s; CPU {pipeline_cpu:.1f}s vs {bare_cpu:.1f}s "
                  f"({pipeline_cpu / bare_cpu:.2f}x)")


def jobs_scaling(work: Path) -> Figure:
    """`kehoach ingest` of every scanned sample, --jobs 2 vs --jobs 1."""
    scans = [p for p in scanned_samples() if "short" not in p.name]
    if not scans:
        return Figure("--jobs 2 / --jobs 1", float("nan"), "x", "<= 0.6", None, "no scanned sample")
    from ..ingest.pdf_text import pdf_page_count

    batch = work / "batch"
    batch.mkdir()
    for p in scans:
        shutil.copy(p, batch / p.name)
    pages = sum(pdf_page_count(p) for p in scans)
    one = _kehoach(["ingest", str(batch), "--out", str(work / "o1"), "--jobs", "1", "--quiet"])
    two = _kehoach(["ingest", str(batch), "--out", str(work / "o2"), "--jobs", "2", "--quiet"])
    ratio = two / one
    return Figure("--jobs 2 / --jobs 1 wall time", ratio, "x", "<= 0.6", ratio <= 0.6,
                  f"{len(scans)} scanned PDFs, {pages} pages: --jobs 1 {one:.1f}s, --jobs 2 {two:.1f}s")


def ocrmypdf_comparison(work: Path, jobs: int = 2, rounds: int = 2) -> Figure:
    """`kehoach ingest` (OCR + restoration + extraction) vs `ocrmypdf -l MODEL --force-ocr`
    on one scanned sample, the same --jobs and the same model (kehoach's default);
    ``rounds`` runs of each, alternated, the ratio of the sums; `kehoach --dpi 300` too
    (the default reads each page at its scanned image's own resolution, as ocrmypdf does)."""
    scans = scanned_samples()
    exe = shutil.which("ocrmypdf") or (str(Path(sys.executable).parent / "ocrmypdf")
                                       if (Path(sys.executable).parent / "ocrmypdf").exists() else None)
    if not scans or not exe:
        return Figure("kehoach / ocrmypdf", float("nan"), "x", "<= 0.85", None,
                      "ocrmypdf not installed (make bench installs it)")
    scan = scans[0]
    model = default_model()
    theirs = ours = theirs_cpu = ours_cpu = fixed = fixed_cpu = 0.0
    for k in range(rounds):
        t, c = time.perf_counter(), _children_cpu()
        proc = subprocess.run([exe, "-l", model, "--jobs", str(jobs), "--output-type", "pdf",
                               "--force-ocr", str(scan), str(work / "ocrmypdf.pdf")],
                              env=_env(), capture_output=True, text=True)
        theirs, theirs_cpu = theirs + time.perf_counter() - t, theirs_cpu + _children_cpu() - c
        if proc.returncode != 0:
            return Figure("kehoach / ocrmypdf", float("nan"), "x", "<= 0.85", None,
                          f"ocrmypdf failed: {proc.stderr.strip().splitlines()[-1:]}")
        c = _children_cpu()
        ours += _kehoach(["ingest", str(scan), "--out", str(work / f"o-cmp{k}"), "--jobs", str(jobs),
                          "--quiet", "--force"])
        ours_cpu += _children_cpu() - c
        c = _children_cpu()
        fixed += _kehoach(["ingest", str(scan), "--out", str(work / f"o-300-{k}"), "--jobs", str(jobs),
                           "--quiet", "--force", "--dpi", "300"])
        fixed_cpu += _children_cpu() - c
    ratio = ours / theirs
    return Figure(f"kehoach / ocrmypdf (--jobs {jobs}, -l {model})", ratio, "x", "<= 0.85",
                  ratio <= 0.85, f"{scan.name}, {rounds} rounds alternated: kehoach {ours:.1f}s, "
                  f"ocrmypdf {theirs:.1f}s; CPU {ours_cpu:.1f}s vs {theirs_cpu:.1f}s "
                  f"({ours_cpu / theirs_cpu:.2f}x); kehoach --dpi 300 {fixed:.1f}s = {fixed / theirs:.2f}x "
                  f"wall, {fixed_cpu / theirs_cpu:.2f}x CPU")


def copy_batch(pdfs: list[Path], folder: Path, min_pages: int, min_copies: int = 1) -> tuple[Path, int]:
    """Copy the PDFs into folder as often as needed for min_pages; return (folder, pages)."""
    from ..ingest.pdf_text import pdf_page_count

    folder.mkdir()
    counts = {p: pdf_page_count(p) for p in pdfs}
    pages, k = 0, 0
    while pages < min_pages or k < min_copies:
        for p in pdfs:
            shutil.copy(p, folder / f"{p.stem}-{k}.pdf")
            pages += counts[p]
        k += 1
    return folder, pages


def born_digital_rate(work: Path, copies: int = 4) -> Figure:
    pdfs = born_digital_samples()
    if not pdfs:
        return Figure("born-digital pages/s", float("nan"), "pages/s", ">= 20", None, "no sample")
    batch, pages = copy_batch(pdfs, work / "digital", min_pages=1, min_copies=copies)
    elapsed = _kehoach(["ingest", str(batch), "--out", str(work / "o-digital"), "--quiet"])
    rate = pages / elapsed
    return Figure("born-digital pages/s end to end", rate, "pages/s", ">= 20", rate >= 20,
                  f"{pages} pages in {elapsed:.1f}s (all cores, including start-up)")


def peak_memory(work: Path, target_pages: int = 500) -> Figure:
    """Peak RSS of the batch and its workers through a batch of ~500 pages from samples."""
    pdfs = born_digital_samples()
    if not pdfs:
        return Figure("peak RSS, 500-page batch", float("nan"), "MB", "< 600", None, "no sample")
    batch, pages = copy_batch(pdfs, work / "mem", min_pages=target_pages)
    cmd = [sys.executable, "-c",
           "import resource,subprocess,sys;"
           f"subprocess.run({[sys.executable, '-m', 'kehoach', 'ingest', str(batch), '--out', str(work / 'o-mem'), '--quiet']!r});"
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"]
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True).stdout.strip().splitlines()
    peak_mb = int(out[-1]) / 1024 if out else float("nan")
    return Figure("peak RSS of one process, 500-page batch", peak_mb, "MB", "< 600",
                  peak_mb < 600, f"{pages} pages; largest of the main process and its workers")


def compile_package() -> None:
    """Write the package's bytecode (as pip does when it installs a wheel), so that the
    timed runs do not compile kehoach's modules from source each time: an editable install
    run with PYTHONDONTWRITEBYTECODE set (as on the development machines) never writes it,
    and compiling costs each process ~0.15 s that an installed kehoach does not pay. The
    tools compared with were installed by pip, their bytecode with them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folders = sorted(str(p) for p in ROOT.iterdir() if (p / "__init__.py").is_file())
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders, *map(str, ROOT.glob("*.py"))],
                   env=env, capture_output=True)


def run_all(quick: bool = False, only: tuple[str, ...] = ()) -> list[Figure]:
    """Every figure (``quick``: two of them; ``only``: the steps named, e.g. "ocr_floor",
    "ocrmypdf_comparison")."""
    figures = []
    compile_package()
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
        work = Path(tmp)
        steps = [born_digital_rate, peak_memory, ocr_floor, jobs_scaling, ocrmypdf_comparison]
        if quick:
            steps = [born_digital_rate, ocr_floor]
        if only:
            steps = [s for s in steps if s.__name__ in only]
        for step in steps:
            sub = work / step.__name__
            sub.mkdir()
            figures.append(step(sub))
    return figures


def format_table(figures: list[Figure]) -> str:
    rows = ["| figure | value | goal | met | detail |", "|---|---|---|---|---|"]
    for f in figures:
        met = "n/a" if f.met is None else ("yes" if f.met else "NO")
        rows.append(f"| {f.name} | {f.value:.2f} {f.unit} | {f.goal} | {met} | {f.detail} |")
    return "\n".join(rows)

