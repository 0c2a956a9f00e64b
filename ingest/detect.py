"""Decide what kind of input a file is, by its content, not its name."""
from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError

# magic bytes -> kind; the name's extension is only used to explain mismatches
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"BM", "image"),
)
PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}
INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | {".txt", ".text"}


def bytes_to_kind(head: bytes) -> str | None:
    """Given the first bytes of a file, return 'pdf', 'image' or None (unknown/text)."""
    # PDFs may carry a little junk before the header (the spec allows 1024 bytes)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    return None


def sniff_kind(path: Path) -> str:
    """Given a path, return the input kind 'pdf', 'image' or 'text', or raise IngestError."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except PermissionError as exc:
        raise IngestError(f"cannot read {path.name}: permission denied",
                          hint="check the file's permissions", code="unreadable") from exc
    except OSError as exc:
        raise IngestError(f"cannot read {path.name}: {exc.strerror or exc}", code="unreadable") from exc
    if size == 0:
        raise IngestError(f"{path.name} is empty (0 bytes)",
                          hint="the file was probably not copied or downloaded completely",
                          code="empty-file")
    kind = bytes_to_kind(head)
    suffix = path.suffix.lower()
    if kind is None:
        if suffix in PDF_SUFFIXES:
            raise IngestError(
                f"{path.name} is named .pdf but is not a PDF (it starts with {head[:16]!r})",
                hint="open it in a viewer: it may be an HTML error page or a different format",
                code="not-a-pdf")
        if suffix in IMAGE_SUFFIXES:
            raise IngestError(f"{path.name} is named {suffix} but is not an image we can read",
                              code="not-an-image")
        return "text"
    return kind


def is_candidate_input(path: Path) -> bool:
    """Given a path found while walking a folder, return whether to ingest it."""
    name = path.name
    if name.startswith(".") or name.endswith((".json", ".expected.json")):
        return False
    return path.suffix.lower() in INPUT_SUFFIXES
