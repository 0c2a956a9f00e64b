"""Every exception becomes an exit code in one place (cli._exit_code): usage problems 2, a
missing dependency 3, Ctrl-C 130, anything else 1; commands report usage problems by
raising, never by exiting with 2 on their own."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kehoach import cli
from kehoach.core.errors import IngestError, KehoachError, MissingToolError, UsageError

runner = CliRunner()


@pytest.mark.parametrize("exc, code", [
    (UsageError("no such folder: x"), 2), (KehoachError("bad", code="usage"), 2),
    (IngestError("corrupt PDF"), 1), (MissingToolError("no tesseract"), 3), (KeyboardInterrupt(), 130),
    (RuntimeError("bug"), 1),
])
def test_exit_code_of_each_kind_of_exception(exc, code):
    assert cli._exit_code(exc) == code


@pytest.mark.parametrize("args", [
    ["ingest", "no-such-input", "--out", "{tmp}/out"],
    ["ingest", "{tmp}/empty", "--out", "{tmp}/out"],
    ["ingest", "{tmp}/empty", "--out", "{tmp}/out", "--dpi", "10"],
    ["export", "{tmp}/empty", "--format", "xlsx", "--out", "{tmp}/empty"],
    ["audit", "no-such-folder"],
    ["load", "no-such-folder"],
])
def test_usage_problems_exit_2_with_one_error_line(tmp_path, args):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli.app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kehoach: error: "), result.stderr


def test_no_command_exits_with_a_usage_code_of_its_own():
    tree = ast.parse(Path(cli.__file__).read_text("utf-8"))
    own = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
           and getattr(node.func, "attr", None) == "Exit"
           and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == 2]
    assert not own, f"cli.py lines {own}: raise UsageError (cli._fail prints it) instead"
