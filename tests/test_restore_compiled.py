"""The restoration model's compiled language model (normalize.restore.compiled): made on the
first load, read back as memory maps, the same model and the same restorations; a damaged
or unwritable cache is done without."""
from __future__ import annotations

import numpy as np
import pytest

from kehoach.core.corpus import RAW
from kehoach.normalize.restore import Restorer
from kehoach.normalize.restore import compiled
from kehoach.normalize.restore.model import BUNDLED_MODEL, _load_cached

PATH = str(BUNDLED_MODEL)


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
