"""Writing records: atomic files, stable names, and the resume check."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import traceback
from pathlib import Path

from ..core.errors import KehoachError
from ..schema import Document, ErrorInfo, ErrorRecord

log = logging.getLogger("kehoach")


def exception_to_error_info(exc: BaseException) -> ErrorInfo:
    """Given what stopped one input, return the error record's reason: a KehoachError as it
    says, anything else as an internal error (the traceback goes to the debug log)."""
    if isinstance(exc, KehoachError):
        return ErrorInfo(code=exc.code, message=exc.message, hint=exc.hint,
                         stage=getattr(exc, "stage", None) or None)
    log.debug("internal error:\n%s", "".join(traceback.format_exception(exc)))
    return ErrorInfo(code="internal-error", message=f"{type(exc).__name__}: {exc}"[:500],
                     hint="this is a bug in kehoach; please report it with the input file")


def prepare_out_dir(out_dir: Path) -> None:
    """Create the output folder, prove it is writable, and remove temp files that a killed
    earlier run left behind (records themselves are only ever renamed into place whole)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise KehoachError(f"--out {out_dir} is a file, not a folder",
                           hint="choose a folder for the records", code="usage")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".kehoach-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise KehoachError(f"cannot write records to {out_dir}: {exc.strerror or exc}",
                           hint="choose a writable --out folder", code="usage") from exc
    for stale in out_dir.glob(".*.json.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


# A record name is a file name: "<name>.error.json" plus the temp file's "." and
# ".XXXXXXXX.tmp" must fit the filesystem's 255 bytes. Longer stems are cut to this many
# UTF-8 bytes and given a hash of the whole stem, so two long names never share a record.
MAX_NAME_BYTES = 180
ERROR_STEM_SUFFIX = ".error"  # "<x>.error.json" is the error record of x, never a record


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def stem_to_name(stem: str) -> str:
    """Given an input's stem, return a record name that is a valid file name and cannot be
    taken for another input's error record: a stem ending in ".error" gets a hash suffix,
    and one longer than MAX_NAME_BYTES is cut (at a character) and given a hash of itself."""
    raw = stem.encode("utf-8", "surrogateescape")
    if len(raw) > MAX_NAME_BYTES:
        cut = raw[:MAX_NAME_BYTES].decode("utf-8", "ignore")
        return f"{cut}-{_digest(stem)}"
    if stem.lower().endswith(ERROR_STEM_SUFFIX):
        return f"{stem}-{_digest(stem)}"
    return stem


def output_names(paths: list[Path]) -> dict[Path, str]:
    """Given the batch's inputs, return each one's record name (its stem made safe by
    ``stem_to_name``; a name shared by several inputs gets a short hash of the full path so
    no record overwrites another)."""
    by_name: dict[str, list[Path]] = {}
    for p in paths:
        by_name.setdefault(stem_to_name(p.stem), []).append(p)
    return {p: (name if len(group) == 1 else unique_name(p))
            for name, group in by_name.items() for p in group}


def unique_name(path: Path) -> str:
    """The stem plus a short hash of the full path: a name no other input shares."""
    full = os.path.realpath(path)  # never raises, unlike Path.resolve on a symlink loop
    return f"{stem_to_name(path.stem)}-{_digest(full)}"


def _file_mode() -> int:
    """The mode a plainly created file gets (mkstemp's 0600 would hide records from others)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def write_json_atomic(path: Path, data: str) -> None:
    """Write text to path via a temp file + rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def record_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.json"


def error_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.error.json"


def write_record(out_dir: Path, name: str, doc: Document) -> Path:
    path = record_path(out_dir, name)
    write_json_atomic(path, doc.model_dump_json(indent=1))
    _remove(error_path(out_dir, name))
    return path


def write_error(out_dir: Path, name: str, source: dict, error: ErrorInfo) -> Path:
    path = error_path(out_dir, name)
    rec = ErrorRecord(source=source, error=error)
    write_json_atomic(path, rec.model_dump_json(indent=1))
    _remove(record_path(out_dir, name))
    return path


_KEY = re.compile(r'"(sha256|options)":\s*"([0-9a-f-]+)"')
_PATH = re.compile(r'"path":\s*("(?:[^"\\]|\\.)*")')


def existing_source(out_dir: Path, name: str) -> tuple[str | None, str | None]:
    """(source path, source sha256) of an existing record; Nones when absent."""
    try:
        with open(record_path(out_dir, name), "rb") as fh:
            head = fh.read(4096).decode("utf-8", "ignore")
    except OSError:
        return None, None
    m = _PATH.search(head)
    sha = dict(k.groups() for k in _KEY.finditer(head)).get("sha256")
    try:
        return (json.loads(m.group(1)) if m else None), sha
    except ValueError:
        return None, sha


def existing_key(out_dir: Path, name: str) -> tuple[str | None, str | None]:
    """(source sha256, options fingerprint) of an existing record; Nones when absent."""
    path = record_path(out_dir, name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "ignore")
    except OSError:
        return None, None
    # source and produced_by come first in every record
    found = dict(m.groups() for m in _KEY.finditer(head))
    return found.get("sha256"), found.get("options")


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
