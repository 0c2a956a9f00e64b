"""Render correct Vietnamese text to degraded images and OCR them, to make synthetic pairs.

usage: python scripts/synth_ocr_pairs.py GOLD.txt [GOLD.txt ...] --lang vie --out DIR [--seed 0]

Given correct texts, write DIR/<stem>.<lang>.txt (with --seed N > 0: <stem>.<lang>.sN.txt,
another rendering and degradation): what tesseract reads from a degraded
rendering of each text, line blocks in the original order. Paired with the gold text (aligned
by difflib at training time) these are noisy-channel training data: `-l eng` reproduces the
diacritic-less noise of old OCR archives, `-l vie` the tone errors of degraded scans. The
outputs are committed under normalize/data/restore_sources/synth/ so `make model` is fast.
"""
from __future__ import annotations

import argparse
import os
import random
import unicodedata
from pathlib import Path

import pytesseract
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ["DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSerifCondensed.ttf"]
BLOCK_LINES = 25


def lines_to_image(lines: list[str], rng: random.Random) -> Image.Image:
    """Given text lines, return a grey, slightly blurred and noisy rendering of them."""
    font = ImageFont.truetype(str(FONT_DIR / rng.choice(FONTS)), rng.choice([15, 16, 17, 18]))
    width = max(40 + int(font.getlength(line)) for line in lines) + 40
    height = 30 + len(lines) * int(font.size * 1.6)
    img = Image.new("L", (max(width, 200), height), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((20, 15 + i * int(font.size * 1.6)), line, font=font, fill=rng.randint(0, 60))
    scale = rng.uniform(0.75, 0.95)  # lose resolution, then blur: the scan degradation
    small = img.resize((int(img.width * scale), int(img.height * scale)), Image.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    px = small.load()
    for _ in range(small.width * small.height // 400):  # salt-and-pepper specks
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        px[x, y] = rng.choice([0, 255])
    return small


def text_to_ocr_text(text: str, lang: str, rng: random.Random) -> str:
    """Given a correct text, return what tesseract `lang` reads from degraded renderings."""
    lines = [l for l in unicodedata.normalize("NFC", text).splitlines() if l.strip()]
    out: list[str] = []
    for start in range(0, len(lines), BLOCK_LINES):
        img = lines_to_image(lines[start:start + BLOCK_LINES], rng)
        out.append(pytesseract.image_to_string(img, lang=lang, config="--psm 6").strip())
    return unicodedata.normalize("NFC", "\n".join(out)) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("texts", nargs="+", type=Path)
    ap.add_argument("--lang", default="vie")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    a.out.mkdir(parents=True, exist_ok=True)
    for path in a.texts:
        rng = random.Random(f"{a.seed}-{path.stem}-{a.lang}")
        target = a.out / (f"{path.stem}.{a.lang}.txt" if a.seed == 0 else f"{path.stem}.{a.lang}.s{a.seed}.txt")
        target.write_text(text_to_ocr_text(path.read_text(encoding="utf-8"), a.lang, rng), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main()
