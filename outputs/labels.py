"""Labels of the codes records hold (deadline kinds, statuses, roles...) in Vietnamese and
English, from ``labels.yaml``: the database's ``labels`` table and the exports' --labels vi."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, RootModel

from ..core.yaml_data import yaml_to_data

LABELS_FILE = Path(__file__).with_name("labels.yaml")


class Label(BaseModel):
    vi: str
    en: str


class Labels(RootModel[dict[str, dict[str, Label]]]):
    """{kind of code: {code: Label}}."""


@lru_cache(maxsize=1)
def code_labels() -> dict[str, dict[str, Label]]:
    """Return the validated labels, keyed by kind of code and code."""
    return Labels.model_validate(yaml_to_data(LABELS_FILE.read_text(encoding="utf-8"))).root


def label_of(kind: str, code: str | None, language: str = "vi") -> str | None:
    """Given a kind of code and a code, return its label in ``language`` (vi or en); a code
    without a label is returned as it is (never dropped)."""
    if code is None:
        return None
    found = code_labels().get(kind, {}).get(code)
    return getattr(found, language) if found else code
