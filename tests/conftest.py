"""Shared fixtures: the hand-checked gold records and a pipeline-like output folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kehoach.outputs.gold import gold_dir_to_documents
from kehoach.core.corpus import GOLD
from kehoach.pipeline.records import write_record
from kehoach.schema import Document


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _clone_parent_off_sys_path() -> None:
    """The repository root is the package (it has ``__init__.py``), so pytest imports it as
    a package and puts the folder holding the clone first on ``sys.path``: a sibling folder
    named like an imported module (``docx``, ``yaml``) would then shadow it. Take it off."""
    while str(ROOT.parent) in sys.path:
        sys.path.remove(str(ROOT.parent))


@pytest.fixture(autouse=True, scope="session")
def _cache_off_home(tmp_path_factory) -> Iterator[Path]:
    """The tests keep kehoach's cache (core.cache: the compiled restoration model) in a folder
    of their own, made empty for each session, never in the user's ~/.cache: a session
    starts as a fresh machine does (the first load compiles the model) and leaves nothing
    behind. Set in the environment, so the commands the tests run inherit it."""
    folder = tmp_path_factory.mktemp("kehoach-cache")
    saved = os.environ.get("KEHOACH_CACHE_DIR")
    os.environ["KEHOACH_CACHE_DIR"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("KEHOACH_CACHE_DIR", None)
    else:
        os.environ["KEHOACH_CACHE_DIR"] = saved


@pytest.fixture(scope="module")
def gold() -> dict[str, Document]:
    """Gold records of the corpus (RECORDS-FORMAT.md) as schema Documents, by file stem."""
    return gold_dir_to_documents(GOLD)


def _write_out_dir(out_dir: Path, docs: dict[str, Document]) -> Path:
    """Given Documents by stem, write them as a pipeline run does (``<stem>.json``); return out_dir."""
    for stem, doc in docs.items():
        write_record(out_dir, stem, doc)
    return out_dir


@pytest.fixture
def write_out_dir() -> Callable[[Path, dict[str, Document]], Path]:
    """The writer of a pipeline-like output folder, for tests that read one back."""
    return _write_out_dir


@pytest.fixture
def tmpfs() -> Iterator[Callable[[Path, str], Path]]:
    """Mount a small tmpfs (mount options such as ``"ro,size=1m"``) on a new folder; skip the
    test where this machine cannot mount one; unmount everything at the end of the test."""
    mounted: list[Path] = []

    def mount(folder: Path, options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "none", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs ({options}) here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], capture_output=True)
