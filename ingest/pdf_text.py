"""The one place pdfplumber is used: open a PDF, read each page's text layer, words and
ruled tables.

Failures (encrypted, corrupt, no pages) become ``IngestError`` with a readable reason.
"""
from __future__ import annotations

import contextlib
import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..core.errors import IngestError
from ..schema import Table, TableCell, Word

# pdfminer logs every recoverable oddity of a damaged PDF at WARNING level
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# Ruled tables only: the appendix tables of plans are drawn with lines; text-alignment
# strategies invent tables out of ordinary paragraphs.
TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
LINE_TOLERANCE = 3.0  # points: words whose tops differ less are on one line


@dataclass
class TextLayerPage:
    number: int
    width: float
    height: float
    text: str
    words: list[Word]
    tables: list[Table] = field(default_factory=list)
    n_chars: int = 0
    n_images: int = 0
    image_area: float = 0.0  # fraction of the page covered by images
    error: str | None = None
    missing: bool = False  # declared by the page tree but not reachable in it: no page to read


@contextlib.contextmanager
def open_pdf(path: Path) -> Iterator["object"]:
    """Open a PDF with pdfplumber, turning its failures into IngestError."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise _encrypted(path) from exc
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise _encrypted(path) from exc
        raise _corrupt(path, inner) from exc
    except Exception as exc:  # pdfminer raises many types (PDFSyntaxError, ...) on damaged files
        raise _corrupt(path, exc) from exc
    try:
        try:
            n = len(pdf.pages)
        except Exception as exc:
            raise _corrupt(path, exc) from exc
        if n == 0:
            raise IngestError(f"{path.name} is a PDF with no pages", code="no-pages")
        yield pdf
    finally:
        with contextlib.suppress(Exception):
            pdf.close()


def _encrypted(path: Path) -> IngestError:
    return IngestError(
        f"{path.name} is encrypted and needs a password",
        hint="remove the password (e.g. `qpdf --decrypt --password=... in.pdf out.pdf`) and retry",
        code="encrypted-pdf",
    )


def _corrupt(path: Path, exc: BaseException) -> IngestError:
    detail = str(exc).strip() or type(exc).__name__
    return IngestError(
        f"{path.name} is not a readable PDF: {detail[:200]}",
        hint="the file may be truncated or damaged; try re-downloading it, or repair it with "
        "`qpdf in.pdf out.pdf`",
        code="corrupt-pdf",
    )


def pdf_page_count(path: Path) -> int:
    with open_pdf(path) as pdf:
        return len(pdf.pages)


def read_text_layer(path: Path, with_tables: bool = True) -> list[TextLayerPage]:
    """Given a PDF, return each page's text layer: text, words with boxes, ruled tables."""
    pages: list[TextLayerPage] = []
    with open_pdf(path) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            try:
                pages.append(_read_page(page, i, with_tables))
            except Exception as exc:  # one damaged page must not lose the others
                pages.append(TextLayerPage(
                    number=i, width=float(page.width or 0), height=float(page.height or 0),
                    text="", words=[], error=f"text layer unreadable: {exc}"[:300]))
        declared, cyclic = page_tree_to_declared_count(pdf.doc)
    if cyclic and declared is not None and declared > len(pages):
        why = "the page tree refers to itself"
        for n in range(len(pages) + 1, min(declared, len(pages) + MAX_MISSING_PAGES) + 1):
            pages.append(TextLayerPage(
                number=n, width=0.0, height=0.0, text="", words=[], missing=True,
                error=f"page-tree: page {n} of the {declared} the PDF declares cannot be "
                f"found ({why})"))
    return pages


MAX_MISSING_PAGES = 10_000  # a /Count beyond this is garbage, not pages to list


def page_tree_to_declared_count(document) -> tuple[int | None, bool]:
    """Given a pdfminer PDFDocument, return the page count its page tree declares (None if
    it declares none) and whether the tree is cyclic (a node among its own descendants;
    pdfminer then silently skips the repeated part)."""
    from pdfminer.pdftypes import PDFObjRef, resolve1

    try:
        root_ref = document.catalog.get("Pages")
        root = resolve1(root_ref)
        declared = resolve1(root.get("Count")) if isinstance(root, dict) else None
    except Exception:  # noqa: BLE001 - a tree too broken to read: pdfminer said what it found
        return None, False
    declared = declared if isinstance(declared, int) and declared >= 0 else None
    cyclic = False
    stack = [(root_ref, frozenset())]
    seen = 0
    while stack and seen < MAX_MISSING_PAGES * 10:
        ref, ancestors = stack.pop()
        seen += 1
        key = ref.objid if isinstance(ref, PDFObjRef) else None
        if key is not None and key in ancestors:
            cyclic = True
            continue
        try:
            node = resolve1(ref)
            kids = resolve1(node.get("Kids")) if isinstance(node, dict) else None
        except Exception:  # noqa: BLE001
            continue
        if isinstance(kids, list):
            inner = ancestors | {key} if key is not None else ancestors
            stack.extend((kid, inner) for kid in kids)
    return declared, cyclic


def _read_page(page, number: int, with_tables: bool) -> TextLayerPage:
    raw_words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    words, lines = _words_to_lines(raw_words)
    text = "\n".join(" ".join(w.text for w in line) for line in lines)
    area = float(page.width * page.height) or 1.0
    image_area = 0.0
    for im in page.images:
        w = max(0.0, float(im["x1"]) - float(im["x0"]))
        h = max(0.0, float(im["bottom"]) - float(im["top"]))
        image_area += w * h
    tables = _find_tables(page) if with_tables and raw_words else []
    return TextLayerPage(
        number=number,
        width=float(page.width),
        height=float(page.height),
        text=unicodedata.normalize("NFC", text),
        words=words,
        tables=tables,
        n_chars=len(page.chars),
        n_images=len(page.images),
        image_area=min(1.0, image_area / area),
    )


def _words_to_lines(raw_words: list[dict]) -> tuple[list[Word], list[list[Word]]]:
    """Given pdfplumber words, return Words grouped into reading-order lines."""
    ordered = sorted(raw_words, key=lambda w: (round(float(w["top"]), 1), float(w["x0"])))
    lines: list[list[dict]] = []
    for w in ordered:
        if lines and abs(float(w["top"]) - float(lines[-1][0]["top"])) <= LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    out_lines: list[list[Word]] = []
    all_words: list[Word] = []
    for li, line in enumerate(lines):
        line.sort(key=lambda w: float(w["x0"]))
        ws = [
            Word(
                text=unicodedata.normalize("NFC", w["text"]),
                bbox=(round(float(w["x0"]), 2), round(float(w["top"]), 2),
                      round(float(w["x1"]), 2), round(float(w["bottom"]), 2)),
                conf=None,
                line=li,
            )
            for w in line
        ]
        out_lines.append(ws)
        all_words.extend(ws)
    return all_words, out_lines


def _find_tables(page) -> list[Table]:
    tables: list[Table] = []
    for t in page.find_tables(table_settings=TABLE_SETTINGS):
        rows = t.rows
        if len(rows) < 2:
            continue
        # column x positions from all cell boundaries, so merged cells map to a span
        xs = sorted({round(c[0], 1) for r in rows for c in r.cells if c} |
                    {round(c[2], 1) for r in rows for c in r.cells if c})
        xs = _dedupe_positions(xs)
        n_cols = max(1, len(xs) - 1)
        cells: list[TableCell] = []
        # one pass over the page's characters for all cells (cropping the page per cell
        # re-filters every object each time: a third of a born-digital page's time)
        texts = t.extract()
        for ri, (row, row_texts) in enumerate(zip(rows, texts)):
            for cell, text in zip(row.cells, row_texts):
                if cell is None:
                    continue
                x0, top, x1, bottom = cell
                c0 = _nearest(xs, x0)
                c1 = max(c0 + 1, _nearest(xs, x1))
                text = text or ""
                cells.append(TableCell(
                    row=ri, col=c0, col_span=c1 - c0,
                    text=unicodedata.normalize("NFC", text.strip()),
                    bbox=(round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)),
                ))
        tables.append(Table(bbox=tuple(round(v, 2) for v in t.bbox), n_rows=len(rows),
                            n_cols=n_cols, cells=cells, method="pdf-ruling"))
    return tables


def _dedupe_positions(xs: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for x in xs:
        if not out or x - out[-1] > tol:
            out.append(x)
    return out


def _nearest(xs: list[float], x: float) -> int:
    return min(range(len(xs)), key=lambda i: abs(xs[i] - x))
