"""The unit registry's tables (extract/data/units.yaml: canonical names, aliases,
abbreviations, level and head words; extract/data/unit_forms.yaml: kinds, levels, debris) and
the national list of place names (normalize/data/restore_sources/admin_units.txt.gz), read
and validated into one ``extract.units.UnitRegistry`` (its ``forms``: the
``extract.units_identity.UnitForms``)."""
from __future__ import annotations

from pathlib import Path

from ..unit_data import UnitData
from ..units import UnitRegistry
from ..units_identity import PLACES_FILE, FormsData, UnitForms, read_place_lines


def read_unit_registry(units: UnitData, forms: FormsData, places: Path = PLACES_FILE) -> UnitRegistry:
    """Given the validated units.yaml and unit_forms.yaml and the place list, return the
    registry with its forms (raises on a key two names share)."""
    return UnitRegistry.from_data(units, UnitForms.from_data(forms, read_place_lines(places)))
