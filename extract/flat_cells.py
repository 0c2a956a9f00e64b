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
    lead_final: bool = False  # no column after the lead's at all


def header_lines_to_roles(lines: Sequence[str], rules: TableRules) -> dict[str, int]:
    """Given a flattened table's column-header lines, return the column roles their titles
    name (table_headers.yaml synonyms of 5+ letters, longest first; the TT by its word), each
    with where its title starts in the folded header."""
    folded = header_fold(" ".join(lines))
    found: dict[str, int] = {}  # role -> where its title starts in the folded header
    rest = folded
    for syn, role in rules.synonyms:  # longest first: "coquanphoihop" before "phoihop"
        if len(syn) >= 5 and syn in rest:
            found[role] = min(found.get(role, len(folded)), rest.index(syn))
            rest = rest.replace(syn, "|" * len(syn))
    if words_of(" ".join(lines)) & ORDINAL_TITLES:
        found.setdefault("ordinal", 0)
    return found


def one_year_deadline(lines: Sequence[str], years: list[int], kind: str, rules: TableRules) -> Optional[str]:
    """Given a flattened table's header lines, the years its header prints and the table's
    kind, return the deadline of every row when it is a target table whose header prints one
    year and names no deadline column and no horizon ("Chỉ tiêu năm 2026": each target is for
    that year, as for a ruled table; "Đến hết năm 2030" is a milestone of several:
    rules.flat_horizon_titles), else None. The deadline is the year as the header prints it
    (its digits), never words the plan did not print ("Năm 2026")."""
    if kind != "target" or len(years) != 1 or "deadline" in header_lines_to_roles(lines, rules):
        return None
    folded = header_fold(" ".join(lines))
    if any(header_fold(title) in folded for title in rules.flat_horizon_titles):
        return None  # a milestone's year ("Đến hết năm 2045" beside one OCR damaged): no deadline
    return str(years[0])


def header_lines_to_unit_columns(lines: list[str], rules: TableRules,
                                 above: Sequence[str] = ()) -> Optional[UnitColumns]:
    """Given a flattened table's column-header lines, return the unit columns they name, or
    None when they name no lead column or too few columns to be the header (OCR garbled it,
    or the line is a title). A cooperating
    title OCR damaged ("Cơ quan P ôi hợp") still counts when it is close to a synonym
    (rules.flat_header_fuzzy), so a damaged title never reads as a missing column; so does
    one printed on a line of its own ``above`` the header line OCR read ("“Cơ quan phối
    hợp", whose quote mark made it no header line)."""
    if not header_fold(" ".join(lines)):
        return None
    found = header_lines_to_roles(lines, rules)
    if "lead" not in found or len(found) < rules.flat_header_min_roles:
        return None  # a title line naming a column's words ("BẢNG PHÂN CÔNG NHIỆM VỤ") is no header
    near = header_fold(" ".join([*above, *lines]))
    coop = "cooperating" in found or any(
        fuzz.partial_ratio(syn, near) >= rules.flat_header_fuzzy
        for syn, role in rules.synonyms if role == "cooperating" and len(syn) >= 6)
    after = {r for r, at in found.items() if at > found["lead"]}
    return UnitColumns(lead=True, cooperating=coop,
                       lead_last=not coop and after <= set(rules.flat_after_last_lead),
                       lead_final=not coop and not after)


def _known_run_at_end(words: list[str], layout: LayoutRules, registry: UnitRegistry,
                      max_words: int) -> int:
    """How many of the last ``words`` make the longest run of 2 to ``max_words`` words the
    unit registry reads as a known unit, leaving a word before it that is no linking word
    ("... phối hợp với Sở Tài chính" is the sentence's); 0 when none does."""
    linking = set(layout.linking_words)
    for k in range(min(max_words, len(words) - 1), 1, -1):
        run, before = words[-k:], words[-k - 1]
        if before.strip(",;") in linking or run[0][:1].islower() or run[0].strip(",;") in linking:
            continue
        if registry.resolve(" ".join(run).strip(" .;,")).known:
            return k
    return 0


def take_line_end_lead(row: Row, columns: Optional[UnitColumns], layout: LayoutRules,
                       registry: UnitRegistry, max_words: int) -> Optional[str]:
    """Given a rebuilt row of a table whose lead column is its last (but a deadline or a
    note), return the lead name read at a line's end, or None, having moved it into the
    row's unit cell:

    * a row without unit cells: the known unit name that ends one of its text lines ("...
      bảo đảm đồng bộ, kết nối Số -Xây dựng": OCR damaged the name's head, so no unit word
      started a cell there);
    * a row of a table whose very last column is the lead: the known unit name that ends one
      of its lines is the lead; the unit fragments before it are other columns' words (a
      place, a status: "Trung tâm hành chính Kêu gọi đầu tư ..."), kept as notes.
    """
    if columns is None or not columns.lead_last:
        return None
    units = [c for c in row.cells if c.role == "unit"]
    if not units:
        for i, line in enumerate(row.text_lines):
            words = line.split()
            k = _known_run_at_end(words, layout, registry, max_words)
            if k:
                name = " ".join(words[-k:])
                row.text_lines[i] = " ".join(words[:-k])
                row.cells.append(Cell(name.strip(" ;,"), len(row.text_lines[i]), 0, "unit"))
                row.blocks.append(0)
                return name
        return None
    if not columns.lead_final:
        return None
    for li, ln in enumerate(row.lines):
        words = ln.text.rstrip(layout.specks["line_lead"] + " |_~-—:;.,").split()
        k = _known_run_at_end(words, layout, registry, max_words)
        if not k:
            continue
        run = words[-k:]
        owner = next((c for c in units if c.line_idx == li and c.text.split()[-k:] == run), None)
        if owner is None:
            at = next((i for i, t in enumerate(row.text_lines) if t.split()[-k:] == run and t in ln.text), None)
            if at is None:
                continue
            row.text_lines[at] = " ".join(row.text_lines[at].split()[:-k])
        else:
            owner.text = " ".join(owner.text.split()[:-k])
        for c in units:
            c.role = "note"
        name = " ".join(run)
        row.cells.append(Cell(name.strip(" ;,"), 0, li, "unit"))
        row.blocks.append(0)
        return name
    return None


def trailing_dates_to_deadline(row: Row, rules: TableRules) -> Optional[str]:
    """Given a rebuilt row, move the date, year or period that closes one of its unit
    fragments ("Sở Công Thương 2027", "Phòng Văn hóa - Xã hội 2026 - 2028";
    rules.flat_unit_trailing_date) out of it: into the row's deadline
    cell when it has none (returned), else into a note; a number after it (the next
    column's: a budget) becomes a note."""
    taken = None
    has_deadline = any(c.role == "deadline" for c in row.cells)
    for c in [c for c in row.cells if c.role == "unit"]:
        m = rules.flat_unit_trailing_date.search(c.text)
        if not m:
            continue
        if not c.text[:m.start()].strip(" ,;.|"):
            continue  # a fragment that is only a date keeps its place among the unit columns
        date = " ".join(m.group(1).split())
        c.text = c.text[:m.start()].rstrip(" ,;.|")
        role = "note" if has_deadline or taken else "deadline"
        row.cells.append(Cell(date, c.offset + m.start(1), c.line_idx, role))
        row.blocks.append(0)
        if m.group(2):
            row.cells.append(Cell(m.group(2), c.offset + m.start(2), c.line_idx, "note"))
            row.blocks.append(0)
        if role == "deadline":
            taken = date
    return taken


def row_to_cells(row: Row, years: list[int], columns: Optional[UnitColumns],
                 layout: LayoutRules, labels: CellLabelRules) -> dict[str, str]:
    """Given a rebuilt row, the table's value years and its unit columns (None: unknown),
    return the row's cells by role (deadline, lead, cooperating, notes, year:*). In a table
    with a lead column and no cooperating one, the row's unit fragments are read in order:
    the first, each that starts a unit name ("UBND tỉnh" after "Văn phòng") or continues
    one ("Xã hội", "phường") and each labelled part ("Phối hợp: ...") make the lead cell;
    the others are other columns' words (a status, a product) and become the row's notes."""
    cells = row_cells_to_roles(row, years)
    notes = [c.text for c in row.cells if c.role == "note" and c.text.strip(" ,;.")]
    if notes:  # other columns' words read among the unit fragments (take_line_end_lead)
        cells["notes"] = " ".join(notes)
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
