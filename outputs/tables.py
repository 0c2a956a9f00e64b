"""Flatten Document records into rows: one per task, one per target value, one per document.

Column order, keys and Vietnamese headers come from ``columns.yaml`` (data, not code).
Lists of units are joined with ``UNIT_SEPARATOR``; dates are ``datetime.date`` (None when
the deadline has no full ISO date), so spreadsheet and parquet writers keep them as dates.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Optional

from pydantic import BaseModel

from ..schema import Document
from ..schema.models import Item, UnitRef
from ..core.yaml_data import yaml_to_data

UNIT_SEPARATOR = "; "
COLUMNS_FILE = Path(__file__).with_name("columns.yaml")

Row = dict[str, Any]


class Column(BaseModel):
    key: str
    header: str
    type: Literal["string", "int", "float", "date", "bool"] = "string"
    labels: Optional[str] = None  # kind of code (labels.yaml) shown as its label with --labels vi


class TableSpec(BaseModel):
    sheet: str
    columns: list[Column]
    sheet_key: str = ""  # the table's key (set on load): names the sheet's Excel table

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def headers(self) -> dict[str, str]:
        return {c.key: c.header for c in self.columns}


class TableSpecs(BaseModel):
    tables: dict[str, TableSpec]


@lru_cache(maxsize=1)
def table_specs() -> dict[str, TableSpec]:
    """Return the validated export table specs from ``columns.yaml``, keyed by table name."""
    specs = TableSpecs.model_validate(yaml_to_data(COLUMNS_FILE.read_text(encoding="utf-8"))).tables
    for key, spec in specs.items():
        spec.sheet_key = key
    return specs


def iso_to_date(value: Optional[str]) -> Optional[dt.date]:
    """Given an ISO date string, return the date; None when absent or not a full date."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def units_to_cell(units: list[UnitRef]) -> str:
    """Given unit references, return their canonical names joined for one cell."""
    return UNIT_SEPARATOR.join(u.name for u in units)


def _document_cells(doc: Document) -> Row:
    from ..extract.item_ids import document_id_of

    return {"doc_id": doc.doc_id or document_id_of(doc), "plan_id": doc.plan_id,
            "document_number": doc.metadata.number, "document_title": doc.metadata.title,
            "source_path": doc.source.path}


def _item_cells(item: Item, index: int) -> Row:
    d = item.deadline
    return {
        "item_order": index + 1,  # as people count: the first task is 1
        "ordinal": item.ordinal,
        "appendix": item.appendix,
        "section": item.section,
        "text": item.text,
        "deadline_raw": d.raw if d else None,
        "deadline_kind": d.kind if d else None,
        "deadline_start": iso_to_date(d.start) if d else None,
        "deadline_end": iso_to_date(d.end) if d else None,
        "lead_units": units_to_cell(item.lead_units),
        "cooperating_units": units_to_cell(item.cooperating_units),
        "notes": item.notes,
        "page": item.provenance.page,
        "confidence": item.confidence,
        "warnings": " | ".join(item.warnings) or None,
        "item_id": item.id,
        "reviewed": item.reviewed,
        "corrected_fields": ", ".join(item.review.corrected) if item.review and item.review.corrected else None,
    }


def _ordered(row: Row, table: str) -> Row:
    return {k: row.get(k) for k in table_specs()[table].keys}


def document_to_task_rows(doc: Document) -> list[Row]:
    """Given a Document, return one row per task."""
    return [_ordered({**_document_cells(doc), **_item_cells(t, i)}, "tasks") for i, t in enumerate(doc.tasks)]


def document_to_target_value_rows(doc: Document) -> list[Row]:
    """Given a Document, return one row per target value (one row with empty value for a target without values)."""
    rows = []
    for i, target in enumerate(doc.targets):
        base = {**_document_cells(doc), **_item_cells(target, i)}
        for v in target.values or [None]:
            value_cells = ({"year": v.year, "value_raw": v.raw, "comparator": v.comparator,
                            "value": v.value, "value_unit": v.unit} if v else {})
            rows.append(_ordered({**base, **value_cells}, "target_values"))
    return rows


def document_to_document_row(doc: Document, primary: bool = True) -> Row:
    """Given a Document (and whether it is its plan's primary copy), return its summary row."""
    return _ordered({
        **_document_cells(doc),
        "copy_kind": doc.plan_copy.kind if doc.plan_copy else None, "primary_copy": primary,
        "doc_type": doc.metadata.doc_type, "issuer": doc.metadata.issuer, "place": doc.metadata.place,
        "issued_date": doc.metadata.issued_date, "signer_name": doc.metadata.signer.name,
        "signer_title": doc.metadata.signer.title, "status": doc.status, "tasks": len(doc.tasks),
        "targets": len(doc.targets), "warnings": len(doc.warnings), "sha256": doc.source.sha256,
        "review_status": doc.review.status if doc.review else "not-reviewed",
        "corrected_fields": ", ".join(doc.review.corrected) if doc.review and doc.review.corrected else None,
    }, "documents")


def primary_flags(docs: Iterable[Document]) -> list[bool]:
    """Given Documents (one pass), return for each, in order, whether it is its plan's
    primary copy (``extract.plan_identity.primary_copies``: the best copy of each plan id,
    the first of equals; a document without a plan id counts alone). Holds no Document."""
    from ..extract.plan_identity import copy_order

    best: dict[str, tuple[tuple, int]] = {}
    count = 0
    for i, doc in enumerate(docs):
        key, order = doc.plan_id or f"#{i}", copy_order(doc)
        if key not in best or order < best[key][0]:
            best[key] = (order, i)
        count = i + 1
    flags = [False] * count
    for _, i in best.values():
        flags[i] = True
    return flags


def documents_to_rows(docs: Iterable[Document], all_copies: bool = False) -> Iterator[tuple[str, list[Row]]]:
    """Given Documents, yield (table name, rows) one document at a time: its task and target
    value rows (from each plan's primary copy only, unless ``all_copies``) and its documents
    row (``primary_copy`` says which copy counts). ``docs`` is passed over twice (primary
    copies first, then the rows), so a re-iterable such as ``RecordStream`` is read lazily
    and no two records need be held at once; a one-shot iterator is kept in a list."""
    if iter(docs) is docs:
        docs = list(docs)
    flags = primary_flags(docs)
    for i, doc in enumerate(docs):
        primary = flags[i] if i < len(flags) else True   # a record added between the passes
        if all_copies or primary:
            yield "tasks", document_to_task_rows(doc)
            yield "target_values", document_to_target_value_rows(doc)
        yield "documents", [document_to_document_row(doc, primary)]


def documents_to_tables(docs: Iterable[Document], all_copies: bool = False) -> dict[str, list[Row]]:
    """Given Documents, return the rows of every export table keyed by table name (in
    ``columns.yaml`` order); see ``documents_to_rows``."""
    tables: dict[str, list[Row]] = {name: [] for name in table_specs()}
    for name, rows in documents_to_rows(docs, all_copies):
        tables[name].extend(rows)
    return tables
