"""The cell labels (extract/data/cell_labels.yaml): "Chủ trì:", "Phối hợp:" and the role each
names; validated and compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from ...core.folding import fold


class CellLabelTable(BaseModel):
    """The validated content of cell_labels.yaml."""

    model_config = ConfigDict(extra="forbid")
    labels: dict[str, list[str]]
    part_end: str


@dataclass(frozen=True)
class CellLabelRules:
    """cell_labels.yaml compiled: the label pattern on folded text and the role of each label."""

    rx: re.Pattern
    by_label: dict[str, str]  # folded label -> role
    part_end: str

    @classmethod
    def from_table(cls, raw: CellLabelTable) -> "CellLabelRules":
        by_label = {" ".join(fold(w).split()): role for role, ws in raw.labels.items() for w in ws}
        alts = sorted(by_label, key=len, reverse=True)
        words = "|".join(r"\s*".join(re.escape(p) for p in a.split()) for a in alts)
        # a label starts the cell or follows a separator; OCR may put specks or spaces before ":"
        rx = re.compile(rf"(?:(?<=^)|(?<=[\s.;,\-+•]))(?P<label>{words})\s*[:;]?\s*:", re.IGNORECASE)
        return cls(rx, by_label, raw.part_end)
