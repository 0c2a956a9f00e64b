"""The fields of an item as a reviewer edits them: one line of text per field, and back.

Each correctable field has a text form shown in the review page (a deadline as printed, units
separated by ';', target values one per line as 'YEAR: value') and is read back into the
record's own form: deadlines parsed by extract.deadlines, unit names resolved through the unit
registry (extract.units: a name the registry knows gets its canonical spelling), values by
extract.values, each with the extract rules bundle the caller passes (``extract.rules.Rules``:
the review site loads it once). A field whose text the reviewer left as shown is no correction.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional

from ..core.folding import nfc, squash_spaces
from ..schema.models import Item, Target

if TYPE_CHECKING:
    from ..extract.rules import Rules

UNIT_SEPARATOR = ";"
FORM_FIELDS = ("ordinal", "text", "deadline", "lead_units", "cooperating_units", "values", "notes")
_YEAR_PREFIX = re.compile(r"^\s*((?:19|20)\d\d)\s*:\s*")


def field_to_text(item: Item, name: str) -> str:
    """Given an item and a field name, return the field as the review form shows it."""
    if name in ("lead_units", "cooperating_units"):
        return f"{UNIT_SEPARATOR} ".join(u.name for u in getattr(item, name))
    if name == "deadline":
        return item.deadline.raw if item.deadline else ""
    if name == "values":
        if not isinstance(item, Target):
            return ""
        return "\n".join(f"{v.year}: {v.raw}" if v.year else v.raw for v in item.values)
    return getattr(item, name) or ""


def _clean(text: str) -> str:
    return squash_spaces(nfc(text))


def text_to_field(name: str, text: str, plan_year: Optional[int], rules: Rules,
                  level: Optional[str] = None) -> Any:
    """Given a field name, the reviewer's text, the plan's year, the extract rules and the
    plan's level (units printed without one), return the value in the record's JSON form."""
    if name in ("lead_units", "cooperating_units"):
        registry = rules.units
        names = [_clean(p) for p in nfc(text).replace("\n", UNIT_SEPARATOR).split(UNIT_SEPARATOR)]
        return [registry.resolve(n, level).model_dump(mode="json") for n in names if n]
    if name == "deadline":
        raw = _clean(text)
        if not raw:
            return None
        from ..extract.deadlines import parse_deadline

        d = parse_deadline(raw, plan_year, rules.deadlines)
        return (d.model_dump(mode="json") if d is not None
                else {"raw": raw, "kind": "none", "start": None, "end": None})
    if name == "values":
        from ..extract.values import parse_value_cell

        out = []
        for line in nfc(text).splitlines():
            m = _YEAR_PREFIX.match(line)
            year = int(m.group(1)) if m else None
            raw = _clean(line[m.end():] if m else line)
            if not raw:
                continue
            parsed = parse_value_cell(raw, year, rules.values)
            if len(parsed) == 1:
                out.append(parsed[0].model_copy(update={"raw": raw, "year": year}).model_dump(mode="json"))
            else:
                out.append({"year": year, "raw": raw})
        return out
    if name == "text":
        return nfc(text).strip()
    value = _clean(text)
    return value or None


def plan_year_of(issued_date: Optional[str]) -> Optional[int]:
    try:
        return int((issued_date or "")[:4])
    except ValueError:
        return None


# --- the document's own metadata ---------------------------------------------------------

DOCUMENT_FORM_FIELDS = ("doc_type", "number", "issuer", "place", "issued_date", "title", "signer")
_DAY_MONTH_YEAR = re.compile(r"^(?:(\d{1,2})\s*[/.-]\s*)?(\d{1,2})\s*[/.-]\s*((?:19|20)\d\d)$")
_ISO_DATE = re.compile(r"^((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?$")


class FormError(ValueError):
    """A reviewer's text the record cannot hold (said in Vietnamese)."""


def document_field_to_text(doc, name: str) -> str:
    """Given a Document and a metadata field name, return the field as the form shows it:
    the signer as its name, the issue date as dd/mm/yyyy (mm/yyyy when only the month)."""
    if name == "signer":
        return doc.metadata.signer.name or ""
    if name == "issued_date":
        m = _ISO_DATE.match(doc.metadata.issued_date or "")
        if not m:
            return doc.metadata.issued_date or ""
        year, month, day = m.groups()
        return "/".join(p for p in (day, month, year) if p)
    return getattr(doc.metadata, name) or ""


def text_to_document_field(name: str, text: str, extracted_signer: Optional[dict] = None) -> Any:
    """Given a metadata field name and the reviewer's text, return the value in the record's
    JSON form: the issue date as ISO (dd/mm/yyyy, mm/yyyy, yyyy or ISO typed); the signer
    as the extracted signer with the name replaced (its title and authority as printed)."""
    value = _clean(text)
    if name == "signer":
        return {**(extracted_signer or {}), "name": value or None}
    if name == "issued_date":
        if not value:
            return None
        m = _DAY_MONTH_YEAR.match(value)
        if m:
            day, month, year = m.groups()
            parts = [year, f"{int(month):02d}"] + ([f"{int(day):02d}"] if day else [])
        else:
            iso = _ISO_DATE.match(value)
            if not iso:
                raise FormError(f"ngày ban hành {value!r} không đọc được: nhập dd/mm/yyyy, mm/yyyy hoặc yyyy")
            parts = [p for p in iso.groups() if p]
        import datetime as dt

        try:
            dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
        except ValueError as exc:
            raise FormError(f"ngày ban hành {value!r} không có thật") from exc
        return "-".join(parts)
    return value or None
