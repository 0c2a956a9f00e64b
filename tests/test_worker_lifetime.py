"""Worker processes end with the batch: after ``kill -9`` of ``kehoach ingest`` no worker
is left computing (and holding memory) as an orphan."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, limit_s: float) -> bool:
    """Poll until predicate() holds or limit_s passes; return whether it held."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_no_worker_outlives_a_killed_batch(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):  # restoration of a 1 MB token keeps workers busy
        (src / name).write_text("a" * 1_000_000, encoding="utf-8")
    batch = subprocess.Popen(
        [sys.executable, "-m", "kehoach", "ingest", str(src), "--out", str(tmp_path / "out"),
         "--jobs", "2", "--quiet", "--file-timeout", "0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(_children(batch.pid)) >= 2, 120), "no workers started"
        workers = _children(batch.pid)
        time.sleep(1)  # let them get into the work
        os.kill(batch.pid, signal.SIGKILL)
        batch.wait()
        left = lambda: [w for w in workers if _alive(w)]  # noqa: E731
        assert _wait_for(lambda: not left(), 30), f"orphaned workers still running: {left()}"
    finally:
        batch.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
