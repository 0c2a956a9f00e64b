"""Unit cells of flattened table rows (old OCR text) given by the table's column header, on
snippets of our own wording: a table whose header names a lead column and no cooperating one
never gets cooperating units; a unit name split where a second unit word starts is one lead;
other columns' words (a status) are kept as the row's notes."""
from __future__ import annotations

from kehoach.extract.deadlines import parse_deadline
from kehoach.extract.flat_cells import header_lines_to_unit_columns
from kehoach.extract.flat_tables import flat_region_to_raw_items
from kehoach.extract.rules import load_rules
from text_regions import text_to_region

RULES = load_rules()

LEAD_ONLY = """DANH MỤC NHIỆM VỤ TRỌNG TÂM
STT Nội dung nhiệm vụ Đơn vị chủ trì Thời hạn Trạng thái
1 Cập nhật bản đồ số các tuyến đường liên thôn trên địa bàn Phòng Kinh tế Quý II/2026 Đang triển khai
2 Mở lớp hướng dẫn nộp hồ sơ trực tuyến cho người cao tuổi Văn phòng UBND xã Tháng 9/2026 Chưa bắt đầu
"""


def _rows(text: str):
    items, _ = flat_region_to_raw_items(text_to_region(text, RULES, "Phụ lục"), "task", RULES)
    return items


def test_a_header_with_a_lead_column_and_no_cooperating_one():
    cols = header_lines_to_unit_columns(["STT Nội dung nhiệm vụ Đơn vị chủ trì Thời hạn Trạng thái"],
                                        RULES.tables)
    assert cols is not None and cols.lead and not cols.cooperating
    both = header_lines_to_unit_columns(["TT Nhiệm vụ Cơ quan chủ trì Cơ quan phối hợp Thời gian"], RULES.tables)
    assert both is not None and both.cooperating
    # a cooperating title OCR damaged is still that column, not a table without it
    damaged = header_lines_to_unit_columns(["STT Tên nhiệm vụ Cơ quan chủ trì Cơ quan P ôi hợp Ghi chú"],
                                           RULES.tables)
    assert damaged is not None and damaged.cooperating


def test_a_title_using_a_column_titles_words_is_no_header():
    # "Phân công nhiệm vụ" names a lead column, but a title line names too few columns
    assert header_lines_to_unit_columns(["BẢNG PHÂN CÔNG NHIỆM VỤ VÀ TIẾN ĐỘ"], RULES.tables) is None
    assert header_lines_to_unit_columns(["Mo lop tap huan cho nong dan"], RULES.tables) is None


def test_lead_only_table_keeps_a_split_name_whole_and_other_columns_words_as_notes():
    rows = _rows(LEAD_ONLY)
    assert [r.ordinal for r in rows] == ["1", "2"]
    assert rows[0].cells["lead"] == "Phòng Kinh tế"
    assert rows[0].cells["notes"] == "Đang triển khai"  # the status column: kept, not a unit
    # "UBND xã" starts a unit word inside the lead's name: one lead, not a cooperating unit
    assert rows[1].cells["lead"] == "Văn phòng UBND xã"
    assert rows[1].cells["notes"] == "Chưa bắt đầu"
    assert all("cooperating" not in r.cells for r in rows)


def test_a_table_with_both_unit_columns_still_splits_them():
    rows = _rows(LEAD_ONLY.replace("Đơn vị chủ trì", "Đơn vị chủ trì Đơn vị phối hợp"))
    assert rows[0].cells["lead"] == "Phòng Kinh tế"
    assert "cooperating" in rows[0].cells  # the second fragment goes to the column the header names


LEAD_LAST = """KẾT QUẢ ĐẦU RA VÀ THỜI HẠN
STT Kết quả đầu ra Chỉ số theo dõi Đơn vị chủ trì Thời hạn
1 Bộ dữ liệu hộ tịch được số hóa đầy đủ Tỷ lệ hồ sơ được số hóa Sé-Tài chính 08/2026
2 Quy chế vận hành cổng thông tin được ban hành Số văn bản phối hợp với Sở Tư pháp 12/2026
"""


def test_a_lead_column_printed_last_gives_the_known_name_ending_a_text_line():
    cols = header_lines_to_unit_columns(["STT Kết quả đầu ra Chỉ số theo dõi Đơn vị chủ trì Thời hạn"],
                                        RULES.tables)
    assert cols is not None and cols.lead_last
    assert not header_lines_to_unit_columns(
        ["STT Nội dung Đơn vị chủ trì Sản phẩm Thời hạn"], RULES.tables).lead_last  # a product after it
    rows = _rows(LEAD_LAST)
    # OCR damaged the name's head word, so no unit word opened a cell: the registry knows it
    assert rows[0].cells["lead"] == "Sé-Tài chính"
    assert rows[0].text == "Bộ dữ liệu hộ tịch được số hóa đầy đủ Tỷ lệ hồ sơ được số hóa"
    assert any("end of a line" in w for w in rows[0].warnings)
    # a unit named after a linking word is the sentence's: the text keeps it, no lead is made up
    assert "lead" not in rows[1].cells
    assert rows[1].text.endswith("phối hợp với Sở Tư pháp")


def test_a_cooperating_title_on_its_own_line_above_the_header_still_counts():
    header = ["Nội dung chỉ tiêu Năm 2025 Năm 2030 Cơ quan chủ trì"]
    alone = header_lines_to_unit_columns(header, RULES.tables)
    assert alone is not None and not alone.cooperating
    # the title wrapped above the line OCR read as the header, behind a quote mark
    cols = header_lines_to_unit_columns(header, RULES.tables, ["“Cơ quan phối hợp"])
    assert cols is not None and cols.cooperating and not cols.lead_last


LEAD_FINAL = """DANH MỤC DỰ ÁN ƯU TIÊN
STT Nội dung nhiệm vụ Địa điểm Trạng thái Cơ quan đầu mối
1 Xây dựng kho dữ liệu dùng chung của tỉnh Trung tâm hành chính Đang lập hồ sơ Sở Tài chính
"""


def test_a_lead_column_printed_very_last_takes_the_known_name_ending_the_line():
    rows = _rows(LEAD_FINAL)
    # the place and status columns before it opened a unit fragment ("Trung tâm ..."): kept
    # as the row's notes, the lead is the name that ends the line
    assert rows[0].cells["lead"] == "Sở Tài chính"
    assert rows[0].cells["notes"] == "Trung tâm hành chính Đang lập hồ sơ"
    assert "cooperating" not in rows[0].cells


DEADLINE_LAST = """KẾT QUẢ ĐẦU RA VÀ THỜI HẠN
STT Kết quả đầu ra Chỉ số theo dõi Đơn vị chủ trì Thời hạn
1 Bộ dữ liệu hộ tịch được số hóa đầy đủ Tỷ lệ hồ sơ được số hóa Sở Công Thương 2027
"""


def test_a_year_closing_a_unit_cell_is_the_deadline_column():
    # a bare year is no deadline phrase of its own, but no unit's name ends in one
    rows = _rows(DEADLINE_LAST)
    assert rows[0].cells["lead"] == "Sở Công Thương"
    assert rows[0].cells["deadline"] == "2027"
    assert any("deadline '2027'" in w for w in rows[0].warnings)
    # a row that already shows its deadline keeps the date as a note, not a second deadline
    both = _rows(DEADLINE_LAST.replace("Công Thương 2027", "Công Thương 2027 Quý II/2027"))
    assert both[0].cells["deadline"] == "Quý II/2027"
    assert both[0].cells["lead"] == "Sở Công Thương"
    assert both[0].cells["notes"] == "2027"


def test_a_period_closing_a_unit_cell_and_the_budget_after_it():
    rows = _rows(DEADLINE_LAST.replace("Sở Công Thương 2027", "Phòng Văn hóa - Xã hội 2026 - 2028 - 750"))
    assert rows[0].cells["lead"] == "Phòng Văn hóa - Xã hội"
    assert rows[0].cells["deadline"] == "2026 - 2028"
    assert rows[0].cells["notes"] == "750"  # the budget column's number: kept, not a unit
    # a fragment that is nothing but a date keeps its place among the unit columns
    alone = _rows(DEADLINE_LAST.replace("Sở Công Thương 2027", "Sở Công Thương | 2027"))
    assert "deadline" not in alone[0].cells


ONE_YEAR = """PHỤ LỤC I
CHỈ TIÊU CHỦ YẾU
STT Mục tiêu Chỉ tiêu năm 2026 Cơ quan chủ trì
1 Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình 80% Phòng Văn hóa - Xã hội
2 Số lớp tập huấn kỹ năng số cho người dân 12 Phòng Kinh tế
"""


def _targets(text: str):
    items, _ = flat_region_to_raw_items(text_to_region(text, RULES, "Phụ lục I"), "target", RULES)
    return items


def test_a_target_table_headed_by_one_year_gives_each_target_that_deadline():
    rows = _targets(ONE_YEAR)
    # the year as printed, not a phrase the plan does not print ("Năm 2026")
    assert [r.cells.get("deadline") for r in rows] == ["2026", "2026"]
    assert all(any("one year" in w for w in r.warnings) for r in rows)
    deadline = parse_deadline(rows[0].cells["deadline"], None, RULES.deadlines)
    assert (deadline.kind, str(deadline.start), str(deadline.end)) == ("year", "2026-01-01", "2026-12-31")
    # a milestone of a horizon is no deadline of every target
    horizon = _targets(ONE_YEAR.replace("Chỉ tiêu năm 2026", "Đến hết năm 2030"))
    assert all("deadline" not in r.cells for r in horizon)
