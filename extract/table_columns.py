"""Column roles of a ruled table: its header cells read by their synonyms
(extract/data/table_headers.yaml), then each column's content where the header says too
little (one free-text column, a value column, a deadline column of dates, a TT of ordinals);
the table is a target table when it has year/value columns or a "Mục tiêu"-like text column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rapidfuzz import fuzz

from ..schema import Table, TableCell
from .rules import Rules
from .rules.tables import TableRules, header_fold as fold, header_words
from .table_text import squash

# partial_ratio (0-100) a folded OCR header needs with a folded synonym of 6+ letters.
FUZZY_HEADER = 85
# ... and the folded cell at least this share of the synonym's length.
FUZZY_MIN_SHARE = 0.7
FUZZY_MAX_SHARE = 1.5  # and at most this share (+4 letters): a longer cell is a sentence


def header_to_role(text: str, rules: TableRules) -> Optional[str]:
    """Given a header cell's text, return its column role ("text", "lead", "year:2025"...)
    or None when it names no known column."""
    f = fold(text)
    if not f:
        return None
    words = header_words(text)
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
        # (a synonym found whole stays unless the longer one holds it: "Nội dung thực hiện"
        # is a text column, not "Đơn vị thực hiện" that shares its last words)
        scored = [(fuzz.partial_ratio(s, f), len(s), r) for s, r in rules.synonyms
                  if len(s) >= max(6, (shorter or 0) + 1) and (not shorter or found[0] in s)
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
    words = header_words(line)
    squashed = fold(line)
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
class TableLayout:
    """What a header tells about a table: role of each column and the table kind."""

    roles: list[Optional[str]]
    kind: str
    header_rows: int
    headers: tuple[str, ...] = ()  # each column's header text as printed (sub-header if any)


def table_to_row_cells(table: Table) -> list[list[TableCell]]:
    """Given a table, return its cells row by row, each row in column order."""
    rows: list[list[TableCell]] = [[] for _ in range(table.n_rows)]
    for c in table.cells:
        if 0 <= c.row < table.n_rows:
            rows[c.row].append(c)
    for r in rows:
        r.sort(key=lambda c: c.col)
    return rows


def table_to_layout(table: Table, rules: Rules) -> Optional[TableLayout]:
    """Given a table, return its column roles and kind from its header rows and the content
    of its columns (``resolve_roles``), or None when no header row is found in its first rows."""
    rows = table_to_row_cells(table)
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
        return TableLayout(roles, "target" if target else "task", n_head, tuple(headers))
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
