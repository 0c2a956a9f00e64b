"""The restoration model's language model in compiled form, kept in the cache folder.

Parsing the model's n-gram tables (JSON keys 'a b c' -> ids) and hashing them into the
decoder's tables is most of the time it takes to load the model, and every run paid it.
The first load keeps the result in the cache folder (core.cache), keyed by the model
file's content and by the code that builds and reads the tables: the rest of the model as
a small JSON file, the language model's arrays as .npy files. Later loads memory-map the
arrays (read-only; processes share the pages) and parse only the small file. A cache that
is missing, unreadable or not the model's is made again; one that cannot be written is
done without.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ...core.cache import cache_dir
from ...core.settings import file_digest
from .lm import LanguageModel

FORMAT = 1
KEEP = 4  # compiled models kept (of the model versions and code versions last used)
# the code that makes and reads the compiled tables: any change to it makes new ones
CODE = tuple(Path(__file__).resolve().parent / name for name in ("compiled.py", "lm.py", "decode.py"))
REST = "model.json"  # the model without its language model's tables


def model_to_key(path: str) -> str:
    """Given a model file, return the key of its compiled form: a hash of the file's
    content, of the code that compiles it and of the format."""
    h = hashlib.sha1(f"{FORMAT} {file_digest(path)}".encode())
    for code in CODE:
        h.update(code.read_bytes())
    return h.hexdigest()[:20]


def load_model(path: str) -> tuple[dict, LanguageModel]:
    """Given a model file (gzipped JSON), return (the model without its language model's
    tables, the language model), from the compiled form in the cache when there is one,
    else from the file (and the compiled form is written for the next time)."""
    root = cache_dir()
    folder = root / "restore" / model_to_key(path) if root else None
    if folder is not None and folder.is_dir():
        try:
            found = _read(folder)
        except (OSError, ValueError, KeyError, TypeError):
            shutil.rmtree(folder, ignore_errors=True)  # damaged or half gone: made again below
        else:
            try:
                os.utime(folder)  # used now: _prune keeps the models last used
            except OSError:
                pass  # a read-only cache
            return found
    with gzip.open(path, "rt", encoding="utf-8") as f:
        model = json.load(f)
    lm = LanguageModel(model.pop("lm"))
    if folder is not None:
        _write(folder, model, lm)
    return model, lm


def _read(folder: Path) -> tuple[dict, LanguageModel]:
    with open(folder / REST, encoding="utf-8") as f:
        model = json.load(f)
    meta = model.pop("compiled_lm")
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
              for name in meta["arrays"]}
    return model, LanguageModel.from_arrays(meta, arrays)


def _write(folder: Path, model: dict, lm: LanguageModel) -> None:
    """Write the compiled form into ``folder``, whole or not at all (written beside it,
    then renamed: a reader never sees half of it, and of two processes writing it at once
    one wins). Nothing is raised: without a cache the model still loads."""
    meta, arrays = lm.to_arrays()
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        with open(tmp / REST, "w", encoding="utf-8") as f:
            json.dump({**model, "compiled_lm": {**meta, "arrays": sorted(arrays)}}, f,
                      ensure_ascii=False, separators=(",", ":"))
        os.rename(tmp, folder)
        tmp = None
        _prune(folder.parent)
    except OSError:
        pass  # read-only cache, full disk, or another process renamed its copy first
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(parent: Path) -> None:
    """Remove all but the ``KEEP`` newest compiled models (another process that has one of
    them mapped keeps reading it: the files go when it lets them go)."""
    folders = sorted((p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
