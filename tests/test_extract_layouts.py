"""The text layout readers on real corpus phrasings: task lists, prose, flattened tables."""
from __future__ import annotations

import pytest

from kehoach.extract.flat_lines import strip_noise
from kehoach.extract.flat_tables import flat_region_to_raw_items
from kehoach.extract.lists import count_field_lines, is_field_list, list_region_to_raw_items
from kehoach.extract.prose import cooperating_phrase, lines_to_blocks, prose_to_raw_items, subject_unit
from kehoach.extract.sections import Region, classify_line
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402
from text_regions import text_to_region

RULES = load_extract_rules()


def region_of(text: str, name: str = "body") -> Region:
    return text_to_region(text, RULES, name)


TASK_LIST = """I. Nhóm nhiệm vụ về lãnh đạo, chỉ đạo
1. Thành lập Ban Chỉ đạo do đồng chí Bí thư Đảng ủy làm Trưởng ban
- Cơ quan chủ trì: Văn phòng Đảng ủy.
- Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.
2. Thành lập Cơ quan Thường trực của Ban Chỉ đạo là Văn phòng Đảng ủy
- Cơ quan chủ trì: Ban xây dựng Đảng, Văn phòng Đảng ủy
- Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.
II. Nhóm nhiệm vụ về cơ chế chính sách Ủy ban nhân dân xã chỉ đạo, giao
nhiệm vụ cho các cơ quan chuyên môn tham mưu xây dựng, trình cấp có thẩm
quyền quyết định
1. Triển khai thực hiện Nghị quyết số 193/2025/QH15 và các Nghị định hướng
dẫn về thí điểm một số cơ chế, chính sách đặc biệt.
"""


def test_task_list_items_fields_and_sections():
    region = region_of(TASK_LIST, "Phụ lục II")
    assert count_field_lines(region, RULES.layout) == 4 and is_field_list(region, RULES)
    items, warnings = list_region_to_raw_items(region, "task", RULES)
    assert [(i.ordinal, i.cells.get("lead"), i.cells.get("deadline")) for i in items] == [
        ("1", "Văn phòng Đảng ủy", "Hoàn thành trong tháng 7 năm 2025"),
        ("2", "Ban xây dựng Đảng, Văn phòng Đảng ủy", "Hoàn thành trong tháng 7 năm 2025"),
        ("1", None, None),
    ]
    assert items[0].section == "Nhóm nhiệm vụ về lãnh đạo, chỉ đạo"
    assert items[2].section.endswith("trình cấp có thẩm quyền quyết định")
    assert items[2].text.endswith("chính sách đặc biệt.")
    assert all(i.appendix == "Phụ lục II" and i.layout == "list" for i in items)
    assert items[0].provenance.line_start == 1 and items[0].provenance.line_end == 3
    assert warnings == []


PROSE = """II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM
1. Giải pháp đột phá mang tính dẫn dắt
- Hiện đại hoá phương thức chỉ đạo, điều hành toàn hệ thống chính trị của
xã dựa trên dữ liệu số.
2. Nhiệm vụ trọng tâm
2.1. Về thể chế
a) Tiếp tục cập nhật bộ mã định danh điện tử của các cơ quan, đơn vị theo
Quyết định số 20/2020/QĐ-TTg, ngày 22/7/2020.
b) Trung tâm phục vụ hành chính công kịp thời rà soát quy trình, công bố,
công khai danh mục các thủ tục hành chính.
2.2. Về hạ tầng kỹ thuật, công nghệ
a) Phòng Văn hoá - Xã hội phối hợp với Sở Khoa học và Công nghệ, các
doanh nghiệp viễn thông rà soát xoá các điểm lõm sóng để các thôn có điều kiện
tiếp cận chuyển đổi số (hoàn thành trong tháng 11/2025).
2.5. Về nhân lực cho chuyển đổi số
b) Phòng Văn hoá - Xã hội chủ trì, phối hợp các phòng, ban, ngành rà soát,
bố trí đảm bảo cán bộ chuyên trách có chuyên môn về công nghệ thông tin.
- Thành lập và duy trì hoạt động hiệu quả của các "Tổ công nghệ số cộng
đồng" để thực hiện "cầm tay chỉ việc".
- Triển khai thực hiện cơ chế, chính sách đặc thù cho nhân lực chuyển đổi
số (hoàn thành trong tháng 8/2025).
III. TỔ CHỨC THỰC HIỆN
2. Kinh phí thực hiện
- Ưu tiên bố trí ngân sách cho các nhiệm vụ cấp bách, đột phá. Giao Phòng
Kinh tế tham mưu việc sử dụng ngân sách nhà nước.
3. Công tác báo cáo
- Các phòng, ban, ngành, đơn vị báo cáo tiến độ thực hiện nhiệm vụ tháng
trước ngày 15 hàng tháng..
- Báo cáo tổng kết thực hiện Kế hoạch trước ngày 15/12/2025.
"""


def test_prose_tasks_lettered_items_bullets_and_report_duties():
    items, _ = prose_to_raw_items(region_of(PROSE), {"task"}, RULES)
    got = [(i.ordinal, i.section, i.cells.get("lead"), i.cells.get("cooperating"), i.cells.get("deadline"))
           for i in items]
    assert got == [
        ("a", "Về thể chế", None, None, None),
        ("b", "Về thể chế", "Trung tâm phục vụ hành chính công", None, None),
        ("a", "Về hạ tầng kỹ thuật, công nghệ", "Phòng Văn hoá - Xã hội",
         "Sở Khoa học và Công nghệ, các doanh nghiệp viễn thông", "hoàn thành trong tháng 11/2025"),
        ("b", "Về nhân lực cho chuyển đổi số", "Phòng Văn hoá - Xã hội", "các phòng, ban, ngành",
         "hoàn thành trong tháng 8/2025"),
        ("1", "Công tác báo cáo", "Các phòng, ban, ngành, đơn vị", None, "trước ngày 15 hàng tháng"),
        ("2", "Công tác báo cáo", None, None, "trước ngày 15/12/2025"),
    ]
    # bullets under a lettered task belong to it
    assert "Tổ công nghệ số cộng đồng" in items[3].text
    assert all(i.kind == "task" and i.layout == "prose" for i in items)


PROSE_TARGETS = """2. Mục tiêu cụ thể
a) Mục tiêu năm 2025

Triển khai cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc
gia đối với toàn bộ thủ tục hành chính, bảo đảm:

- Về số lượng:

+ Bảo đảm duy trì và sử dụng hiệu quả 25 dịch vụ công trực tuyến toàn trình
đã tích hợp trên Cổng Dịch vụ công quốc gia.

- Về chất lượng, các dịch vụ công trực tuyến được đánh giá về chất lượng
trải nghiệm của người dùng và đạt tối thiểu 04 nhóm tiêu chí chính gồm:

(1) Có biểu mẫu điện tử tương tác, tự động điền dữ liệu đã có trong các cơ
sở dữ liệu quốc gia.

(2) Thời gian trung bình từ lúc đăng nhập đến khi người dân, doanh nghiệp
nộp hồ sơ trực tuyến thành công là dưới 08 phút.

b) Mục tiêu năm 2026

(1) Có biểu mẫu điện tử và tự động điền dữ liệu có sẵn trong các cơ sở dữ
liệu quốc gia.
III. CÁC NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM
"""


def test_prose_targets_skip_group_headers_and_inherit_heading_period():
    items, _ = prose_to_raw_items(region_of(PROSE_TARGETS), {"target"}, RULES)
    assert [(i.ordinal, i.section, i.cells.get("deadline")) for i in items] == [
        ("1", "Mục tiêu năm 2025", "năm 2025"),
        ("1", "Mục tiêu năm 2025", "năm 2025"),
        ("2", "Mục tiêu năm 2025", "năm 2025"),
        ("1", "Mục tiêu năm 2026", "năm 2026"),
    ]
    assert items[0].text.startswith("Bảo đảm duy trì") and items[0].text.endswith("quốc gia.")


@pytest.mark.parametrize("text,unit", [
    ("Văn phòng HĐND-UBND xã chủ trì, phối hợp với các cơ quan, đơn vị triển khai", "Văn phòng HĐND-UBND xã"),
    ("Giao phòng Văn hoá - Xã hội tổng hợp tham mưu UBND xã báo cáo", "phòng Văn hoá - Xã hội"),
    ("Các cơ quan, đơn vị: cử cán bộ, công chức tham gia các lớp tập huấn", "Các cơ quan, đơn vị"),
    ("Công an, Văn phòng HĐND-UBND xã: (1) Triển khai các giải pháp giám sát", "Công an, Văn phòng HĐND-UBND xã"),
    ("Tiếp tục bổ sung, nâng cấp thiết bị, bố trí nhân lực", None),
])
def test_subject_unit(text, unit):
    assert subject_unit(text, RULES.layout, RULES.units) == unit


@pytest.mark.parametrize("text,coop", [
    ("Phòng Văn hoá - Xã hội phối hợp với Sở Khoa học và Công nghệ, các doanh nghiệp viễn thông rà soát xoá",
     "Sở Khoa học và Công nghệ, các doanh nghiệp viễn thông"),
    ("Phối hợp với các sở, ngành đồng bộ CSDL quốc gia", "các sở, ngành"),
    ("Phối hợp rà soát hoàn thành các quy trình thủ tục hành chính", None),
])
def test_cooperating_phrase(text, coop):
    assert cooperating_phrase(text, RULES.layout, RULES.units) == coop


def test_heading_wrapped_over_two_lines_is_one_heading():
    text = ("2.4. Về các nền tảng, ứng dụng phục vụ người dân, doanh nghiệp và hoạt\n"
            "động trong các cơ quan hệ thống chính trị\n"
            "a) Các cơ quan, đơn vị tiếp tục triển khai các chương trình nâng cao kỹ năng số.\n")
    blocks = lines_to_blocks(region_of(text).lines, RULES.specks)
    assert blocks[0].heading and blocks[0].text.endswith("hệ thống chính trị")
    assert not blocks[1].heading


INTERLEAVED = """TT Danh mục nhiệm vụ, giải pháp h-ggglt%?r?h Cơ quan chủ trì | Cơ quan phối hợp Ghi chú
Theo dõi kết nối, liên thông dữ
liệu, ứng dụng phục vụ chỉ đạo,
4 điều hành của các lãnh đạo và các Thường xuyên Phòng Văn hóa— | Các phòng, đơn vị
cấp chính quyền bảo đảm hiệu quả, Xã hội thuộc UBND xã
tránh lãng phí, đáp ứng mô hình
chính quyền địa phương 2 cấp
III Về dữ liệu
Đồng bộ dữ liệu CSDL quốc gia,
CSDL chuyên ngành về CSDL
tổng hợp quốc gia để cắt giảm thủ
5 trình, giải quyết thủ tục hành chính Thường xuyên HCC ; Các phòng, đơn vị
theo mức độ tăng trưởng của dữ Phòng Văn hóa— | thuộc UBND xã
liệu bảo đảm người dân chỉ kê khai Xã hội
"""


def test_flat_interleaved_rows_rebuilt_with_cells():
    items, _ = flat_region_to_raw_items(region_of(INTERLEAVED, "Phụ lục II"), "task", RULES)
    assert [i.ordinal for i in items] == ["4", "5"]
    assert items[0].text.startswith("Theo dõi kết nối") and items[0].text.endswith("địa phương 2 cấp")
    assert items[0].cells["deadline"] == "Thường xuyên"
    assert "Phòng Văn hóa" in items[0].cells["lead"]
    assert "Các phòng, đơn vị" in items[0].cells["cooperating"]
    assert items[1].section == "Về dữ liệu"
    assert items[1].text.startswith("Đồng bộ dữ liệu") and "Thường xuyên" not in items[1].text


BLOCKS = """TT

Danh mục nhiệm vụ, giải pháp

Thời gian
hoàn thành

Cơ quan chủ trì

Cơ quan phối hợp

11

Theo dõi, phối hợp việc tích hợp,
cung cấp 100% dịch vụ công trực
tuyến trên Cổng Dịch vụ công quốc
gia

Trước ngày
30/6/2025

Trung tâm PV
HCC

Phòng Văn hóa —
Xã hội

12

Khắc phục ngay các bất cập, hạn
chế về chất lượng dịch vụ công

Thường xuyên

Phòng Văn hóa —
Xã hội

Các phòng, đơn vị
thuộc UBND xã
"""


def test_flat_block_layout_cells_by_blank_line_blocks():
    items, _ = flat_region_to_raw_items(region_of(BLOCKS, "Phụ lục II"), "task", RULES)
    assert [(i.ordinal, i.cells.get("deadline"), i.cells.get("lead"), i.cells.get("cooperating")) for i in items] == [
        ("11", "Trước ngày 30/6/2025", "Trung tâm PV HCC", "Phòng Văn hóa — Xã hội"),
        ("12", "Thường xuyên", "Phòng Văn hóa — Xã hội", "Các phòng, đơn vị thuộc UBND xã"),
    ]
    assert items[0].text == ("Theo dõi, phối hợp việc tích hợp, cung cấp 100% dịch vụ công trực "
                             "tuyến trên Cổng Dịch vụ công quốc gia")


@pytest.mark.parametrize("line,clean", [
    ("R SR A S : Trong", "Trong"),
    ("X s P Y N 2 A Côngan xã hạ tầng vật lý", "Côngan xã hạ tầng vật lý"),
    ("Thường xuyên Phòng Văn hóa - Xã hội", "Thường xuyên Phòng Văn hóa - Xã hội"),
])
def test_strip_noise(line, clean):
    assert strip_noise(line) == clean


def test_strip_noise_keeps_value_marks_of_target_tables():
    assert strip_noise("nâng cao chất X X X X X Phòng Văn hóa", "target") == "nâng cao chất X X X X X Phòng Văn hóa"


def test_footnotes_in_smaller_type_are_set_aside():
    from kehoach.extract.prose import drop_footnotes

    body = "\n".join(["đã tích hợp trên Cổng Dịch vụ công quốc gia, phục vụ trực tiếp người dân và"] * 12)
    text = (body + "\n+ Hoàn thành tái cấu trúc quy trình 100% thủ tục hành chính, thực hiện xây\n"
            "! Hiện nay tỉnh đã cung cấp tổng số Thủ tục hành chính (TTHC) trên Cổng Dịch vụ công quốc gia là: 2066 TTHC,\n"
            "trong đó có: 358 dịch vụ công trực tuyến toàn trình, 1524 dịch vụ công trực tuyến một phần và 184 TTHC chưa\n"
            "dựng và cung cấp các dịch vụ công trực tuyến toàn trình thuộc thẩm quyền giải\n")
    lines, warnings = drop_footnotes(region_of(text).lines, RULES.layout)
    texts = [ln.text for ln in lines]
    assert not any("2066 TTHC" in t or "1524" in t for t in texts)
    assert texts[-1].startswith("dựng và cung cấp") and len(warnings) == 1


TARGET_TABLE = """STT Mục tiêu Cơ quan chủ trì Cơ quan phối hợp Ghi chú
100% hồ sơ, tài liệu công việc phát
sinh từ ngày 01/7/2025 được tạo
lập và xử lý trên môi trường điện
tử; hoàn thành số hóa ít nhất 30%
tài liệu lưu trữ lịch sử có giá trị
cao, tạo tiền đề hoàn thành toàn bộ
công tác số hóa tài liệu lưu trữ
trong năm 2026
"""


def test_target_table_without_time_or_year_columns_keeps_text_whole():
    items, _ = flat_region_to_raw_items(region_of(TARGET_TABLE, "Phụ lục I"), "target", RULES)
    assert len(items) == 1
    assert items[0].text.endswith("công tác số hóa tài liệu lưu trữ trong năm 2026")
    assert "deadline" not in items[0].cells and "value" not in items[0].cells


def test_footnote_in_smaller_type_found_by_word_heights():
    from kehoach.extract.prose import drop_footnotes

    lines = region_of("\n".join(
        ["+ Bảo đảm duy trì và sử dụng hiệu quả dịch vụ công trực tuyến toàn trình"] * 12
        + ["! Hiện nay tỉnh đã cung cấp tổng số Thủ tục hành chính",
           "trong đó có: 358 dịch vụ công trực tuyến toàn trình",
           "dựng và cung cấp các dịch vụ công trực tuyến"])).lines
    for ln in lines:
        ln.height = 13.0
    lines[12].height = lines[13].height = 10.0  # the note's smaller type
    kept, warnings = drop_footnotes(lines, RULES.layout)
    assert [ln.text for ln in kept][-1] == "dựng và cung cấp các dịch vụ công trực tuyến"
    assert len(kept) == 13 and len(warnings) == 1


OCR_TASK_LIST = """1. Nhóm nhiệm vụ về lãnh đạo, chỉ đạo -
1 Thành lập Ban Chỉ đạo do đồng chí Bi thư Đảng ủy làm Trưởng ban -
_-CƠ quan chủ trì: Văn phòng Đảng ủy.
'~ Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025..
2. Thành lập Cơ quan Thường trực của Ban.Chỉ đạo là Văn phòng Đảng ủy
.- Cơ quan chủ trì: Ban xây dựng Đảng, Văn phòng Đảng ủy.
- Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.
-3. Thành lập Tổ giúp việc Ban Chỉ đạo. -
- Cơ quan chủ trì:.Ban xây dựng Đảng, Ủy ban nhân dân Xã.
- Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.
_II Nhóm nhiệm vụ về nâng cao nhận thức và tuyên truyền
1: Xây dựng Kế hoạch tổ chức học tập, quán triệt Nghị quyết số 57- NG/TW và các văn
_bản liên quan bảo đảm đa dạng hình thức quán triệt.
- Cơ quan chủ trì: Ban xây dựng Đảng.
"""


def test_task_list_read_from_a_scan_with_ocr_debris():
    # real tesseract output of a scanned Phụ lục II page (samples/004-tan-ky.scan.pdf)
    items, _ = list_region_to_raw_items(region_of(OCR_TASK_LIST, "Phụ lục II"), "task", RULES)
    assert [i.ordinal for i in items] == ["1", "2", "3", "1"]
    assert items[0].section.startswith("Nhóm nhiệm vụ về lãnh đạo")
    assert items[0].text.startswith("Thành lập Ban Chỉ đạo")
    assert items[2].text.startswith("Thành lập Tổ giúp việc")
    assert items[3].section == "Nhóm nhiệm vụ về nâng cao nhận thức và tuyên truyền"
    assert all(i.cells.get("lead") for i in items)


# The target list of samples/001-son-la.scan.pdf as OCR read it: a wrapped line that starts
# with specks ("-_ đảm 100%"), an item whose last sentence got a stray colon ("đặc thù). :"),
# a "(4)" read as "li", a paragraph introducing the list ("... bảo đảm:").
SCANNED_TARGETS = """2. Mục tiêu cụ thể
a) Mục tiêu năm 2025
-- Triển khai cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc gia, bảo
- đảm:
.. - Về số lượng:.
+ Triển khai 982 dịch vụ công trực tuyến có số lượng hồ sơ phát sinh trung bình tối thiểu 1.000 hồ sơ/năm/tinh®, và bảo
-_ đảm 100% kết quả giải quyết là điện tử, có khả năng tái sử dụng dữ liệu (không áp dụng
thuộc những lĩnh vực đặc thù). :
- Về chất lượng:
(3) Thời gian xử lý hồ sơ trực tuyến giảm tối thiểu 30% so với hình thức nộp trực tiếp.
li Bảo đảm tỷ lệ người dân, doanh nghiệp đánh giá hài lòng đạt tối thiểu 95%.
"""


def test_scanned_prose_targets_through_ocr_specks():
    from kehoach.extract.sections import infer_paren_numbers

    region = region_of(SCANNED_TARGETS)
    region.lines = infer_paren_numbers(region.lines, RULES.layout)
    items, _ = prose_to_raw_items(region, {"target"}, RULES)
    assert [(i.ordinal, i.text[:20]) for i in items] == [
        ("1", "Triển khai 982 dịch "), ("3", "Thời gian xử lý hồ s"), ("4", "Bảo đảm tỷ lệ người ")]
    assert "đảm 100% kết quả" in items[0].text


@pytest.mark.parametrize("line,kind", [
    ("-_ đảm 100% kết quả giải quyết là điện tử", "text"),   # wrapped line behind specks
    ("- điều kiện cung cấp dịch vụ công", "text"),
    ("- Về số lượng:", "bullet"),
])
def test_bullet_or_wrapped_line(line, kind):
    assert classify_line(line, RULES.layout)[0] == kind


def test_paren_number_inferred_only_after_its_predecessor():
    from kehoach.extract.sections import infer_paren_numbers

    lines = region_of("(3) Thời gian xử lý.\nli Bảo đảm tỷ lệ người dân.\n(5) Khác.").lines
    assert [(ln.kind, ln.ord) for ln in infer_paren_numbers(lines, RULES.layout)][1] == ("paren_number", "4")
    lines = region_of("1. Mục tiêu\nli Bảo đảm tỷ lệ người dân.").lines  # no (n) before: text
    assert infer_paren_numbers(lines, RULES.layout)[1].kind == "text"
    lines = region_of("(3) Thời gian.\nli Bảo đảm.\n(4) Tỷ lệ.").lines  # the real (4) follows
    assert infer_paren_numbers(lines, RULES.layout)[1].kind == "text"


# The same list as samples/001-son-la.pages1-2.tiff reads it: a comma after the heading, a
# speck before the next line, "#" for "+", a finished sentence followed by '- " :'.
TIFF_TARGETS = """2. Mục tiêu cụ thể _
a) Mục tiêu năm 2025,
_Triển khai cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc gia, bảo
- đảm: " : THÔ
._`~ Về số lượng:
ˆ + Bảo đảm duy trì và sử dụng hiệu quả 25 dịch vụ công trực tuyến toàn trình đã tích
ˆ địa phương. - số :
_ # Triển khai 982 dịch vụ công trực tuyến có tối thiểu 1.000 hồ sơ/năm/tỉnh.
"""


def test_tiff_prose_targets_through_ocr_specks():
    items, _ = prose_to_raw_items(region_of(TIFF_TARGETS), {"target"}, RULES)
    assert [(i.section, i.cells.get("deadline"), i.text[:18]) for i in items] == [
        ("Mục tiêu năm 2025", "năm 2025", "Bảo đảm duy trì và"),
        ("Mục tiêu năm 2025", "năm 2025", "Triển khai 982 dịc")]


def test_a_wrapped_sentence_ending_in_a_comma_is_no_heading():
    blocks = lines_to_blocks(region_of("a) Bảo đảm duy trì và sử dụng hiệu quả,\nsử dụng dịch vụ công.").lines,
                             RULES.specks)
    assert not blocks[0].heading


@pytest.mark.parametrize("text,label", [
    ("- Về số lượng:", True),
    ("Triển khai cung cấp dịch vụ công trực tuyến. Việc triển khai phải bảo đảm:", True),
    ("+ Bảo đảm duy trì 25 dịch vụ công tại địa phương. - số :", False),   # debris after a sentence
    ("+ Triển khai 982 dịch vụ công (thuộc những lĩnh vực đặc thù). :", False),
])
def test_group_label(text, label):
    from kehoach.extract.prose import Block, is_group_label

    assert is_group_label(Block(region_of(text).lines), RULES.specks) is label
