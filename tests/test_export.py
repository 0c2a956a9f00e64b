"""Flat exports of gold records, read back with pandas in every format."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kehoach.outputs import export, tables, workbook


def _n_value_rows(docs) -> int:
    return sum(max(1, len(t.values)) for d in docs for t in d.targets)


def test_task_rows_carry_document_deadline_and_units(gold):
    rows = tables.document_to_task_rows(gold["001-son-la"])
    assert len(rows) == len(gold["001-son-la"].tasks)
    finance = [r for r in rows if r["lead_units"] == "Sở Tài chính"]
    assert finance, "Sơn La has a task led by Sở Tài chính"
    assert all(r["document_number"] == "169/KH-UBND" for r in rows)
    assert finance[0]["deadline_end"] == dt.date(2025, 12, 31)
    assert finance[0]["deadline_kind"] == "month"


def test_multi_unit_cells_are_joined_in_order(gold):
    task = gold["004-tan-ky"].tasks[1]  # led by two units
    row = tables.document_to_task_rows(gold["004-tan-ky"])[1]
    assert row["lead_units"] == "Ban xây dựng Đảng; Văn phòng Đảng ủy" == tables.units_to_cell(task.lead_units)


def test_one_row_per_target_value_and_targets_without_values_kept(gold):
    doc = gold["004-tan-ky"].model_copy(deep=True)
    doc.targets[0].values = []
    rows = tables.document_to_target_value_rows(doc)
    assert len(rows) == _n_value_rows([doc])
    first = [r for r in rows if r["item_order"] == 1]
    assert len(first) == 1 and first[0]["year"] is None and first[0]["text"] == doc.targets[0].text
    row_2030 = next(r for r in rows if r["item_order"] == 2 and r["year"] == 2030)
    value = next(v for v in doc.targets[1].values if v.year == 2030)
    assert (row_2030["value_raw"], row_2030["value"], row_2030["comparator"]) == (value.raw, value.value, value.comparator)


def _xlsx_tables(out) -> dict[str, pd.DataFrame]:
    """The export tables as the workbook holds them: each table's sheets side by side (row
    for row, their shared key columns equal), its per-document columns from the documents
    sheets by doc_id."""
    specs = tables.table_specs()
    sheets = pd.read_excel(out, sheet_name=None)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in specs}
    for sheet in workbook.workbook_sheets():
        headers = specs[sheet.table].headers
        frame = sheets[sheet.sheet]
        assert list(frame.columns) == [headers[k] for k in sheet.keys]
        parts[sheet.table].append(frame.rename(columns={v: k for k, v in headers.items()}))
    joined = {}
    for name, frames in parts.items():
        whole = frames[0]
        for frame in frames[1:]:
            shared = [k for k in frame.columns if k in whole.columns]
            assert len(frame) == len(whole) and frame[shared].equals(whole[shared]), name
            whole = pd.concat([whole, frame.drop(columns=shared)], axis=1)
        joined[name] = whole
    documents = joined["documents"]
    for name, whole in joined.items():
        missing = [k for k in specs[name].keys if k not in whole.columns]
        if missing:   # per-document columns: on the documents sheet, joined by doc_id
            whole = whole.merge(documents[["doc_id", *missing]], on="doc_id", how="left")
        joined[name] = whole[specs[name].keys]
    return joined


def _read_back(fmt: str, out) -> dict[str, pd.DataFrame]:
    if fmt == "xlsx":
        return _xlsx_tables(out)
    readers = {
        "csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"),
        "parquet": pd.read_parquet,
        "jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
    }
    return {name: readers[fmt](out / f"{name}.{fmt}") for name in tables.table_specs()}


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_every_format_reads_back(fmt, gold, tmp_path):
    out = tmp_path / ("k.xlsx" if fmt == "xlsx" else "k")
    export.export_documents(gold.values(), fmt, out)
    frames = _read_back(fmt, out)
    assert len(frames["tasks"]) == sum(len(d.tasks) for d in gold.values())
    assert len(frames["target_values"]) == _n_value_rows(gold.values())
    assert len(frames["documents"]) == len(gold)
    for name, frame in frames.items():
        assert list(frame.columns) == tables.table_specs()[name].keys
    tasks = frames["tasks"]
    sl = tasks[tasks["document_number"] == "169/KH-UBND"]
    assert len(sl) == len(gold["001-son-la"].tasks)
    finance = sl[sl["lead_units"] == "Sở Tài chính"].iloc[0]
    assert pd.Timestamp(finance["deadline_end"]) == pd.Timestamp("2025-12-31")
    assert "Ban hành và tổ chức thực hiện kế hoạch" in finance["text"]  # Vietnamese survives, NFC
    values = frames["target_values"]
    codes = {">=", ">", "<=", "<", "="}
    if fmt == "xlsx":  # spreadsheets show Vietnamese labels of codes by default
        from kehoach.outputs.labels import code_labels

        codes = {code_labels()["comparator"][c].vi for c in codes}
    assert set(values["comparator"].dropna()) <= codes


def test_xlsx_has_vietnamese_headers_a_printed_sheet_per_table_and_its_details(gold, tmp_path):
    out = tmp_path / "k.xlsx"
    export.export_documents(gold.values(), "xlsx", out)
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["Nhiệm vụ", "Chỉ tiêu", "Văn bản",
                            "Nhiệm vụ - chi tiết", "Chỉ tiêu - chi tiết", "Văn bản - chi tiết"]
    assert {"Mã văn bản", "Nội dung nhiệm vụ", "Hạn hoàn thành", "Đơn vị chủ trì",
            "Đơn vị phối hợp"} <= set(sheets["Nhiệm vụ"].columns)
    # the task list joins its documents by the visible key: every task's document is listed
    assert set(sheets["Nhiệm vụ"]["Mã văn bản"]) <= set(sheets["Văn bản"]["Mã văn bản"])
    assert {"Số văn bản", "Trích yếu văn bản"} <= set(sheets["Văn bản"].columns)
    assert "Độ tin cậy" in sheets["Nhiệm vụ - chi tiết"] and "Độ tin cậy" not in sheets["Nhiệm vụ"]


def test_every_column_of_a_table_is_on_one_of_its_sheets():
    """The workbook layout is data; a column left off every sheet is refused, not dropped."""
    from kehoach.core.yaml_data import yaml_to_data

    data = yaml_to_data(tables.COLUMNS_FILE.read_text(encoding="utf-8"))
    assert workbook.WorkbookSpec.model_validate(data).workbook == workbook.workbook_sheets()
    for sheet in data["workbook"]:
        sheet["columns"] = [c for c in sheet["columns"] if c["key"] != "confidence"]
    with pytest.raises(ValueError, match=r"columns of tasks on no sheet: \['confidence'\]"):
        workbook.WorkbookSpec.model_validate(data)


@pytest.mark.parametrize("text, width, lines", [
    ("", 10, 1),
    ("Sở Tài chính", 12, 1),
    ("Sở Tài chính", 11, 2),                 # the last word goes down
    ("Ban hành kế hoạch\nTổ chức thực hiện", 40, 2),   # a line break of the text
    ("plan-0123456789abcdef", 17, 2),         # a word longer than a line, in pieces
    ("a" * 35, 17, 3),
    ("Văn phòng HĐND và UBND xã", 18, 2),
])
def test_wrapped_lines_are_counted_from_words_and_width(text, width, lines):
    assert workbook.text_to_line_count(text, width) == lines


def test_rows_are_as_tall_as_their_most_wrapped_cell_up_to_what_excel_keeps():
    one, _ = workbook.row_height(["Sở Tài chính", None, 3], [20, 20, 5])
    three, _ = workbook.row_height(["Sở Tài chính", "x " * 30], [20, 20])
    assert one == workbook.LINE_HEIGHT + workbook.ROW_PADDING
    assert three == 3 * workbook.LINE_HEIGHT + workbook.ROW_PADDING
    height, too_tall = workbook.row_height(["chữ " * 2000], [40])
    assert height == workbook.MAX_ROW_HEIGHT and too_tall
    header, _ = workbook.row_height(["Thứ tự trong văn bản"], [7], bold=True)   # bold is wider
    assert header == 5 * workbook.LINE_HEIGHT + workbook.ROW_PADDING   # Thứ|tự|trong|văn|bản


def test_unknown_format_is_rejected(gold, tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        export.export_documents(gold.values(), "pdf", tmp_path / "x")


def test_cli_export_csv_skips_error_records(gold, tmp_path, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = write_out_dir(tmp_path / "out", gold)
    (out / "scan.error.json").write_text(
        '{"status": "failure", "source": {"path": "scan.pdf"}, "error": {"code": "E", "message": "m"}}', encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(out), "--format", "csv", "--out", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "4 documents (1 error records skipped)" in result.output
    assert len(pd.read_csv(tmp_path / "csv" / "tasks.csv", encoding="utf-8-sig")) == sum(len(d.tasks) for d in gold.values())


def test_cli_export_rejects_unknown_format(tmp_path):
    from typer.testing import CliRunner

    from kehoach.cli import app

    result = CliRunner().invoke(app, ["export", str(tmp_path), "--format", "pdf", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2


def test_xlsx_deadlines_are_date_cells(gold, tmp_path):
    import openpyxl

    out = tmp_path / "k.xlsx"
    export.export_documents(gold.values(), "xlsx", out)
    sheet = openpyxl.load_workbook(out)["Nhiệm vụ"]
    col = _sheet_keys("Nhiệm vụ").index("deadline_end") + 1
    cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=col, max_col=col) if row[0].value]
    assert cells and all(c.is_date and c.number_format == "dd/mm/yyyy" for c in cells)


def _sheet_keys(name: str) -> list[str]:
    return next(s for s in workbook.workbook_sheets() if s.sheet == name).keys


@pytest.mark.parametrize("fmt, out_name, message", [
    ("csv", "tables.csv", "looks like a file name"),
    ("xlsx", ".", "is a folder"),
    ("parquet", "missing/deeper/out", "does not exist"),
])
def test_export_refuses_an_out_that_does_not_fit_the_format(tmp_path, fmt, out_name, message):
    from typer.testing import CliRunner

    from kehoach.cli import app

    (tmp_path / "rec").mkdir()
    out = tmp_path / out_name
    result = CliRunner().invoke(app, ["export", str(tmp_path / "rec"), "-f", fmt, "--out", str(out)])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "tables.csv").exists() and not (tmp_path / "missing").exists()


# --- office-ready: Excel table, dd/mm/yyyy, print setup, labels, separators, keys, schemas ---


def test_xlsx_sheets_are_filterable_printable_tables(gold, tmp_path):
    import openpyxl

    out = tmp_path / "k.xlsx"
    export.export_documents(gold.values(), "xlsx", out)
    book = openpyxl.load_workbook(out)
    specs = tables.table_specs()
    for spec in workbook.workbook_sheets():
        sheet = book[spec.sheet]
        table, = sheet.tables.values()
        assert table.ref == f"A1:{sheet.cell(1, len(spec.columns)).column_letter}{sheet.max_row}"
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref   # filter buttons
        assert [c.name for c in table.tableColumns] == [c.value for c in sheet[1]]
        assert [c.value for c in sheet[1]] == [specs[spec.table].headers[k] for k in spec.keys]
        assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"  # the header row on every printed page
        widths = [sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width for i in range(len(spec.columns))]
        assert widths == [c.width for c in spec.columns]   # fixed per column, from columns.yaml
        for r in range(1, sheet.max_row + 1):   # every row as tall as its most wrapped cell
            values = [sheet.cell(r, i + 1).value for i in range(len(spec.columns))]
            shown = [v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for v in values]
            height = workbook.row_height(shown, widths, bold=r == 1)[0]
            assert sheet.row_dimensions[r].height == height, (spec.sheet, r)
    tasks = book["Nhiệm vụ"]
    keys = _sheet_keys("Nhiệm vụ")
    text_col = keys.index("text") + 1
    long_rows = [r for r in range(2, tasks.max_row + 1) if len(tasks.cell(r, text_col).value or "") > 120]
    assert long_rows and all(tasks.row_dimensions[r].height >= 45 for r in long_rows)  # wrapped lines fit
    assert all(tasks.cell(r, text_col).alignment.wrap_text for r in long_rows)
    orders = [tasks.cell(r, keys.index("item_order") + 1).value for r in range(2, tasks.max_row + 1)]
    assert orders[0] == 1 and 0 not in orders  # 1-based, as people count
    dates = [tasks.cell(r, keys.index("deadline_end") + 1) for r in range(2, tasks.max_row + 1)]
    assert all(c.number_format == "dd/mm/yyyy" for c in dates if c.value)


@pytest.mark.parametrize("labels", ["vi", "codes"])
def test_labels_vi_or_codes(gold, tmp_path, labels):
    import openpyxl

    out = tmp_path / "k.xlsx"
    export.export_documents(gold.values(), "xlsx", out, labels=labels)
    sheet = openpyxl.load_workbook(out)["Nhiệm vụ - chi tiết"]
    col = _sheet_keys("Nhiệm vụ - chi tiết").index("deadline_kind") + 1
    kinds = {sheet.cell(r, col).value for r in range(2, sheet.max_row + 1)} - {None}
    if labels == "vi":
        assert "Tháng" in kinds and "month" not in kinds
    else:
        assert "month" in kinds and "Tháng" not in kinds


def test_csv_separator_and_every_table_carries_the_document_id(gold, tmp_path):
    export.export_documents(gold.values(), "csv", tmp_path / "csv", sep=";")
    frames = {n: pd.read_csv(tmp_path / "csv" / f"{n}.csv", sep=";", encoding="utf-8-sig")
              for n in tables.table_specs()}
    assert list(frames["tasks"].columns) == tables.table_specs()["tasks"].keys
    ids = set(frames["documents"]["doc_id"])
    assert len(ids) == len(gold) and frames["documents"]["doc_id"].notna().all()
    for name in ("tasks", "target_values"):
        assert set(frames[name]["doc_id"]) <= ids and frames[name]["doc_id"].notna().all()
    assert ";" in (tmp_path / "csv" / "tasks.csv").read_text("utf-8-sig").splitlines()[0]


def test_parquet_dates_are_date32_and_batches_share_one_schema(gold, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    export.export_documents(gold.values(), "parquet", tmp_path / "all")
    bare = gold["003-xa"].model_copy(deep=True)
    for task in bare.tasks:  # a batch where a column is empty throughout
        task.deadline, task.notes, task.confidence = None, None, None
    export.export_documents([bare], "parquet", tmp_path / "one")
    for name in tables.table_specs():
        a, b = pq.read_schema(tmp_path / "all" / f"{name}.parquet"), pq.read_schema(tmp_path / "one" / f"{name}.parquet")
        assert a.remove_metadata() == b.remove_metadata()
        assert pa.null() not in a.types
    schema = pq.read_schema(tmp_path / "all" / "tasks.parquet")
    assert schema.field("deadline_end").type == pa.date32()
    both = pa.concat_tables([pq.read_table(tmp_path / d / "tasks.parquet") for d in ("all", "one")])
    assert both.num_rows == sum(len(d.tasks) for d in gold.values()) + len(bare.tasks)


def test_xlsx_says_which_copy_each_item_was_read_from(gold, tmp_path):
    """The copies of one plan share doc_id (its plan id): with every copy's items exported,
    each task and target row of the workbook still names the file it was read from, as the
    csv's rows do (the documents sheet cannot tell the copies apart by doc_id)."""
    from kehoach.schema import PlanCopy

    doc = next(iter(gold.values()))
    copies = []
    for kind, rank, path in (("born-digital", 0, "kh.pdf"), ("scan", 1, "kh.scan.pdf"),
                             ("old-ocr-text", 2, "kh.ocr.txt")):
        d = doc.model_copy(deep=True)
        d.plan_id = d.doc_id = "plan-0123456789abcdef"
        d.plan_copy = PlanCopy(kind=kind, rank=rank, quality=1.0)
        d.source.path = path
        copies.append(d)
    export.export_documents(copies, "xlsx", tmp_path / "k.xlsx", all_copies=True)
    export.export_documents(copies, "csv", tmp_path / "csv", all_copies=True)
    for name, sheet in (("tasks", "Nhiệm vụ - chi tiết"), ("target_values", "Chỉ tiêu - chi tiết")):
        header = tables.table_specs()[name].headers["source_path"]
        xlsx = pd.read_excel(tmp_path / "k.xlsx", sheet_name=sheet)
        csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv", encoding="utf-8-sig")
        assert len(xlsx) == len(csv) > 0 and set(xlsx[header]) == {"kh.pdf", "kh.scan.pdf", "kh.ocr.txt"}
        assert list(xlsx[header]) == list(csv["source_path"])


def test_export_reads_records_without_their_pages(tmp_path, write_out_dir):
    """The record's pages (texts, words, boxes) are most of its bytes and validation time;
    the export needs none of them."""
    from kehoach.pipeline.record_files import path_to_document

    doc = __import__("kehoach").read(tables.__file__.replace("outputs/tables.py", "samples/001-son-la.ocr.txt"))
    out = write_out_dir(tmp_path / "out", {"plan": doc})
    light = path_to_document(out / "plan.json", pages=False)
    assert light.pages == [] and light.tasks == doc.tasks and light.metadata.number == doc.metadata.number


MIN_PRINTED_PT = 7.0   # the smallest type a printed table is read at


@pytest.mark.skipif(not __import__("shutil").which("soffice"),
                    reason="LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
def test_libreoffice_prints_the_task_sheet_readable_with_every_column_and_row(gold, tmp_path):
    """The workbook as an office prints it: LibreOffice headless turns the task sheet into
    landscape A4 pages, every column's header on every page (fit to width, nothing cut off to
    the right; the header row repeated), every row and the whole text of every cell printed
    (rows tall enough for their wrapped lines), in type no smaller than MIN_PRINTED_PT after
    the sheet is scaled to the page width (it was 1.6 pt with all 23 columns on the sheet)."""
    import subprocess

    import openpyxl
    import pdfplumber

    from kehoach.ingest.word import soffice_path

    book_path = tmp_path / "k.xlsx"
    export.export_documents(gold.values(), "xlsx", book_path)
    spec = next(s for s in workbook.workbook_sheets() if s.table == "tasks" and s.printed)
    book = openpyxl.load_workbook(book_path)
    for sheet in list(book.worksheets):
        if sheet.title != spec.sheet:
            book.remove(sheet)
    book.save(tmp_path / "tasks.xlsx")
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "tasks.xlsx"], cwd=tmp_path, capture_output=True,
                   timeout=300, check=True)
    with pdfplumber.open(tmp_path / "tasks.pdf") as pdf:
        pages = [(p.width, p.height, p.extract_tables(), [c["size"] for c in p.chars if c["text"].strip()])
                 for p in pdf.pages]
    sheet = book[spec.sheet]
    n_rows = sheet.max_row - 1
    assert 1 < len(pages) < n_rows, (len(pages), n_rows)   # many rows a page, not a column a page
    assert all(abs(w - 842) < 3 and abs(h - 595) < 3 for w, h, _, _ in pages)  # A4 landscape
    smallest = min(size for *_, sizes in pages for size in sizes)
    assert smallest >= MIN_PRINTED_PT, f"printed type {smallest:.1f} pt"

    def letters(value) -> list[str]:   # a wrapped cell's lines come out joined in any order
        if hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        return sorted("".join(str(value if value is not None else "").split()))

    headers = [letters(c.value) for c in sheet[1]]
    printed = []
    for _, _, found, _ in pages:    # every column on the page, the header row on every page
        assert [letters(cell) for cell in found[0][0]] == headers
        printed += [[letters(cell) for cell in row] for table in found for row in table[1:]]
    expected = [[letters(c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(printed) == n_rows   # every row printed
    assert printed == expected      # the whole text of every cell: no wrapped line cut off
