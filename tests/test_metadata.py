"""Tests of extract.metadata on the header, opening and signature of the corpus plans."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.extract.metadata import extract_metadata, fix_symbol
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()

# The first and last lines of 001-son-la (gold text), as the plan prints them.
SON_LA = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

TỈNH SƠN LA Độc lập - Tự do - Hạnh phúc
Số: 169 /KH-UBND Sơn La, ngày 12 tháng 08 năm 2025
KẾ HOẠCH

Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình;
cung cấp dịch vụ số mới được cá nhân hóa, dựa trên dữ liệu cho người dân
và doanh nghiệp trên địa bàn tỉnh Sơn La

Thực hiện Quyết định số 1565/QĐ-TTg ngày 18/7/2025 của Thủ tướng
Chính phủ ban hành Kế hoạch nâng cao chất lượng cung cấp dịch vụ công trực
tuyến toàn trình; cung cấp dịch vụ số mới được cá nhân hóa, dựa trên dữ liệu cho
người dân và doanh nghiệp.

Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ tại Tờ trình số
235/TTr-SKHCN ngày 07/8/2025, Chủ tịch Ủy ban nhân dân tỉnh Sơn La ban hành
Kế hoạch triển khai thực hiện như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Triển khai đồng bộ các giải pháp nhằm nâng cao chất lượng.

Nơinhận: KT. CHỦ TỊCH
- Văn phòng Chính phủ; 8 [

- Bộ Khoa học và Công nghệ; PHÓ CHỦ TỊCH
- Thường trực Tỉnh ủy;

- UBND xã, phường; X N A
- Báo và PTTH Sơn La; Nguyễn Thành Công
- Lưu: VT, KGVX, Đại.

Phụ lục
"""

TAN_KY = """ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG ~ ĐẢNG CỘNG SẢN VIỆT NAM
ĐẢNG ỦY XÃ TÂN KỲ
*

Số 10-KH/ĐU Tân Kỳ, ngày 19 tháng 9 năm 2025

KẾ HOẠCH
hành động thực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính
trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo
và chuyển đổi số quốc gia

Thực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về
đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc
gia; Kế hoạch số 475-KH/TU ngày 22/5/2025 của Thành ủy Hải Phòng kế hoạch
hành động của Ban Thường vụ Thành ủy thực hiện Nghị quyết số 57-NQ/TW,
ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi
mới sáng tạo và chuyển đổi số quốc gia, Ban Thường vụ Đảng ủy xã ban hành Kế
hoạch hành động chiến lược thực hiện Nghị quyết số 57-NQ/TW, với những nội
dung cơ bản sau:

I. MỤC ĐÍCH

1. Quán triệt và cụ thể hóa Nghị quyết số 57-NQ/TW.

Nơi nhận:

- Thường trực Thành ủy (để báo cáo),
- Lưu Văn phòng Đảng ủy.
"""

# 000-cho-don: the scan has no header; date only in the appendix, issuer only in the opening.
CHO_DON = """ KẾ HOẠCH

Triển khai Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo
Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và
chuyển đổi số trên địa bàn xã Chợ Đồn

Căn cứ Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo
Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi
số thúc đẩy chuyển đổi số liên thông, đồng bộ, nhanh, hiệu quả đáp ứng yêu cầu
sắp xếp tổ chức bộ máy của hệ thống chính trị trên địa bàn xã Chợ Đồn.

Căn cứ tình hình thực tiễn của địa phương, Ủy ban nhân dân xã Chợ Đồn
ban hành Kế hoạch triển khai thực hiện như sau:

I. MỤC ĐÍCH, QUAN ĐIỂM CHỈ ĐẠO VÀ YÊU CẦU THỰC HIỆN

Nơi nhận: KT.CHỦ TỊCH
Gửi bản điện tử PHÓ CHỦ TỊCH
- UBND tỉnh; )
- Lưu: VT. VP.

Phụ lục I

(Kèm theo Kế hoạchsố  /KH-UBND ngày tháng 9 năm 2025 của Ủy ban nhân dân xã Chợ Đồn)
"""

XA = """ KẾ HOẠCH 

Triển khai thực hiện Kế hoạch số 11-KH/BCĐ của Ban Chỉ đạo tỉnh 

 

Thực hiện Kế hoạch số 11-KH/BCĐ ngày 29/6/2025 của Ban Chỉ đạo phát 

triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh về triển khai 

thực hiện Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung 

ương về thúc đẩy chuyển đổi số liên thông; Ủy ban nhân dân xã ban hành 

Kế hoạch triển khai thực hiện Kế hoạch số 11-KH/BCĐ của Ban Chỉ đạo tỉnh cụ 

thể như sau:  

I. MỤC TIÊU, ĐỊNH HƯỚNG VÀ PHẠM VI 

Nơi nhận: 

- Sở Khoa học và Công nghệ (b/c); 

- Lưu: VT, VHXH. 

TM. ỦY BAN NHÂN DÂN 

CHỦ TỊCH 

 

Phan Văn Lĩnh 
"""


def _refs(meta):
    return [(r.kind, r.number, r.date, r.issuer) for r in meta["references"]]


def test_son_la():
    m = extract_metadata(SON_LA.split("\n"), RULES.metadata, RULES.units)
    assert (m["number"], m["doc_type"], m["issuer"], m["place"], m["issued_date"]) == (
        "169/KH-UBND", "Kế hoạch", "Ủy ban nhân dân tỉnh Sơn La", "Sơn La", "2025-08-12")
    assert m["title"] == ("Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình; cung cấp "
                          "dịch vụ số mới được cá nhân hóa, dựa trên dữ liệu cho người dân và doanh "
                          "nghiệp trên địa bàn tỉnh Sơn La")
    assert m["signer"] == {"name": "Nguyễn Thành Công", "title": "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH",
                           "authority": ["KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH"}
    assert _refs(m) == [("Quyết định", "1565/QĐ-TTg", "2025-07-18", "Thủ tướng Chính phủ"),
                        ("Tờ trình", "235/TTr-SKHCN", "2025-08-07", "Sở Khoa học và Công nghệ")]
    assert m["warnings"] == []


def test_tan_ky_issuer_is_the_organ_named_in_the_opening():
    m = extract_metadata(TAN_KY.split("\n"), RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"], m["issued_date"]) == (
        "10-KH/ĐU", "Ban Thường vụ Đảng ủy xã Tân Kỳ", "Tân Kỳ", "2025-09-19")
    assert m["title"].startswith("hành động thực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024")
    assert _refs(m) == [("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị"),
                        ("Kế hoạch", "475-KH/TU", "2025-05-22", "Thành ủy Hải Phòng")]
    assert m["signer"] == {"name": None, "title": None, "authority": [], "position": None}
    assert "metadata: no signature block found" in m["warnings"]


def test_cho_don_without_header():
    m = extract_metadata(CHO_DON.split("\n"), RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"], m["issued_date"]) == (
        None, "Ủy ban nhân dân xã Chợ Đồn", None, "2025-09")
    assert m["signer"] == {"name": None, "title": "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH",
                           "authority": ["KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH"}
    assert _refs(m) == [("Kế hoạch", "02-KH/BCĐTW", "2025-06-19",
                         "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo "
                         "và chuyển đổi số")]
    assert "metadata: no number found" in m["warnings"]


def test_xa_born_digital():
    m = extract_metadata(XA.split("\n"), RULES.metadata, RULES.units)
    assert m["issuer"] == "Ủy ban nhân dân xã"
    assert m["title"] == "Triển khai thực hiện Kế hoạch số 11-KH/BCĐ của Ban Chỉ đạo tỉnh"
    assert m["signer"] == {"name": "Phan Văn Lĩnh", "title": "TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH",
                           "authority": ["TM. ỦY BAN NHÂN DÂN"], "position": "CHỦ TỊCH"}
    assert _refs(m) == [
        ("Kế hoạch", "11-KH/BCĐ", "2025-06-29",
         "Ban Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh"),
        ("Kế hoạch", "02-KH/BCĐTW", "2025-06-19", "Ban Chỉ đạo Trung ương")]
    assert m["issued_date"] is None and "metadata: no issued_date found" in m["warnings"]


def test_old_ocr_header():
    lines = ["UY BAN NHAN DAN CONG HOA XA HOQI CHU NGHIA VIET NAM", "",
             "TINH SON LA Doc 1ap - Tw do - Hanh phic",
             "S6: 169 /KH-UBND Son La, ngay 12 thang 08 ndm 2025", "KE HOACH"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"], m["issued_date"]) == (
        "169/KH-UBND", "Ủy ban nhân dân tỉnh Sơn La", "Sơn La", "2025-08-12")  # the list's spelling


def test_blank_number_line_is_not_issuer():
    lines = ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "XÃ CHỢ ĐỒN Độc lập - Tự do - Hạnh phúc",
             "Số: /KH-UBND ngày tháng 9 năm 2025", "KẾ HOẠCH", "Triển khai Kế hoạch số 02-KH/BCĐTW"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"], m["issued_date"]) == (
        None, "Ủy ban nhân dân xã Chợ Đồn", None, "2025-09")


@pytest.mark.parametrize("read,fixed", [
    ("10-KH/PU", "10-KH/ĐU"), ("02-KH/BCDTW", "02-KH/BCĐTW"), ("1565/QD-TTg", "1565/QĐ-TTg"),
    ("169/KH-UBND", "169/KH-UBND"), ("137/2024/NĐ-CP", "137/2024/NĐ-CP"), ("57-NQ/TW", "57-NQ/TW"),
])
def test_fix_symbol(read, fixed):
    assert fix_symbol(read, RULES.metadata) == fixed


def test_lines_may_hold_page_breaks():
    m = extract_metadata(["\f".join(SON_LA.split("\n")[:5])], RULES.metadata, RULES.units)
    assert m["number"] == "169/KH-UBND"


@pytest.mark.parametrize("lines", [[], [""], ["\f"]])
def test_empty(lines):
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert m["number"] is None and m["references"] == [] and m["warnings"]


def test_rules_validate():
    r = RULES.metadata.r
    assert "Kế hoạch" in r.doc_types and "CHỦ TỊCH" in r.signer_roles


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=30))
def test_never_raises(lines):
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert set(m) >= {"number", "doc_type", "issuer", "place", "issued_date", "title", "signer",
                      "references", "warnings"}


# Page 1 of the 004-tan-ky scan as tesseract reads it (samples/004-tan-ky.scan.pdf).
TAN_KY_SCAN = """ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG ' ĐẢNG CỘNG SẢN VIỆT NAM:
ĐẢNG ỦY XÃ TÂN KỲ :

Sð41ñKH/ĐU ' .. — 'Tân Kỳ, ngày 19 tháng 9 năm 2025
'KẾ HOẠCH:
hành. động thực hiện ¡ Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về:
_đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi Số quốc gia
"Thực hiện Nghị quyết Số 57- -NQ/TW, ngày 22/12/2024 c của Bộ Chính. trị về đột phá
'phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia; Kế hoạch số
475- KH/TU ngày 22/5/2025 của Thành ủy Hải Phòng kế hoạch hành động của. Ban .-
- Thường vụ Thành ủy thực hiện: Nghị quyết số 57- NQ/TW, ngày 22/12/2024 của Bộ
Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số
quốc gia, Ban Thường vụ Đảng ủ Ủy xã ban hành Kế hoạch hành động chiến lược thực hiện
Nghị quyết số 57- _NQ/TW,\\ với những nội ¡ dung cơ bản Sau: - ¬

I. MỤC ĐÍCH
"""

SON_LA_SCAN_HEAD = """ỦY BAN NHÂN DÂN GÔNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT. NAM:
TỈNH SƠNLA : : _ Độc lập - Tự do - Hạnh phúc

. Số: 169/KH-UBND. ¬ _ Sơn Ta, ngày 12 thông 08 năm 2025
KẾ HOẠCH .

| Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình; cung cấp dịch vụ
| _ bàn tỉnh Sơn La _

ˆ Thực hiện Quyết: định số '1565/QĐ-TTg ngày 18/7/2025 của Thủ tướng Chính phủ ¬
ban hành Kế hoạch nâng cao chất lượng; Chủ tịch Ủy ban nhân dân tỉnh Sơn La ban hành Kế
hoạch triển khai thực hiện như sau:
1. MỤC ĐÍCH, YÊU CẦU
W.Niên, nữ ¬- ¬ KT. CHỦ TỊCH .
._“ Văn phòng Chính phủ; - ¬ .
- Bộ Khoa học và Công nghệ; . e ¬ í PHÓ CHỦ TỊCH
- Báo và PTTH Sơn La;
.. Nguyễn Thành Công:_ Phụ lục
"""


def test_scan_ocr_tan_ky():
    m = extract_metadata(TAN_KY_SCAN.split("\n"), RULES.metadata, RULES.units)
    assert (m["number"], m["doc_type"], m["issuer"], m["place"], m["issued_date"]) == (
        None, "Kế hoạch", "Ban Thường vụ Đảng ủy xã Tân Kỳ", "Tân Kỳ", "2025-09-19")
    assert _refs(m) == [("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị"),
                        ("Kế hoạch", "475-KH/TU", "2025-05-22", "Thành ủy Hải Phòng")]


def test_scan_ocr_son_la():
    m = extract_metadata(SON_LA_SCAN_HEAD.split("\n"), RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"], m["issued_date"]) == (
        "169/KH-UBND", "Ủy ban nhân dân tỉnh Sơn La", "Sơn La", "2025-08-12")
    assert m["title"].startswith("Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình;")
    assert m["signer"] == {"name": "Nguyễn Thành Công", "title": "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH",
                           "authority": ["KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH"}
    assert _refs(m)[0] == ("Quyết định", "1565/QĐ-TTg", "2025-07-18", "Thủ tướng Chính phủ")


def test_title_ends_at_body_opener_without_blank_lines():
    lines = ["KẾ HOẠCH .", "Triển khai Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung",
             ".bàn xã Chợ Đồn", "Căn-cứ Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert m["title"] == "Triển khai Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung bàn xã Chợ Đồn"


def test_second_scan_reading_of_son_la():
    """Another OCR run of the same header: "/" lost, "Sơn La" read "SơnEa" / "Sơn-La"."""
    lines = [". ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "TỈNH SƠN LA Độc lập - Tự do - Hạnh phúc",
             "Số:169KH-UBND - - -` SơnEa, ngày 12 tháng 08 năm 2025", "KẾ HOẠCH :",
             "Nâng cao chất lượng dịch vụ công trên địa bàn tỉnh Sơn La",
             "Thực hiện Quyết định số 1565/QĐ-TTg ngày 18/7/2025 của Thủ tướng Chính phủ; Chủ tịch",
             "Ủy ban nhân dân tỉnh Sơn-La ban hành Kế hoạch triển khai thực hiện như sau:",
             "I. MỤC ĐÍCH"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["number"], m["issuer"], m["place"]) == ("169/KH-UBND", "Ủy ban nhân dân tỉnh Sơn La", "Sơn La")


def test_own_resolution_reading_of_son_la():
    """samples/001-son-la.scan.pdf read at its own 200 dpi: "La" misread into letters no
    Vietnamese word has and glued to "Sơn" ("SơnEø"); the name printed twice elsewhere is
    "Sơn La", whose first word "Sơn" is never printed alone."""
    lines = [". ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "TỈNH SƠN LA Độc lập - Tự do - Hạnh phúc",
             "Số:169/KH-UBND - _ ' ` SơnEø, ngày 12tháng 08 năm 2025", "", "KẾ HOẠCH :",
             "Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình trên địa",
             "bàn tỉnh Sơn La", "I. MỤC ĐÍCH"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["place"], m["issued_date"], m["issuer"]) == ("Sơn La", "2025-08-12", "Ủy ban nhân dân tỉnh Sơn La")
    # a place read right that shares the first word keeps its own name
    other = [ln.replace("SơnEø", "Sơn Tây") for ln in lines]
    assert extract_metadata(other, RULES.metadata, RULES.units)["place"] == "Sơn Tây"


def test_dash_between_ngay_and_the_day():
    """samples/004-tan-ky.scan.pdf at its own resolution: "ngày-19"; the header glues "TÂNKỲ"."""
    lines = ["_ ĐẢNG BỘTHÀNHPHỐHẢIPHÒNG _ „ ĐÁNG CỘNG SÀN VIỆT NAM", "ĐẢNG ỦY XÃ TÂNKỲ -", "", "*",
             "", "Số 10-KH/ĐU Tân Kỳ, ngày-19 tháng 9 năm 2025", "", "KẾ HOẠCH",
             "hành động thực hiện Nghị quyết số 57-NQ/TW"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["place"], m["issued_date"], m["issuer"]) == ("Tân Kỳ", "2025-09-19", "Đảng ủy xã Tân Kỳ")


def test_issuer_place_from_the_dated_line():
    lines = ["ĐẢNG BỘ THÀNH PHỐHẢIPHÒNG `. ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY XÃ TÂNKỲ -",
             "Số 10-KH/ĐU Tân Kỳ, ngày 19 tháng 9 năm 2025", "KẾ HOẠCH", "hành động thực hiện"]
    assert extract_metadata(lines, RULES.metadata, RULES.units)["issuer"] == "Đảng ủy xã Tân Kỳ"


def test_photo_and_tiff_readings_of_son_la():
    """samples/001-son-la.page1.jpg and .pages1-2.tiff as OCR read them: "Số" as "Sử", a
    speck glued to the place ("-Sơn La"), specks after the type heading ("KẾ HOẠCH -:")."""
    photo = ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM .",
             "TỈNH SƠN LA sẽ - Độc lập - Tự do - Hạnh phúc",
             "Sử 169/KH-UBND -Sơn La, ngày 12 tháng 08 năm 2025", "", "KẾ HOẠCH",
             "Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình; cung cấp dịch vụ",
             "Thực hiện Quyết định số.1565/QĐ-TTg ngày 18/7/2025 của Thủ tướng Chính phủ"]
    m = extract_metadata(photo, RULES.metadata, RULES.units)
    assert (m["number"], m["place"], m["issued_date"]) == ("169/KH-UBND", "Sơn La", "2025-08-12")
    tiff = ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "._ TỈNH SƠN LA : Độc lập - Tự do - Hạnh phúc",
            "Số: 169/KH-UBND ˆ ' ' Sơn La, ngày 12 tháng 08 năm 2025", "", "KẾ HOẠCH -:",
            "Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình; cung cấp dịch vụ",
            "số mới đi được cá nhân hóa, dựa trên dữ liệu cho người dân và doanh nghiệp trên địa",
            ": bàn tỉnh Sơn La",
            "Thực hiện Quyết:định số 1565/QĐ- -TTg ngày 18/7/2025 của “Thủ tướng Chính phủ"]
    m = extract_metadata(tiff, RULES.metadata, RULES.units)
    assert m["issuer"] == "Ủy ban nhân dân tỉnh Sơn La"
    assert m["title"].startswith("Nâng cao chất lượng") and m["title"].endswith("tỉnh Sơn La")


@pytest.mark.parametrize("line,number", [
    ("Số: 1565/QĐ - TTg", "1565/QĐ-TTg"),        # a code after a spaced dash stays
    ("Số: 169 / KH - UBND", "169/KH-UBND"),
    ("Sử 169/KH-UBND -Sơn La, ngày 12", "169/KH-UBND"),   # a place word does not
])
def test_number_symbol_ends_before_a_glued_place(line, number):
    assert extract_metadata([line], RULES.metadata, RULES.units)["number"] == number


def test_specks_around_so_and_nam():
    """One-pass scan OCR (samples): "XS0:" for "Số:", a quote between "năm" and the year."""
    m = extract_metadata(["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM .",
                          "XS0: 169/KH-UBND -Sơn La, ngày 12 tháng 08 năm 2025", "KẾ HOẠCH"], RULES.metadata, RULES.units)
    assert (m["number"], m["place"], m["issued_date"]) == ("169/KH-UBND", "Sơn La", "2025-08-12")
    m = extract_metadata(["ỦY BAN NHÂN DÂN . CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                          "XÃ CHỢ ĐỒN ____ Độc lập - Tự do - Hạnh phúc",
                          "Số /KH-UBND '` - ngày tháng 9 năm'2025", "", "KẾ HOẠCH ."], RULES.metadata, RULES.units)
    assert m["issued_date"] == "2025-09"


# Old OCR headers: the issuer's words glued, its level glued to its place, its case lost, the
# next block's words read after its place. The issuer comes out as the body the unit registry
# names, its level word, and its place as the national list (or the date line) spells it.
def test_old_ocr_header_with_glued_issuer_words():
    lines = ["ỦY BANNHANDAN | ~ CỘNGHÒA XAHOICHU NGHĨA VIỆT NAM °", "",
             "XÃ THANH LIÊM | .. + + Độc lập - Tự do - Hạnh phúc",
             "$6: 458/KH-UBND. “Thanh Liêm, ngày 15 tháng. 9 năm 2026 a", "KẾ HOẠCH"]
    assert extract_metadata(lines, RULES.metadata, RULES.units)["issuer"] == "Ủy ban nhân dân xã Thanh Liêm"


def test_old_ocr_header_with_the_level_glued_to_the_place():
    lines = ["ỦY BAN NHÂNDÂN a | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "",
             "XAMYHOA.. — . ' Độc lập - Tự do - Hạnh phúc",
             "'$6:61/KH-UBND | ~~ Mỹ Hòa, ngày 11 tháng 8 năm 2025", "- KẾ HOẠCH |"]
    m = extract_metadata(lines, RULES.metadata, RULES.units)
    assert (m["issuer"], m["place"]) == ("Ủy ban nhân dân xã Mỹ Hòa", "Mỹ Hòa")


@pytest.mark.parametrize("read, issuer, debris", [
    ("Sở Khoa Học và Công Nghệ tỉnh Tuyên Quang", "Sở Khoa học và Công nghệ tỉnh Tuyên Quang", None),
    ("Sở Nông nghiệp và Mới trong tỉnh Thái Nguyên", "Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên", None),
    ("Ủy ban nhân dân xã Quỳnh Lưu Kh Ủy ban nhân dân", "Ủy ban nhân dân xã Quỳnh Lưu", "Kh Ủy ban nhân dân"),
    ("Uy ban nhân dân xã Hòa An", "Ủy ban nhân dân xã Hòa An", None),
    ("Ban Nhân Dân tỉnh Quảng Trị", "Ủy ban nhân dân tỉnh Quảng Trị", None),  # the header's first word lost
    # what the plan printed right stays as printed: its abbreviation, a body the registry lacks
    ("UBND tỉnh Sơn La", "UBND tỉnh Sơn La", None),
    ("Ban Quản lý dự án xã Tân Kỳ", "Ban Quản lý dự án xã Tân Kỳ", None),
])
def test_issuer_read_as_its_identity(read, issuer, debris):
    from kehoach.extract.metadata_issuer import issuer_identity

    warnings: list[str] = []
    assert issuer_identity(read, RULES.metadata, RULES.units, warnings) == issuer
    assert [w for w in warnings if debris and debris in w] == ([warnings[0]] if debris else [])


# Signature blocks as old OCR reads them: the prefix damaged or lost, a role's words glued
# or followed by a speck, "Nơi nhận:" misread, specks around the name.
@pytest.mark.parametrize("block, title, name", [
    (["Nơi nhận: Số -\" \"[M. ỦY BAN NHÂN DÂN", "- Như trên;", "- Lãnh đạo cơ quan; CHỦ TỊCH",
      "- Lưu VT.", "", "Lê Minh Tuấn"], "TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH", "Lê Minh Tuấn"),
    (["\" Nơinhận: OR CHU-TICH", "- Như trên;", ".- Lãnh đạo cơ quan; . PHÓ CHỦ TỊCH.", "- Lưu VT.",
      "", "Nguyễn Văn An."], "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", "Nguyễn Văn An"),
    (["_Noinhgn: | TM ỦY BAN NHÂN DÂN", "- =Nhv uốn;, | -", "‘ . Lãnh đạo cơ quan; CHỦ TỊCH",
      "- Lưu: VT.", "", "Lý Thị Mai"], "TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH", "Lý Thị Mai"),
    (["Nơi nhận: ° , KT. CHỦTỊCH", "- Như trên;", "- Lãnh đạo cơ quan; PHÓ CHỦ TỊCH", "- Lưu VT..",
      "", "7 Trịnh Quang Huy"], "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", "Trịnh Quang Huy"),
    (["Nơi nhận: - oo ~  GIÁM ĐỐC -", "- Lãnh đạo cơ quan;", "- Lưu: VT. .", "", "Vũ Đức Thắng"],
     "GIÁM ĐỐC", "Vũ Đức Thắng"),
])
def test_old_ocr_signature_blocks(block, title, name):
    signer = extract_metadata(block, RULES.metadata, RULES.units)["signer"]
    assert (signer["title"], signer["name"]) == (title, name)


def test_a_name_printed_without_marks_takes_the_names_spelling_one_printed_with_them_is_kept(tmp_path):
    """The unseen commune plan with its marks stripped: restoration reads its signer's middle
    name as the common word "Vân"; the name list spells a middle name "Văn". The same plan
    printed with the name "Hà Vân Bình" keeps it."""
    import sys
    from pathlib import Path

    from kehoach.core.settings import Settings
    from kehoach.pipeline.runner import process_file

    here = Path(__file__).parent / "fixtures" / "unseen"
    sys.path.insert(0, str(here))
    from measure import strip_diacritics  # type: ignore

    text = (here / "commune-next-year.txt").read_text(encoding="utf-8")
    stripped = tmp_path / "stripped.txt"
    stripped.write_text(strip_diacritics(text), encoding="utf-8")
    assert process_file(stripped, Settings(restore=True)).metadata.signer.name == "Hà Văn Bình"
    printed = tmp_path / "printed.txt"
    printed.write_text(text.replace("Hà Văn Bình", "Hà Vân Bình"), encoding="utf-8")
    assert process_file(printed, Settings(restore=True)).metadata.signer.name == "Hà Vân Bình"


def test_person_names_reject_unknown_fields(tmp_path):
    from pydantic import ValidationError

    from kehoach.extract.rules.metadata import PersonNames

    with pytest.raises(ValidationError):
        PersonNames.model_validate({"middle": ["Văn"], "given": ["An"], "family": ["Lê"]})


def test_old_ocr_header_whose_level_word_restoration_wrote_in_lower_case():
    lines = ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "",
             "xã LONG PHÚ Độc lập --Tự do - Hạnh phúc",
             "S6:219/KH-UBND Long Phú, ngày 26 tháng 8:ndm 2026", "- KẾ HOẠCH -"]
    assert extract_metadata(lines, RULES.metadata, RULES.units)["issuer"] == "Ủy ban nhân dân xã Long Phú"


DEPARTMENT = """UBND TỈNH KHÁNH HÒA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
{head} CÔNG THƯƠNG Độc lập - Tự do - Hạnh phúc
Số: 512/KH-SCT Khánh Hòa, ngày 4 tháng 5 năm 2026
{heading}
Phát triển thương mại điện tử năm 2026
Căn cứ tình hình thực tế, Sở Công Thương ban hành Kế hoạch như sau:
I. MỤC ĐÍCH, YÊU CẦU
Nội dung."""


@pytest.mark.parametrize("head", ["SỞ", "- $O", "“$0", "sở"])
@pytest.mark.parametrize("heading", ["KẾ HOẠCH", "‘KẾ HOẠCH"])
def test_a_department_whose_head_word_ocr_damaged_is_the_issuer(head, heading):
    # "$O"/"$0" for "SỞ" (or "sở" in lower case) opened no body: the department's name went
    # on its superior's line and the plan's issuer became the province's people's committee;
    # a quote before the type heading hid the heading, and the opening's capitals joined in
    m = extract_metadata(DEPARTMENT.format(head=head, heading=heading).split("\n"), RULES.metadata, RULES.units)
    assert m["issuer"] == "Sở Công Thương tỉnh Khánh Hòa"
    assert m["doc_type"] == "Kế hoạch"
