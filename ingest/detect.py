"""Decide what kind of input a file is, by its content, not its name."""
from __future__ import annotations

import struct
import zipfile
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
WORD_SUFFIXES = {".docx", ".doc", ".docm", ".dot", ".dotx"}
INPUT_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | WORD_SUFFIXES | {".txt", ".text"}
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, .xls, encrypted .docx
WORD_STREAM = "WordDocument".encode("utf-16-le")  # the stream every Word 97-2003 file has
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # a password-protected .docx
RTF_MAGIC = b"{\\rtf"
OLE2_DIRECTORY_SECTORS = 4  # directory sectors read: the root's first entries name the streams


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


def zip_to_kind(path: Path) -> str | None:
    """Given a ZIP file, return 'docx' when it is a Word package (its main part
    word/document.xml, or the part [Content_Types].xml names as a document's main part),
    'damaged-zip' when it cannot be opened as a ZIP (truncated, damaged), else None (another
    ZIP: a spreadsheet, an archive)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names:
                types = z.read("[Content_Types].xml")[:200_000]
                if b"wordprocessingml.document.main" in types or b"ms-word.document.macroEnabled.main" in types:
                    return "docx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return "damaged-zip"
    return None


def ole2_to_kind(path: Path, head: bytes) -> str | None:
    """Given a compound file (OLE2) and its first bytes, return 'doc' when its directory
    names a WordDocument stream, 'encrypted-docx' for an EncryptedPackage, else None."""
    if len(head) < 0x34:
        return None
    sector = 1 << struct.unpack("<H", head[0x1E:0x20])[0]
    first_dir = struct.unpack("<I", head[0x30:0x34])[0]
    if sector not in (512, 4096) or first_dir >= 0xFFFFFFFA:
        return None
    try:
        with open(path, "rb") as fh:
            fh.seek((first_dir + 1) * sector)
            directory = fh.read(sector * OLE2_DIRECTORY_SECTORS)
    except OSError:
        return None
    if WORD_STREAM in directory:
        return "doc"
    if ENCRYPTED_STREAM in directory:
        return "encrypted-docx"
    return None


def sniff_kind(path: Path) -> str:
    """Given a path, return the input kind 'pdf', 'image', 'docx', 'doc' or 'text', or raise
    IngestError."""
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
    if kind is None and head.startswith(ZIP_MAGIC):
        kind = zip_to_kind(path)
        if kind == "damaged-zip":
            if suffix in WORD_SUFFIXES:
                raise IngestError(f"{path.name} is not a readable Word document: it starts as a ZIP "
                                  "package but cannot be opened as one",
                                  hint="the file may be truncated or damaged; copy it again, or open "
                                  "it in Word or LibreOffice and save it again as .docx",
                                  code="corrupt-docx")
            kind = None
        if kind is None and suffix in WORD_SUFFIXES:
            raise IngestError(f"{path.name} is named {suffix} but is a ZIP archive without a Word "
                              "document in it", hint="it may be a spreadsheet, a presentation or "
                              "an archive renamed; open it to see what it is", code="not-a-word-file")
    elif kind is None and head.startswith(OLE2_MAGIC):
        kind = ole2_to_kind(path, head)
        if kind == "encrypted-docx":
            raise IngestError(f"{path.name} is a password-protected Word document",
                              hint="open it with its password and save it without one, then retry",
                              code="encrypted-docx")
        if kind is None and suffix in WORD_SUFFIXES:
            raise IngestError(f"{path.name} is named {suffix} but is an Office file that is not a "
                              "Word document", hint="it may be an Excel or PowerPoint file renamed",
                              code="not-a-word-file")
    elif kind is None and head.startswith(RTF_MAGIC):
        kind = "doc"  # Rich Text, often saved as .doc: LibreOffice converts it as it does .doc
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
