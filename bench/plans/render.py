"""Render a drawn plan three ways: born-digital PDF (fpdf2), degraded scan (samples/degrade.py,
as samples/ does) and old OCR text (tesseract ``-l eng`` on the scan: no Vietnamese model, so
the diacritics are lost or mangled and tables come out flattened, as in corpus/raw/).

    plan_to_pdf_bytes(plan) -> bytes
    pdf_to_scan_bytes(pdf, seed) -> bytes          (image-only PDF, 1-bit pages)
    scan_images_to_old_ocr_text(images) -> str     (tesseract eng, OMP_THREAD_LIMIT=1)

Pages are set up as samples/ sets them (samples/build_samples.py: fonts, margins, fixed date).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from .draw import DrawnAppendix, DrawnPlan

ROOT = Path(__file__).resolve().parents[2]
SCAN_DPI = 200


def _new_pdf():
    """Return an A4 fpdf2 document set up as the samples are (serif fonts, fixed date)."""
    pdf = _samples_builders().new_pdf()
    pdf.set_producer("kehoach bench/plans")
    return pdf


def _render_header(pdf, plan: DrawnPlan) -> None:
    y0 = pdf.get_y()
    left_w = 72.0
    right_w = pdf.epw - left_w
    for i, line in enumerate(plan.header_left):
        pdf.set_xy(pdf.l_margin - 10, y0 + i * 5.5)
        pdf.set_font("Serif", "" if i == 0 and len(plan.header_left) > 1 else "B", 12)
        pdf.cell(left_w, 5.5, line, align="C")
    for i, line in enumerate(plan.header_right):
        pdf.set_xy(pdf.l_margin + left_w - 10, y0 + i * 5.5)
        pdf.set_font("Serif", "B", 12 if i == 0 else 13)
        pdf.cell(right_w, 5.5, line, align="C")
    y = y0 + max(len(plan.header_left), len(plan.header_right)) * 5.5 + 4
    pdf.set_font("Serif", "", 13)
    pdf.set_xy(pdf.l_margin - 10, y)
    pdf.cell(left_w, 6, plan.number_line, align="C")
    pdf.set_font("Serif", "I", 13)
    pdf.set_xy(pdf.l_margin + left_w - 10, y)
    pdf.cell(right_w, 6, plan.dateline, align="C")
    pdf.set_xy(pdf.l_margin, y + 14)
    pdf.set_font("Serif", "B", 14)
    pdf.cell(pdf.epw, 7, plan.doc_type, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(pdf.epw, 6.5, plan.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _render_body(pdf, plan: DrawnPlan) -> None:
    for text in plan.paragraphs:
        heading = text.split(".")[0] in ("I", "II", "III", "IV", "V") and text.isupper()
        pdf.set_font("Serif", "B" if heading else "", 13)
        pdf.multi_cell(pdf.epw, 6.5, text if heading else "      " + text, align="J",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def _render_appendix_title(pdf, app: DrawnAppendix) -> None:
    pdf.add_page(orientation=app.spec.orientation)
    pdf.set_font("Serif", "B", 13)
    for line in app.heading:
        pdf.multi_cell(pdf.epw, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "I", 12)
    pdf.multi_cell(pdf.epw, 6, app.subheading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _render_table(pdf, app: DrawnAppendix) -> None:
    from fpdf.fonts import FontFace

    spec = app.spec
    n_years = len(app.headers) - (len(spec.columns) - 1)
    widths: list[float] = []
    for c in spec.columns:
        widths += [c.width] * (n_years if c.role == "value_year" else 1)
    centred = {i for i, c in enumerate(_column_roles(app)) if c in ("ordinal", "deadline", "value", "value_year",
                                                                  "measure", "goal", "resources", "start")}
    n = len(app.headers)
    pdf.set_font("Serif", "", 11 if spec.orientation == "L" else 10.5)
    with pdf.table(width=pdf.epw, col_widths=tuple(widths), line_height=5.2, text_align="LEFT",
                   v_align="M", repeat_headings=1, headings_style=FontFace(emphasis="BOLD"),
                   padding=1.2) as table:
        head = table.row()
        for h in app.headers:
            head.cell(h, align="C")
        for row in app.rows:
            if row.kind == "colnums":
                r = table.row(style=FontFace(emphasis="ITALICS"))
                for c in row.cells:
                    r.cell(c, align="C")
            elif row.kind == "group":
                r = table.row(style=FontFace(emphasis="BOLD"))
                if row.label:
                    r.cell(row.label, align="C")
                    r.cell(row.text, colspan=n - 1)
                else:
                    r.cell(row.text, colspan=n)
            elif row.kind == "total":
                r = table.row(style=FontFace(emphasis="BOLD"))
                r.cell(row.text, colspan=n)
            else:
                r = table.row()
                for i, c in enumerate(row.cells):
                    r.cell(c, align="C" if i in centred else "L")
    if app.note_after:
        pdf.ln(3)
        pdf.set_font("Serif", "I", 12)
        pdf.multi_cell(pdf.epw, 6, app.note_after, new_x="LMARGIN", new_y="NEXT")


def _column_roles(app: DrawnAppendix) -> list[str]:
    """Given a drawn appendix, return the role of each printed column (year columns expanded)."""
    out: list[str] = []
    n_years = len(app.headers) - (len(app.spec.columns) - 1)
    for c in app.spec.columns:
        out += [c.role] * (n_years if c.role == "value_year" else 1)
    return out


def _render_list(pdf, app: DrawnAppendix) -> None:
    for kind, lines in app.list_blocks:
        if kind == "group":
            pdf.set_font("Serif", "B", 13)
            pdf.multi_cell(pdf.epw, 6.5, lines[0], align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            continue
        pdf.set_font("Serif", "", 13)
        for line in lines:
            pdf.multi_cell(pdf.epw, 6.5, line, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def plan_to_pdf_bytes(plan: DrawnPlan) -> bytes:
    """Given a drawn plan, return its born-digital PDF bytes (same plan, same bytes)."""
    pdf = _new_pdf()
    pdf.add_page()
    _render_header(pdf, plan)
    _render_body(pdf, plan)
    _samples_builders().render_closing(pdf, plan)  # recipients left, signer block right
    for app in plan.appendices:
        _render_appendix_title(pdf, app)
        if app.spec.layout == "list":
            _render_list(pdf, app)
        else:
            _render_table(pdf, app)
    return bytes(pdf.output())


def _samples_builders():
    """Return samples/build_samples.py (a source-tree tool, not an installed package)."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from samples import build_samples

    return build_samples


def pdf_to_scan_images(pdf_bytes: bytes, seed: int) -> list:
    """Given born-digital PDF bytes, return degraded 1-bit page images (samples/degrade.py)."""
    scan_pages = _samples_builders().scan_pages

    return scan_pages(pdf_bytes, None, seed=seed)


def images_to_pdf_bytes(images) -> bytes:
    """Given page images, return an image-only PDF (as samples/ writes its scans)."""
    return _samples_builders().images_to_pdf_bytes(images)


def pdf_to_scan_bytes(pdf_bytes: bytes, seed: int) -> bytes:
    """Given born-digital PDF bytes, return an image-only scan PDF (1-bit pages, 200 dpi)."""
    return _samples_builders().images_to_pdf_bytes(pdf_to_scan_images(pdf_bytes, seed))


def scan_images_to_old_ocr_text(images) -> str:
    """Given scan page images, return the text tesseract's English model reads from them
    (pages separated by form feeds): the diacritic-less old OCR of corpus/raw/."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, img in enumerate(images):
            path = Path(tmp) / f"p{i}.png"
            img.save(path, dpi=(SCAN_DPI, SCAN_DPI))
            res = subprocess.run(["tesseract", str(path), "-", "-l", "eng", "--dpi", str(SCAN_DPI)],
                                 capture_output=True, env=env, check=True)
            out.append(res.stdout.decode("utf-8", "replace").rstrip("\f").rstrip() + "\n")
    return "\f".join(out)
