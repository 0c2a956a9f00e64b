"""extract stage of kehoach: metadata, targets, tasks and units of a plan.

``run(doc, settings) -> doc``. Layout readers sit in one registry (``EXTRACTORS``) of
``Reader``s with one signature ``read(doc, plan, rules) -> (list[RawItem], list[str])``; a
reader never changes the ``Plan``: what it covered is passed on to the readers after it by its
``passes_on(plan, items) -> plan``. Each RawItem carries provenance and its layout, from which
``extract.items`` derives a confidence. Per document, in phases:

1. ruled tables (``Page.tables``, from the PDF text layer or a scanned grid) -> extract.tables;
2. appendices in text without tables: tables whose rows keep their cells apart with " | "
   (extract.delimited_tables), else task lists with labelled field lines, else flattened
   tables (old OCR / text layer);
3. the body's prose (Mục tiêu cụ thể / Nhiệm vụ / Tổ chức thực hiện) — only for the kinds
   (targets, tasks) no appendix provides, so prose repeats of appendix items are not emitted.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

from ..schema import Document, ErrorInfo, Metadata, Signer, Target, Task, UnitRole

from .raw_items import RawItem
from .rules import Rules, load_rules
from .sections import Line, Region, document_to_lines, lines_to_regions, region_kind

STAGE = "extract"


@dataclass(frozen=True)
class Plan:
    """What a reader knows of one document: its lines and regions, and what the readers
    before it covered (``Reader.passes_on``). Readers never change it: ``run`` hands each
    phase the plan the phase before passed on."""

    lines: list[Line]
    regions: list[Region]
    table_pages: frozenset[int] = frozenset()  # pages with ruled tables
    table_item_pages: Optional[frozenset[int]] = None  # pages whose tables gave items (once read)
    delimited: frozenset[str] = frozenset()  # appendix regions read as delimited tables

    def text_appendices(self) -> list[Region]:
        """Appendix regions to read as text, without the lines of pages whose ruled tables
        gave items (a table whose header could not be read leaves its page to the
        flattened-text reader; an appendix that starts on a table's last page keeps its own
        pages)."""
        used = self.table_item_pages if self.table_item_pages is not None else self.table_pages
        out = []
        for r in self.regions[1:]:
            lines = [ln for ln in r.lines if ln.page not in used]
            if lines:
                out.append(Region(r.name, lines))
        return out


Extractor = Callable[[Document, Plan, Rules], tuple[list[RawItem], list[str]]]


def _unchanged(plan: Plan, items: list[RawItem]) -> Plan:
    return plan


@dataclass(frozen=True)
class Reader:
    """A layout reader: ``read`` gives its items and warnings; ``passes_on`` gives, from its
    items, the plan the readers after it read (what it covered, so they do not read it
    again)."""

    read: Extractor
    passes_on: Callable[[Plan, list[RawItem]], Plan] = _unchanged


def _tables(doc: Document, plan: Plan, rules: Rules) -> tuple[list[RawItem], list[str]]:
    from .tables import tables_to_raw_items

    if not plan.table_pages:
        return [], []
    return tables_to_raw_items(doc, rules)


def _table_pages_read(plan: Plan, items: list[RawItem]) -> Plan:
    """The pages whose ruled tables gave items are not read again as text."""
    if not plan.table_pages:
        return plan
    return replace(plan, table_item_pages=frozenset(
        it.provenance.page for it in items if it.provenance.page is not None))


def _delimited(doc: Document, plan: Plan, rules: Rules) -> tuple[list[RawItem], list[str]]:
    from .delimited_tables import delimited_region_to_raw_items

    items, warns = [], []
    for r in plan.text_appendices():
        i, w, found = delimited_region_to_raw_items(r, rules)
        if found:
            items += i
            warns += w
    return items, warns


def _delimited_regions_read(plan: Plan, items: list[RawItem]) -> Plan:
    """The appendices read as delimited tables (their items name them) are not read again
    as lists or flattened tables."""
    return replace(plan, delimited=plan.delimited | {it.appendix for it in items if it.appendix})


def _field_line_regions(plan: Plan, rules: Rules, as_list: bool):
    """The plan's text appendices not read as delimited tables that are lists (two or more
    "- Cơ quan chủ trì: ..." field lines and no line of column titles before them, as_list)
    or flattened tables (the others)."""
    from .lists import is_field_list

    for r in plan.text_appendices():
        if r.name not in plan.delimited and is_field_list(r, rules) == as_list:
            yield r


def _field_line_items(plan: Plan, rules: Rules, as_list: bool, read_region) -> tuple[list[RawItem], list[str]]:
    """The items and warnings ``read_region(region, kind, rules)`` reads from each of the
    plan's lists (as_list) or flattened tables (not as_list)."""
    items, warns = [], []
    for r in _field_line_regions(plan, rules, as_list):
        i, w = read_region(r, region_kind(r, rules), rules)
        items += i
        warns += w
    return items, warns


def _lists(doc: Document, plan: Plan, rules: Rules) -> tuple[list[RawItem], list[str]]:
    from .lists import list_region_to_raw_items

    return _field_line_items(plan, rules, True, list_region_to_raw_items)


def _flat(doc: Document, plan: Plan, rules: Rules) -> tuple[list[RawItem], list[str]]:
    from .flat_tables import flat_region_to_raw_items

    return _field_line_items(plan, rules, False, flat_region_to_raw_items)


def _prose(doc: Document, plan: Plan, rules: Rules) -> tuple[list[RawItem], list[str]]:
    from .prose import prose_to_raw_items

    return prose_to_raw_items(plan.regions[0], {"target", "task"}, rules)


# The readers in their phases: ruled tables, then appendices in text (delimited tables, then
# lists and flattened tables, on what the tables did not cover), then the body's prose. Each
# reads the plan the readers before it passed on; which items are kept is decided in one
# place, select_raw_items.
EXTRACTORS: dict[str, Reader] = {
    "tables": Reader(_tables, _table_pages_read),
    "delimited": Reader(_delimited, _delimited_regions_read),
    "lists": Reader(_lists),
    "flat-text": Reader(_flat),
    "prose": Reader(_prose),
}


def plan_year_of(doc: Document, lines: list[Line], rules: Rules) -> Optional[int]:
    """Given a document (metadata filled if found) and its lines, return the plan's year:
    the one year its title says it is for ("... năm 2026"), else the issue date's, else the
    most frequent 20xx year in the first 40 lines."""
    from ..core.folding import fold

    if doc.metadata.title:
        title_years = set(rules.layout.regex("title_plan_year").findall(fold(doc.metadata.title)))
        if len(title_years) == 1:
            return int(title_years.pop())
    if doc.metadata.issued_date:
        return int(doc.metadata.issued_date[:4])
    years = Counter(int(y) for ln in lines[:40] for y in re.findall(r"\b(20[1-4]\d)\b", ln.text))
    return years.most_common(1)[0][0] if years else None


def appendix_numbering_of(doc: Document, rules: Rules) -> dict[str, str]:
    """Given a document, return the appendix names OCR damaged and what the plan's
    numbering makes of them (extract.tables.appendix_numbering)."""
    from .appendices import appendix_numbering

    return appendix_numbering(doc, rules.tables)


def jurisdiction_of(doc: Document, rules: Rules):
    """Given a document with metadata filled and the rules, return its issuer's level and
    place (``units_identity.Jurisdiction``), where names printed relative to the plan point."""
    from .units_identity import Jurisdiction

    return Jurisdiction.from_issuer(doc.metadata.issuer, rules.units.forms)


def plan_level_of(doc: Document, rules: Rules) -> Optional[str]:
    """Given a document with metadata filled and the rules, return its issuer's
    administrative level ("xã", "tỉnh"), which completes unit names printed without one, or
    None."""
    from .units import level_of_issuer

    return level_of_issuer(doc.metadata.issuer, rules.units)


def _marks_not_printed(text: str, doc: Document) -> bool:
    """Whether the document's pages as read print ``text`` only without its marks (its
    letters are there, its marks are not: restoration chose them)."""
    from ..core.folding import fold, nfc

    raw = nfc("\n".join(p.raw_text for p in doc.pages))
    return nfc(text) not in raw and " ".join(fold(nfc(text)).split()) in " ".join(fold(raw).split())


def printed_exactly(doc: Document) -> bool:
    """Whether the document's text is the print itself: a PDF's text layer or a Word file,
    every page read from text and nothing restored (no OCR damage to repair)."""
    return (doc.source.kind in ("pdf", "docx", "doc") and bool(doc.pages)
            and all(p.method == "text" and not p.edits for p in doc.pages))


def fill_metadata(doc: Document, lines: list[Line], rules: Rules) -> None:
    """Fill the document's metadata fields from its lines (extract.metadata), each with
    where it was printed (extract.metadata_sources)."""
    from .metadata import extract_metadata
    from .metadata_sources import metadata_to_provenance

    try:
        found = extract_metadata([ln.text for ln in lines], rules.metadata, rules.units,
                                 exact=printed_exactly(doc))
        warnings = found.pop("warnings", [])
        if isinstance(found.get("signer"), dict):  # the signer fields the record holds
            found["signer"] = {k: v for k, v in found["signer"].items() if k in Signer.model_fields}
        meta = Metadata.model_validate(found)
    except Exception as e:  # noqa: BLE001 - keep the items even if the header parser fails
        doc.errors.append(ErrorInfo(code="metadata-failed", stage=STAGE,
                                    message=f"metadata extraction failed: {type(e).__name__}: {e}"))
        return
    if meta.signer.name and _marks_not_printed(meta.signer.name, doc):
        from .metadata_signer import spell_unmarked_name

        meta.signer.name = spell_unmarked_name(meta.signer.name, rules.metadata)
    meta.provenance = metadata_to_provenance(meta, lines, doc)
    doc.metadata = meta
    for w in warnings:
        doc.warn(STAGE, str(w))


def items_to_unit_roles(targets: list[Target], tasks: list[Task]) -> list[UnitRole]:
    """Given the extracted items, return the document-level units with their roles."""
    roles: dict[tuple[str, Optional[str]], UnitRole] = {}
    for kind, items in (("targets", targets), ("tasks", tasks)):
        for it in items:
            for role, units in (("lead", it.lead_units), ("cooperating", it.cooperating_units)):
                for u in units:
                    ur = roles.setdefault((u.name, u.place), UnitRole(
                        name=u.name, known=u.known, kind=u.kind, level=u.level, place=u.place,
                        collective=u.collective))
                    if role not in ur.roles:
                        ur.roles.append(role)
                    setattr(ur, kind, getattr(ur, kind) + 1)
    return sorted(roles.values(), key=lambda u: (-(u.tasks + u.targets), u.name))


def select_raw_items(results: dict[str, list[RawItem]]) -> list[RawItem]:
    """Given each reader's RawItems, return the ones to keep: appendix items (flattened-text
    rows only of kinds no ruled table gave: a page whose grid was not found is rescued, a
    table page's own text is not read twice), and prose items only of the kinds (target/
    task) no appendix reader produced."""
    table_kinds = {it.kind for it in results.get("tables", []) + results.get("delimited", [])}
    flat = [it for it in results.get("flat-text", []) if it.kind not in table_kinds]
    appendix = results.get("tables", []) + results.get("delimited", []) + results.get("lists", []) + flat
    covered = {it.kind for it in appendix}
    prose = [it for it in results.get("prose", []) if it.kind not in covered]
    return appendix + prose


def inherit_section_deadline(raw: RawItem, rules: Rules) -> None:
    """An item without its own deadline takes the period its section heading names
    ("Giai đoạn từ ngày 01/7/2025 đến ngày 31/12/2025", "Mục tiêu năm 2025")."""
    from .sections import find_heading_deadline

    if raw.cells.get("deadline") or not raw.section:
        return
    d = find_heading_deadline(raw.section, rules.layout)
    if d:
        raw.cells["deadline"] = d
        raw.warnings.append(f"deadline taken from the section heading: {d!r}")


def run(doc: Document, settings: Any = None) -> Document:
    """Given a Document whose pages are normalized, return it with metadata, targets, tasks,
    units and warnings filled, and "extract" appended to its stages."""
    from .items import item_to_parser_errors, provenance_to_read_quality, raw_item_to_item

    rules = load_rules()
    lines = document_to_lines(doc, rules.layout)
    plan = Plan(lines=lines, regions=lines_to_regions(lines, rules),
                table_pages=frozenset(p.number for p in doc.pages if p.tables))
    fill_metadata(doc, lines, rules)
    from .plan_identity import copy_of, plan_id_of

    doc.plan_id = plan_id_of(doc.metadata.number, doc.metadata.issuer, doc.metadata.issued_date)
    doc.plan_copy = copy_of(doc)
    year = plan_year_of(doc, lines, rules)

    results: dict[str, list[RawItem]] = {}
    for name, reader in EXTRACTORS.items():
        try:
            items, warns = reader.read(doc, plan, rules)
        except Exception as e:  # noqa: BLE001 - one broken reader must not lose the others' items
            items, warns = [], []
            doc.errors.append(ErrorInfo(code="reader-failed", stage=STAGE,
                                        message=f"{name} reader failed: {type(e).__name__}: {e}"))
        else:
            plan = reader.passes_on(plan, items)
        results[name] = items
        for w in warns:
            doc.warn(STAGE, w)

    registry = rules.units
    level = plan_level_of(doc, rules)
    where = jurisdiction_of(doc, rules)
    numbering = appendix_numbering_of(doc, rules)
    targets, tasks = [], []
    for raw in select_raw_items(results):
        if raw.appendix in numbering:
            raw.warnings.append(f"appendix read {raw.appendix!r}, named {numbering[raw.appendix]!r} "
                                "by the plan's numbering")
            raw.appendix = numbering[raw.appendix]
        inherit_section_deadline(raw, rules)
        item = raw_item_to_item(raw, year, registry, level, where, rules=rules,
                                read=provenance_to_read_quality(raw.provenance, doc))
        doc.errors += item_to_parser_errors(item)
        (targets if isinstance(item, Target) else tasks).append(item)
    doc.targets, doc.tasks = targets, tasks
    from .item_ids import assign_item_ids, document_id_of

    assign_item_ids(doc)
    doc.doc_id = document_id_of(doc)
    doc.units = items_to_unit_roles(targets, tasks)
    if not targets and not tasks:
        doc.warn(STAGE, "no targets or tasks found")
    doc.stages.append(STAGE)
    return doc
