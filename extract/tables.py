"""Ruled appendix tables (text-layer ruling or scanned grid) to RawItems.

Header rows are recognised by synonyms (extract/data/table_headers.yaml) and give each column
a role; the table is a target table when it has year/value columns or a "Mục tiêu"-like text
column. Tables continued on the next page (header repeated, or none) are stitched; a row
split by the page break (continuation with an empty TT cell) is joined to its item. Section
rows (spanning cells, Roman numerals, "Thứ nhất: Về thể chế", a numbered group over lettered
items) set the `section` of the items below. Cells stay raw: fields are parsed later.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from rapidfuzz import fuzz
from unidecode import unidecode

from .raw_items import RawItem
from .specks import ocr_specks
from ..schema import Document, Provenance, Table, TableCell
from .rules import Rules
from .rules.tables import TableRules, header_fold as fold
ITEM_ROLES = ("deadline", "lead", "cooperating", "notes", "value")
# partial_ratio (0-100) a folded OCR header needs with a folded synonym of 6+ letters.
FUZZY_HEADER = 85
# ... and the folded cell at least this share of the synonym's length.
FUZZY_MIN_SHARE = 0.7
FUZZY_MAX_SHARE = 1.5  # and at most this share (+4 letters): a longer cell is a sentence

# The module's character-level regexes (table grammar lives in table_headers.yaml).
_RX = {
    "not_folded_letter": re.compile(r"[^0-9a-z]"),
    "ordinal_tokens": re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+"),  # "._ - b †" -> ["b"]; "1.2"
    "word_char": re.compile(r"\w"),
    # the end of a line that stops inside a date or a number with a slash: "16/10/20", "12/"
    "wrapped_number": re.compile(r"\d{1,2}/\d{1,2}/\d{0,3}$|\d/$"),
}


def ascii_same_length(text: str) -> str:
    """Given NFC text, return it without diacritics character for character ("Thứ nhât"
    -> "Thu nhat"), or unchanged where a character does not map to exactly one."""
    return "".join(a if len(a := unidecode(ch)) == 1 else ch for ch in text)


def squash(text: str) -> str:
    """Given cell text, return it NFC with runs of whitespace made single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def header_to_role(text: str, rules: TableRules) -> Optional[str]:
    """Given a header cell's text, return its column role ("text", "lead", "year:2025"...)
    or None when it names no known column."""
    f = fold(text)
    if not f:
        return None
    words = set(_RX["not_folded_letter"].sub(" ", unidecode(unicodedata.normalize("NFC", text).lower())).split())
    # a title of 3 letters or fewer ("TT", "ĐVT") is a word of its own, not letters inside
    # another ("Phát triển": "pha-tt-rien")
    found = next(((s, r) for s, r in rules.synonyms if s and (s in words if len(s) <= 3 else s in f)), None)
    role = found[1] if found else None
    # a synonym found whole that is only a small part of the cell may be the start of a
    # longer one OCR damaged ("Đơn vị" of "Đơn vị phối hựp"): a longer synonym close to
    # the whole cell is then taken instead
    shorter = len(found[0]) if found and len(found[0]) < FUZZY_MIN_SHARE * len(f) else None
    if (role is None or shorter) and len(f) <= 60:
        # OCR-damaged headers ("Cơquan phốhẹp"): closest synonym of some length, if close.
        # the cell must be about as long as the synonym: partial_ratio aligns the shorter
        # string anywhere in the longer, so "A" (a group numeral) would match every title
        scored = [(fuzz.partial_ratio(s, f), len(s), r) for s, r in rules.synonyms
                  if len(s) >= max(6, (shorter or 0) + 1)
                  and FUZZY_MIN_SHARE * len(s) <= len(f) <= FUZZY_MAX_SHARE * len(s) + 4]
        best = max(scored, default=(0, 0, None))
        if best[0] >= FUZZY_HEADER:
            role = best[2]
    year = rules.rx["year_header"].search(squash(text))
    if year and role in (None, "value"):
        return f"year:{year.group(1)}"
    return role


def header_line_roles(line: str, rules: TableRules) -> int:
    """Given a line of text, return how many column roles it names when it reads as a line of
    column titles ("STT Nội dung nhiệm vụ Phân công thực hiện Thời hạn" -> ordinal, text,
    lead, deadline: 4), else 0: the titles must make up most of its letters (an item's text
    may name a role or two among its other words: "Phối hợp rà soát, đánh giá ...")."""
    t = unidecode(unicodedata.normalize("NFC", line).lower())
    words = set(_RX["not_folded_letter"].sub(" ", t).split())
    squashed = _RX["not_folded_letter"].sub("", t)
    if not squashed:
        return 0
    found = {"ordinal"} if words & ORDINAL_TITLES else set()
    covered = sum(len(w) for w in words & ORDINAL_TITLES)
    rest = squashed
    for syn, role in rules.synonyms:  # longest first: "Cơ quan phối hợp" before "Phối hợp"
        if len(syn) >= 5 and syn in rest:
            found.add(role)
            covered += len(syn) * rest.count(syn)
            rest = rest.replace(syn, "|")
    letters = sum(ch.isalpha() for ch in squashed)
    share = covered / letters if letters else 0.0
    need = HEADER_SHARE[min(len(found), 3)] if found else 1.1
    return len(found) if share >= need else 0


# Share of a line's letters the column titles must cover, by the number of roles named
# (1, 2, 3 or more): a line naming few roles must be nearly all titles.
HEADER_SHARE = {1: 0.8, 2: 0.65, 3: 0.6}
ORDINAL_TITLES = frozenset({"stt", "tt"})


def _is_target_header(text: str, rules: TableRules) -> bool:
    """A text-column header naming targets ("Mục tiêu", "Chỉ tiêu"), tolerating what OCR
    does to bold headers: lost spaces and vowels ("Mụctiu"), specks before it."""
    from rapidfuzz import fuzz

    f = fold(text)
    if any(f.startswith(t) for t in rules.target_text):
        return True
    if len(f) <= 30 and any(t in f for t in rules.target_text):  # "Nội dung chỉ tiêu"
        return True
    compact = "".join(ch for ch in f if ch.isalpha())
    for t in rules.target_text:
        want = t.replace(" ", "")
        if len(compact) >= len(want) - 2 and fuzz.ratio(compact[: len(want)], want) >= 80:
            return True
    # a short title whose target word OCR damaged after another word ("Nộidungchiiêu")
    short_words = [t for t in rules.target_text if len(t) <= 8]
    return len(compact) <= 20 and any(fuzz.partial_ratio(t, compact) >= 85 for t in short_words)


@dataclass
class _Layout:
    """What a header tells about a table: role of each column and the table kind."""

    roles: list[Optional[str]]
    kind: str
    header_rows: int
    headers: tuple[str, ...] = ()  # each column's header text as printed (sub-header if any)


def _row_cells(table: Table) -> list[list[TableCell]]:
    rows: list[list[TableCell]] = [[] for _ in range(table.n_rows)]
    for c in table.cells:
        if 0 <= c.row < table.n_rows:
            rows[c.row].append(c)
    for r in rows:
        r.sort(key=lambda c: c.col)
    return rows


def table_to_layout(table: Table, rules: Rules) -> Optional[_Layout]:
    """Given a table, return its column roles and kind from its header rows and the content
    of its columns (``resolve_roles``), or None when no header row is found in its first rows."""
    rows = _row_cells(table)
    for h in range(min(3, len(rows))):
        roles: list[Optional[str]] = [None] * table.n_cols
        headers = [""] * table.n_cols
        target = False
        for c in rows[h]:
            role = header_to_role(c.text, rules.tables)
            for k in range(c.col, min(table.n_cols, c.col + c.col_span)):
                headers[k] = squash(c.text)
            if role is None:
                continue
            target |= role == "text" and _is_target_header(c.text, rules.tables)
            for k in range(c.col, min(table.n_cols, c.col + c.col_span)):
                roles[k] = role
        if sum(1 for c in rows[h] if header_to_role(c.text, rules.tables)) < 2:
            continue
        n_head = h + 1
        # Second header row: sub-columns such as years under a spanning "Chỉ tiêu".
        if n_head < len(rows):
            sub = [c for c in rows[n_head] if squash(c.text)]
            sub_roles = [header_to_role(c.text, rules.tables) for c in sub]
            short = all(len(squash(c.text)) <= 40 for c in sub)
            group_row = any(c.col_span >= table.n_cols - 1 for c in sub)  # "A | Phát triển ..."
            if len(sub) >= 2 and short and all(sub_roles) and not group_row \
                    and not _looks_like_item(rows[n_head], roles, rules.tables):
                for c, role in zip(sub, sub_roles):
                    for k in range(c.col, min(table.n_cols, c.col + c.col_span)):
                        roles[k] = role
                        headers[k] = squash(c.text)
                n_head += 1
        roles = resolve_roles(roles, rows[n_head:], rules, headers)
        if "text" not in roles:
            continue
        text_col = roles.index("text")
        # the kind is the chosen text column's ("Mục tiêu" beside "Kết quả đầu ra" is no target)
        target = _is_target_header(headers[text_col], rules.tables) if headers[text_col] else target
        if target and not any(r and (r == "value" or r.startswith("year:")) for r in roles):
            # a target table's value column whose title OCR damaged ("Chitêu"): its cells say it
            stats = column_stats(rows[n_head:], table.n_cols, rules)
            cand = [k for k, r in enumerate(roles) if r is None and stats[k].n
                    and stats[k].values >= CONTENT_SHARE and stats[k].mean_len <= SHORT_TEXT]
            if cand:
                roles[max(cand, key=lambda k: stats[k].values)] = "value"
        target |= any(r and (r.startswith("year:") or r == "value") for r in roles)
        return _Layout(roles, "target" if target else "task", n_head, tuple(headers))
    return None


@dataclass
class _ColumnStats:
    """What a column's body cells look like (single-column cells only)."""

    n: int = 0
    mean_len: float = 0.0
    values: float = 0.0  # share of cells that are a target value ("80%", "≥ 95", "Hoàn thành")
    deadlines: float = 0.0  # share of cells a deadline parser reads as a period or a routine
    ordinals: float = 0.0  # share of cells that are an ordinal


def column_stats(body: list[list[TableCell]], n_cols: int, rules: Rules) -> list[_ColumnStats]:
    """Given a table's body rows, return the statistics of each column's cells."""
    from .deadlines import parse_deadline

    value_rx = rules.tables.rx["value_cell"]
    texts: list[list[str]] = [[] for _ in range(n_cols)]
    for cells in body:
        for c in cells:
            t = squash(c.text)
            if c.col_span == 1 and 0 <= c.col < n_cols and t:
                texts[c.col].append(t)
    out = []
    for ts in texts:
        st = _ColumnStats(n=len(ts))
        if ts:
            st.mean_len = sum(len(t) for t in ts) / len(ts)
            st.values = sum(bool(value_rx.match(t)) for t in ts) / len(ts)
            st.ordinals = sum(bool(rules.tables.rx["ordinal"].match(t)) for t in ts) / len(ts)
            dl = 0
            for t in ts:
                d = parse_deadline(t, None, rules.deadlines) if len(t) <= 120 else None
                dl += d is not None and d.kind not in ("none",) and (d.kind in ("recurring", "conditional") or bool(d.end))
            st.deadlines = dl / len(ts)
        out.append(st)
    return out


# A column's content decides its role when its header does not (shares of its cells).
CONTENT_SHARE = 0.6
# Named roles whose cells are free text a content rule may still claim: the item text when
# the text-headed column holds codes; the deadline when a status column holds milestones.
FREE_TEXT_ROLES = ("product", "extra", "notes")
STATUS_ROLES = ("notes", "extra")
# A text-headed column whose cells average fewer characters than this holds codes or
# values, not item texts ("MT1", "80%"): another column may be the text.
SHORT_TEXT = 16


def resolve_roles(roles: list[Optional[str]], body: list[list[TableCell]], rules: Rules,
                  headers: tuple[str, ...] | list[str] = ()) -> list[Optional[str]]:
    """Given the roles the header names (None where it names none) and the body rows, return
    each column's role decided from its header and its content: one text column (the longest
    free text among the text-headed ones, or among unnamed ones when those hold codes), a
    second text-headed column of values is the value column ("Nội dung chỉ tiêu" | "Chỉ
    tiêu"), an unnamed column of dates and quarters is the deadline column when the header
    names none, an unnamed first column of ordinals is the TT."""
    roles = list(roles)
    stats = column_stats(body, len(roles), rules)
    if "ordinal" not in roles and roles and roles[0] is None and stats[0].n and stats[0].ordinals >= CONTENT_SHARE:
        roles[0] = "ordinal"
    texts = [k for k, r in enumerate(roles) if r == "text"]
    free = [k for k, r in enumerate(roles) if r is None and stats[k].n]
    best = max(texts, key=lambda k: stats[k].mean_len, default=None)
    if best is None or stats[best].mean_len < SHORT_TEXT:
        # the text-headed column holds codes ("MT1"): the item text is the long free text of
        # an unnamed column or one named for another free text ("Sản phẩm, kết quả đầu ra")
        loose = [k for k, r in enumerate(roles) if (r is None or r in FREE_TEXT_ROLES) and stats[k].n]
        longer = [k for k in loose if stats[k].mean_len >= 15 and stats[k].values < CONTENT_SHARE
                  and stats[k].deadlines < CONTENT_SHARE]
        if longer and (best is None or max(stats[k].mean_len for k in longer) > 2 * stats[best].mean_len):
            best = max(longer, key=lambda k: stats[k].mean_len)
    for k in texts:
        if k != best:
            roles[k] = "value" if stats[k].values >= CONTENT_SHARE else "extra"
            year = rules.tables.rx["year_header"].search(squash(headers[k])) if k < len(headers) else None
            if roles[k] == "value" and year:  # "Chỉ tiêu đến năm 2026": the values of that year
                roles[k] = f"year:{year.group(1)}"
    if best is not None:
        roles[best] = "text"
    if "deadline" not in roles:
        # a status or unnamed column whose cells are milestones ("Đang triển khai; hoàn
        # thành quý IV/2026") holds the deadlines when no column is named for them
        cand = [k for k, r in enumerate(roles) if k != best and (r is None or r in STATUS_ROLES)
                and stats[k].n and stats[k].deadlines >= CONTENT_SHARE]
        if cand:
            roles[max(cand, key=lambda k: stats[k].deadlines)] = "deadline"
    deadlines = [k for k, r in enumerate(roles) if r == "deadline"]
    if len(deadlines) > 1:  # "Thời gian" over "Thời hạn": the one whose cells are periods
        keep = max(deadlines, key=lambda k: (stats[k].deadlines, k))
        for k in deadlines:
            if k != keep:
                roles[k] = "extra"
    return roles


def _looks_like_item(cells: list[TableCell], roles: list[Optional[str]], rules: TableRules) -> bool:
    for c in cells:
        if c.col < len(roles) and roles[c.col] == "ordinal" and rules.rx["ordinal"].match(squash(c.text)):
            return True
    return False


def cell_text(text: str) -> str:
    """Given a cell's printed text, return it on one line, keeping line breaks only before
    list bullets ("- ", "+ ") where they separate entries."""
    lines = [squash(x) for x in text.splitlines() if x.strip()]
    out = ""
    for ln in lines:
        if not out:
            out = ln
        elif ln[:1] in "-+•" and len(ln) > 1:
            out += "\n" + ln
        elif _RX["wrapped_number"].search(out) and ln[:1].isdigit():
            out += ln  # a date a narrow cell wrapped inside its number ("16/10/20" + "26")
        else:
            out += " " + ln
    return out


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


def merged_cells_below(table: Table, layout: _Layout) -> dict[int, list[TableCell]]:
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


def body_rows(table: Table, layout: _Layout, page: int, table_index: Optional[int] = None) -> list[_Row]:
    out = []
    item_cols = {i for i, r in enumerate(layout.roles) if r and r not in ("ordinal", "text")}
    text_cols = {i for i, r in enumerate(layout.roles) if r == "text"}
    below = merged_cells_below(table, layout)
    for idx, cells in enumerate(_row_cells(table)[layout.header_rows:]):
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


def appendix_headings(doc: Document, rules: TableRules) -> list[tuple[int, float, str]]:
    """Given a document, return its appendix headings as (page, top in points or -1 when
    the page has no word boxes, "Phụ lục II") in reading order."""
    out = []
    for p in doc.pages:
        if p.words:
            lines: dict[int, list] = {}
            for w in p.words:
                lines.setdefault(w.line, []).append(w)
            for ws in sorted(lines.values(), key=lambda ws: min(w.bbox[1] for w in ws)):
                text = " ".join(w.text for w in sorted(ws, key=lambda w: w.bbox[0]))
                name = line_to_appendix(text, rules)
                if name:
                    out.append((p.number, min(w.bbox[1] for w in ws), name))
        else:
            for ln in (p.text or p.raw_text).splitlines():
                name = line_to_appendix(ln, rules)
                if name:
                    out.append((p.number, -1.0, name))
    return out


def line_to_appendix(line: str, rules: TableRules) -> Optional[str]:
    """Given a line of page text, return the appendix it heads ("Phụ lục II") or None
    when it is not an appendix heading (prose mentioning one, other text)."""
    t = squash(line)
    m = rules.rx["appendix"].search(ascii_same_length(t))
    if not m:
        return None
    rest = t[:m.start()] + t[m.end():]
    if sum(ch.isalnum() for ch in rest) > 2:
        return None
    return _appendix_name(m, rules)


APPENDIX = "Phụ lục"
_ROMAN = (("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


def int_to_roman(n: int) -> str:
    """Given 1..39, return its Roman numeral in capitals (appendix numbers)."""
    out = ""
    for letters, value in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out.upper()


def appendix_numbering(doc: Document, rules: TableRules) -> dict[str, str]:
    """Given a document, return {appendix name as read: name in the plan's numbering} for
    headings OCR damaged: when the plan numbers appendices with Roman numerals (its headings
    or its text say "Phụ lục II"), a heading read "Phụ lục 1" is "Phụ lục I" and the one
    heading whose numeral was lost is named by its place in the sequence."""
    headings = list(dict.fromkeys(name for _, _, name in appendix_headings(doc, rules)))
    numerals = [h[len(APPENDIX):].strip() for h in headings]
    refs = [m.group(1) for p in doc.pages for ln in (p.text or p.raw_text).splitlines()
            for m in rules.rx["appendix_reference"].finditer(ascii_same_length(squash(ln)))]
    if not any(n.isalpha() for n in [*numerals, *refs]):
        return {}
    out: dict[str, str] = {}
    unnamed = [h for h, n in zip(headings, numerals) if not n]
    for k, (h, n) in enumerate(zip(headings, numerals), 1):
        if n.isdigit():  # "1" / "11" are strokes of I / II, other digits a number
            out[h] = f"{APPENDIX} {'I' * len(n) if set(n) == {'1'} else int_to_roman(int(n))}"
        elif not n and len(unnamed) == 1 and len(headings) >= 2:
            out[h] = f"{APPENDIX} {int_to_roman(k)}"
    return out


def _appendix_name(m: re.Match, rules: TableRules) -> str:
    num = m.group(1)
    if not num:
        return "Phụ lục"
    num = dict(rules.numeral_ocr).get(num, num)
    return f"Phụ lục {num.upper()}"


def section_name(text: str, rules: TableRules) -> str:
    """Given a section row's text ("II. Về hạ tầng", "Thứ nhất: Về thể chế"), return the
    heading without its numeral ("Về hạ tầng", "Về thể chế")."""
    t = squash(text).lstrip(ocr_specks("cell_edge"))
    m = rules.rx["section_prefix"].match(ascii_same_length(t))
    stripped = t[m.end():] if m else t
    return stripped.strip(ocr_specks("cell_edge")) or t


def _ordinal(text: str, rules: TableRules) -> Optional[str]:
    """The ordinal printed in a TT cell; OCR specks around a lone token are ignored
    ("._ - b †" -> "b")."""
    t = squash(text)
    m = rules.rx["ordinal"].match(t)
    if m:
        return m.group(1)
    tokens = _RX["ordinal_tokens"].findall(t)
    if len(tokens) == 1:
        m = rules.rx["ordinal"].match(tokens[0])
        return m.group(1) if m else None
    return None


def _successors(prev: Optional[str], rules: TableRules) -> set[str]:
    """The ordinals that may follow prev (2 after 1; đ or e after d)."""
    if not prev:
        return set()
    if prev.isdigit():
        return {str(int(prev) + 1)}
    seq = rules.letters
    if prev in seq:
        i = seq.index(prev)
        return set(seq[i + 1:i + 3]) if seq[i + 1:i + 2] == ("đ",) else set(seq[i + 1:i + 2])
    return set()


def infer_ordinals(raw: list[str], rules: TableRules) -> list[tuple[Optional[str], bool]]:
    """Given the TT cells of consecutive item rows, return (ordinal, inferred) for each:
    a cell OCR damaged ("bộ", "€", "C" between b and d) takes the ordinal the sequence
    expects when its first character fits or the next ordinal confirms it."""
    parsed = [_ordinal(t, rules) for t in raw]
    out: list[tuple[Optional[str], bool]] = []
    for i, (t, o) in enumerate(zip(raw, parsed)):
        prev = out[-1][0] if out else None
        exp = _successors(prev, rules)
        # A readable ordinal stays as printed, even out of sequence (plans misnumber: 5, 5,
        # 7); only one of the wrong kind ("x" between 2 and 4) is replaced.
        if o and exp and o not in exp and o.isdigit() != prev.isdigit() and _confirmed(prev, parsed, i, rules):
            out.append((min(exp, key=lambda e: e == "đ"), True))  # "x" read for 3 between 2 and 4
            continue
        if (o and exp and o.isdigit() and prev.isdigit() and o not in exp and o != prev
                and _confirmed(prev, parsed, i, rules)):
            out.append((next(iter(exp)), True))  # "9" read for 5 between 4 and 6 (not "5, 5, 7")
            continue
        if o and (not exp or o in exp or o.lower() not in exp):
            out.append((o, False))
            continue
        if o and o.lower() in exp:  # "C" between b and d
            out.append((o.lower(), True))
            continue
        first = ascii_same_length(squash(t))[:1].lower()
        fit = [e for e in sorted(exp) if ascii_same_length(e) == first]
        nxt = parsed[i + 1] if i + 1 < len(parsed) else None
        if squash(t) and fit:
            out.append((fit[0], True))
        elif squash(t) and not o and prev is None and nxt in ("b", "2"):
            out.append(("a" if nxt == "b" else "1", True))  # first of its run
        elif squash(t) and exp and _confirmed(prev, parsed, i, rules):
            out.append((min(exp, key=lambda e: e == "đ"), True))
        elif squash(t) and not o and exp and prev.isdigit() and i + 1 == len(raw) and not _readable(t):
            out.append((next(iter(exp)), True))  # the run's last cell, a glyph OCR made of a digit ("Á")
        else:
            out.append((o, False))
    return out


def _readable(text: str) -> bool:
    """Whether a cell holds a word or number (not one glyph OCR made of a numeral: "Á", "§")."""
    return len(_RX["word_char"].findall(squash(text))) > 1


def _confirmed(prev: str, parsed: list[Optional[str]], i: int, rules: TableRules) -> bool:
    """Whether the next readable ordinal after row i sits where the sequence from prev
    puts it (so the rows between are its unread steps)."""
    j = next((k for k in range(i + 1, min(len(parsed), i + 3)) if parsed[k]), None)
    if j is None:
        return False
    nxt = parsed[j]
    if prev.isdigit() and nxt.isdigit():
        return int(nxt) - int(prev) == j - i + 1
    seq = rules.letters
    if prev in seq and nxt in seq:
        return seq.index(nxt) - seq.index(prev) in (j - i + 1, j - i + 2)
    return False


def tables_to_raw_items(doc: Document, rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given a document whose pages carry tables, return the RawItems of its appendix
    tables (one per task/target row) and warnings for rows or tables it could not read."""
    warnings: list[str] = []
    headings = appendix_headings(doc, rules.tables)
    # Stitch: each group is (layout, appendix, rows) for one logical table.
    groups: list[tuple[_Layout, Optional[str], list[_Row], str]] = []
    prev_page: Optional[int] = None
    for page in doc.pages:
        for t_i, table in enumerate(sorted(page.tables, key=lambda t: (t.bbox or (0, 0, 0, 0))[1])):
            layout = table_to_layout(table, rules)
            last = groups[-1] if groups else None
            is_next_page = last is not None and prev_page is not None and page.number == prev_page + 1 and t_i == 0
            continued = False
            if last is not None and is_next_page:
                if layout is None and table.n_cols == len(last[0].roles):
                    layout = _Layout(last[0].roles, last[0].kind, 0)
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


def _one_year_header(layout: _Layout) -> Optional[str]:
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
    t = ascii_same_length(squash(text)).lower().lstrip(ocr_specks("cell_edge"))
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


def _is_section(row: _Row, nxt_ordinal: Optional[str], layout: _Layout, rules: TableRules) -> bool:
    has_item_cells = _has_item_cells(row)
    if row.spanning:
        return True
    if has_item_cells or not row.roles.get("text"):
        return False
    o = squash(row.roles.get("ordinal", ""))
    o_key = _ordinal(o, rules) or ""
    # Upper-case Roman numerals head sections; lower-case i, v, x are lettered items.
    if o_key.isupper() and rules.rx["roman"].match(o_key):
        return True
    if rules.rx["section_text"].match(ascii_same_length(row.roles["text"])) and not o:
        return True
    # A numbered row over lettered ones is a group heading (1 > a, b, c).
    return bool(o_key.isdigit() and nxt_ordinal and rules.rx["letter"].match(nxt_ordinal))


def rows_to_items(layout: _Layout, appendix: Optional[str], rows: list[_Row], method: str,
                   rules: TableRules, warnings: list[str]) -> list[RawItem]:
    out: list[RawItem] = []
    section: Optional[str] = None
    ordinals = [_ordinal(r.roles.get("ordinal", ""), rules) for r in rows]
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
