"""Ruled appendix tables (text-layer ruling or scanned grid) to RawItems.

Each table's column roles come from extract.table_columns, its appendix from
extract.appendices, its row ordinals and section names from extract.table_ordinals. Tables continued on the next page (header repeated, or none) are stitched; a row
split by the page break (continuation with an empty TT cell) is joined to its item. Section
rows (spanning cells, Roman numerals, "Thứ nhất: Về thể chế", a numbered group over lettered
items) set the `section` of the items below. Cells stay raw: fields are parsed later.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..schema import Document, Provenance, Table, TableCell
from .appendices import appendix_headings
from .raw_items import RawItem
from .rules import Rules
from .rules.tables import TableRules
from .table_columns import TableLayout, table_to_layout, table_to_row_cells
from .table_ordinals import infer_ordinals, ordinal_of, section_name
from ..core.folding import unmark
from .table_text import cell_text, squash

ITEM_ROLES = ("deadline", "lead", "cooperating", "notes", "value")

@dataclass
class _Row:
    page: int
    roles: dict[str, str]
    cells: list[TableCell]
    spanning: bool  # one cell covers the text column and the item columns
    source: str
    bbox: Optional[tuple[float, float, float, float]]
    index: int  # body row index in its table
    continues: bool = False  # first body row of a table continued from the previous page
    table: Optional[int] = None  # the table's index on its page (reading order), when from a page


def _union(boxes: list) -> Optional[tuple[float, float, float, float]]:
    bs = [b for b in boxes if b]
    if not bs:
        return None
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


def merged_cells_below(table: Table, layout: TableLayout) -> dict[int, list[TableCell]]:
    """Given a table and its layout, return {row: cells merged down into it from a row
    above}: a body cell of an item's field (lead, cooperating units, deadline, values...,
    not its TT or text) spanning rows holds that field of every row it spans (one lead unit
    printed once beside two tasks)."""
    out: dict[int, list[TableCell]] = {}
    for c in table.cells:
        if c.row_span <= 1 or c.row < layout.header_rows or c.col >= len(layout.roles):
            continue
        if layout.roles[c.col] in (None, "ordinal", "text"):
            continue
        for r in range(c.row + 1, min(table.n_rows, c.row + c.row_span)):
            out.setdefault(r, []).append(c)
    return out


def body_rows(table: Table, layout: TableLayout, page: int, table_index: Optional[int] = None) -> list[_Row]:
    out = []
    item_cols = {i for i, r in enumerate(layout.roles) if r and r not in ("ordinal", "text")}
    text_cols = {i for i, r in enumerate(layout.roles) if r == "text"}
    below = merged_cells_below(table, layout)
    for idx, cells in enumerate(table_to_row_cells(table)[layout.header_rows:]):
        roles: dict[str, str] = {}
        spanning = False
        for c in cells + below.get(layout.header_rows + idx, []):
            cover = set(range(c.col, c.col + c.col_span))
            if cover & text_cols and (cover & item_cols or len(cover) >= len(layout.roles) - 1) and c.col_span > 1:
                spanning = True
            role = layout.roles[c.col] if c.col < len(layout.roles) else None
            if role is None and cover & text_cols:
                role = "text"
            if role is None:
                role = next((layout.roles[k] for k in sorted(cover) if k < len(layout.roles) and layout.roles[k]), None)
            t = cell_text(c.text)
            if role and t:
                roles[role] = (roles[role] + " " + t) if role in roles else t
        source = " | ".join(cell_text(c.text) for c in cells)
        out.append(_Row(page, roles, cells, spanning, source, _union([c.bbox for c in cells]), idx,
                        table=table_index))
    return out


def tables_to_raw_items(doc: Document, rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given a document whose pages carry tables, return the RawItems of its appendix
    tables (one per task/target row) and warnings for rows or tables it could not read."""
    warnings: list[str] = []
    headings = appendix_headings(doc, rules.tables)
    # Stitch: each group is (layout, appendix, rows) for one logical table.
    groups: list[tuple[TableLayout, Optional[str], list[_Row], str]] = []
    prev_page: Optional[int] = None
    for page in doc.pages:
        for t_i, table in enumerate(sorted(page.tables, key=lambda t: (t.bbox or (0, 0, 0, 0))[1])):
            layout = table_to_layout(table, rules)
            last = groups[-1] if groups else None
            is_next_page = last is not None and prev_page is not None and page.number == prev_page + 1 and t_i == 0
            continued = False
            if last is not None and is_next_page:
                if layout is None and table.n_cols == len(last[0].roles):
                    layout = TableLayout(last[0].roles, last[0].kind, 0)
                    continued = True
                elif layout is not None and layout.roles == last[0].roles:
                    continued = True
            if layout is None:
                text = " | ".join(squash(c.text) for c in table.cells if c.text.strip())
                if text:
                    warnings.append(f"page {page.number}: table without a recognisable header row "
                                    f"skipped: {text[:200]}")
                prev_page = page.number
                continue
            top = (table.bbox or (0, 0, 0, 0))[1]
            rows = body_rows(table, layout, page.number, t_i)
            if continued:
                if rows:
                    rows[0].continues = True
                last[2].extend(rows)
            else:
                appendix = None
                for hp, htop, name in headings:
                    if hp < page.number or (hp == page.number and (htop < 0 or htop <= top)):
                        appendix = name
                method = {"image-grid": "image-grid", "docx": "docx-table"}.get(table.method, "pdf-table")
                groups.append((layout, appendix, rows, method))
            prev_page = page.number
    items: list[RawItem] = []
    for layout, appendix, rows, method in groups:
        items.extend(rows_to_items(layout, appendix, rows, method, rules.tables, warnings))
    return items, warnings


def _one_year_header(layout: TableLayout) -> Optional[str]:
    """The header of a target table's one value column when it names one year ("Chỉ tiêu năm
    2026") and no column holds deadlines: every target's deadline is that year."""
    if "deadline" in layout.roles:
        return None
    years = {r for r in layout.roles if r and r.startswith("year:")}
    if len(years) != 1:
        return None
    k = layout.roles.index(years.pop())
    return layout.headers[k] if k < len(layout.headers) and layout.headers[k] else None


def is_non_item_row(text: str, rules: TableRules) -> bool:
    """Given a table row's text, return whether it is a total or a note ("Tổng kinh phí: ...",
    "Ghi chú: ..."), which is neither an item nor a group."""
    t = unmark(squash(text)).lower().lstrip(rules.specks["cell_edge"])
    return bool(rules.rx["non_item_row"].match(t))


def _continues_item(row: "_Row", has_ordinal_col: bool, rules: TableRules) -> bool:
    """Whether the first row of a table continued on the next page is the rest of the last
    item: its TT cell is empty (tables with a TT column); without one, its text goes on in
    lower case or it holds no cell of an item's fields (deadline, units)."""
    if has_ordinal_col:
        return not row.roles.get("ordinal")
    text = row.roles.get("text", "")
    if rules.rx["ordinal_in_text"].match(text):
        return False
    return text[:1].islower() or not text or not _has_item_cells(row)


def _has_item_cells(row: _Row) -> bool:
    return any(row.roles.get(r) for r in row.roles if r in ITEM_ROLES or r.startswith("year:"))


def _is_section(row: _Row, nxt_ordinal: Optional[str], layout: TableLayout, rules: TableRules) -> bool:
    has_item_cells = _has_item_cells(row)
    if row.spanning:
        return True
    if has_item_cells or not row.roles.get("text"):
        return False
    o = squash(row.roles.get("ordinal", ""))
    o_key = ordinal_of(o, rules) or ""
    # Upper-case Roman numerals head sections; lower-case i, v, x are lettered items.
    if o_key.isupper() and rules.rx["roman"].match(o_key):
        return True
    if rules.rx["section_text"].match(unmark(row.roles["text"])) and not o:
        return True
    # A numbered row over lettered ones is a group heading (1 > a, b, c).
    return bool(o_key.isdigit() and nxt_ordinal and rules.rx["letter"].match(nxt_ordinal))


def rows_to_items(layout: TableLayout, appendix: Optional[str], rows: list[_Row], method: str,
                   rules: TableRules, warnings: list[str]) -> list[RawItem]:
    out: list[RawItem] = []
    section: Optional[str] = None
    ordinals = [ordinal_of(r.roles.get("ordinal", ""), rules) for r in rows]
    inferred = [False] * len(rows)
    # Re-read the TT cells of item rows as sequences, one per run between heading-like
    # rows (spanning, or text without any item cell).
    runs: list[list[int]] = [[]]
    for i, r in enumerate(rows):
        if r.spanning or (r.roles.get("text") and not _has_item_cells(r)):
            runs.append([])
        elif r.roles.get("text"):
            runs[-1].append(i)
    for run in runs:
        for i, (o, inf) in zip(run, infer_ordinals([rows[i].roles.get("ordinal", "") for i in run], rules)):
            if inf:
                ordinals[i], inferred[i] = o, True
    col_number = rules.rx["column_number"]
    has_ordinal_col = "ordinal" in layout.roles
    year_header = _one_year_header(layout) if layout.kind == "target" else None
    for i, row in enumerate(rows):
        if row.spanning and not any(row.roles.values()):
            section = None  # a heading we cannot read must not lend its predecessor's name
            warnings.append(f"page {row.page}: unreadable section row (items below get no section)")
            continue
        if not row.roles:
            continue
        if all(col_number.match(v) for v in row.roles.values()) and len(row.roles) >= 3:
            continue  # "(1) (2) (3)" column numbering under the header
        if is_non_item_row(row.source.replace(" | ", " "), rules):
            warnings.append(f"page {row.page}: row that is no item (total, note) kept out of the items: "
                            f"{row.source[:200]}")
            continue
        if row.roles.get("group"):  # the group column names the section of this row and those below
            section = section_name(row.roles["group"], rules)
        nxt = next((o for o in ordinals[i + 1:] if o), None)
        if _is_section(row, nxt, layout, rules):
            section = section_name(" ".join(v for k, v in row.roles.items() if k in ("ordinal", "text"))
                                   if not row.spanning else row.source.replace(" | ", " "), rules)
            continue
        lower_rest = row.roles.get("text", "")[:1].islower() and not _has_item_cells(row) \
            and not row.roles.get("ordinal")  # a row the grid cut in two: the rest of the last
        if (row.continues or lower_rest) and out and _continues_item(row, has_ordinal_col, rules):
            prev = out[-1]  # a row split by the page break: join its halves
            for role, v in row.roles.items():
                prev.cells[role] = (prev.cells[role] + " " + v) if prev.cells.get(role) else v
            prev.text = prev.cells.get("text", prev.text)
            prev.provenance.source += " || " + row.source
            continue
        text = row.roles.get("text", "")
        if not text:
            warnings.append(f"page {row.page}: table row without item text skipped: {row.source[:200]}")
            continue
        ordinal = ordinals[i] or (squash(row.roles["ordinal"]) if row.roles.get("ordinal") else None)
        cells = dict(row.roles)
        if not has_ordinal_col:  # "1. Rà soát ...": the ordinal printed in the text cell
            m = rules.rx["ordinal_in_text"].match(text)
            if m:
                ordinal, text = m.group("ord"), m.group("text")
                cells["text"] = text
        item = RawItem(kind=layout.kind, text=text, ordinal=ordinal, section=section, appendix=appendix,
                       cells=cells, provenance=Provenance(
                           page=row.page, bbox=row.bbox, source=row.source, table=row.table,
                           row=row.cells[0].row if row.table is not None and row.cells else None),
                       layout=method)
        if year_header and not cells.get("deadline"):
            item.cells["deadline"] = year_header
            item.warnings.append(f"deadline taken from the value column's header: {year_header!r}")
        if row.roles.get("ordinal") and not ordinals[i]:
            item.warnings.append(f"ordinal cell not understood: {row.roles['ordinal']!r}")
        elif inferred[i]:
            item.warnings.append(f"ordinal {ordinals[i]!r} taken from the sequence; "
                                 f"cell read {row.roles.get('ordinal', '')!r}")
        out.append(item)
    return out
