"""Convert hand-checked corpus gold records (``*.records.json``) into ``schema.Document``.

The gold format (``corpus/RECORDS-FORMAT.md``) names units as plain strings and
has no source block; downstream tests and the audit need full Documents, so this module
fills the gaps: units become ``UnitRef(raw=name, name=name)``, the source is synthetic.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

from ..schema import Document

_ITEM_KEYS = ("ordinal", "section", "appendix", "text", "deadline", "notes")


def _nfc(value: Any) -> Any:
    """Given any JSON value, return it with every string in Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def _units_to_refs(names: list[str] | None) -> list[dict]:
    return [{"raw": n, "name": n} for n in names or []]


def _gold_item_to_item(item: dict, with_values: bool) -> dict:
    out = {k: item.get(k) for k in _ITEM_KEYS if item.get(k) is not None}
    out["lead_units"] = _units_to_refs(item.get("lead_units"))
    out["cooperating_units"] = _units_to_refs(item.get("cooperating_units"))
    if with_values:
        out["values"] = item.get("values") or []
    return out


def gold_to_document(gold: dict, source_path: str = "") -> Document:
    """Given a parsed gold records dict, return an equivalent validated Document.

    The synthetic ``source.sha256`` is the hash of the gold JSON itself, so the same gold
    file always maps to the same document identity.
    """
    gold = _nfc(gold)
    digest = hashlib.sha256(json.dumps(gold, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    record = {
        "source": {"path": source_path or f"{gold.get('document', 'gold')}.txt",
                   "sha256": digest, "kind": "text"},
        **{k: gold.get(k) for k in ("number", "doc_type", "issuer", "place", "issued_date", "title")},
        "signer": gold.get("signer") or {},
        "references": [{"raw": "", **r} for r in gold.get("references") or []],
        "targets": [_gold_item_to_item(t, True) for t in gold.get("targets") or []],
        "tasks": [_gold_item_to_item(t, False) for t in gold.get("tasks") or []],
    }
    return Document.model_validate(record)


def gold_file_to_document(path: str | Path) -> Document:
    """Given a ``*.records.json`` path, return the Document it describes."""
    path = Path(path)
    return gold_to_document(json.loads(path.read_text(encoding="utf-8")), source_path=path.name)


def gold_dir_to_documents(gold_dir: str | Path) -> dict[str, Document]:
    """Given a folder of ``*.records.json``, return its Documents keyed by plan id (file stem)."""
    return {p.name.removesuffix(".records.json"): gold_file_to_document(p)
            for p in sorted(Path(gold_dir).glob("*.records.json"))}
