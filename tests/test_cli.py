"""The command line as a user meets it: help, version, summary, logging, exit codes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kehoach.cli import app

ROOT = Path(__file__).resolve().parents[1]
TEXT_PLAN = ROOT / "samples" / "001-son-la.ocr.txt"
SHORT_SCAN = ROOT / "samples" / "001-son-la.scan-short.pdf"


def _commands(group=None, prefix=()):
    """Every command path of the app: ('ingest',), ('bench', 'ocr')..."""
    import typer.main

    group = group or typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = sorted(_commands())


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_listed():
    assert {("ingest",), ("load",), ("export",), ("bench", "extract")} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_flags_as_flags_and_an_example(command):
    text = _help(*command)
    # no Python types: typer 0.2x shows <bool>, <int>, <list[Path]>, {paths}...
    assert not re.search(r"<(bool|int|float|str|path|list\[[^]]*\])>|\{\w+\}", text), text
    assert "Example:" in text
    assert _help(*command) == CliRunner().invoke(app, [*command, "-h"], terminal_width=100).output


def test_choices_are_listed_and_checked():
    assert "[csv|xlsx|parquet|jsonl]" in _help("export")
    assert "[local|dask]" in _help("ingest")
    result = CliRunner().invoke(app, ["export", "x", "--format", "pdf", "--out", "y"])
    assert result.exit_code == 2 and "pdf" in result.output


def test_a_flag_takes_no_value():
    ok = CliRunner().invoke(app, ["schema", "--error"])
    assert ok.exit_code == 0 and json.loads(ok.output)["title"]
    assert CliRunner().invoke(app, ["schema", "--error", "true"]).exit_code == 2


def test_version():
    from kehoach.core.settings import kehoach_version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"kehoach {kehoach_version()}\n"


def test_summary_names_pages_time_rate_warnings_and_unknown_units(tmp_path):
    result = CliRunner().invoke(app, ["ingest", str(TEXT_PLAN), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "001-son-la.ocr.json").read_text("utf-8"))
    unknown = {u["name"] for i in record["tasks"] + record["targets"]
               for u in i["lead_units"] + i["cooperating_units"] if not u["known"]}
    lines = result.output.splitlines()
    assert "1 written, 0 up to date, 0 failed -> " in lines[-2]
    m = re.fullmatch(r"(\d+) pages read in ([\d.]+) s \(([\d.]+) pages/s\); (\d+) warnings, (\d+) units "
                     r"not in the registry \(kept as printed, known: false\)", lines[-1])
    assert m, lines[-1]
    assert int(m[1]) == len(record["pages"]) and int(m[4]) == len(record["warnings"])
    assert int(m[5]) == len(unknown)


def test_verbose_and_log_file(tmp_path):
    log = tmp_path / "run.log"
    result = CliRunner().invoke(app, ["ingest", str(TEXT_PLAN), "--out", str(tmp_path / "out"), "-j", "1",
                                      "-v", "--log-file", str(log), "--quiet"])
    assert result.exit_code == 0, result.output
    assert re.search(r"INFO kehoach: 001-son-la\.ocr\.txt: 1 pages, \d+ targets, \d+ tasks", result.output)
    assert "001-son-la.ocr.txt: 1 pages" in log.read_text("utf-8")


@pytest.mark.ocr
def test_a_missing_ocr_model_exits_3_and_text_inputs_are_still_read(tmp_path):
    empty = tmp_path / "no-models"
    empty.mkdir()
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(SHORT_SCAN), str(TEXT_PLAN), "--out", str(out),
                                      "-j", "1", "--tessdata-dir", str(empty)])
    assert result.exit_code == 3, result.output
    assert json.loads((out / "001-son-la.scan-short.error.json").read_text("utf-8"))["error"]["code"] == "missing-tool"
    assert (out / "001-son-la.ocr.json").exists()
    assert "install it and run the same command again" in result.output


def test_missing_tesseract_exits_3(tmp_path):
    """No tesseract on PATH at all (the interpreter is named by its full path)."""
    env = {**os.environ, "PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "kehoach", "ingest", str(SHORT_SCAN), "--out",
                           str(tmp_path / "out"), "-j", "1", "--quiet"], capture_output=True, text=True,
                          env=env, cwd=ROOT.parent)
    assert done.returncode == 3, done.stderr
    assert "tesseract" in done.stderr and "apt-get install tesseract-ocr" in done.stderr
