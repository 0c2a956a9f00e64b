"""The failure classes of plans the rules had never seen (issue 12), each on a small table or
text of our own wording: columns chosen by header and content, units labelled inside one
cell, group rows and group columns, rows that are no items, deadlines in other dresses, a
value column headed by one year."""
from __future__ import annotations

import pytest

from kehoach.extract.cell_labels import split_labelled_cell
from kehoach.extract.deadlines import parse_deadline
from kehoach.extract.items import raw_item_to_item
from kehoach.extract.table_columns import table_to_layout
from kehoach.extract.tables import tables_to_raw_items
from kehoach.extract.values import parse_value_cell
from kehoach.schema import Document, Page, Source, Table, TableCell
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


def table(rows: list, spans: dict[int, int] | None = None) -> Table:
    """Rows of cell texts; ``spans``: row index -> a row printed as one cell over all columns
    (its text is the row's first entry)."""
    n = max(len(r) for r in rows)
    cells = []
    for i, r in enumerate(rows):
        y = 100 + 30 * i
        if spans and i in spans:
            cells.append(TableCell(row=i, col=0, text=r[0], col_span=n, bbox=(40, y, 800, y + 30)))
            continue
        cells += [TableCell(row=i, col=j, text=t, bbox=(40 + 90 * j, y, 130 + 90 * j, y + 30)) for j, t in enumerate(r)]
    return Table(bbox=(40, 100, 800, 100 + 30 * len(rows)), n_rows=len(rows), n_cols=n, cells=cells)


def doc_of(*tables: Table) -> Document:
    return Document(source=Source(path="t.pdf", sha256="0", kind="pdf"),
                    pages=[Page(number=i + 1, method="text", text="", raw_text="", tables=[t]) for i, t in enumerate(tables)])


def items_of(*tables: Table):
    items, warnings = tables_to_raw_items(doc_of(*tables), RULES)
    return items, warnings


# --- class 5: columns by other names, in other orders: role from header and content --------

def test_a_second_target_headed_column_of_values_is_the_value_column():
    t = table([["STT", "Nội dung chỉ tiêu", "Chỉ tiêu", "Mốc hoàn thành"],
               ["1", "Tỷ lệ hộ kinh doanh dùng hóa đơn điện tử trên địa bàn", "90%", "Năm 2026"],
               ["2", "Số lớp tập huấn kỹ năng số cho cán bộ thôn", "12 lớp", "Quý III/2026"]])
    layout = table_to_layout(t, RULES)
    assert layout.kind == "target" and layout.roles == ["ordinal", "text", "value", "deadline"]


def test_a_goal_code_column_is_not_the_text_when_an_output_column_holds_the_items():
    t = table([["Sản phẩm, kết quả đầu ra", "Mục tiêu", "Chỉ số theo dõi", "Đơn vị chủ trì", "Thời hạn"],
               ["1. Bản đồ số các điểm du lịch cộng đồng được công bố", "MT2", "Số điểm được số hóa", "Sở Xây dựng", "2027"],
               ["2. Bộ dữ liệu giá đất cập nhật trực tuyến", "MT1", "Số thửa đất cập nhật", "Sở Tài chính", "10/2026"]])
    items, _ = items_of(t)
    assert [(i.kind, i.ordinal, i.text.split()[0]) for i in items] == [("task", "1", "Bản"), ("task", "2", "Bộ")]
    assert items[0].cells["lead"] == "Sở Xây dựng" and items[1].cells["deadline"] == "10/2026"


def test_a_status_column_of_milestones_holds_the_deadline_when_no_time_column_is_named():
    t = table([["TT", "Tên dự án", "Trạng thái", "Cơ quan đầu mối"],
               ["1", "Khu xử lý rác thải tập trung của huyện", "Đang lập hồ sơ; dự kiến hoàn thành quý IV/2026", "Sở Xây dựng"],
               ["2", "Trung tâm dữ liệu dùng chung của tỉnh", "Kêu gọi đầu tư; hoàn thành quý II/2027", "Sở Tài chính"]])
    layout = table_to_layout(t, RULES)
    assert layout.roles == ["ordinal", "text", "deadline", "lead"]
    d = parse_deadline("Đang lập hồ sơ; dự kiến hoàn thành quý IV/2026", None, RULES.deadlines)
    assert (d.kind, d.end) == ("quarter", "2026-12-31")


def test_start_end_priority_and_related_columns_are_no_fields():
    roles = [table_to_layout(table([h, ["1", "Xây dựng quy chế", "Sở Nội vụ", "03/2026", "09/2026", "Khẩn", "Chỉ tiêu 2, 4"]]), RULES).roles
             for h in [["STT", "Công việc", "Đơn vị chủ trì", "Bắt đầu", "Kết thúc", "Mức độ ưu tiên", "Chỉ tiêu liên quan"]]]
    assert roles == [["ordinal", "text", "lead", "start", "deadline", "extra", "extra"]]


# --- class 4: lead and cooperating units in one cell ----------------------------------------

@pytest.mark.parametrize("cell,lead,coop", [
    ("Chủ trì: Sở Y tế. Phối hợp: Sở Tài chính, Công an tỉnh", "Sở Y tế", "Sở Tài chính, Công an tỉnh"),
    ("Chủ trì: Sở Y tế;\nphối hợp: Sở Tài chính", "Sở Y tế", "Sở Tài chính"),
    ("Cơ quan chủ trì: Phòng Kinh tế\nCơ quan phối hợp: Công an xã, Trạm Y tế xã.", "Phòng Kinh tế", "Công an xã, Trạm Y tế xã"),
    ("Chu tri: So Y te; Phoi hop: So Noi vu", "So Y te", "So Noi vu"),  # old OCR lost the accents
])
def test_units_cell_with_labels_splits_into_lead_and_cooperating(cell, lead, coop):
    parts = split_labelled_cell(cell, RULES.cell_labels)
    assert parts == {"lead": lead, "cooperating": coop}


def test_a_labelled_units_cell_gives_a_lead_and_cooperating_units():
    t = table([["Nội dung công việc", "Phân công nhiệm vụ", "Tiến độ"],
               ["1. Lập danh mục cơ sở dữ liệu chuyên ngành", "Chủ trì: Sở Y tế.\nPhối hợp: Sở Tài chính, Sở Nội vụ.", "Quý III/2026"]])
    items, _ = items_of(t)
    task = raw_item_to_item(items[0], 2026, RULES.units, rules=RULES)
    assert [u.name for u in task.lead_units] == ["Sở Y tế"]
    assert [u.name for u in task.cooperating_units] == ["Sở Tài chính", "Sở Nội vụ"]
    assert task.ordinal == "1" and task.text == "Lập danh mục cơ sở dữ liệu chuyên ngành"


# --- class 3 and 6: group rows, group columns, rows that are no items ------------------------

def test_letter_groups_with_dj_and_total_and_column_number_rows():
    t = table([["TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
               ["(1)", "(2)", "(3)", "(4)"],
               ["D. HẠ TẦNG SỐ"],
               ["1", "Phủ sóng di động các thôn vùng cao", "Sở Xây dựng", "Năm 2026"],
               ["Đ. DỮ LIỆU SỐ"],
               ["2", "Số hóa hồ sơ địa chính của các xã", "Sở Tài chính", "Năm 2027"],
               ["Tổng kinh phí dự kiến: 1.200 triệu đồng"]], spans={2: 1, 4: 1, 6: 1})
    items, warnings = items_of(t)
    assert [(i.ordinal, i.section) for i in items] == [("1", "HẠ TẦNG SỐ"), ("2", "DỮ LIỆU SỐ")]
    assert any("Tổng kinh phí" in w for w in warnings)


def test_a_group_column_names_the_section_of_its_rows():
    t = table([["Giai đoạn", "Công việc", "Đơn vị chủ trì", "Kết thúc"],
               ["Chuẩn bị", "Khảo sát hiện trạng hạ tầng mạng", "Sở Xây dựng", "03/2026"],
               ["", "Lập dự toán kinh phí thực hiện", "Sở Tài chính", "04/2026"],
               ["Triển khai", "Lắp đặt thiết bị tại các điểm", "Sở Xây dựng", "09/2026"]])
    items, _ = items_of(t)
    assert [i.section for i in items] == ["Chuẩn bị", "Chuẩn bị", "Triển khai"]
    assert [i.cells["deadline"] for i in items] == ["03/2026", "04/2026", "09/2026"]


def test_a_row_on_the_next_page_of_a_table_without_ordinals_is_its_own_item():
    head = ["Nội dung công việc", "Đơn vị thực hiện", "Thời gian"]
    p1 = table([head, ["Rà soát quy trình tiếp nhận hồ sơ trực tuyến", "Chủ trì: Sở Nội vụ", "Quý I/2026"],
                ["Tập huấn chữ ký số cho công chức cấp xã", "Chủ trì: Sở Xây dựng", "Quý II/2026"]])
    # page 2: the rest of the last row (no fields, lower case), then a row of its own, then a
    # row the scan's grid cut in two
    p2 = table([head, ["và viên chức các đơn vị sự nghiệp", "", ""],
                ["Công khai kết quả giải quyết hồ sơ", "Chủ trì: Sở Tư pháp", "Quý III/2026"],
                ["trên cổng thông tin điện tử", "", ""]])
    items, _ = items_of(p1, p2)
    assert [i.text for i in items] == ["Rà soát quy trình tiếp nhận hồ sơ trực tuyến",
                                       "Tập huấn chữ ký số cho công chức cấp xã và viên chức các đơn vị sự nghiệp",
                                       "Công khai kết quả giải quyết hồ sơ trên cổng thông tin điện tử"]


# --- class 7: deadlines ----------------------------------------------------------------------

@pytest.mark.parametrize("raw,kind,end", [
    ("Quý II⁄2026", "quarter", "2026-06-30"),       # U+2044 fraction slash
    ("Quý III∕2026", "quarter", "2026-09-30"),      # U+2215 division slash
    ("Quý 11/2027", "quarter", "2027-06-30"),       # OCR's II
    ("Quý Il năm 2027", "quarter", "2027-06-30"),
    ("Tầm nhìn 2050", "year", "2050-12-31"),
    ("Đến 2030: hoàn thành", "year", "2030-12-31"),
    ("Khởi động quý I/2026; hoàn thành quý IV/2026; duy trì đến năm 2030", "multiple", "2030-12-31"),
])
def test_deadline_dresses(raw, kind, end):
    d = parse_deadline(raw, 2026, RULES.deadlines)
    assert (d.kind, d.end) == (kind, end)


# --- class 8: a value column headed by one year ---------------------------------------------

def test_a_value_column_headed_by_one_year_gives_each_target_that_year():
    t = table([["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch năm 2027", "Cơ quan chủ trì"],
               ["1", "Số xã có điểm truy cập internet công cộng", "xã", "15", "Sở Xây dựng"]])
    items, _ = items_of(t)
    target = raw_item_to_item(items[0], 2026, RULES.units, rules=RULES)
    assert (target.deadline.kind, target.deadline.end) == ("year", "2027-12-31")
    assert [(v.year, v.value, v.unit) for v in target.values] == [(2027, 15.0, "xã")]


@pytest.mark.parametrize("cell,value,unit,cmp", [
    ("500 tổ", 500, "tổ", "="), ("Ít nhất 20 điểm", 20, "điểm", ">="), ("≥ 95%", 95, "%", ">=")])
def test_a_value_cell_keeps_the_unit_it_prints(cell, value, unit, cmp):
    (v,) = parse_value_cell(cell, 2026, RULES.values)
    assert (v.value, v.unit, v.comparator) == (value, unit, cmp)


# --- class 1: flattened tables (old OCR text) ------------------------------------------------

@pytest.mark.parametrize("line,name", [
    ("_ PHỤLỤC", "Phụ lục"), (". PHỤ. LỰC, DANH MỤC DỰ ÁN", "Phụ lục"), ("PHỤ Lục II", "Phụ lục II")])
def test_appendix_headings_as_ocr_and_restoration_leave_them(line, name):
    from kehoach.extract.sections import Line, appendix_name, classify_line

    kind, ordinal, body = classify_line(line, RULES.layout)
    assert kind == "appendix" and appendix_name(Line(1, 0, line, kind, ordinal, body), RULES) == name


@pytest.mark.parametrize("line,titles", [
    ("STT Nội dung nhiệm vụ Phân công thực hiện Thời hạn", True),
    ("Công việc Đơn vị thủtác hiến Thời gian", True),          # a damaged title among them
    ("Kết quả đầu ra Mục tiêu Chỉ số theo dõi Đơn vị chủ trì", True),
    ("Phối hợp rà soát, đánh giá hiệu quả", False),            # an item naming two roles
    ("- Thời gian thực hiện: Quý I/2026", False),
])
def test_a_line_of_column_titles_is_told_from_an_item(line, titles):
    from kehoach.extract.table_columns import header_line_roles

    assert (header_line_roles(line, RULES.tables) >= 2) == titles


def _region(text: str, name: str = "Phụ lục"):
    from kehoach.extract.sections import Line, Region, classify_line

    lines = []
    for i, t in enumerate(text.strip().splitlines()):
        kind, ordinal, body = classify_line(t.strip(), RULES.layout)
        lines.append(Line(page=2, line=i, text=t.strip(), kind=kind, ord=ordinal, body=body))
    return Region(name, lines)


def test_labelled_unit_cells_under_column_titles_are_a_table_not_a_list():
    from kehoach.extract.lists import column_header_before_fields, is_field_list

    region = _region("""
PHÂN CÔNG THỰC HIỆN
STT Nội dung nhiệm vụ Phân công thực hiện Thời hạn
1 Lập danh mục dữ liệu mở của xã Chủ trì: Công an xã; Quý I/2026
phối hợp: Phòng Kinh tế
2 Tập huấn kỹ năng số cho tổ dân phố Chủ trì: Phòng Văn hóa - Xã hội Quý II/2026
""")
    assert column_header_before_fields(region, RULES)
    assert not is_field_list(region, RULES)


def test_in_text_ordinals_with_dot_or_comma_anchor_flattened_rows():
    from kehoach.extract.flat_tables import flat_region_to_raw_items

    region = _region("""
Kết quả đầu ra Mục tiêu Chỉ số theo dõi Đơn vị chủ trì Thời hạn
1. Bản đồ số các điểm du lịch cộng đồng MT2 Số điểm Sở Xây dựng 08/2026
được công bố trên cổng thông tin
2, Bộ dữ liệu giá đất cập nhật trực tuyến MT1 Số thửa Sở Tài chính 12/2026
3. Sổ tay hướng dẫn thủ tục đất đai cho người dân MT3 Số bản Sở Tư pháp 2027
""")
    items, _ = flat_region_to_raw_items(region, "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3"]
    assert items[0].text.startswith("Bản đồ số") and "được công bố" in items[0].text


def test_a_date_wrapped_inside_a_narrow_cell_is_one_date():
    from kehoach.extract.table_text import cell_text

    assert cell_text("16/10/20\n26") == "16/10/2026"
    assert cell_text("Trước ngày 15/8/202\n6") == "Trước ngày 15/8/2026"
    assert cell_text("Tháng 3\nnăm 2026") == "Tháng 3 năm 2026"


@pytest.mark.parametrize("text,expected,got", [
    ("bố Thí điểm hạ tầng mạng nội bộ", "b", ("b", "Thí điểm hạ tầng mạng nội bộ")),  # OCR made "b" a word
    ("e Duy trì quy trình nội bộ", "eg", ("e", "Duy trì quy trình nội bộ")),
    ("bằng nguồn vốn của tỉnh", "b", None),        # a continuation line, not a row
    ("Bổ sung quy chế phối hợp", "b", None),       # the item's own first word
])
def test_a_row_letter_ocr_made_into_a_word_is_taken_where_the_sequence_expects_it(text, expected, got):
    from kehoach.extract.flat_tables import expected_letter_ordinal

    assert expected_letter_ordinal(text, expected, RULES.specks) == got


@pytest.mark.parametrize("raw,end", [
    ("Trong quý IH2026", "2026-09-30"),   # III with its slash lost: numeral glued to the year
    ("Quý Inăm 2027", "2027-03-31"),      # numeral glued to "năm"
    ("quý IHI/2026", "2026-09-30"),       # a quarter numeral is I-IV: four strokes are III
    ("Tháng 7 năm - 2026", "2026-07-31"),
])
def test_quarter_and_month_numerals_as_scans_print_them(raw, end):
    d = parse_deadline(raw, 2026, RULES.deadlines)
    assert d.end == end and d.kind in ("quarter", "month")


def test_a_header_of_one_letter_or_a_group_title_names_no_column():
    from kehoach.extract.table_columns import header_to_role

    assert header_to_role("A", RULES.tables) is None                     # a group numeral
    assert header_to_role("Phát triển dữ liệu số", RULES.tables) is None  # "tt" inside "Phát triển"
    assert header_to_role("Cơquan phốhẹp", RULES.tables) == "cooperating"  # OCR damage still read
    # a generated scan (health-targets-activities) read at its own 200 dpi: "hợp" as "hựp"
    # leaves "Đơn vị" (a lead title) whole; the longer title close to the cell wins
    assert header_to_role("Đơn vị phối\nhựp", RULES.tables) == "cooperating"
    assert header_to_role("Đơn vị thực hiện", RULES.tables) == "lead"
    assert header_to_role("Đơn vị tính", RULES.tables) == "value_unit"


@pytest.mark.parametrize("cell,value,unit", [
    ("500 hồ sơnăm", 500, "hồ sơ/năm"),   # OCR lost the slash
    ("12 môhình", 12, "mô hình"),
    ("5 -. điểm", 5, "điểm"),            # dirt between the number and its unit
    ("10 -", 10, None),                  # a rule beside the number
])
def test_value_cells_as_scans_print_them(cell, value, unit):
    from kehoach.extract.values import clean_value_cell

    (v,) = parse_value_cell(clean_value_cell(cell, RULES.values), 2026, RULES.values)
    assert (v.value, v.unit) == (value, unit)
