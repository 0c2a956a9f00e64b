"""Re-extracting saved records (extract.rerun, `kehoach extract`, `bench extract --records`)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kehoach import extract
from kehoach.cli import app
from kehoach.bench.extract import bench_inputs, run_bench, saved_record_path, text_to_document
from kehoach.pipeline.rerun import document_to_unextracted, record_for_input, reextract
from kehoach.core.corpus import CORPUS
from kehoach.schema import Document, Task

runner = CliRunner()
GOLD = CORPUS / "gold" / "000-cho-don.txt"


@pytest.fixture(scope="module")
def extracted() -> Document:
    doc = text_to_document(GOLD, restore=False)
    return extract.run(doc)


def test_unextracted_copy_has_no_extract_output(extracted):
    bare = document_to_unextracted(extracted)
    assert extracted.tasks and extracted.metadata.title  # the original is untouched
    assert (bare.tasks, bare.targets, bare.units, bare.metadata.references) == ([], [], [], [])
    assert bare.metadata.title is None and bare.metadata.signer.title is None
    assert "extract" not in bare.stages
    assert not [w for w in bare.warnings if w.stage == "extract"]
    assert [p.text for p in bare.pages] == [p.text for p in extracted.pages]


def test_reextract_replaces_stale_items_with_the_current_rules(extracted):
    stale = extracted.model_copy(deep=True)
    stale.tasks = [Task(text="an item an older rule set produced")]
    stale.warn("extract", "an old warning")
    new = reextract(stale)
    assert [t.text for t in new.tasks] == [t.text for t in extracted.tasks]
    assert new.stages.count("extract") == 1
    assert "an old warning" not in [w.message for w in new.warnings]


def test_extract_command_rewrites_records_into_out(tmp_path, extracted):
    rec = tmp_path / "in" / "plan.json"
    rec.parent.mkdir()
    stale = extracted.model_copy(deep=True)
    stale.tasks = []
    rec.write_text(stale.model_dump_json(), encoding="utf-8")
    (tmp_path / "in" / "broken.json").write_text("{not json", encoding="utf-8")
    res = runner.invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1  # the broken file is reported, the good one still done
    assert "broken.json" in res.output
    again = Document.model_validate_json((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert len(again.tasks) == len(extracted.tasks) == 24


def test_extract_command_missing_path_is_a_usage_error(tmp_path):
    assert runner.invoke(app, ["extract", str(tmp_path / "nope.json")]).exit_code == 2


def test_bench_scores_saved_records_without_reading_the_inputs(tmp_path, extracted):
    inputs = bench_inputs(("000-cho-don",), ("gold-text", "raw-ocr"))
    first = run_bench(inputs[:1], save_records=tmp_path)
    saved = saved_record_path(tmp_path, inputs[0])
    assert saved.exists()
    rows = run_bench(inputs, records=tmp_path)
    assert rows[0].row == first[0].row and rows[0].row["tasks"]["F1"] == 1.0
    assert rows[1].row is None and "no record" in rows[1].note  # raw-ocr was never saved


def test_record_for_input_finds_an_ingest_record_by_its_source_name(tmp_path, extracted):
    doc = extracted.model_copy(deep=True)
    doc.source.path = "/somewhere/samples/000-cho-don.scan.pdf"
    (tmp_path / "000-cho-don.scan.json").write_text(doc.model_dump_json(), encoding="utf-8")
    (tmp_path / "000-cho-don.scan.error.json").write_text("{}", encoding="utf-8")
    from pathlib import Path

    assert record_for_input(tmp_path, Path("samples/000-cho-don.scan.pdf")) == tmp_path / "000-cho-don.scan.json"
    assert record_for_input(tmp_path, Path("samples/000-cho-don.pdf")) is None


def test_bench_cli_rejects_a_missing_records_folder(tmp_path):
    res = runner.invoke(app, ["bench", "extract", "--records", str(tmp_path / "none")])
    assert res.exit_code == 2
    json.dumps(res.output)  # printable


def test_extract_command_goes_on_past_a_record_whose_extraction_fails(tmp_path, extracted, monkeypatch):
    """One record the rules choke on is reported; the others are written, none overwritten."""
    from kehoach.pipeline import rerun
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    extracted_json = extracted.model_dump_json()
    (tmp_path / "a" / "plan.json").write_text(extracted_json, encoding="utf-8")
    (tmp_path / "b" / "plan.json").write_text(extracted_json, encoding="utf-8")  # same name
    bad = extracted.model_copy(deep=True)
    bad.metadata.title = "boom"
    (tmp_path / "c" / "bad.json").write_text(bad.model_dump_json(), encoding="utf-8")
    real = rerun.reextract

    def flaky(doc):
        if doc.metadata.title == "boom":
            raise ValueError("rule table broken")
        return real(doc)

    monkeypatch.setattr(rerun, "reextract", flaky)
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c"),
                              "--out", str(out)])
    assert res.exit_code == 1
    assert "bad.json: extraction raised ValueError: rule table broken" in res.output
    assert "Traceback" not in res.output
    written = sorted(p.name for p in out.glob("*.json"))
    assert len(written) == 2 and "plan.json" in written and "bad.json" not in written
