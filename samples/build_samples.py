"""Build the sample inputs and their expected records from the corpus, deterministically.

    .venv/bin/python samples/build_samples.py                # everything into samples/
    .venv/bin/python samples/build_samples.py --out /tmp/s --only 001-son-la.pdf

Inputs: the repository's corpus/ (gold texts and records; override with $KEHOACH_CORPUS), the
layout table samples/plans.yaml, the fonts in samples/fonts (Liberation, DejaVu, shipped). Every random choice
uses a fixed seed and every PDF a fixed creation date, so a rebuild gives identical bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script: make `schema` and `samples` importable
    sys.path.insert(0, str(ROOT))

from samples import FONT_DIR  # noqa: E402
from samples.degrade import degrade_page  # noqa: E402
from kehoach.ingest.legacy import encode_cp1258  # noqa: E402
from kehoach.ingest.legacy import encode_tcvn3 as tcvn3_chars, encode_vni as vni_chars  # noqa: E402
from kehoach.core.corpus import CORPUS  # noqa: E402
from kehoach.schema import Document  # noqa: E402

FONTS = {
    "": FONT_DIR / "LiberationSerif-Regular.ttf",
    "B": FONT_DIR / "LiberationSerif-Bold.ttf",
    "I": FONT_DIR / "LiberationSerif-Italic.ttf",
    "BI": FONT_DIR / "LiberationSerif-BoldItalic.ttf",
}
LEGACY_FONT = FONT_DIR / "DejaVuSans.ttf"  # covers every Latin-1 glyph TCVN3 bytes map to
WORD_PLAN = "000-cho-don"  # the plan also built as a .docx: a target table and a task table
CREATED = dt.datetime(2025, 9, 30, 8, 0, 0, tzinfo=dt.timezone.utc)
SCAN_DPI = 200
SHORT_SCAN_PLAN = "001-son-la"

# --- the only regexes: how a reflowed line is recognised (one table, one place) -----------
PATTERNS = {
    # a line that starts a new paragraph: "I. ", "2. ", "2.1. ", "a) ", "- ", "+ "
    "list_start": re.compile(r"^\s*(?:[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|[-+•])\s"),
    # a numbered sub-heading "1. Mục tiêu chung", "1.1. Mục tiêu tổng quát"
    "numbered": re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.\s"),
    # a section heading "I. MỤC ĐÍCH, YÊU CẦU" (printed bold when all in capitals)
    "heading": re.compile(r"^\s*[IVX]+\.\s*\S"),
    # stray punctuation before a list dash (", - Thúc đẩy ...": OCR debris in the gold text)
    "leading_debris": re.compile(r"^[,.;'`]\s+(?=[-+]\s)"),
    # a line that is only a page number or a bare URL (footnote debris in the gold text)
    "debris": re.compile(r"^\s*(?:\d{1,3}|https?://\S+)\s*$"),
    # a paragraph ends where a sentence ends and the next line starts with a capital
    "sentence_end": re.compile(r"[.:;!?]\s*$"),
    "capital_start": re.compile(r"^\s*[A-ZÀ-Ỹ]"),
    "lower_start": re.compile(r"^\s*[a-zà-ỹ]"),
}
# byte patterns PDFium writes from the clock (pinned by pin_pdfium_stamps)
PDF_STAMPS = {
    "creation_date": re.compile(rb"/CreationDate\(D:\d{14}\+00'00'\)"),
    "file_id": re.compile(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]"),
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
THU = ["Thứ nhất", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Thứ tám",
       "Thứ chín", "Thứ mười"]


# --- the layout table ------------------------------------------------------------------------
class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineRange(_M):
    start: int = Field(alias="from")
    to: int


class Header(_M):
    left: list[str]
    right: list[str] = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    number: str
    dateline: str


class Column(_M):
    title: str
    field: str  # ordinal | text | deadline | deadline_and_notes | lead_units | cooperating_units | notes | year:YYYY
    width: float


class Appendix(_M):
    name: str
    items: Literal["targets", "tasks"]
    layout: Literal["table", "list"] = "table"
    orientation: Literal["P", "L"] = "L"
    heading: list[str]
    subheading: str = ""
    section_numerals: Literal["roman", "arabic", "thu", "none"] = "roman"
    columns: list[Column] = []
    list_labels: dict[str, str] = {}
    footer: str = ""
    unit_joiner: Optional[str] = None  # overrides the plan's joiner for this appendix


class Plan(_M):
    id: str
    text: str
    header: Header
    title: LineRange
    body: LineRange
    footnotes: list[LineRange] = []  # footnote lines inside the body range: left out of the prose
    blank_line_paragraphs: bool
    recipients: list[str]
    signature: list[str]
    unit_joiner: str
    printed_units: dict[str, str]
    appendices: list[Appendix]


def load_plans(path: Path = HERE / "plans.yaml") -> dict[str, Plan]:
    """Given the layout table, return the validated plans by id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {p["id"]: Plan.model_validate(p) for p in data["plans"]}


def load_records(plan_id: str) -> dict:
    """Given a plan id, return its gold records with our corrections applied (see README)."""
    records = json.loads((CORPUS / "gold" / f"{plan_id}.records.json").read_text(encoding="utf-8"))
    return apply_gold_fixes(records, GOLD_FIXES.get(plan_id, []))


# Corrections to the gold records: (item list, index, field, wrong value, right value). Each one
# is documented in samples/README.md; a fix whose wrong value is not found fails the build.
GOLD_FIXES: dict[str, list[tuple[str, int, str, object, object]]] = {}


def apply_gold_fixes(records: dict, fixes: list[tuple[str, int, str, object, object]]) -> dict:
    """Given gold records and fixes, return a copy with each fix applied (fails on a stale fix)."""
    out = json.loads(json.dumps(records))
    for kind, index, field, wrong, right in fixes:
        item = out[kind][index]
        if item.get(field) != wrong:
            raise ValueError(f"stale gold fix {kind}[{index}].{field}: {item.get(field)!r}")
        item[field] = right
    return out


# --- text: reflow old line-broken text into paragraphs ------------------------------------
def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def join_lines(a: str, b: str) -> str:
    """Given a paragraph so far and its next line, return them joined (no space after 'QĐ-')."""
    if not a:
        return b
    if a.endswith("-") and not a.endswith(" -"):
        return a + b
    return a + " " + b


def lines_to_paragraphs(lines: list[str], blank_line_paragraphs: bool) -> list[tuple[str, str]]:
    """Given text lines, return paragraphs as (style, text); style is 'heading' or 'body'."""
    paras: list[str] = []
    cur = ""
    blank_seen = False
    for raw in lines:
        line = PATTERNS["leading_debris"].sub("", " ".join(nfc(raw).split()))
        if not line:
            blank_seen = True
            continue
        if PATTERNS["debris"].match(line):
            continue
        new_para = bool(PATTERNS["list_start"].match(line))
        if cur and blank_seen and blank_line_paragraphs:
            # a blank line ends the paragraph unless it falls mid-sentence (page break debris)
            mid_sentence = not PATTERNS["sentence_end"].search(cur) and PATTERNS["lower_start"].match(line)
            new_para = new_para or not mid_sentence
        if cur and not blank_line_paragraphs:
            new_para = new_para or bool(
                PATTERNS["sentence_end"].search(cur) and PATTERNS["capital_start"].match(line)
            )
        blank_seen = False
        if new_para and cur:
            paras.append(cur)
            cur = ""
        cur = join_lines(cur, line)
    if cur:
        paras.append(cur)
    return [(paragraph_style(p), p) for p in paras]


def paragraph_style(text: str) -> str:
    """Given a paragraph, return 'heading' (I. MỤC TIÊU), 'subheading' (1. Mục tiêu chung:
    numbered, short, no closing punctuation) or 'body'."""
    if PATTERNS["heading"].match(text) and text.split("(")[0] == text.split("(")[0].upper():
        return "heading"
    if PATTERNS["numbered"].match(text) and len(text) < 90 and not PATTERNS["sentence_end"].search(text):
        return "subheading"
    return "body"


def corpus_lines(plan: Plan, rng: LineRange, skip: list[LineRange] = ()) -> list[str]:
    """Given a plan and a 1-based inclusive line range, return those lines of its corpus text,
    without the lines of the ``skip`` ranges."""
    lines = (CORPUS / plan.text).read_text(encoding="utf-8").splitlines()
    return [l for n, l in enumerate(lines[rng.start - 1 : rng.to], start=rng.start)
            if not any(r.start <= n <= r.to for r in skip)]


# --- items -> printed cells ------------------------------------------------------------------
def printed_unit(plan: Plan, name: str) -> str:
    """Given a canonical unit name, return it as the plan prints it."""
    return plan.printed_units.get(name, name)


def item_to_cell(plan: Plan, item: dict, field: str, joiner: str | None = None) -> str:
    """Given an item and a column field, return the cell text as printed."""
    if field == "ordinal":
        return item.get("ordinal") or ""
    if field == "text":
        return item["text"]
    if field in ("lead_units", "cooperating_units"):
        return (joiner or plan.unit_joiner).join(printed_unit(plan, u) for u in item.get(field) or [])
    if field == "notes":
        return item.get("notes") or ""
    if field == "deadline":
        return (item.get("deadline") or {}).get("raw") or ""
    if field == "deadline_and_notes":
        d = (item.get("deadline") or {}).get("raw") or ""
        n = item.get("notes")
        return f"{d} ({n})" if n and n not in d else d
    if field.startswith("year:"):
        year = int(field.split(":", 1)[1])
        return " ; ".join(v["raw"] for v in item.get("values") or [] if v.get("year") == year)
    raise ValueError(f"unknown column field {field!r}")


def section_label(style: str, index: int) -> str:
    """Given a numeral style and a 0-based section index, return its printed numeral."""
    if style == "roman":
        return ROMAN[index]
    if style == "arabic":
        return str(index + 1)
    if style == "thu":
        return THU[index]
    return ""


def appendix_items(records: dict, app: Appendix) -> list[dict]:
    """Given records and an appendix, return its items in order."""
    return [it for it in records[app.items] or [] if it.get("appendix") == app.name]


# --- PDF rendering -----------------------------------------------------------------------------
def new_pdf():
    """Return an A4 fpdf2 document with the serif fonts and a fixed creation date."""
    from fpdf import FPDF

    class PlanPDF(FPDF):
        def header(self) -> None:  # page number on top from page 2, as official documents do
            if self.page_no() > 1:
                self.set_font("Serif", "", 11)
                self.set_y(8)
                self.cell(0, 5, str(self.page_no()), align="C")
                self.set_y(self.t_margin)

    pdf = PlanPDF(orientation="P", unit="mm", format="A4")
    for style, path in FONTS.items():
        pdf.add_font("Serif", style, str(path))
    pdf.set_creation_date(CREATED)
    pdf.set_producer("kehoach samples/build_samples.py")
    pdf.set_margins(25, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def render_header(pdf, plan: Plan) -> None:
    """Draw the two-column header block, the number/date line and the title."""
    h = plan.header
    y0 = pdf.get_y()
    left_w, right_w = 70.0, pdf.epw - 70.0
    pdf.set_font("Serif", "B", 12)
    for i, line in enumerate(h.left):
        pdf.set_xy(pdf.l_margin - 8, y0 + i * 5.5)
        pdf.set_font("Serif", "" if i == 0 and len(h.left) > 1 else "B", 12)
        pdf.cell(left_w, 5.5, line, align="C")
    for i, line in enumerate(h.right):
        pdf.set_xy(pdf.l_margin + left_w - 8, y0 + i * 5.5)
        pdf.set_font("Serif", "B", 12 if i == 0 else 13)
        pdf.cell(right_w, 5.5, line, align="C")
    y = y0 + max(len(h.left), len(h.right)) * 5.5 + 4
    pdf.set_font("Serif", "", 13)
    pdf.set_xy(pdf.l_margin - 8, y)
    pdf.cell(left_w, 6, h.number, align="C")
    if h.dateline:
        pdf.set_font("Serif", "I", 13)
        pdf.set_xy(pdf.l_margin + left_w - 8, y)
        pdf.cell(right_w, 6, h.dateline, align="C")
    title = [" ".join(nfc(l).split()) for l in corpus_lines(plan, plan.title) if l.strip()]
    pdf.set_xy(pdf.l_margin, y + 14)
    pdf.set_font("Serif", "B", 14)
    pdf.cell(pdf.epw, 7, title[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(pdf.epw, 6.5, " ".join(title[1:]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def render_paragraphs(pdf, paragraphs: list[tuple[str, str]]) -> None:
    """Draw reflowed paragraphs: justified, first-line indent look via leading spaces."""
    for style, text in paragraphs:
        pdf.set_font("Serif", "B" if style != "body" else "", 13)
        pdf.multi_cell(pdf.epw, 6.5, "      " + text if style == "body" else text,
                       align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def render_closing(pdf, plan: Plan) -> None:
    """Draw the recipients (Nơi nhận) on the left and the signature block on the right."""
    need = 8 + 5 * max(len(plan.recipients), len(plan.signature) + 1)
    if pdf.get_y() + need > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    y0 = pdf.get_y()
    half = pdf.epw / 2
    pdf.set_font("Serif", "BI", 12)
    pdf.cell(half, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    for line in plan.recipients:
        pdf.multi_cell(half - 4, 4.8, line, new_x="LMARGIN", new_y="NEXT")
    y_end = pdf.get_y()
    pdf.set_font("Serif", "B", 13)
    for i, line in enumerate(plan.signature):
        pdf.set_xy(pdf.l_margin + half, y0 + i * 6.5)
        pdf.cell(half, 6.5, line, align="C")
    pdf.set_y(max(y_end, y0 + len(plan.signature) * 6.5))


def render_appendix_title(pdf, app: Appendix) -> None:
    pdf.add_page(orientation=app.orientation)
    pdf.set_font("Serif", "B", 13)
    if not app.heading or app.heading[0].upper() != app.name.upper():
        pdf.cell(pdf.epw, 6.5, app.name, align="C", new_x="LMARGIN", new_y="NEXT")
    for line in app.heading:
        pdf.multi_cell(pdf.epw, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if app.subheading:
        pdf.set_font("Serif", "I", 12)
        pdf.multi_cell(pdf.epw, 6, app.subheading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def render_appendix_table(pdf, plan: Plan, app: Appendix, items: list[dict]) -> None:
    """Draw an appendix as a ruled table: header row repeated on every page, section rows
    spanning the table, cells wrapping."""
    from fpdf.fonts import FontFace

    n = len(app.columns)
    pdf.set_font("Serif", "", 11)
    centred = {"ordinal", "deadline", "deadline_and_notes"} | {c.field for c in app.columns if c.field.startswith("year:")}
    with pdf.table(
        width=pdf.epw,
        col_widths=tuple(c.width for c in app.columns),
        line_height=5.2,
        text_align="LEFT",
        v_align="M",
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD"),
        padding=1.2,
    ) as table:
        head = table.row()
        for c in app.columns:
            head.cell(c.title, align="C")
        section, k = None, -1
        for it in items:
            if it.get("section") != section:
                section, k = it.get("section"), k + 1
                row = table.row(style=FontFace(emphasis="BOLD"))
                label = section_label(app.section_numerals, k)
                if app.section_numerals in ("roman", "arabic"):
                    row.cell(label, align="C")
                    row.cell(section or "", colspan=n - 1)
                elif app.section_numerals == "thu":
                    row.cell(f"{label}: {section}", colspan=n)
                else:
                    row.cell(section or "", colspan=n)
            row = table.row()
            for c in app.columns:
                row.cell(item_to_cell(plan, it, c.field, app.unit_joiner), align="C" if c.field in centred else "L")
    if app.footer:
        pdf.ln(3)
        pdf.set_font("Serif", "I", 12)
        pdf.multi_cell(pdf.epw, 6, app.footer, new_x="LMARGIN", new_y="NEXT")


def render_appendix_list(pdf, plan: Plan, app: Appendix, items: list[dict]) -> None:
    """Draw an appendix printed as a numbered list with '- Cơ quan chủ trì: ...' lines."""
    section, k = None, -1
    for it in items:
        if it.get("section") != section:
            section, k = it.get("section"), k + 1
            pdf.set_font("Serif", "B", 13)
            pdf.multi_cell(pdf.epw, 6.5, f"{section_label(app.section_numerals, k)}. {section}",
                           align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("Serif", "", 13)
        pdf.multi_cell(pdf.epw, 6.5, f"{it.get('ordinal')}. {it['text']}", align="J",
                       new_x="LMARGIN", new_y="NEXT")
        for field, label in app.list_labels.items():
            value = item_to_cell(plan, it, field, app.unit_joiner)
            if value:
                pdf.multi_cell(pdf.epw, 6.5, f"- {label}: {value}.", align="J",
                               new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def plan_to_pdf_bytes(plan: Plan, records: dict) -> bytes:
    """Given a plan layout and its records, return the born-digital PDF bytes."""
    pdf = new_pdf()
    pdf.add_page()
    render_header(pdf, plan)
    body = corpus_lines(plan, plan.body, plan.footnotes)
    render_paragraphs(pdf, lines_to_paragraphs(body, plan.blank_line_paragraphs))
    render_closing(pdf, plan)
    for app in plan.appendices:
        items = appendix_items(records, app)
        render_appendix_title(pdf, app)
        if app.layout == "list":
            render_appendix_list(pdf, plan, app, items)
        else:
            render_appendix_table(pdf, plan, app, items)
    return bytes(pdf.output())


# --- Word --------------------------------------------------------------------------------
DOCX_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every ZIP member's date: the bytes do not depend on the clock


def _docx_cell(cell, text: str, bold: bool = False, align: str | None = None, size: float = 11) -> None:
    """Write text into a python-docx cell, one paragraph per line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for i, line in enumerate(text.split("\n")):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.bold, run.font.size = bold, Pt(size)
        if align:
            p.alignment = getattr(WD_ALIGN_PARAGRAPH, align)


def _docx_paragraph(document, text: str, bold: bool = False, italic: bool = False,
                    align: str | None = None, size: float = 13):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = document.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if align:
        p.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    return p


def plan_to_docx_bytes(plan: Plan, records: dict) -> bytes:
    """Given a plan layout and its records, return the plan as a Word document laid out as an
    office types it: the header and the signature block in borderless two-column tables,
    paragraphs, each appendix in a landscape section with a ruled table (header row, section
    rows merged across the table). Core properties and ZIP dates are fixed, members stored
    (no compression library decides the bytes)."""
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    document = docx.Document()
    props = document.core_properties
    props.author = props.last_modified_by = "kehoach samples/build_samples.py"
    props.created = props.modified = props.last_printed = CREATED.replace(tzinfo=None)
    props.revision = 1
    props.title = plan.id
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(18)
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)

    h = plan.header
    head = document.add_table(rows=2, cols=2)
    _docx_cell(head.cell(0, 0), "\n".join(h.left), bold=True, align="CENTER", size=12)
    _docx_cell(head.cell(0, 1), "\n".join(h.right), bold=True, align="CENTER", size=12)
    _docx_cell(head.cell(1, 0), h.number, align="CENTER", size=13)
    _docx_cell(head.cell(1, 1), h.dateline, align="CENTER", size=13)
    title = [" ".join(nfc(l).split()) for l in corpus_lines(plan, plan.title) if l.strip()]
    _docx_paragraph(document, title[0], bold=True, align="CENTER", size=14)
    _docx_paragraph(document, " ".join(title[1:]), bold=True, align="CENTER")
    body = corpus_lines(plan, plan.body, plan.footnotes)
    for style, text in lines_to_paragraphs(body, plan.blank_line_paragraphs):
        _docx_paragraph(document, text, bold=style != "body", align="JUSTIFY")
    closing = document.add_table(rows=1, cols=2)
    _docx_cell(closing.cell(0, 0), "Nơi nhận:\n" + "\n".join(plan.recipients), size=11)
    _docx_cell(closing.cell(0, 1), "\n".join(plan.signature), bold=True, align="CENTER", size=13)
    for app in plan.appendices:
        new = document.add_section(WD_SECTION.NEW_PAGE)
        if app.orientation == "L":
            new.orientation, new.page_width, new.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)
        else:
            new.orientation, new.page_width, new.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
        if not app.heading or app.heading[0].upper() != app.name.upper():
            _docx_paragraph(document, app.name, bold=True, align="CENTER")
        for line in app.heading:
            _docx_paragraph(document, line, bold=True, align="CENTER")
        if app.subheading:
            _docx_paragraph(document, app.subheading, italic=True, align="CENTER", size=12)
        items = appendix_items(records, app)
        if app.layout == "list":
            section_, k = None, -1
            for it in items:
                if it.get("section") != section_:
                    section_, k = it.get("section"), k + 1
                    _docx_paragraph(document, f"{section_label(app.section_numerals, k)}. {section_}", bold=True)
                _docx_paragraph(document, f"{it.get('ordinal')}. {it['text']}", align="JUSTIFY")
                for field, label in app.list_labels.items():
                    value = item_to_cell(plan, it, field, app.unit_joiner)
                    if value:
                        _docx_paragraph(document, f"- {label}: {value}.", align="JUSTIFY")
        else:
            _docx_appendix_table(document, plan, app, items)
        if app.footer:
            _docx_paragraph(document, app.footer, italic=True, size=12)
    buf = io.BytesIO()
    document.save(buf)
    return zip_with_fixed_dates(buf.getvalue())


def _docx_appendix_table(document, plan: Plan, app: Appendix, items: list[dict]) -> None:
    """An appendix as a ruled Word table: a header row, section rows one merged cell across
    the table (or numeral + merged rest), an item per row."""
    from docx.shared import Mm

    n = len(app.columns)
    table = document.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    centred = {"ordinal", "deadline", "deadline_and_notes"} | {c.field for c in app.columns if c.field.startswith("year:")}
    for k, c in enumerate(app.columns):
        table.columns[k].width = Mm(c.width)
        _docx_cell(table.cell(0, k), c.title, bold=True, align="CENTER")
    section, k = None, -1
    for it in items:
        if it.get("section") != section:
            section, k = it.get("section"), k + 1
            cells = table.add_row().cells
            label = section_label(app.section_numerals, k)
            if app.section_numerals in ("roman", "arabic"):
                _docx_cell(cells[0], label, bold=True, align="CENTER")
                _docx_cell(cells[1].merge(cells[n - 1]), section or "", bold=True)
            elif app.section_numerals == "thu":
                _docx_cell(cells[0].merge(cells[n - 1]), f"{label}: {section}", bold=True)
            else:
                _docx_cell(cells[0].merge(cells[n - 1]), section or "", bold=True)
        cells = table.add_row().cells
        for j, c in enumerate(app.columns):
            _docx_cell(cells[j], item_to_cell(plan, it, c.field, app.unit_joiner),
                       align="CENTER" if c.field in centred else None)


def zip_with_fixed_dates(data: bytes) -> bytes:
    """Given a ZIP (an Office package), return it with the same members in the same order,
    each dated DOCX_ZIP_TIME and stored."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=DOCX_ZIP_TIME)
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --- scans -------------------------------------------------------------------------------
def pdf_pages_to_images(pdf_bytes: bytes, pages: list[int] | None = None, dpi: int = SCAN_DPI):
    """Given PDF bytes and 0-based page indexes (None = all), return greyscale page images."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf_bytes)
    idx = range(len(doc)) if pages is None else pages
    out = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in idx]
    doc.close()
    return out


def images_to_pdf_bytes(images, dpi: int = SCAN_DPI, quality: int = 40) -> bytes:
    """Given page images, return an image-only PDF (JPEG grey pages, fixed dates)."""
    buf = io.BytesIO()
    stamp = CREATED.utctimetuple()  # Pillow writes struct_time as a PDF date
    extra = {"quality": quality} if images[0].mode != "1" else {}  # 1-bit pages go CCITT G4
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:],
                   **extra, creationDate=stamp, modDate=stamp, producer="kehoach samples",
                   title="scan")
    return buf.getvalue()


def scan_pages(pdf_bytes: bytes, pages: list[int] | None, seed: int, binarize: bool = True, **degrade) -> list:
    """Given born-digital PDF bytes, return degraded scan images of the chosen pages.

    Scans default to 1-bit (CCITT G4 in the PDF, ~50 KB a page): grey JPEG of 200 dpi text
    costs ~200 KB a page even without noise."""
    return [degrade_page(img, seed=seed + i, binarize=binarize, **degrade)
            for i, img in enumerate(pdf_pages_to_images(pdf_bytes, pages))]


def first_table_page(pdf_bytes: bytes, appendix_heading: str) -> int:
    """Given PDF bytes, return the 0-based index of the first page whose text shows the heading."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as doc:
        for i, page in enumerate(doc.pages):
            if appendix_heading in (page.extract_text() or "") and page.find_tables():
                return i
    raise ValueError(f"no table page with {appendix_heading!r}")


# --- expected records -----------------------------------------------------------------------
def squash(s: str) -> str:
    return " ".join(s.split())


def unit_ref(plan: Plan, name: str) -> dict:
    return {"raw": printed_unit(plan, name), "name": name}


def unit_span_in_text(name: str, text: str, min_score: float = 80.0) -> str | None:
    """Given a canonical unit name and an item's prose, return the words of the prose that
    print that unit ("Văn phòng HĐND-UBND xã" for "Văn phòng HĐND và UBND xã"), or None.

    Whole-word windows of about the name's length are scored case-insensitively; the best
    one at or above ``min_score`` wins (earliest on ties)."""
    from rapidfuzz import fuzz

    words = text.split()
    n = len(name.split())
    best, best_score = None, min_score
    for size in range(max(1, n - 2), n + 3):
        for i in range(0, max(0, len(words) - size) + 1):
            span = " ".join(words[i : i + size]).strip(",;:.()")
            score = fuzz.ratio(span.lower(), name.lower())
            if score > best_score:
                best, best_score = span, score
    return best


def prose_unit_ref(plan: Plan, name: str, text: str) -> dict:
    """Given a unit of an item written in prose, return {raw, name} with raw as printed there."""
    return {"raw": unit_span_in_text(name, text) or printed_unit(plan, name), "name": name}


def item_to_expected(plan: Plan, item: dict, kind: str) -> dict:
    """Given a gold item, return it in the project schema (units as {raw, name}): raw is the
    unit as printed, in the table cell (appendix items) or in the item's prose (body items)."""
    if item.get("appendix"):
        ref = lambda u: unit_ref(plan, u)  # noqa: E731
    else:
        ref = lambda u: prose_unit_ref(plan, u, item["text"])  # noqa: E731
    out = {
        "ordinal": item.get("ordinal"),
        "section": item.get("section"),
        "appendix": item.get("appendix"),
        "text": item["text"],
        "deadline": item.get("deadline"),
        "lead_units": [ref(u) for u in item.get("lead_units") or []],
        "cooperating_units": [ref(u) for u in item.get("cooperating_units") or []],
        "notes": item.get("notes"),
    }
    if kind == "targets":
        out["values"] = item.get("values") or []
    return out


def source_of(path: Path, data: bytes, kind: str, pages: int) -> dict:
    return {"path": f"samples/{path.name}", "sha256": hashlib.sha256(data).hexdigest(),
            "pages": pages, "kind": kind, "size_bytes": len(data)}


def expected_document(plan: Plan, records: dict, source: dict,
                      keep: Callable[[dict], bool] = lambda it: True) -> dict:
    """Given records and the sample's source, return the expected Document as a JSON dict.

    ``keep`` selects the items visible in the sample (a short scan shows only some)."""
    doc = {
        "source": source,
        "number": records.get("number"),
        "doc_type": records.get("doc_type"),
        "issuer": records.get("issuer"),
        "place": records.get("place"),
        "issued_date": records.get("issued_date"),
        "title": records.get("title"),
        "signer": records.get("signer") or {},
        "references": [{**r, "raw": r.get("raw", "")} for r in records.get("references") or []],
        "targets": [item_to_expected(plan, it, "targets") for it in records.get("targets") or [] if keep(it)],
        "tasks": [item_to_expected(plan, it, "tasks") for it in records.get("tasks") or [] if keep(it)],
    }
    out = Document.model_validate(doc).model_dump(mode="json", exclude_defaults=True)
    # an empty list is a statement ("no items on these pages"), absent would read as "not annotated"
    out["targets"] = out.get("targets", [])
    out["tasks"] = out.get("tasks", [])
    return out


def visible_texts(pdf_bytes: bytes, pages: list[int]) -> list[str]:
    """Given a PDF and page indexes, return the squashed texts a reader sees there: each
    page's text, and each table cell on its own (cells interleave in the page text)."""
    import pdfplumber

    out: list[str] = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as doc:
        for i in pages:
            page = doc.pages[i]
            out.append(squash(page.extract_text() or ""))
            for table in page.extract_tables():
                out.extend(squash(c) for row in table for c in row if c)
    return out


def items_on_pages(pdf_bytes: bytes, pages: list[int]) -> Callable[[dict], bool]:
    """Given a PDF and page indexes, return a predicate: does this item start on those pages?"""
    texts = visible_texts(pdf_bytes, pages)
    return lambda it: any(squash(it["text"])[:50] in t for t in texts)


def signer_on_pages(records: dict, pdf_bytes: bytes, pages: list[int]) -> dict:
    """Given records and pages, return them with the signer cleared if it is not printed there."""
    text = " ".join(visible_texts(pdf_bytes, pages))
    signer = records.get("signer") or {}
    shown = [signer.get("name"), (signer.get("title") or "").split(" - ")[0]]
    if any(s and s in text for s in shown):
        return records
    return {**records, "signer": {"name": None, "title": None}}


# --- legacy-encoding fixtures -------------------------------------------------------------


def encode_tcvn3(text: str) -> bytes:
    """Given Unicode text, return its TCVN3 (VN3, .VnTime) bytes (tables: ingest/legacy)."""
    return tcvn3_chars(text).encode("latin-1")


def encode_vni(text: str) -> bytes:
    """Given Unicode text, return its VNI-Windows bytes (tables: ingest/legacy)."""
    return vni_chars(text).encode("cp1252")


def legacy_pdf_bytes(text_lines: list[str]) -> bytes:
    """Given Vietnamese lines, return a PDF whose text layer holds their TCVN3 bytes read as
    Latin-1 ("KÕ ho¹ch"): what old documents typed with .VnTime fonts extract to."""
    pdf = new_pdf()
    pdf.add_font("Legacy", "", str(LEGACY_FONT))
    pdf.add_page()
    pdf.set_font("Legacy", "", 12)
    for line in text_lines:
        pdf.multi_cell(pdf.epw, 6.5, tcvn3_chars(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def mixed_pdf_bytes(born: bytes, seed: int) -> bytes:
    """Given a born-digital PDF, return 2 pages: page 1 with its text layer, page 2 a scan of
    its page 2 (image only)."""
    import pypdfium2

    scan_pdf = images_to_pdf_bytes(scan_pages(born, [1], seed))
    out = pypdfium2.PdfDocument.new()
    out.import_pages(pypdfium2.PdfDocument(born), [0])
    out.import_pages(pypdfium2.PdfDocument(scan_pdf), [0])
    buf = io.BytesIO()
    out.save(buf)
    return pin_pdfium_stamps(buf.getvalue())


def pin_pdfium_stamps(data: bytes) -> bytes:
    """Given a PDF saved by PDFium, return it with the save time and /ID made deterministic.

    Replacements keep every byte length, so the cross-reference offsets stay valid."""
    stamp = CREATED.strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    data = PDF_STAMPS["creation_date"].sub(lambda m: b"/CreationDate(" + stamp + b")", data)
    blank = PDF_STAMPS["file_id"].sub(lambda m: b"/ID[<" + b"0" * 32 + b"><" + b"0" * 32 + b">]", data)
    digest = hashlib.md5(blank).hexdigest().upper().encode()
    return PDF_STAMPS["file_id"].sub(lambda m: b"/ID[<" + digest + b"><" + digest + b">]", data)


# --- build -------------------------------------------------------------------------------
class Builder:
    """Writes each sample file once; `only` restricts the build to some file names."""

    def __init__(self, out: Path, fixtures: Path, only: set[str] | None):
        self.out, self.fixtures, self.only = out, fixtures, only
        self.plans = load_plans()
        self._born: dict[str, bytes] = {}

    def wanted(self, name: str) -> bool:
        return self.only is None or name in self.only

    def write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path}  {len(data):,} bytes")

    def write_expected(self, stem: str, plan: Plan, records: dict, source: dict, keep=lambda it: True) -> None:
        name = f"{stem}.expected.json"
        if self.wanted(name):
            doc = expected_document(plan, records, source, keep)
            self.write(self.out / name, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

    def born(self, plan_id: str) -> bytes:
        if plan_id not in self._born:
            self._born[plan_id] = plan_to_pdf_bytes(self.plans[plan_id], load_records(plan_id))
        return self._born[plan_id]

    def page_count(self, data: bytes) -> int:
        import pypdfium2

        return len(pypdfium2.PdfDocument(data))

    def build_born_digital(self) -> None:
        for pid, plan in self.plans.items():
            name = f"{pid}.pdf"
            if self.wanted(name) or self.wanted(f"{pid}.expected.json"):
                data = self.born(pid)
                if self.wanted(name):
                    self.write(self.out / name, data)
                self.write_expected(pid, plan, load_records(pid), source_of(self.out / name, data, "pdf", self.page_count(data)))

    def build_word(self) -> None:
        """The Word sample: WORD_PLAN typed in Word (same items as its PDF)."""
        pid = WORD_PLAN
        name = f"{pid}.word.docx"
        if not (self.wanted(name) or self.wanted(f"{pid}.word.expected.json")):
            return
        plan, records = self.plans[pid], load_records(pid)
        data = plan_to_docx_bytes(plan, records)
        if self.wanted(name):
            self.write(self.out / name, data)
        self.write_expected(f"{pid}.word", plan, records, source_of(self.out / name, data, "docx", 1 + len(plan.appendices)))  # a page per section

    def build_short_scan(self) -> None:
        pid = SHORT_SCAN_PLAN
        name = f"{pid}.scan-short.pdf"
        if not (self.wanted(name) or self.wanted(f"{pid}.scan-short.expected.json")):
            return
        plan, born = self.plans[pid], self.born(pid)
        pages = [0, first_table_page(born, plan.appendices[0].heading[0])]
        data = images_to_pdf_bytes(scan_pages(born, pages, seed=101))
        if self.wanted(name):
            self.write(self.out / name, data)
        self.write_expected(f"{pid}.scan-short", plan, signer_on_pages(load_records(pid), born, pages),
                            source_of(self.out / name, data, "pdf", len(pages)), items_on_pages(born, pages))

    def build_full_scans(self) -> None:
        for k, (pid, plan) in enumerate(self.plans.items()):
            if not plan.appendices:
                continue
            name = f"{pid}.scan.pdf"
            if not (self.wanted(name) or self.wanted(f"{pid}.scan.expected.json")):
                continue
            born = self.born(pid)
            data = images_to_pdf_bytes(scan_pages(born, None, seed=1000 + 100 * k))
            if self.wanted(name):
                self.write(self.out / name, data)
            self.write_expected(f"{pid}.scan", plan, load_records(pid), source_of(self.out / name, data, "pdf", self.page_count(data)))

    def build_images(self) -> None:
        pid = SHORT_SCAN_PLAN
        plan = self.plans[pid]
        if self.wanted(f"{pid}.page1.jpg") or self.wanted(f"{pid}.page1.expected.json"):
            # grey photo-like page; little sensor noise, which JPEG pays dearly for
            img = scan_pages(self.born(pid), [0], seed=201, binarize=False, noise_sigma=3.0)[0]
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=35, dpi=(SCAN_DPI, SCAN_DPI))
            data = buf.getvalue()
            if self.wanted(f"{pid}.page1.jpg"):
                self.write(self.out / f"{pid}.page1.jpg", data)
            self.write_expected(f"{pid}.page1", plan, signer_on_pages(load_records(pid), self.born(pid), [0]),
                                source_of(self.out / f"{pid}.page1.jpg", data, "image", 1),
                                items_on_pages(self.born(pid), [0]))
        if self.wanted(f"{pid}.pages1-2.tiff") or self.wanted(f"{pid}.pages1-2.expected.json"):
            imgs = scan_pages(self.born(pid), [0, 1], seed=301)
            buf = io.BytesIO()
            imgs[0].save(buf, "TIFF", save_all=True, append_images=imgs[1:], compression="group4",
                         dpi=(SCAN_DPI, SCAN_DPI))
            data = buf.getvalue()
            if self.wanted(f"{pid}.pages1-2.tiff"):
                self.write(self.out / f"{pid}.pages1-2.tiff", data)
            self.write_expected(f"{pid}.pages1-2", plan, signer_on_pages(load_records(pid), self.born(pid), [0, 1]),
                                source_of(self.out / f"{pid}.pages1-2.tiff", data, "image", 2),
                                items_on_pages(self.born(pid), [0, 1]))

    def build_ocr_texts(self) -> None:
        for pid, plan in self.plans.items():
            name = f"{pid}.ocr.txt"
            src = CORPUS / "raw" / f"{pid}.txt"
            data = src.read_bytes()
            if self.wanted(name):
                self.write(self.out / name, data)
            self.write_expected(f"{pid}.ocr", plan, load_records(pid), source_of(self.out / name, data, "text", 1))

    def build_fixtures(self) -> None:
        pid = SHORT_SCAN_PLAN
        plan = self.plans[pid]
        lines = [l for l in corpus_lines(plan, LineRange(**{"from": 1, "to": 30})) if l.strip()]
        text = "\n".join(nfc(l) for l in lines) + "\n"
        fx = self.fixtures
        if self.wanted("mixed-text-scan.pdf"):
            self.write(fx / "mixed-text-scan.pdf", mixed_pdf_bytes(self.born(pid), seed=401))
        if self.wanted("tcvn3-text-layer.pdf"):
            self.write(fx / "tcvn3-text-layer.pdf", legacy_pdf_bytes(lines[:18]))
        if self.wanted("plan-utf8.txt"):
            self.write(fx / "plan-utf8.txt", text.encode("utf-8"))
        if self.wanted("plan-tcvn3.txt"):
            self.write(fx / "plan-tcvn3.txt", encode_tcvn3(text))
        if self.wanted("plan-vni.txt"):
            self.write(fx / "plan-vni.txt", encode_vni(text))
        if self.wanted("plan-cp1258.txt"):
            self.write(fx / "plan-cp1258.txt", encode_cp1258(text))
        if self.wanted("plan-utf16.txt"):
            self.write(fx / "plan-utf16.txt", text.encode("utf-16"))  # with BOM, little-endian

    def build_all(self) -> None:
        self.build_born_digital()
        self.build_word()
        self.build_short_scan()
        self.build_fixtures()
        self.build_images()
        self.build_ocr_texts()
        self.build_full_scans()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="where samples go (default samples/)")
    ap.add_argument("--fixtures", type=Path, default=None,
                    help="where test fixtures go (default tests/fixtures, or OUT/fixtures with --out)")
    ap.add_argument("--only", action="append", default=None, help="build only this file name (repeatable)")
    args = ap.parse_args(argv)
    fixtures = args.fixtures or (ROOT / "tests" / "fixtures" if args.out == HERE else args.out / "fixtures")
    Builder(args.out, fixtures, set(args.only) if args.only else None).build_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
