"""Cells that name their parts with labels: "Chủ trì: X. Phối hợp: Y, Z" -> lead X, cooperating Y, Z.

The labels are data (``extract/data/cell_labels.yaml``); they are found on folded text, so a
label that lost its diacritics in old OCR ("Chu tri:", "Phoi hop:") is still one.
"""
from __future__ import annotations

from ..core.folding import fold
from .rules.cell_labels import CellLabelRules


def split_labelled_cell(text: str, rules: CellLabelRules) -> dict[str, str]:
    """Given a cell's text, return its parts by role ({"lead": ..., "cooperating": ...}) when
    it holds labels; {} when it holds none. Text before the first label is under key ""."""
    rx, by_label, end = rules.rx, rules.by_label, rules.part_end
    folded = fold(text)
    marks = [(m.start(), m.end(), by_label.get(" ".join(m.group("label").split()))) for m in rx.finditer(folded)]
    marks = [m for m in marks if m[2]]
    if not marks:
        return {}
    out: dict[str, str] = {}
    head = text[:marks[0][0]].strip(end)
    if head:
        out[""] = head
    for (a, b, role), nxt in zip(marks, marks[1:] + [(len(text), 0, None)]):
        part = text[b:nxt[0]].strip(end)
        if part:
            out[role] = f"{out[role]}; {part}" if role in out else part
    return out


def label_starts(text: str, rules: CellLabelRules) -> list[int]:
    """Given a line or a cell, return where its unit labels start ("... thực tế Chủ trì: Sở
    Tài chính. Phối hợp: Sở Nội vụ" -> the positions of "Chủ" and "Phối")."""
    rx, by_label = rules.rx, rules.by_label
    return [m.start() for m in rx.finditer(fold(text)) if by_label.get(" ".join(m.group("label").split()))]


def first_label_at(text: str, rules: CellLabelRules) -> int | None:
    """Given a line or a cell, return where its first unit label starts, or None."""
    starts = label_starts(text, rules)
    return starts[0] if starts else None
