"""The committed JSON Schema files are the models' schema, and real records validate against them."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kehoach import schema
ROOT = Path(__file__).resolve().parent.parent
FILES = {"document.schema.json": schema.json_schema, "error.schema.json": schema.error_json_schema}


@pytest.mark.parametrize("name", sorted(FILES))
def test_committed_schema_matches_the_models(name):
    committed = json.loads((ROOT / "schema" / name).read_text(encoding="utf-8"))
    assert committed == FILES[name](), f"schema/{name} is stale: run `make schema`"


@pytest.mark.parametrize("record", sorted((ROOT / "samples").glob("*.expected.json"))[:6],
                         ids=lambda p: p.name)
def test_sample_records_validate_against_the_schema_file(record):
    doc = json.loads(record.read_text(encoding="utf-8"))
    if "source" not in doc:  # a gold records dict, not a Document
        pytest.skip("not a Document record")
    jsonschema.validate(doc, json.loads((ROOT / "schema" / "document.schema.json").read_text("utf-8")))


def test_a_wrong_record_is_rejected_by_the_schema_file():
    bad = {"source": {"path": "x.pdf", "sha256": "0" * 64, "kind": "pdf"}, "tasks": [{"text": 5}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads((ROOT / "schema" / "document.schema.json").read_text("utf-8")))


@pytest.mark.parametrize("record", sorted((ROOT / "tests" / "fixtures" / "records").glob("schema-1.1-*.json")),
                         ids=lambda p: p.name)
def test_a_record_of_the_previous_version_loads_and_is_written_back_unchanged(record):
    """Records keep the metadata fields at their top level (number ... references,
    metadata_provenance): a record written before Document held one ``metadata`` (schema 1.1,
    written by that version from samples/000-cho-don.pdf, pages and most items left out)
    loads into it, and is written back key for key, in the same order."""
    from kehoach.schema import Document

    text = record.read_text(encoding="utf-8")
    doc = Document.model_validate_json(text)
    assert doc.metadata.issuer == json.loads(text)["issuer"] == "Ủy ban nhân dân xã Chợ Đồn"
    assert doc.metadata.signer.title == "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH" and doc.metadata.references
    assert list(doc.model_dump(mode="json")) == list(json.loads(text))
    assert doc.model_dump(mode="json") == json.loads(text)


def test_document_metadata_is_one_model_and_flat_in_the_record():
    from kehoach.schema import Document, Metadata, Signer, Source

    doc = Document(source=Source(path="x.txt", sha256="0" * 64, kind="text"),
                   metadata=Metadata(number="5/KH-UBND", issuer="Ủy ban nhân dân xã A",
                                     signer=Signer(name="Nguyễn Văn An")))
    data = doc.model_dump(mode="json")
    assert "metadata" not in data and data["number"] == "5/KH-UBND" and data["signer"]["name"] == "Nguyễn Văn An"
    assert "metadata_provenance" in data
    assert Document.model_validate(data).metadata == doc.metadata
    jsonschema.validate(data, json.loads((ROOT / "schema" / "document.schema.json").read_text("utf-8")))


def test_metadata_provenance_has_one_field_per_printed_metadata_value():
    """MetadataProvenance names where each printed value of Metadata was found: its fields are
    Metadata's fields, in Metadata's order, less the provenance itself and the references
    (each reference keeps its own raw text); the record keys name every Metadata field once."""
    from kehoach.schema import Metadata, MetadataProvenance

    printed = [n for n in Metadata.model_fields if n not in ("provenance", "references")]
    assert list(MetadataProvenance.model_fields) == printed
    assert list(Metadata.RECORD_KEYS) == list(Metadata.model_fields)
    assert len(set(Metadata.RECORD_KEYS.values())) == len(Metadata.RECORD_KEYS)
