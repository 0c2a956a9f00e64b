"""Streamed exports: csv, jsonl and parquet are written as the records are read, one record
at a time, and the streamed files hold exactly the rows of the export tables (primary copies
decided over every record first, one BOM and one header in a CSV written in many chunks)."""
from __future__ import annotations

import csv
import gc
import io
import json
import weakref

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kehoach.outputs import export, tables
from kehoach.pipeline.record_files import RecordStream
from kehoach.schema.models import PlanCopy

STREAMED = ("csv", "jsonl", "parquet")


def _copies(gold, copies: int):
    """``copies`` plans per gold record, made one at a time: each plan as an old OCR text
    copy first, then a born-digital copy with one task more (the primary copy: its tasks,
    not the first copy's, are exported)."""
    for k in range(copies):
        for stem, doc in gold.items():
            for kind, rank in (("old-ocr-text", 2), ("born-digital", 0)):
                d = doc.model_copy(deep=True)
                d.plan_id = f"plan-{stem}-{k}"
                d.doc_id = f"{stem}-{k}-{kind}"
                d.plan_copy = PlanCopy(kind=kind, rank=rank, quality=1.0)
                d.source.path = f"{k}/{stem}.{kind}"
                if kind == "born-digital":
                    d.tasks = d.tasks + [d.tasks[0].model_copy(update={"text": f"Nhiệm vụ thêm {k}"})]
                yield d


def _many(gold, copies: int) -> list:
    return list(_copies(gold, copies))


def _read(fmt: str, path) -> pd.DataFrame:
    if fmt == "xlsx":   # the documents table's printed sheet
        return pd.read_excel(path, sheet_name="Văn bản")
    if fmt == "csv":
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pq.read_table(path).to_pandas()


@pytest.mark.parametrize("fmt", STREAMED)
def test_streamed_tables_hold_every_row_of_many_records_in_order(gold, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(export, "CHUNK_ROWS", 7)   # many chunks: every table flushed often
    docs = _many(gold, 5)
    expected = tables.documents_to_tables(docs)
    export.export_documents(docs, fmt, tmp_path / "t")
    for name, rows in expected.items():
        got = _read(fmt, tmp_path / "t" / f"{name}.{fmt}")
        assert list(got.columns) == tables.table_specs()[name].keys
        assert len(got) == len(rows), name
        assert list(got["doc_id"]) == [r["doc_id"] for r in rows], name
        if "text" in got:
            assert list(got["text"]) == [r["text"] for r in rows], name
    tasks = _read(fmt, tmp_path / "t" / f"tasks.{fmt}")
    # tasks of the primary (born-digital) copy of each plan only, though it came second
    assert set(tasks["doc_id"]) == {d.doc_id for d in docs if d.plan_copy.kind == "born-digital"}
    assert len(tasks) == sum(len(d.tasks) for d in docs if d.plan_copy.kind == "born-digital")
    assert sum(t.startswith("Nhiệm vụ thêm") for t in tasks["text"]) == 5 * len(gold)
    documents = _read(fmt, tmp_path / "t" / f"documents.{fmt}")
    primary = [str(v) for v in documents["primary_copy"]]
    assert primary == ["False", "True"] * (len(docs) // 2)


def test_a_csv_written_in_chunks_has_one_bom_one_header_and_crlf_rows(gold, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 3)
    docs = _many(gold, 2)
    export.export_documents(docs, "csv", tmp_path / "t", sep=";")
    raw = (tmp_path / "t" / "tasks.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    text = raw.decode("utf-8-sig")
    assert "\n" not in text.replace("\r\n", "")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header = tables.table_specs()["tasks"].keys
    assert records[0] == header and sum(r == header for r in records) == 1
    assert len(records) - 1 == len(tables.documents_to_tables(docs)["tasks"])


def test_formula_cells_are_counted_once_per_table_across_chunks(gold, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    docs = _many(gold, 2)
    for d in docs:
        d.tasks[0].text = "=HYPERLINK(\"http://x\")"
    warnings: list[str] = []
    export.export_documents(docs, "csv", tmp_path / "t", warnings)
    tasks = pd.read_csv(tmp_path / "t" / "tasks.csv", encoding="utf-8-sig", dtype=str)
    shown = (tasks["text"] == "'=HYPERLINK(\"http://x\")").sum()
    assert shown == len(docs) // 2                    # the primary copies' first tasks
    lines = [w for w in warnings if w.startswith("tasks:")]
    assert lines == [f"tasks: {shown} cell(s) {export.CSV_FORMULA_WARNING}"]


class _Counted:
    """Re-iterable Documents made one at a time; records how many were alive at most while
    the export ran (a list of records would keep every one alive)."""

    def __init__(self, gold, copies: int):
        self.gold, self.copies = gold, copies
        self.refs: list[weakref.ref] = []
        self.most = 0
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        for d in _copies(self.gold, self.copies):
            self.refs = [r for r in self.refs if r() is not None] + [weakref.ref(d)]
            if len(self.refs) > 2:       # only garbage in a cycle would still be counted
                gc.collect()
                self.refs = [r for r in self.refs if r() is not None]
            self.most = max(self.most, len(self.refs))
            yield d
            del d


@pytest.mark.parametrize("fmt", STREAMED + ("xlsx",))
def test_records_are_read_one_at_a_time(gold, tmp_path, fmt):
    docs = _Counted(gold, 4)
    out = tmp_path / ("t.xlsx" if fmt == "xlsx" else "t")
    export.export_documents(docs, fmt, out)
    assert docs.passes == 2                  # primary copies first, then the rows
    assert docs.most <= 2, docs.most         # the record being written (and the one before)
    written = _read(fmt, out if fmt == "xlsx" else out / f"documents.{fmt}")
    assert len(written) == 4 * 2 * len(gold)


class _Row(dict):
    """A row that can be watched (a weak reference) to see whether the writer keeps it."""


def test_the_workbook_holds_no_row_once_written(gold, tmp_path):
    """xlsx is streamed too: its widths are fixed, so each row is sized and written as it
    comes; at most a chunk or two is alive (the writer keeps none)."""
    refs: list[weakref.ref] = []
    most = 0
    expected = tables.documents_to_tables(_many(gold, 3))

    def chunks():
        nonlocal refs, most
        for name, rows in tables.documents_to_rows(_many(gold, 3)):
            chunk = [_Row(r) for r in rows]
            gc.collect()
            refs = [r for r in refs if r() is not None] + [weakref.ref(r) for r in chunk]
            most = max(most, len(refs))
            yield name, chunk
            del chunk

    export.write_rows(chunks(), "xlsx", tmp_path / "t.xlsx", labels="codes")
    largest = max(len(tables.document_to_target_value_rows(d)) for d in gold.values())
    # the chunk being made and the one before (still the writer's loop variable), of the
    # 3 * 308 rows written
    assert most <= 2 * largest, (most, largest)
    tasks = pd.read_excel(tmp_path / "t.xlsx", sheet_name="Nhiệm vụ")
    assert list(tasks["Mã văn bản"]) == [r["doc_id"] for r in expected["tasks"]]
    assert list(tasks["Nội dung nhiệm vụ"]) == [r["text"] for r in expected["tasks"]]
    details = pd.read_excel(tmp_path / "t.xlsx", sheet_name="Chỉ tiêu - chi tiết")
    assert list(details["Mã văn bản"]) == [r["doc_id"] for r in expected["target_values"]]


def test_a_one_shot_iterator_is_still_exported_whole(gold, tmp_path):
    docs = _many(gold, 1)
    export.export_documents(iter(docs), "jsonl", tmp_path / "t")
    lines = (tmp_path / "t" / "documents.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["doc_id"] for line in lines] == [d.doc_id for d in docs]


def test_record_stream_reads_lazily_and_lists_unreadable_files_once(gold, tmp_path, write_out_dir):
    out = write_out_dir(tmp_path / "out", gold)
    (out / "broken.json").write_text("{not json", encoding="utf-8")
    (out / "x.error.json").write_text("{}", encoding="utf-8")
    stream = RecordStream([out], pages=False)
    assert stream.read == 0 and stream.error_records == 1   # nothing read before a pass
    first = iter(stream)
    doc = next(first)
    assert doc.doc_id == gold[sorted(gold)[0]].doc_id and not doc.pages
    assert sum(1 for _ in stream) == len(gold) and stream.read == len(gold)
    assert sum(1 for _ in stream) == len(gold)
    assert [p.name for p, _ in stream.unreadable] == ["broken.json"]


def test_cli_export_streams_and_reports_an_unreadable_record(gold, tmp_path, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = write_out_dir(tmp_path / "out", gold)
    (out / "broken.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(out), "-f", "jsonl", "--out", str(tmp_path / "j")])
    assert result.exit_code == 1, result.output
    assert "unreadable record" in result.output and "broken.json" in result.output
    assert f"{len(gold)} documents (0 error records skipped)" in result.output
    lines = (tmp_path / "j" / "tasks.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == sum(len(d.tasks) for d in gold.values())


def test_load_reads_records_one_at_a_time(gold, tmp_path, write_out_dir, monkeypatch):
    """kehoach load: each record is loaded before the next is read (at most two alive)."""
    from kehoach.outputs import db
    from kehoach.pipeline import record_files

    out = write_out_dir(tmp_path / "out", {f"{k}-{stem}": d for k in range(3) for stem, d in gold.items()})
    (out / "broken.json").write_text("{not json", encoding="utf-8")
    refs: list[weakref.ref] = []
    most = 0
    real = record_files.path_to_document

    def counted(path, pages=True):
        nonlocal refs, most
        doc = real(path, pages)
        refs = [r for r in refs if r() is not None] + [weakref.ref(doc)]
        if len(refs) > 2:
            gc.collect()
            refs = [r for r in refs if r() is not None]
        most = max(most, len(refs))
        return doc

    monkeypatch.setattr(record_files, "path_to_document", counted)
    report = db.load_records([out], f"sqlite:///{tmp_path / 'k.db'}")
    assert len(report.loaded) + len(report.replaced) == 3 * len(gold) and most <= 2, most
    assert [f.path for f in report.failed] == [str(out / "broken.json")]
    assert report.tasks == 3 * sum(len(d.tasks) for d in gold.values())
