"""The lines of a flattened table (old OCR text, a text layer read line by line): column
header lines told from rows that use a title's words, OCR debris stripped, and each line
split into its item-text column (left) and its cell fragments (right): column bars,
deadline phrases, target values and unit names start cells (cues are data: cues.yaml,
headings.yaml; unit labels: cell_labels.yaml)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..core.folding import fold
from .cell_labels import first_label_at, label_starts
from .rules import Rules
from .rules.cell_labels import CellLabelRules
from .rules.layout import LayoutRules
from .sections import Line


@dataclass
class Cell:
    text: str
    offset: int  # character offset of the fragment in its line
    line_idx: int
    role: str = "unit"  # "unit" | "deadline" | "value"
    whole: bool = False  # the cell filled its whole line (block layout)


@dataclass
class SplitLine:
    line: Line
    ordinal: Optional[str]
    text: str  # the item-text column part
    cells: list[Cell]
    header: bool = False
    dropped: Optional[str] = None  # a cell left out of text and cells (kept for a warning)
    group: str = ""  # a group column's cell left of the text ("Phát triển dữ liệu số | Hoàn thiện ...")


_ROW_EVIDENCE = re.compile(r"(?<!\d)\d{1,2}/(?:\d{1,2}/)?\d{4}(?!\d)|\d\s*%")


def header_terms(text: str, rules: LayoutRules) -> set[str]:
    """Given a line, return the column-title words it holds, a word inside another one found
    counted once ("thực hiện" holds "hiện")."""
    low = fold(text)
    found = {w for w in rules.header_words if len(w) > 3 and w in low}
    return {w for w in found if not any(w != o and w in o for o in found)}


def is_row_start(text: str, rules: LayoutRules) -> bool:
    """Given a line, return True when it opens a row by its shape: an ordinal, then a
    sentence of three words or more ("1 | Tỷ lệ văn bản ...", "3. Cập nhật ...")."""
    m = rules.flat["ord_row"].match(text.strip())
    words = m.group("text").split() if m else []
    return (len(words) >= 3 and len(words[0]) >= 2 and words[0][:1].isupper()
            and words[0].isalpha())


def is_header_line(text: str, rules: Rules) -> bool:
    """Given a line, return True when it is (part of) the table's column header. A line
    showing a row's own shape (an ordinal before its text, a date or a percentage) is a row
    that happens to use a column title's words ("... sáu tháng thực hiện kế hoạch ... Hoàn
    thành"), unless it names three column titles."""
    layout = rules.layout
    hits = len(header_terms(text, layout))
    stripped = fold(text.strip(" |."))
    if stripped in layout.header_words or layout.flat["column_numbers"].match(text.strip()):
        return True  # a column title alone, or the row of column numbers "(1) (2) (3)"
    if hits < 3 and (_ROW_EVIDENCE.search(text) or is_row_start(text, layout)):
        return False
    if hits >= 2:
        return True
    if hits and len(set(layout.flat["year"].findall(text))) >= 2:
        return True  # "STT Mục tiêu 2025 | 2030 | 2035": a title and the years' columns
    if len(stripped) <= 35 and any(stripped.startswith(w) for w in layout.header_words if len(w) > 3):
        return True
    from .table_columns import header_line_roles

    # the column titles named by the table header synonyms ("Kết quả đầu ra | Mục tiêu | Chỉ
    # số theo dõi | Đơn vị chủ trì"): three, or two in a short line
    roles = header_line_roles(text, rules.tables)
    return roles >= 3 or (roles >= 2 and len(text.split()) <= 8)


_PUNCT_ONLY = re.compile(r"^[^\w]+$")


_MIXED_JUNK = re.compile(r"^(?:\d[A-Za-z]|[A-Za-z]\d|[A-Z]{2}|[a-z][A-Z])$")


def _is_junk_token(tok: str, keep: frozenset[str]) -> bool:
    if tok in keep:
        return False
    if _PUNCT_ONLY.match(tok):
        return True
    if len(tok) == 1 and not tok.isdigit():
        return True
    return bool(_MIXED_JUNK.match(tok))


def strip_noise(text: str, kind: str = "task") -> str:
    """Given a table line, return it without runs of OCR debris (accents and rulings read as
    stray glyphs: "R SR A S : Trong" -> "Trong"); single odd tokens are kept."""
    keep = frozenset({"X", "-", "–", "—", "|", "+", "&", "(", ")", "a", "b", "c", "d", "đ", "e"}) \
        if kind == "target" else frozenset({"-", "–", "—", "|", "&", "a", "b", "c", "d", "đ", "e"})
    toks = text.split()
    junk = [_is_junk_token(t, keep) for t in toks]
    for i, t in enumerate(toks):  # a lone digit inside debris is debris too
        if t.isdigit() and len(t) == 1 and 0 < i < len(toks) - 1 and junk[i - 1] and junk[i + 1]:
            junk[i] = True
    out = []
    i = 0
    while i < len(toks):
        if junk[i]:
            j = i
            while j < len(toks) and junk[j]:
                j += 1
            if j - i >= 2:
                i = j
                continue
        out.append(toks[i])
        i += 1
    return " ".join(out)


def _deadline_at(text: str, rules: LayoutRules) -> Optional[re.Match]:
    best = None
    folded = fold(text)
    for rx in rules.table_deadline_patterns:
        m = rx.search(folded)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def _unit_cut(text: str, rules: LayoutRules, max_tail: int = 50) -> Optional[int]:
    """Position where a unit cell starts in a line (right part, short tail), or None."""
    rx = rules.flat
    linking = set(rules.linking_words)
    found = []
    for pattern, capital in ((rules.unit_words, True), (rx["frag"], False)):
        for m in pattern.finditer(text, capital=capital):
            p = m.start()
            if p == 0 or len(text) - p > max_tail:
                continue
            if capital and len(text[p:].split()) < 2:
                continue  # a lone "Sở" at the end of a text line starts a wrapped phrase
            prev = text[:p].split()
            if prev and prev[-1].strip(",;") in linking:
                continue
            found.append(p)
            break
    return min(found) if found else None


def split_units(t: str, offset: int, rules: LayoutRules, labels: CellLabelRules) -> list[Cell]:
    """Given unit text from one line, split it where another unit name starts without a
    separator ("Phòng Kinh tế Các cơ quan, đơn vị" -> 2 cells). Labelled parts ("Chủ trì: Sở
    Tài chính. Phối hợp: Sở Nội vụ, Sở Xây dựng") are one cell each, whatever they list."""
    marks = label_starts(t, labels)
    if marks:
        out = split_units(t[:marks[0]], offset, rules, labels) if t[:marks[0]].strip(" ;,.") else []
        for a, b in zip(marks, marks[1:] + [len(t)]):
            if t[a:b].strip(" ;,"):
                out.append(Cell(t[a:b].strip(" ;,"), offset + a, 0, "unit"))
        return out
    linking = set(rules.linking_words)
    cuts = [0]
    starts = [(m.start(), True) for m in rules.unit_words.finditer(t)]
    # a wrapped continuation ("Xã hội", "thuộc UBND xã") after a unit name starts the next
    # column's continuation on interleaved lines: "Xã hội thuộc UBND xã" -> 2 cells
    starts += [(m.start(), False) for m in rules.flat["frag"].finditer(t, capital=False)]
    for p, is_head in sorted(starts):
        if p == 0 or any(a <= p < a + 2 for a in cuts):
            continue
        prev = t[:p].split()
        if is_head and prev and prev[-1].strip(",;") in linking:
            continue
        if not is_head and (not prev or prev[-1].strip(",;") in linking or prev[-1][-1:] in "-—–"):
            continue
        cuts.append(p)
    cuts.append(len(t))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = t[a:b].strip(" ;,")
        if piece:
            out.append(Cell(piece, offset + a, 0, "unit"))
    return out


def tail_to_cells(t: str, offset: int, rules: LayoutRules, labels: CellLabelRules, kind: str = "task",
                  deadlines: bool = True, values: bool = True) -> list[Cell]:
    """Given the right part of a table line (no column bars), return its cells: leading
    target values, a deadline phrase and the unit names around it
    ("Thường xuyên Phòng Văn hóa—" -> deadline + unit)."""
    out: list[Cell] = []
    if kind == "target" and values:
        toks = t.split()
        n = 0
        while n < len(toks) and rules.flat["value"].match(toks[n]):
            n += 1
        if n:
            out += [Cell(v, offset, 0, "value") for v in toks[:n]]
            t = " ".join(toks[n:])
            if not t:
                return out
    dm = _deadline_at(t, rules) if deadlines else None
    if not dm:
        return out + split_units(t, offset, rules, labels)
    before, phrase, after = t[:dm.start()].strip(), t[dm.start():dm.end()], t[dm.end():]
    # a deadline phrase runs on over trailing date tokens ("Trước ngày 30/6/2025")
    m = re.match(r"^\s*((?:\d{1,2}/)?\d{1,2}/\d{4}[.;,]?)", after)
    if m:
        phrase, after = phrase + " " + m.group(1), after[m.end():]
    if before:
        out += split_units(before, offset, rules, labels)
    out.append(Cell(phrase.strip(), offset + dm.start(), 0, "deadline"))
    after = after.strip()
    if after:
        out += split_units(after, offset + dm.end() + 1, rules, labels)
    return out


def split_line(ln: Line, rules: LayoutRules, labels: CellLabelRules, kind: str, deadlines: bool = True,
               values: bool = True) -> SplitLine:
    """Given a table line, return its ordinal, item-text part and cell fragments (deadline
    and value cells only where the table has such columns)."""
    rx = rules.flat
    text = ln.text
    ordinal = None
    lead = text.lstrip(rules.specks["line_lead"] + "<>«»")
    if lead != text and rx["ord_row"].match(lead) and lead[:1].isdigit():
        text = lead  # "‘9 Số điểm ...", "\"7. | Tỷ lệ ...": specks from the margin before the TT
    m = rx["ord_only"].match(text)
    if m:
        return SplitLine(ln, m.group("ord"), "", [])
    m = rx["ord_row"].match(text) or rx["ord_row_specks"].match(text)
    if m and m.group("text"):
        ordinal, text = m.group("ord"), m.group("text")
    parts = [p for p in rx["bar"].split(text)]
    dropped = None
    if ordinal is None and len(parts) > 2 and 0 < len(parts[0].strip()) <= 2 and parts[1].strip()[:1].isupper():
        dropped, parts = parts[0].strip(), parts[1:]  # "o | Tỷ lệ chi ... | 5% |": the ordinal's cell, misread
    group = ""
    if ordinal is None and dropped is None and len(parts) > 2 and _opens_group_cell(parts[0], parts[1], rules):
        group, parts = parts[0].strip(), parts[1:]
    head, tails = parts[0], parts[1:]
    cells: list[Cell] = []
    # value tokens of target tables sit right after the text column
    def trailing_values(head: str) -> str:
        toks = head.split()
        vals = []
        while toks and rx["value"].match(toks[-1]) and not (len(toks) > 1 and toks[-2].lower() in rules.value_not_after):
            vals.insert(0, toks.pop())
        if vals and toks:
            head = " ".join(toks)
            cells.extend(Cell(v, len(head), 0, "value") for v in vals)
        return head

    if kind == "target" and values:
        head = trailing_values(head)
    cut_positions = []
    lab = first_label_at(head, labels)  # "Chủ trì: Sở Tài chính." starts a units cell
    if lab is not None:
        cut_positions.append(lab)
    d = _deadline_at(head, rules) if deadlines else None
    if d:
        cut_positions.append(d.start())
    u = _unit_cut(head, rules)
    if u is not None:
        cut_positions.append(u)
    if cut_positions:
        p = min(cut_positions)
        tail = head[p:]
        head = head[:p]
        tails = [tail] + tails
        if kind == "target" and values:
            head = trailing_values(head)  # "... nước sạch 85% 95% Phòng Kinh tế": values before the unit
    offset = len(head)
    for t in tails:
        t = t.strip()
        if not t:
            continue
        if kind == "target" and values and all(rx["value"].match(x) for x in t.split()):
            cells += [Cell(x, offset, 0, "value") for x in t.split()]
        else:
            cells += tail_to_cells(t, offset, rules, labels, kind, deadlines, values)
        offset += len(t) + 3
    return SplitLine(ln, ordinal, head.strip(), [c for c in cells if c.text], dropped=dropped, group=group)


def _opens_group_cell(first: str, second: str, rules: LayoutRules) -> bool:
    """A line's first two bar-separated parts are a group column's cell and the item's text
    when the first is a short capitalised name (up to ``flat_group_cell_words`` words) and the
    second opens a sentence of four words or more that is no unit name or deadline."""
    words, text = first.split(), second.strip()
    if not words or len(words) > rules.flat_group_cell_words or not words[0][:1].isupper():
        return False
    if len(text.split()) < 4 or not starts_sentence(text, digits=False) or rules.unit_words.match(text):
        return False
    d = _deadline_at(text, rules)
    return d is None or d.start() > 0


DATE_ONLY = re.compile(r"^(?:\d{1,2}/)?\d{1,2}/\d{4}[.;,]?$")


def whole_line_cell(ln: Line, rules: LayoutRules, after_cell: bool, deadlines: bool = True) -> Optional[str]:
    """A line that holds only cells (block layout, or wrapped cell continuations):
    return its role ("deadline"/"unit"), else None."""
    t = ln.text.strip(" |")
    if not t or len(t) > 45:
        return None
    if deadlines and DATE_ONLY.match(t):
        return "deadline"
    d = _deadline_at(t, rules) if deadlines else None
    if d and d.start() == 0:
        return "deadline"
    if rules.unit_words.match(t) or rules.flat["frag"].match(t, capital=False):
        if ln.gap or after_cell or len(t) <= 20:
            return "unit"
    return None


def starts_sentence(t: str, digits: bool = True) -> bool:
    """Capitalised first word that is not an all-caps abbreviation ("TTg", "HCC"); with
    ``digits`` a number starts a sentence too ("100% thủ tục hành chính ...")."""
    w = t.split()[0] if t.split() else ""
    if w[:1].isdigit():
        return digits
    if not w or not w[:1].isupper():
        return w[:1] in "(“\""
    letters = [c for c in w if c.isalpha()]
    return not (len(letters) > 1 and sum(c.isupper() for c in letters) > 1)
