"""A row of an appendix or list before its fields are parsed.

Every layout reader (ruled PDF table, grid of a scanned page, flattened old-OCR text, task
list, prose) produces ``RawItem``s; one place (``extract.items``) turns them into schema
``Task``/``Target`` objects, so deadline, unit and value parsing is shared by all layouts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from ..schema import Provenance

# Cell roles a layout reader can fill. Year columns of target tables use "year:2025".
ROLES = ("ordinal", "text", "deadline", "lead", "cooperating", "notes", "value")


@dataclass
class RawItem:
    kind: Literal["task", "target"]
    text: str
    ordinal: Optional[str] = None
    section: Optional[str] = None
    appendix: Optional[str] = None
    cells: dict[str, str] = field(default_factory=dict)  # role -> cell text as printed
    provenance: Provenance = field(default_factory=Provenance)
    warnings: list[str] = field(default_factory=list)
    layout: str = ""  # which reader produced it: pdf-table, docx-table, image-grid, flat-text, list, prose
