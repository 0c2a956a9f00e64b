"""A worker process that dies (a crash in a native library, out of memory) costs only the
input that killed it: the batch goes on and the other records are written."""
from __future__ import annotations

import os

from kehoach.pipeline import runner as pipeline_runner
from kehoach.ingest.document import plan_document as real_plan_document
from pdf_factory import BODY, make_pdf
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.core.settings import Settings
from kehoach.schema import ErrorRecord


def crashing_plan_document(path, settings, sha256=None):
    if "crash" in path.name:
        os._exit(3)  # what a segfault in a native library looks like to the pool
    return real_plan_document(path, settings, sha256=sha256)


def test_dead_worker_fails_only_its_input(tmp_path, monkeypatch):
    # worker processes are forked after the patch, so they see it too (the batch's workers
    # and the runner both plan through pipeline.runner.plan_file)
    monkeypatch.setattr(pipeline_runner, "plan_document", crashing_plan_document)
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        make_pdf(src / f"plan{i}.pdf", [BODY])
    make_pdf(src / "crash.pdf", [BODY])
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, Settings(jobs=2, restore=False, extract=False))
    assert [p.name for p in report.failed] == ["crash.pdf"]
    assert sorted(p.name for p in out.glob("plan*.json")) == [f"plan{i}.json" for i in range(4)]
    err = ErrorRecord.model_validate_json((out / "crash.error.json").read_text("utf-8"))
    assert err.error.code == "worker-crashed"


def test_undecodable_file_name_gets_a_record(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    bad = os.fsdecode(b"k\xe9 ho\xb9ch.txt")
    (src / bad).write_text("Kế hoạch số 5\n", encoding="utf-8")
    (src / "ok.txt").write_text("Kế hoạch số 6\n", encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, Settings(jobs=1, restore=False, extract=False))
    assert not report.failed and len(report.written) == 2
    rec = [p for p in out.glob("*.json") if p.name != "ok.json"][0]
    text = rec.read_text("utf-8")
    assert "not valid UTF-8" in text and "\ufffd" in text
