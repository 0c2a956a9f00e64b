"""kehoach: Vietnamese government plans (Kế hoạch) into structured, validated records.

The Python API in one namespace::

    import kehoach
    doc = kehoach.read("plan.pdf")              # a schema.Document: metadata, targets, tasks
    for path, result in kehoach.read_many(["a.pdf", "b.txt"], jobs=2):
        ...                                     # a Document, or the KehoachError that stopped it
    kehoach.restore("Ke hoach so 02-KH/BCDTW")  # old OCR text with its diacritics back
    doc = kehoach.read_record("out/plan.json")  # a record written by `kehoach ingest`
    kehoach.load(["out/"], "sqlite:///plans.db")  # records (files, folders or Documents) into a database

The stages are packages below this one (``kehoach.ingest``, ``kehoach.normalize``,
``kehoach.extract``, ``kehoach.schema``, ``kehoach.outputs``); docs/architecture.md maps them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stages load on first use: `import kehoach` stays cheap
    from .core.settings import Settings
    from .schema import Document

__all__ = ["read", "read_many", "restore", "read_record", "load", "Settings", "Document", "KehoachError",
           "__version__"]


def read(path: str | Path, settings: Settings | None = None, **options) -> Document:
    """Given one input file (PDF, scan image, text or Word file), return its Document.
    ``options`` are Settings fields (``lang="vie"``, ``restore=False``, ``dpi=300``...).
    Raises KehoachError with a readable message when the file cannot be read."""
    from .pipeline.runner import process_file

    return process_file(path, _settings(settings, options))


def read_many(paths: Iterable[str | Path], settings: Settings | None = None, jobs: int = 1,
              **options) -> Iterator[tuple[Path, Document | Exception]]:
    """Given input files, yield (path, Document) per file as each finishes, or (path, error)
    when one cannot be read; a bad file never stops the others. ``jobs`` worker processes."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    settings = _settings(settings, options)
    paths = [Path(p) for p in paths]
    if jobs <= 1:
        for path in paths:
            yield path, _read_or_error(path, settings)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_read_or_error, path, settings): path for path in paths}
        for future in as_completed(futures):
            yield futures[future], future.result()


def restore(text: str) -> str:
    """Given old OCR text that lost its diacritics, return it restored with the bundled model."""
    from .normalize.restore.model import Restorer

    return Restorer.load().restore_text(text).text


def read_record(path: str | Path) -> Document:
    """Given a record file written by kehoach (``<stem>.json``), return its Document."""
    from .pipeline.record_files import path_to_document

    return path_to_document(path)


def load(records: Iterable[str | Path | Document], url: str = "sqlite:///kehoach.db"):
    """Given records (record files, folders of them, or Documents) and a SQLAlchemy URL
    (``sqlite:///plans.db``, ``postgresql://user@host/db``), load them into that database as
    `kehoach load` does; return the LoadReport (loaded, replaced, failed, counts)."""
    from .outputs.db import load_documents, load_records
    from .schema import Document

    records = list(records)
    docs = [r for r in records if isinstance(r, Document)]
    paths = [r for r in records if not isinstance(r, Document)]
    report = load_records(paths, url) if paths else None
    if docs:
        more = load_documents([(d.source.path if d.source else f"document {i}", d)
                               for i, d in enumerate(docs)], url)
        if report is None:
            return more
        report.loaded += more.loaded
        report.replaced += more.replaced
        report.failed += more.failed
        report.tasks += more.tasks
        report.targets += more.targets
        report.target_values += more.target_values
    return report


def _read_or_error(path: Path, settings: Settings) -> Document | Exception:
    from .core.errors import KehoachError
    from .pipeline.runner import process_file

    try:
        return process_file(path, settings)
    except KehoachError as exc:
        return exc


def _settings(settings: Settings | None, options: dict) -> Settings:
    from dataclasses import replace

    from .core.settings import Settings

    return replace(settings or Settings(), **options)


def __getattr__(name: str):
    if name == "__version__":
        from .core.settings import kehoach_version

        return kehoach_version()
    if name == "Settings":
        from .core.settings import Settings

        return Settings
    if name == "Document":
        from .schema import Document

        return Document
    if name == "KehoachError":
        from .core.errors import KehoachError

        return KehoachError
    raise AttributeError(f"module 'kehoach' has no attribute {name!r}")
