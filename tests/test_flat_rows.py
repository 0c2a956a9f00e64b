"""Rows of flattened appendix tables (old OCR text) found from their own shape, on snippets of
our own wording: appendix headings OCR glued to their numeral, task tables titled without the
word "nhiệm vụ", rows that use a column title's words, ordinals printed mid-row among debris."""
from __future__ import annotations

from pathlib import Path

import kehoach
from kehoach.extract.flat_lines import is_header_line
from kehoach.extract.flat_tables import flat_region_to_raw_items
from kehoach.extract.sections import Region, classify_line, region_kind
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402
from text_regions import text_to_region

RULES = load_extract_rules()


def region_of(text: str, name: str = "Phụ lục I") -> Region:
    return text_to_region(text, RULES, name)


TWO_APPENDICES = """UY BAN NHAN DAN XA DONG SON
KE HOACH
Cham soc cay trong vu dong nam 2026

I. MUC TIEU
Cac chi tieu va nhiem vu tai Phu luc kem theo.

. PHULUCL
BANG CHI TIEU CU THE
STT Noi dung chi tieu Chi tieu Moc hoan thanh
1 Ty le ho trong rau an toan tren dia ban 60% Nam 2026
2 So lop tap huan ky thuat cho nong dan 12 lop Quy IV/2026

PHU LUC 2
LO TRINH TRIEN KHAI
Giai doan Cong viec Don vi chu tri Bat dau Ket thuc Tieu chi hoan thanh
Chuan bi Khao sat dien tich dat bo hoang cua cac thon Phong Kinh te 01/2026 03/2026 Bao cao duoc duyet
Thuc hien Mo lop huong dan lam dat cho ba con nong dan Hoi Nong dan xa 04/2026 06/2026 Dat yeu cau
"""


def test_appendix_heading_with_its_numeral_glued_and_misread_opens_an_appendix(tmp_path: Path):
    assert classify_line("PHULUCL", RULES.layout)[0] == "appendix"
    assert classify_line("PHỤ LỤC II", RULES.layout)[0] == "appendix"
    assert classify_line("PHỤ LỤC LỘ TRÌNH", RULES.layout)[0] == "appendix"  # no numeral: the word stays text
    plan = tmp_path / "dong-son.txt"
    plan.write_text(TWO_APPENDICES, encoding="utf-8")
    doc = kehoach.read(plan, restore=False)
    assert [t.ordinal for t in doc.targets] == ["1", "2"]
    assert {t.appendix for t in doc.targets} == {"Phụ lục I"}
    # the second row uses a column title's words ("Thực hiện", "hoàn thành"): still a row
    assert [t.text.split()[:2] for t in doc.tasks] == [["Chuan", "bi"], ["Thuc", "hien"]]
    assert doc.tasks[1].deadline is not None and str(doc.tasks[1].deadline.end) == "2026-06-30"


def test_a_roadmap_or_deliverables_title_makes_a_task_table_whatever_its_columns_say():
    roadmap = region_of("LO TRINH TRIEN KHAI\nGiai doan Cong viec Don vi chu tri Bat dau Ket thuc "
                        "Tieu chi hoan thanh\nChuan bi Khao sat dien tich Phong Kinh te 01/2026")
    outputs = region_of("KET QUA DAU RA VA THO! HAN HOAN THANH\nKet qua dau ra Muc tieu Chi so theo doi "
                        "Don vi chu tri\n1. Ban do so cac diem du lich MT2 So diem Phong Van hoa 2027")
    targets = region_of("BANG CHI TIEU CU THE\nSTT Noi dung chi tieu Chi tieu Moc hoan thanh\n"
                        "1 Ty le ho trong rau an toan 60% Nam 2026")
    assert [region_kind(r, RULES) for r in (roadmap, outputs, targets)] == ["task", "task", "target"]


def test_a_row_using_column_title_words_is_no_header_line():
    rules = RULES
    rows = ["3 Tổng hợp báo cáo sơ kết sáu tháng thực hiện kế hoạch Phòng Kinh tế Quý II/2026 Hoàn thành",
            "Kiểm tra việc thực hiện kế hoạch tại các thôn Công an xã 09/2026",
            "Nâng tỷ lệ hồ sơ thực hiện trực tuyến lên 80% Năm 2026",
            "12 Rà soát nội dung kế hoạch của các đơn vị thực hiện"]
    headers = ["STT Nội dung Đơn vị thực hiện Lộ trình thực hiện Trạng thái",
               "TT Nội dung nhiệm vụ Thời gian hoàn thành Cơ quan chủ trì",
               "hiện", "5 - :Nội dung nhiệm vụ Đơn vị chủ trì | Đơn vị phối hợp"]
    assert [is_header_line(t, rules) for t in rows] == [False] * 4
    assert [is_header_line(t, rules) for t in headers] == [True] * 4


TABLE_WITH_TITLE_WORDS_IN_ROWS = """BANG PHAN CONG NHIEM VU
TT Noi dung nhiem vu Don vi chu tri Thoi gian hoan thanh
1 Lap danh sach ho can ho tro cay giong vu dong Phong Kinh te Thang 9/2026
2 Tong hop ket qua thuc hien ke hoach cua cac thon Van phong UBND xa Thang 12/2026
Thoi gian thuc hien hoan thanh
3 Kiem tra viec bao quan giong cua cac hop tac xa Phong Kinh te Quy IV/2026
"""


def test_rows_are_kept_and_a_header_line_inside_the_rows_is_a_warning():
    items, warnings = flat_region_to_raw_items(region_of(TABLE_WITH_TITLE_WORDS_IN_ROWS), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3"]
    assert "thuc hien ke hoach" in items[1].text
    assert any("read as a column header" in w and "Thoi gian thuc hien" in w for w in warnings)


# The ordinal of row 2 is printed beside the middle of its row, with accents OCR read as
# loose letters after it; row 1 closes with a sentence.
CENTRED_ORDINAL = """STT Noi dung Thoi gian Don vi chu tri
Rà soát danh sách hộ nghèo trên địa bàn xã theo chuẩn
mới và cập nhật vào phần mềm quản lý. Thường Văn phòng
1 xuyên UBND xã
của tỉnh.
Hướng dẫn các thôn lập sổ theo dõi hộ thoát nghèo
CSDL hộ nghèo được đối chiếu với số liệu thôn Thường
2 A e A 1A oL Y N Phòng Văn hóa - Xã hội
bền vững và báo cáo định kỳ về xã. xuyên
"""


def test_a_centred_ordinal_after_debris_splits_the_row_at_the_sentence_it_opens():
    items, _ = flat_region_to_raw_items(region_of(CENTRED_ORDINAL), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2"]
    assert items[1].text.startswith("Hướng dẫn các thôn")
    assert items[0].text.rstrip().endswith("của tỉnh.")


# The header of page 1 came out of OCR as debris; it is read only where it repeats on page 2.
GARBLED_FIRST_HEADER = """HE THONG CHI TIEU CUA XA
$6 hé ot ; . Dén hét nam -| Dén hét nam
STT | - Chi ti . Do hi
1 | Tỷ lệ hộ dùng nước sạch tập trung 85% 95% Phòng Kinh tế
2 | Số thôn có nhà văn hóa đạt chuẩn 12 thôn 15 thôn Phòng Văn hóa - Xã hội
STT Chỉ tiêu Đến hết năm 2026 Đến hết năm 2030 Đơn vị chủ trì
3 | Tỷ lệ đường thôn được cứng hóa 70% 90% Phòng Kinh tế
"""


def test_rows_above_the_first_header_found_are_read_when_they_have_a_rows_shape():
    items, warnings = flat_region_to_raw_items(region_of(GARBLED_FIRST_HEADER), "target", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3"]
    assert "Tỷ lệ hộ dùng nước sạch" in items[0].text
    # the years come from the header of page 2 ("Đến hết năm 2026"); the values printed
    # before the unit name on the same line are cut from the text
    assert (items[0].cells["year:2026"], items[0].cells["year:2030"]) == ("85%", "95%")
    assert items[2].text == "Tỷ lệ đường thôn được cứng hóa" and items[2].cells["lead"] == "Phòng Kinh tế"
    # the debris of the header above row 1 still goes into row 1's text (not fixed: a row's
    # first line may sit above its ordinal, so lines above row 1 are not dropped)


LABELLED_UNITS_AND_TOTAL = """PHAN CONG NHIEM VU
Nội dung Phân công nhiệm vụ Tiến độ
1. Cập nhật sổ theo dõi đất công ích của xã Chủ trì: Phòng Kinh tế. Quý II/2026
Phối hợp: Công an xã, các thôn.
2. Kiểm tra việc dùng đất công ích đã cho thuê Chủ trì: Thanh tra huyện. Tháng 9/2026
Phối hợp: Phòng Kinh tế.
Tổng cộng: 2 nhiệm vụ, kinh phí 150 triệu đồng
"""


def test_units_named_by_labels_in_a_flat_row_and_a_total_row_kept_as_a_warning():
    items, warnings = flat_region_to_raw_items(region_of(LABELLED_UNITS_AND_TOTAL), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2"]
    assert items[0].text == "Cập nhật sổ theo dõi đất công ích của xã"
    units = " ".join(v for k, v in items[0].cells.items() if k in ("lead", "cooperating"))
    assert "Chủ trì: Phòng Kinh tế" in units and "Phối hợp: Công an xã, các thôn" in units
    assert items[1].cells["deadline"] == "Tháng 9/2026"
    assert any("no item" in w and "Tổng cộng" in w for w in warnings)


def test_labelled_units_of_a_flat_row_become_lead_and_cooperating_units():
    from kehoach.extract.items import raw_item_to_item

    items, _ = flat_region_to_raw_items(region_of(LABELLED_UNITS_AND_TOTAL), "task", RULES)
    task = raw_item_to_item(items[0], None, RULES.units, rules=RULES)
    assert [u.name for u in task.lead_units] == ["Phòng Kinh tế"]
    assert "Công an xã" in [u.name for u in task.cooperating_units]


# Target rows of a five-year table: the numeral of row 2 came out as "o" in its cell, the
# numeral of row 3 was lost, its values open it; the header repeats on the next page.
TARGETS_WITH_LOST_NUMERALS = """STT Mục tiêu 2026 | 2027 | 2028 | Cơ quan chủ trì
1 | Tỷ lệ hộ dân dùng nước hợp vệ sinh | 90% | 95% | 98% | Phòng Kinh tế
o | Tỷ lệ thôn có đường bê tông | 60% | 75% | 90% | Phòng Kinh tế
Tỷ lệ trường học đạt chuẩn quốc gia | 50% | 70% | 80% | Phòng Văn hóa - Xã hội
STT Mục tiêu 2026 | 2027 | 2028
4 | Tỷ lệ trạm y tế có bác sĩ | 80% | 90% | 100% | Trạm Y tế xã
"""


def test_target_rows_whose_numerals_ocr_lost_are_opened_by_their_values():
    items, warnings = flat_region_to_raw_items(region_of(TARGETS_WITH_LOST_NUMERALS), "target", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3", "4"]
    assert [i.text for i in items] == ["Tỷ lệ hộ dân dùng nước hợp vệ sinh", "Tỷ lệ thôn có đường bê tông",
                                      "Tỷ lệ trường học đạt chuẩn quốc gia", "Tỷ lệ trạm y tế có bác sĩ"]
    assert [i.cells["year:2028"] for i in items] == ["98%", "90%", "80%", "100%"]
    assert any("inferred" in w for w in items[2].warnings)
    assert not any("STT" in i.text for i in items)  # the repeated header is no row
    # the cell "o" the row's numeral was misread as is no text of it, and is not lost silently
    assert [w for w in warnings if "misread ordinal" in w] == [
        "Phụ lục I: a misread ordinal cell left out: 'o' of 'o | Tỷ lệ thôn có đường bê tông | 60% | 75% | 90% | Phòng Kinh tế'"]


# A task list whose items carry no numeral: each is a paragraph, then its labelled units and
# its time in a column of its own; the column titles were read as separate lines.
UNNUMBERED_LIST = """KẾ HOẠCH CHI TIẾT
Nội dung công việc

Đơn vị

Thời gian

Rà soát danh sách người cao tuổi sống một mình
trên địa bàn và cập nhật vào sổ theo dõi

Cơ quan chủ trì: Phòng Văn hóa - Xã hội.
Cơ quan phối hợp: Hội Người cao tuổi xã.

Quý II/2026

Tổ chức khám sức khỏe định kỳ cho người cao tuổi
tại trạm y tế xã

Cơ quan chủ trì: Trạm Y tế xã.
Cơ quan phối hợp: các thôn.

Tháng 10/2026
"""


def test_a_list_without_numerals_is_split_at_the_paragraphs_before_their_fields():
    from kehoach.extract.lists import list_region_to_raw_items

    items, _ = list_region_to_raw_items(region_of(UNNUMBERED_LIST), "task", RULES)
    assert [i.text.split()[0] for i in items] == ["Rà", "Tổ"]
    assert items[0].text.endswith("cập nhật vào sổ theo dõi")
    assert [i.cells["deadline"] for i in items] == ["Quý II/2026", "Tháng 10/2026"]
    assert items[1].cells["lead"].startswith("Trạm Y tế xã")
    assert all("no numeral" in " ".join(i.warnings) for i in items)


# A numbered task table in old OCR: the column numbers under the header, a group row whose
# "I" came out as "1" (row 1 prints "1" again), a row numeral read as a letter ("a" for 3),
# one read as a stroke and a letter ("l" for 4), one row opening after specks ("; Tổng ...").
NUMERALS_MISREAD = """TT Nhiệm vụ Cơ quan chủ trì Thời hạn
(1) (2) (3) (4)
1 | Chăm sóc sức khỏe ban đầu
1 Khám sàng lọc bệnh không lây nhiễm cho người dân Trạm Y tế Quý II/2026
2 Cập nhật hồ sơ sức khỏe điện tử của người cao tuổi Trạm Y tế Tháng 8/2026
a Tuyên truyền phòng chống sốt xuất huyết ở các thôn Trạm Y tế Tháng 6/2026
l Kiểm tra an toàn thực phẩm tại chợ Phòng Kinh tế Quý III/2026
; Tổng hợp báo cáo y tế định kỳ gửi huyện Văn phòng Hằng quý
"""


def test_misread_row_numerals_follow_the_sequence_and_a_repeated_one_is_a_group_row():
    items, warnings = flat_region_to_raw_items(region_of(NUMERALS_MISREAD), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3", "4", None]
    assert [i.text.split()[0] for i in items] == ["Khám", "Cập", "Tuyên", "Kiểm", "Tổng"]
    assert {i.section for i in items} == {"Chăm sóc sức khỏe ban đầu"}
    assert [i.cells.get("deadline") for i in items] == ["Quý II/2026", "Tháng 8/2026", "Tháng 6/2026",
                                                        "Quý III/2026", "Hằng quý"]
    assert any("inferred" in w for w in items[2].warnings + items[3].warnings)
    assert any("group row" in w for w in warnings)
    assert not any("(2)" in i.text for i in items)


# Ordinals printed beside the middle of their rows, with the dot and a column bar after them.
DOTTED_CENTRED_ORDINALS = """STT Hoạt động Đơn vị chủ trì Thời gian hoàn thành
Nâng cấp trang thông tin điện tử
1. | của xã bảo đảm kết nối | Văn phòng | Quý II/2026
với cổng tỉnh
Số hóa sổ hộ tịch đang lưu
2. | giữ tại bộ phận một cửa | Phòng Văn hóa - Xã hội | Tháng 9/2026
"""


def test_a_dotted_ordinal_before_a_column_bar_anchors_its_centred_row():
    items, _ = flat_region_to_raw_items(region_of(DOTTED_CENTRED_ORDINALS), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2"]
    assert items[0].text.startswith("Nâng cấp trang thông tin") and items[0].text.endswith("với cổng tỉnh")
    assert items[1].text.startswith("Số hóa sổ hộ tịch")
    assert [i.cells.get("deadline") for i in items] == ["Quý II/2026", "Tháng 9/2026"]


def test_an_appendix_heading_after_a_rule_stub_with_its_numeral_misread():
    from kehoach.extract.appendices import line_to_appendix

    assert classify_line("— PHULUCT |", RULES.layout)[0] == "appendix"
    assert line_to_appendix("— PHULUCT |", RULES.tables) == "Phụ lục I"
    # a bullet of the body that names an appendix in a sentence is no heading
    assert classify_line("- Phụ lục kèm theo Kế hoạch này", RULES.layout)[0] == "bullet"


# A flattened table whose column titles OCR read one a line, and whose units cell names its
# parts ("Chủ trì: ...", "Phối hợp: ...") on lines of their own: a table, not a task list.
TITLES_ONE_A_LINE = """PHÂN CÔNG THỰC HIỆN
STT

Nội dung nhiệm vụ

Thời hạn

Phân công thực hiện
1 | Lập sổ theo dõi hộ kinh doanh cá thể trên địa bàn | Tháng 5/2026
Chủ trì: Phòng Kinh tế
Phối hợp: Công an xã
2 | Kiểm tra việc niêm yết giá tại chợ trung tâm xã | Quý III/2026
Chủ trì: Phòng Kinh tế
Phối hợp: Ban quản lý chợ
"""


def test_column_titles_one_a_line_make_labelled_unit_lines_cells_of_a_table():
    from kehoach.extract.lists import column_header_before_fields

    region = region_of(TITLES_ONE_A_LINE)
    assert column_header_before_fields(region, RULES)
    items, _ = flat_region_to_raw_items(region, "task", RULES)
    assert [(i.ordinal, i.cells.get("deadline")) for i in items] == [("1", "Tháng 5/2026"), ("2", "Quý III/2026")]
    assert "Chủ trì: Phòng Kinh tế" in items[1].cells.get("lead", "") + items[1].cells.get("cooperating", "")


def test_a_subtitle_with_specks_and_a_misplaced_mark_is_a_title_line():
    title = RULES.layout.flat["title"]
    assert title.match("_(Kém theo Kế hoạch số 888/KH-SGDĐT ngày 01/12/2025 của Sở Giáo dục)")
    assert title.match("(Kèm theo Kế hoạch số 12/KH-UBND)")
    assert not title.match("Kém chất lượng dịch vụ công trên địa bàn")


# Rows numbered 1-3 whose other columns (method, budget) OCR read as paragraphs of their own.
OTHER_COLUMNS_AS_PARAGRAPHS = """TT Nội dung Phân công Tiến độ Phương pháp Kinh phí
1 Rà soát hồ sơ đất đai tồn đọng của các thôn Phòng Kinh tế Quý I/2026
Làm việc trực tiếp với hộ
2 Lập bản đồ số các tuyến đường liên thôn Phòng Kinh tế Quý III/2026
Thuê tư vấn đo đạc
3 Công khai kết quả trên trang thông tin của xã Văn phòng Tháng 12/2026
"""


def test_short_paragraphs_under_numbered_rows_are_notes_of_their_row():
    items, warnings = flat_region_to_raw_items(region_of(OTHER_COLUMNS_AS_PARAGRAPHS), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3"]
    assert [i.text.split()[0] for i in items] == ["Rà", "Lập", "Công"]
    assert items[0].cells["notes"] == "Làm việc trực tiếp với hộ"
    assert items[1].cells["notes"] == "Thuê tư vấn đo đạc" and "notes" not in items[2].cells
    assert sum("kept as a note" in w for w in warnings) == 2


def test_a_short_line_under_a_repeated_header_is_kept_as_a_warning():
    """The end of row 1 ("cua cac thon") printed on page 2 under the repeated column titles
    reads like the header's wrapped line: skipped from the rows, but kept as a warning."""
    header = "TT Noi dung nhiem vu Don vi chu tri Thoi gian hoan thanh"
    page1 = text_to_region(f"{header}\n1 Lap danh sach ho can ho tro cay giong vu dong tai "
                           "Phong Kinh te Thang 9/2026", RULES, "Phụ lục I", page=1)
    page2 = text_to_region(f"{header}\ncua cac thon\n2 Tong hop ket qua thuc hien ke hoach "
                           "Van phong UBND xa Thang 12/2026", RULES, "Phụ lục I", page=2)
    items, warnings = flat_region_to_raw_items(Region("Phụ lục I", page1.lines + page2.lines), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2"]
    assert [w for w in warnings if "cua cac thon" in w] == [
        "Phụ lục I: short line under a column header skipped as the header's wrapped line: 'cua cac thon'"]


def test_a_number_after_nam_or_so_ending_a_target_text_stays_in_the_text():
    """cues.yaml table_value_not_after: "đến năm 2030", "số 5" are the text's own numbers,
    the values after them are the year columns'."""
    region = region_of("STT Chỉ tiêu Đến hết năm 2026 Đến hết năm 2030 Đơn vị chủ trì\n"
                       "1 Tỷ lệ hộ dùng nước sạch đến năm 2030 85% 95% Phòng Kinh tế\n"
                       "2 Số thôn có nhà văn hóa theo Quyết định số 5 12 15 Văn phòng")
    items, _ = flat_region_to_raw_items(region, "target", RULES)
    assert [i.text for i in items] == ["Tỷ lệ hộ dùng nước sạch đến năm 2030",
                                       "Số thôn có nhà văn hóa theo Quyết định số 5"]
    assert [(i.cells["year:2026"], i.cells["year:2030"]) for i in items] == [("85%", "95%"), ("12", "15")]


# Deadline cells whose year wrapped onto the row's next line, among the text column's words.
WRAPPED_YEARS = """STT Nội dung nhiệm vụ Đơn vị chủ trì Thời gian
1 Rà soát danh sách hộ cận nghèo trên địa bàn Phòng Văn hóa - Xã hội Quý IV năm
theo tiêu chí mới , . 2027
2 Tổng hợp kết quả giảm nghèo giai đoạn 2026 - 2030 Văn phòng Trong năm
của xã 2026
"""


def test_a_deadline_cell_whose_year_wrapped_below_gets_it_back():
    items, _ = flat_region_to_raw_items(region_of(WRAPPED_YEARS), "task", RULES)
    assert [i.cells.get("deadline") for i in items] == ["Quý IV năm 2027", "Trong năm 2026"]
    assert items[0].text == "Rà soát danh sách hộ cận nghèo trên địa bàn theo tiêu chí mới"
    assert "giai đoạn 2026 - 2030" in items[1].text  # a period in the text stays there


# A roadmap title that uses column titles' words, read as the header, above the subtitle.
TITLE_AS_HEADER = """LỘ TRÌNH THỰC HIỆN NHIỆM VỤ
(Kèm theo Kế hoạch số 12/KH-UBND ngày 03/02/2026 của Ủy ban nhân dân xã Yên Bình)
STT Nội dung Cơ quan thực hiện Lộ trình
1 Khảo sát nhu cầu học nghề của thanh niên Đoàn Thanh niên xã Quý I/2026
2 Mở lớp tin học văn phòng cho cán bộ thôn Văn phòng Tháng 5/2026
"""


def test_a_subtitle_under_a_title_read_as_the_header_is_no_row():
    items, warnings = flat_region_to_raw_items(region_of(TITLE_AS_HEADER), "task", RULES)
    assert [(i.ordinal, i.text.split()[0]) for i in items] == [("1", "Khảo"), ("2", "Mở")]
    assert any("title line above the table's rows skipped: '(Kèm theo" in w for w in warnings)


# Block layout (a paragraph a cell, blank lines between): the first row's numeral printed
# again beside its second line, its other columns' paragraphs under it.
BLOCK_ROWS = """STT Nội dung Phân công Tiến độ Nguồn lực
1. Lập sổ theo dõi hộ nghèo và cận
~ 1 nghèo của từng thôn; rà soát lại

Chủ trì: Phòng Văn hóa - Xã hội

Kinh phí từ nguồn ngân sách tỉnh

Thuê chuyên gia hỗ trợ

Quý II/2026; hoàn thành

Sổ theo dõi được lập.

2. Tổ chức đối thoại với hộ nghèo về nhu cầu vay vốn Chủ trì: Văn phòng Quý III/2026
3. Tổng kết mô hình giảm nghèo bền vững của xã Chủ trì: Công an xã Năm 2026
"""


def test_block_paragraphs_between_consecutive_numerals_belong_to_the_row_above():
    items, warnings = flat_region_to_raw_items(region_of(BLOCK_ROWS), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3"]
    assert items[0].text.startswith("Lập sổ theo dõi hộ nghèo và cận nghèo của từng thôn")
    # the paragraphs are kept with the row: as its cells and notes, none as a row of its own
    assert items[0].cells["notes"] == "Kinh phí từ nguồn ngân sách tỉnh Thuê chuyên gia hỗ trợ Sổ theo dõi được lập."
    assert items[0].cells["deadline"] == "Quý II/2026; hoàn thành"
    assert "Phòng Văn hóa" in items[0].cells.get("lead", "")
    assert any("numeral printed again" in w for w in warnings)


# One numeral lost between "1" and "3": the row that opens a sentence between them is row 2.
LOST_NUMERAL = """STT Nội dung Đơn vị chủ trì Thời gian
1 Rà soát danh sách đối tượng bảo trợ của xã Phòng Văn hóa - Xã hội Quý I/2026

Cập nhật cơ sở dữ liệu về người cao tuổi của xã Văn phòng Quý II/2026

Theo số liệu của các thôn

3 Tổ chức thăm hỏi người có công dịp lễ Tết Công an xã Quý III/2026
4 Kiểm tra việc chi trả trợ cấp hằng tháng Văn phòng Quý IV/2026
"""


def test_a_row_between_numerals_one_apart_gets_the_missing_numeral():
    items, warnings = flat_region_to_raw_items(region_of(LOST_NUMERAL), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3", "4"]
    assert items[1].text.startswith("Cập nhật cơ sở dữ liệu")
    assert "ordinal 2 inferred from the row sequence: none legible" in items[1].warnings
    assert items[1].cells.get("notes") == "Theo số liệu của các thôn"
    assert items[2].text == "Tổ chức thăm hỏi người có công dịp lễ Tết"


# A subtitle wrapped onto a second line, and a first numeral followed by the ruling's specks.
WRAPPED_SUBTITLE = """BẢNG PHÂN CÔNG NHIỆM VỤ VÀ TIẾN ĐỘ
(Kèm theo Kế hoạch số 40/KH-UBND ngày 02/03/2026 của Ủy ban nhân dân huyện
Lâm Bình)
STT Nội dung nhiệm vụ Đơn vị chủ trì Thời gian
1. ~ lập danh sách hộ chưa có nước sạch Phòng Kinh tế Quý I/2026
2 Hỗ trợ lắp bể chứa nước cho hộ nghèo Văn phòng Quý II/2026
3 Kiểm tra chất lượng nước tại các thôn Trạm Y tế Quý III/2026
"""


def test_a_wrapped_subtitle_and_a_numeral_before_specks_open_no_false_row():
    items, warnings = flat_region_to_raw_items(region_of(WRAPPED_SUBTITLE), "task", RULES)
    assert [(i.ordinal, i.text.split()[0]) for i in items] == [("1", "lập"), ("2", "Hỗ"), ("3", "Kiểm")]
    assert any("title line above the table's rows skipped: 'Lâm Bình)'" in w for w in warnings)


# A unit cell's second line read with a stray numeral ahead of the sequence ("7" where "4" is
# due) while row 4 shows on the next line.
NUMERAL_AHEAD = """STT Chỉ tiêu Đơn vị tính Năm 2026 Cơ quan chủ trì
1 Số lớp tập huấn kỹ thuật trồng lúa lớp 6 Phòng Kinh tế
2 Số hộ được vay vốn ưu đãi hộ 40 Phòng Văn hóa - Xã hội
3 Tỷ lệ thôn có đội văn nghệ % 90 Văn phòng
7 Phê duyệt
4 Số mô hình sản xuất an toàn mô hình 3 Phòng Kinh tế
5 Số km đường giao thông được cứng hóa km 12 Công an xã
"""


def test_a_numeral_ahead_of_the_sequence_before_the_due_one_opens_no_row():
    items, _ = flat_region_to_raw_items(region_of(NUMERAL_AHEAD), "target", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3", "4", "5"]
    assert items[2].text.endswith("7 Phê duyệt")  # kept as the row's text, not dropped


# A phase column left of the text: the phase's name in its first row's cell, before a bar.
PHASE_COLUMN = """Giai đoạn Công việc Đơn vị chủ trì Bắt đầu Kết thúc
Chuẩn bị | Khảo sát hiện trạng đường nội đồng các thôn | Phòng Kinh tế | 01/2026 | 03/2026
Lập danh sách hộ hiến đất làm đường | Văn phòng | 02/2026 | 04/2026
Thi công | Đổ bê tông tuyến đường trục chính của thôn | Công an xã | 05/2026 | 09/2026
"""


def test_a_group_cell_left_of_the_text_is_the_section_not_the_text():
    items, _ = flat_region_to_raw_items(region_of(PHASE_COLUMN), "task", RULES)
    assert [(i.section, i.text.split()[:2]) for i in items] == [
        ("Chuẩn bị", ["Khảo", "sát"]), ("Chuẩn bị", ["Lập", "danh"]), ("Thi công", ["Đổ", "bê"])]


# Row 3's numeral lost (a speck read in its place); row 4 opens its own sentence below it.
LOST_BEFORE_NEXT = """STT Nội dung Cơ quan chủ trì Thời hạn
1 Rà soát quy hoạch khu dân cư nông thôn Phòng Kinh tế Quý I/2026
2 Cấp giấy chứng nhận quyền sử dụng đất Văn phòng Quý II/2026
; Lắp đặt camera an ninh tại các ngã ba Công an xã Quý III/2026
4 Sửa chữa nhà văn hóa thôn Đông Phòng Văn hóa - Xã hội Quý IV/2026
"""


def test_an_open_row_whose_numeral_was_skipped_gets_it_when_the_next_opens_its_own_sentence():
    items, _ = flat_region_to_raw_items(region_of(LOST_BEFORE_NEXT), "task", RULES)
    assert [(i.ordinal, i.text.split()[0]) for i in items] == [
        ("1", "Rà"), ("2", "Cấp"), ("3", "Lắp"), ("4", "Sửa")]
    assert "ordinal 3 inferred from the row sequence: none legible" in items[2].warnings


# The appendix's title printed again on the page the table runs on to, a numeral read beside it.
TITLE_ON_NEXT_PAGE = """STT Chỉ tiêu Năm 2026 Năm 2030 Cơ quan chủ trì
1 Tỷ lệ hộ dùng nước sạch 85% 95% Phòng Kinh tế
2 Tỷ lệ trường đạt chuẩn quốc gia 60% 80% Phòng Văn hóa - Xã hội
3 HỆ THỐNG CHỈ TIÊU GIAI ĐOẠN 2026 - 2030
4 Số km kênh mương được kiên cố hóa 12 30 Phòng Kinh tế
"""


def test_a_title_in_capitals_among_the_rows_is_no_item():
    items, warnings = flat_region_to_raw_items(region_of(TITLE_ON_NEXT_PAGE), "target", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "4"]
    assert any("row in capitals read as a title" in w and "HỆ THỐNG CHỈ TIÊU" in w for w in warnings)


# OCR's "a" debris at the head of two cell lines in a table numbered 1, 2, 3: no lettered list.
A_DEBRIS = """STT Nội dung nhiệm vụ Đơn vị chủ trì Thời gian
1 Tổ chức tập huấn phòng chống thiên tai Văn phòng Quý I/2026
a . tra hành chính
2 Sửa chữa trạm bơm nội đồng thôn Bắc Phòng Kinh tế Quý II/2026
a . Thanh tra xã, Sở
3 Kiểm kê rừng sản xuất trên địa bàn Phòng Kinh tế Quý III/2026
"""


def test_a_lone_letter_debris_neither_makes_a_lettered_list_nor_a_row():
    items, _ = flat_region_to_raw_items(region_of(A_DEBRIS), "task", RULES)
    assert [(i.ordinal, i.text.split()[0]) for i in items] == [("1", "Tổ"), ("2", "Sửa"), ("3", "Kiểm")]
    assert "a . tra hành chính" in items[0].text  # kept with the row above, not dropped


# Groups numbered apart from their rows (1, 2 for the groups; 1, 2, 3 for the rows).
GROUPS_NUMBERED_APART = """STT Nội dung Cơ quan thực hiện Lộ trình
1 | Hạ tầng giao thông
1 Nâng cấp đường liên thôn Đông - Tây Phòng Kinh tế Năm 2026
2 Xây cầu dân sinh qua suối Cạn Phòng Kinh tế Năm 2027
2 | Môi trường sống
3 Sửa chữa nhà văn hóa thôn Nam Phòng Văn hóa - Xã hội Năm 2026
"""


def test_a_numbered_group_row_that_does_not_move_the_sequence_is_a_section():
    items, _ = flat_region_to_raw_items(region_of(GROUPS_NUMBERED_APART), "task", RULES)
    assert [(i.ordinal, i.section) for i in items] == [
        ("1", "Hạ tầng giao thông"), ("2", "Hạ tầng giao thông"), ("3", "Môi trường sống")]


# The subtitle's closing bracket lost by OCR: only a short tail ending it is still the title.
SUBTITLE_NOT_CLOSED = """LỘ TRÌNH THỰC HIỆN NHIỆM VỤ
(Kèm theo Kế hoạch số 7/KH-UBND ngày 05/01/2026 của Ủy ban nhân dân xã Tân Lập
STT Nội dung nhiệm vụ Đơn vị chủ trì Thời gian
1 Rà soát hộ gia đình thiếu nhà vệ sinh Trạm Y tế Quý I/2026
2 Hỗ trợ xây nhà vệ sinh cho hộ nghèo Văn phòng Quý III/2026
"""


def test_a_subtitle_left_open_does_not_swallow_the_table():
    items, _ = flat_region_to_raw_items(region_of(SUBTITLE_NOT_CLOSED), "task", RULES)
    assert [(i.ordinal, i.text.split()[0]) for i in items] == [("1", "Rà"), ("2", "Hỗ")]


def test_lettered_rows_count_in_the_vietnamese_alphabet():
    """Lettered rows count a b c d đ e g h ... (table_headers.yaml letter_sequence: no "f"):
    "g" follows "e", so a sentence between rows "e" and "g" is no row "f" that lost its
    letter (counted with an "f", it was made one)."""
    from kehoach.extract.flat_rows import Row, ordinal_value, rows_between_consecutive_numerals

    letters = "".join(RULES.tables.letters)
    assert [ordinal_value(o, letters) for o in ("e", "g", "h", "7")] == [
        ("let", 6), ("let", 7), ("let", 8), ("num", 7)]
    assert ordinal_value("f", letters) == ("let", 0)   # no list counts with it
    text = "Tổ chức kiểm tra việc thực hiện tại các xã"
    rows = [Row(ordinal=o, text_lines=[f"Nhiệm vụ {o}"]) for o in ("d", "đ", "e")]
    rows += [Row(text_lines=[text]), Row(ordinal="g", text_lines=["Nhiệm vụ g"])]
    warnings: list[str] = []
    kept = rows_between_consecutive_numerals(rows, warnings, "Phụ lục", letters)
    assert [r.ordinal for r in kept] == ["d", "đ", "e", None, "g"]
    assert not any(r.inferred for r in kept) and warnings == []


# A flattened table where OCR read the rulings of one row's cells as bars.
STRAY_BARS = """STT | Nội dung nhiệm vụ | Đơn vị chủ trì | Thời gian
1 | Lập kế hoạch nạo vét kênh mương nội đồng | Phòng Kinh tế | Quý II/2026
2 Tổ chức ra quân làm vệ sinh môi trường các thôn Đoàn Thanh niên xã Hằng tháng
3 Kiểm tra việc thu gom rác thải sinh hoạt tại các chợ Công an xã Quý IV/2026
"""


def test_one_row_between_stray_bars_is_no_delimited_table():
    from kehoach.extract.delimited_tables import delimited_region_to_raw_items

    region = region_of(STRAY_BARS)
    items, warnings, found = delimited_region_to_raw_items(region, RULES)
    assert (items, found) == ([], False)
    assert any("stray bars of a flattened table" in w for w in warnings)
    flat, _ = flat_region_to_raw_items(region, "task", RULES)
    assert [i.ordinal for i in flat] == ["1", "2", "3"]
