"""Appendix tables whose ruling was lost: old OCR text or a text layer read line by line.

Columns come interleaved line by line ("4 điều hành của các lãnh đạo và các Thường xuyên
Phòng Văn hóa— | Các phòng, đơn vị") or as separate cell paragraphs ("Trung tâm PV\\nHCC").
Rows are rebuilt as well as the text allows, from strong anchors:

* each line is split into the item-text column (left) and cell fragments (right): column
  bars, deadline phrases and unit names start cells (cues are data: cues.yaml, headings.yaml);
* a row starts at a top-aligned ordinal ("13", "5 | Số dự án ..."), or at a capitalised text
  line after the previous row already showed its cells, or — for an ordinal printed in the
  middle of its row — at the capitalised line nearest above it;
* section rows: roman numerals, "Thứ nhất: ...", numbered group rows of lettered items, and
  un-numbered "Về ..." rows;
* unit fragments are split into lead and cooperating columns by blank-line blocks (text
  layers) or by horizontal position in the line (interleaved OCR).
Rows that cannot be interpreted become warnings, never silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..schema import Provenance

from .cell_labels import first_label_at, label_starts
from .raw_items import RawItem
from ..core.folding import fold
from .rules import Rules
from .rules.cell_labels import CellLabelRules
from .rules.layout import LayoutRules
from .sections import Line, Region, lines_to_bbox
from .specks import ocr_specks

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
LETTERS = "abcdđefghiklmn"


@dataclass
class Cell:
    text: str
    offset: int  # character offset of the fragment in its line
    line_idx: int
    role: str = "unit"  # "unit" | "deadline" | "value"
    whole: bool = False  # the cell filled its whole line (block layout)


@dataclass
class Row:
    ordinal: Optional[str] = None
    section: Optional[str] = None
    text_lines: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)  # gap-block index of each unit cell
    inferred: bool = False  # the ordinal is the sequence's next, not printed legibly


@dataclass
class SplitLine:
    line: Line
    ordinal: Optional[str]
    text: str  # the item-text column part
    cells: list[Cell]
    header: bool = False


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
    lead = text.lstrip(ocr_specks("line_lead") + "<>«»")
    if lead != text and rx["ord_row"].match(lead) and lead[:1].isdigit():
        text = lead  # "‘9 Số điểm ...", "\"7. | Tỷ lệ ...": specks from the margin before the TT
    m = rx["ord_only"].match(text)
    if m:
        return SplitLine(ln, m.group("ord"), "", [])
    m = rx["ord_row"].match(text)
    if m and m.group("text"):
        ordinal, text = m.group("ord"), m.group("text")
    parts = [p for p in rx["bar"].split(text)]
    if ordinal is None and len(parts) > 2 and 0 < len(parts[0].strip()) <= 2 and parts[1].strip()[:1].isupper():
        parts = parts[1:]  # "o | Tỷ lệ chi ... | 5% |": the ordinal's cell, misread
    head, tails = parts[0], parts[1:]
    cells: list[Cell] = []
    # value tokens of target tables sit right after the text column
    def trailing_values(head: str) -> str:
        toks = head.split()
        vals = []
        while toks and rx["value"].match(toks[-1]) and not (len(toks) > 1 and toks[-2].lower() in ("năm", "số")):
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
    return SplitLine(ln, ordinal, head.strip(), [c for c in cells if c.text])


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


def expected_letter_ordinal(text: str, expected: str) -> Optional[tuple[str, str]]:
    """Given a line's text and the letters the row sequence expects next ("b", or "dđ"),
    return (letter, rest) when the line opens with a short lower-case token that begins with
    one of them and a capitalised word follows ("bố Thí điểm ..." -> "b"), else None."""
    parts = text.split(maxsplit=1)
    if len(parts) < 2 or not parts[1][:1].isupper():
        return None
    tok = parts[0].strip(ocr_specks("line_lead"))
    if not tok or len(tok) > 3 or not tok[:1].islower():
        return None
    for letter in expected:
        if fold(tok[:1]) == fold(letter) and (tok[:1] == letter or letter != "đ"):
            return letter, parts[1]
    return None


def _ord_value(o: str) -> tuple[str, int]:
    if o.isdigit():
        return "num", int(o)
    return "let", LETTERS.find(o) + 1


def _is_section_text(t: str, rules: LayoutRules) -> bool:
    return any(t.startswith(s) for s in rules.section_row_starts) and len(t) < 90


def flat_region_to_raw_items(region: Region, kind: str, rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given an appendix region without ruling (interleaved or block text), return its rows as
    RawItems (cells raw) and warnings about what could not be interpreted."""
    bundle, rules = rules, rules.layout
    rx = rules.flat
    warnings: list[str] = []
    lines = region.lines
    # the first header line starts the table; title lines above it are skipped. A header OCR
    # garbled may be found only where it repeats on the next page: rows shaped as rows (an
    # ordinal before a sentence) above it start the table earlier
    start = next((i for i, ln in enumerate(lines) if is_header_line(ln.text, bundle)), None)
    first_row = next((i for i, ln in enumerate(lines) if is_row_start(ln.text, rules)), None)
    if start is None or (first_row is not None and first_row < start):
        start = next((i for i, ln in enumerate(lines) if not rx["title"].match(ln.text)), len(lines))
    for ln in lines[:start]:
        if not rx["title"].match(ln.text) and len(re.sub(r"[^\w]", "", ln.text)) >= 2:
            warnings.append(f"{region.name}: line above the table's header skipped: {ln.text[:80]!r}")
    years = []
    for ln in lines[start:start + 8]:
        years += [int(y) for y in rx["year"].findall(ln.text) if is_header_line(ln.text, bundle) or
                  re.fullmatch(r"[\d\s|]+", ln.text)]
    years = sorted(set(years))
    header_text = fold(" ".join(ln.text for ln in lines if is_header_line(ln.text, bundle)))
    # task tables always may have one (their header is often garbled by OCR: "h-ggglt%?r?h")
    has_deadline = kind == "task" or not header_text or any(
        fold(w) in header_text for w in rules.deadline_header_words)
    body = []
    page_top: set[int] = set()
    dropped = 0
    after_header = False
    for ln in lines[start:]:
        if rx["end"].match(fold(ln.text)):
            break
        cleaned = strip_noise(ln.text, kind)
        if len(re.sub(r"[^\w]", "", cleaned)) < 2:
            dropped += 1
            continue
        if cleaned != ln.text:
            ln = Line(page=ln.page, line=ln.line, text=cleaned, kind=ln.kind, ord=ln.ord,
                      body=ln.body, gap=ln.gap, height=ln.height, bbox=ln.bbox)
        if is_header_line(ln.text, bundle) or (re.fullmatch(r"[\d\s|]+", ln.text) and rx["year"].search(ln.text)):
            if body and body[-1].page == ln.page and not after_header:
                # a header repeats at a page's top; in mid-page the line may be a row's
                warnings.append(f"{region.name}: line under the table's rows read as a column "
                                f"header, skipped: {ln.text[:80]!r}")
            after_header = True
            continue
        if after_header and len(cleaned) <= 20 and (cleaned[:1].islower() or cleaned[:1] in ":;"):
            after_header = False  # the header's wrapped second line ("trì hợp")
            continue
        if after_header:
            page_top.add(len(body))  # first line under a repeated header (page break)
        after_header = False
        body.append(ln)
    if dropped:
        warnings.append(f"{region.name}: {dropped} lines of OCR debris skipped")
    letters_used = sum(1 for ln in body if re.match(r"^[a-eđ]\s*[|\s]\s*\S", ln.text)) >= 2

    rows: list[Row] = []
    section: Optional[str] = None
    section_open = False
    cur: Optional[Row] = None
    expected: Optional[tuple[str, int]] = None
    block = 0
    after_cell = False

    def new_row(ordinal: Optional[str]) -> Row:
        nonlocal cur
        cur = Row(ordinal=ordinal, section=section)
        rows.append(cur)
        return cur

    continuing = False  # a row carried over a page break: capitals do not open rows
    for li, ln in enumerate(body):
        if ln.gap:
            block += 1
        if li in page_top:
            continuing = ln.text[:1].islower() and cur is not None
        elif ln.gap:
            continuing = False  # a blank line closes the carried-over cell paragraph
        t = ln.text
        # section rows ("‘I | Bảo đảm ...": specks from the margin before the numeral)
        lead_t = t.lstrip(ocr_specks("line_lead"))
        if lead_t != t and rx["roman_row"].match(lead_t):
            t = lead_t
        m = rx["roman_only"].match(t)
        if m and m.group("ord") in ROMAN:
            section, section_open, cur, continuing = "", True, None, False
            continue
        m = rx["roman_row"].match(t) if not t[:1].isdigit() else None
        if m and m.group("ord") in ROMAN:
            section, section_open, cur, continuing = m.group("text").strip(" |."), True, None, False
            continue
        if ln.kind == "ordinal_word":
            section, section_open, cur, continuing = ln.body, True, None, False
            continue
        sl = split_line(ln, rules, bundle.cell_labels, kind, has_deadline, bool(years))
        if not sl.ordinal and expected is not None and expected[0] == "let" and letters_used:
            guess = expected_letter_ordinal(sl.text, LETTERS[expected[1] - 1:expected[1] + 1])
            if guess:  # "bố Thí điểm ...": the row's letter OCR made into a word
                sl.ordinal, sl.text = guess
        if letters_used and sl.ordinal and sl.ordinal.isdigit() and len(sl.text.split()) >= 5 and not sl.cells:
            section, section_open, cur, continuing = sl.text, True, None, False  # "1 Rà soát, hoàn thiện ..." groups a), b)
            expected = None
            continue
        if section_open and not sl.ordinal and sl.text and not sl.cells:
            if section == "" or sl.text[:1].islower():
                section = (section + " " + sl.text).strip()
                continue
        if (not sl.ordinal and sl.text and not sl.cells and _is_section_text(sl.text, rules)
                and (cur is None or cur.cells)):
            section, section_open, cur, continuing = sl.text, True, None, False
            continue
        section_open = False
        role = whole_line_cell(ln, rules, after_cell, has_deadline) if not sl.ordinal else None
        if role and cur is not None:
            for piece in [p for p in rx["bar"].split(ln.text) if p.strip()]:
                cur.cells.append(Cell(piece.strip(), 0, len(cur.lines), role, whole=True))
                cur.blocks.append(block)
            cur.lines.append(ln)
            after_cell = True
            continue
        after_cell = bool(sl.cells)
        if (not sl.ordinal and sl.text and cur is not None and years
                and any(c.role == "value" for c in sl.cells)
                and sum(c.role == "value" for c in cur.cells) >= len(years)):
            # a row shows its values once, on its first line: a line bringing a second set
            # is the next row, whose ordinal OCR lost or misread ("> Số lớp ... 16 5 ...")
            guess = str(expected[1]) if expected is not None and expected[0] == "num" else None
            new_row(guess)
            if guess:
                expected = ("num", expected[1] + 1)
                cur.inferred = True
            continuing = False
        inferred = False
        numeric_next = expected is not None and expected[0] == "num" and expected[1] >= 2
        if sl.ordinal and numeric_next and not sl.ordinal.isdigit() and not letters_used and sl.text:
            sl.ordinal, inferred = str(expected[1]), True  # "a Tổng hợp ..." for row 7
        elif (not sl.ordinal and numeric_next and sl.text and cur is not None and cur.cells
              and _row_ended(cur)):
            guess = misread_numeral(sl.text, rules)
            if guess is not None:  # "l Tổ chức ...", "g__ | Kiểm tra ..."
                sl.ordinal, sl.text, inferred = str(expected[1]), guess, True
        if sl.ordinal and cur is not None and cur.inferred and sl.ordinal == cur.ordinal:
            cur.inferred = False  # the row opened by its values shows its numeral lower down
            sl.ordinal = None
        # ordinal anchors
        if sl.ordinal:
            continuing = False
            kind_v = _ord_value(sl.ordinal)
            ok = (expected is None or kind_v[0] != expected[0] or not sl.text
                  or expected[1] - 1 <= kind_v[1] <= expected[1] + 3 or kind_v[1] == 1)
            if ok:
                expected = (kind_v[0], kind_v[1] + 1)
                row_text = sl.text.lstrip(ocr_specks("line_lead") + "/")  # "4 /Số hồ sơ ..."
                first = row_text.split()[0] if row_text.split() else ""
                # a lone capital after the ordinal is OCR debris of a centred row ("7 A e A 1A")
                top = bool(row_text) and (starts_sentence(row_text, digits=False) or row_text[:1] in "(“\"") \
                    and not (len(first) == 1 and first.isalpha())
                if inferred:
                    new_row(sl.ordinal)
                    cur.inferred = True
                elif cur is None:
                    new_row(sl.ordinal)
                elif not sl.text:  # ordinal alone on its line (block layout): it opens a row
                    if cur.ordinal is None and not cur.cells:
                        cur.ordinal = sl.ordinal
                    else:
                        new_row(sl.ordinal)
                elif cur.ordinal is not None:
                    if top:
                        new_row(sl.ordinal)  # top-aligned ordinal
                    else:
                        _split_centred(cur, rows, sl.ordinal, section)  # printed mid-row
                        cur = rows[-1]
                elif len(cur.lines) > 3 and cur.cells and _row_ended(cur) and top:
                    new_row(sl.ordinal)
                else:
                    cur.ordinal = sl.ordinal  # centred ordinal of the row already open
            else:
                sl.text = (sl.ordinal + " " + sl.text).strip()
                if cur is None:
                    new_row(None)
        elif (sl.text and starts_sentence(sl.text.lstrip(ocr_specks("line_lead")))
              and cur is not None and cur.cells and _row_ended(cur) and not continuing):
            sl.text = sl.text.lstrip(ocr_specks("line_lead"))  # "; Tổng hợp ...": specks
            new_row(None)
        elif cur is None and sl.text:
            new_row(None)
        if cur is None:
            warnings.append(f"{region.name}: table line outside any row: {t[:80]!r}")
            continue
        if sl.text:
            cur.text_lines.append(sl.text)
        for c in sl.cells:
            c.line_idx = len(cur.lines)
            cur.cells.append(c)
            cur.blocks.append(block)
        cur.lines.append(ln)

    rows = merge_fragment_rows(rows, warnings, region.name)
    rows = drop_rows_before_numbering(rows, warnings, region.name)
    rows = repeated_numeral_groups(rows, warnings, region.name)
    from .tables import is_non_item_row

    items = []
    for r in rows:
        text = " ".join(" ".join(r.text_lines).split())
        if text and r.ordinal is None and is_non_item_row(text, bundle.tables):
            # a total or a note under the rows ("Tổng cộng: 5.300 triệu đồng", "Ghi chú: ...")
            warnings.append(f"{region.name}: row that is no item kept as a warning: {text[:80]!r}")
            continue
        if not text:
            warnings.append(f"{region.name}: row {r.ordinal or '?'} has no text; cells: "
                            f"{[c.text for c in r.cells][:6]}")
            continue
        it = RawItem(kind=kind, text=text, ordinal=r.ordinal, section=r.section or None,
                     appendix=region.name, layout="flat-text",
                     provenance=Provenance(page=r.lines[0].page, line_start=r.lines[0].line,
                                           line_end=r.lines[-1].line, bbox=lines_to_bbox(r.lines),
                                           source="\n".join(ln.text for ln in r.lines)))
        it.cells.update(row_cells_to_roles(r, years))
        if it.cells.get("deadline") and not re.search(r"\d", it.cells["deadline"]):
            moved = _date_in_text(it.text)
            if moved:
                it.cells["deadline"] += " " + moved
                it.text = " ".join(it.text.replace(moved, " ", 1).split())
        if r.ordinal is None:
            it.warnings.append("row boundary guessed: no ordinal printed")
        elif r.inferred:
            it.warnings.append(f"ordinal {r.ordinal} inferred from the row sequence: none legible")
        items.append(it)
    return items, warnings


_FREE_DATE = re.compile(r"(?<![\w/])(\d{1,2}/\d{1,2}/\d{4})(?![\w/])")
_DATE_OWNERS = {"ngay", "so", "nam", "tu", "den", "thang"}  # folded: the date belongs to the text


def _date_in_text(text: str) -> Optional[str]:
    """A date printed inside the text column that belongs to the deadline column (the rest
    of "Trước ngày" wrapped onto a text line): not preceded by ngày/số/năm/từ/đến."""
    for m in _FREE_DATE.finditer(text):
        prev = text[:m.start()].split()
        if not prev or fold(prev[-1]).strip(",;:(") not in _DATE_OWNERS:
            return m.group(1)
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
    n = len(dst.lines)
    for c in src.cells:
        c.line_idx += n
    dst.text_lines += src.text_lines
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


def _row_ended(row: Row) -> bool:
    """A row with cells whose last text line closes a sentence or is short has ended."""
    if not row.text_lines:
        return True
    last = row.text_lines[-1]
    return last[-1:] in ".;:)" or len(last) < 28 or row.cells[-1].line_idx >= len(row.lines) - 1


def _split_centred(cur: Row, rows: list[Row], ordinal: str, section: Optional[str]) -> None:
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
