"""Test data for the downstream tests (db, export, calendar): gold corpus records as Documents."""
from __future__ import annotations

from pathlib import Path

from outputs.gold import gold_file_to_document
from schema import Document

GOLD_DIR = Path("/work/shared/corpus/gold")


def gold_documents() -> dict[str, Document]:
    """Return every corpus gold record file as a Document, keyed by the gold file stem."""
    return {p.name.removesuffix(".records.json"): gold_file_to_document(p)
            for p in sorted(GOLD_DIR.glob("*.records.json"))}


def write_out_dir(out_dir: Path, docs: dict[str, Document]) -> Path:
    """Write documents as ``<stem>.json`` records, as a pipeline run would; return out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, doc in docs.items():
        (out_dir / f"{stem}.json").write_text(doc.model_dump_json(indent=1), encoding="utf-8")
    return out_dir
