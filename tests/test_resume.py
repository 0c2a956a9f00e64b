"""Killing a running batch at any moment and re-running yields every record exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kehoach.schema import Document
from test_bad_inputs import PAGE_TEXT, text_image

ROOT = Path(__file__).resolve().parent.parent


def _ingest(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kehoach", "ingest", str(src), "--out", str(out),
         "--jobs", "2", "--no-restore", "--quiet"],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.ocr
def test_kill_and_resume(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    n = 8
    for i in range(n):
        text_image(f"{PAGE_TEXT}\nTrang {i}", size=(900, 1200), font_size=30).save(
            src / f"page-{i}.png", dpi=(150, 150))
    proc = _ingest(src, out)
    deadline = time.time() + 240
    while time.time() < deadline and len(list(out.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole batch: main process and its workers
    proc.wait()
    done_before = {p.name for p in out.glob("page-*.json")}
    assert 2 <= len(done_before) < n, "the kill must land in the middle of the batch"
    for name in done_before:  # whatever exists after a kill is a whole, valid record
        Document.model_validate_json((out / name).read_text("utf-8"))

    second = _ingest(src, out)
    _, err = second.communicate(timeout=600)
    assert second.returncode == 0, err.decode()
    records = sorted(p.name for p in out.glob("*.json"))
    assert records == sorted(f"page-{i}.json" for i in range(n))
    assert not list(out.glob(".*")), "no temp files may be left behind"
    mtimes = {p.name: p.stat().st_mtime for p in out.glob("*.json")}
    for i in range(n):
        doc = Document.model_validate_json((out / f"page-{i}.json").read_text("utf-8"))
        assert f"Trang {i}" in doc.pages[0].raw_text
    # a third run finds everything up to date and rewrites nothing
    third = _ingest(src, out)
    third.communicate(timeout=120)
    assert {p.name: p.stat().st_mtime for p in out.glob("*.json")} == mtimes
