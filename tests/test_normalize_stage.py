"""The normalize stage restores everything extraction reads on an OCR'd page: the text, the
words (their boxes stay) and the table cells, keeping what was read."""
from __future__ import annotations

from kehoach.schema import Document, Page, Source, Table, TableCell, Word

from kehoach.normalize import stage as normalize_stage
from kehoach.core.settings import Settings

# tesseract `vie` lines of a degraded render of corpus plan 004 (restore_sources/synth)
CELL_ROWS = [("1", "Ban xây dựng Đẳng", "mổ nhỏ, tảo hiệu ứng lăn tỏa mạnh trong cộng đồng."),
             ("2", "Các chỉ, đẳng bộ trực thuộc", "truyền, phổ biếni nhận rộng.")]
WORD_LINE = "5. Chiến lược 5 năm triển khai các nền tẳng số"


def _page(method: str = "ocr") -> Page:
    words = [Word(text=t, bbox=(10.0 + 40 * i, 700.0, 45.0 + 40 * i, 712.0), line=0)
             for i, t in enumerate(WORD_LINE.split())]
    cells = [TableCell(row=r, col=c, text=t, bbox=(50.0 + 100 * c, 100.0 + 20 * r, 150.0 + 100 * c, 120.0 + 20 * r))
             for r, row in enumerate(CELL_ROWS) for c, t in enumerate(row)]
    text = WORD_LINE + "\n" + "\n".join(" | ".join(row) for row in CELL_ROWS)
    return Page(number=1, method=method, raw_text=text, words=words,
                tables=[Table(n_rows=2, n_cols=3, cells=cells, method="image-grid")])


def _doc(page: Page) -> Document:
    return Document(source=Source(path="scan.pdf", sha256="0" * 64, pages=1, kind="pdf"), pages=[page])


def test_ocr_page_cells_and_words_are_restored_and_keep_what_was_read() -> None:
    doc = normalize_stage.run(_doc(_page()), Settings(restore=True))
    page = doc.pages[0]
    rows = page.tables[0].rows()
    assert rows[0][1] == "Ban xây dựng Đảng"
    assert rows[0][2] == "mô nhỏ, tạo hiệu ứng lan tỏa mạnh trong cộng đồng."
    assert rows[1][1] == "Các chi, đảng bộ trực thuộc"
    assert rows[1][2] == "truyền, phổ biến nhân rộng."
    changed = {c.raw: c.text for c in page.tables[0].cells if c.raw is not None}
    assert changed["Ban xây dựng Đẳng"] == "Ban xây dựng Đảng"
    assert all(c.raw is None for c in page.tables[0].cells if c.col == 0)  # ordinals untouched
    assert " ".join(w.text for w in page.words) == "5. Chiến lược 5 năm triển khai các nền tảng số"
    slip = next(w for w in page.words if w.raw is not None)
    assert (slip.raw, slip.text, slip.bbox) == ("tẳng", "tảng", (370.0, 700.0, 405.0, 712.0))
    assert page.text.splitlines()[0] == " ".join(w.text for w in page.words)


def test_born_digital_page_cells_and_words_are_left_as_printed() -> None:
    page = _page(method="text")
    page.raw_text = "Căn cứ Kế hoạch số 02-KH/BCĐTW của Ban Chỉ đạo Trung ương về phát triển khoa học, " * 3
    doc = normalize_stage.run(_doc(page), Settings(restore=True))
    assert doc.pages[0].tables[0].rows()[0][1] == "Ban xây dựng Đẳng"
    assert all(w.raw is None for w in doc.pages[0].words)


def test_multi_line_cell_keeps_its_lines() -> None:
    page = _page()
    page.tables[0].cells[2].text = "mổ nhỏ, tảo hiệu ứng\nlăn tỏa mạnh trong cộng đồng."
    doc = normalize_stage.run(_doc(page), Settings(restore=True))
    assert doc.pages[0].tables[0].cells[2].text == "mô nhỏ, tạo hiệu ứng\nlan tỏa mạnh trong cộng đồng."
