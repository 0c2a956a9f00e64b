"""Where each metadata value was printed: the ``schema.Metadata`` of a plan, each field with
its location (page, box of the words, the printed text, its lines).

``extract.metadata`` reads the values from the plan's text lines; this module finds them
back on the page: a value's words, folded (no marks, lower case, punctuation at word ends
dropped), as runs of consecutive words over one or more consecutive lines (a header prints
"ỦY BAN NHÂN DÂN" / "TỈNH SƠN LA" on two lines beside the national motto; a title wraps). The
header block is searched first, then the whole plan; the signer's name from the end. A date is
found by its printed day, month and year ("ngày 12 tháng 08 năm 2025", "12/8/2025"). A value
not found in print (repaired, spelt as a list spells it) has no location, never a guessed one.
"""
from __future__ import annotations

import re
from typing import Optional

from ..core.folding import fold
from ..schema import Document, Metadata, MetadataProvenance, Provenance
from .sections import Line

HEADER_LINES = 15   # the header block: number, issuer, place and date, type, title
MAX_VALUE_LINES = 6  # a value printed over more lines than this is not searched for
# marks at a word's ends that are no part of it (OCR reads rules and specks as | _ ` *)
EDGE_PUNCT = ".,;:()[]\"'“”‘’|_`*-"


def text_to_tokens(text: str) -> list[str]:
    """Given printed text, return its words folded for matching ("Số:" -> "so")."""
    out = []
    for w in fold(text).split():
        w = w.strip(EDGE_PUNCT)
        if w:
            out.append(w)
    return out


def _line_tokens(line: Line) -> list[tuple[str, int]]:
    """(folded token, index of the printed word in the line) for each word of a line."""
    out = []
    for i, w in enumerate(line.text.split()):
        t = fold(w).strip(EDGE_PUNCT)
        if t:
            out.append((t, i))
    return out


def _longest_run(want: list[str], have: list[tuple[str, int]]) -> tuple[int, int]:
    """The longest prefix of ``want`` found as consecutive tokens of ``have``:
    (its length, index in ``have`` where it starts); (0, -1) when none."""
    best = (0, -1)
    for start in range(len(have)):
        n = 0
        while n < len(want) and start + n < len(have) and have[start + n][0] == want[n]:
            n += 1
        if n > best[0]:
            best = (n, start)
    return best


def tokens_to_span(want: list[str], lines: list[Line], start: int) -> Optional[list[tuple[Line, int, int]]]:
    """Given a value's tokens and lines, return the value printed from ``lines[start]`` on:
    per line, (line, first word, last word + 1) of a run of its words, the runs together the
    value's tokens in order; None when the value is not printed so from there."""
    spans, rest, i = [], list(want), start
    while rest and i < len(lines) and i - start < MAX_VALUE_LINES:
        have = _line_tokens(lines[i])
        n, at = _longest_run(rest, have)
        if n == 0 or (i == start and n < min(len(rest), 1)):
            return None
        spans.append((lines[i], have[at][1], have[at + n - 1][1] + 1))
        rest = rest[n:]
        i += 1
    return spans if not rest else None


def spans_to_provenance(spans: list[tuple[Line, int, int]], doc: Document) -> Provenance:
    """Given the runs of words a value was printed in, return its provenance: page, the
    box of those words (of their lines when the page's words do not line up with its text),
    the printed words, first and last line."""
    boxes, printed = [], []
    for line, w0, w1 in spans:
        printed.append(" ".join(line.text.split()[w0:w1]))
        box = _words_box(doc, line, w0, w1)
        if box is not None:
            boxes.append(box)
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else None
    first, last = spans[0][0], spans[-1][0]
    return Provenance(page=first.page, bbox=bbox, source="\n".join(printed),
                      line_start=first.line, line_end=last.line if last.page == first.page else None)


def _words_box(doc: Document, line: Line, w0: int, w1: int):
    """The box of words w0..w1-1 of a line, from its page's words when they line up with the
    line's printed words, else the line's own box (None on pages without boxes)."""
    if not 1 <= line.page <= len(doc.pages):
        return line.bbox
    words = [w for w in doc.pages[line.page - 1].words if w.line == line.line]
    if [w.text for w in words] != line.text.split():
        return line.bbox
    picked = words[w0:w1]
    return (min(w.bbox[0] for w in picked), min(w.bbox[1] for w in picked),
            max(w.bbox[2] for w in picked), max(w.bbox[3] for w in picked))


def value_to_provenance(value: Optional[str], lines: list[Line], doc: Document,
                        from_end: bool = False, whole_line: bool = False) -> Optional[Provenance]:
    """Given a metadata value and the plan's lines, return where it was printed: in the
    header block first, then anywhere (from the end with ``from_end``); ``whole_line``: the
    value is the whole of one line (a type heading). None when it is not printed as read."""
    want = text_to_tokens(value or "")
    if not want:
        return None
    header = range(min(HEADER_LINES, len(lines)))
    rest = range(len(lines) - 1, -1, -1) if from_end else range(len(lines))
    order = [*([] if from_end else header), *rest]
    for i in order:
        if whole_line and [t for t, _ in _line_tokens(lines[i])] != want:
            continue
        spans = tokens_to_span(want, lines, i)
        if spans:
            return spans_to_provenance(spans, doc)
    for i in order:  # printed with other spaces on one line: "169 /KH-UBND", "TÂNKỲ"
        span = squashed_to_span("".join(want), lines[i])
        if span and (not whole_line or span[1:] == (0, len(lines[i].text.split()))):
            return spans_to_provenance([span], doc)
    return None


def squashed_to_span(want: str, line: Line) -> Optional[tuple[Line, int, int]]:
    """Given a value's folded characters without spaces and a line, return the run of the
    line's words that prints them with other spacing, (line, first word, last word + 1),
    when the run starts and ends on word boundaries; else None."""
    have = _line_tokens(line)
    joined, starts = "", []
    for t, _ in have:
        starts.append(len(joined))
        joined += t
    at = joined.find(want)
    if at < 0 or at not in starts or at + len(want) not in [*starts[1:], len(joined)]:
        return None
    first = starts.index(at)
    last = ([*starts[1:], len(joined)]).index(at + len(want))
    return (line, have[first][1], have[last][1] + 1)


def date_to_provenance(iso: Optional[str], lines: list[Line], doc: Document) -> Optional[Provenance]:
    """Given an ISO issue date ("2025-08-12", "2025-08") and the plan's lines, return where
    it was printed ("ngày 12 tháng 08 năm 2025", "12/8/2025", "tháng 8 năm 2025"), header
    block first."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", iso or "")
    if not m:
        return None
    y, mo, d = m.group(1), int(m.group(2)), m.group(3)
    day = rf"0?{int(d)}" if d else None
    sep = r"[\W_]*"  # spaces, and specks OCR put between the parts ("năm'2025")
    forms = ([rf"ngay{sep}{day}{sep}thang{sep}0?{mo}{sep}nam{sep}{y}", rf"\b{day}\s*[/.-]\s*0?{mo}\s*[/.-]\s*{y}"]
             if day else [rf"thang{sep}0?{mo}{sep}nam{sep}{y}", rf"\b0?{mo}\s*/\s*{y}"])
    order = [*range(min(HEADER_LINES, len(lines))), *range(len(lines))]
    for i in order:
        folded = " ".join(t for t, _ in _line_tokens(lines[i]))
        for form in forms:
            hit = re.search(form, folded)
            if hit:
                return value_to_provenance(folded[hit.start():hit.end()], lines[i:i + 1], doc)
    return None


def metadata_to_provenance(meta: Metadata, lines: list[Line], doc: Document) -> MetadataProvenance:
    """Given a plan's metadata and its lines, return where each value was printed."""
    date = date_to_provenance(meta.issued_date, lines, doc)
    place = None
    if meta.place and date is not None:  # "Sơn La, ngày 12 ...": the place beside the date
        on_date_line = [ln for ln in lines if ln.page == date.page and ln.line == date.line_start]
        place = value_to_provenance(meta.place, on_date_line, doc)
    return MetadataProvenance(
        number=value_to_provenance(meta.number, lines, doc),
        doc_type=value_to_provenance(meta.doc_type, lines, doc, whole_line=True),
        issuer=value_to_provenance(meta.issuer, lines, doc),
        place=place or value_to_provenance(meta.place, lines, doc),
        issued_date=date,
        title=value_to_provenance(meta.title, lines, doc),
        signer=value_to_provenance(meta.signer.name, lines, doc, from_end=True),
    )
