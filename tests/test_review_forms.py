"""The review form's text for each field, and back into the record's form."""
from __future__ import annotations

from kehoach.extract.rules import load_rules
from kehoach.outputs.review_forms import field_to_text, text_to_field
from kehoach.schema import Target, Task
from kehoach.schema.models import Deadline, TargetValue, UnitRef

RULES = load_rules()


def test_values_one_per_line_with_their_year():
    values = text_to_field("values", "2025: ≥ 80%\n2026:   90 %\n\nkhông có số", 2025, RULES)
    assert [(v["year"], v["raw"]) for v in values] == [(2025, "≥ 80%"), (2026, "90 %"), (None, "không có số")]
    assert values[0]["value"] == 80.0 and values[0]["comparator"] == ">=" and values[0]["unit"] == "%"
    t = Target.model_validate({"text": "x", "values": values})
    assert field_to_text(t, "values") == "2025: ≥ 80%\n2026: 90 %\nkhông có số"


def test_a_deadline_is_parsed_and_one_that_does_not_parse_is_kept_as_printed():
    assert text_to_field("deadline", "Quý IV/2025", 2025, RULES)["end"] == "2025-12-31"
    assert text_to_field("deadline", "khi có chỉ đạo", 2025, RULES)["raw"] == "khi có chỉ đạo"
    assert text_to_field("deadline", "  ", 2025, RULES) is None


def test_units_are_split_on_semicolons_and_named_as_the_registry_names_them():
    units = text_to_field("lead_units", "Sở Nội vụ; ; Một ban mới lập", None, RULES)
    assert [(u["name"], u["known"]) for u in units] == [("Sở Nội vụ", True), ("Một ban mới lập", False)]
    task = Task(text="x", lead_units=[UnitRef(raw="a", name="Sở Nội vụ"), UnitRef(raw="b", name="Công an tỉnh")],
                deadline=Deadline(raw="Tháng 8/2025", kind="month"))
    assert field_to_text(task, "lead_units") == "Sở Nội vụ; Công an tỉnh"
    assert field_to_text(task, "deadline") == "Tháng 8/2025"


def test_text_is_nfc_and_an_empty_ordinal_is_none():
    assert text_to_field("text", " Tăng cu\u031bo\u031b\u0300ng ", None, RULES) == "Tăng cường"
    assert text_to_field("ordinal", "  ", None, RULES) is None
    assert isinstance(TargetValue.model_validate(text_to_field("values", "2030: 5 xã", None, RULES)[0]), TargetValue)
