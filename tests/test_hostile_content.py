"""A plan whose texts hold formula prefixes, control characters, HTML/JS, calendar line
breaks and SQL: every output opens with its reader, the text complete and inert."""
from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
import json
import sqlite3
import zipfile
from pathlib import Path
from html.parser import HTMLParser

import icalendar
import openpyxl
import pandas as pd
import pytest

from kehoach.outputs import calendar, export
from kehoach.outputs.cells import FORMULA_PREFIXES
from kehoach.outputs.db import load_documents
from kehoach.schema import Document
from test_audit import samples  # noqa: F401 - the audit's sample folder fixture

HOSTILE = [
    '=HYPERLINK("http://example.invalid/x","Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 sau một dấu tab",
    "\r=1+1 sau một dấu CR",
    "Tiếng chuông\x07 và mã màu \x1b[31m đỏ\x1b[0m từ OCR",
    "<script>alert('xss')</script><img src=x onerror=alert(1)> Sở Tài chính",
    "Họp\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:giả mạo\nDESCRIPTION;X=1:chèn",
    "Robert'); DROP TABLE tasks;-- \"; DELETE FROM documents; --",
]
# what xlsx shows for the controls it cannot hold; a CR is a line break in its XML text
XLSX_SHOWN = {"\x07": "\u2407", "\x1b": "\u241b"}


@pytest.fixture(scope="module")
def hostile(gold) -> Document:
    """A real gold record whose first dated tasks and targets carry the hostile texts."""
    base = next(d for d in gold.values()
                if sum(bool(t.deadline and t.deadline.end) for t in d.tasks) >= len(HOSTILE))
    doc = base.model_copy(deep=True)
    dated = [t for t in doc.tasks if t.deadline and t.deadline.end and
             t.deadline.kind not in ("recurring", "conditional", "none")][:len(HOSTILE)]
    assert len(dated) == len(HOSTILE)
    for task, text in zip(dated, HOSTILE):
        task.text = text
        task.notes = text
        if task.lead_units:
            task.lead_units[0].name = text
    for target, text in zip(doc.targets, HOSTILE):
        target.text = text
    doc.metadata.title = HOSTILE[0]
    doc.metadata.issuer = HOSTILE[-1]
    return doc


def _texts(values) -> set[str]:
    return {v for v in values if isinstance(v, str)}


def test_csv_cells_are_inert_and_complete(hostile, tmp_path):
    warnings: list[str] = []
    export.export_documents([hostile], "csv", tmp_path / "csv", warnings)
    with open(tmp_path / "csv" / "tasks.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {len(r) for r in rows} == {len(rows[0])} and None not in rows[0]  # no row split
    cells = [v for r in rows for v in r.values()]
    assert not [c for c in cells if export.is_formula_like(c)]
    for text in HOSTILE:
        shown = "'" + text if text.startswith(FORMULA_PREFIXES) else text
        assert shown in cells, text
    assert any("tasks:" in w and "formula" in w for w in warnings)


def test_xlsx_opens_with_no_formula_and_every_text_visible(hostile, tmp_path):
    path = tmp_path / "plans.xlsx"
    warnings: list[str] = []
    export.export_documents([hostile], "xlsx", path, warnings)   # BEL/ESC failed it whole before
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = _texts(c.value for c in cells)
    for text in HOSTILE:
        shown = "".join(XLSX_SHOWN.get(ch, ch) for ch in text)
        # a CR is kept escaped (_x000D_) or, by XML's end-of-line rule, read back as LF
        assert shown in values or shown.replace("\r\n", "\n").replace("\r", "\n") in values, text
    frame = pd.read_excel(path, sheet_name=None)
    assert len(frame["Nhiệm vụ"]) == len(hostile.tasks)       # no row lost
    assert any("control characters" in w for w in warnings)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_data_formats_keep_the_texts_exactly(hostile, tmp_path, fmt):
    export.export_documents([hostile], fmt, tmp_path / fmt)
    path = tmp_path / fmt / f"tasks.{fmt}"
    if fmt == "parquet":
        values = set(pd.read_parquet(path)["text"])
    else:
        values = {json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()}
    assert set(HOSTILE) <= values


def test_sqlite_stores_the_texts_as_data(hostile, tmp_path):
    db = tmp_path / "k.db"
    report = load_documents([("hostile.json", hostile)], f"sqlite:///{db}")
    assert report.ok, report.failed
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"tasks", "documents", "units"} <= tables
        texts = {r[0] for r in conn.execute("SELECT text FROM tasks")}
        units = {r[0] for r in conn.execute("SELECT name FROM units")}
        issuer = conn.execute("SELECT issuer FROM documents").fetchone()[0]
    assert set(HOSTILE) <= texts
    assert HOSTILE[-1] in units and issuer == HOSTILE[-1]


def test_calendar_events_hold_the_texts_without_injected_events(hostile, tmp_path):
    path = tmp_path / "deadlines.ics"
    report = calendar.write_calendar([hostile], path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == report.events
    assert not [e for e in events if "giả mạo" == str(e.get("SUMMARY"))]
    descriptions = [str(e["DESCRIPTION"]) for e in events]
    for text in HOSTILE:
        assert any(text.replace("\r\n", "\n").replace("\r", "\n") in d.replace("\r\n", "\n")
                   .replace("\r", "\n") for d in descriptions), text


class _Elements(HTMLParser):
    """Counts what a browser would run (script elements, on* attributes, javascript: URLs)
    and collects the text it would show."""

    def __init__(self):
        super().__init__()
        self.active: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.active.append("script")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.active.append(f"{tag}[{name}]")

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def test_audit_html_shows_hostile_texts_as_text(samples, tmp_path):
    """A pipeline whose record holds HTML/JS in an extra task and a deadline: the report
    runs nothing more than the clean report does and shows the texts."""
    from test_audit import _extracted

    def clean(path):
        return _extracted()

    def hostile_pipeline(path):
        doc = _extracted()
        doc.tasks[-1].text = HOSTILE[7]
        doc.tasks[1].deadline.raw = "</pre><script>alert(2)</script>"
        return doc

    from kehoach.outputs import audit

    baseline = _parse(audit.result_to_html(audit.run_audit(samples, clean)))
    _, html_path = audit.write_reports(audit.run_audit(samples, hostile_pipeline), tmp_path / "a")
    shown = _parse(html_path.read_text("utf-8"))
    assert shown.active == baseline.active
    text = "".join(shown.text)
    assert HOSTILE[7] in text


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RAN = "kehoach-script-ran"
# what the page would do if its hostile texts ran: change the title, mark the body
ACTIVE = (f"<script>document.title='{RAN}'</script>"
          f"<img src=x onerror=\"document.body.setAttribute('data-ran','{RAN}')\"> Sở Tài chính")


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                    reason="chromium is not installed (scripts/install-system-deps.sh --test)")
def test_audit_html_runs_nothing_in_a_real_browser(samples, tmp_path):
    """The audit report of a record holding script and handler markup, opened by headless
    chromium: after its scripts ran, no title changed, no body marked, the texts shown."""
    from test_audit import _extracted

    from kehoach.outputs import audit

    def hostile_pipeline(path):
        doc = _extracted()
        doc.tasks[-1].text = ACTIVE
        doc.tasks[1].deadline.raw = f"</pre><script>document.title='{RAN}'</script>"
        return doc

    def dump(page: Path) -> tuple[str, str, str]:
        """(the title, the body tag, the DOM) once chromium ran the page's scripts."""
        dom = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                              "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                              "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                             capture_output=True, text=True, timeout=120, check=True).stdout
        title = re.search(r"<title>(.*?)</title>", dom, re.S)
        return (title.group(1) if title else ""), re.search(r"<body[^>]*>", dom).group(0), dom

    control = tmp_path / "control.html"  # the same markup unescaped does run here
    control.write_text(f"<html><head><title>t</title></head><body>{ACTIVE}</body></html>", "utf-8")
    title, body, _ = dump(control)
    assert RAN in title and RAN in body

    _, html_path = audit.write_reports(audit.run_audit(samples, hostile_pipeline), tmp_path / "a")
    title, body, dom = dump(html_path)
    assert RAN not in title and RAN not in body
    assert ACTIVE in html.unescape(re.sub(r"<[^>]+>", "", dom))  # shown as text, complete
