"""Appendix tables printed in plain text with explicit cell separators, one row a line:

    TT | Nhiệm vụ | Thời gian thực hiện | Đơn vị chủ trì | Đơn vị phối hợp | Sản phẩm
    I | Hoàn thiện thể chế, chính sách
    a | Rà soát, ban hành quy trình ... | Quý IV/2025 | Văn phòng Sở | Các phòng, đơn vị thuộc Sở | ...

(text exports of tables, OCR that kept the rulings as "|"). The cells are known, so the rows
are built as a ruled table and read by extract.tables (same header synonyms, section rows,
ordinals), not guessed as the flattened-text reader must. The separator is the layout
rules' ``column_bar``.
"""
from __future__ import annotations

from typing import Optional

from ..schema import Table, TableCell

from .raw_items import RawItem
from .rules import Rules
from .rules.layout import LayoutRules
from .rules.tables import TableRules
from .sections import Line, Region

MIN_HEADER_CELLS = 3  # a header line names at least this many columns
MIN_HEADER_ROLES = 2  # ... and this many of them are known column titles


def line_to_cells(text: str, rules: LayoutRules) -> list[str]:
    """Given a line, return its cells split at the column separators (one cell if none)."""
    return [c.strip() for c in rules.regex("column_bar").split(f" {text} ")]


def _is_header(cells: list[str], rules: TableRules) -> bool:
    from .table_columns import header_to_role

    roles = [header_to_role(c, rules) for c in cells]
    return len(cells) >= MIN_HEADER_CELLS and sum(r is not None for r in roles) >= MIN_HEADER_ROLES \
        and "text" in roles


def region_to_tables(region: Region, rules: Rules) -> list[tuple[Table, list[Line]]]:
    """Given a text region, return its delimited tables with the lines each was built from:
    a header line of known column titles, then the following lines that have separators
    (a line of two cells is a section row: numeral, then its heading across the table)."""
    out: list[tuple[Table, list[Line]]] = []
    lines = region.lines
    i = 0
    while i < len(lines):
        head = line_to_cells(lines[i].text, rules.layout)
        if not _is_header(head, rules.tables):
            i += 1
            continue
        n = len(head)
        cells = [TableCell(row=0, col=k, text=t) for k, t in enumerate(head)]
        used = [lines[i]]
        row = 1
        j = i + 1
        consistent, full_rows = True, 0
        while j < len(lines) and lines[j].page == lines[i].page:
            parts = line_to_cells(lines[j].text, rules.layout)
            if len(parts) < 2:
                break
            # every row has the header's cells or is a section row: bars OCR left here and
            # there in a flattened table are no cell boundaries (that is flat_tables' text)
            consistent &= len(parts) in (n, 2)
            full_rows += len(parts) == n
            if len(parts) == 2 and n > 2:  # a section row
                cells += [TableCell(row=row, col=0, text=parts[0]),
                          TableCell(row=row, col=1, text=parts[1], col_span=n - 1)]
            else:
                cells += [TableCell(row=row, col=k, text=t) for k, t in enumerate(parts[:n])]
            used.append(lines[j])
            row += 1
            j += 1
        if full_rows and consistent:
            out.append((Table(n_rows=row, n_cols=n, cells=cells), used))
        i = j
    return out


def delimited_region_to_raw_items(region: Region, rules: Rules) -> tuple[list[RawItem], list[str], bool]:
    """Given an appendix region, return (RawItems, warnings, whether it held a delimited
    table); items carry the region's appendix name and the lines they came from."""
    from .table_columns import table_to_layout
    from .tables import body_rows, rows_to_items

    items: list[RawItem] = []
    warnings: list[str] = []
    found = False
    for table, used in region_to_tables(region, rules):
        layout = table_to_layout(table, rules)
        if layout is None:
            continue
        rows = body_rows(table, layout, used[0].page)
        got = rows_to_items(layout, region.name, rows, "text-table", rules.tables, warnings)
        found |= bool(got)
        by_row = {k: ln for k, ln in enumerate(used)}
        for it in got:
            it.appendix = region.name
            line = _row_line(it, rows, by_row, layout.header_rows)
            if line is not None:
                it.provenance.page, it.provenance.line_start = line.page, line.line
                it.provenance.line_end = line.line
                it.provenance.source = line.text
        items += got
    if found and len(items) < rules.layout.delimited_min_rows:
        # one row between bars OCR left in a flattened table is no delimited table: the
        # appendix is left to the flattened-table reader (kept as a warning)
        warnings = [f"{region.name}: {len(items)} row(s) between column bars read as stray bars "
                    f"of a flattened table, not a delimited table"]
        return [], warnings, False
    return items, warnings, found


def _row_line(item: RawItem, rows, by_row: dict[int, Line], header_rows: int) -> Optional[Line]:
    """Given an item and the table's rows, return the text line of the row it came from."""
    for r in rows:
        if r.roles.get("text") and r.roles.get("text") == item.cells.get("text"):
            return by_row.get(r.index + header_rows)
    return None
