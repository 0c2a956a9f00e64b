"""Parse a deadline phrase ("Thời gian hoàn thành") into a schema ``Deadline``.

The phrase grammar (period patterns, range connectors, recurring / conditional / status
markers) is data: ``extract/data/deadline_phrases.yaml``. This module holds the matching
logic only:

1. split the phrase into parts ("Cấp xã 15/8/2025; Cấp tỉnh trong năm 2025");
2. in each part, blank out cited documents ("Kế hoạch số 110/KH-UBND ngày 23/4/2025") and,
   when text remains outside them, parenthesised remarks; find the periods (date, month,
   quarter, half-year, year) and join "từ X đến Y" / "2025 - 2030" into one period;
3. a part with no period printed with its year falls back to recurring / conditional
   markers, then to kind ``none``;
4. several periods make kind ``multiple`` with ``parts``; start/end bound them all.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Optional

from rapidfuzz import fuzz

from ..core.folding import fold, squash_spaces
from ..schema import Deadline
from .rules.deadlines import DeadlineGrammar, DeadlineRules

@dataclass
class _Period:
    """One period found in folded text: its span, kind and (possibly open) fields."""

    start: int
    end: int
    kind: str
    order: int
    d: Optional[int] = None
    m: Optional[int] = None
    y: Optional[int] = None
    q: Optional[int] = None
    h: Optional[str] = None
    end_period: Optional["_Period"] = None  # set when this period is a range "X đến Y"

    def needs_year(self) -> bool:
        return self.y is None


# ---------------------------------------------------------------------------- helpers


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """Given text and spans, return the text with those spans replaced by spaces."""
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def _paren_spans(text: str) -> list[tuple[int, int]]:
    """Given text, return the spans of its top-level parenthesised remarks (unclosed: to end)."""
    spans, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            if depth == 0:
                start = i
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    if depth:
        spans.append((start, len(text)))
    return spans


@lru_cache(maxsize=256)
def _marker_rx(marker: str) -> re.Pattern:
    """Given a folded marker phrase, return its whole-word pattern."""
    return re.compile(rf"(?<![a-z]){re.escape(marker)}(?![a-z])")


def _has_marker(folded: str, markers: list[str], g: DeadlineGrammar) -> bool:
    """Given folded text, return whether it contains one of the markers (OCR-tolerant)."""
    padded = f" {squash_spaces(folded)} "
    if any(_marker_rx(m).search(padded) for m in markers):
        return True
    for m in markers:
        if len(m) >= g.fuzzy_min_length and len(padded) >= len(m):
            if fuzz.partial_ratio(m, padded) >= g.fuzzy_min_score:
                return True
    return False


def _to_int(s: Optional[str]) -> Optional[int]:
    return int(s) if s is not None and s.isdigit() else None


def _find_periods(folded: str, c: DeadlineRules) -> list[_Period]:
    """Given folded text, return its non-overlapping periods, left to right (longest wins)."""
    found: list[_Period] = []
    for order, (pat, rx) in enumerate(c.periods):
        for m in rx.finditer(folded):
            gd = m.groupdict()
            q, q2 = gd.get("q"), gd.get("q2")
            p = _Period(
                start=m.start(), end=m.end(), kind=pat.kind, order=order,
                d=_to_int(gd.get("d")), m=_to_int(gd.get("m")), y=_to_int(gd.get("y")),
                q=quarter_of(q, c.grammar) if q else None,
                h=gd.get("h"),
            )
            if q2:  # "Quý III-IV/2025": one match, a range of quarters of one year
                p.end_period = _Period(start=m.start(), end=m.end(), kind=pat.kind, order=order,
                                       y=p.y, q=quarter_of(q2, c.grammar))
                if p.end_period.q is None:
                    continue
            if _plausible(p):
                found.append(p)
    found.sort(key=lambda p: (p.start, -(p.end - p.start), p.order))
    chosen: list[_Period] = []
    for p in found:
        if chosen and p.start < chosen[-1].end:
            continue
        chosen.append(p)
    return chosen


def quarter_of(numeral: str, g: DeadlineGrammar) -> Optional[int]:
    """Given a quarter's numeral as printed (folded: "iii", "3", OCR's "1h", "ll"), return
    the quarter 1-4, or None when it is none."""
    if numeral in g.roman_quarters:
        return g.roman_quarters[numeral]
    if numeral.isdigit() and len(numeral) == 1:
        return int(numeral)
    strokes = "".join(g.roman_ocr.get(ch, "?") for ch in numeral)
    if strokes and set(strokes) == {"i"} and len(strokes) > g.max_quarter_strokes:
        return g.roman_quarters.get("i" * g.max_quarter_strokes)  # "IHI": III with a stroke doubled
    return g.roman_quarters.get(strokes)


def _plausible(p: _Period) -> bool:
    """Given a period, return whether its fields can be a real calendar period."""
    if p.kind == "quarter" and p.q is None:
        return False
    if p.m is not None and not 1 <= p.m <= 12:
        return False
    if p.y is not None and not 1900 <= p.y <= 2100:
        return False
    if p.d is not None:
        if not 1 <= p.d <= 31:
            return False
        if p.m is not None:
            last = calendar.monthrange(p.y or 2000, p.m)[1]  # 2000: leap, keeps 29/2
            if p.d > last:
                return False
    return True


def _bounds(p: _Period, year: int) -> tuple[date, date]:
    """Given a period and the year it falls in, return its first and last day."""
    if p.kind == "date":
        d = date(year, p.m, min(p.d, calendar.monthrange(year, p.m)[1]))
        return d, d
    if p.kind == "month" and p.h is not None:
        first_half = p.h == "dau"
        return (date(year, 1, 1), date(year, 6, 30)) if first_half else (
            date(year, 7, 1), date(year, 12, 31))
    if p.kind == "month":
        return date(year, p.m, 1), date(year, p.m, calendar.monthrange(year, p.m)[1])
    if p.kind == "quarter":
        m0 = 3 * (p.q - 1) + 1
        return date(year, m0, 1), date(year, m0 + 2, calendar.monthrange(year, m0 + 2)[1])
    return date(year, 1, 1), date(year, 12, 31)


def _join_ranges(periods: list[_Period], folded: str, g: DeadlineGrammar) -> list[_Period]:
    """Given periods in text order, return them with "X đến Y" / "X - Y" pairs joined."""
    out: list[_Period] = []
    i = 0
    while i < len(periods):
        p = periods[i]
        if i + 1 < len(periods):
            between = squash_spaces(folded[p.end:periods[i + 1].start])
            if between in g.range_connectors:
                p.end_period = periods[i + 1]
                out.append(p)
                i += 2
                continue
        out.append(p)
        i += 1
    return out


def _share_years(periods: list[_Period], folded: str, g: DeadlineGrammar) -> None:
    """Given periods in text order, give a period printed without its year the year of the
    next one when only a list word lies between them: "Quý I và Quý II năm 2026", "Tháng 9,
    tháng 10/2025" (the year is printed once for the list)."""
    for p, q in reversed(list(zip(periods, periods[1:]))):
        if p.y is None and p.end_period is None and p.kind != "year" and q.y is not None \
                and squash_spaces(folded[p.end:q.start]) in g.list_connectors:
            p.y = q.y


def _labelled(periods: list[_Period], folded: str, g: DeadlineGrammar) -> tuple[Optional[int], list[_Period]]:
    """Given periods, return (label year, periods after the label) for "Năm 2026: tháng 11".

    A year followed by the label end (":") names the year of what follows it.
    """
    if len(periods) >= 2 and periods[0].kind == "year" and periods[0].end_period is None:
        after = folded[periods[0].end:periods[1].start].strip()
        if after.startswith(g.label_end):
            return periods[0].y, periods[1:]
    return None, periods


@dataclass
class _Resolved:
    kind: str
    start: Optional[date]
    end: Optional[date]
    inferred: bool


def _resolve(p: _Period, context_year: Optional[int], plan_year: Optional[int]) -> _Resolved:
    """Given a period (maybe a range) and the years around it, return its kind and bounds.

    Year order: printed > the other end of a range > a label ("Năm 2026:") > the plan.
    """
    q = p.end_period
    y1 = p.y or (q.y if q else None) or context_year
    y2 = (q.y if q else None) or p.y or context_year
    inferred = False
    if y1 is None and plan_year is not None:
        y1, inferred = plan_year, True
    if q is not None and y2 is None and plan_year is not None:
        y2, inferred = plan_year, True
    kind = p.kind if q is None or q.kind == p.kind else ("date" if "date" in (p.kind, q.kind) else p.kind)
    if y1 is None or (q is not None and y2 is None):
        return _Resolved(kind, None, None, False)
    start, end = _bounds(p, y1)
    if q is not None:
        _, end = _bounds(q, y2)
    return _Resolved(kind, start, end, inferred)


def _iso(d: Optional[date]) -> Optional[str]:
    return d.isoformat() if d else None


# ---------------------------------------------------------------------------- parsing


def _part_to_deadline(raw: str, plan_year: Optional[int], c: DeadlineRules,
                      context_year: Optional[int] = None) -> Deadline:
    """Given one part of a deadline cell (no separators), return its Deadline."""
    g = c.grammar
    folded = fold(raw)
    lead = squash_spaces(folded).lstrip("(-–+•* ")
    if any(lead.startswith(s) for s in g.status):
        return Deadline(raw=raw, kind="none")

    refs = [m.span() for rx in c.references for m in rx.finditer(folded)]
    body = _blank(folded, refs)
    outside = _blank(body, _paren_spans(body))
    # Remarks in parentheses count only when the text outside them says nothing.
    for scope in (outside, body):
        periods = _join_ranges(_find_periods(scope, c), scope, g)
        _share_years(periods, scope, g)
        label_year, periods = _labelled(periods, scope, g)
        year = label_year or context_year
        printed = [p for p in periods if p.y is not None or (p.end_period and p.end_period.y)]
        if not printed and year is None:
            if _has_marker(scope, g.recurring, g):
                return Deadline(raw=raw, kind="recurring")
            if _has_marker(scope, g.conditional, g):
                return Deadline(raw=raw, kind="conditional")
        if periods:
            break
    else:
        return Deadline(raw=raw, kind="none")
    context_year = year

    resolved = [_resolve(p, context_year, plan_year) for p in periods]
    if len(periods) == 1:
        r = resolved[0]
        return Deadline(raw=raw, kind=r.kind, start=_iso(r.start), end=_iso(r.end),
                        year_inferred=r.inferred)
    parts = []
    for p, r in zip(periods, resolved):
        last = p.end_period.end if p.end_period else p.end
        parts.append(Deadline(raw=squash_spaces(raw[p.start:last]), kind=r.kind,
                              start=_iso(r.start), end=_iso(r.end), year_inferred=r.inferred))
    return _combine(raw, parts)


def _combine(raw: str, parts: list[Deadline]) -> Deadline:
    """Given the deadlines of several parts, return one kind=multiple deadline spanning them.

    end = the last due date; start = the start of the part due first (so "Cấp xã 15/8/2025;
    Cấp tỉnh trong năm 2025" runs 2025-08-15..2025-12-31: the coarse year part does not
    pull the start back to January, as the gold records have it).
    """
    dated = [p for p in parts if p.end]
    first = min(dated, key=lambda p: (p.end, p.start or p.end)) if dated else None
    return Deadline(raw=raw, kind="multiple", start=first.start if first else None,
                    end=max(p.end for p in dated) if dated else None, parts=parts,
                    year_inferred=any(p.year_inferred for p in parts))


def parse_deadline(raw: str, plan_year: int | None, rules: DeadlineRules) -> Deadline | None:
    """Given a deadline phrase as printed, return its Deadline (None only for empty input).

    ``raw`` is NFC (``extract.items`` and ``outputs.review_forms`` make it so where it enters);
    ``plan_year`` fills a year that is not printed ("tháng 11"); ``year_inferred`` says so;
    ``rules`` is the bundle's ``deadlines`` (``extract.rules.load_rules()``).
    """
    if raw is None:
        return None
    raw = raw.strip()
    if not raw:
        return None
    c = rules
    if plan_year is not None and not 1900 <= plan_year <= 2100:
        plan_year = None  # not a year a plan can have
    pieces = [squash_spaces(s) for s in c.separators.split(raw)]
    # Separators inside parentheses do not split ("(Đã thực hiện ...; Tiếp tục ...)").
    pieces = _rejoin_parenthesised([s for s in pieces if s])
    if not pieces:
        return Deadline(raw=raw, kind="none")
    if len(pieces) == 1:
        return _part_to_deadline(pieces[0], plan_year, c).model_copy(update={"raw": raw})
    parts = [_part_to_deadline(p, plan_year, c) for p in pieces]
    if not any(p.start or p.end for p in parts):
        # No part has dates: one phrase in several pieces ("Thường xuyên; khi có yêu cầu").
        kinds = [p.kind for p in parts if p.kind != "none"]
        return Deadline(raw=raw, kind=kinds[0] if kinds else "none")
    flat: list[Deadline] = []
    for p in parts:
        flat.extend(p.parts if p.kind == "multiple" else [p])
    dated = [p for p in flat if p.start or p.end]
    if len(dated) == 1 and all(p.kind == "none" for p in flat if p is not dated[0]):
        # status words beside one milestone ("Đang triển khai; hoàn thành quý II/2026")
        return dated[0].model_copy(update={"raw": raw})
    if len(flat) == 1:
        return flat[0].model_copy(update={"raw": raw})
    return _combine(raw, flat)


def _rejoin_parenthesised(pieces: list[str]) -> list[str]:
    """Given pieces split at separators, return them with splits inside parentheses undone."""
    out: list[str] = []
    depth = 0
    for p in pieces:
        if depth > 0 and out:
            out[-1] = f"{out[-1]}; {p}"
        else:
            out.append(p)
        depth += p.count("(") - p.count(")")
        depth = max(depth, 0)
    return out
