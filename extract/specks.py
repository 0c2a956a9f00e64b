"""OCR specks: the stray characters OCR leaves at line, word and cell edges, named sets of
them in data/ocr_specks.yaml (shared by every reader, so no reader imports another for them)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

DATA = Path(__file__).parent / "data"


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


@lru_cache(maxsize=1)
def speck_sets() -> dict[str, str]:
    """Given nothing, return every set of ocr_specks.yaml resolved to its characters."""
    raw = SpeckSets.model_validate(yaml.safe_load((DATA / "ocr_specks.yaml").read_text(encoding="utf-8")))
    return {name: raw.resolve(name) for name in raw.sets}


def ocr_specks(name: str) -> str:
    """Given the name of a set in extract/data/ocr_specks.yaml ("line_lead", "word_edge"),
    return its characters as one string (for str.strip and `in`); an unknown name fails."""
    sets = speck_sets()
    if name not in sets:
        raise KeyError(f"no OCR speck set {name!r} in ocr_specks.yaml (known: {sorted(sets)})")
    return sets[name]
