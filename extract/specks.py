"""OCR specks: the stray characters OCR leaves at line, word and cell edges, named sets of
them in data/ocr_specks.yaml (shared by every reader, so no reader imports another for them).

The sets are constants of the rules bundle (``Rules.specks``); the layout, tables, values and
metadata views carry the same dict (``rules.layout.specks``), so code that holds the bundle
or one of those views reads them there (``text.strip(rules.specks["line_lead"])``).
``ocr_specks()`` is left for five helpers that take no table (``sections.is_page_number``,
``prose.is_group_label`` and ``_looks_like_heading``, ``flat_tables.expected_letter_ordinal``,
``metadata._place_before``): it reads the default bundle, which a bundle loaded from another
folder does not reach; those helpers are still to take the sets as an argument.
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
