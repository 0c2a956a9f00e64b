"""Build the bundled restoration model from the repo's corpus/ and normalize/data/restore_sources (`make model`).

usage: python scripts/train_restore.py [--out normalize/data/restore_model.json.gz] [--exclude DOC ...]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from kehoach.normalize.restore.model import BUNDLED_MODEL, Restorer
from kehoach.normalize.restore.train import build_model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=BUNDLED_MODEL)
    ap.add_argument("--exclude", nargs="*", default=[])
    a = ap.parse_args()
    t0 = time.perf_counter()
    model = build_model(set(a.exclude))
    Restorer.save(model, a.out)
    print(f"{a.out}: {a.out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
