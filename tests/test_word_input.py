"""Word inputs: a .docx is read by python-docx into paragraph lines and Word's own table cells
(merged cells once, spanning), goes through the same normalize and extract stages as a PDF and
gives the same items; a .doc needs LibreOffice, and says so when it is missing."""
from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK

import kehoach
from kehoach.core.errors import IngestError, MissingToolError
from kehoach.ingest.detect import sniff_kind
from kehoach.ingest.word import read_docx
from kehoach.outputs.compare import compare_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def word_and_pdf():
    return (kehoach.read(SAMPLES / "000-cho-don.word.docx", restore=False),
            kehoach.read(SAMPLES / "000-cho-don.pdf", restore=False))


def test_docx_gives_the_same_targets_and_tasks_as_its_pdf(word_and_pdf):
    word, pdf = word_and_pdf
    assert word.source.kind == "docx" and word.status == "success"
    assert (len(word.targets), len(word.tasks)) == (len(pdf.targets), len(pdf.tasks)) == (6, 24)
    score = compare_records(pdf, word)
    for kind in (score.targets, score.tasks):
        assert (kind.items.fp, kind.items.fn) == (0, 0)
        assert all(sim == 1.0 for _, _, sim in kind.pairs)  # item texts equal
        for f in (kind.deadline, kind.lead_units, kind.cooperating_units, kind.values):
            assert f.correct == f.total
    assert all(score.metadata.values()), score.metadata
    assert [t.deadline.end for t in word.tasks] == [t.deadline.end for t in pdf.tasks]
    assert [[u.name for u in t.lead_units] for t in word.tasks] == [[u.name for u in t.lead_units] for t in pdf.tasks]
    assert [[v.value for v in t.values] for t in word.targets] == [[v.value for v in t.values] for t in pdf.targets]


def test_docx_pages_are_its_sections_and_tables_are_words_cells(word_and_pdf):
    word, _ = word_and_pdf
    # the body, then each appendix in its section (Phụ lục II landscape), sized as Word sets them
    assert [p.number for p in word.pages] == [1, 2, 3] and word.source.pages == 3
    assert [(p.width, p.height) for p in word.pages] == [(595.3, 841.9), (595.3, 841.9), (841.9, 595.3)]
    assert all(t.method == "docx" for p in word.pages for t in p.tables)
    table = word.pages[2].tables[0]
    assert table.cells[0].text.startswith("TT")
    section_rows = [c for c in table.cells if c.col == 1 and c.col_span == table.n_cols - 1]
    assert section_rows, "section rows are one merged cell across the item columns"
    for doc in word_and_pdf:  # table items point at their table, row and so cells, in both
        for task in doc.tasks:
            prov = task.provenance
            table = doc.pages[prov.page - 1].tables[prov.table]
            row = [c.text for c in table.cells if c.row == prov.row]
            assert " ".join(task.text.split()[:4]) in " ".join(" ".join(row).split()), (task.text, row)
    rows = [t.provenance.row for t in word.tasks]
    assert rows[0] == 2 and rows == sorted(set(rows))  # after the header and a section row, one row each
    assert "KẾ HOẠCH" in word.pages[0].text


def _merged_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("Trước bảng")
    t = d.add_table(rows=4, cols=3)
    for r, row in enumerate([["TT", "Nhiệm vụ", "Chủ trì"], ["1", "Việc một", "Sở A"],
                             ["2", "Việc hai", ""], ["3", "Việc ba", "Sở B"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    t.cell(1, 2).merge(t.cell(2, 2))          # "Sở A" leads tasks 1 and 2: one cell, two rows
    t.cell(3, 0).merge(t.cell(3, 1)).text = "Việc ba gộp"  # two columns, one cell
    run = d.add_paragraph("Cuối trang một").add_run()
    run.add_break(WD_BREAK.PAGE)
    d.add_paragraph("Trang hai")
    d.add_section(WD_SECTION.NEW_PAGE)
    d.add_paragraph("Trang ba")
    d.add_section(WD_SECTION.CONTINUOUS)
    d.add_paragraph("Vẫn trang ba")
    d.save(path)
    return path


def test_merged_cells_are_read_once_with_their_spans(tmp_path):
    pages = read_docx(_merged_docx(tmp_path / "m.docx"))
    table = pages[0].tables[0]
    spans = {(c.row, c.col, c.row_span, c.col_span): c.text for c in table.cells}
    assert spans[(1, 2, 2, 1)] == "Sở A"  # once, on two rows
    assert not any(c.row == 2 and c.col == 2 for c in table.cells)
    assert spans[(3, 0, 1, 2)] == "Việc ba gộp"  # once, on two columns
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert [p.text.splitlines()[-1] for p in pages] == ["Cuối trang một", "Trang hai", "Vẫn trang ba"]


def test_docx_is_detected_by_content(tmp_path):
    path = _merged_docx(tmp_path / "m.docx")
    renamed = tmp_path / "ke-hoach.bin"
    renamed.write_bytes(path.read_bytes())
    assert sniff_kind(renamed) == "docx"
    xlsx_named_docx = tmp_path / "bang.docx"
    with zipfile.ZipFile(xlsx_named_docx, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(IngestError) as err:
        sniff_kind(xlsx_named_docx)
    assert err.value.code == "not-a-word-file"
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(IngestError) as err:
        sniff_kind(truncated)
    assert err.value.code == "corrupt-docx"


def _compound_file(stream: str) -> bytes:
    """A minimal compound (OLE2) file whose directory names one stream, as Word 97-2003
    files name 'WordDocument' (its content is not a document: for detection only)."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = struct.pack("<III", 0xFFFFFFFD, end, end) + struct.pack("<I", free) * 125

    def entry(name: str, kind: int, child: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", free, free, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", end, 0))

    directory = entry("Root Entry", 5, child=1) + entry(stream, 2) + bytes(256)
    return header + fat + directory


def test_doc_without_libreoffice_is_an_error_record_saying_what_to_install(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kehoach.cli import app

    doc = tmp_path / "ke-hoach-cu.doc"
    doc.write_bytes(_compound_file("WordDocument"))
    assert sniff_kind(doc) == "doc"
    xls = tmp_path / "bang.doc"
    xls.write_bytes(_compound_file("Workbook"))
    with pytest.raises(IngestError):
        sniff_kind(xls)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no soffice, no libreoffice
    with pytest.raises(MissingToolError) as err:
        kehoach.read(doc, restore=False)
    assert "libreoffice" in err.value.hint.lower()
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(doc), "--out", str(out), "--no-restore", "--jobs", "1"])
    assert result.exit_code == 3, result.output
    record = json.loads((out / "ke-hoach-cu.error.json").read_text("utf-8"))
    assert record["error"]["code"] == "missing-tool" and "libreoffice" in record["error"]["hint"].lower()


SMALL_PLAN = ["ỦY BAN NHÂN DÂN XÃ AN PHÚ", "Số: 12/KH-UBND", "KẾ HOẠCH",
              "Chuyển đổi số năm 2026 trên địa bàn xã", "Phụ lục", "NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2026"]
SMALL_TABLE = [["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
               ["1", "Số hóa hồ sơ hộ tịch", "Văn phòng HĐND và UBND xã", "Công an xã", "Tháng 6/2026"],
               ["2", "Cập nhật dữ liệu đất đai", "", "Phòng Kinh tế", ""],
               ["3", "Tuyên truyền kỹ năng số cho người dân", "Đoàn Thanh niên xã", "Hội Phụ nữ xã", "Quý IV/2026"]]
# the lead unit and the deadline of task 1 are merged down beside task 2
SMALL_TASKS = [("1", ["Văn phòng HĐND và UBND xã"], ["Công an xã"], "Tháng 6/2026"),
               ("2", ["Văn phòng HĐND và UBND xã"], ["Phòng Kinh tế"], "Tháng 6/2026"),
               ("3", ["Đoàn Thanh niên xã"], ["Hội Phụ nữ xã"], "Quý IV/2026")]


def _tasks(doc) -> list[tuple]:
    return [(tk.ordinal, [u.name for u in tk.lead_units], [u.name for u in tk.cooperating_units],
             tk.deadline.raw if tk.deadline else None) for tk in doc.tasks]


def test_a_unit_and_deadline_merged_down_beside_two_tasks_belong_to_both(tmp_path):
    d = docx.Document()
    for line in SMALL_PLAN:
        d.add_paragraph(line)
    t = d.add_table(rows=4, cols=5)
    t.style = "Table Grid"
    for r, row in enumerate(SMALL_TABLE):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    t.cell(1, 2).merge(t.cell(2, 2))
    t.cell(1, 4).merge(t.cell(2, 4))
    d.save(tmp_path / "gop.docx")
    doc = kehoach.read(tmp_path / "gop.docx", restore=False)
    assert _tasks(doc) == SMALL_TASKS
    assert [tk.provenance.row for tk in doc.tasks] == [1, 2, 3]


def _run_soffice(args: list[str], cwd: Path) -> None:
    import subprocess

    from kehoach.ingest.word import soffice_path

    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{cwd}/profile", "--headless",
                    *args], cwd=cwd, capture_output=True, timeout=300, check=True)


@pytest.mark.skipif(not __import__("shutil").which("soffice"),
                    reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
def test_doc_is_converted_by_libreoffice_and_read_as_its_docx(tmp_path):
    """A Word 97-2003 file written by LibreOffice (from an HTML page: its own table, rows
    merged by rowspan) gives the items of the same plan typed in Word."""
    cells = []
    for r, row in enumerate(SMALL_TABLE):
        tds = []
        for c, text in enumerate(row):
            if r == 2 and c in (2, 4):
                continue  # covered by the merged cell above
            span = ' rowspan="2"' if r == 1 and c in (2, 4) else ""
            tds.append(f"<td{span}>{text}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    html = ("<html><head><meta charset='utf-8'></head><body>" + "".join(f"<p>{p}</p>" for p in SMALL_PLAN)
            + "<table border='1'>" + "".join(cells) + "</table></body></html>")
    (tmp_path / "ke-hoach.html").write_text(html, encoding="utf-8")
    _run_soffice(["--convert-to", "doc:MS Word 97", "ke-hoach.html"], tmp_path)
    doc_file = tmp_path / "ke-hoach.doc"
    assert doc_file.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1") and sniff_kind(doc_file) == "doc"
    doc = kehoach.read(doc_file, restore=False)
    assert doc.source.kind == "doc" and "LibreOffice" in doc.pages[0].decision
    assert _tasks(doc) == SMALL_TASKS
