"""Tests of extract.values: Vietnamese numbers and target values, on corpus phrasings."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.extract.values import (clean_value_cell, fill_row_units, parse_number, parse_values,
                            parse_year_cells, year_cells_to_values)
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


@pytest.mark.parametrize("s,expected", [
    ("1.000", 1000), ("1.000.000", 1_000_000), ("74,07", 74.07), ("0,6", 0.6), ("0.6", 0.6),
    ("1,5", 1.5), ("2,5", 2.5), ("1.5", 1.5), ("0.600", 0.6), ("1.234,5", 1234.5), ("08", 8),
    ("5000", 5000), (" 982 ", 982), ("-3", -3),
])
def test_parse_number(s, expected):
    assert parse_number(s, RULES.values) == pytest.approx(expected)


@pytest.mark.parametrize("s", ["", "abc", "10,", "5o,", "5900/", "1.2.3", "80%", None])
def test_parse_number_rejects(s):
    assert parse_number(s, RULES.values) is None


V = tuple  # (raw, value, unit, comparator)

# Target sentences of the gold records (prose): values in text order.
@pytest.mark.parametrize("text,expected", [
    ("Bảo đảm cung cấp 400 dịch vụ công trực tuyến với số lượng hồ sơ trung bình của tất cả "
     "các dịch vụ công phát sinh ít nhất 5000 hồ sơ/năm và đáp ứng yêu cầu cung cấp 100% kết quả "
     "điện tử. + Bảo đảm cung cấp dịch vụ công trực tuyến toàn trình đối với 82 nhóm thủ tục hành "
     "chính theo Quyết định số 06/QĐ-TTg ngày 06/01/2022, Quyết định số 422/QĐ-TTg, ngày 04/4/2022",
     [V(("400 dịch vụ công trực tuyến", 400, "dịch vụ công trực tuyến", ">=")),
      V(("ít nhất 5000 hồ sơ/năm", 5000, "hồ sơ/năm", ">=")),
      V(("100%", 100, "%", ">=")),
      V(("82 nhóm thủ tục hành chính", 82, "nhóm thủ tục hành chính", ">="))]),
    ("Tối thiểu 80% hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến",
     [V(("Tối thiểu 80%", 80, "%", ">="))]),
    ("100% hồ sơ, tài liệu công việc phát sinh từ ngày 01/7/2025 được tạo lập và xử lý trên môi "
     "trường điện tử; hoàn thành số hóa ít nhất 30% tài liệu lưu trữ lịch sử có giá trị cao, tạo "
     "tiền đề hoàn thành toàn bộ công tác số hóa tài liệu lưu trữ trong năm 2026",
     [V(("100%", 100, "%", ">=")), V(("ít nhất 30%", 30, "%", ">="))]),
    ("Triển khai 982 dịch vụ công trực tuyến (phù hợp với đặc điểm) có số lượng hồ sơ phát sinh "
     "trung bình tối thiểu 1.000 hồ sơ/năm/tỉnh, và bảo đảm 100% kết quả giải quyết là điện tử",
     [V(("982 dịch vụ công trực tuyến", 982, "dịch vụ công trực tuyến", ">=")),
      V(("tối thiểu 1.000 hồ sơ/năm/tỉnh", 1000, "hồ sơ/năm", ">=")),
      V(("100%", 100, "%", ">="))]),
    ("Bảo đảm duy trì và sử dụng hiệu quả 25 dịch vụ công trực tuyến toàn trình đã tích hợp",
     [V(("25 dịch vụ công trực tuyến toàn trình", 25, "dịch vụ công trực tuyến toàn trình", ">="))]),
    ("nộp hồ sơ trực tuyến thành công là dưới 08 phút.", [V(("dưới 08 phút", 8, "phút", "<"))]),
    ("cho đến khi trả kết quả cho người dân, doanh nghiệp giảm tối thiểu giảm tối thiểu 20% so với",
     [V(("giảm tối thiểu 20%", 20, "%", ">="))]),
    ("đánh giá hài lòng khi sử dụng dịch vụ công trực tuyến đạt tối thiểu 90%.",
     [V(("tối thiểu 90%", 90, "%", ">="))]),
    # numbers that are not values: dates, document symbols, years, "02 cấp"
    ("Cơ bản hoàn thành việc ban hành các văn bản trong Nghị quyết số 57-NQ/TW ngày 22/12/2024, "
     "Kế hoạch 231/KH-UBND, ngày 10/5/2025; giai đoạn 2022 - 2025, tầm nhìn đến năm 2030", []),
    ("mô hình tổ chức chính quyền địa phương 02 cấp", []),
])
def test_values_in_text(text, expected):
    got = parse_values(text, year=2025, rules=RULES.values)
    assert [(v.raw, v.value, v.unit, v.comparator) for v in got] == expected
    assert all(v.year == 2025 for v in got)


# Year cells of the multi-year target table (004 Phụ lục I).
@pytest.mark.parametrize("cell,expected", [
    ("≥30%", (30, "%", ">=")), (">80", (80, None, ">")), ("1,5%", (1.5, "%", "=")),
    ("80%", (80, "%", "=")), (">90%", (90, "%", ">")), (">0.6", (0.6, None, ">")),
    ("≥15", (15, None, ">=")), ("0,6", (0.6, None, "=")), ("X", (None, None, "=")),
    ("Hoàn thành", (None, None, "=")), (">", (None, None, ">")),
    ("5o,", (None, None, None)), ("10,", (None, None, None)), ("5740,", (None, None, None)),
    ("5900/", (None, None, None)),
])
def test_cells(cell, expected):
    [v] = parse_values(cell, year=2030, rules=RULES.values)
    assert (v.value, v.unit, v.comparator, v.year, v.raw) == (*expected, 2030, cell)


def test_year_label_before_value():
    [v] = parse_values("Đến năm 2030: 100% hồ sơ được số hóa", year=2025, rules=RULES.values)
    assert (v.year, v.value) == (2030, 100)


def test_text_without_diacritics():
    [v] = parse_values("Toi thieu 80% ho so thu tuc hanh chinh", year=2025, rules=RULES.values)
    assert (v.value, v.unit, v.comparator) == (80, "%", ">=")


def test_empty():
    assert parse_values("", None, RULES.values) == [] and parse_values("  ", None, RULES.values) == []


def test_fill_row_units_for_rates():
    row = [parse_values(c, y, RULES.values)[0] for c, y in [("≥30%", 2025), ("≥90", 2030), ("990", 2035)]]
    filled = fill_row_units(row, "Tỷ lệ phủ sóng 5G", RULES.values)
    assert [(v.value, v.unit) for v in filled] == [(30, "%"), (90, "%"), (None, "%")]
    counts = [parse_values(">1", 2025, RULES.values)[0]]
    assert fill_row_units(counts, "Số doanh nghiệp khoa học công nghệ", RULES.values)[0].unit is None


def test_parse_year_cells():
    cells = {2030: "≥90", 2025: "≥30%", 2035: "", 2040: "990"}
    got = parse_year_cells(cells, "Tỷ lệ phủ sóng 5G (6G từ năm 2035)", RULES.values)
    assert [(v.year, v.value, v.unit, v.comparator) for v in got] == [
        (2025, 30, "%", ">="), (2030, 90, "%", ">="), (2040, None, "%", None)]


def test_grammar_validates():
    g = RULES.values.g
    assert set(g.comparators.values()) <= {">=", ">", "<=", "<", "="}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text):
    for v in parse_values(text, 2025, RULES.values):
        assert v.comparator in (None, ">=", ">", "<=", "<", "=")
    parse_number(text, RULES.values)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 99))
def test_number_round_trip(whole, cents):
    """Format a number Vietnamese-style (dots for thousands, comma decimal) and read it back."""
    grouped = f"{whole:,}".replace(",", ".")
    assert parse_number(grouped, RULES.values) == whole
    assert parse_number(f"{grouped},{cents:02d}", RULES.values) == pytest.approx(whole + cents / 100)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100), st.sampled_from([("Tối thiểu", ">="), ("ít nhất", ">="), ("trên", ">"),
                                              ("dưới", "<"), ("không quá", "<="), ("≥", ">="), (">", ">")]))
def test_percent_round_trip(n, cmp):
    word, op = cmp
    [v] = parse_values(f"{word} {n}% hồ sơ được xử lý trực tuyến", 2025, RULES.values)
    assert (v.value, v.unit, v.comparator) == (n, "%", op)


# Cells of the multi-year target tables as OCR read them in samples/004-tan-ky.scan.pdf.
@pytest.mark.parametrize("cell, cleaned", [
    ("_>30%", ">30%"), ("->40%", ">40%"), ("- 100%", "100%"), (", 2%", "2%"), ("100%,", "100%"),
    (".100%.", "100%"), ("100% '", "100%"), (">50„", ">50"), ('>3"', ">3"), (">1 `", ">1"),
    ("»3", ">3"), ("z10%", "≥10%"), ("1O0%", "100%"), (": X", "X"), ("X _", "X"), ("1%;", "1%"),
    ("95%_", "95%"), ("30% °", "30%"), ("_>0.9", ">0.9"),
    # the one-pass OCR of the same table (d8e35f3)
    (">>", ">"), ("100% hóc", "100%"), ("100%: ST", "100%"), (">1 ,.", ">1"), (">2, _", ">2"),
    ("xXX", "X"), (">5 SỐ", ">5"), (">3 à", ">3"), (">0:7", ">0.7"), ("1:5", "1:5"),  # a ratio stays
    # bare numbers with a trailing mark stay damaged cells (the mark may be a misread "%")
    ("10,", "10,"), ("5900/", "5900/"), ("_ 740,", "740,"), ("5o,", "50,"), ("5l%", "51%"),
    # clean cells are left alone
    ("≥30%", "≥30%"), ("0,6", "0,6"), (">0.6", ">0.6"), ("Hoàn thành", "Hoàn thành"),
])
def test_clean_value_cell(cell, cleaned):
    assert clean_value_cell(cell, RULES.values) == cleaned


def test_year_cells_undo_ocr_damage_and_warn():
    cells = {2025: "->40%", 2030: "90% 0%", 2035: "95%_", 2040: "10,"}
    values, warns = year_cells_to_values(cells, "Tỷ lệ hệ thống thông tin được vận hành", RULES.values)
    assert [(v.year, v.value, v.unit, v.comparator) for v in values] == [
        (2025, 40, "%", ">"), (2030, 90, "%", "="), (2035, 95, "%", "="), (2040, None, "%", None)]
    assert any("'->40%'" in w for w in warns) and any("several values" in w for w in warns)


@pytest.mark.parametrize("cell, value", [("230%", 30), ("290", 90), ("2100", 100), ("240", 40)])
def test_rate_above_100_with_a_leading_2_is_a_misread_ge(cell, value):
    [v] = year_cells_to_values({2030: cell}, "Tỷ lệ phủ sóng 5G", RULES.values)[0]
    assert (v.value, v.unit, v.comparator) == (value, "%", ">=")


def test_misread_ge_only_in_rate_rows_and_for_plausible_rests():
    assert year_cells_to_values({2030: "990"}, "Tỷ lệ chi nghiên cứu", RULES.values)[0][0].value is None
    assert year_cells_to_values({2030: "22"}, "Số sáng chế", RULES.values)[0][0].value == 22


def test_specks_glued_before_a_number_in_text():
    [v] = parse_values("giảm tối thiểu _.20% so với hình thức nộp trực tiếp.", 2025, RULES.values)  # 001 scan
    assert (v.value, v.unit, v.comparator) == (20, "%", ">=")
    assert parse_values("đạt 1.5%", 2025, RULES.values)[0].value == 1.5


def test_a_rate_rewritten_from_a_misread_ge_is_flagged():
    """"230%" in a rate row is read as ≥30% — never silently: the row says what was printed."""
    from kehoach.extract.values import year_cells_to_values

    values, warnings = year_cells_to_values({2025: "230%", 2030: "≥90%", 2035: "990"}, "Tỷ lệ hồ sơ", RULES.values)
    assert [(v.comparator, v.value) for v in values] == [(">=", 30.0), (">=", 90.0), (None, None)]
    assert any("2025 read as ≥30%" in w and "'230%'" in w for w in warnings)
    assert not any("2030" in w for w in warnings)
    assert any("2035 left empty" in w for w in warnings)
