"""The unit cells of a flattened table's row (old OCR text, a text layer read line by line)
given by the table's column header: which unit columns the table has (lead, cooperating),
read from its header lines with the header synonyms (table_headers.yaml), and the row's unit
fragments put into those columns.

Old OCR text keeps no character positions (tesseract writes one space between words, also
between cells), so a fragment's column is known from its place in its line only where the
line shows both unit columns. What the header says holds for every row: in a table whose
header names a lead column and no cooperating one, every unit fragment of a row belongs to
the lead cell (a name wrapped over two lines, "Văn phòng" then "UBND tỉnh", or split where a
second unit word starts), never to a cooperating column the table does not have.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from rapidfuzz import fuzz

from .cell_labels import label_starts
from .rules.cell_labels import CellLabelRules
from .rules.layout import LayoutRules
from .rules.tables import TableRules, header_fold, header_words as words_of
from .table_columns import ORDINAL_TITLES
from .flat_lines import Cell
from .flat_rows import Row, row_cells_to_roles
from .units import UnitRegistry


@dataclass(frozen=True)
class UnitColumns:
    """The unit columns a flattened table's header names."""

    lead: bool
    cooperating: bool
    lead_last: bool = False  # no column after the lead's but a deadline or a note


def header_lines_to_unit_columns(lines: list[str], rules: TableRules,
                                 above: Sequence[str] = ()) -> Optional[UnitColumns]:
    """Given a flattened table's column-header lines, return the unit columns they name, or
    None when they name no lead column or too few columns to be the header (OCR garbled it,
    or the line is a title). A cooperating
    title OCR damaged ("Cơ quan P ôi hợp") still counts when it is close to a synonym
    (rules.flat_header_fuzzy), so a damaged title never reads as a missing column; so does
    one printed on a line of its own ``above`` the header line OCR read ("“Cơ quan phối
    hợp", whose quote mark made it no header line)."""
    folded = header_fold(" ".join(lines))
    if not folded:
        return None
    found: dict[str, int] = {}  # role -> where its title starts in the folded header
    rest = folded
    for syn, role in rules.synonyms:  # longest first: "coquanphoihop" before "phoihop"
        if len(syn) >= 5 and syn in rest:
            found[role] = min(found.get(role, len(folded)), rest.index(syn))
            rest = rest.replace(syn, "|" * len(syn))
    if words_of(" ".join(lines)) & ORDINAL_TITLES:
        found.setdefault("ordinal", 0)
    if "lead" not in found or len(found) < rules.flat_header_min_roles:
        return None  # a title line naming a column's words ("BẢNG PHÂN CÔNG NHIỆM VỤ") is no header
    near = header_fold(" ".join([*above, *lines]))
    coop = "cooperating" in found or any(
        fuzz.partial_ratio(syn, near) >= rules.flat_header_fuzzy
        for syn, role in rules.synonyms if role == "cooperating" and len(syn) >= 6)
    after = {r for r, at in found.items() if at > found["lead"]}
    return UnitColumns(lead=True, cooperating=coop,
                       lead_last=not coop and after <= set(rules.flat_after_last_lead))


def take_line_end_lead(row: Row, columns: Optional[UnitColumns], layout: LayoutRules,
                       registry: UnitRegistry, max_words: int) -> Optional[str]:
    """Given a rebuilt row without unit cells of a table whose lead column is its last (but
    a deadline or a note), move the known unit name that ends one of its text lines into a
    unit cell and return that name ("... bảo đảm đồng bộ, kết nối Số -Xây dựng": OCR
    damaged the name's head, so no unit word started a cell there): the longest run of 2 to
    ``max_words`` words the unit registry reads as a known unit, not after a linking word
    ("... phối hợp với Sở Tài chính" keeps its words). None when no line ends so."""
    if columns is None or not columns.lead_last or any(c.role == "unit" for c in row.cells):
        return None
    linking = set(layout.linking_words)
    for i, line in enumerate(row.text_lines):
        words = line.split()
        for k in range(min(max_words, len(words) - 1), 1, -1):
            run, before = words[-k:], words[-k - 1]
            if before.strip(",;") in linking or run[0][:1].islower() or run[0].strip(",;") in linking:
                continue
            name = " ".join(run)
            if not registry.resolve(name.strip(" .;,")).known:
                continue
            row.text_lines[i] = " ".join(words[:-k])
            row.cells.append(Cell(name.strip(" ;,"), len(row.text_lines[i]), 0, "unit"))
            row.blocks.append(0)
            return name
    return None


def row_to_cells(row: Row, years: list[int], columns: Optional[UnitColumns],
                 layout: LayoutRules, labels: CellLabelRules) -> dict[str, str]:
    """Given a rebuilt row, the table's value years and its unit columns (None: unknown),
    return the row's cells by role (deadline, lead, cooperating, notes, year:*). In a table
    with a lead column and no cooperating one, the row's unit fragments are read in order:
    the first, each that starts a unit name ("UBND tỉnh" after "Văn phòng") or continues
    one ("Xã hội", "phường") and each labelled part ("Phối hợp: ...") make the lead cell;
    the others are other columns' words (a status, a product) and become the row's notes."""
    cells = row_cells_to_roles(row, years)
    if columns is None or columns.cooperating or "cooperating" not in cells:
        return cells
    units = sorted((c for c in row.cells if c.role == "unit"), key=lambda c: (c.line_idx, c.offset))
    lead: list[str] = []
    other: list[str] = []
    for c in units:
        if (not lead or layout.unit_words.match(c.text) or layout.flat["frag"].match(c.text, capital=False)
                or label_starts(c.text, labels)):
            lead.append(c.text)
        else:
            other.append(c.text)
    cells.pop("cooperating")
    cells["lead"] = " ".join(lead)
    if other:
        cells["notes"] = " ".join(([cells["notes"]] if "notes" in cells else []) + other)
    return cells
