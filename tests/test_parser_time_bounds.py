"""No input makes one call of the deadline, value or unit parser run away: 100k-character
texts built from real phrase pieces (digits, dates, symbols, separators) each end within a
hard bound (an interrupt, not a speed measurement: the calls take well under a second)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehoach.extract.deadlines import parse_deadline
from kehoach.extract.units import UnitRegistry
from kehoach.extract.values import parse_value_cell, parse_values
from kehoach.pipeline.limits import stage_time_limit

LENGTH = 100_000
BOUND_S = 20  # an order of magnitude above the slowest call seen (~1 s)
PIECES = ["trước ngày 30/6/2025", "1", "0", "9", ".", ",", "/", "-", " ", "\n", "%", "≥ ",
          "tháng ", "quý ", "năm 2025", "ngày 15/8", "Quý I", "hàng năm", "số 110/KH-UBND",
          "1.000.000", "74,07", "5G", "(1)", "Sở ", "Ủy ban nhân dân ", "và ", ", ", "a", "đ",
          "giai đoạn 2025 - 2030", "đến hết", "chủ trì", "(", ")", "/năm", "so "]
DEGENERATE = ["1" * LENGTH, "1." * (LENGTH // 2), "30/" * (LENGTH // 3), "1/" * (LENGTH // 2),
              " " * LENGTH, "ngày " * (LENGTH // 5), "so 1" * (LENGTH // 4)]
SLOW = settings(max_examples=8, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _long(pieces: list[str]) -> str:
    unit = "".join(pieces) or "1"
    return (unit * (LENGTH // len(unit) + 1))[:LENGTH]


def _bounded(fn, text: str) -> None:
    with stage_time_limit("extract", BOUND_S, f"{fn.__name__} on {text[:30]!r}..."):
        fn(text)


@pytest.mark.parametrize("fn", [parse_deadline, parse_values, parse_value_cell])
@pytest.mark.parametrize("text", DEGENERATE, ids=lambda t: repr(t[:6]))
def test_degenerate_long_texts_end(fn, text):
    _bounded(fn, text)


@SLOW
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_deadline_parser_ends_on_long_texts(pieces):
    _bounded(parse_deadline, _long(pieces))


@SLOW
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_value_parsers_end_on_long_texts(pieces):
    text = _long(pieces)
    _bounded(parse_values, text)
    _bounded(parse_value_cell, text)


@pytest.mark.xfail(strict=True, reason="extract.units splits and re-matches pieces of a long "
                   "cell in quadratic time (6k chars: 3.3 s, 10k: 15 s); see the units issue")
def test_unit_parser_ends_on_a_long_mixed_text():
    registry = UnitRegistry.load()
    text = _long(["Sở ", "Ủy ban nhân dân ", "và ", ", ", "1", ".", "UBND xã", "chủ trì", "(", ")"])
    with stage_time_limit("extract", BOUND_S, "UnitRegistry.parse"):
        registry.parse(text)
