"""Tests for outputs.compare: record scoring used by `bench extract` and the audit."""
from __future__ import annotations

import copy
import json

import pytest

from kehoach.outputs.compare import (assign_max_weight, compare_records, set_f1, text_similarity,
                             units_to_set, values_to_multiset)
from kehoach.schema import Document, Source
from kehoach.core.corpus import GOLD

PLANS = ["000-cho-don", "001-son-la", "003-xa", "004-tan-ky"]


def _gold(name: str) -> dict:
    path = GOLD / f"{name}.records.json"
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _gold_to_document(g: dict) -> Document:
    """Convert a gold record (units as strings) to a schema Document (units as UnitRef)."""
    def conv(items, kind):
        out = []
        for it in items or []:
            it = dict(it)
            for k in ("lead_units", "cooperating_units"):
                it[k] = [{"raw": u, "name": u} for u in it.get(k) or []]
            if kind == "tasks":
                it.pop("values", None)
            out.append(it)
        return out

    data = {k: g.get(k) for k in ("number", "doc_type", "issuer", "place", "issued_date", "title")}
    data["signer"] = g.get("signer") or {}
    return Document.model_validate({**data, "source": Source(path="x", sha256="0", kind="text"),
                                    "targets": conv(g.get("targets"), "targets"),
                                    "tasks": conv(g.get("tasks"), "tasks")})


@pytest.mark.parametrize("name", PLANS)
def test_gold_against_itself_and_its_document_form_is_perfect(name):
    g = _gold(name)
    for actual in (g, _gold_to_document(g)):
        s = compare_records(g, actual)
        assert s.items.f1 == 1.0
        assert s.targets.lead_units.accuracy == 1.0
        assert s.targets.values.accuracy == 1.0
        assert s.metadata_accuracy == 1.0
        assert s.mismatches == []


def test_missing_item_extra_item_and_wrong_fields_are_counted_with_details():
    g = _gold("000-cho-don")
    a = copy.deepcopy(g)
    dropped = a["tasks"].pop(0)
    a["tasks"].append({"text": "Một nhiệm vụ không có trong kế hoạch gốc về chăn nuôi gia súc",
                       "provenance": {"page": 9, "line_start": 3}})
    a["tasks"][0]["deadline"] = {"raw": "Tháng 8/2025", "kind": "month", "start": "2025-08-01",
                                 "end": "2025-08-31"}
    a["targets"][0]["lead_units"] = [{"raw": "Phòng Kinh tế", "name": "Phòng Kinh tế"}]
    a["targets"][1]["values"] = []
    a["number"] = "99/KH-UBND"
    s = compare_records(g, a)
    n = len(g["tasks"])
    assert (s.tasks.items.tp, s.tasks.items.fp, s.tasks.items.fn) == (n - 1, 1, 1)
    assert s.tasks.deadline.correct == n - 2
    assert s.targets.lead_units.correct == len(g["targets"]) - 1
    assert s.targets.values.correct == len(g["targets"]) - 1
    assert s.metadata["number"] is False and s.metadata["title"] is True
    fields = {(m.kind, m.field) for m in s.mismatches}
    assert {("tasks", "item"), ("tasks", "deadline"), ("targets", "lead_units"),
            ("targets", "values"), ("metadata", "number")} <= fields
    extra = [m for m in s.mismatches if m.field == "item" and m.actual]
    assert extra[0].provenance == {"page": 9, "line_start": 3}
    missing = [m for m in s.mismatches if m.field == "item" and m.expected]
    assert missing[0].expected_text.startswith(dropped["text"][:40])


def test_null_tasks_are_not_scored():
    g = {"targets": [], "tasks": None}
    s = compare_records(g, {"targets": [], "tasks": [{"text": "x"}]})
    assert s.tasks.scored is False
    assert s.items.f1 == 1.0


@pytest.mark.parametrize("a,b,lo,hi", [
    ("Triển khai công bố mã định danh điện tử", "Triển khai công bố mã định danh điện tử", 1.0, 1.0),
    ("Triển khai công bố mã định danh điện tử của các cơ quan",
     "Trien khai cong bo ma dinh danh dien tu cua cac co quan", 0.0, 0.85),
    ("Thường xuyên rà soát", "Thành lập Ban Chỉ đạo chuyển đổi số", 0.0, 0.6),
])
def test_text_similarity_ranges(a, b, lo, hi):
    assert lo <= text_similarity(a, b) <= hi


def test_assignment_is_optimal_not_greedy():
    # Greedy on row 0 would take col 0 (0.9) and leave row 1 with 0.1; optimal = 0.8 + 0.85.
    w = [[0.9, 0.8], [0.85, 0.1]]
    assert assign_max_weight(w) == [(0, 1), (1, 0)]
    assert assign_max_weight([[0.5, 0.7, 0.2]]) == [(0, 1)]
    assert assign_max_weight([[0.5], [0.7]]) == [(1, 0)]


def test_units_and_values_helpers_accept_both_formats():
    assert units_to_set(["Phòng Văn hóa — Xã hội"]) == units_to_set([{"raw": "VHXH", "name": "Phòng Văn hóa - Xã hội"}])
    assert set_f1(frozenset("ab"), frozenset("bc")) == pytest.approx(0.5)
    assert set_f1(frozenset(), frozenset()) == 1.0
    assert values_to_multiset([{"year": 2025, "value": 80, "unit": "%", "comparator": ">="}]) == \
        values_to_multiset([{"year": 2025, "value": 80.0, "unit": "%", "comparator": ">=", "raw": "80%"}])
