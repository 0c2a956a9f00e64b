"""Find and read the record files a pipeline run wrote to an output directory.

A run writes ``<stem>.json`` (a ``schema.Document``) per input that could be read and
``<stem>.error.json`` (a ``schema.ErrorRecord``) per input that could not. Downstream
commands read the first kind and count the second.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..schema import Document

ERROR_SUFFIX = ".error.json"


@dataclass
class RecordPaths:
    """The record files found under the paths given, split by kind."""

    documents: list[Path] = field(default_factory=list)
    errors: list[Path] = field(default_factory=list)


def is_error_record(path: Path) -> bool:
    return path.name.endswith(ERROR_SUFFIX)


def paths_to_record_paths(paths: Iterable[str | Path]) -> RecordPaths:
    """Given files and/or directories, return the document and error record files they hold.

    Directories are read one level deep (``*.json``), in name order so runs are reproducible.
    """
    found = RecordPaths()
    for p in map(Path, paths):
        candidates = sorted(p.glob("*.json")) if p.is_dir() else [p]
        for c in candidates:
            (found.errors if is_error_record(c) else found.documents).append(c)
    return found


def path_to_document(path: str | Path, pages: bool = True) -> Document:
    """Given a ``<stem>.json`` record file, return the validated Document (raises on invalid).
    ``pages=False``: without its pages (texts, words, boxes: most of a record), for readers
    that need only the metadata and items; validating pages is most of the reading time."""
    text = Path(path).read_text(encoding="utf-8")
    if pages:
        return Document.model_validate_json(text)
    data = json.loads(text)
    if isinstance(data, dict):
        data["pages"] = []
    return Document.model_validate(data)


@dataclass
class ReadRecords:
    """Documents read from record files, and what could not be read."""

    documents: list[tuple[Path, Document]] = field(default_factory=list)
    error_records: int = 0
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def paths_to_documents(paths: Iterable[str | Path], pages: bool = True) -> ReadRecords:
    """Given files and/or output directories, return their Documents (``pages=False``:
    without pages); count error records, list (never drop silently) files that are not
    valid Document JSON."""
    found = paths_to_record_paths(paths)
    result = ReadRecords(error_records=len(found.errors))
    for p in found.documents:
        try:
            result.documents.append((p, path_to_document(p, pages)))
        except Exception as exc:  # noqa: BLE001 - invalid JSON or schema: report and go on
            result.unreadable.append((p, f"{type(exc).__name__}: {exc}".splitlines()[0]))
    return result


class RecordStream:
    """The Documents of record files, read one at a time on each pass over it (``pages=False``:
    without pages): a consumer that writes as it reads holds one record, never all of them,
    and may pass over the records again (an export decides each plan's primary copy first).
    Error records are counted; files that are not valid Document JSON are listed once."""

    def __init__(self, paths: Iterable[str | Path], pages: bool = True):
        found = paths_to_record_paths(paths)
        self.paths = found.documents
        self.error_records = len(found.errors)
        self.pages = pages
        self.read = 0          # Documents read on the last complete pass
        self._unreadable: dict[Path, str] = {}

    @property
    def unreadable(self) -> list[tuple[Path, str]]:
        return list(self._unreadable.items())

    def __iter__(self):
        for _, doc in self.items():
            yield doc

    def items(self):
        """(record file, Document) pairs, read one at a time."""
        count = 0
        for p in self.paths:
            try:
                doc = path_to_document(p, self.pages)
            except Exception as exc:  # noqa: BLE001 - invalid JSON or schema: report and go on
                self._unreadable.setdefault(p, f"{type(exc).__name__}: {exc}".splitlines()[0])
                continue
            count += 1
            yield p, doc
        self.read = count
