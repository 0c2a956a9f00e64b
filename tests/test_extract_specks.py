"""The OCR speck sets (extract/data/ocr_specks.yaml) and the code that strips them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from kehoach.extract.metadata import _clean_line
from kehoach.extract.prose import Block, is_group_label
from kehoach.extract.sections import Line, classify_line, is_page_number, match_field_line, section_role
from kehoach.extract.rules.specks import SpeckSets
from kehoach.extract.table_ordinals import section_name
from kehoach.extract.values import clean_value_cell
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()

EXTRACT = Path(__file__).resolve().parents[1] / "extract"


def test_every_set_the_code_names_is_in_the_data_file():
    names = {m for f in EXTRACT.glob("*.py")
             for m in re.findall(r'specks\["([a-z_]+)"\]', f.read_text(encoding="utf-8"))}
    assert names, "no specks[...] lookup found"
    assert names <= set(RULES.specks), names - set(RULES.specks)


def test_the_tables_carry_the_bundles_sets():
    assert RULES.tables.specks is RULES.specks and RULES.values.specks is RULES.specks
    assert RULES.metadata.specks is RULES.specks and RULES.layout.specks is RULES.specks


def test_sets_are_joined_and_taken_out():
    assert set(RULES.specks["line_lead_dash"]) == set(RULES.specks["line_lead"]) | set(RULES.specks["dashes"])
    assert ":" not in RULES.specks["label_trail"] and "." in RULES.specks["label_trail"]
    assert "." not in RULES.specks["sentence_trail"] and ":" in RULES.specks["sentence_trail"]
    # a bullet's dash is text before a line, a speck only where no bullet can stand
    assert "-" not in RULES.specks["line_lead"] and "-" in RULES.specks["line_lead_dash"]


@pytest.mark.parametrize("sets", [
    {"a": {"plus": ["missing"]}},
    {"a": {"chars": "x", "colour": "red"}},
])
def test_bad_data_file_is_rejected(sets):
    with pytest.raises(ValidationError):
        SpeckSets.model_validate({"sets": sets})


def test_a_set_including_itself_fails():
    raw = SpeckSets.model_validate({"sets": {"a": {"plus": ["b"]}, "b": {"plus": ["a"]}}})
    with pytest.raises(ValueError):
        raw.resolve("a")


@pytest.mark.parametrize("line,expected", [
    ("_ b) Mục tiêu cụ thể", ("letter", "b", "Mục tiêu cụ thể")),
    ("„+ Bảo đảm an toàn", ("bullet", "+", "Bảo đảm an toàn")),
])
def test_line_lead_specks_before_an_ordinal(line, expected):
    assert classify_line(line, RULES.layout) == expected


@pytest.mark.parametrize("line,page,expected", [("- 3 -", 3, True), ("14 -", 14, True), ("- 3 -", 9, False)])
def test_page_number_among_specks(line, page, expected):
    assert is_page_number(line, page, RULES.specks) is expected


@pytest.mark.parametrize("line,expected", [
    ("_-Cơ quan chủ trì: Văn phòng Đảng ủy.", ("lead", "Văn phòng Đảng ủy")),
    ("'~ Thời gian thực hiện: Năm 2025", ("deadline", "Năm 2025")),
])
def test_field_line_after_specks(line, expected):
    assert match_field_line(line, RULES.layout) == expected


@pytest.mark.parametrize("title,role", [("Mục tiêu cụ thể:-", "target"), ("NHIỆM VỤ_.", "task")])
def test_heading_trail_specks(title, role):
    assert section_role(title, RULES.layout) == role


@pytest.mark.parametrize("text,expected", [
    ("- Về số lượng: .'", True),       # the label's colon, then specks
    ("đảm bảo đặc thù). :", False),    # a colon OCR made of a speck after a finished sentence
])
def test_group_label_trail(text, expected):
    kind, ord_, body = classify_line(text, RULES.layout)
    line = Line(page=1, line=1, text=text, kind=kind, ord=ord_, body=body)
    assert is_group_label(Block([line]), RULES.specks) is expected


@pytest.mark.parametrize("cell,expected", [
    ("_ II. Về hạ tầng .", "Về hạ tầng"),
    ('"Thứ nhất: Về thể chế ¬', "Về thể chế"),
])
def test_section_row_specks(cell, expected):
    assert section_name(cell, RULES.tables) == expected


@pytest.mark.parametrize("cell,expected", [
    ("_>30%", ">30%"), ("- 100%", "100%"), (".100%.", "100%"), ('>3"', ">3"),
    ("10,", "10,"),  # a bare number with a trailing mark stays a damaged cell
])
def test_value_cell_specks(cell, expected):
    assert clean_value_cell(cell, RULES.values) == expected


@pytest.mark.parametrize("line,expected", [
    ("'KẾ HOẠCH:", "KẾ HOẠCH"),
    ("| ỦY BAN NHÂN DÂN ¬", "ỦY BAN NHÂN DÂN"),
    (". _ Số: 169/KH-UBND", "Số: 169/KH-UBND"),
])
def test_header_line_specks(line, expected):
    assert _clean_line(line, RULES.metadata) == expected
