"""The OCR speck sets (extract/data/ocr_specks.yaml): the stray characters OCR leaves at line,
word and cell edges, in named sets; validated and resolved to their characters."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


class SpeckSet(BaseModel):
    """One named set of OCR speck characters in ocr_specks.yaml."""

    model_config = ConfigDict(extra="forbid")
    chars: str = ""
    plus: list[str] = []
    minus: str = ""


class SpeckSets(BaseModel):
    """The validated content of ocr_specks.yaml: every set resolved to its characters."""

    model_config = ConfigDict(extra="forbid")
    sets: dict[str, SpeckSet]

    @field_validator("sets")
    @classmethod
    def _known_parts(cls, v: dict[str, SpeckSet]) -> dict[str, SpeckSet]:
        unknown = {p for s in v.values() for p in s.plus if p not in v}
        if unknown:
            raise ValueError(f"ocr_specks.yaml: unknown sets in 'plus': {sorted(unknown)}")
        return v

    def resolve(self, name: str, seen: tuple[str, ...] = ()) -> str:
        """Given a set's name, return its characters (joined sets added, `minus` taken out)."""
        if name in seen:
            raise ValueError(f"ocr_specks.yaml: set {name!r} includes itself")
        s = self.sets[name]
        chars = s.chars + "".join(self.resolve(p, seen + (name,)) for p in s.plus)
        return "".join(dict.fromkeys(c for c in chars if c not in s.minus))

    def resolved(self) -> dict[str, str]:
        """Given nothing, return every set resolved to its characters."""
        return {name: self.resolve(name) for name in self.sets}
