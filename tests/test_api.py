"""The Python API: one `kehoach` namespace with read, read_many, restore and load."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kehoach
from kehoach.core.errors import KehoachError

ROOT = Path(__file__).resolve().parents[1]
TEXT_PLAN = ROOT / "samples" / "001-son-la.ocr.txt"


def test_read_gives_the_plan_record():
    doc = kehoach.read(TEXT_PLAN)
    assert isinstance(doc, kehoach.Document)
    expected = kehoach.Document.model_validate_json(
        (ROOT / "samples" / "001-son-la.ocr.expected.json").read_text("utf-8"))
    assert doc.metadata.number == expected.metadata.number == "169/KH-UBND"
    assert doc.tasks and doc.targets and doc.metadata.issued_date == expected.metadata.issued_date


def test_read_takes_settings_fields_as_options():
    raw = kehoach.read(TEXT_PLAN, restore=False, extract=False)
    assert raw.tasks == [] and raw.metadata.number is None
    assert raw.pages and raw.pages[0].text


def test_read_many_keeps_going_past_a_bad_file(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not a PDF body")
    got = dict(kehoach.read_many([bad, TEXT_PLAN], jobs=2))
    assert isinstance(got[bad], KehoachError) and str(got[bad])
    assert isinstance(got[TEXT_PLAN], kehoach.Document)


def test_restore_puts_diacritics_back():
    assert kehoach.restore("Ke hoach trien khai thuc hien") == "Kế hoạch triển khai thực hiện"


def test_read_record_and_load_into_a_database(tmp_path):
    import sqlite3

    doc = kehoach.read(TEXT_PLAN)
    path = tmp_path / "plan.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    assert kehoach.read_record(path) == doc
    db = tmp_path / "plans.db"
    report = kehoach.load([tmp_path], f"sqlite:///{db}")
    assert report.loaded == [str(path)] and not report.failed
    with sqlite3.connect(db) as conn:
        number, = conn.execute("SELECT number FROM documents").fetchone()
        tasks, = conn.execute("SELECT count(*) FROM tasks").fetchone()
    assert number == "169/KH-UBND" and tasks == len(doc.tasks)


def test_import_adds_no_top_level_stage_modules(tmp_path):
    """Installed, the project is one namespace: `schema`, `extract`... never shadow a user's
    own modules (run from another folder so the source tree is not on the path)."""
    code = ("import sys, kehoach; kehoach.read; import kehoach.extract, kehoach.pipeline.batch;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'schema','ingest','normalize','extract','pipeline','outputs','bench','cli','core'}));"
            "print(kehoach.__version__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == kehoach.__version__ != ""


def test_python_m_kehoach_is_the_command():
    out = subprocess.run([sys.executable, "-m", "kehoach", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "ingest" in out.stdout
