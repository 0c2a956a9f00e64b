"""The installed distribution: build the wheel as a user's pip does (build isolation), install
it in a fresh virtual environment, and use it from another folder. The wheel must install
one top-level name, `kehoach`, and `kehoach.read` must give a valid record from it.

The fresh environment gets only the wheel (``--no-deps``); the dependencies are reached
through one ``.pth`` line naming this environment's site-packages (pip would fetch the same
packages again for a minute and more). A path line in a ``.pth`` file adds that folder to
``sys.path`` without running its own ``.pth`` files, so the source tree's editable install
stays out: the only ``kehoach`` there is the wheel's, which the test checks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "001-son-la.ocr.txt"
STAGE_NAMES = ["schema", "ingest", "normalize", "extract", "pipeline", "outputs", "bench", "cli",
               "core"]

pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the wheel file, the fresh environment's python) with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    source = _tracked_copy(base / "src")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(base / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel, = (base / "dist").glob("kehoach-*.whl")
    env = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    got = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                          "--no-deps", "-q", str(wheel)], capture_output=True, text=True)
    assert got.returncode == 0, got.stderr[-3000:]
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "_kehoach_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return wheel, python, purelib


def _tracked_copy(to: Path) -> Path:
    """The files of the source tree git keeps (committed or new, not ignored) copied to ``to``: setuptools builds in place
    (build/, *.egg-info), where a module deleted since an earlier build would still be
    packed; a clone's files are what a user builds from."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:  # not a git checkout: the tree without build products
        shutil.copytree(ROOT, to, ignore=shutil.ignore_patterns(".venv", "build", "*.egg-info", ".git"))
        return to
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)
    return to


def _run(python: Path, code: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(python), "-c", code], cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_wheel_holds_only_the_kehoach_package(installed):
    wheel, _, purelib = installed
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"kehoach", wheel.name.split("-py3")[0] + ".dist-info"}
    # the rule tables, the restoration model and the schema files travel with the code
    for inside in ("kehoach/extract/data/units.yaml", "kehoach/normalize/data/restore_model.json.gz",
                   "kehoach/schema/document.schema.json", "kehoach/outputs/columns.yaml",
                   "kehoach/outputs/labels.yaml", "kehoach/outputs/db_comments.yaml",
                   "kehoach/outputs/migrations/env.py", "kehoach/outputs/migrations/versions/r0002_bi_ready.py"):
        assert inside in names
    installed_tops = {p.name for p in purelib.iterdir()} - {"_kehoach_test_deps.pth", "__pycache__"}
    assert installed_tops == {"kehoach", wheel.name.split("-py3")[0] + ".dist-info"}


def test_installed_wheel_reads_a_plan_from_another_folder(installed, tmp_path):
    _, python, purelib = installed
    code = (
        "import importlib.util, json, sys, kehoach\n"
        f"doc = kehoach.read({str(SAMPLE)!r})\n"
        "import sqlite3; report = kehoach.load([doc], 'sqlite:///plans.db')\n"
        "views = sqlite3.connect('plans.db').execute('SELECT count(*) FROM v_tasks').fetchone()[0]\n"
        "print(json.dumps({'file': kehoach.__file__, 'version': kehoach.__version__,\n"
        f"  'stages': [n for n in {STAGE_NAMES!r} if importlib.util.find_spec(n)],\n"
        "  'loaded': len(report.loaded), 'v_tasks': views,\n"
        "  'record': json.loads(doc.model_dump_json())}))\n"
    )
    out = json.loads(_run(python, code, tmp_path))
    assert out["file"] == str(purelib / "kehoach" / "__init__.py")
    assert out["version"] == "0.1.0"
    assert out["stages"] == []  # no `schema`, `extract`... importable beside kehoach
    # the database schema (Alembic migrations, labels, comments) travels with the wheel too
    assert out["loaded"] == 1 and out["v_tasks"] == len(out["record"]["tasks"]) > 0
    record = out["record"]
    jsonschema.validate(record, json.loads((ROOT / "schema" / "document.schema.json").read_text("utf-8")))
    expected = json.loads((ROOT / "samples" / "001-son-la.ocr.expected.json").read_text("utf-8"))
    assert record["number"] == expected["number"] == "169/KH-UBND"
    assert len(record["tasks"]) >= 0.9 * len(expected["tasks"]) and record["targets"]


def test_installed_command_runs(installed, tmp_path):
    _, python, _ = installed
    script = python.parent / "kehoach"
    done = subprocess.run([str(script), "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "kehoach 0.1.0"
    done = subprocess.run([str(python), "-m", "kehoach", "schema"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["title"]
