"""The item rules (extract/data/items.yaml): units a target's wording implies for bare values;
how an item's confidence is computed from its evidence."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ImpliedUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text_starts: str
    unit: str


class ConfidenceRules(BaseModel):
    """An item's confidence: its reader's prior (``layouts``: how far its row reconstruction
    can be trusted) x how well its words were read (OCR word confidence in its box; 1 for a
    text layer or a text file) x ``per_warning`` for each of its warnings (each a doubt the
    reader or a parser recorded), at most ``max_warnings`` of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    layouts: dict[str, float]
    per_warning: float = Field(ge=0, le=1)
    max_warnings: int = Field(ge=0)


class ItemRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    implied_units: list[ImpliedUnit] = []
    confidence: ConfidenceRules
