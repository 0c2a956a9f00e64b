"""Appendix task lists: numbered items followed by labelled field lines.

    I. Nhóm nhiệm vụ về lãnh đạo, chỉ đạo
    1. Thành lập Ban Chỉ đạo do đồng chí Bí thư Đảng ủy làm Trưởng ban
    - Cơ quan chủ trì: Văn phòng Đảng ủy.
    - Thời gian thực hiện: Hoàn thành trong tháng 7 năm 2025.
"""
from __future__ import annotations

from typing import Optional

from ..schema import Provenance

from .raw_items import RawItem
from .rules import Rules
from .rules.layout import LayoutRules
from .sections import Line, Region, lines_to_bbox, match_field_line

SECTION_KINDS = ("roman", "ordinal_word")
ITEM_KINDS = ("number", "letter", "decimal")
FINER_ITEM_KINDS = ("letter", "decimal")  # items that can sit under a numbered group


def count_field_lines(region: Region, rules: LayoutRules) -> int:
    """Given a region, return how many labelled field lines it has (list layout evidence)."""
    return sum(1 for ln in region.lines if match_field_line(ln.text, rules))


# A line of column titles is short: two titles are enough in a line of at most this many words.
MAX_HEADER_WORDS = 12


def column_header_before_fields(region: Region, rules: Rules, head: int = 25) -> bool:
    """Given a region, return whether a line of column titles ("STT | Nội dung nhiệm vụ |
    Phân công thực hiện | Thời hạn") comes before its first labelled field line: then its
    "Chủ trì: ..." lines are cells of a flattened table, not the fields of a list."""
    from .table_columns import header_line_roles

    alone = 0  # column titles OCR read one a line ("Nội dung nhiệm vụ" / "Thời hạn" / ...)
    for ln in region.lines[:head]:
        if match_field_line(ln.text, rules.layout):
            return False
        roles = header_line_roles(ln.text, rules.tables)
        if roles >= 3 or (roles >= 2 and len(ln.text.split()) <= MAX_HEADER_WORDS):
            return True
        if roles and len(ln.text.split()) <= 5:
            alone += 1
            if alone >= 3:
                return True
    return False


def is_field_list(region: Region, rules: Rules) -> bool:
    """Given a text appendix, return whether it is a list (two or more "- Cơ quan chủ trì:
    ..." field lines and no line of column titles before them) rather than a flattened table."""
    return count_field_lines(region, rules.layout) >= 2 and not column_header_before_fields(region, rules)


def _opens_unnumbered_item(ln: Line, cur: Optional[RawItem], rules: Rules) -> bool:
    """In a list without numerals: does this line open an item? A sentence of four words or
    more that is no column title, first in the list or after a blank line once the open item
    has its field lines."""
    from .flat_lines import is_header_line, starts_sentence

    text = ln.text.lstrip(rules.specks["line_lead"])
    if ln.kind != "text" or len(text.split()) < 4 or not starts_sentence(text, digits=False):
        return False
    if is_header_line(text, rules) or rules.layout.flat["title"].match(text) or _deadline_line(ln, rules):
        return False
    return cur is None or (bool(cur.cells) and ln.gap)


def _deadline_line(ln: Line, rules: Rules) -> bool:
    """A short line holding only a deadline phrase or a date (a time column's cell)."""
    from .flat_lines import whole_line_cell

    return whole_line_cell(ln, rules.layout, after_cell=True) == "deadline" or (
        len(ln.text) <= 12 and any(ch.isdigit() for ch in ln.text) and "/" in ln.text)


def _provenance(lines: list[Line]) -> Provenance:
    return Provenance(page=lines[0].page, line_start=lines[0].line, line_end=lines[-1].line,
                      bbox=lines_to_bbox(lines), source="\n".join(ln.text for ln in lines))


def list_region_to_raw_items(region: Region, kind: str, rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given an appendix region laid out as a task list, return (RawItems, warnings)."""
    bundle, rules = rules, rules.layout
    item_kind = kind
    no_dot = rules.regex("list_item_without_dot")
    items_in_section = 0
    items: list[RawItem] = []
    warnings: list[str] = []
    section: Optional[str] = None
    in_section_title = False
    cur: Optional[RawItem] = None
    cur_lines: list[Line] = []
    cur_kind: Optional[str] = None
    last_field: Optional[str] = None
    seen_first_item = False

    def close() -> None:
        nonlocal cur, cur_lines
        if cur is not None:
            cur.text = " ".join(cur.text.split())
            cur.provenance = _provenance(cur_lines)
            items.append(cur)
        cur, cur_lines = None, []

    # A list whose items carry no numeral: an item is the paragraph before its field lines; the
    # next one opens with a sentence after a blank line once the open item has its fields
    numbered = any(ln.kind in ITEM_KINDS for ln in region.lines)
    for ln in region.lines:
        f = match_field_line(ln.text, rules)
        if not numbered and not f and _opens_unnumbered_item(ln, cur, bundle):
            close()
            seen_first_item = True
            cur = RawItem(kind=item_kind, text=ln.text, ordinal=None, section=section,
                          appendix=region.name, layout="list")
            cur.warnings.append("item boundary guessed: no numeral printed")
            cur_lines, cur_kind, last_field = [ln], "text", None
            continue
        if not numbered and not f and cur is not None and cur.cells and _deadline_line(ln, bundle):
            # the deadline printed in its own column, unlabelled ("Trong tháng" / "5/2027")
            last_field = "deadline"
            cur.cells["deadline"] = (cur.cells.get("deadline", "") + " " + ln.text.strip(" |_")).strip()
            cur_lines.append(ln)
            continue
        if f and cur is not None:
            role, value = f
            cur.cells[role] = (cur.cells.get(role, "") + " " + value).strip()
            cur_lines.append(ln)
            last_field = role
            in_section_title = False
            continue
        if ln.kind in SECTION_KINDS:
            close()
            section, in_section_title, last_field = ln.body, True, None
            items_in_section = 0
            continue
        kind, ordinal, body = ln.kind, ln.ord, ln.body
        if kind == "text" and (cur is None or cur.cells or len(cur_lines) == 1):
            m = no_dot.match(ln.text)
            if m:  # "1 Thành lập ..." — the numeral's dot lost in OCR
                kind, ordinal, body = "number", m.group("ord"), m.group("text")
        if kind in ITEM_KINDS:
            if (cur is not None and not cur.cells and ordinal == "1" and len(cur_lines) == 1
                    and items_in_section <= 1):
                # a one-line "item" without fields right before item 1 was a group heading
                # whose numeral OCR misread ("1. Nhóm nhiệm vụ ..." for "I. ...")
                section, cur, cur_lines = cur.text, None, []
            elif (cur is not None and not cur.cells and cur_kind == "number"
                  and kind in FINER_ITEM_KINDS):
                # "1. Nhóm nhiệm vụ ..." with no fields, then "a) ...": a numbered group
                section, cur, cur_lines = cur.text, None, []
            close()
            seen_first_item = True
            items_in_section += 1
            cur = RawItem(kind=item_kind, text=body, ordinal=ordinal, section=section,
                          appendix=region.name, layout="list")
            cur_lines, cur_kind = [ln], kind
            in_section_title, last_field = False, None
            continue
        if in_section_title and section is not None:
            section = f"{section} {ln.text}"  # heading wrapped over several lines
            continue
        if cur is not None:
            if last_field:  # a field value wrapped onto the next line
                cur.cells[last_field] += " " + ln.text
            else:
                cur.text += " " + ln.text
            cur_lines.append(ln)
        elif seen_first_item or section:
            warnings.append(f"{region.name}: line outside any item ignored: {ln.text[:80]!r}")
    close()
    from .prose import heading_unit

    for it in items:
        if it.section:
            it.section = " ".join(it.section.split()).rstrip(":")
            # a list grouped by unit ("I. PHÒNG KINH TẾ" over items without a lead line)
            lead = None if it.cells.get("lead") else heading_unit(it.section, rules, bundle.units)
            if lead:
                it.cells["lead"] = lead
    return items, warnings
