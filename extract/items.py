"""RawItem -> schema Task/Target: the one place where cells are parsed into fields.

Every layout reader (ruled table, scanned grid, flattened text, task list, prose) hands over
``RawItem``s with cells as printed; deadline, unit and value parsing is shared here through
the field parsers of ``extract.deadlines``, ``extract.units`` and ``extract.values``.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Optional, Protocol, Union

from ..schema import Deadline, Document, ErrorInfo, Provenance, Target, TargetValue, Task, UnitRef

from .raw_items import RawItem
from .rules import Rules
from .rules.items import ItemRules


def provenance_to_read_quality(provenance: Provenance, doc: Document) -> float:
    """Given an item's provenance and its document, return how well its words were read
    (0-1): on an OCR'd page the mean confidence of the words inside its box (the page's mean
    when its box holds none or it has no box), else 1 (a text layer, a Word file, a text
    file: the words are as the file holds them)."""
    page = next((p for p in doc.pages if p.number == provenance.page), None)
    if page is None or page.method != "ocr":
        return 1.0
    box = provenance.bbox
    confs = [w.conf for w in page.words if w.conf is not None and box is not None
             and w.bbox[0] >= box[0] - 1 and w.bbox[1] >= box[1] - 1
             and w.bbox[2] <= box[2] + 1 and w.bbox[3] <= box[3] + 1]
    if confs:
        return sum(max(0.0, c) for c in confs) / len(confs) / 100
    return max(0.0, min(1.0, (page.confidence or 0.0) / 100)) if page.confidence is not None else 1.0


def item_confidence(layout: str, warnings: list[str], read: float, rules: ItemRules) -> Optional[float]:
    """Given an item's reader layout, its warnings and how well its words were read (0-1),
    return its confidence (items.yaml ``confidence``: the layout's prior x ``read`` x
    ``per_warning`` per warning, at most ``max_warnings``), or None for a layout with no prior."""
    c = rules.confidence
    prior = c.layouts.get(layout)
    if prior is None:
        return None
    return round(prior * read * c.per_warning ** min(len(warnings), c.max_warnings), 3)


def implied_unit(text: str, rules: ItemRules) -> Optional[str]:
    """Given a target's text, return the unit its wording implies for bare values, or None."""
    from ..core.folding import fold

    t = fold(text.strip())
    for rule in rules.implied_units:
        if t.startswith(fold(rule.text_starts)):
            return rule.unit
    return None


class UnitParser(Protocol):
    def parse(self, text: str, level: Optional[str] = None) -> list[UnitRef]: ...

    def read(self, text: str, level: Optional[str] = None,
             where: Any = None) -> tuple[list[UnitRef], list[str]]: ...

    def level_in(self, text: str) -> Optional[str]: ...


def _nfc_join(s: Optional[str]) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").split())


PARSER_FAILED = "parser failed on "  # how an item's warning names a crashed parser


def parser_failed(what: str, raw: Any, exc: Exception) -> str:
    """The item warning of a parser that crashed on a cell (the item and its text are
    kept; the document lists the crash among its errors, ``item_to_parser_errors``)."""
    return f"{what} {PARSER_FAILED}{raw!r}: {type(exc).__name__}: {exc}"


def item_to_parser_errors(item: Union[Task, Target]) -> list[ErrorInfo]:
    """Given an item, return one ErrorInfo per parser that crashed on one of its cells."""
    return [ErrorInfo(code="parser-failed", message=w, page=item.provenance.page, stage="extract")
            for w in item.warnings if PARSER_FAILED in w]


def cell_to_deadline(raw: str, plan_year: Optional[int], rules: Rules) -> tuple[Optional[Deadline], list[str]]:
    """Given a deadline cell as printed, return (Deadline or None, warnings)."""
    raw = _nfc_join(raw)
    if not raw:
        return None, []
    from .deadlines import parse_deadline

    try:
        d = parse_deadline(raw, plan_year, rules.deadlines)
    except Exception as e:  # noqa: BLE001 - a parser bug must not lose the item
        return None, [parser_failed("deadline", raw, e)]
    warns = []
    if d is not None and d.year_inferred:
        warns.append(f"deadline year taken from the plan ({plan_year}): {raw!r}")
    if d is not None and d.kind == "none":
        warns.append(f"deadline not understood: {raw!r}")
    return d, warns


def cell_to_units(raw: str, registry: Optional[UnitParser], plan_level: Optional[str] = None,
                  role: str = "", where: Any = None) -> tuple[list[UnitRef], list[str]]:
    """Given a unit cell as printed (``registry`` None: split only, not resolved), the plan's
    administrative level ("xã", "tỉnh": its issuer's) and the cell's role ("lead", "cooperating"), return (units, warnings). The level
    the cell prints wins over the plan's; the plan's completes names printed without one
    ("Công an" in a province's plan). A name found by anything but an exact name or alias (an
    OCR repair, a level from context) is a guess: a warning says so, for an auditor. Text
    that is no unit (OCR debris, a date, the next column's words) becomes a warning, never a
    unit; ``where`` (the plan's ``units_identity.Jurisdiction``) places relative names."""
    raw = _nfc_join(raw)
    if not raw:
        return [], []
    if registry is None:
        parts = [p.strip(" .;,") for p in raw.replace(";", "\n").split("\n")]
        return [UnitRef(raw=p, name=p, known=False) for p in parts if p], \
            [f"units not resolved (no unit registry given): {raw!r}"]
    try:
        units, debris = registry.read(raw, registry.level_in(raw) or plan_level, where)
    except Exception as e:  # noqa: BLE001 - a parser bug must not lose the item
        return [], [parser_failed("unit", raw, e)]
    warns = [f"{role + ' ' if role else ''}text that is no unit: {d!r}" for d in debris]
    warns += [f"unknown unit: {u.name!r}" for u in units if not u.known]
    warns += [unit_match_warning(u, role) for u in units if u.known and u.match]
    return units, warns


def unit_match_warning(unit: UnitRef, role: str = "") -> str:
    """Given a unit resolved by a repair (``match`` set), return the warning that tells it from
    a certain match: "lead unit 'Lông an xã' read as 'Công an xã' (fuzzy ..., score 88)"."""
    return f"{role + ' ' if role else ''}unit {unit.raw!r} read as {unit.name!r} ({unit.match})"


def cell_to_values(raw: str, year: Optional[int], rules: Rules,
                   cell: bool = False) -> tuple[list[TargetValue], list[str]]:
    """Given a target text, or a value column's cell (``cell``), return (values, warnings)."""
    raw = _nfc_join(raw)
    if not raw:
        return [], []
    from .values import parse_value_cell, parse_values

    try:
        if cell:
            from .values import clean_value_cell

            cleaned = clean_value_cell(raw, rules.values)
            warns = [f"value cell read as {cleaned!r}: printed {raw!r}"] if cleaned != raw else []
            return parse_value_cell(cleaned, year, rules.values), warns
        return parse_values(raw, year, rules.values), []
    except Exception as e:  # noqa: BLE001 - a parser bug must not lose the item
        return [], [parser_failed("value", raw, e)]


def year_cells_to_values(cells: dict[int, str], text: str, rules: Rules) -> tuple[list[TargetValue], list[str]]:
    """Given a target row's year cells and its text, return (values, warnings)."""
    from .values import year_cells_to_values as parse

    try:
        return parse(cells, text, rules.values)
    except Exception as e:  # noqa: BLE001 - a parser bug must not lose the item
        return [], [parser_failed("value", cells, e)]


def split_unit_labels(raw: RawItem, rules: Rules) -> None:
    """A units cell that labels its parts ("Chủ trì: X. Phối hợp: Y, Z", in the lead or the
    cooperating column) gives the lead and the cooperating units their own cells; unlabelled
    text before the first label stays with the cell's column."""
    from .cell_labels import split_labelled_cell

    parts: dict[str, list[str]] = {}
    found = False
    for role in ("lead", "cooperating"):
        cell = raw.cells.get(role)
        split = split_labelled_cell(cell, rules.cell_labels) if cell else {}
        if not split:
            if cell:
                parts.setdefault(role, []).append(cell)
            continue
        found = True
        for k, v in split.items():
            parts.setdefault(k or role, []).append(v)
    if not found:
        return
    for role in ("lead", "cooperating"):
        raw.cells[role] = "; ".join(parts.get(role, []))
    raw.warnings.append("lead and cooperating units read from the labels inside their cell")


def _dedupe_units(units: list[UnitRef]) -> list[UnitRef]:
    seen, out = set(), []
    for u in units:
        if (u.name, u.place) not in seen:
            seen.add((u.name, u.place))
            out.append(u)
    return out


def _year_of(d: Optional[Deadline], plan_year: Optional[int]) -> Optional[int]:
    for iso in (d.end if d else None, d.start if d else None):
        if iso:
            return int(iso[:4])
    return plan_year


def raw_item_to_item(raw: RawItem, plan_year: Optional[int], registry: Optional[UnitParser],
                     plan_level: Optional[str] = None, where: Any = None, *,
                     rules: Rules, read: float = 1.0) -> Union[Task, Target]:
    """Given a RawItem (cells as printed), the plan's year, a unit registry, the plan's
    administrative level and how well its words were read (``provenance_to_read_quality``),
    return the schema Task or Target with parsed deadline, units and values; the raw cells
    stay in provenance/notes, problems become item warnings; its confidence comes from its
    layout, its reading and its warnings (``item_confidence``)."""
    warnings = list(raw.warnings)
    split_unit_labels(raw, rules)
    deadline, w = cell_to_deadline(raw.cells.get("deadline", ""), plan_year, rules)
    warnings += w
    lead, w = cell_to_units(raw.cells.get("lead", ""), registry, plan_level, "lead", where)
    warnings += w
    coop, w = cell_to_units(raw.cells.get("cooperating", ""), registry, plan_level, "cooperating", where)
    warnings += w
    lead = _dedupe_units(lead)
    lead_names = {(u.name, u.place) for u in lead}
    coop = [u for u in _dedupe_units(coop) if (u.name, u.place) not in lead_names]
    common: dict[str, Any] = dict(
        ordinal=raw.ordinal, section=raw.section, appendix=raw.appendix, text=_nfc_join(raw.text),
        deadline=deadline, lead_units=lead, cooperating_units=coop,
        notes=_nfc_join(raw.cells.get("notes")) or None, provenance=raw.provenance,
        warnings=warnings)
    if raw.kind == "task":
        return Task(**common, confidence=item_confidence(raw.layout, warnings, read, rules.items))
    values: list[TargetValue] = []
    year_cells = {int(k.split(":", 1)[1]): v for k, v in raw.cells.items() if k.startswith("year:")}
    if year_cells:
        vs, w = year_cells_to_values(year_cells, raw.text, rules)
        warnings += w
        values += vs
    else:
        source = raw.cells.get("value") or raw.text
        vs, w = cell_to_values(source, _year_of(deadline, plan_year), rules, cell=bool(raw.cells.get("value")))
        warnings += w
        values += vs
    printed_unit = _nfc_join(raw.cells.get("value_unit"))
    if printed_unit:
        from .values import clean_unit

        printed_unit = clean_unit(printed_unit, rules.values)
    if printed_unit and any(v.unit is None for v in values):
        # a "Đơn vị tính" column: the unit of every value in the row that prints none
        values = [v if v.unit else v.model_copy(update={"unit": printed_unit}) for v in values]
    unit = implied_unit(raw.text, rules.items) if any(v.unit is None for v in values) else None
    if unit:
        values = [v if v.unit else v.model_copy(update={"unit": unit}) for v in values]
        warnings.append(f"unit {unit!r} implied by the target's wording for bare values")
    return Target(**common, values=values, confidence=item_confidence(raw.layout, warnings, read, rules.items))
