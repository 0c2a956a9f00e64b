"""Write the flat export tables (tasks, target values, documents) as csv, xlsx, parquet or jsonl.

xlsx is office-ready: each sheet an Excel table (filters, banded rows) under a bold frozen
header, dates dd/mm/yyyy, codes as Vietnamese labels (labels.yaml; --labels codes keeps them),
row heights for wrapped text, printed landscape one page wide with the header on every page.
Parquet columns have the types of columns.yaml in every batch (dates date32).

Layout: ``xlsx`` writes one workbook at ``out`` with one sheet per table and Vietnamese
headers; ``csv``, ``parquet`` and ``jsonl`` write one file per table into the directory
``out`` (``tasks.csv``, ``target_values.csv``, ``documents.csv``) with the stable keys as
headers. CSV is UTF-8 with a BOM so spreadsheet programs show Vietnamese correctly, rows
end in CRLF (RFC 4180).

Texts come from the plans (and OCR garbage): none may turn into a formula or break a file.
A spreadsheet cell starting with = + - @ tab or CR is written as text (xlsx: a string cell
with a quote prefix, the visible text unchanged; CSV: a leading apostrophe, the OWASP
rule); characters xlsx cannot hold (C0 controls) become their visible Control Pictures
(BEL -> U+2407) in that cell only. Each such change is counted in the export's warnings.
parquet and jsonl are data formats: texts are written exactly as in the records.

csv, jsonl and parquet are streamed: rows are written in chunks as the records come
(``export_documents`` over a ``RecordStream`` holds one record at a time); xlsx gathers
each sheet's rows first, as sizing its columns and rows needs all of them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Literal

import pandas as pd
from openpyxl.styles import Alignment, Font

from .labels import label_of
from .tables import Row, TableSpec, documents_to_rows, table_specs
from ..schema import Document

WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "dd/mm/yyyy"  # as dates are written in Vietnam
LINE_HEIGHT = 15.0  # points per wrapped line of an xlsx row (11 pt text)
MAX_WIDTH = 60      # characters: wider texts wrap
LabelMode = Literal["vi", "codes"]

# what spreadsheet programs read as the start of a formula (OWASP CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# characters an xlsx cell cannot hold (the XML 1.0 C0 controls openpyxl refuses)
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_PICTURES = 0x2400  # U+2400 + code: the visible symbol of each C0 control

ExportFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "jsonl")


PANDAS_TYPES = {"int": "Int64", "float": "Float64", "bool": "boolean"}


def rows_to_frame(rows: list[Row], table: str) -> pd.DataFrame:
    """Given rows of one export table, return a DataFrame with its columns in spec order and
    of the spec's types (the same types in every batch, an all-empty column too)."""
    spec = table_specs()[table]
    frame = pd.DataFrame(rows, columns=spec.keys)
    for col in spec.columns:
        if col.type == "date":  # date objects -> datetime64 so xlsx stores real dates
            frame[col.key] = pd.to_datetime(frame[col.key]).astype("datetime64[ms]")
        elif col.type in PANDAS_TYPES:
            frame[col.key] = frame[col.key].astype(PANDAS_TYPES[col.type])
        else:
            frame[col.key] = frame[col.key].astype(object)
    return frame


def arrow_schema(spec: TableSpec):
    """The parquet schema of an export table: dates as date32, the same in every batch."""
    import pyarrow as pa

    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
             "bool": pa.bool_()}
    return pa.schema([pa.field(c.key, kinds[c.type]) for c in spec.columns])


def rows_with_labels(rows: list[Row], table: str, labels: LabelMode) -> list[Row]:
    """Given rows, return them with each code column's codes as Vietnamese labels (``vi``),
    or as they are (``codes``); a code without a label stays as printed."""
    coded = [c for c in table_specs()[table].columns if c.labels]
    if labels == "codes" or not coded:
        return rows
    return [{**row, **{c.key: label_of(c.labels, row.get(c.key)) for c in coded}} for row in rows]


def is_formula_like(value) -> bool:
    """Given a cell value, return whether a spreadsheet program would run it as a formula
    (a lone sign, as the comparator "=" or an empty cell's "-", runs nothing)."""
    return isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_PREFIXES)


def text_to_xlsx_text(text: str) -> str:
    """Given a text, return it with each character xlsx cannot hold as its Control Picture."""
    return XLSX_ILLEGAL.sub(lambda m: chr(CONTROL_PICTURES + ord(m.group())), text)


def _frame_cells(frame: pd.DataFrame, fix) -> tuple[pd.DataFrame, int]:
    """Given a frame, return it with ``fix`` applied to its string cells, and how many
    cells that changed."""
    changed = 0

    def apply(value):
        nonlocal changed
        if not isinstance(value, str):
            return value
        new = fix(value)
        changed += new != value
        return new

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(apply)
    return out, changed


CSV_FORMULA_WARNING = ("started like a formula (= + - @ tab CR); written after an apostrophe "
                       "so spreadsheet programs show them as text")
XLSX_CONTROL_WARNING = ("held control characters xlsx cannot store; shown as their symbols "
                        "(U+2400-U+241F)")


def _csv_safe(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    return _frame_cells(frame, lambda v: "'" + v if is_formula_like(v) else v)


def _xlsx_safe(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    return _frame_cells(frame, text_to_xlsx_text)


def _warn_cells(warnings: list[str] | None, table: str, count: int, what: str) -> None:
    """One warning line naming how many cells of ``table`` changed and why."""
    if count and warnings is not None:
        warnings.append(f"{table}: {count} cell(s) {what}")


def _xlsx_formulas_to_text(sheet, table: str, warnings: list[str] | None) -> None:
    """Given a written sheet, make every cell that openpyxl took for a formula (or that
    starts like one) a plain string cell shown as typed (quote prefix)."""
    count = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                count += 1
    if count and warnings is not None:
        warnings.append(f"{table}: {count} cell(s) started like a formula (= + - @ tab CR); "
                        "stored as text")


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _format_sheet(sheet, spec: TableSpec, rows: int) -> None:
    """Make a written sheet office-ready: an Excel table (filter buttons, banded rows) under a
    bold frozen header, dates dd/mm/yyyy, column widths from the content (long texts wrap)
    and row heights for the wrapped lines, printed landscape one page wide with the header
    row on every page."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    last = get_column_letter(len(spec.columns))
    ref = f"A1:{last}{max(rows, 1) + 1}"
    table = Table(displayName=f"t_{spec.sheet_key}", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = WRAP
    widths = []
    for i, col in enumerate(spec.columns, start=1):
        cells = [c for (c,) in sheet.iter_rows(min_row=1, min_col=i, max_col=i)]
        if col.type == "date":
            for c in cells[1:]:
                c.number_format = DATE_FORMAT
        longest = max([len(str(c.value)) if c.value is not None else 0 for c in cells[1:]] + [len(col.header) // 2, 8])
        width = 12 if col.type == "date" else max(8, min(MAX_WIDTH, longest + 2))
        widths.append(width)
        sheet.column_dimensions[get_column_letter(i)].width = width
        if longest + 2 > MAX_WIDTH:
            for c in cells[1:]:
                c.alignment = WRAP
    for row in sheet.iter_rows(min_row=1):
        lines = max((-(-len(str(c.value)) // max(1, widths[c.column - 1] - 2)) if c.value is not None else 1)
                    for c in row)
        sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * min(max(lines, 1), 30)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True


# rows a streamed table holds before writing them (one CSV/JSONL chunk, one parquet row group)
CHUNK_ROWS = 2000


class _TableSink:
    """One table being written in a data format, rows appended in chunks as they come."""

    def __init__(self, name: str, fmt: str, path: Path, sep: str):
        self.name, self.fmt, self.path, self.sep = name, fmt, path, sep
        self.spec = table_specs()[name]
        self.pending: list[Row] = []
        self.changed = 0      # cells written differently so the format holds them inertly
        self._parquet = None
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self._parquet = pq.ParquetWriter(path, arrow_schema(self.spec))
            self.fh = None
        else:
            # CSV: UTF-8 with one BOM for spreadsheet programs; newline="" keeps CRLF rows
            self.fh = path.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        if fmt == "csv":
            self._write_csv([], header=True)

    def add(self, rows: list[Row]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def _write_csv(self, rows: list[Row], header: bool) -> None:
        # CRLF rows (RFC 4180): the csv writer then quotes a cell holding a lone CR,
        # which with "\n" rows it wrote bare and every reader split the row there
        frame, changed = _csv_safe(rows_to_frame(rows, self.name))
        self.changed += changed
        frame.to_csv(self.fh, index=False, header=header, date_format="%Y-%m-%d",
                     lineterminator="\r\n", sep=self.sep)

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        if self.fmt == "csv":
            self._write_csv(rows, header=False)
        elif self.fmt == "jsonl":
            for row in rows:
                self.fh.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        else:
            import pyarrow as pa

            self._parquet.write_table(pa.Table.from_pylist(rows, schema=self._parquet.schema))

    def close(self) -> None:
        self.flush()
        if self._parquet is not None:
            self._parquet.close()
        else:
            self.fh.close()


def _write_xlsx(tables: dict[str, list[Row]], out: Path, warnings: list[str] | None) -> None:
    """One workbook, one sheet per table. Sizing columns and rows needs every cell of a
    sheet: xlsx holds the rows (not the records) in memory."""
    specs = table_specs()
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, rows in tables.items():
            frame, changed = _xlsx_safe(rows_to_frame(rows, name))
            _warn_cells(warnings, name, changed, XLSX_CONTROL_WARNING)
            frame = frame.rename(columns=specs[name].headers)
            frame.to_excel(writer, sheet_name=specs[name].sheet, index=False)
            sheet = writer.sheets[specs[name].sheet]
            _xlsx_formulas_to_text(sheet, name, warnings)
            _format_sheet(sheet, specs[name], len(rows))


def write_rows(chunks: Iterable[tuple[str, list[Row]]], fmt: ExportFormat, out: Path,
               warnings: list[str] | None = None, labels: LabelMode | None = None,
               sep: str = ",") -> list[Path]:
    """Given (table name, rows) chunks, write every export table in ``fmt`` at ``out``;
    return the files written. csv, jsonl and parquet are written as the chunks come (at
    most CHUNK_ROWS rows of a table held); xlsx gathers the rows first. ``labels``: codes
    as Vietnamese labels (``vi``, xlsx's default) or as codes (``codes``, the data formats'
    default); ``sep``: the CSV separator (``;`` for Excel set to Vietnamese). Cells changed
    so the format holds them inertly are counted in ``warnings``."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    labels = labels or ("vi" if fmt == "xlsx" else "codes")
    if fmt == "xlsx":
        tables: dict[str, list[Row]] = {name: [] for name in table_specs()}
        for name, rows in chunks:
            tables[name].extend(rows_with_labels(rows, name, labels))
        _write_xlsx(tables, out, warnings)
        return [out]
    if len(sep) != 1:
        raise ValueError(f"the CSV separator must be one character, not {sep!r}")
    out.mkdir(parents=True, exist_ok=True)
    sinks: dict[str, _TableSink] = {}
    try:
        for name in table_specs():
            sinks[name] = _TableSink(name, fmt, out / f"{name}.{fmt}", sep)
        for name, rows in chunks:
            sinks[name].add(rows_with_labels(rows, name, labels))
    finally:
        for sink in sinks.values():
            sink.close()
    for name, sink in sinks.items():
        _warn_cells(warnings, name, sink.changed, CSV_FORMULA_WARNING)
    return [sink.path for sink in sinks.values()]


def write_tables(tables: dict[str, list[Row]], fmt: ExportFormat, out: Path,
                 warnings: list[str] | None = None, labels: LabelMode | None = None,
                 sep: str = ",") -> list[Path]:
    """Given export tables (rows keyed by table name), write them; see ``write_rows``."""
    return write_rows(tables.items(), fmt, out, warnings, labels, sep)


def export_documents(docs: Iterable[Document], fmt: ExportFormat, out: Path,
                     warnings: list[str] | None = None, all_copies: bool = False,
                     labels: LabelMode | None = None, sep: str = ",") -> list[Path]:
    """Given Documents, write the flat tables in ``fmt`` at ``out``; return the files written
    (cells changed to be held inertly are counted in ``warnings``). ``docs`` is passed over
    twice; a ``pipeline.record_files.RecordStream`` is read one record at a time, so csv,
    jsonl and parquet exports never hold more than one record (and a chunk of rows)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return write_rows(documents_to_rows(docs, all_copies), fmt, out, warnings, labels, sep)
