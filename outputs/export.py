"""Write the flat export tables (tasks, target values, documents) as csv, xlsx, parquet or jsonl.

xlsx is office-ready (``workbook.py``): each table on a printed sheet of the columns a reader
needs (A4 landscape at a readable size, the header on every page) and a sheet of its technical
columns, each an Excel table under a bold frozen header, dates dd/mm/yyyy, codes as Vietnamese
labels (labels.yaml; --labels codes keeps them), long texts wrapped in rows as tall as they need.
Parquet columns have the types of columns.yaml in every batch (dates date32).

Layout: ``xlsx`` writes one workbook at ``out`` (sheets and widths in ``columns.yaml``,
``workbook``) with Vietnamese headers; ``csv``, ``parquet`` and ``jsonl`` write one file per table into the directory
``out`` (``tasks.csv``, ``target_values.csv``, ``documents.csv``) with the stable keys as
headers. CSV is UTF-8 with a BOM so spreadsheet programs show Vietnamese correctly, rows
end in CRLF (RFC 4180).

Texts come from the plans (and OCR garbage): none may turn into a formula or break a file.
A spreadsheet cell starting with = + - @ tab or CR is written as text (xlsx: a string cell
with a quote prefix, the visible text unchanged; CSV: a leading apostrophe, the OWASP
rule); characters xlsx cannot hold (C0 controls) become their visible Control Pictures
(BEL -> U+2407) in that cell only. Each such change is counted in the export's warnings.
parquet and jsonl are data formats: texts are written exactly as in the records.

Every format is streamed: rows are written in chunks as the records come
(``export_documents`` over a ``RecordStream`` holds one record at a time); xlsx sheets have
fixed column widths, so each row is sized and written as it comes (openpyxl write-only).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Literal

import pandas as pd

from .labels import label_of
from .cells import CSV_FORMULA_WARNING, is_formula_like
from .tables import Row, TableSpec, documents_to_rows, table_specs
from ..schema import Document

LabelMode = Literal["vi", "codes"]

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


def _csv_safe(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    return _frame_cells(frame, lambda v: "'" + v if is_formula_like(v) else v)


def _warn_cells(warnings: list[str] | None, table: str, count: int, what: str) -> None:
    """One warning line naming how many cells of ``table`` changed and why."""
    if count and warnings is not None:
        warnings.append(f"{table}: {count} cell(s) {what}")


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


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


def write_rows(chunks: Iterable[tuple[str, list[Row]]], fmt: ExportFormat, out: Path,
               warnings: list[str] | None = None, labels: LabelMode | None = None,
               sep: str = ",") -> list[Path]:
    """Given (table name, rows) chunks, write every export table in ``fmt`` at ``out``;
    return the files written, as the chunks come (csv, jsonl, parquet: at most CHUNK_ROWS
    rows of a table held; xlsx: each row written as it comes). ``labels``: codes
    as Vietnamese labels (``vi``, xlsx's default) or as codes (``codes``, the data formats'
    default); ``sep``: the CSV separator (``;`` for Excel set to Vietnamese). Cells changed
    so the format holds them inertly are counted in ``warnings``."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    labels = labels or ("vi" if fmt == "xlsx" else "codes")
    if fmt == "xlsx":
        from .workbook import write_workbook

        labelled = ((name, rows_with_labels(rows, name, labels)) for name, rows in chunks)
        return [write_workbook(labelled, out, warnings)]
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
    twice; a ``pipeline.record_files.RecordStream`` is read one record at a time, so an
    export never holds more than one record (and a chunk of rows)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return write_rows(documents_to_rows(docs, all_copies), fmt, out, warnings, labels, sep)
