"""Decide what kind of input a file is, by its content, not its name."""
from __future__ import annotations

import struct
from pathlib import Path

from ..core.errors import IngestError

# magic bytes -> kind; the name's extension is only used to explain mismatches
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
)
# BMP: "BM", file size, two reserved words (0), pixel offset, then the DIB header's size,
# one of the known header versions; two letters alone start many texts ("BM 01 Biểu mẫu")
BMP_DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}
PDF_TAIL = 1024  # a PDF ends with "%%EOF" (and maybe a few bytes of line ends) in this
PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}
INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | {".txt", ".text"}


def _is_pdf_header(head: bytes, tail: bytes | None) -> bool:
    """Given the first and last bytes of a file, return whether it is a PDF: "%PDF-d.d" at
    the start, or later in the first 1024 bytes (junk before the header is allowed) at the
    start of a line in a file that ends like a PDF. A text that mentions "%PDF-" is not."""
    at = head.find(b"%PDF-", 0, 1024)
    if at < 0:
        return False
    version = head[at + 5:at + 8]
    if not (len(version) == 3 and version[:1].isdigit() and version[1:2] == b"."
            and version[2:].isdigit()):
        return False
    if at == 0:
        return True
    return head[at - 1:at] in (b"\n", b"\r") and tail is not None and b"%%EOF" in tail


def _is_bmp_header(head: bytes, size: int | None) -> bool:
    """Given the first bytes of a file (and its size), return whether they are a BMP header."""
    if len(head) < 18 or not head.startswith(b"BM"):
        return False
    declared, reserved, offset, dib = struct.unpack("<IIII", head[2:18])
    if reserved != 0 or dib not in BMP_DIB_SIZES or not 14 + dib <= offset:
        return False
    return size is None or declared in (0, size) or declared <= size  # some writers put 0


def bytes_to_kind(head: bytes, tail: bytes | None = None, size: int | None = None) -> str | None:
    """Given the first bytes of a file (and its last bytes and size, when known), return
    'pdf', 'image' or None (unknown/text). Kinds are decided by a header's structure, not
    by two letters a text may start with."""
    if _is_pdf_header(head, tail):
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if _is_bmp_header(head, size):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    return None


def sniff_kind(path: Path) -> str:
    """Given a path, return the input kind 'pdf', 'image' or 'text', or raise IngestError."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(2048)
            fh.seek(max(0, size - PDF_TAIL))
            tail = fh.read(PDF_TAIL)
    except PermissionError as exc:
        raise IngestError(f"cannot read {path.name}: permission denied",
                          hint="check the file's permissions", code="unreadable") from exc
    except OSError as exc:
        raise IngestError(f"cannot read {path.name}: {exc.strerror or exc}", code="unreadable") from exc
    if size == 0:
        raise IngestError(f"{path.name} is empty (0 bytes)",
                          hint="the file was probably not copied or downloaded completely",
                          code="empty-file")
    kind = bytes_to_kind(head, tail, size)
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
