"""Write the export tables as one office-ready xlsx workbook, streamed.

The sheets are data (``columns.yaml``, ``workbook``): each table on a printed sheet of the
columns a reader needs, then a "chi tiết" sheet of its technical columns, row for row; the
per-document columns on the documents sheet, joined by ``doc_id``. Every sheet is an Excel
table (filter buttons, banded rows) under a bold frozen header, dates dd/mm/yyyy, columns of
fixed widths, long texts wrapped, each row as tall as its most wrapped cell; printed A4
landscape one page wide with the header row on every page and the page number in the footer.

As the widths are fixed, nothing needs every row first: rows are written as they come
(openpyxl's write-only mode, each sheet streamed to a temporary file), so a workbook of
thousands of records holds one chunk of rows at a time.
"""
from __future__ import annotations

import warnings
from copy import copy
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, model_validator

from ..core.yaml_data import yaml_to_data
from .cells import XLSX_CONTROL_WARNING, is_formula_like, text_to_xlsx_text
from .tables import COLUMNS_FILE, Row, table_specs

DATE_FORMAT = "dd/mm/yyyy"  # as dates are written in Vietnam
LINE_HEIGHT = 15.0          # points a wrapped line of 11 pt text (the workbook font) takes
ROW_PADDING = 3.0           # points above and below a row's lines
MAX_ROW_HEIGHT = 409.0      # the tallest row Excel keeps (points)
BOLD_SHARE = 0.8            # of a line's characters a line of bold text holds
KEY = "doc_id"              # on every sheet: joins a table's sheets and the documents sheet


class SheetColumn(BaseModel):
    key: str
    width: float  # characters of the sheet's font


class SheetSpec(BaseModel):
    table: str
    sheet: str
    columns: list[SheetColumn]
    printed: bool = False  # the sheet a reader prints (its widths fit A4 landscape)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


class WorkbookSpec(BaseModel):
    workbook: list[SheetSpec]

    @model_validator(mode="after")
    def _every_column_on_a_sheet(self) -> "WorkbookSpec":
        """Each table's columns are all on its sheets, or on the documents sheets (its
        per-document columns); each table has one printed sheet; sheet names are unique."""
        tables = table_specs()
        names = [s.sheet for s in self.workbook]
        if len(set(names)) != len(names):
            raise ValueError(f"workbook sheet names repeat: {names}")
        shown: dict[str, set[str]] = {name: set() for name in tables}
        for sheet in self.workbook:
            if sheet.table not in tables:
                raise ValueError(f"sheet {sheet.sheet!r}: no table {sheet.table!r}")
            unknown = set(sheet.keys) - set(tables[sheet.table].keys)
            if unknown:
                raise ValueError(f"sheet {sheet.sheet!r}: columns not in {sheet.table}: {sorted(unknown)}")
            if KEY not in sheet.keys:
                raise ValueError(f"sheet {sheet.sheet!r} lacks the key column {KEY}")
            shown[sheet.table] |= set(sheet.keys)
        for name, spec in tables.items():
            if sum(s.printed for s in self.workbook if s.table == name) != 1:
                raise ValueError(f"table {name} needs exactly one printed sheet")
            missing = set(spec.keys) - shown[name] - (shown["documents"] if name != "documents" else set())
            if missing:
                raise ValueError(f"columns of {name} on no sheet: {sorted(missing)}")
        return self


@lru_cache(maxsize=1)
def workbook_sheets() -> list[SheetSpec]:
    """Return the validated sheets of the xlsx workbook, in order (``columns.yaml``)."""
    return WorkbookSpec.model_validate(yaml_to_data(COLUMNS_FILE.read_text(encoding="utf-8"))).workbook


def text_to_line_count(text: str, width: float) -> int:
    """Given a cell's text and its column's width in characters, return how many lines it
    wraps into: words laid greedily on lines of ``width`` characters (a word longer than a
    line broken into pieces), each line break of the text starting a line. A column's width
    counts digits, wider than most letters: a line of text holds more (in Calibri, in its
    metric twin Carlito, and in DejaVu Sans, which LibreOffice takes for Calibri when neither
    is installed), so the count errs on the tall side.
    """
    per_line = max(1, int(width))
    lines = 0
    for paragraph in text.split("\n"):
        used = 0   # characters on the current line; 0 before its first word
        lines += 1
        for word in paragraph.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= per_line:
                used = need
                continue
            if used:
                lines += 1
            lines += (len(word) - 1) // per_line
            used = len(word) - (len(word) - 1) // per_line * per_line
    return lines


def row_height(values: Iterable, widths: Iterable[float], bold: bool = False) -> tuple[float, bool]:
    """Given a row's values and its columns' widths, return the row's height in points (its
    most wrapped cell's lines) and whether a cell needs more than the tallest row Excel keeps.
    Bold letters (the header) are wider: a line holds BOLD_SHARE of the characters."""
    share = BOLD_SHARE if bold else 1.0
    lines = max((text_to_line_count(str(v), w * share) for v, w in zip(values, widths)
                 if v is not None and v != ""), default=1)
    height = lines * LINE_HEIGHT + ROW_PADDING
    return min(height, MAX_ROW_HEIGHT), height > MAX_ROW_HEIGHT


class _Sheet:
    """One sheet being streamed: its spec, its write-only worksheet, the rows written."""

    def __init__(self, book, spec: SheetSpec):
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.spec = spec
        self.ws = book.create_sheet(spec.sheet)
        self.widths = [c.width for c in spec.columns]
        table = table_specs()[spec.table]
        self.types = {c.key: c.type for c in table.columns}
        self.headers = [table.headers[k] for k in spec.keys]
        self.rows = 0
        self.too_tall = 0     # rows whose wrapped text is taller than a row Excel keeps
        self.formulas = 0     # cells starting like a formula, stored as text
        self.controls = 0     # cells whose control characters became their symbols
        # each kind of cell's style resolved once: openpyxl looks a style object up in the
        # workbook's lists on every assignment (45% of the writer's time when done per cell)
        wrap = Alignment(wrap_text=True, vertical="top")
        self.styles = {"header": self._style_of(alignment=wrap, font=Font(bold=True)),
                       "body": self._style_of(alignment=wrap),
                       "date": self._style_of(alignment=wrap, number_format=DATE_FORMAT)}
        self.kinds = ["date" if self.types[k] == "date" else "body" for k in spec.keys]
        for i, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"          # written with the sheet's top: set before any row
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self._append(self.headers, header=True)

    def _style_of(self, **attributes):
        """The style array of a cell with these style attributes (alignment, font, ...)."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def _cell(self, value, kind: str):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, str):
            shown = text_to_xlsx_text(value)
            self.controls += shown != value
            value = shown
        cell = WriteOnlyCell(self.ws, value)
        cell._style = self.styles[kind]   # shared: a written cell's style is only read
        if is_formula_like(value):   # plan text, never a formula: a string shown as typed
            cell._style = copy(cell._style)   # its own, as the quote prefix changes it
            cell.data_type = "s"
            cell.quotePrefix = True
            self.formulas += kind != "header"
        return cell

    def _append(self, values: list, header: bool = False) -> None:
        height, too_tall = row_height(values, self.widths, bold=header)
        self.too_tall += too_tall
        index = self.rows + (1 if header else 2)   # the sheet's row number (the header is 1)
        self.ws.row_dimensions[index].height = height
        kinds = ["header"] * len(values) if header else self.kinds
        self.ws.append([self._cell(v, kind) for v, kind in zip(values, kinds)])
        del self.ws.row_dimensions[index]   # written with its row: hold no dimension per row
        self.rows += 0 if header else 1

    def add(self, row: Row) -> None:
        self._append([row.get(k) for k in self.spec.keys])

    def finish(self) -> None:
        """The Excel table over the rows written, and the print setup."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.filters import AutoFilter
        from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
        from openpyxl.worksheet.worksheet import Worksheet

        ref = f"A1:{get_column_letter(len(self.widths))}{max(self.rows, 1) + 1}"
        table = Table(displayName=f"t_{self.spec.table}_{workbook_sheets().index(self.spec)}", ref=ref)
        table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(self.headers, start=1)]
        table.autoFilter = AutoFilter(ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():   # "add table columns manually": they are, above
            warnings.simplefilter("ignore", UserWarning)
            self.ws.add_table(table)
        setup = self.ws.page_setup
        setup.orientation = "landscape"
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0   # as many pages down as the rows need
        self.ws.print_title_rows = "1:1"
        self.ws.print_options.gridLines = True
        margins = self.ws.page_margins
        margins.left = margins.right = 0.3
        margins.top = margins.bottom = 0.6
        margins.header = margins.footer = 0.3
        self.ws.oddFooter.center.text = "&P / &N"


def write_workbook(chunks: Iterable[tuple[str, list[Row]]], out: Path,
                   notes: list[str] | None = None) -> Path:
    """Given (table name, rows) chunks, write the workbook at ``out`` as they come (no row is
    held after it is written) and return ``out``. Cells stored otherwise than they came (a
    formula-like text as text, control characters as their symbols) and rows too tall to
    print whole are counted in ``notes`` (the export's warning lines)."""
    from openpyxl import Workbook

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheets = [_Sheet(book, spec) for spec in workbook_sheets()]
    by_table: dict[str, list[_Sheet]] = {}
    for sheet in sheets:
        by_table.setdefault(sheet.spec.table, []).append(sheet)
    for name, rows in chunks:
        for row in rows:
            for sheet in by_table[name]:
                sheet.add(row)
    for sheet in sheets:
        sheet.finish()
    book.save(out)
    if notes is not None:
        for sheet in sheets:
            name = sheet.spec.sheet
            if sheet.controls:
                notes.append(f"{name}: {sheet.controls} cell(s) {XLSX_CONTROL_WARNING}")
            if sheet.formulas:
                notes.append(f"{name}: {sheet.formulas} cell(s) started like a formula (= + - @ tab CR); "
                                "stored as text")
            if sheet.too_tall:
                notes.append(f"{name}: {sheet.too_tall} row(s) hold more wrapped text than the tallest "
                                f"row ({MAX_ROW_HEIGHT:.0f} pt) shows; the cells hold it all, a printout "
                                "cuts it")
    return out

