"""CLI tests of `kehoach restore` and `kehoach train-lm` (typer CliRunner)."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kehoach.cli import app

runner = CliRunner()
RAW = "Ké hoach s6 02-KH/BCDTW ngay 19/6/2025 ciia Ban Chi dao\n"


def test_restore_stdin_prints_restored_text() -> None:
    res = runner.invoke(app, ["restore", "-"], input=RAW)
    assert res.exit_code == 0, res.output
    assert res.output == "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo\n"


def test_restore_edits_are_json_lines(tmp_path: Path) -> None:
    src = tmp_path / "raw.txt"
    src.write_text(RAW, encoding="utf-8")
    res = runner.invoke(app, ["restore", str(src), "--edits"])
    assert res.exit_code == 0, res.output
    edits = [json.loads(line) for line in res.output.splitlines()]
    assert edits[0] == {"line": 0, "index": 0, "raw": "Ké", "text": "Kế"}


def test_train_lm_writes_a_model_restore_can_use(tmp_path: Path) -> None:
    text = tmp_path / "plan.txt"
    text.write_text("Ủy ban nhân dân xã Quỳnh Lưu ban hành Kế hoạch chuyển đổi số.\n", encoding="utf-8")
    model = tmp_path / "model.json.gz"
    res = runner.invoke(app, ["train-lm", str(text), "--out", str(model)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["restore", "-", "--model", str(model)], input="xa Quynh Luu ban hanh\n")
    assert res.exit_code == 0, res.output
    assert res.output == "xã Quỳnh Lưu ban hành\n"
