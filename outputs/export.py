"""Write the flat export tables (tasks, target values, documents) as csv, xlsx, parquet or jsonl.

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
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Literal

import pandas as pd
from openpyxl.styles import Alignment

from .tables import Row, documents_to_tables, table_specs
from ..schema import Document

DATE_COLUMNS = ("deadline_start", "deadline_end")
WRAP = Alignment(wrap_text=True, vertical="top")

# what spreadsheet programs read as the start of a formula (OWASP CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# characters an xlsx cell cannot hold (the XML 1.0 C0 controls openpyxl refuses)
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_PICTURES = 0x2400  # U+2400 + code: the visible symbol of each C0 control

ExportFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "jsonl")


def rows_to_frame(rows: list[Row], table: str) -> pd.DataFrame:
    """Given rows of one export table, return a DataFrame with its columns in spec order."""
    frame = pd.DataFrame(rows, columns=table_specs()[table].keys)
    for col in DATE_COLUMNS:
        if col in frame:  # date objects -> datetime64 so xlsx/parquet store real dates
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ms]")
    for col in ("item_index", "page", "year", "tasks", "targets", "warnings"):
        if col in frame and (table == "documents" or col != "warnings"):
            frame[col] = frame[col].astype("Int64")
    for col in ("confidence", "value"):
        if col in frame:
            frame[col] = frame[col].astype("Float64")
    return frame


def is_formula_like(value) -> bool:
    """Given a cell value, return whether a spreadsheet program would run it as a formula
    (a lone sign, as the comparator "=" or an empty cell's "-", runs nothing)."""
    return isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_PREFIXES)


def text_to_xlsx_text(text: str) -> str:
    """Given a text, return it with each character xlsx cannot hold as its Control Picture."""
    return XLSX_ILLEGAL.sub(lambda m: chr(CONTROL_PICTURES + ord(m.group())), text)


def _frame_cells(frame: pd.DataFrame, fix, table: str, what: str, warnings: list[str] | None) -> pd.DataFrame:
    """Given a frame, return it with ``fix`` applied to the string cells it changes; one
    warning line names how many cells of ``table`` changed and why."""
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
    if changed and warnings is not None:
        warnings.append(f"{table}: {changed} cell(s) {what}")
    return out


def _csv_safe(frame: pd.DataFrame, table: str, warnings: list[str] | None) -> pd.DataFrame:
    return _frame_cells(frame, lambda v: "'" + v if is_formula_like(v) else v, table,
                        "started like a formula (= + - @ tab CR); written after an apostrophe "
                        "so spreadsheet programs show them as text", warnings)


def _xlsx_safe(frame: pd.DataFrame, table: str, warnings: list[str] | None) -> pd.DataFrame:
    return _frame_cells(frame, text_to_xlsx_text, table,
                        "held control characters xlsx cannot store; shown as their symbols "
                        "(U+2400-U+241F)", warnings)


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


def write_tables(tables: dict[str, list[Row]], fmt: ExportFormat, out: Path,
                 warnings: list[str] | None = None) -> list[Path]:
    """Given export tables, write them in ``fmt`` at ``out``; return the files written.
    Cells changed so the format holds them inertly are counted in ``warnings``."""
    out = Path(out)
    specs = table_specs()
    if fmt == "xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, rows in tables.items():
                frame = _xlsx_safe(rows_to_frame(rows, name), name, warnings)
                frame = frame.rename(columns=specs[name].headers)
                frame.to_excel(writer, sheet_name=specs[name].sheet, index=False)
                sheet = writer.sheets[specs[name].sheet]
                _xlsx_formulas_to_text(sheet, name, warnings)
                sheet.freeze_panes = "A2"
                for i, key in enumerate(specs[name].keys, start=1):
                    if key in DATE_COLUMNS:  # pandas' own datetime_format is not applied by openpyxl
                        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                            cell.number_format = "yyyy-mm-dd"
                for col_cells in sheet.iter_cols():  # width from the longest cell, capped; long texts wrap
                    longest = max(len(str(c.value)) if c.value is not None else 0 for c in col_cells)
                    sheet.column_dimensions[col_cells[0].column_letter].width = max(10, min(60, longest + 2))
                    if longest > 60:
                        for c in col_cells[1:]:
                            c.alignment = WRAP
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            # CRLF rows (RFC 4180): the csv writer then quotes a cell holding a lone CR,
            # which with "\n" rows it wrote bare and every reader split the row there
            _csv_safe(rows_to_frame(rows, name), name, warnings).to_csv(
                path, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d",
                lineterminator="\r\n")
        elif fmt == "parquet":
            rows_to_frame(rows, name).to_parquet(path, index=False, engine="pyarrow")
        elif fmt == "jsonl":
            with path.open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        else:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
        written.append(path)
    return written


def export_documents(docs: Iterable[Document], fmt: ExportFormat, out: Path,
                     warnings: list[str] | None = None, all_copies: bool = False) -> list[Path]:
    """Given Documents, write the flat tables in ``fmt`` at ``out``; return the files written
    (cells changed to be held inertly are counted in ``warnings``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return write_tables(documents_to_tables(docs, all_copies), fmt, out, warnings)
