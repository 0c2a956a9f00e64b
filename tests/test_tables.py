"""kehoach.extract.tables: header roles, sections, stitching across pages, and rows of the gold
appendix tables rendered as born-digital PDFs (pdfplumber ruling tables)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tables"))

from kehoach.extract.appendices import line_to_appendix  # noqa: E402
from kehoach.extract.table_columns import header_to_role, table_to_layout  # noqa: E402
from kehoach.extract.table_ordinals import infer_ordinals, section_name  # noqa: E402
from kehoach.extract.table_text import cell_text  # noqa: E402
from kehoach.extract.tables import tables_to_raw_items  # noqa: E402
from kehoach.schema import Document, Page, Source, Table, TableCell, Word  # noqa: E402
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


def make_table(rows: list, top: float = 100.0, method: str = "pdf-ruling") -> Table:
    """Rows are lists of cell texts, or ("span", text) / ("span1", ordinal, text) for
    section rows spanning all columns / all but the first."""
    n_cols = max(len(r) for r in rows if isinstance(r, list))
    cells = []
    for i, r in enumerate(rows):
        y = top + 20 * i
        if isinstance(r, tuple) and r[0] == "span":
            cells.append(TableCell(row=i, col=0, text=r[1], col_span=n_cols, bbox=(50, y, 550, y + 20)))
        elif isinstance(r, tuple):
            cells.append(TableCell(row=i, col=0, text=r[1], bbox=(50, y, 80, y + 20)))
            cells.append(TableCell(row=i, col=1, text=r[2], col_span=n_cols - 1, bbox=(80, y, 550, y + 20)))
        else:
            for j, t in enumerate(r):
                cells.append(TableCell(row=i, col=j, text=t, bbox=(50 + 100 * j, y, 150 + 100 * j, y + 20)))
    return Table(bbox=(50, top, 550, top + 20 * len(rows)), n_rows=len(rows), n_cols=n_cols,
                 cells=cells, method=method)


def make_doc(pages: list[tuple[list[Table], str]]) -> Document:
    ps = []
    for i, (tables, heading) in enumerate(pages):
        words = [Word(text=t, bbox=(250 + 30 * k, 40, 280 + 30 * k, 52), line=1)
                 for k, t in enumerate(heading.split())] if heading else []
        ps.append(Page(number=i + 1, method="text", text=heading, raw_text=heading, words=words, tables=tables))
    return Document(source=Source(path="x.pdf", sha256="0", kind="pdf"), pages=ps)


TASK_HEADER = ["TT", "Danh mục nhiệm vụ, giải pháp", "Thời gian hoàn thành", "Cơ quan chủ trì",
               "Cơ quan phối hợp", "Ghi chú"]


@pytest.mark.parametrize("header,role", [
    ("TT", "ordinal"), ("STT", "ordinal"),
    ("Danh mục nhiệm vụ, giải pháp", "text"), ("NỘI DUNG NHIỆM VỤ", "text"), ("Nội dung", "text"),
    ("Mục tiêu", "text"), ("Nhiệm vụ", "text"),
    ("Thời gian hoàn thành", "deadline"), ("THỜI GIAN HOÀN THÀNH", "deadline"), ("Thời gian", "deadline"),
    ("Cơ quan chủ trì", "lead"), ("CƠ QUAN CHỦ TRÌ THỰC HIỆN", "lead"), ("Cơ quanchủ trì thực", "lead"),
    ("Đơn ! chủ trì", "lead"), ("Co quan chu tri", "lead"),
    ("Cơ quan phối hợp", "cooperating"), ("CƠ QUAN, ĐƠN VỊ PHỐI HỢP THỰC HIỆN", "cooperating"),
    ("Đơn vịphối hợp", "cooperating"),
    ("Ghi chú", "notes"), ("2025", "year:2025"), ("2045", "year:2045"),
    ("Chỉ tiêu năm 2026", "year:2026"), ("Năm 2030", "year:2030"),
    ("Trung tâm PV HCC", None), ("", None),
])
def test_header_to_role(header, role):
    assert header_to_role(header, RULES.tables) == role


def test_header_folding_is_the_rules_folding_and_drops_marks():
    """Header text folds as every rule does (core.folding.fold), its marks dropped: an OCR
    speck read as a degree or copyright sign is no letter of the title."""
    from kehoach.core.folding import fold
    from kehoach.extract.rules.tables import header_fold, header_words

    title = "Đơn vị CHỦ TRÌ (thực hiện)"
    assert header_fold(title) == "".join(c for c in fold(title) if c.isalnum()) == "donvichutrithuchien"
    assert header_fold("Thời gian° hoàn thành©") == "thoigianhoanthanh"   # not "...giandeg...(c)"
    assert header_words("Cơ quan phối hợp®") == {"co", "quan", "phoi", "hop"}
    assert header_to_role("Thời gian° hoàn thành", RULES.tables) == header_to_role("Thời gian hoàn thành", RULES.tables)


@pytest.mark.parametrize("text,name", [
    ("Thứ nhất: Về thể chế", "Về thể chế"),
    ("Thứ hai: Về hạ tầng kỹ thuật, công nghệ", "Về hạ tầng kỹ thuật, công nghệ"),
    ("I Về thể chế", "Về thể chế"),
    ("II. Phát triển nguồn nhân lực", "Phát triển nguồn nhân lực"),
    ("1 Rà soát, hoàn thiện thể chế, cơ chế để triển khai dịch vụ công trực tuyến toàn trình",
     "Rà soát, hoàn thiện thể chế, cơ chế để triển khai dịch vụ công trực tuyến toàn trình"),
    ("Về hạ tầng kỹ thuật, công nghệ", "Về hạ tầng kỹ thuật, công nghệ"),
    ("Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025", "Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025"),
    ("Thứ nhât: Giai đoạn từ ngày 01/7/2025", "Giai đoạn từ ngày 01/7/2025"),  # OCR lost a hat
    ("IH Vê dữ liệu", "Vê dữ liệu"),  # OCR's III
    ("Y tế", "Y tế"),
    (". 1ˆ Rà soát, hoàn thiện thể chế", "Rà soát, hoàn thiện thể chế"),  # OCR specks
    ('" Phát triển nguồn nhân lực `', "Phát triển nguồn nhân lực"),       # 004 scan
    ("Vềthếchế ¬ ¬", "Vềthếchế"),                                          # 000 scan
])
def test_section_name(text, name):
    assert section_name(text, RULES.tables) == name


@pytest.mark.parametrize("line,name", [
    ("Phụ lục II", "Phụ lục II"), ("PHỤ LỤC I", "Phụ lục I"), ("Phụ lục", "Phụ lục"),
    (": Phụ lục II : : : :", "Phụ lục II"),  # OCR specks around the heading
    ("Phụ lục EH :", "Phụ lục III"), ("Phụ lục H", "Phụ lục II"),  # OCR'd numerals
    ("(Chi tiết phân công mục tiêu tại Phụ lục I kèm theo)", None),
    ("PHÂN CÔNG TỔ CHỨC THỰC HIỆN KẾ HOẠCH", None),
])
def test_line_to_appendix(line, name):
    assert line_to_appendix(line, RULES.tables) == name


@pytest.mark.parametrize("cells,expected", [
    (["a", "b", "c", "d", "đ", "e"], ["a", "b", "c", "d", "đ", "e"]),
    (["1", "2", "3"], ["1", "2", "3"]),
    # TT cells as OCR read them in the 001 scan sample
    (["a", "b", "€", "_ .", ".đ", ".e"], ["a", "b", "c", "d", "đ", "e"]),
    (["a", "bộ", "C", "d"], ["a", "b", "c", "d"]),
    (["1", "2", "x", "4"], ["1", "2", "3", "4"]),
    (["4", "5", "5", "7"], ["4", "5", "5", "7"]),  # printed misnumbering stays (000-cho-don)
    (["1", "1", "1"], ["1", "1", "1"]),  # repeated without confirmation: left as read
    (["a", "", "c"], ["a", None, "c"]),  # an empty cell may be an unnumbered item: left alone
    (["._ - b †"], ["b"]),
    (["-", "b", "c"], ["a", "b", "c"]),
    (["a", "b", "C", "d"], ["a", "b", "c", "d"]),
    # TT cells as OCR read them in the 004 scan sample
    (["1", "2", "3", "Á"], ["1", "2", "3", "4"]),        # the run's last cell, one glyph
    (["4", "9", "6"], ["4", "5", "6"]),                  # a digit out of place, confirmed by 6
    (["1", "2", "x"], ["1", "2", "x"]),                  # a letter at the end: not confirmed
])
def test_infer_ordinals(cells, expected):
    assert [o for o, _ in infer_ordinals(cells, RULES.tables)] == expected


def test_cell_text_joins_wrapped_lines_and_keeps_bullets():
    assert cell_text("Các phòng, đơn vị\nthuộc UBND xã") == "Các phòng, đơn vị thuộc UBND xã"
    assert cell_text("Trong\ntháng\n8/2025") == "Trong tháng 8/2025"
    assert cell_text("- Công an xã\n- Phòng Kinh tế") == "- Công an xã\n- Phòng Kinh tế"


def test_task_table_sections_items_and_appendix():
    t = make_table([
        TASK_HEADER,
        ("span1", "I", "Về thể chế"),
        ["1", "Triển khai công bố mã định danh điện tử", "07/2025", "Phòng Văn hóa - Xã hội",
         "Các phòng, đơn vị thuộc UBND xã", "Đã có"],
        ["2", "Kịp thời rà soát quy trình", "Thường xuyên", "Trung tâm PV\nHCC", "", ""],
        ("span1", "II", "Về hạ tầng kỹ thuật, công nghệ"),
        ["3", "Phối hợp rà soát IOC", "Khi có yêu cầu", "Phòng Văn hóa - Xã hội", "", ""],
    ])
    items, warnings = tables_to_raw_items(make_doc([([t], "Phụ lục II")]), RULES)
    assert warnings == []
    assert [(i.ordinal, i.section, i.appendix, i.kind) for i in items] == [
        ("1", "Về thể chế", "Phụ lục II", "task"), ("2", "Về thể chế", "Phụ lục II", "task"),
        ("3", "Về hạ tầng kỹ thuật, công nghệ", "Phụ lục II", "task")]
    assert items[0].cells == {"ordinal": "1", "text": "Triển khai công bố mã định danh điện tử",
                              "deadline": "07/2025", "lead": "Phòng Văn hóa - Xã hội",
                              "cooperating": "Các phòng, đơn vị thuộc UBND xã", "notes": "Đã có"}
    assert items[1].cells["lead"] == "Trung tâm PV HCC"
    assert items[0].provenance.page == 1 and items[0].provenance.bbox == (50, 140, 650, 160)
    assert "07/2025" in items[0].provenance.source


def test_continued_table_with_repeated_header_and_split_row():
    p1 = make_table([TASK_HEADER, ("span", "Thứ nhất: Về thể chế"),
                     ["1", "Tham gia đóng góp ý kiến đối với Bộ Công an để rà soát,", "Trong tháng", "Công an xã", "", ""]])
    p2 = make_table([TASK_HEADER,
                     ["", "nghiên cứu xây dựng quy định về kết nối", "8/2025", "", "Phòng Văn hóa - Xã hội", ""],
                     ["2", "Tham gia đóng góp ý kiến đối với Bộ Khoa học và Công nghệ", "Trong tháng 8/2025",
                      "Phòng Văn hóa - Xã hội", "", ""]], top=60)
    items, warnings = tables_to_raw_items(make_doc([([p1], "PHỤ LỤC III"), ([p2], "")]), RULES)
    assert warnings == []
    assert [i.ordinal for i in items] == ["1", "2"]
    assert items[0].text == ("Tham gia đóng góp ý kiến đối với Bộ Công an để rà soát, "
                             "nghiên cứu xây dựng quy định về kết nối")
    assert items[0].cells["deadline"] == "Trong tháng 8/2025"
    assert items[0].cells["cooperating"] == "Phòng Văn hóa - Xã hội"
    assert items[1].section == "Về thể chế" and items[1].appendix == "Phụ lục III"
    assert items[1].provenance.page == 2


def test_continued_table_without_header_keeps_columns():
    p1 = make_table([["STT", "Nhiệm vụ", "Thời gian", "Đơn vị chủ trì"],
                     ["1", "Thành lập Ban Chỉ đạo", "Hoàn thành trong tháng 7 năm 2025", "Văn phòng Đảng ủy"]])
    p2 = make_table([["2", "Thành lập Tổ giúp việc Ban Chỉ đạo.", "Hoàn thành trong tháng 7 năm 2025",
                      "Ủy ban nhân dân xã"]], top=60)
    items, warnings = tables_to_raw_items(make_doc([([p1], "Phụ lục II"), ([p2], "")]), RULES)
    assert warnings == []
    assert [(i.ordinal, i.cells["lead"]) for i in items] == [("1", "Văn phòng Đảng ủy"), ("2", "Ủy ban nhân dân xã")]


def test_numbered_group_over_lettered_items_is_a_section():
    t = make_table([
        ["TT", "NỘI DUNG NHIỆM VỤ", "CƠ QUAN CHỦ TRÌ THỰC HIỆN", "CƠ QUAN, ĐƠN VỊ PHỐI HỢP THỰC HIỆN",
         "THỜI GIAN HOÀN THÀNH"],
        ["1", "Rà soát, hoàn thiện thể chế, cơ chế", "", "", ""],
        ["a", "Xây dựng kế hoạch hành động", "Sở Khoa học và Công nghệ", "Các sở, ban, ngành", "Tháng 8/2025"],
        ["b", "Giao chỉ tiêu về hồ sơ trực tuyến", "Sở Khoa học và Công nghệ", "", "Tháng 8/2025"],
        ["2", "Điều chỉnh, cập nhật Hệ thống thông tin", "", "", ""],
        ["a", "Hoàn thành triển khai Hệ thống", "Văn phòng UBND tỉnh", "Công an tỉnh", ""],
    ])
    items, _ = tables_to_raw_items(make_doc([([t], "Phụ lục")]), RULES)
    assert [(i.ordinal, i.section) for i in items] == [
        ("a", "Rà soát, hoàn thiện thể chế, cơ chế"), ("b", "Rà soát, hoàn thiện thể chế, cơ chế"),
        ("a", "Điều chỉnh, cập nhật Hệ thống thông tin")]
    assert items[0].appendix == "Phụ lục"


def test_numbered_rows_without_deadline_stay_items():
    t = make_table([["STT", "Nhiệm vụ", "Thời gian", "Đơn vị chủ trì"],
                    ["1", "Triển khai thực hiện Nghị quyết số 193/2025/QH15", "", ""],
                    ["2", "Xây dựng cơ chế thu hút nguồn lực", "", ""]])
    items, _ = tables_to_raw_items(make_doc([([t], "")]), RULES)
    assert [i.ordinal for i in items] == ["1", "2"]


def test_year_columns_make_a_target_table():
    t = make_table([
        ["STT", "Mục tiêu", "2025", "2030", "2035", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp"],
        ["I", "Phát triển hạ tầng", "", "", "", "", ""],
        ["1", "Tỷ lệ phủ sóng 5G (6G từ năm 2035)", "≥30%", "≥90", "", "Các doanh nghiệp viễn thông",
         "Phòng Văn hóa - Xã hội"],
        ["2", "Chỉ số chuyển đổi số cấp xã", ">0,6", ">0,7", "X", "Phòng Văn hóa - Xã hội", ""],
    ])
    items, _ = tables_to_raw_items(make_doc([([t], "Phụ lục I")]), RULES)
    assert [i.kind for i in items] == ["target", "target"]
    assert items[0].section == "Phát triển hạ tầng"
    assert items[0].cells["year:2025"] == "≥30%" and "year:2035" not in items[0].cells
    assert items[1].cells["year:2035"] == "X"


def test_two_row_header_with_years_under_a_spanning_cell():
    cells = [TableCell(row=0, col=0, text="TT", row_span=2), TableCell(row=0, col=1, text="Mục tiêu", row_span=2),
             TableCell(row=0, col=2, text="Chỉ tiêu", col_span=2),
             TableCell(row=1, col=2, text="2025"), TableCell(row=1, col=3, text="2030"),
             TableCell(row=2, col=0, text="1"), TableCell(row=2, col=1, text="Tỷ lệ hồ sơ trực tuyến"),
             TableCell(row=2, col=2, text=">70%"), TableCell(row=2, col=3, text="100%")]
    t = Table(n_rows=3, n_cols=4, cells=cells)
    layout = table_to_layout(t, RULES)
    assert layout.roles == ["ordinal", "text", "year:2025", "year:2030"] and layout.header_rows == 2
    items, _ = tables_to_raw_items(make_doc([([t], "")]), RULES)
    assert items[0].cells["year:2030"] == "100%" and items[0].kind == "target"


def test_target_table_without_year_columns():
    t = make_table([["STT", "Mục tiêu", "Cơ quan chủ trì", "Cơ quan phối hợp", "Ghi chú"],
                    ("span", "Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025"),
                    ["1", "100% thủ tục hành chính được thực hiện không phụ thuộc vào địa giới",
                     "Trung tâm PV HCC", "Các phòng, đơn vị thuộc UBND xã", ""]])
    items, _ = tables_to_raw_items(make_doc([([t], "Phụ lục I")]), RULES)
    assert items[0].kind == "target"
    assert items[0].section == "Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025"


def test_uninterpretable_rows_and_tables_are_warned_not_dropped():
    t = make_table([TASK_HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
                    ["1", "Rà soát quy trình", "Thường xuyên", "Công an xã", "", ""],
                    ["", "", "", "", "", "chỉ có ghi chú"]])
    other = make_table([["Họ và tên", "Chức vụ"], ["Nguyễn Văn A", "Chủ tịch"]], top=600)
    items, warnings = tables_to_raw_items(make_doc([([t, other], "")]), RULES)
    assert [i.ordinal for i in items] == ["1"]
    assert any("chỉ có ghi chú" in w for w in warnings)
    assert any("Nguyễn Văn A" in w for w in warnings)


def test_appendix_heading_below_the_table_is_not_used():
    t = make_table([["STT", "Nhiệm vụ", "Thời gian"], ["1", "Việc một", "2025"]], top=20)
    items, _ = tables_to_raw_items(make_doc([([t], "Phụ lục II")]), RULES)  # heading at top=40
    assert items[0].appendix is None


@pytest.fixture(scope="module")
def gold_pdf_items(tmp_path_factory):
    import pdfplumber
    from build_tables import build_pdf, gold_specs, pdfplumber_tables, text_layer_words

    out = []
    for spec in gold_specs():
        p = build_pdf([spec], tmp_path_factory.mktemp("t") / "t.pdf")
        with pdfplumber.open(p) as pdf:
            pages = [Page(number=i + 1, method="text", words=text_layer_words(pg), tables=pdfplumber_tables(pg))
                     for i, pg in enumerate(pdf.pages)]
        doc = Document(source=Source(path=str(p), sha256="0", kind="pdf"), pages=pages)
        out.append((spec, *tables_to_raw_items(doc, RULES)))
    return out


def test_gold_tables_from_born_digital_pdfs(gold_pdf_items):
    from build_tables import item_cell

    from kehoach.extract.table_text import squash
    for spec, items, warnings in gold_pdf_items:
        assert warnings == [], spec.appendix
        assert len(items) == len(spec.items), (spec.doc, spec.appendix)
        for it, g in zip(items, spec.items):
            assert it.kind == spec.kind and it.appendix == spec.appendix
            assert it.ordinal == g.get("ordinal")
            assert it.section == g["section"]
            assert it.text == squash(g["text"])
            for _, fld, _ in spec.columns:
                assert squash(it.cells.get(fld, "")) == squash(item_cell(g, fld)), (spec.appendix, fld)


@pytest.mark.parametrize("header, is_target", [
    ("Mục tiêu", True), ("-\nMụctiu", True), ("Chỉ tiêu năm 2026", True), ("Tên chỉ tiêu", True),
    ("Nội dung nhiệm vụ", False), ("Danh mục nhiệm vụ, giải pháp", False), ("Mục đích", False),
    ("Cơ quan chủ trì", False),
])
def test_target_header_tolerates_ocr_damage(header, is_target):
    """Bold headers lose spaces and vowels in OCR ("Mụctiu" on the 000 scan)."""
    from kehoach.extract.table_columns import _is_target_header

    assert _is_target_header(header, RULES.tables) is is_target


def _doc_with_pages(*texts):
    from kehoach.schema import Document, Page, Source

    pages = [Page(number=i + 1, method="ocr", raw_text=t, text=t) for i, t in enumerate(texts)]
    return Document(source=Source(path="x.pdf", sha256="0", kind="pdf", pages=len(pages)), pages=pages)


@pytest.mark.parametrize("pages,expected", [
    # samples/000-cho-don.scan.pdf: "I" read as "1", the second numeral lost; the text says I, II
    (["(Chi tiết tại: Phụ lục I kèm theo)", "tại Phụ lục:II kèm theo) -", "Phụ lục 1\nTT", 'Phụ lục "\nTT'],
     {"Phụ lục 1": "Phụ lục I", "Phụ lục": "Phụ lục II"}),
    (["Phụ lục I\nTT", "Phụ lục 11\nTT"], {"Phụ lục 11": "Phụ lục II"}),   # old OCR's "11" for II
    (["Phụ lục 1\nTT", "Phụ lục 2\nTT"], {}),                             # a plan numbering 1, 2
    (["chi tiết tại phụ lục kèm theo", "Phụ lục\nTT"], {}),                # one appendix, no numeral
])
def test_appendix_numbering(pages, expected):
    from kehoach.extract.appendices import appendix_numbering

    assert appendix_numbering(_doc_with_pages(*pages), RULES.tables) == expected


def test_numerals_are_matched_without_their_marks_by_the_rules_folding():
    """The table readers match numerals on core.folding.unmark: fold's letters, case kept,
    same length (no unidecode: one meaning of "without marks" in the package)."""
    from kehoach.core.folding import fold, unmark

    text = "Thứ nhât: Về THỂ CHẾ – Đ"
    assert unmark(text) == "Thu nhat: Ve THE CHE - D" and len(unmark(text)) == len(text)
    assert unmark(text).lower() == fold(text)
    assert section_name("Thứ nhât: Về thể chế", RULES.tables) == "Về thể chế"
    assert section_name("II’ Phát triển nguồn nhân lực", RULES.tables) == "Phát triển nguồn nhân lực"


@pytest.mark.parametrize("title, role", [
    # a text title whose last words are those of a lead title stays a text column
    ("Nội dung thực hiện", "text"),
    ("Nội dung triển khai thực hiện", "text"),
    # a follow-up office is no lead, though its title starts like one
    ("Đơn vị theo dõi, đôn đốc", "extra"),
    ("Cơ quan theo dõi", "extra"),
    # a schedule: its date column is the deadline, its participants cooperate
    ("Ngày thực hiện", "deadline"),
    ("Thành phần tham gia", "cooperating"),
    # OCR damage to a longer title that starts with the one found whole is still read
    ("Đơn vị phối hựp", "cooperating"),
])
def test_header_titles_that_share_words_with_another_role(title, role):
    assert header_to_role(title, RULES.tables) == role
