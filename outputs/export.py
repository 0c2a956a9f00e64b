"""Write the flat export tables (tasks, target values, documents) as csv, xlsx, parquet or jsonl.

Layout: ``xlsx`` writes one workbook at ``out`` with one sheet per table and Vietnamese
headers; ``csv``, ``parquet`` and ``jsonl`` write one file per table into the directory
``out`` (``tasks.csv``, ``target_values.csv``, ``documents.csv``) with the stable keys as
headers. CSV is UTF-8 with a BOM so spreadsheet programs show Vietnamese correctly.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Literal

import pandas as pd
from openpyxl.styles import Alignment

from outputs.tables import Row, documents_to_tables, table_specs
from schema import Document

DATE_COLUMNS = ("deadline_start", "deadline_end")
WRAP = Alignment(wrap_text=True, vertical="top")

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


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def write_tables(tables: dict[str, list[Row]], fmt: ExportFormat, out: Path) -> list[Path]:
    """Given export tables, write them in ``fmt`` at ``out``; return the files written."""
    out = Path(out)
    specs = table_specs()
    if fmt == "xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, rows in tables.items():
                frame = rows_to_frame(rows, name).rename(columns=specs[name].headers)
                frame.to_excel(writer, sheet_name=specs[name].sheet, index=False)
                sheet = writer.sheets[specs[name].sheet]
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
            rows_to_frame(rows, name).to_csv(path, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
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


def export_documents(docs: Iterable[Document], fmt: ExportFormat, out: Path) -> list[Path]:
    """Given Documents, write the flat tables in ``fmt`` at ``out``; return the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return write_tables(documents_to_tables(docs), fmt, out)
