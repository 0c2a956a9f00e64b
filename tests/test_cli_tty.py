"""The command in a real terminal (tmux): progress in pages during one multi-page scan, and
what Ctrl-C says. tmux comes with `make test` (scripts/install-system-deps.sh --test)."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCAN = ROOT / "samples" / "001-son-la.scan.pdf"  # 12 scanned pages
PROGRESS = re.compile(r"pages\b.*?(\d+)/(\d+)\s+inputs 0/1\s+001-son-la\.scan\.pdf page (\d+)/12")


class Tmux:
    """One tmux server of our own (its own socket), one window running a command."""

    def __init__(self, command: str, cwd: Path):
        if not shutil.which("tmux"):
            pytest.fail("tmux is not installed: run scripts/install-system-deps.sh --test")
        self.socket = f"kehoach-test-{os.getpid()}"
        self.base = ["tmux", "-L", self.socket]
        subprocess.run([*self.base, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", "12",
                        "-c", str(cwd), command], check=True)

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-J", "-t", "t"], capture_output=True,
                              text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True)

    def wait_for(self, pattern: str, seconds: float) -> str:
        """The screen once it shows ``pattern`` (fails after ``seconds``: a hang, not a speed check)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.3)
        pytest.fail(f"the terminal never showed {pattern!r}; it shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


@pytest.mark.ocr
def test_progress_advances_in_pages_and_ctrl_c_says_how_to_resume(tmp_path):
    out = tmp_path / "out"
    command = (f"OMP_THREAD_LIMIT=1 {shlex.quote(sys.executable)} -m kehoach ingest {shlex.quote(str(SCAN))} "
               f"--out {shlex.quote(str(out))} --jobs 1; echo EXIT=$?; sleep 600")
    tty = Tmux(command, ROOT)
    try:
        seen: list[tuple[int, int]] = []  # (pages read, page being read), in the order shown
        end = time.monotonic() + 600
        while time.monotonic() < end and len({r for r, _ in seen if r >= 1}) < 2:
            m = PROGRESS.search(tty.screen())
            if m and (not seen or seen[-1] != (int(m[1]), int(m[3]))):
                seen.append((int(m[1]), int(m[3])))
                assert int(m[2]) == 12  # the total is the scan's pages once it is opened
            time.sleep(0.3)
        read = [r for r, _ in seen]
        assert read == sorted(read) and len(set(read)) >= 3, seen  # 0, 1, 2...: moved during the one scan
        assert all(page == r + 1 for r, page in seen), seen  # the page being read is the next one
        tty.keys("C-c")
        text = tty.wait_for(r"EXIT=\d+", 120)
        assert re.search(r"kehoach: interrupted: 0 records and 0 error records written to \S+out, 0 were "
                         r"up to date, 1 of 1 inputs not finished; run the same command again to resume", text), text
        assert "EXIT=130" in text
        assert not list(out.glob("*.json"))
    finally:
        tty.close()
