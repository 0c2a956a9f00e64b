"""Project errors: every failure a user can meet, with a code, a message and a hint.

Raised anywhere in ingest/normalize/extract; the batch turns them into ``<stem>.error.json``
records (pipeline.batch) and the CLI maps every exception to an exit code in one place
(cli.exit_code).
"""
from __future__ import annotations


class KehoachError(Exception):
    """Base class: ``code`` is stable (for scripts), ``message`` and ``hint`` are for people."""

    code = "error"

    def __init__(self, message: str, hint: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code:
            self.code = code

    def __reduce__(self):  # keep code and hint when sent back from a worker process
        return (self.__class__, (self.message, self.hint, self.code))

    def __str__(self) -> str:
        return self.message + (f" ({self.hint})" if self.hint else "")


class IngestError(KehoachError):
    """An input cannot be read: corrupt, encrypted, empty, unsupported, unreadable."""

    code = "ingest"


class MissingToolError(KehoachError):
    """An external tool (tesseract, its language data) is not installed."""

    code = "missing-tool"


class PageTimeout(KehoachError):
    code = "page-timeout"


class UsageError(KehoachError):
    """Bad arguments or settings (a missing input folder, an unknown format): exit code 2."""

    code = "usage"
