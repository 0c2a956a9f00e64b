"""The rules of the extract stage: every table of extract/data/ loaded, validated and compiled
into one immutable bundle, ``Rules``, by one loader, ``load_rules()``.

``extract.run`` loads the bundle once and passes it down; a reader or parser takes the
bundle or the one table it matches with (``rules.layout``, ``rules.tables``,
``rules.deadlines``, ``rules.values``, ``rules.metadata``, ``rules.cell_labels``,
``rules.items``, ``rules.units``) as an argument, never loads a table itself. Each table's model and its
compiled view live in this package, one module per file of extract/data/:

| file | model | compiled view |
|---|---|---|
| headings.yaml + cues.yaml | ``layout.LayoutRules`` (views as properties) | same |
| table_headers.yaml | ``tables.HeaderTable`` | ``tables.TableRules`` |
| deadline_phrases.yaml | ``deadlines.DeadlineGrammar`` | ``deadlines.DeadlineRules`` |
| value_units.yaml | ``values.ValueGrammar`` | ``values.ValueRules`` |
| metadata.yaml + person_names.yaml | ``metadata.MetadataTable``, ``metadata.PersonNames`` | ``metadata.MetadataRules`` |
| cell_labels.yaml | ``cell_labels.CellLabelTable`` | ``cell_labels.CellLabelRules`` |
| items.yaml | ``items.ItemRules`` | same |
| ocr_specks.yaml | ``specks.SpeckSets`` | ``Rules.specks`` (name -> chars; also each view's ``.specks``) |
| units.yaml + unit_forms.yaml + the place list | ``extract.unit_data.UnitData``, ``extract.units_identity.FormsData`` | ``extract.units.UnitRegistry`` (``Rules.units``; its ``.forms``: ``UnitForms``), read by ``unit_registry`` |
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from .cell_labels import CellLabelRules, CellLabelTable
from .deadlines import DeadlineGrammar, DeadlineRules
from .items import ItemRules
from .layout import LayoutRules
from .metadata import MetadataRules, MetadataTable, PersonNames
from .specks import SpeckSets
from .tables import HeaderTable, TableRules
from .unit_registry import read_unit_registry
from ..unit_data import UnitData
from ..units import UnitRegistry
from ..units_identity import FormsData
from .values import ValueGrammar, ValueRules
from ...core.yaml_data import yaml_to_data

DATA = Path(__file__).resolve().parents[1] / "data"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Rules:
    """Every rule table of the extract stage, validated and compiled."""

    layout: LayoutRules
    tables: TableRules
    deadlines: DeadlineRules
    values: ValueRules
    metadata: MetadataRules
    cell_labels: CellLabelRules
    items: ItemRules
    specks: dict[str, str]  # OCR speck set name -> its characters
    units: UnitRegistry  # the unit registry (units.yaml), its forms (unit_forms.yaml, place list)


def read_table(model: type[M], *names: str, data: Path = DATA) -> M:
    """Given a model and the YAML files of data/ it reads (merged in order), return it
    validated."""
    merged: dict = {}
    for name in names:
        merged.update(yaml_to_data((data / name).read_text(encoding="utf-8")) or {})
    return model.model_validate(merged)


@lru_cache(maxsize=4)
def load_rules(data: Path = DATA) -> Rules:
    """Given the rule folder (default: the bundled extract/data/), return the rules bundle
    (cached: one bundle per folder)."""
    specks = read_table(SpeckSets, "ocr_specks.yaml", data=data).resolved()
    return Rules(
        layout=read_table(LayoutRules, "headings.yaml", "cues.yaml", data=data).with_specks(specks),
        tables=TableRules.from_table(read_table(HeaderTable, "table_headers.yaml", data=data), specks),
        deadlines=DeadlineRules.from_grammar(read_table(DeadlineGrammar, "deadline_phrases.yaml", data=data)),
        values=ValueRules.from_grammar(read_table(ValueGrammar, "value_units.yaml", data=data),
                                       specks),
        metadata=MetadataRules.from_table(read_table(MetadataTable, "metadata.yaml", data=data),
                                          read_table(PersonNames, "person_names.yaml", data=data), specks),
        cell_labels=CellLabelRules.from_table(read_table(CellLabelTable, "cell_labels.yaml", data=data)),
        items=read_table(ItemRules, "items.yaml", data=data),
        specks=specks,
        units=read_unit_registry(read_table(UnitData, "units.yaml", data=data),
                                 read_table(FormsData, "unit_forms.yaml", data=data)),
    )
