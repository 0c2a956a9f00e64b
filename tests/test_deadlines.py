"""Tests of extract.deadlines: every deadline phrasing of the gold records, and properties."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.extract.deadlines import parse_deadline
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()

# (raw as printed, kind, start, end): every distinct deadline of corpus/gold/*.records.json.
GOLD_DEADLINES = [
    ('Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025', 'date', '2025-07-01', '2025-12-31'),
    ('07/2025', 'month', '2025-07-01', '2025-07-31'),
    ('Thường xuyên', 'recurring', None, None),
    ('Khi có yêu cầu', 'conditional', None, None),
    ('Trước ngày 20/12/2025', 'date', '2025-12-20', '2025-12-20'),
    ('Trước ngày 30/6/2025', 'date', '2025-06-30', '2025-06-30'),
    ('Trước 31/12/2025', 'date', '2025-12-31', '2025-12-31'),
    ('Theo lộ trình hướng dẫn của KH 02', 'conditional', None, None),
    ('Khi có hướng dẫn mới', 'conditional', None, None),
    ('năm 2025', 'year', '2025-01-01', '2025-12-31'),
    ('năm 2026', 'year', '2026-01-01', '2026-12-31'),
    ('Tháng 8/2025', 'month', '2025-08-01', '2025-08-31'),
    ('Trong năm 2025', 'year', '2025-01-01', '2025-12-31'),
    ('Tháng 12/2025', 'month', '2025-12-01', '2025-12-31'),
    ('Tháng 9/2025', 'month', '2025-09-01', '2025-09-30'),
    ('(Đã thực hiện triển khai chức năng chính quyền địa phương 02 cấp trên Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh; Tiếp tục thực hiện kết nối theo hướng dẫn mới)', 'none', None, None),
    ('(Đã thực hiện kết nối)', 'none', None, None),
    ('Nhiệm vụ thường xuyên', 'recurring', None, None),
    ('Cấp xã 15/8/2025; Cấp tỉnh trong năm 2025', 'multiple', '2025-08-15', '2025-12-31'),
    ('Tháng 7/2025', 'month', '2025-07-01', '2025-07-31'),
    ('(Đã ban hành Kế hoạch số 110/KH-UBND ngày 23/4/2025)', 'none', None, None),
    ('Năm 2025: Tháng 11/2025; Năm 2026: tháng 11', 'multiple', '2025-11-01', '2026-11-30'),
    ('nhiệm vụ thường xuyên', 'recurring', None, None),
    ('hoàn thành trong tháng 11/2025', 'month', '2025-11-01', '2025-11-30'),
    ('hoàn thành trong tháng 9/2025', 'month', '2025-09-01', '2025-09-30'),
    ('hoàn thành trước ngày 20/12/2025', 'date', '2025-12-20', '2025-12-20'),
    ('hoàn thành trước ngày 30/12/2025', 'date', '2025-12-30', '2025-12-30'),
    ('hoàn thành trong tháng 8/2025', 'month', '2025-08-01', '2025-08-31'),
    ('Hoàn thành trong năm 2025 (nhiệm vụ thường xuyên)', 'year', '2025-01-01', '2025-12-31'),
    ('trước 8h00 thứ 6 hàng tuần', 'recurring', None, None),
    ('trước ngày 15 hàng tháng', 'recurring', None, None),
    ('trước ngày 20 hàng tháng', 'recurring', None, None),
    ('trước ngày 15/12/2025', 'date', '2025-12-15', '2025-12-15'),
    ('Hoàn thành trong tháng 7 năm 2025', 'month', '2025-07-01', '2025-07-31'),
    ('Hoàn thành trong Quý III năm 2025', 'quarter', '2025-07-01', '2025-09-30'),
    ('Hoàn thành trong tháng 9 năm 2025', 'month', '2025-09-01', '2025-09-30'),
    ('Thực hiện thường xuyên', 'recurring', None, None),
    ('Hoàn thành trong năm 2025', 'year', '2025-01-01', '2025-12-31'),
    ('Hoàn thành trong năm 2026', 'year', '2026-01-01', '2026-12-31'),
    ('Trong tháng 8/2025', 'month', '2025-08-01', '2025-08-31'),
    ('Trong tháng 11/2025', 'month', '2025-11-01', '2025-11-30'),
]


@pytest.mark.parametrize("raw,kind,start,end", GOLD_DEADLINES)
def test_gold_deadlines(raw, kind, start, end):
    d = parse_deadline(raw, plan_year=2025, rules=RULES.deadlines)
    assert (d.kind, d.start, d.end) == (kind, start, end)
    assert d.raw == raw


@pytest.mark.parametrize("raw,kind,start,end,inferred", [
    ("Tháng 8/2025", "month", "2025-08-01", "2025-08-31", False),
    ("Trong tháng 11/2025", "month", "2025-11-01", "2025-11-30", False),
    ("tháng 11", "month", "2025-11-01", "2025-11-30", True),
    ("Quý III năm 2025", "quarter", "2025-07-01", "2025-09-30", False),
    ("quý 2/2026", "quarter", "2026-04-01", "2026-06-30", False),
    ("Quý IV", "quarter", "2025-10-01", "2025-12-31", True),
    ("Năm 2026", "year", "2026-01-01", "2026-12-31", False),
    ("2025-2030", "year", "2025-01-01", "2030-12-31", False),
    ("Giai đoạn 2025 - 2030", "year", "2025-01-01", "2030-12-31", False),
    ("6 tháng đầu năm 2026", "month", "2026-01-01", "2026-06-30", False),
    ("từ tháng 7 đến tháng 12/2025", "month", "2025-07-01", "2025-12-31", False),
    ("Sơn La, ngày 12 tháng 08 năm 2025", "date", "2025-08-12", "2025-08-12", False),
    ("Trước ngày\n20/12/2025", "date", "2025-12-20", "2025-12-20", False),
    ("Đến hết năm 2025", "year", "2025-01-01", "2025-12-31", False),
    # old OCR text without diacritics
    ("Hoan thanh trong thang 7 nam 2025", "month", "2025-07-01", "2025-07-31", False),
    ("Thuong xuyen", "recurring", None, None, False),
    ("Hoan thanh trong thang 7 ndm 2025", "month", "2025-07-01", "2025-07-31", False),
    ("thwong xuyén", "recurring", None, None, False),
    # a printed day/month without year repeats every year
    ("trước ngày 15/12 hằng năm", "recurring", None, None, False),
    # a cited document's date is not a deadline
    ("Theo Kế hoạch số 10/KH-UBND ngày 5/5/2025", "conditional", None, None, False),
    ("Tháng 8/2025 (cấp tỉnh đã giao tại Quyết định số 1428 ngày 17/6/2025)",
     "month", "2025-08-01", "2025-08-31", False),
    ("31/2/2025", "none", None, None, False),
    ("Đang cập nhật", "none", None, None, False),
])
def test_phrasings(raw, kind, start, end, inferred):
    d = parse_deadline(raw, plan_year=2025, rules=RULES.deadlines)
    assert (d.kind, d.start, d.end, d.year_inferred) == (kind, start, end, inferred)


def test_multiple_has_parts_with_their_own_periods():
    d = parse_deadline("Năm 2025: Tháng 11/2025; Năm 2026: tháng 11", plan_year=2025, rules=RULES.deadlines)
    assert d.kind == "multiple"
    assert [(p.kind, p.start, p.end) for p in d.parts] == [
        ("month", "2025-11-01", "2025-11-30"), ("month", "2026-11-01", "2026-11-30")]
    # the 2026 part took its year from its label, not from the plan
    assert not d.year_inferred


def test_list_of_years_is_multiple():
    d = parse_deadline("Năm 2025, 2026", None, RULES.deadlines)
    assert d.kind == "multiple" and [p.raw for p in d.parts] == ["Năm 2025", "2026"]


def test_year_not_printed_without_plan_year_has_no_dates():
    d = parse_deadline("tháng 11", None, RULES.deadlines)
    assert (d.kind, d.start, d.end, d.year_inferred) == ("month", None, None, False)


@pytest.mark.parametrize("raw", ["", "   ", "\n"])
def test_empty_is_none(raw):
    assert parse_deadline(raw, None, RULES.deadlines) is None


def test_raw_kept_verbatim_but_stripped():
    assert parse_deadline("  Trước ngày\n20/12/2025 ", None, RULES.deadlines).raw == "Trước ngày\n20/12/2025"


def test_grammar_file_validates():
    g = RULES.deadlines.grammar
    assert {p.kind for p in g.periods} <= {"date", "month", "quarter", "year"}
    assert "thuong xuyen" in g.recurring  # markers are folded on load


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text):
    d = parse_deadline(text, plan_year=2025, rules=RULES.deadlines)
    assert d is None or d.kind in {"date", "month", "quarter", "year", "multiple",
                                   "recurring", "conditional", "none"}


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["Trước ngày {d}/{m}/{y}", "hoàn thành trước ngày {d:02d}/{m:02d}/{y}",
                        "ngày {d} tháng {m} năm {y}", "Trước {d}/{m}/{y}"]))
def test_date_round_trip(day, template):
    raw = template.format(d=day.day, m=day.month, y=day.year)
    d = parse_deadline(raw, None, RULES.deadlines)
    assert (d.kind, d.start, d.end) == ("date", day.isoformat(), day.isoformat())


@settings(max_examples=200, deadline=None)
@given(st.integers(1990, 2099), st.integers(1, 12),
       st.sampled_from(["Tháng {m}/{y}", "Trong tháng {m}/{y}", "Hoàn thành trong tháng {m} năm {y}",
                        "{m:02d}/{y}"]))
def test_month_round_trip(year, month, template):
    d = parse_deadline(template.format(m=month, y=year), None, RULES.deadlines)
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert (d.kind, d.start, d.end) == ("month", first.isoformat(), last.isoformat())


@settings(max_examples=100, deadline=None)
@given(st.integers(1990, 2099), st.integers(1, 4),
       st.sampled_from(["Quý {r} năm {y}", "Hoàn thành trong Quý {r} năm {y}", "quý {q}/{y}"]))
def test_quarter_round_trip(year, q, template):
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[q]
    d = parse_deadline(template.format(r=roman, q=q, y=year), None, RULES.deadlines)
    first = date(year, 3 * q - 2, 1)
    last = (date(year, 3 * q, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert (d.kind, d.start, d.end) == ("quarter", first.isoformat(), last.isoformat())


@settings(max_examples=100, deadline=None)
@given(st.integers(1990, 2098), st.integers(0, 10),
       st.sampled_from(["Năm {a}", "Trong năm {a}", "Giai đoạn {a} - {b}", "{a}-{b}"]))
def test_year_round_trip(a, span, template):
    b = min(a + span, 2099)
    d = parse_deadline(template.format(a=a, b=b), None, RULES.deadlines)
    end = b if "{b}" in template else a
    assert (d.kind, d.start, d.end) == ("year", f"{a}-01-01", f"{end}-12-31")


@pytest.mark.parametrize("raw,start,end", [
    ("Hoàn thành trong Quý 1H năm 2025", "2025-07-01", "2025-09-30"),   # OCR of samples/004 scan
    ("Quý IlI năm 2025", "2025-07-01", "2025-09-30"),
    ("Quý lV/2025", "2025-10-01", "2025-12-31"),
    ("Quý 11 năm 2025", "2025-04-01", "2025-06-30"),                    # "II" read as "11"
])
def test_quarter_numerals_as_ocr_reads_them(raw, start, end):
    d = parse_deadline(raw, 2025, RULES.deadlines)
    assert (d.kind, d.start, d.end) == ("quarter", start, end)


def test_a_quarter_that_is_none_is_no_quarter():
    assert parse_deadline("Quý 5 năm 2025", 2025, RULES.deadlines).kind == "year"


@pytest.mark.parametrize("raw,start", [
    ("Trong tháng , 112025 -", "2025-11-01"),   # one-pass OCR of samples/004-tan-ky.scan.pdf
    ("Tháng 82025", "2025-08-01"),
])
def test_month_and_year_glued_when_ocr_lost_the_slash(raw, start):
    d = parse_deadline(raw, 2025, RULES.deadlines)
    assert (d.kind, d.start) == ("month", start)
