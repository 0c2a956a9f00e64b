"""Appendices: their headings ("PHỤ LỤC II", OCR's "Phụ lục H"), the names the table
readers give them, and the plan's own numbering of them (cited in its text: "Phụ lục II kèm
theo"), which names an appendix OCR damaged."""
from __future__ import annotations

import re
from typing import Optional

from ..schema import Document
from .rules.tables import TableRules
from ..core.folding import unmark
from .table_text import squash


def appendix_headings(doc: Document, rules: TableRules) -> list[tuple[int, float, str]]:
    """Given a document, return its appendix headings as (page, top in points or -1 when
    the page has no word boxes, "Phụ lục II") in reading order."""
    out = []
    for p in doc.pages:
        if p.words:
            lines: dict[int, list] = {}
            for w in p.words:
                lines.setdefault(w.line, []).append(w)
            for ws in sorted(lines.values(), key=lambda ws: min(w.bbox[1] for w in ws)):
                text = " ".join(w.text for w in sorted(ws, key=lambda w: w.bbox[0]))
                name = line_to_appendix(text, rules)
                if name:
                    out.append((p.number, min(w.bbox[1] for w in ws), name))
        else:
            for ln in (p.text or p.raw_text).splitlines():
                name = line_to_appendix(ln, rules)
                if name:
                    out.append((p.number, -1.0, name))
    return out


def line_to_appendix(line: str, rules: TableRules) -> Optional[str]:
    """Given a line of page text, return the appendix it heads ("Phụ lục II") or None
    when it is not an appendix heading (prose mentioning one, other text)."""
    t = squash(line)
    m = rules.rx["appendix"].search(unmark(t))
    if not m:
        return None
    rest = t[:m.start()] + t[m.end():]
    if sum(ch.isalnum() for ch in rest) > 2:
        return None
    return _appendix_name(m, rules)


APPENDIX = "Phụ lục"  # the word every appendix's canonical name starts with ("Phụ lục II")


_ROMAN = (("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


def int_to_roman(n: int) -> str:
    """Given 1..39, return its Roman numeral in capitals (appendix numbers)."""
    out = ""
    for letters, value in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out.upper()


def appendix_numbering(doc: Document, rules: TableRules) -> dict[str, str]:
    """Given a document, return {appendix name as read: name in the plan's numbering} for
    headings OCR damaged: when the plan numbers appendices with Roman numerals (its headings
    or its text say "Phụ lục II"), a heading read "Phụ lục 1" is "Phụ lục I" and the one
    heading whose numeral was lost is named by its place in the sequence."""
    headings = list(dict.fromkeys(name for _, _, name in appendix_headings(doc, rules)))
    numerals = [h[len(APPENDIX):].strip() for h in headings]
    refs = [m.group(1) for p in doc.pages for ln in (p.text or p.raw_text).splitlines()
            for m in rules.rx["appendix_reference"].finditer(unmark(squash(ln)))]
    if not any(n.isalpha() for n in [*numerals, *refs]):
        return {}
    out: dict[str, str] = {}
    unnamed = [h for h, n in zip(headings, numerals) if not n]
    for k, (h, n) in enumerate(zip(headings, numerals), 1):
        if n.isdigit():  # "1" / "11" are strokes of I / II, other digits a number
            out[h] = f"{APPENDIX} {'I' * len(n) if set(n) == {'1'} else int_to_roman(int(n))}"
        elif not n and len(unnamed) == 1 and len(headings) >= 2:
            out[h] = f"{APPENDIX} {int_to_roman(k)}"
    return out


def _appendix_name(m: re.Match, rules: TableRules) -> str:
    num = m.group(1)
    if not num:
        return APPENDIX
    num = dict(rules.numeral_ocr).get(num, num)
    return f"{APPENDIX} {num.upper()}"
