"""Cells that name their parts with labels: "Chủ trì: X. Phối hợp: Y, Z" -> lead X, cooperating Y, Z.

The labels are data (``extract/data/cell_labels.yaml``); they are found on folded text, so a
label that lost its diacritics in old OCR ("Chu tri:", "Phoi hop:") is still one.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from ..core.folding import fold

DATA = Path(__file__).parent / "data" / "cell_labels.yaml"


class CellLabels(BaseModel):
    """The validated content of cell_labels.yaml."""

    model_config = ConfigDict(extra="forbid")
    labels: dict[str, list[str]]
    part_end: str


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern, dict[str, str], str]:
    raw = CellLabels.model_validate(yaml.safe_load(DATA.read_text(encoding="utf-8")))
    by_label = {" ".join(fold(w).split()): role for role, ws in raw.labels.items() for w in ws}
    alts = sorted(by_label, key=len, reverse=True)
    words = "|".join(r"\s*".join(re.escape(p) for p in a.split()) for a in alts)
    # a label starts the cell or follows a separator; OCR may put specks or spaces before ":"
    rx = re.compile(rf"(?:(?<=^)|(?<=[\s.;,\-+•]))(?P<label>{words})\s*[:;]?\s*:", re.IGNORECASE)
    return rx, by_label, raw.part_end


def split_labelled_cell(text: str) -> dict[str, str]:
    """Given a cell's text, return its parts by role ({"lead": ..., "cooperating": ...}) when
    it holds labels; {} when it holds none. Text before the first label is under key ""."""
    rx, by_label, end = _compiled()
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


def label_starts(text: str) -> list[int]:
    """Given a line or a cell, return where its unit labels start ("... thực tế Chủ trì: Sở
    Tài chính. Phối hợp: Sở Nội vụ" -> the positions of "Chủ" and "Phối")."""
    rx, by_label, _ = _compiled()
    return [m.start() for m in rx.finditer(fold(text)) if by_label.get(" ".join(m.group("label").split()))]


def first_label_at(text: str) -> int | None:
    """Given a line or a cell, return where its first unit label starts, or None."""
    starts = label_starts(text)
    return starts[0] if starts else None
