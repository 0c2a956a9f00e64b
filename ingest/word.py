"""The one place python-docx is used: read a Word document (.docx; .doc through LibreOffice)
into pages of paragraph lines and real table cells.

A Word file has no printed pages: a page here is what lies between two hard breaks (a page
break, a page-starting section break, a paragraph set to start a page), so that an appendix
that starts a page in Word starts a page in the record as it does in the PDF. Each
non-empty paragraph is one line of the page text; a table is a ``Table`` (method "docx")
whose cells are Word's own cells: a horizontally merged cell is one cell with its
``col_span``, a vertically merged one is one cell, its text once, with its ``row_span``. The
table's rows are also in the page text, each row's cells side by side line by line, as a
text layer shows them, so the readers of text (metadata, prose, flattened tables) see the
same text as in a PDF of the document. Provenance of table items is their table's cells
(row, col, spans); of text items their page and line (one line per paragraph).

Nothing is dropped: text boxes are read where they stand, the fallback copy Word keeps of
them (mc:Fallback) is skipped, deleted revisions (w:delText) and field codes are not text.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import IngestError, MissingToolError
from ..core.folding import nfc
from ..schema import Table, TableCell

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


LIBREOFFICE_HINT = ("install LibreOffice Writer (Debian: `apt-get install libreoffice-writer-nogui`) "
                    "or save the file as .docx from Word, then run again")
CONVERT_TIMEOUT = 300.0  # seconds LibreOffice may take to convert one .doc


@dataclass
class WordPage:
    """One page of a Word document: its lines (paragraphs, table rows) and tables."""

    number: int
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    width: float | None = None   # points, from the section in force
    height: float | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- text of paragraphs -----------------------------------------------------------------
PAGE_BREAK = "\f"


def paragraph_to_text(p) -> str:
    """Given a w:p element, return its text in reading order: tabs as spaces, line breaks
    as "\\n", a page break as "\\f"; text boxes read once (their mc:Fallback copy skipped)."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        if tag == f"{{{MC}}}Fallback":
            continue
        if tag == _w("t"):
            out.append(child.text or "")
        elif tag == _w("tab") and el.tag == _w("r"):
            out.append("\t")
        elif tag == _w("br"):
            out.append(PAGE_BREAK if child.get(_w("type")) == "page" else "\n")
        elif tag == _w("cr"):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif tag in (_w("delText"), _w("instrText"), _w("rPr"), _w("pPr")):
            continue
        elif tag == _w("p"):  # a text box's paragraph: a line of its own
            out.append("\n")
            _collect(child, out)
            out.append("\n")
        else:
            _collect(child, out)


def _clean_line(line: str) -> str:
    return " ".join(nfc(line).replace("\t", " ").split())


def _starts_page(p) -> bool:
    ppr = p.find(_w("pPr"))
    return ppr is not None and ppr.find(_w("pageBreakBefore")) is not None and \
        ppr.find(_w("pageBreakBefore")).get(_w("val"), "true") not in ("0", "false", "off")


def _paragraph_section(p):
    """The w:sectPr a paragraph ends its section with, or None."""
    ppr = p.find(_w("pPr"))
    return ppr.find(_w("sectPr")) if ppr is not None else None


def _page_size(sect) -> tuple[float | None, float | None]:
    size = sect.find(_w("pgSz")) if sect is not None else None
    if size is None:
        return None, None
    try:  # twentieths of a point
        return round(int(size.get(_w("w"))) / 20, 2), round(int(size.get(_w("h"))) / 20, 2)
    except (TypeError, ValueError):
        return None, None


# --- tables -----------------------------------------------------------------------------
def cell_to_text(tc) -> str:
    """Given a w:tc element, return its paragraphs' text, one line each (nested tables'
    paragraphs included, in order)."""
    lines = []
    for p in tc.iter(_w("p")):
        if _inside_paragraph(p, tc):
            continue  # a text box's paragraph: read with the paragraph holding it
        text = paragraph_to_text(p).replace(PAGE_BREAK, "\n")
        lines += [_clean_line(t) for t in text.split("\n")]
    return "\n".join(t for t in lines if t)


def _inside_paragraph(p, top) -> bool:
    el = p.getparent()
    while el is not None and el is not top:
        if el.tag == _w("p"):
            return True
        el = el.getparent()
    return False


def _merge_value(tcpr, tag: str) -> str | None:
    """'restart' / 'continue' for a w:vMerge or w:hMerge (no val means continue), or None."""
    el = tcpr.find(_w(tag)) if tcpr is not None else None
    if el is None:
        return None
    return el.get(_w("val")) or "continue"


def table_element_to_table(tbl) -> Table:
    """Given a w:tbl element, return it as a Table of Word's own cells: merged cells once,
    spanning (gridSpan, hMerge -> col_span; vMerge -> row_span), rows and columns on the
    table's grid."""
    cells: list[TableCell] = []
    open_rows: dict[int, TableCell] = {}  # grid column -> cell a vertical merge may extend
    grid = tbl.find(_w("tblGrid"))
    n_cols = len(grid.findall(_w("gridCol"))) if grid is not None else 0
    rows = [tr for tr in tbl if tr.tag == _w("tr")]
    for r, tr in enumerate(rows):
        trpr = tr.find(_w("trPr"))
        before = trpr.find(_w("gridBefore")) if trpr is not None else None
        col = int(before.get(_w("val"), "0")) if before is not None else 0
        last: TableCell | None = None
        for tc in tr.iter(_w("tc")):
            if tc.getparent() is not tr and tc.getparent().tag != _w("sdtContent"):
                continue  # a nested table's cell: part of its outer cell's text
            tcpr = tc.find(_w("tcPr"))
            span_el = tcpr.find(_w("gridSpan")) if tcpr is not None else None
            span = max(1, int(span_el.get(_w("val"), "1"))) if span_el is not None else 1
            text = cell_to_text(tc)
            vmerge, hmerge = _merge_value(tcpr, "vMerge"), _merge_value(tcpr, "hMerge")
            origin = open_rows.get(col)
            if vmerge == "continue" and origin is not None and origin.col_span == span:
                origin.row_span = r - origin.row + 1
                if text:  # Word keeps a merged cell's text in its first cell; never lose any
                    origin.text = f"{origin.text}\n{text}" if origin.text else text
            elif hmerge == "continue" and last is not None:
                last.col_span += span
                if text:
                    last.text = f"{last.text}\n{text}" if last.text else text
            else:
                last = TableCell(row=r, col=col, col_span=span, text=text)
                cells.append(last)
                for k in range(col, col + span):
                    open_rows.pop(k, None)
                open_rows[col] = last
            col += span
        n_cols = max(n_cols, col)
    return Table(n_rows=len(rows), n_cols=max(1, n_cols), cells=cells, method="docx")


def table_to_lines(table: Table) -> list[str]:
    """Given a Table, return its rows as a text layer shows them: for each row, the k-th
    lines of its cells side by side (a merged cell's text in its first row only)."""
    by_row: dict[int, list[TableCell]] = {}
    for c in table.cells:
        by_row.setdefault(c.row, []).append(c)
    out = []
    for r in range(table.n_rows):
        cols = [c.text.split("\n") for c in sorted(by_row.get(r, []), key=lambda c: c.col) if c.text]
        for k in range(max((len(ls) for ls in cols), default=0)):
            line = " ".join(ls[k] for ls in cols if k < len(ls) and ls[k])
            if line:
                out.append(line)
    return out


# --- documents --------------------------------------------------------------------------
def open_docx(path: Path):
    """Open a .docx with python-docx, turning its failures into IngestError."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise IngestError(f"{path.name} is not a readable Word document: {exc}"[:300],
                          hint="open it in Word or LibreOffice and save it again as .docx",
                          code="corrupt-docx") from exc
    except Exception as exc:  # zip, XML and relationship errors of a damaged package
        raise IngestError(f"{path.name} is not a readable Word document: "
                          f"{type(exc).__name__}: {exc}"[:300],
                          hint="the file may be truncated or damaged; open it in Word or "
                          "LibreOffice and save it again as .docx", code="corrupt-docx") from exc


def _body_blocks(container):
    """Yield the w:p and w:tbl elements of a body in order (content controls opened)."""
    for child in container:
        if child.tag in (_w("p"), _w("tbl")):
            yield child
        elif child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _body_blocks(content)


def read_docx(path: Path) -> list[WordPage]:
    """Given a .docx file, return its pages (see the module's docstring)."""
    body = open_docx(path).element.body
    blocks = list(_body_blocks(body))
    # the sections in order: each ends at a paragraph holding its w:sectPr, the last at the body's
    sections = [s for s in (_paragraph_section(b) for b in blocks if b.tag == _w("p")) if s is not None]
    sections.append(body.find(_w("sectPr")))
    section_i = 0
    pages = [WordPage(number=1)]

    def new_page() -> None:
        if pages[-1].lines or pages[-1].tables:
            pages.append(WordPage(number=len(pages) + 1))
        else:  # nothing on it yet: it takes the size of the section now in force
            pages[-1].width = pages[-1].height = None

    for block in blocks:
        if pages[-1].width is None:
            pages[-1].width, pages[-1].height = _page_size(sections[min(section_i, len(sections) - 1)])
        if block.tag == _w("tbl"):
            table = table_element_to_table(block)
            pages[-1].tables.append(table)
            pages[-1].lines += table_to_lines(table)
            continue
        if _starts_page(block):
            new_page()
        for k, chunk in enumerate(paragraph_to_text(block).split(PAGE_BREAK)):
            if k:
                new_page()
            pages[-1].lines += [t for t in (_clean_line(s) for s in chunk.split("\n")) if t]
        if _paragraph_section(block) is not None:
            # the section ends here; how the next one starts is told by its own w:type
            section_i += 1
            following = sections[min(section_i, len(sections) - 1)]
            kind = following.find(_w("type")) if following is not None else None
            if kind is None or kind.get(_w("val")) != "continuous":
                new_page()
    if len(pages) > 1 and not pages[-1].lines and not pages[-1].tables:
        pages.pop()
    return pages


# --- .doc -------------------------------------------------------------------------------
def soffice_path() -> str | None:
    """The LibreOffice program on PATH (soffice, or libreoffice), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def doc_to_docx(path: Path, out_dir: Path, timeout: float = CONVERT_TIMEOUT) -> Path:
    """Given a .doc (Word 97-2003) file, convert it with LibreOffice headless into out_dir
    and return the .docx; MissingToolError when LibreOffice is not installed, IngestError
    when it cannot convert the file."""
    program = soffice_path()
    if program is None:
        raise MissingToolError(f"{path.name} is a Word 97-2003 (.doc) file and LibreOffice, "
                               "which converts it, is not installed", hint=LIBREOFFICE_HINT)
    # a copy under a plain name: LibreOffice names its output after the input's stem
    src = out_dir / "input.doc"
    shutil.copyfile(path, src)
    profile = out_dir / "profile"  # its own profile: no lock shared with a running office
    args = [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", "docx", "--outdir", str(out_dir), str(src)]
    try:
        run = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise IngestError(f"LibreOffice did not convert {path.name} in {timeout:.0f} s",
                          code="timeout") from exc
    out = out_dir / "input.docx"
    if run.returncode != 0 or not out.exists():
        detail = (run.stderr or run.stdout).decode("utf-8", "replace").strip()[:200]
        raise IngestError(f"LibreOffice could not convert {path.name} to .docx: {detail or 'no output'}",
                          hint="open it in Word or LibreOffice and save it as .docx",
                          code="corrupt-doc")
    return out


def read_doc(path: Path) -> list[WordPage]:
    """Given a .doc file, return its pages: converted to .docx by LibreOffice, then read."""
    with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
        return read_docx(doc_to_docx(path, Path(tmp)))
