"""Spreadsheet cells that hold plan text inertly: what a spreadsheet program would run as a
formula, and the characters an xlsx cell cannot hold (shared by the csv and xlsx exports and
the report's workbook)."""
from __future__ import annotations

import re

# what spreadsheet programs read as the start of a formula (OWASP CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# characters an xlsx cell cannot hold (the XML 1.0 C0 controls openpyxl refuses)
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_PICTURES = 0x2400  # U+2400 + code: the visible symbol of each C0 control

CSV_FORMULA_WARNING = ("started like a formula (= + - @ tab CR); written after an apostrophe "
                       "so spreadsheet programs show them as text")
XLSX_CONTROL_WARNING = ("held control characters xlsx cannot store; shown as their symbols "
                        "(U+2400-U+241F)")


def is_formula_like(value) -> bool:
    """Given a cell value, return whether a spreadsheet program would run it as a formula
    (a lone sign, as the comparator "=" or an empty cell's "-", runs nothing)."""
    return isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_PREFIXES)


def text_to_xlsx_text(text: str) -> str:
    """Given a text, return it with each character xlsx cannot hold as its Control Picture."""
    return XLSX_ILLEGAL.sub(lambda m: chr(CONTROL_PICTURES + ord(m.group())), text)
