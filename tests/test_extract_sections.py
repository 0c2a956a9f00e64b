"""Line classification, section roles and cue spotting (extract.sections), on corpus phrasings."""
from __future__ import annotations

import pytest

from kehoach.extract.sections import (Line, Region, classify_line, find_heading_deadline, find_prose_deadline,
                              lines_to_regions, match_field_line, region_kind, section_role)
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


def test_rules_load_and_validate():
    rules = RULES.layout
    assert rules.kinds and rules.section_patterns and rules.prose_deadline_patterns


@pytest.mark.parametrize("line,kind,ord_,text", [
    ("I. MỤC ĐÍCH", "roman", "I", "MỤC ĐÍCH"),
    ("V.TỔ CHỨC THỰC HIỆN", "roman", "V", "TỔ CHỨC THỰC HIỆN"),
    ("III | Phát triển khoa học công", "roman", "III", "Phát triển khoa học công"),
    ("1.2. Mục tiêu cụ thể", "decimal", "1.2", "Mục tiêu cụ thể"),
    ("2.1. Về thể chế", "decimal", "2.1", "Về thể chế"),
    ("2. Định hướng", "number", "2", "Định hướng"),
    ("a) Mục tiêu năm 2025", "letter", "a", "Mục tiêu năm 2025"),
    ("đ) Ban hành và tổ chức thực hiện", "letter", "đ", "Ban hành và tổ chức thực hiện"),
    ("(1) Có biểu mẫu điện tử tương tác", "paren_number", "1", "Có biểu mẫu điện tử tương tác"),
    ("- Cơ quan chủ trì: Văn phòng Đảng ủy.", "bullet", "-", "Cơ quan chủ trì: Văn phòng Đảng ủy."),
    ("+ Bảo đảm duy trì và sử dụng hiệu quả", "bullet", "+", "Bảo đảm duy trì và sử dụng hiệu quả"),
    ("Thứ nhất: Về thể chế", "ordinal_word", "Thứ nhất", "Về thể chế"),
    ("Phụ lục I ) ) ) )", "appendix", "I", ""),
    ("PHỤ LỤC I", "appendix", "I", ""),
    ("Phụ lục", "appendix", None, ""),
    ("Xã hội", "text", None, "Xã hội"),
    ("Vụ công trực tuyến", "text", None, "Vụ công trực tuyến"),
    # OCR specks before a list item's numeral (samples/004-tan-ky.scan.pdf)
    ("=3, Xây dựng Chương trình, Kế hoạch", "number", "3", "Xây dựng Chương trình, Kế hoạch"),
    ("ˆ_1, Đầu tư phát triển hạ tầng số", "number", "1", "Đầu tư phát triển hạ tầng số"),
])
def test_classify_line(line, kind, ord_, text):
    assert classify_line(line, RULES.layout) == (kind, ord_, text)


@pytest.mark.parametrize("title,role", [
    ("Mục tiêu cụ thể", "target"),
    ("NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", "task"),
    ("Nhiệm vụ trọng tâm", "task"),
    ("TỔ CHỨC THỰC HIỆN", "task"),
    ("Công tác báo cáo", "task"),
    ("Mục tiêu tổng quát", "skip"),
    ("MỤC ĐÍCH, QUAN ĐIỂM CHỈ ĐẠO VÀ YÊU CẦU THỰC HIỆN", "skip"),
    ("Kinh phí thực hiện", "skip"),
    ("Về thể chế", None),
])
def test_section_role(title, role):
    assert section_role(title, RULES.layout) == role


@pytest.mark.parametrize("text,phrase", [
    ("Phòng Văn hoá - Xã hội phối hợp với Sở Khoa học và Công nghệ, các doanh nghiệp viễn thông rà soát "
     "xoá các điểm lõm sóng (hoàn thành trong tháng 11/2025).", "hoàn thành trong tháng 11/2025"),
    ("Các phòng, ban, ngành, đơn vị rà soát, cấu trúc lại các thủ tục hành chính chuyển từ thủ công trên "
     "giấy sang môi trường điện tử (hoàn thành trước ngày 20/12/2025).", "hoàn thành trước ngày 20/12/2025"),
    ("Báo cáo kết quả thực hiện các nhiệm vụ về UBND xã trước 8h00 thứ 6 hàng tuần để cập nhật",
     "trước 8h00 thứ 6 hàng tuần"),
    ("Các phòng, ban, ngành, đơn vị báo cáo tiến độ thực hiện nhiệm vụ tháng trước ngày 15 hàng tháng..",
     "trước ngày 15 hàng tháng"),
    ("Nghiên cứu cơ chế cho phép các doanh nghiệp triển khai (nhiệm vụ thường xuyên).", "nhiệm vụ thường xuyên"),
    ("Tiếp tục cập nhật bộ mã định danh điện tử của các cơ quan, đơn vị theo Quyết định số "
     "20/2020/QĐ-TTg, ngày 22/7/2020", None),
])
def test_find_prose_deadline(text, phrase):
    assert find_prose_deadline(text, RULES.layout) == phrase


@pytest.mark.parametrize("title,phrase", [
    ("Mục tiêu năm 2025", "năm 2025"),
    ("Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025", "Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025"),
    ("Về thể chế", None),
])
def test_find_heading_deadline(title, phrase):
    assert find_heading_deadline(title, RULES.layout) == phrase


@pytest.mark.parametrize("line,expected", [
    ("- Cơ quan chủ trì: Ban xây dựng Đảng, Văn phòng Đảng ủy", ("lead", "Ban xây dựng Đảng, Văn phòng Đảng ủy")),
    ("- Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.", ("deadline", "Hoàn thành trong tháng 7 năm 2025")),
    ("- Thời gian hoàn thành: Hoàn thành trong tháng 7 năm 2025.", ("deadline", "Hoàn thành trong tháng 7 năm 2025")),
    ("- Thời gian: Thực hiện thường xuyên", ("deadline", "Thực hiện thường xuyên")),
    ("- Cơ quan phối hợp: Phòng Văn hóa - Xã hội.", ("cooperating", "Phòng Văn hóa - Xã hội")),
    ("- Thành lập Ban Chỉ đạo", None),
    # as OCR read them in samples/004-tan-ky.scan.pdf: the bullet as a letter, specks in the label
    ("T Cơ quan chủ trì: Ban xây / dựng Đảng, Ủy ban nhân dân xã.", ("lead", "Ban xây / dựng Đảng, Ủy ban nhân dân xã")),
    ("E Thời gian thực hiện: Thực hiện thường xuyên.", ("deadline", "Thực hiện thường xuyên")),
    (": ~. .Thời gian. thực hiện: Hoàn thành trong tháng 9 năm 2025.", ("deadline", "Hoàn thành trong tháng 9 năm 2025")),
    ("- Cơ quan chủ. trì: Ủy ban nhân dân-xã.", ("lead", "Ủy ban nhân dân-xã")),
    ("- Thời gian thực. hiện: Thực hiện thường xuyên.", ("deadline", "Thực hiện thường xuyên")),
    ("_— ~ Thời gian thực hiện: Thực hiện thường xuyên.", ("deadline", "Thực hiện thường xuyên")),
    # the same scan read at its own resolution: the bullet as two letters, a comma in the label
    ("Ti Cơ quan chủ trì: Ban xây ; dựng Đảng, Ủy ban nhân dân xã.", ("lead", "Ban xây ; dựng Đảng, Ủy ban nhân dân xã")),
    (": Thời gian, thực hiện: Hoàn thành trong tháng 9 năm 2025.", ("deadline", "Hoàn thành trong tháng 9 năm 2025")),
    ("Cơ quan chủ trì thực", None),  # a table header's text, no colon: no field
    ("Các cơ quan chủ trì thực hiện", None),
])
def test_match_field_line(line, expected):
    assert match_field_line(line, RULES.layout) == expected


def _region(texts):
    return Region("Phụ lục I", [Line(page=1, line=i, text=t) for i, t in enumerate(texts)])


@pytest.mark.parametrize("titles,kind", [
    (["PHÂN CÔNG MỤC TIÊU TRIỂN KHAI KẾ HOẠCH SỐ 02-KH/BCĐTW"], "target"),
    (["MỤC TIÊU PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ"], "target"),
    (["NHIỆM VỤ TRỌNG TÂM ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC"], "task"),
    (["PHÂN CÔNG TỔ CHỨC THỰC HIỆN KẾ HOẠCH"], "task"),
    (["(Ban hành kèm theo Kế hoạch số 10-KH/ĐU)", "TT Nội dung Thời gian"], "task"),
])
def test_region_kind(titles, kind):
    assert region_kind(_region(titles), RULES) == kind


def test_lines_to_regions_splits_at_appendix_headings():
    lines = [Line(1, 0, "KẾ HOẠCH"), Line(1, 1, "Phụ lục I", kind="appendix", ord="I"),
             Line(2, 0, "a"), Line(2, 1, "Phụ lục II", kind="appendix", ord="II"), Line(3, 0, "b")]
    regions = lines_to_regions(lines, RULES)
    assert [r.name for r in regions] == ["body", "Phụ lục I", "Phụ lục II"]
    assert [[ln.text for ln in r.lines] for r in regions] == [["KẾ HOẠCH"], ["a"], ["b"]]


@pytest.mark.parametrize("call,expected", [
    (lambda: section_role("Muc tieu cu the", RULES.layout), "target"),
    (lambda: section_role("TO CHUC THUC HIEN", RULES.layout), "task"),
    (lambda: match_field_line("- Co quan chu tri: Van phong Dang uy.", RULES.layout), ("lead", "Van phong Dang uy")),
    (lambda: match_field_line("- Thời gian thực hiên: Hoàn thành trong tháng 7 năm 2025.", RULES.layout),
     ("deadline", "Hoàn thành trong tháng 7 năm 2025")),
    (lambda: find_prose_deadline("ra soat (hoan thanh truoc ngay 20/12/2025).", RULES.layout), "hoan thanh truoc ngay 20/12/2025"),
    (lambda: find_heading_deadline("Muc tieu nam 2026", RULES.layout), "nam 2026"),
])
def test_cues_survive_lost_or_wrong_tone_marks(call, expected):
    # restored OCR text can keep a few tone errors; cues match folded text, spans stay as printed
    assert call() == expected


def _page_with_words(lines: list[str], number: int = 2, heights: dict[int, float] | None = None):
    from kehoach.schema import Page, Word

    words = []
    for i, t in enumerate(lines):
        x, h = 70.0, (heights or {}).get(i, 13.0)
        for tok in t.split():
            words.append(Word(text=tok, bbox=(x, 50 + 20 * i, x + 8 * len(tok), 50 + 20 * i + h), line=i))
            x += 8 * len(tok) + 4
    text = "\n".join(lines)
    return Page(number=number, method="text", raw_text=text, text=text, words=words)


def test_lines_carry_word_geometry_and_skip_printed_page_numbers():
    from kehoach.extract.sections import document_to_lines, lines_to_bbox
    from kehoach.schema import Document, Source

    page = _page_with_words(["2", "a) Phòng Văn hoá - Xã hội phối hợp với Sở Khoa học và Công nghệ",
                             "(hoàn thành trong tháng 11/2025)."])
    doc = Document(source=Source(path="x", sha256="0", kind="pdf"), pages=[page])
    lines = document_to_lines(doc, RULES.layout)
    assert [ln.text[:2] for ln in lines] == ["a)", "(h"]  # the page number "2" is not content
    assert lines[0].height == 13.0 and lines[0].bbox[1] == 70.0
    assert lines_to_bbox(lines) == (70.0, 70.0, lines[0].bbox[2], 103.0)


@pytest.mark.parametrize("line,kind,ord_", [
    ("_ b) Mục. tiêu năm 2026", "letter", "b"),
    ("„+ Bảo đảm duy trì và sử dụng hiệu quả", "bullet", "+"),
    ("' 2. Định hướng", "number", "2"),
    (". thủ tục hành chính", "text", None),
    # samples' scans read at their own resolution (200 dpi): a speck before the bullet, the
    # dash bullet read as "~", dashes glued before the item number
    ("ˆ + Hoàn thành tái cấu trúc quy trình 100% thủ tục hành chính", "bullet", "+"),
    (".~ Về chất lượng, các dịch vụ công trực tuyến được: đánh giá", "bullet", "-"),
    ("—-1, Thành lập Ban Chỉ đạo do đồng chí Bí thư Đảng ủy làm Trưởng ban -", "number", "1"),
    ("~ đảm bảo tiến độ", "text", None),  # a wrapped line after debris, as "- đảm ..."
])
def test_classify_line_ignores_ocr_debris_before_the_numeral(line, kind, ord_):
    assert classify_line(line, RULES.layout)[:2] == (kind, ord_)


def test_section_role_and_period_survive_stray_punctuation():
    assert section_role("Mục. tiêu cụ thể", RULES.layout) == "target"
    assert find_heading_deadline("Mục. tiêu năm 2026 _", RULES.layout) == "năm 2026"


@pytest.mark.parametrize("line,kind", [("3, Thành lập Tổ giúp việc Ban Chỉ đạo.", "number"),
                                       ("2, 3 và 4 năm", "text"), ("12,5% tỷ lệ", "text")])
def test_ocr_comma_after_item_number(line, kind):
    assert classify_line(line, RULES.layout)[0] == kind


def test_heading_period_when_ocr_ran_the_heading_into_its_paragraph():
    assert find_heading_deadline("Mục tiêu năm 2025, _Triển khai cung cấp dịch vụ công", RULES.layout) == "năm 2025"
    assert find_heading_deadline("Về năm 2025 và các năm sau", RULES.layout) is None


def test_bullet_mark_before_lowercase_is_a_wrapped_line():
    assert classify_line("- điều kiện cung cấp dịch vụ công trực tuyến toàn trình", RULES.layout)[0] == "text"
    assert classify_line("- Về số lượng:", RULES.layout)[0] == "bullet"


@pytest.mark.parametrize("line,page,expected", [
    ("14", 14, True), ("14 -", 14, True), ("- 3 -", 3, True), ("15", 14, True),
    ("14 hồ sơ", 14, False), ("2025", 14, False), ("7", 14, False),
])
def test_is_page_number(line, page, expected):
    from kehoach.extract.sections import is_page_number

    assert is_page_number(line, page, RULES.specks) is expected
