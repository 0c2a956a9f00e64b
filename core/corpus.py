"""Where the hand-checked corpus lives: raw old-OCR text, gold text and gold records.

A copy ships in the repository (``corpus/``, from the project's shared corpus) so tests,
benchmarks and ``make model`` work on any fresh clone; ``KEHOACH_CORPUS`` points elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("KEHOACH_CORPUS") or ROOT / "corpus")
RAW = CORPUS / "raw"
GOLD = CORPUS / "gold"
DOCUMENTS = ("000-cho-don", "001-son-la", "003-xa", "004-tan-ky")
