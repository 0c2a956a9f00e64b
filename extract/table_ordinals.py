"""Row ordinals and section names of a table: an ordinal cell as printed ("1.2", "b", OCR's
"._ - b †"), a run of ordinals completed where OCR lost or misread one (the sequence says
what it must be), a section row's name without its numeral ("Thứ nhất: Về thể chế")."""
from __future__ import annotations

import re
from typing import Optional

from .rules.tables import TableRules
from ..core.folding import unmark
from .table_text import squash

_ORDINAL_TOKENS = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+")  # "._ - b †" -> ["b"]; "1.2"
_WORD_CHAR = re.compile(r"\w")


def section_name(text: str, rules: TableRules) -> str:
    """Given a section row's text ("II. Về hạ tầng", "Thứ nhất: Về thể chế"), return the
    heading without its numeral ("Về hạ tầng", "Về thể chế")."""
    t = squash(text).lstrip(rules.specks["cell_edge"])
    m = rules.rx["section_prefix"].match(unmark(t))
    stripped = t[m.end():] if m else t
    return stripped.strip(rules.specks["cell_edge"]) or t


def ordinal_of(text: str, rules: TableRules) -> Optional[str]:
    """The ordinal printed in a TT cell; OCR specks around a lone token are ignored
    ("._ - b †" -> "b")."""
    t = squash(text)
    m = rules.rx["ordinal"].match(t)
    if m:
        return m.group(1)
    tokens = _ORDINAL_TOKENS.findall(t)
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
    parsed = [ordinal_of(t, rules) for t in raw]
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
        first = unmark(squash(t))[:1].lower()
        fit = [e for e in sorted(exp) if unmark(e) == first]
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
    return len(_WORD_CHAR.findall(squash(text))) > 1


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
