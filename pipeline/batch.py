"""Batch runner: many inputs, one record each, every core busy, no input can stop the batch.

Work is cut at page level (as OCRmyPDF does): a worker first reads a file's text layer and
plans which pages need OCR, each such page becomes its own task, and once a document's
pages are all back it is normalized and extracted in a worker. Both a folder of small scans
and one long scanned PDF keep every core busy. Records are written by this process only,
atomically; an input that fails gets ``<name>.error.json`` and the batch goes on.
"""
from __future__ import annotations

import errno
import logging
import os
import stat
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..ingest.detect import is_candidate_input
from ..ingest.document import file_sha256
from ..core.errors import UsageError
from . import records
from .record_files import path_to_document
from .rerun import saved_to_ingested
from .records import exception_to_error_info
from .runner import (
    finish_document, mark_batch_worker, merge_ocr_page, ocr_job, plan_file, process_file,
    start_warm_up, wait_warm_up,
)
from ..core.settings import Settings
from ..schema import Document, ErrorInfo

log = logging.getLogger("kehoach")


@dataclass
class BatchReport:
    written: list[Path] = field(default_factory=list)
    refinished: list[Path] = field(default_factory=list)  # written from a record's saved pages
    failed: list[Path] = field(default_factory=list)   # error records written
    skipped: list[Path] = field(default_factory=list)  # record already up to date
    messages: list[str] = field(default_factory=list)  # one readable line per failure
    all_inputs: list[Path] = field(default_factory=list)
    # records written with pages that could not be read: some (status partial) or none
    # readable (status failure, also in `unread`); one readable line each in `notes`
    incomplete: list[Path] = field(default_factory=list)
    unread: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the error code of each input that got an error record ("missing-tool", "timeout"...)
    failure_codes: dict[Path, str] = field(default_factory=dict)
    # of the records written: pages, document warnings, units not in the registry (their
    # names), records without a document number
    pages: int = 0
    warnings: int = 0
    unknown_units: set[str] = field(default_factory=set)
    without_number: list[Path] = field(default_factory=list)
    # reviewers' corrections (OUT/corrections) applied to the records written: fields,
    # deletions and additions; the records they went into; those whose item is gone
    corrections: int = 0
    corrected: list[Path] = field(default_factory=list)
    corrections_unmatched: int = 0

    @property
    def missing_dependency(self) -> bool:
        """Whether an input failed because a tool or model is not installed (tesseract, an
        OCR model, LibreOffice): installing it is the fix."""
        return "missing-tool" in self.failure_codes.values()

    @property
    def exit_code(self) -> int:
        """1 when an input got an error record or a record without one readable page."""
        return 1 if self.failed or self.unread else 0


def collect_inputs(paths: Iterable[str | Path], ignored: list[Path] | None = None) -> list[Path]:
    """Given files and folders, return the input files (folders walked recursively, sorted).

    A path named explicitly is always taken; in folders every entry named like an input is
    (a FIFO, a device or a broken symlink too: the batch gives it an error record), and the
    other files are appended to ``ignored`` (so the caller can say so). Symlinked folders
    are not followed (a link to a parent would walk forever); they are ``ignored`` too.
    """
    found: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                if q.is_dir() and not q.is_symlink():
                    continue  # walked by rglob itself
                if is_candidate_input(q) and not q.is_dir():
                    found.append(q)
                elif ignored is not None and not q.name.startswith(".") and not q.name.endswith(".json"):
                    ignored.append(q)
        elif p.exists() or p.is_symlink():
            found.append(p)
        else:
            missing.append(str(raw))
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    seen, unique = set(), []
    for p in found:
        key = os.path.realpath(p)  # never raises, unlike Path.resolve on a symlink loop
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _not_a_file(path: Path) -> ErrorInfo | None:
    """Given an input path, return why it cannot be read as a file (a FIFO would block the
    batch forever on open, a device never ends), or None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        reason = "a symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        return ErrorInfo(code="unreadable", message=f"cannot read {path.name}: {reason}",
                         hint="check the file exists and its permissions")
    if stat.S_ISREG(mode):
        return None
    what = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return ErrorInfo(code="not-a-file", message=f"{path.name} is {what}, not a file",
                     hint="give PDFs, images or text files (copy the data to a file first)")


class _Job:
    """One input file in flight."""

    def __init__(self, path: Path, name: str, sha: str):
        self.path, self.name, self.sha = path, name, sha
        self.doc: Document | None = None
        self.pending_pages = 0
        # a record of this input read with the same reading options: its pages are
        # normalized and extracted again (rules or model changed), not read again
        self.saved: Path | None = None
        self.stamp = _stamp(path)  # size and modification time when its hash was taken

    def changed_since_hashed(self) -> bool:
        """Whether the file is not the one hashed (written to, replaced or removed since)."""
        return self.stamp is None or _stamp(self.path) != self.stamp


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def run_batch(
    paths: list[Path],
    out_dir: Path,
    settings: Settings,
    on_done: Callable[[Path, bool], None] | None = None,
    engine=None,
    executor: str = "local",
    scheduler: str | None = None,
    on_pages: Callable[[Path, int, int], None] | None = None,
    report: BatchReport | None = None,
) -> BatchReport:
    """Given input files, write one record (or error record) per file into out_dir.
    ``on_done(path, ok)`` is told each input finished; ``on_pages(path, read, total)`` the
    pages of an input read so far (parsed, then each OCR page). ``report`` is filled as the
    batch goes (a caller interrupted part-way still knows what was written)."""
    records.prepare_out_dir(out_dir)
    report = report if report is not None else BatchReport()
    report.all_inputs = list(paths)
    options = settings.fingerprint()
    names = records.output_names(paths)
    todo: list[_Job] = []
    for p in paths:
        problem = _not_a_file(p)
        if problem:
            _fail(report, out_dir, p, names[p], None, problem, on_done)
            continue
        try:
            stamp = _stamp(p)  # before hashing: a write while hashing shows too
            sha = file_sha256(p)
        except OSError as exc:
            _fail(report, out_dir, p, names[p], None,
                  ErrorInfo(code="unreadable", message=f"cannot read {p.name}: {exc.strerror or exc}",
                            hint="check the file exists and its permissions"), on_done)
            continue
        name = names[p]
        other_path, other_sha = records.existing_source(out_dir, name)
        if other_path and other_sha != sha and os.path.realpath(other_path) != os.path.realpath(p):
            # another input with this stem, from an earlier run into the same folder
            name = records.unique_name(p)
        job = _Job(p, name, sha)
        job.stamp = stamp
        found_sha, found_options = records.existing_key(out_dir, name)
        if not settings.force and found_sha == sha:
            if found_options == options:
                report.skipped.append(p)
                if on_done:
                    on_done(p, True)
                continue
            if (found_options or "").split("-")[0] == settings.reading_fingerprint():
                # only the rules or the model changed: finish the saved pages again
                job.saved = records.record_path(out_dir, name)
        todo.append(job)
    if executor == "dask":
        from .dask_executor import run_dask

        for job in todo:  # records to finish again go to the workers as their saved pages
            job.doc = _saved_to_ingested(job, report)
        run_dask(todo, out_dir, settings, report, on_done, scheduler, _succeed, _fail)
    elif settings.workers <= 1 or engine is not None:
        _run_inline(todo, out_dir, settings, report, on_done, engine, on_pages)
    else:
        _run_pool(todo, out_dir, settings, report, on_done, on_pages)
    return report


def _succeed(report, out_dir, job: _Job, doc: Document, on_done) -> None:
    from .corrections import apply_store, store_lock

    if job.saved is None and job.changed_since_hashed():
        # the record keeps the hash taken before reading: the next run reads it again
        line = (f"{job.path.name} changed while it was read: this record may hold parts of "
                "both versions; run the batch again to read the new one")
        doc.warn("ingest", line)
        report.notes.append(line)
    try:
        with store_lock(out_dir):  # a reviewer may be writing this record's store now
            doc = apply_store(doc, out_dir, job.name)  # reviewers' corrections survive every run
            report.written.append(records.write_record(out_dir, job.name, doc))
        if doc.review and doc.review.corrections:
            report.corrections += doc.review.corrections
            report.corrected.append(job.path)
        if doc.review and doc.review.unmatched:
            report.corrections_unmatched += len(doc.review.unmatched)
            report.notes.append(f"{job.path.name}: {len(doc.review.unmatched)} correction(s) "
                                "not applied: their item is not in this extraction (kept in "
                                f"{doc.review.store}; kehoach review lists them)")
    except Exception as exc:  # noqa: BLE001 - a record that cannot be written is an error record
        _fail(report, out_dir, job.path, job.name, job.sha,
              ErrorInfo(code="write-failed", message=f"cannot write the record: {exc}"[:500]),
              on_done)
        return
    report.pages += len(doc.pages)
    report.warnings += len(doc.warnings)
    report.unknown_units.update(u.name for item in [*doc.tasks, *doc.targets]
                                for u in [*item.lead_units, *item.cooperating_units] if not u.known)
    if doc.metadata.number is None and doc.status != "failure":
        report.without_number.append(job.path)
    log.info("%s: %d pages, %d targets, %d tasks, %d warnings (%s)", job.path.name, len(doc.pages),
             len(doc.targets), len(doc.tasks), len(doc.warnings), doc.status)
    note = unread_pages_note(job.path, doc)
    if note:
        report.incomplete.append(job.path)
        report.notes.append(note)
        if doc.status == "failure":
            report.unread.append(job.path)
    if on_done:
        on_done(job.path, True)


def unread_pages_note(path: Path, doc: Document) -> str | None:
    """Given an input and its Document, return one line naming the pages that could not be
    read and the first reason, or None when every page was read."""
    bad = [p for p in doc.pages if p.error]
    if not bad:
        return None
    numbers = ", ".join(str(p.number) for p in bad[:10]) + (" ..." if len(bad) > 10 else "")
    return (f"{path.name}: {len(bad)} of {len(doc.pages)} pages could not be read "
            f"(pages {numbers}; {bad[0].error})")


def _fail(report, out_dir, path: Path, name: str, sha: str | None, info: ErrorInfo, on_done) -> None:
    source = {"path": str(path), "sha256": sha}
    try:
        records.write_error(out_dir, name, source, info)
    except OSError as exc:
        report.messages.append(f"{path}: cannot write error record: {exc}")
    report.failed.append(path)
    report.failure_codes[path] = info.code
    log.info("%s: error record (%s): %s", path.name, info.code, info.message)
    report.messages.append(f"{path}: {info.message}" + (f" ({info.hint})" if info.hint else ""))
    if on_done:
        on_done(path, False)


def _run_inline(todo, out_dir, settings, report, on_done, engine, on_pages=None) -> None:
    for job in todo:
        pages = (lambda done, total, path=job.path: on_pages(path, done, total)) if on_pages else None
        try:
            doc = _refinish(job, settings, report)
            # the model and rule tables load in a thread while the first OCR'd pages are read
            doc = doc or process_file(job.path, settings, engine=engine, warm_up_during_ocr=True,
                                      on_pages=pages)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error record
            _fail(report, out_dir, job.path, job.name, job.sha, exception_to_error_info(exc), on_done)
            continue
        doc.source.sha256 = job.sha
        _succeed(report, out_dir, job, doc, on_done)
    wait_warm_up()  # no thread left running if this process forks workers later


def _saved_to_ingested(job: _Job, report) -> Document | None:
    """The saved record's Document as ingest left it, or None (then the input is read again)."""
    if job.saved is None:
        return None
    try:
        doc = saved_to_ingested(path_to_document(job.saved))
    except Exception as exc:  # noqa: BLE001 - an unreadable record: read the input again
        log.warning("%s: its saved record cannot be reused (%s: %s); reading the input again",
                    job.path.name, type(exc).__name__, exc)
        return None
    report.refinished.append(job.path)
    return doc


def _refinish(job: _Job, settings: Settings, report) -> Document | None:
    doc = _saved_to_ingested(job, report)
    return finish_document(doc, settings) if doc is not None else None


def _recover_broken_pool(pool, active, settings, report, out_dir, on_done):
    """A worker died (out of memory, a crash in a native library) and took the pool with it.
    Every document in flight is retried alone in a fresh single-worker pool: the one that
    kills its worker again gets an error record, the others finish normally."""
    pool.shutdown(wait=False, cancel_futures=True)
    wait_warm_up()  # no thread running while this process forks new workers
    suspects = {id(j): j for _, j, _ in active.values()}
    active.clear()
    for job in suspects.values():
        job.doc = None
        solo = ProcessPoolExecutor(max_workers=1, initializer=die_with_parent,
                                   initargs=(os.getpid(),))
        try:
            doc = solo.submit(process_file, job.path, settings).result()
        except BrokenProcessPool:
            _fail(report, out_dir, job.path, job.name, job.sha,
                  ErrorInfo(code="worker-crashed",
                            message=f"the worker processing {job.path.name} died",
                            hint="the file may be too large or trigger a crash in a native "
                            "library; try it alone with --jobs 1"), on_done)
            continue
        except Exception as exc:  # noqa: BLE001
            _fail(report, out_dir, job.path, job.name, job.sha, exception_to_error_info(exc), on_done)
            continue
        finally:
            solo.shutdown(wait=True, cancel_futures=True)
        doc.source.sha256 = job.sha
        _succeed(report, out_dir, job, doc, on_done)
    return _worker_pool(settings)


def _worker_pool(settings: Settings) -> ProcessPoolExecutor:
    """Worker processes. They load the model and rule tables when they first finish a
    document without OCR'd pages (those are finished by the batch process), not in a
    warm-up thread: with every core busy that thread only takes CPU from
    the OCR, and a worker that finishes no OCR'd document would load the model for nothing
    (measured: born-digital batch 8.5 s -> 17.7 s with it)."""
    return ProcessPoolExecutor(max_workers=settings.workers, initializer=die_with_parent,
                               initargs=(os.getpid(),))


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker (and the tesseract it runs) when the batch
    process dies, even by ``kill -9``, instead of computing on as an orphan.

    The worker leads its own process group (so its tesseract children go with it) and asks
    Linux for SIGTERM when its parent dies; SIGTERM kills the whole group. Elsewhere than
    Linux only the group is set up. Its OCR loads tesseract's library in the process
    (runner.mark_batch_worker): a crash in it is this worker's, an error record of its input."""
    import ctypes
    import signal

    mark_batch_worker()  # a crash in tesseract's library costs this worker only
    os.setpgrp()
    signal.signal(signal.SIGTERM, lambda *_: os.killpg(0, signal.SIGKILL))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os.killpg(0, signal.SIGKILL)


def _input_size(job: _Job) -> int:
    """Given a job, return its file's size in bytes (0 if it cannot be read)."""
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def _plan_task(path: str, settings: Settings, sha: str):
    return plan_file(Path(path), settings, sha256=sha)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now (Ctrl-C): each one's SIGTERM handler kills its process
    group, the tesseract it runs too, instead of the batch waiting for their pages."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, ValueError):  # already gone
            pass


def _run_pool(todo: list[_Job], out_dir, settings, report, on_done, on_pages=None) -> None:
    """Pipeline plan -> OCR pages -> finish over a process pool, keeping a bounded number of
    documents in flight so memory stays flat on archives of any size."""
    # Largest files first (for scans, the most pages): the batch then ends on small
    # documents' pages, and no worker idles while another reads a long document's tail.
    queue = sorted(reversed(todo), key=_input_size)  # popped from the end; ties in order
    max_docs = settings.workers * 2
    active: dict[Future, tuple[str, _Job, object]] = {}
    in_flight = 0
    pool = _worker_pool(settings)

    def submit(kind, job, fn, *args):
        active[pool.submit(fn, *args)] = (kind, job, args)

    def finish_here(job) -> None:
        # A document whose pages were OCR'd by the workers is finished in this process,
        # which only waits on them otherwise: the model and rule tables load once here,
        # in a thread started when a worker first has no page left to read (the tail of
        # the batch), so that loading overlaps the last pages instead of following them.
        nonlocal in_flight
        in_flight -= 1
        try:
            doc = finish_document(job.doc, settings)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error record
            job.doc = None
            _fail(report, out_dir, job.path, job.name, job.sha, exception_to_error_info(exc), on_done)
            return
        doc.source.sha256 = job.sha
        _succeed(report, out_dir, job, doc, on_done)
        job.doc = None

    try:
        while queue or active:
            while queue and in_flight < max_docs:
                job = queue.pop()
                in_flight += 1
                saved = _saved_to_ingested(job, report)
                if saved is not None:
                    job.doc = saved
                    submit("finish", job, finish_document, saved, settings)
                else:
                    submit("plan", job, _plan_task, str(job.path), settings, job.sha)
            done, _ = wait(list(active), return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                pool = _recover_broken_pool(pool, active, settings, report, out_dir, on_done)
                in_flight = len({id(j) for _, j, _ in active.values()})
                continue
            for fut in done:
                kind, job, args = active.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001
                    if job.doc is None and kind != "plan":
                        continue  # the document already failed
                    in_flight -= 1
                    job.doc = None
                    _fail(report, out_dir, job.path, job.name, job.sha, exception_to_error_info(exc), on_done)
                    continue
                if kind == "plan":
                    doc, page_jobs = result
                    job.doc, job.pending_pages = doc, len(page_jobs)
                    if on_pages:
                        on_pages(job.path, len(doc.pages) - len(page_jobs), len(doc.pages))
                    for pj in page_jobs:
                        submit("ocr", job, ocr_job, pj, settings)
                    if not page_jobs:
                        submit("finish", job, finish_document, doc, settings)
                elif kind == "ocr":
                    if job.doc is None:
                        continue
                    merge_ocr_page(job.doc, result)
                    job.pending_pages -= 1
                    if on_pages:
                        on_pages(job.path, len(job.doc.pages) - job.pending_pages, len(job.doc.pages))
                    if job.pending_pages == 0:
                        finish_here(job)
                    elif not queue and len(active) < settings.workers:
                        start_warm_up(settings)  # a worker is idle: load while the last pages are read
                else:
                    in_flight -= 1
                    result.source.sha256 = job.sha
                    _succeed(report, out_dir, job, result, on_done)
                    job.doc = None
    except KeyboardInterrupt:
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        wait_warm_up()
