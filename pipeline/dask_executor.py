"""Run the per-document work on a Dask distributed cluster (``--executor dask``).

Each input is one task: the whole pipeline for that file (``process_file``) runs on a
worker, which returns the record as JSON; this process writes the records, so output
naming, resume and error records behave exactly as with the local executor. Workers must
see the input paths (a shared filesystem, or the same paths on every machine) and have
kehoach, tesseract and its `vie` data installed.
"""
from __future__ import annotations

from pathlib import Path

from ..core.errors import KehoachError
from ..core.settings import Settings
from ..schema import Document, ErrorInfo

INSTALL_HINT = "install the Dask extra: pip install 'kehoach[dask]'"


def process_remote(path: str, settings: Settings) -> tuple[str, str]:
    """Worker side: return ("ok", record JSON) or ("error", ErrorInfo JSON); never raises,
    so no exception needs to survive pickling between machines."""
    from .records import exception_to_error_info
    from .runner import process_file

    try:
        return "ok", process_file(path, settings).model_dump_json()
    except Exception as exc:  # noqa: BLE001 - reported as an error record by the client
        return "error", exception_to_error_info(exc).model_dump_json()


def finish_remote(doc_json: str, settings: Settings) -> tuple[str, str]:
    """Worker side: normalize and extract a saved record's pages again (``process_remote``'s
    answers), without reading the input."""
    from .records import exception_to_error_info
    from .runner import finish_document

    try:
        return "ok", finish_document(Document.model_validate_json(doc_json), settings).model_dump_json()
    except Exception as exc:  # noqa: BLE001 - reported as an error record by the client
        return "error", exception_to_error_info(exc).model_dump_json()


def connect(scheduler: str | None, workers: int):
    """A Dask client: to the scheduler address, or to a new local cluster of processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise KehoachError("the dask executor needs the 'distributed' package",
                           hint=INSTALL_HINT, code="missing-tool") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise KehoachError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                               hint="start one with `dask scheduler` and workers with "
                               "`dask worker tcp://HOST:8786 --nthreads 1`",
                               code="usage") from exc
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def run_dask(todo, out_dir: Path, settings: Settings, report, on_done, scheduler: str | None,
             succeed, fail) -> None:
    from distributed import as_completed

    client = connect(scheduler, settings.workers)
    try:
        # a job with a Document holds a saved record's pages: only finished again
        futures = {client.submit(*((finish_remote, job.doc.model_dump_json()) if job.doc is not None
                                   else (process_remote, str(job.path))), settings, pure=False,
                                 key=f"kehoach-{job.sha[:16]}-{job.name}"): job for job in todo}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                status, payload = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself was lost
                fail(report, out_dir, job.path, job.name, job.sha,
                     ErrorInfo(code="worker-crashed", message=f"the Dask task for "
                               f"{job.path.name} failed: {type(exc).__name__}: {exc}"[:500]),
                     on_done)
                continue
            if status == "ok":
                doc = Document.model_validate_json(payload)  # validated again on this side
                doc.source.sha256 = job.sha
                succeed(report, out_dir, job, doc, on_done)
            else:
                info = ErrorInfo.model_validate_json(payload)
                fail(report, out_dir, job.path, job.name, job.sha, info, on_done)
    finally:
        client.close()
