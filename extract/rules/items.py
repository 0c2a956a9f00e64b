"""The item rules (extract/data/items.yaml): units a target's wording implies for bare values."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ImpliedUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text_starts: str
    unit: str


class ItemRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    implied_units: list[ImpliedUnit] = []
