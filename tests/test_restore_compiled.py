"""The restoration model's compiled language model (normalize.restore.compiled): made on the
first load, read back as memory maps, the same model and the same restorations; a damaged
or unwritable cache is done without."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kehoach.core.corpus import RAW
from kehoach.normalize.restore import Restorer
from kehoach.normalize.restore import compiled
from kehoach.normalize.restore.model import BUNDLED_MODEL, _load_cached

PATH = str(BUNDLED_MODEL)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHOACH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "restore" / compiled.model_to_key(PATH)


def _old_ocr_text() -> str:
    """The first 60 lines of a real old-OCR text (diacritics lost, letters misread)."""
    return "\n".join(sorted(RAW.glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()[:60])


def test_the_compiled_model_is_the_model_read_from_json(cache) -> None:
    built_rest, built = compiled.load_model(PATH)  # from the JSON file: writes the cache
    assert (cache / "bigrams.keys.npy").is_file() and (cache / compiled.REST).is_file()
    rest, lm = compiled.load_model(PATH)           # from the cache
    assert isinstance(lm.bigrams.keys, np.memmap) and not lm.bigrams.keys.flags.writeable
    assert rest == built_rest and "lm" not in rest
    assert lm.p1 == built.p1 and lm.ids == built.ids
    for name in lm.NUMBERS:
        assert getattr(lm, name) == getattr(built, name)
    for name in lm.TABLES:
        mine, theirs = getattr(lm, name), getattr(built, name)
        keys = theirs.keys[theirs.keys >= 0]
        queries = np.concatenate([keys, keys + 1, keys * 3 + 7])
        found, values = mine.lookup(queries)
        found0, values0 = theirs.lookup(queries)
        assert found[:len(keys)].all()
        assert np.array_equal(found, found0) and np.array_equal(values, values0)
    text = _old_ocr_text()
    assert Restorer(rest, lm).restore_text(text) == Restorer(built_rest, built).restore_text(text)


def test_a_damaged_compiled_model_is_made_again(cache) -> None:
    rest0, lm0 = compiled.load_model(PATH)
    (cache / "trigrams.keys.npy").write_bytes(b"\x93NUMPY half a file")
    rest, lm = compiled.load_model(PATH)
    assert not isinstance(lm.trigrams.keys, np.memmap)  # built from the JSON file again
    again = compiled.load_model(PATH)[1]                # and the cache written anew
    assert isinstance(again.trigrams.keys, np.memmap)
    text = _old_ocr_text()
    assert Restorer(rest, again).restore_text(text) == Restorer(rest0, lm0).restore_text(text)


def test_no_cache_when_turned_off_or_unwritable(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KEHOACH_CACHE_DIR", "")
    rest, lm = compiled.load_model(PATH)
    assert not isinstance(lm.bigrams.keys, np.memmap) and len(lm.p1) > 10_000
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("KEHOACH_CACHE_DIR", str(blocked))
    rest, lm = compiled.load_model(PATH)
    assert not isinstance(lm.bigrams.keys, np.memmap) and blocked.read_text() == "not a folder"


def test_a_restorer_from_the_cache_pickles_as_its_path(cache) -> None:
    import pickle

    _load_cached.cache_clear()
    try:
        restorer = Restorer.load()
        assert pickle.loads(pickle.dumps(restorer)) is restorer
    finally:
        _load_cached.cache_clear()


def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch) -> None:
    from kehoach.core.cache import cache_dir

    monkeypatch.setenv("KEHOACH_CACHE_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "own"
    monkeypatch.setenv("KEHOACH_CACHE_DIR", "")
    assert cache_dir() is None
    monkeypatch.delenv("KEHOACH_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "kehoach"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "kehoach"


def test_the_tests_never_write_the_users_cache(_cache_off_home) -> None:
    """conftest points every test (and every command a test runs) at a cache of its own."""
    from kehoach.core.cache import cache_dir

    assert cache_dir() == _cache_off_home
    assert Path.home() not in _cache_off_home.parents


def _restore_in_a_process(env: dict, text: str) -> subprocess.Popen:
    code = ("import sys; from kehoach.normalize.restore.compiled import load_model; "
            "from kehoach.normalize.restore import Restorer; "
            f"rest, lm = load_model({PATH!r}); "
            "sys.stdout.write(Restorer(rest, lm).restore_text(sys.stdin.read()).text)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT.parent)
    proc.stdin.write(text)
    proc.stdin.close()
    return proc


def test_processes_compiling_the_model_at_once_share_one_copy(tmp_path) -> None:
    """Three processes started together on an empty cache (a fresh machine, a batch's
    workers): each restores the text as the model read from its file does, and the cache
    holds one whole compiled model, no half-written folder."""
    text = _old_ocr_text()
    env = {**os.environ, "KEHOACH_CACHE_DIR": str(tmp_path / "cache")}
    procs = [_restore_in_a_process(env, text) for _ in range(3)]
    outputs = []
    for proc in procs:
        out = proc.stdout.read()
        assert proc.wait() == 0, proc.stderr.read()
        outputs.append(out)
    env_off = {**os.environ, "KEHOACH_CACHE_DIR": ""}
    uncached = _restore_in_a_process(env_off, text)
    expected = uncached.stdout.read()
    assert uncached.wait() == 0, uncached.stderr.read()
    assert expected.strip() and outputs == [expected] * 3
    assert [p.name for p in (tmp_path / "cache" / "restore").iterdir()] == [compiled.model_to_key(PATH)]


def test_a_read_only_home_runs_without_a_cache(tmp_path, monkeypatch, tmpfs) -> None:
    home = tmpfs(tmp_path / "home", "ro,size=1m")
    monkeypatch.delenv("KEHOACH_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    rest, lm = compiled.load_model(PATH)
    assert not isinstance(lm.bigrams.keys, np.memmap) and len(lm.p1) > 10_000
    assert list(home.iterdir()) == []
    text = _old_ocr_text()
    done = subprocess.run([sys.executable, "-m", "kehoach", "restore", "-"], input=text,
                          capture_output=True, text=True, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == Restorer(rest, lm).restore_text(text).text.strip()


def test_a_model_changed_in_place_is_compiled_again(tmp_path, cache) -> None:
    """A model retrained into the same file (train-lm --out the same path) is read anew,
    never from the compiled copy of the model it replaced."""
    with gzip.open(PATH, "rt", encoding="utf-8") as f:
        model = json.load(f)
    word = next(iter(model["lm"]["p1"]))
    path = tmp_path / "model.json.gz"
    for logp in (-3.25, -7.75):
        model["lm"]["p1"][word] = logp
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
            json.dump(model, f, ensure_ascii=False)
        compiled.load_model(str(path))                # compiles this version
        rest, lm = compiled.load_model(str(path))     # and reads it back
        assert isinstance(lm.bigrams.keys, np.memmap) and lm.p1[word] == logp
    assert len(list((tmp_path / "cache" / "restore").iterdir())) == 2


def test_a_compiled_model_read_counts_as_used(cache) -> None:
    """The cache keeps the compiled models last used (KEEP), not the last made: reading one
    marks its folder as used now."""
    compiled.load_model(PATH)
    os.utime(cache, (1, 1))                     # made long ago
    assert isinstance(compiled.load_model(PATH)[1].bigrams.keys, np.memmap)
    assert cache.stat().st_mtime > 1
