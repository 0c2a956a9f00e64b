"""`kehoach bench extract`: the score table per plan and input kind (typer CliRunner)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from kehoach.cli import app
from kehoach.bench.extract import bench_inputs, rows_to_table, run_bench

runner = CliRunner()


def test_bench_extract_prints_rows_for_available_inputs_and_skips_absent(tmp_path):
    out = tmp_path / "bench.json"
    res = runner.invoke(app, ["bench", "extract", "--plan", "003-xa", "--input", "gold-text",
                              "--input", "image", "--json", str(out)])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("003-xa")]
    assert any("gold-text | targets" in ln for ln in lines)
    assert any("image" in ln and "skipped" in ln for ln in lines)
    data = json.loads(out.read_text(encoding="utf-8"))
    scored = [d for d in data if d["score"]]
    assert scored[0]["score"]["targets"]["F1"] >= 0.95


def test_bench_extract_rejects_unknown_input_kind():
    res = runner.invoke(app, ["bench", "extract", "--input", "fax"])
    assert res.exit_code == 2


def test_bench_inputs_notes_missing_files(tmp_path):
    inputs = bench_inputs(("000-cho-don",), ("pdf",), corpus=tmp_path, samples=tmp_path)
    assert inputs[0].path is None and "absent" in inputs[0].note
    table = rows_to_table(run_bench(inputs))
    assert "skipped" in table
