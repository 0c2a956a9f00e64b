"""Lines, line kinds and regions (body, appendices) of a plan's text.

The layout rules (heading numerals, field labels, section roles, cues) are data in
``extract/data/headings.yaml`` and ``extract/data/cues.yaml``, loaded into
``extract.rules.layout.LayoutRules`` by the rules bundle; this module holds the matching
logic only.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from ..schema import Document

from ..core.folding import fold
from .rules import Rules
from .rules.layout import LayoutRules


# The module's character-level regexes (layout patterns live in headings.yaml and cues.yaml).
_RX = {
    "punctuation": re.compile(r"[^\w\s]"),  # stray marks OCR puts inside a heading ("Mục. tiêu")
}


@dataclass
class Line:
    """One non-empty line of the document with where it came from."""

    page: int  # 1-based page number
    line: int  # 0-based line index on its page
    text: str  # NFC, stripped
    kind: str = "text"  # a line_kinds kind, or "text"
    ord: Optional[str] = None
    body: str = ""  # text without the ordinal
    gap: bool = False  # preceded by a blank line (cell/paragraph boundary in text layers)
    height: Optional[float] = None  # median word height (points) when the page has words
    bbox: Optional[tuple[float, float, float, float]] = None  # union of the line's word boxes


@dataclass
class Region:
    """The body or one appendix: its title and lines."""

    name: str  # "body" or "Phụ lục II"
    lines: list[Line] = field(default_factory=list)


def normalize_line(s: str) -> str:
    """Given a raw line, return it NFC with runs of whitespace collapsed and stripped."""
    s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def classify_line(text: str, rules: LayoutRules) -> tuple[str, Optional[str], str]:
    """Given a stripped line, return (kind, ordinal, text without ordinal)."""
    kind, ord_, body = _classify(text, rules)
    if kind == "bullet" and ord_ == "~":
        ord_ = "-"  # OCR's reading of a dash bullet
    if kind == "bullet":
        # "— PHULUCT |": a rule's stub before an appendix heading is no bullet
        k2, o2, b2 = _classify(text.lstrip(rules.specks["line_lead_dash"] + " "), rules)
        if k2 == "appendix" and (o2 or not b2.strip(rules.specks["line_trail"]) or b2.isupper()):
            return k2, o2, b2
    if kind == "bullet" and body.lstrip(rules.specks["line_lead"])[:1].islower():
        return "text", None, text  # "- điều kiện ...", "-_ đảm 100%": a wrapped line after OCR debris
    if kind == "bullet" and len(text) > 1 and not text[1].isspace():
        # "-3. Thành lập ...", "—-1, Thành lập": OCR debris glued to a numbered item, not a bullet
        k2, o2, b2 = _classify(text.lstrip(rules.specks["dashes"]), rules)
        if k2 in ("number", "decimal", "letter"):
            return k2, o2, b2
    if kind == "text":
        # specks before what the line starts with ("ˆ + Hoàn thành", "_ b) Mục tiêu"); a
        # dash that is a speck set too ("~") is first kept: it is OCR's dash bullet as well
        # (".~ Về chất lượng")
        lead = rules.specks["line_lead"]
        without_dashes = "".join(ch for ch in lead if ch not in rules.specks["dashes"])
        for specks in dict.fromkeys((without_dashes, lead)):
            trimmed = text.lstrip(specks)
            if trimmed and trimmed != text:
                k2, o2, b2 = classify_line(trimmed, rules)  # shorter each time: ends
                if k2 != "text":
                    return k2, o2, b2
    return kind, ord_, body


def _classify(text: str, rules: LayoutRules) -> tuple[str, Optional[str], str]:
    for kind, rx in rules.kinds:
        m = rx.match(text)
        if m:
            ord_ = m.groupdict().get("ord")
            if kind == "roman" and not ord_:
                continue  # the roman pattern can match an empty numeral
            return kind, ord_, (m.groupdict().get("text") or "").strip()
    return "text", None, text


def page_line_geometry(page, text: str) -> dict[int, tuple[float, tuple[float, float, float, float]]]:
    """Given a page and its text, return {line index: (median word height, union bbox)} when
    the page's words are numbered by the same lines as its text (text layer; OCR pages built
    line by line), else {}."""
    if not page.words:
        return {}
    n_lines = len(text.split("\n"))
    by_line: dict[int, list] = {}
    for w in page.words:
        by_line.setdefault(w.line, []).append(w)
    if max(by_line) >= n_lines:
        return {}  # words and text lines are not numbered alike
    out = {}
    for i, ws in by_line.items():
        heights = sorted(w.bbox[3] - w.bbox[1] for w in ws)
        box = (min(w.bbox[0] for w in ws), min(w.bbox[1] for w in ws),
               max(w.bbox[2] for w in ws), max(w.bbox[3] for w in ws))
        out[i] = (heights[len(heights) // 2], box)
    return out


def lines_to_bbox(lines: list["Line"]) -> Optional[tuple[float, float, float, float]]:
    """Given lines, return the union box of those on the first line's page (None if unknown)."""
    boxes = [ln.bbox for ln in lines if ln.bbox and ln.page == lines[0].page]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def is_page_number(text: str, page: int, specks: dict[str, str]) -> bool:
    """Given the first/last line of a page and the page's number, return True when the
    line is just the printed page number (it may lag the file's page by a cover page; OCR
    may add specks around it: "14 -", "- 3 -")."""
    text = text.strip(specks["line_lead_dash"])
    return text.isdigit() and len(text) <= 3 and abs(int(text) - page) <= 1


def document_to_lines(doc: Document, rules: LayoutRules) -> list[Line]:
    """Given a Document, return its non-empty normalized lines, classified, in order."""
    out: list[Line] = []
    for page in doc.pages:
        text = page.text or page.raw_text
        geometry = page_line_geometry(page, text)
        for chunk_i, chunk in enumerate(text.split("\f")):
            gap = True
            raw_lines = chunk.split("\n")
            filled = [i for i, r in enumerate(raw_lines) if r.strip()]
            edge = {filled[0], filled[-1]} if filled else set()
            for i, raw in enumerate(raw_lines):
                t = normalize_line(raw)
                if not t:
                    gap = True
                    continue
                if i in edge and is_page_number(t, page.number + chunk_i, rules.specks):
                    continue  # the printed page number, not content
                kind, ord_, body = classify_line(t, rules)
                height, bbox = geometry.get(i, (None, None)) if chunk_i == 0 else (None, None)
                out.append(Line(page=page.number + chunk_i, line=i, text=t, kind=kind, ord=ord_,
                                body=body, gap=gap, height=height, bbox=bbox))
                gap = False
    return infer_paren_numbers(out, rules)


def infer_paren_numbers(lines: list[Line], rules: LayoutRules, window: int = 8) -> list[Line]:
    """Given classified lines, return them with a "(4)" OCR misread ("li Bảo đảm ...",
    "l4) ...") classified as the paren_number the run expects: the line starts with a
    numeral-like speck (``paren_number_ocr``), the enumerated line before it (within
    ``window`` lines) is "(n)" and no "(n+1)" follows it within the window."""
    rx = rules.regex("paren_number_ocr")
    for i, ln in enumerate(lines):
        if ln.kind != "text":
            continue
        m = rx.match(ln.text)
        if not m:
            continue
        prev = next((p for p in reversed(lines[max(0, i - window):i]) if p.kind != "text"), None)
        if prev is None or prev.kind != "paren_number" or not (prev.ord or "").isdigit():
            continue
        want = str(int(prev.ord) + 1)
        if any(n.kind == "paren_number" and n.ord == want for n in lines[i + 1:i + 1 + window]):
            continue
        ln.kind, ln.ord, ln.body = "paren_number", want, m.group("text")
    return lines


def appendix_name(line: Line, rules: Rules) -> str:
    """Given an appendix heading line, return its canonical name ("Phụ lục II"), its numeral
    read as the table reader reads it ("Phụ lục H" = "Phụ lục II")."""
    from .appendices import APPENDIX, line_to_appendix

    return line_to_appendix(line.text, rules.tables) or APPENDIX + (f" {line.ord}" if line.ord else "")


def lines_to_regions(lines: list[Line], rules: Rules) -> list[Region]:
    """Given classified lines, return the body region followed by one region per appendix."""
    regions = [Region("body")]
    for ln in lines:
        if ln.kind == "appendix":
            regions.append(Region(appendix_name(ln, rules)))
            title = ln.body.strip(" .,:;-–")
            if len(title) > 3:  # "PHỤ LỤC I. HỆ THỐNG CHỈ TIÊU ...": the title on the same line
                regions[-1].lines.append(Line(page=ln.page, line=ln.line, text=title, gap=ln.gap,
                                              height=ln.height, bbox=ln.bbox))
            continue
        regions[-1].lines.append(ln)
    return regions


def section_role(title: str, rules: LayoutRules) -> Optional[str]:
    """Given a heading's text, return its role ("target", "task", "skip") or None."""
    t = fold(title.strip().rstrip(rules.specks["line_trail"]).strip())
    # as printed, then without OCR's stray punctuation ("Mục. tiêu cụ thể")
    for cand in (t, " ".join(_RX["punctuation"].sub(" ", t).split())):
        for role, rx in rules.section_patterns:
            if rx.search(cand):
                return role
    return None


def region_kind(region: Region, rules: Rules, head: int = 8) -> str:
    """Given an appendix region, return "target" or "task" from its title/header lines."""
    from .table_columns import header_line_roles

    lines = region.lines[:head]
    # the title says what the appendix holds; the column titles below it only when it does not
    # ("KẾT QUẢ ĐẦU RA" over a "Mục tiêu" column of codes is a task table)
    first_header = next((i for i, ln in enumerate(lines) if header_line_roles(ln.text, rules.tables) >= 2), len(lines))
    for scope in (lines[:first_header], lines):
        text = fold(" ".join(ln.text for ln in scope))
        hits = {k: min((text.find(fold(w)) for w in ws if fold(w) in text), default=-1)
                for k, ws in rules.layout.appendix_kind.items()}
        found = {k: v for k, v in hits.items() if v >= 0}
        if found:
            return min(found, key=found.get)  # the kind named first in the title wins
    return "task"


def find_prose_deadline(text: str, rules: LayoutRules) -> Optional[str]:
    """Given an item's text, return the first deadline phrase it contains, or None."""
    best = None
    folded = fold(text)
    for rx in rules.prose_deadline_patterns:
        for m in rx.finditer(folded):
            if best is None or m.start() < best.start():
                best = m
            break
    return text[best.start():best.end()].strip() if best else None


def find_heading_deadline(title: str, rules: LayoutRules) -> Optional[str]:
    """Given a section heading, return the period it names for all its items, or None."""
    t = title.strip().rstrip(rules.specks["line_trail"])
    for rx in rules.heading_deadline_patterns:
        m = rx.search(fold(t))
        if m:
            return t[m.start():m.end()]
    return None


def match_field_line(text: str, rules: LayoutRules) -> Optional[tuple[str, str]]:
    """Given a line, return (role, value) if it is a labelled field line
    ("- Cơ quan chủ trì: Văn phòng Đảng ủy."), else None."""
    text = text.lstrip(rules.specks["line_lead_dash"])  # "_-CƠ quan chủ trì:", "'~ Thời gian ...", "_— ~ Thời gian"
    for role, rx in rules.field_patterns.items():
        m = rx.match(fold(text))
        if m:
            value = text[m.start("value"):m.end("value")]
            return role, value.strip().lstrip(rules.specks["line_lead"]).rstrip(".;").strip()
    return None
