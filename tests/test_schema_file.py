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
