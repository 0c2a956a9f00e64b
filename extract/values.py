"""Parse Vietnamese numbers and the quantified target values of a target text or cell.

The grammar (comparator phrases, units, qualitative cells, the regex table) is data:
``extract/data/value_units.yaml``; this module holds the matching logic only.

    parse_number("1.000") -> 1000.0      parse_number("74,07") -> 74.07
    parse_values("Tối thiểu 80% hồ sơ ...", 2025)
        -> [TargetValue(year=2025, raw="Tối thiểu 80%", value=80, unit="%", comparator=">=")]

Matching is done on folded text (no diacritics) so that old OCR text without diacritics
works too; raw spans are cut from the text as printed. Text is NFC: the callers make it so
where it enters (``extract.items`` for cells, ``outputs.review_forms`` for a reviewer's text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..core.folding import fold, squash_spaces
from ..schema import TargetValue
from .rules.values import COMPARATORS, ValueRules  # noqa: F401 - COMPARATORS re-exported

# The module's character-level regexes (value grammar lives in value_units.yaml).
_RX = {
    "thousands": re.compile(r"\d{1,3}(?:\.\d{3})+"),   # 1.000 / 1.000.000
    "word": re.compile(r"\w"),
    "digit": re.compile(r"\d"),
    "not_letter": re.compile(r"[^a-z]"),
    "letter": re.compile(r"[^\W\d_]"),
    # a value cell: comparator words, one number, then its unit (no "%": parse_values reads it)
    "cell_number": re.compile(r"^(?P<pre>[^\d]*?)(?P<num>\d+(?:[.,]\d+)*)\s*(?!%)(?P<unit>\D.*)?$"),
    "zero_colon": re.compile(r"(?<![\d.,])(0):(?=\d)"),
}


# ----------------------------------------------------------------------------- numbers


def parse_number(s: str, rules: ValueRules) -> float | None:
    """Given a number as printed in Vietnamese ("1.000", "74,07", "0,6", "0.6"), return it.

    "." groups thousands when followed by groups of exactly three digits ("1.000" = 1000,
    but "0.600" and "1.5" are decimals); "," is the decimal mark. Return None for anything
    that is not a whole number string.
    """
    if s is None:
        return None
    s = str(s).strip()
    c = rules
    if not c.number_full.fullmatch(s):
        return None
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    if "," in s:
        s = s.replace(".", "").replace(",", ".")
    elif "." in s:
        int_part = s.split(".", 1)[0]
        thousands = _RX["thousands"].fullmatch(s) and int_part != "0"
        s = s.replace(".", "") if thousands else s
    try:
        return sign * float(s)
    except ValueError:
        return None


# ----------------------------------------------------------------------------- values


@dataclass
class _Found:
    start: int          # raw span in the text
    end: int
    value: Optional[float]
    unit: Optional[str]
    comparator: Optional[str]
    year: Optional[int]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _unit_after(folded: str, pos: int, c: ValueRules) -> tuple[Optional[str], int]:
    """Given folded text and the end of a number, return (unit, end of unit incl. tail)."""
    for rx, unit in c.units:
        m = rx.match(folded, pos)
        if m:
            end = m.end()
            if unit != "%":
                tail = c.unit_tail.match(folded, end)
                end = tail.end() if tail else end
            return unit, end
    return None, pos


def _comparator_before(folded: str, pos: int, c: ValueRules, ops: dict[str, str]) -> tuple[Optional[str], int]:
    """Given folded text and the start of a number, return (comparator, start of its phrase)."""
    window_start = max(0, pos - 40)
    m = c.comparator.search(folded[window_start:pos])
    if not m:
        return None, pos
    op = ops.get(squash_spaces(m.group("cmp")))
    start = window_start + (m.start("dir") if m.group("dir") else m.start("cmp"))
    return op, start


def _find(text: str, c: ValueRules) -> list[_Found]:
    """Given text (NFC, one line), return every number with its unit and comparator."""
    folded = fold(text)
    ignored = [m.span() for rx in (*c.ignore, c.speck) for m in rx.finditer(folded)]
    masked = _blank(folded, ignored)
    ops = c.ops
    found = []
    for m in c.number.finditer(masked):
        unit, end = _unit_after(folded, m.end(), c)
        cmp, start = _comparator_before(masked, m.start(), c, ops)
        label = c.year_label.search(folded[max(0, start - 30):start])
        found.append(_Found(start=start, end=end, value=parse_number(text[m.start():m.end()], c),
                            unit=unit, comparator=cmp,
                            year=int(label.group("y")) if label else None))
    return found


def _is_whole_cell(text: str, f: _Found) -> bool:
    """Given text and one value found in it, return whether the value is all the text says."""
    rest = text[:f.start] + text[f.end:]
    return not _RX["word"].search(rest)


# A value cell printing its own unit after the number ("500 tổ", "≥ 12 lớp"): at most this
# many words of unit, no digit among them.
CELL_UNIT_WORDS = 4


def clean_unit(text: str, rules: ValueRules) -> str:
    """Given a unit as a cell prints it ("hồ sơnăm", "-. điểm", "môhình", "s -' tố"), return
    it without OCR specks at its edges and, when its letters are those of a known unit but
    OCR lost a space, a slash or a tone ("hồ sơ/năm", "mô hình", "tổ"), that unit; otherwise
    the cleaned text as printed."""
    edge = rules.specks["cell_edge"] + "-–—'\"`"
    words = squash_spaces(text or "").split()
    while len(words) > 1 and len(words[0].strip(edge)) <= 1:
        words = words[1:]  # "-.", "s", "'n" before the unit: dirt and a stray letter
    while len(words) > 1 and not words[-1].strip(edge):
        words = words[:-1]
    unit = " ".join(words).strip(edge)
    key = _RX["not_letter"].sub("", fold(unit))
    for known in rules.known_units:
        if _RX["not_letter"].sub("", fold(known)) == key and known.lower() != unit.lower():
            return known
    return unit


def parse_value_cell(text: str, year: int | None, rules: ValueRules) -> list[TargetValue]:
    """Given a cell of a value column (not running text), return its value: one number and
    the unit the cell prints after it ("500 tổ" -> 500 "tổ", "Ít nhất 20 điểm" -> >= 20
    "điểm", OCR's "500 hồ sơnăm" -> 500 "hồ sơ/năm": in a value cell a number is a value
    whatever its unit), else what ``parse_values`` reads in it."""
    line = squash_spaces(text or "")
    m = _RX["cell_number"].match(line)
    unit = m.group("unit") if m else None
    if unit and _RX["letter"].search(unit) and not _RX["digit"].search(unit) \
            and len(unit.split()) <= CELL_UNIT_WORDS:
        head = parse_values(line[:m.end("num")], year, rules)
        if len(head) == 1 and head[0].value is not None:
            return [head[0].model_copy(update={"raw": line, "unit": clean_unit(m.group("unit"), rules)})]
    return parse_values(text, year, rules)


def parse_values(text: str, year: int | None, rules: ValueRules) -> list[TargetValue]:
    """Given a target text or a table cell, return every quantified value in it.

    A cell that is only a value ("80%", ">70%", "≥30%", "0,6", "X", "Hoàn thành", ">")
    gives one value, comparator "=" unless printed; an unreadable cell ("5o,", "5740,")
    gives value null with its raw text. In running text, a number counts when a unit or a
    comparator goes with it ("ít nhất 5000 hồ sơ/năm", "400 dịch vụ công trực tuyến"),
    comparator ">=" unless printed. ``year`` is the year of the values unless a label
    printed before a value names another ("đến năm 2030: 100%").
    """
    if not text or not text.strip():
        return []
    c = rules
    line = squash_spaces(text)
    folded_line = squash_spaces(fold(line)).strip(" .;:")
    if folded_line in c.qualitative:
        return [TargetValue(year=year, raw=line, value=None, unit=None, comparator="=")]
    found = _find(line, c)
    if len(found) == 1 and _is_whole_cell(line, found[0]):
        f = found[0]
        leftover = (line[:f.start] + line[f.end:]).strip(" .;:)(")
        if leftover:  # "5740," "10," : a damaged cell, not a value
            return [TargetValue(year=year, raw=line, value=None, unit=f.unit, comparator=None)]
        return [_to_value(line, f, year, c.g.default_comparator["cell"])]
    if not found:
        ops = c.ops
        if folded_line in ops:  # ">" alone: a comparator whose number was lost
            return [TargetValue(year=year, raw=line, value=None, unit=None, comparator=ops[folded_line])]
        if _RX["digit"].search(line) and len(line.split()) <= 2:  # "5o," "5900/": unreadable cell
            return [TargetValue(year=year, raw=line, value=None, unit=None, comparator=None)]
        return []
    return [_to_value(line, f, year, c.g.default_comparator["text"])
            for f in found if f.unit or f.comparator]


def _to_value(line: str, f: _Found, year: Optional[int], default: str) -> TargetValue:
    return TargetValue(year=f.year or year, raw=line[f.start:f.end].strip(), value=f.value,
                       unit=f.unit, comparator=f.comparator or default)


def fill_row_units(values: list[TargetValue], target_text: str, rules: ValueRules) -> list[TargetValue]:
    """Given the values of one table row and its target text, return them with units filled.

    Year columns often print the unit once ("≥30%", then "≥90"): a value without a unit
    takes "%" when the row's target is a rate ("Tỷ lệ ...") or another value of the row
    has "%"; such a value above 100 is taken as a damaged cell (value null). Other units
    are left as printed.
    """
    c = rules
    subject = squash_spaces(fold(target_text or ""))
    is_rate = subject.startswith(c.percent_subjects) or any(v.unit == "%" for v in values)
    if not is_rate:
        return values
    out = []
    for v in values:
        ge = _ge_read_as_digit(v, c)
        if ge is not None:
            out.append(ge)
        elif v.unit:
            out.append(v)
        elif v.value is not None and v.value > 100:
            # a rate above 100 with no "%" printed is a damaged cell ("990" for "≥2%")
            out.append(v.model_copy(update={"unit": "%", "value": None, "comparator": None}))
        else:
            out.append(v.model_copy(update={"unit": "%"}))
    return out


def _ge_read_as_digit(v: TargetValue, c: ValueRules) -> Optional[TargetValue]:
    """Given a value of a rate row, return it read as "≥ rest" when it is a rate above 100
    printed with a leading digit OCR makes of "≥" ("230%" -> ≥30%), else None."""
    if v.value is None or v.value <= 100 or v.comparator not in (None, "="):
        return None
    digits = v.raw.strip()
    for lead in c.g.ocr_cell.ge_as_digit:
        if digits.startswith(lead):
            rest = parse_number(digits[len(lead):].rstrip("% "), c)
            if rest is not None and 0 < rest <= 100:
                return v.model_copy(update={"value": rest, "comparator": ">=", "unit": "%"})
    return None


def clean_value_cell(text: str, rules: ValueRules) -> str:
    """Given a cell that holds one value as OCR read it, return it with OCR damage undone:
    specks at its edges ("_>30%", "- 100%", ".100%.", ">3\"", ": X"), comparators misread
    ("»3" -> ">3", "z10%" -> "≥10%") and letters inside numbers ("1O0%" -> "100%"). A bare
    number with a trailing mark ("10,", "5900/") is left as it is: a damaged cell."""
    vr, rules = rules, rules.g.ocr_cell
    t = squash_spaces(text or "")
    junk = set(vr.specks["cell_edge"])
    start = 0
    while start < len(t) and t[start] in junk:
        start += 1
    core = t[start:]
    if core[:1] in rules.comparators and core[1:2].isdigit():
        core = rules.comparators[core[0]] + core[1:]
    while len(core) > 1 and core[0] in "<>≥≤" and core[1] == core[0]:
        core = core[1:]  # ">>": one comparator read twice
    core = "".join(rules.digits.get(ch, ch) if _between_digits(core, i) else ch
                   for i, ch in enumerate(core))
    core = _RX["zero_colon"].sub(r"\1.", core)  # ">0:7": a ratio never starts with 0
    words = core.split()
    value_before = len(words) > 1 and ("%" in words[-2] or (words[-2][:1] in "≥>≤<" and words[-2][-1:].isdigit()))
    if value_before and words[-1].isalpha() and len(words[-1]) <= rules.trailing_word_max:
        core = " ".join(words[:-1])  # "100% hóc", ">5 SỐ": letters of the next cell's text
    letters = set(fold(core))
    if len(core) > 1 and len(letters) == 1 and fold(core[0]) in vr.qualitative:
        core = core[-1].upper() if core[-1].isalpha() else core[-1]  # "xXX": one "X" read thrice
    end = len(core)
    while end > 0 and core[end - 1] in junk:
        end -= 1
    body = core[:end]
    complete = body.endswith("%") or (body[:1] in "≥>≤<=" and body[-1:].isdigit()) \
        or squash_spaces(fold(body)) in vr.qualitative
    # specks apart from the number ("10 -", "3 ."): a rule or dirt beside the cell's value;
    # glued to it ("10,", "5900/") they may be what is left of a digit: a damaged cell
    apart = end < len(core) and body[-1:].isdigit() and core[end:end + 1].isspace() \
        and not core[end:].strip(" ").startswith(("%", ","))
    return body if complete or apart or end == len(core) else core.rstrip()


def _between_digits(s: str, i: int) -> bool:
    """Whether s[i] sits inside a number: a digit on one side, and a digit, "%", "." / ","
    or the cell's edge on each side."""
    left = s[i - 1] if i else ""
    right = s[i + 1] if i + 1 < len(s) else ""

    def fits(c: str) -> bool:
        return c == "" or c.isdigit() or c in "%.,"

    return (left.isdigit() or right.isdigit()) and fits(left) and fits(right)


def year_cells_to_values(cells: dict[int, str], target_text: str,
                         rules: ValueRules) -> tuple[list[TargetValue], list[str]]:
    """Given the year columns of one target row ({2025: "≥30%", 2030: "≥90"}) and its target
    text, return (one value per non-empty cell in year order with units filled for the row,
    warnings). Cells are cleaned of OCR damage first (``clean_value_cell``); a cell with
    several values keeps its first (the rest is a neighbour's text or noise)."""
    values: list[TargetValue] = []
    warnings: list[str] = []
    for year in sorted(cells):
        raw = squash_spaces(cells[year] or "")
        cell = clean_value_cell(raw, rules)
        if cell != raw:
            warnings.append(f"value cell {year} read as {cell!r}: printed {raw!r}")
        found = parse_value_cell(cell, year, rules)
        if len(found) > 1:
            warnings.append(f"value cell {year} holds several values, the first kept: {raw!r}")
            found = parse_values(found[0].raw, year, rules)[:1]  # read alone, as a cell
        values.extend(found)
    filled = fill_row_units(values, target_text, rules)
    implied = [str(v.year) for v, f in zip(values, filled) if v.unit is None and f.unit]
    for v, f in zip(values, filled):
        if f.comparator == ">=" and v.comparator != ">=" and f.value is not None:
            warnings.append(f"value cell {v.year} read as ≥{f.value:g}%: printed {v.raw!r} "
                            "(a rate above 100 whose first digit OCR makes of '≥'); check the scan")
        elif v.value is not None and f.value is None:
            warnings.append(f"value cell {v.year} left empty: {v.raw!r} is no rate of this row")
    if implied:
        warnings.append(f"unit '%' implied by the row (a rate) for the bare values of {', '.join(implied)}")
    return filled, warnings


def parse_year_cells(cells: dict[int, str], target_text: str, rules: ValueRules) -> list[TargetValue]:
    """Given the year columns of one target row ({2025: "≥30%", 2030: "≥90"}) and its target
    text, return one value per non-empty cell, year order, units filled for the row
    (``year_cells_to_values`` without its warnings)."""
    return year_cells_to_values(cells, target_text, rules)[0]
