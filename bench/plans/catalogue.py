"""The layout catalogue and the word lists, loaded into validated models.

``load_catalogue()`` -> ``Catalogue`` (families of appendix layouts, see catalogue.yaml for what
each field means); ``load_words()`` -> ``Words`` (what the generated text is composed from).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...core.yaml_data import yaml_to_data

HERE = Path(__file__).resolve().parent

Role = Literal["ordinal", "text", "lead", "coop", "units", "deadline", "value", "value_year",
               "measure", "product", "notes", "method", "resources", "status", "place", "goal",
               "group", "start", "extra"]
# word lists an "extra" column (free text that is no field of the item) is filled from
ExtraFill = Literal["evidence", "criteria", "priorities", "related", "support", "products", "baseline",
                    "levels", "monitors"]
DeadlineStyle = Literal["month", "month_bare", "quarter", "year", "year_bare", "year_range", "date",
                        "date_short", "recurring", "conditional", "milestones", "status"]
ValueStyle = Literal["percent", "percent_ge", "count", "count_unit", "text"]
IssuerLevel = Literal["commune", "ward", "province", "province_dept", "party"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Column(_M):
    role: Role
    headers: list[str] = Field(min_length=1)
    width: float = Field(gt=0)
    # value_year: the header wording of the last year's column ("Tầm nhìn đến năm {y}")
    last_headers: list[str] = []
    fill: Optional[ExtraFill] = None  # extra: the word list its cells come from

    @model_validator(mode="after")
    def _filled(self) -> "Column":
        if (self.role == "extra") != (self.fill is not None):
            raise ValueError("an extra column needs `fill` (and only an extra column has one)")
        return self


class Appendix(_M):
    items: Literal["tasks", "targets"]
    layout: Literal["table", "list"] = "table"
    orientation: Literal["P", "L"] = "L"
    title_style: Literal["separate", "joined"] = "separate"
    numbering: Literal["roman", "arabic"] = "roman"
    title: list[str] = Field(min_length=1)
    columns: list[Column] = []
    list_labels: dict[Literal["lead", "coop", "deadline"], list[str]] = {}
    ordinal: Literal["column", "in_text", "none"] = "column"
    ordinal_style: Literal["arabic", "letter"] = "arabic"
    ordinal_restart: bool = False
    # column: the group's title sits in its own column (a "group" column), in the first row
    # of its items only (a cell merged down the group's rows)
    groups: Literal["none", "plain", "roman", "letter", "arabic", "nhom", "nhom_roman", "thu",
                    "column"] = "none"
    group_caps: bool = False
    group_cell: Literal["numeral", "spanning"] = "spanning"
    units_labels: list[tuple[str, str]] = [("Chủ trì", "Phối hợp")]
    units_label_sep: list[str] = ["\n"]
    unit_joiners: list[str] = [", "]
    abbreviate_units: bool = False
    long_text: bool = False
    deadlines: list[DeadlineStyle] = []
    values: list[ValueStyle] = []
    years: list[list[int]] = []
    value_deadline: Literal["none", "header_year"] = "none"  # header_year: deadline = the column's year
    column_numbers: bool = False
    total_row: bool = False
    note_after: bool = False
    rows: tuple[int, int] = (6, 12)

    @model_validator(mode="after")
    def _consistent(self) -> "Appendix":
        roles = [c.role for c in self.columns]
        if self.layout == "table":
            if roles.count("text") != 1:
                raise ValueError("a table appendix needs exactly one text column")
            if (self.ordinal == "column") != ("ordinal" in roles):
                raise ValueError("ordinal: column needs an ordinal column (and only then)")
        if self.layout == "list" and not self.list_labels:
            raise ValueError("a list appendix needs list_labels")
        if self.items == "targets" and not self.values:
            raise ValueError("a targets appendix needs value styles")
        if "value_year" in roles and not self.years:
            raise ValueError("value_year columns need years")
        if self.items == "tasks" and not self.deadlines:
            raise ValueError("a tasks appendix needs deadline styles")
        if (self.groups == "column") != ("group" in roles):
            raise ValueError("groups: column needs a group column (and only then)")
        if "start" in roles and "deadline" not in roles:
            raise ValueError("a start column needs a deadline (end) column")
        if self.rows[0] < 1 or self.rows[0] > self.rows[1]:
            raise ValueError(f"bad rows range {self.rows}")
        return self


class Family(_M):
    id: str
    learned_from: str
    issuer: IssuerLevel
    appendices: list[Appendix] = Field(min_length=1)


class Catalogue(_M):
    families: list[Family]

    @model_validator(mode="after")
    def _unique(self) -> "Catalogue":
        ids = [f.id for f in self.families]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate family ids: {sorted(dup)}")
        return self

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        raise KeyError(f"no family {family_id!r}; known: {[f.id for f in self.families]}")


class UnitName(_M):
    name: str
    short: Optional[str] = None


class Department(_M):
    name: str
    short: str
    caps: str


class Topic(_M):
    title: str
    domain: str


class CountSubject(_M):
    text: str
    unit: str


class TargetSubjects(_M):
    percent: list[str]
    count: list[CountSubject]
    text: list[str]


class Words(_M):
    provinces: list[str]
    communes: list[str]
    wards: list[str]
    departments: list[Department]
    people: list[str]
    units: dict[IssuerLevel, list[UnitName]]
    topics: list[Topic]
    verbs: list[str]
    objects: dict[str, list[str]]
    scopes: list[str]
    clauses: list[str]
    target_subjects: TargetSubjects
    products: list[str]
    methods: list[str]
    resources: list[str]
    goals: list[str]
    measures: list[str]
    places: list[str]
    statuses: list[str]
    notes: list[str]
    group_titles: list[str]
    evidence: list[str]
    criteria: list[str]
    priorities: list[str]
    related: list[str]
    support: list[str]
    baseline: list[str]
    levels: list[str]
    monitors: list[str]

    @model_validator(mode="after")
    def _domains(self) -> "Words":
        missing = {t.domain for t in self.topics} - set(self.objects)
        if missing or "common" not in self.objects:
            raise ValueError(f"objects lack domains {sorted(missing)} or 'common'")
        return self


@lru_cache(maxsize=None)
def load_catalogue(path: Path = HERE / "catalogue.yaml") -> Catalogue:
    """Given the catalogue file, return the validated families."""
    return Catalogue.model_validate(yaml_to_data(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def load_words(path: Path = HERE / "words.yaml") -> Words:
    """Given the word-list file, return the validated word lists."""
    return Words.model_validate(yaml_to_data(path.read_text(encoding="utf-8")))
