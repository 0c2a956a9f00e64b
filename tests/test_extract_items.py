"""RawItem -> Task/Target (extract.items): shared parsing of cells printed in any layout."""
from __future__ import annotations

import pytest

from kehoach.extract.items import cell_to_units, provenance_to_read_quality, raw_item_to_item
from kehoach.extract.raw_items import RawItem
from kehoach.schema import Provenance, Target, Task
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()


@pytest.fixture(scope="module")
def registry():
    reg = RULES.units
    if reg is None:
        pytest.skip("kehoach.extract.units not available")
    return reg


def test_task_from_table_row_cells(registry):
    raw = RawItem(kind="task", ordinal="1", section="Về thể chế", appendix="Phụ lục II",
                  text="Triển khai công bố mã định danh điện tử của các cơ quan,\nđơn vị",
                  cells={"deadline": "07/2025", "lead": "Phòng Văn hóa— Xã hội",
                         "cooperating": "Các phòng, đơn vị thuộc UBND xã", "notes": "Đã có"},
                  provenance=Provenance(page=12, line_start=3, line_end=9, source="..."), layout="flat-text")
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert isinstance(item, Task)
    assert item.text == "Triển khai công bố mã định danh điện tử của các cơ quan, đơn vị"
    assert (item.deadline.kind, item.deadline.start, item.deadline.end) == ("month", "2025-07-01", "2025-07-31")
    assert [u.name for u in item.lead_units] == ["Phòng Văn hóa - Xã hội"]
    assert [u.name for u in item.cooperating_units] == ["Các phòng, đơn vị thuộc UBND xã"]
    assert item.notes == "Đã có" and item.provenance.page == 12
    assert item.warnings == [] and item.confidence == RULES.items.confidence.layouts["flat-text"]


def test_year_implied_by_plan_is_a_warning(registry):
    raw = RawItem(kind="task", text="Tổ chức đánh giá", cells={"deadline": "tháng 11"}, layout="list")
    item = raw_item_to_item(raw, 2026, registry, rules=RULES)
    assert item.deadline.end == "2026-11-30" and item.deadline.year_inferred
    assert any("year taken from the plan" in w for w in item.warnings)
    # each warning is a doubt: the list reader's prior times per_warning for each
    c = RULES.items.confidence
    assert item.confidence == round(c.layouts["list"] * c.per_warning ** len(item.warnings), 3) < c.layouts["list"]


def test_an_items_confidence_follows_how_well_its_words_were_read(registry):
    """On an OCR'd page the item's words' confidence inside its box (not the page's other
    words) scales its confidence; a text layer's words count as read."""
    from kehoach.schema import Document, Page, Source, Word

    words = [Word(text="Tổ", bbox=(100, 100, 120, 110), conf=40), Word(text="chức", bbox=(125, 100, 150, 110), conf=60),
             Word(text="Khác", bbox=(100, 300, 150, 310), conf=99)]
    doc = Document(source=Source(path="x.pdf", sha256="0" * 64, kind="pdf"),
                   pages=[Page(number=1, method="ocr", words=words, confidence=66.3),
                          Page(number=2, method="text", words=words)])
    box = Provenance(page=1, bbox=(90, 95, 200, 115))
    assert provenance_to_read_quality(box, doc) == pytest.approx(0.5)
    assert provenance_to_read_quality(Provenance(page=1), doc) == pytest.approx(0.663)  # no box: the page's
    assert provenance_to_read_quality(Provenance(page=2, bbox=(90, 95, 200, 115)), doc) == 1.0
    raw = RawItem(kind="task", text="Tổ chức", cells={"lead": "Sở Nội vụ"}, layout="image-grid", provenance=box)
    read = provenance_to_read_quality(box, doc)
    assert raw_item_to_item(raw, 2025, registry, rules=RULES, read=read).confidence == round(
        RULES.items.confidence.layouts["image-grid"] * 0.5, 3)


def test_cooperating_units_never_repeat_the_lead(registry):
    raw = RawItem(kind="task", text="x", cells={"lead": "Trung tâm PV HCC",
                                                 "cooperating": "Trung tâm PV HCC; Phòng Văn hóa - Xã hội"})
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert [u.name for u in item.lead_units] == ["Trung tâm Phục vụ hành chính công"]
    assert [u.name for u in item.cooperating_units] == ["Phòng Văn hóa - Xã hội"]


def test_target_values_from_year_columns(registry):
    raw = RawItem(kind="target", text="Tỷ lệ cán bộ công chức cấp xã được bồi dưỡng kỹ năng số",
                  cells={"year:2025": "80%", "year:2030": "100%", "lead": "Các cơ quan, đơn vị"}, layout="pdf-table")
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert isinstance(item, Target)
    assert [(v.year, v.value, v.unit) for v in item.values] == [(2025, 80.0, "%"), (2030, 100.0, "%")]


def test_target_values_from_text_take_the_deadline_year(registry):
    raw = RawItem(kind="target", text="Tối thiểu 80% hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến",
                  cells={"deadline": "năm 2026"}, layout="prose")
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert [(v.year, v.value, v.comparator) for v in item.values] == [(2026, 80.0, ">=")]


def test_unparsable_deadline_is_kept_with_a_warning(registry):
    raw = RawItem(kind="task", text="x", cells={"deadline": "Theo 0 tay"})
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert (item.deadline.raw, item.deadline.kind, item.deadline.end) == ("Theo 0 tay", "none", None)
    assert any("not understood" in w and "Theo 0 tay" in w for w in item.warnings)


def test_units_without_registry_keep_raw_names_and_warn():
    units, warns = cell_to_units("Phòng Kinh tế; Công an xã", None)
    assert [u.name for u in units] == ["Phòng Kinh tế", "Công an xã"]
    assert all(not u.known for u in units) and warns


def test_ratio_targets_give_bare_values_a_percent_unit(registry):
    raw = RawItem(kind="target", text="Tỷ lệ phủ sóng 5G (6G từ năm 2035)",
                  cells={"year:2025": "≥30%", "year:2030": "≥90"}, layout="pdf-table")
    item = raw_item_to_item(raw, 2025, registry, rules=RULES)
    assert [(v.year, v.value, v.unit) for v in item.values] == [(2025, 30.0, "%"), (2030, 90.0, "%")]
    assert any("implied" in w for w in item.warnings)
    other = raw_item_to_item(RawItem(kind="target", text="Số doanh nghiệp khoa học công nghệ",
                                     cells={"year:2025": ">1"}), 2025, registry, rules=RULES)
    assert [v.unit for v in other.values] == [None]
