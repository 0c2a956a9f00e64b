"""Make the old OCR of the unseen plans (tests/fixtures/unseen): restoration's held-out test.

usage: python scripts/unseen_old_ocr.py [--out tests/fixtures/unseen/old-ocr] [--seed 7]

Each unseen plan's text (the table plan's as text, cells joined by " | ") is printed as a
born-digital PDF (samples' fonts and page), degraded to a 1-bit 200 dpi scan as samples/ and
bench/plans do, and read by tesseract `-l eng` (no Vietnamese model): the diacritic-less old
OCR of corpus/raw/. Writes <plan>.txt there. The outputs are committed (their bytes depend
on the fonts and tesseract of the machine that made them); restoration never trains on them.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
for p in (ROOT, UNSEEN):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from kehoach.bench.plans.render import scan_images_to_old_ocr_text  # noqa: E402
from samples.build_samples import new_pdf, scan_pages  # noqa: E402

TEXT_PLANS = ("party-list", "commune-prose", "commune-next-year", "commune-by-unit", "commune-lists",
              "ward-milestones")


def unseen_texts() -> dict[str, str]:
    """Return {plan: correct text} of the unseen plans (the table plan's as text)."""
    import yaml
    from build_table_plan import layout_to_text

    out = {p: (UNSEEN / f"{p}.txt").read_text(encoding="utf-8") for p in TEXT_PLANS}
    layout = yaml.safe_load((UNSEEN / "dept-table.yaml").read_text(encoding="utf-8"))
    out["dept-table"] = layout_to_text(layout)
    return {p: unicodedata.normalize("NFC", t) for p, t in out.items()}


def text_to_pdf_bytes(text: str) -> bytes:
    """Given a text, return it printed line by line (blank lines kept) as PDF bytes."""
    pdf = new_pdf()
    pdf.add_page()
    pdf.set_font("Serif", "", 13)
    for line in text.splitlines():
        if line.strip():
            pdf.multi_cell(pdf.epw, 6.5, " ".join(line.split()), align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3)
    return bytes(pdf.output())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=UNSEEN / "old-ocr")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for plan, text in unseen_texts().items():
        images = scan_pages(text_to_pdf_bytes(text), None, seed=a.seed)
        target = a.out / f"{plan}.txt"
        target.write_text(unicodedata.normalize("NFC", scan_images_to_old_ocr_text(images)), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main()
