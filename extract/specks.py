"""OCR specks: the stray characters OCR leaves at line, word and cell edges, named sets of
them in data/ocr_specks.yaml (shared by every reader, so no reader imports another for them).

The sets are constants of the rules bundle (``extract.rules.load_rules().specks``); this
accessor names them where a line is stripped (``text.strip(ocr_specks("line_lead"))``).
"""
from __future__ import annotations

from .rules import load_rules


def ocr_specks(name: str) -> str:
    """Given the name of a set in extract/data/ocr_specks.yaml ("line_lead", "word_edge"),
    return its characters as one string (for str.strip and `in`); an unknown name fails."""
    sets = load_rules().specks
    if name not in sets:
        raise KeyError(f"no OCR speck set {name!r} in ocr_specks.yaml (known: {sorted(sets)})")
    return sets[name]
