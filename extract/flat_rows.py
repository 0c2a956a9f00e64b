"""The rows of a flattened table once its lines are read (extract.flat_tables): fragments
merged into the row they continue, groups of rows that repeat a numeral, rows printed before
the numbering starts, a row split at a centred ordinal, and a row's cells given their
column roles."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..core.folding import fold
from .rules.layout import LayoutRules
from .sections import Line
from .flat_lines import Cell, starts_sentence


def ordinal_value(o: str, letters: str) -> tuple[str, int]:
    """Given a row's ordinal ("7", "c") and the letters lists count with, in order
    (table_headers.yaml letter_sequence: "a b c d đ e g h ..."), return its sequence and
    place: ("num", 7), ("let", 3); ("let", 0) for a letter no list counts with."""
    if o.isdigit():
        return "num", int(o)
    return "let", letters.find(o) + 1 if o else 0


@dataclass
class Row:
    ordinal: Optional[str] = None
    section: Optional[str] = None
    text_lines: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)  # gap-block index of each unit cell
    inferred: bool = False  # the ordinal is the sequence's next, not printed legibly
    notes: list[str] = field(default_factory=list)  # other columns' paragraphs (kept, not text)


_FREE_DATE = re.compile(r"(?<![\w/])(\d{1,2}/\d{1,2}/\d{4})(?![\w/])")


_DATE_OWNERS = {"ngay", "so", "nam", "tu", "den", "thang"}  # folded: the date belongs to the text


_FREE_YEAR = re.compile(r"(?<![\w/])(20\d\d)(?![\w/])")


def date_span_in_text(text: str, years: bool = False) -> Optional[tuple[int, int]]:
    """A date printed inside the text column that belongs to the deadline column (the rest
    of "Trước ngày" wrapped onto a text line): not preceded by ngày/số/năm/từ/đến. With
    ``years`` a lone year too (the rest of "Quý IV năm" or "Trong năm" wrapped below it),
    not one of a period ("giai đoạn 2026 - 2030")."""
    for rx in (_FREE_DATE, _FREE_YEAR) if years else (_FREE_DATE,):
        for m in rx.finditer(text):
            prev = text[:m.start()].split()
            after = text[m.end():].lstrip()
            if rx is _FREE_YEAR and ((after[:1] and after[:1] in "-–") or (prev and prev[-1] in ("-", "–"))):
                continue  # a period's bound ("2026 - 2030")
            if not prev or fold(prev[-1]).strip(",;:(") not in _DATE_OWNERS | {"doan"}:
                return m.span(1)
    return None


def _is_fragment(r: Row) -> bool:
    text = " ".join(r.text_lines).strip()
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    note = text[:1] == "(" and text[-1:] == ")"  # "(Đã thực hiện kết nối)": the row's status note
    return r.ordinal is None and (len(words) < 4 or text[:1].islower() or text[:1] in ".:;,-)" or note)


def _merge_into(dst: Row, src: Row, front: bool = False) -> None:
    if front:
        n = len(src.lines)
        for c in dst.cells:
            c.line_idx += n
        dst.text_lines = src.text_lines + dst.text_lines
        dst.cells, dst.blocks = src.cells + dst.cells, src.blocks + dst.blocks
        dst.lines = src.lines + dst.lines
        return
    dst.text_lines += src.text_lines
    _append_lines(dst, src)


def _append_lines(dst: Row, src: Row) -> None:
    """Append ``src``'s lines, cells (their line numbers shifted past ``dst``'s) and blocks to ``dst``."""
    n = len(dst.lines)
    for c in src.cells:
        c.line_idx += n
    dst.cells += src.cells
    dst.blocks += src.blocks
    dst.lines += src.lines


def merge_fragment_rows(rows: list[Row], warnings: list[str], where: str) -> list[Row]:
    """Given rebuilt rows, return them with un-numbered fragments (a few words, or text that
    continues a sentence) merged into the row above them — or, at the start of a section,
    into the row below."""
    out: list[Row] = []
    pending: list[Row] = []  # fragments opening a section, waiting for the row below
    for r in rows:
        text = " ".join(r.text_lines).strip()
        if not _is_fragment(r):
            for f in reversed(pending):
                if f.section == r.section:
                    _merge_into(r, f, front=True)
                else:
                    out.append(f)
            pending = []
            out.append(r)
            continue
        if out and out[-1].section == r.section:
            _merge_into(out[-1], r)
            warnings.append(f"{where}: fragment merged into row {out[-1].ordinal or '?'}: {text[:60]!r}")
        else:
            pending.append(r)
    out += pending
    return out


def short_rows_to_notes(rows: list[Row], warnings: list[str], where: str, max_words: int = 6) -> list[Row]:
    """Given rebuilt rows, return them with the short un-numbered rows under a numbered one
    ("Làm việc trực tiếp", "Tài chính.") kept as notes of that row, when the table numbers
    its rows (three or more numbered, most of them): in such a table they are the paragraphs
    of other columns (method, budget, product), not rows."""
    numbered = [r for r in rows if r.ordinal is not None]
    if len(numbered) < 3 or len(numbered) < 0.6 * len(rows):
        return rows
    out: list[Row] = []
    for r in rows:
        text = " ".join(" ".join(r.text_lines).split())
        prev = out[-1] if out else None
        if (r.ordinal is None and prev is not None and prev.ordinal is not None and prev.section == r.section
                and 0 < len(text.split()) <= max_words):
            prev.notes.append(text)
            warnings.append(f"{where}: short un-numbered row kept as a note of row {prev.ordinal}: {text[:60]!r}")
            continue
        out.append(r)
    return out


def _as_notes(dst: Row, src: Row) -> None:
    """Move ``src``'s cells into ``dst`` and keep its text as a note of ``dst``."""
    text = " ".join(" ".join(src.text_lines).split())
    _append_lines(dst, src)
    if text:
        dst.notes.append(text)


def rows_between_consecutive_numerals(rows: list[Row], warnings: list[str], where: str,
                                      letters: str, min_numbered: int = 3) -> list[Row]:
    """Given rebuilt rows, return them with the un-numbered rows that sit between two numbered
    rows of one sequence decided by the sequence. Between numerals that follow each other ("3"
    then "4") no row is missing: they are paragraphs of other columns of the row above (a
    block layout: one paragraph a cell) and become its cells and notes. Where one numeral is
    missing ("3" then "5"), the first of them that opens a sentence is that row, its numeral
    inferred; the others are its (or the row above's) paragraphs. Only in tables that number
    at least ``min_numbered`` rows."""
    numbered = [i for i, r in enumerate(rows) if r.ordinal is not None]
    if len(numbered) < min_numbered:
        return rows
    drop: set[int] = set()
    for a, b in zip(numbered, numbered[1:]):
        between = list(range(a + 1, b))
        pa, pb = rows[a], rows[b]
        if not between or pa.section != pb.section or any(rows[i].section != pa.section for i in between):
            continue
        (ka, va), (kb, vb) = ordinal_value(pa.ordinal, letters), ordinal_value(pb.ordinal, letters)
        if ka != kb or va < 1 or vb - va not in (1, 2):
            continue
        owner = pa
        if vb - va == 2:  # one numeral missing: the row that lost it is among these
            opener = next((i for i in between if starts_sentence(" ".join(rows[i].text_lines))
                           and len(" ".join(rows[i].text_lines).split()) >= 4), None)
            if opener is None:
                continue
            rows[opener].ordinal = str(va + 1) if ka == "num" else letters[va]
            rows[opener].inferred = True
        for i in between:
            r = rows[i]
            if r.ordinal is not None:  # the inferred row: the next ones are its paragraphs
                owner = r
                continue
            if not (r.lines and r.lines[0].gap):
                continue  # interleaved lines: the top of the next row, its numeral centred
            text = " ".join(" ".join(r.text_lines).split())
            warnings.append(f"{where}: un-numbered row between rows {pa.ordinal} and {pb.ordinal} "
                            f"kept as a paragraph of row {owner.ordinal}: {text[:60]!r}")
            _as_notes(owner, r)
            drop.add(i)
    return [r for i, r in enumerate(rows) if i not in drop]


def repeated_numeral_groups(rows: list[Row], warnings: list[str], where: str) -> list[Row]:
    """Given rebuilt rows, return them with a short numbered row without cells whose numeral
    the next numbered row prints again ("1 | Kiểm tra, giám sát" then "1 Tổng hợp ...") made
    the section of the rows below it: a group row whose Roman "I" OCR read as "1"."""
    out: list[Row] = []
    for i, r in enumerate(rows):
        nxt = next((x for x in rows[i + 1:] if x.ordinal is not None), None)
        text = " ".join(" ".join(r.text_lines).split())
        again = nxt is not None and (nxt.ordinal == r.ordinal or (r.inferred and nxt.ordinal in ("1", "a")))
        if r.ordinal is not None and not r.cells and again and 0 < len(text.split()) <= 8:
            old = r.section
            for x in rows[i + 1:]:
                if x.section != old:
                    break
                x.section = text.strip(" ,;.")
            warnings.append(f"{where}: row {r.ordinal} without cells, its numeral printed again "
                            f"below: read as a group row {text[:60]!r}")
            continue
        out.append(r)
    return out


def misread_numeral(text: str, layout: LayoutRules) -> Optional[str]:
    """Given a table line's text, return it without its first token when that token is a row
    numeral OCR misread ("l Tổ chức ..." -> "Tổ chức ..."): one or two numeral look-alikes
    (data) before a capitalised word of two letters or more; else None."""
    parts = text.split(maxsplit=1)
    if len(parts) < 2:
        return None
    tok = parts[0].rstrip("_.,:;")
    rest = parts[1].lstrip("|_ ")
    word = rest.split()[0] if rest.split() else ""
    if not tok or len(tok) > 2 or any(ch not in layout.ordinal_lookalikes for ch in tok):
        return None
    if len(word) < 2 or not word[:1].isupper() or not word.isalpha():
        return None
    return rest


def drop_rows_before_numbering(rows: list[Row], warnings: list[str], where: str) -> list[Row]:
    """Given rebuilt rows, return them without the un-numbered rows above the first numbered
    one of their section when the table numbers its rows (three or more numbered, most of
    them) and that first one is "1" or "a": no row comes before it, they are the debris of
    a header OCR garbled, kept as warnings."""
    numbered = [r for r in rows if r.ordinal is not None]
    if len(numbered) < 3 or len(numbered) < 0.6 * len(rows):
        return rows
    out: list[Row] = []
    seen: set[Optional[str]] = set()  # sections whose numbering has started
    first = {}  # section -> its first printed ordinal
    for r in rows:
        if r.ordinal is not None:
            first.setdefault(r.section, r.ordinal)
    table_first = numbered[0].ordinal
    for k, r in enumerate(rows):
        above_all = r.ordinal is None and table_first == "1" and k < rows.index(numbered[0])
        # only where the numbering then starts at its first value: no row can come before
        if above_all or (r.ordinal is None and r.section not in seen and first.get(r.section) in ("1", "a")):
            text = " ".join(" ".join(r.text_lines).split())
            warnings.append(f"{where}: text above the first numbered row kept as a warning: {text[:80]!r}")
            continue
        seen.add(r.section)
        out.append(r)
    return out


def row_ended(row: Row) -> bool:
    """A row with cells whose last text line closes a sentence or is short has ended."""
    if not row.text_lines:
        return True
    last = row.text_lines[-1]
    return last[-1:] in ".;:)" or len(last) < 28 or row.cells[-1].line_idx >= len(row.lines) - 1


def split_centred_row(cur: Row, rows: list[Row], ordinal: str, section: Optional[str]) -> None:
    """The ordinal of the next row is printed mid-row: move the lines from the last
    capitalised text line of the open row into a new row."""
    # the last line opening a sentence, best one after a line that closed one ("... Quốc
    # gia." then "Đồng bộ ..."); an abbreviation ("CSDL tổng hợp ...") opens none
    opening = [i for i in range(1, len(cur.text_lines)) if starts_sentence(cur.text_lines[i], digits=False)]
    after_stop = [i for i in opening if cur.text_lines[i - 1].rstrip()[-1:] in ".;:"]
    idx = (after_stop or opening or [None])[-1]
    new = Row(ordinal=ordinal, section=section)
    if idx is not None:
        n_move = len(cur.text_lines) - idx
        new.text_lines = cur.text_lines[idx:]
        cur.text_lines = cur.text_lines[:idx]
        keep = len(cur.lines) - n_move
        new.lines = cur.lines[keep:]
        cur.lines = cur.lines[:keep]
        moved = [(c, b) for c, b in zip(cur.cells, cur.blocks) if c.line_idx >= keep]
        stay = [(c, b) for c, b in zip(cur.cells, cur.blocks) if c.line_idx < keep]
        cur.cells, cur.blocks = [c for c, _ in stay], [b for _, b in stay]
        for c, _ in moved:
            c.line_idx -= keep
        new.cells, new.blocks = [c for c, _ in moved], [b for _, b in moved]
    rows.append(new)


def row_cells_to_roles(row: Row, years: list[int]) -> dict[str, str]:
    """Given a rebuilt row, return its cells by role: deadline, lead, cooperating, year:*."""
    out: dict[str, str] = {}
    dl = [c.text for c in row.cells if c.role == "deadline"]
    if dl:
        out["deadline"] = " ".join(dl)
    vals = [c.text for c in row.cells if c.role == "value"]
    if vals:
        if years and len(vals) <= len(years):
            for y, v in zip(years, vals):
                out[f"year:{y}"] = v
        else:
            out["value"] = " ".join(vals)
    units = [(c, b) for c, b in zip(row.cells, row.blocks) if c.role == "unit"]
    if not units:
        return out
    cols: dict[int, list[str]] = {0: [], 1: []}
    col_offset: dict[int, Optional[int]] = {0: None, 1: None}
    cur_block: Optional[int] = None
    block_col = 0
    last_text = ""
    by_line: dict[int, list[tuple[Cell, int]]] = {}
    for c, b in units:
        by_line.setdefault(c.line_idx, []).append((c, b))
    # lines showing both columns fix where each column starts in this row
    for cs in by_line.values():
        cs_sorted = sorted((c.offset for c, _ in cs if not c.whole))
        if len(cs_sorted) >= 2:
            col_offset[0], col_offset[1] = cs_sorted[0], cs_sorted[1]
            break
    for li in sorted(by_line):
        cs = sorted(by_line[li], key=lambda cb: cb[0].offset)
        if len(cs) >= 2:
            # two fragments on one line: lead column left, cooperating right
            for k, (c, _) in enumerate(cs):
                col = 0 if k == 0 else 1
                cols[col].append(c.text)
                col_offset[col] = c.offset
            continue
        c, b = cs[0]
        if c.whole:
            # block layout: the first block of unit lines is the lead column; a block that
            # ended with ";" or "," lists on into the next block of the same column
            if b != cur_block:
                if cur_block is not None and not last_text.rstrip().endswith((";", ",")):
                    block_col = min(block_col + 1, 1)
                cur_block = b
            col = block_col
            last_text = c.text
        elif col_offset[0] is not None and col_offset[1] is not None:
            col = min((0, 1), key=lambda k: abs(c.offset - col_offset[k]))
        elif col_offset[0] is not None and abs(c.offset - col_offset[0]) > 12:
            col = 1
        else:
            col = 0
        cols[col].append(c.text)
        if not c.whole:
            col_offset[col] = c.offset
    lead, coop = cols[0], cols[1]
    if lead:
        out["lead"] = " ".join(lead)
    if coop:
        out["cooperating"] = " ".join(coop)
    return out
