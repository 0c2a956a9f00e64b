"""Turn task deadlines into an iCalendar (RFC 5545) file, one all-day event per dated deadline.

A deadline is "dated" when it has a full ISO ``end`` date: kinds date, month, quarter and
year fall on their end date (the day the task is due); a ``multiple`` deadline gives one
event per part that has an end date, or one on its overall end when it has no parts.
Recurring, conditional and undated deadlines have no day to put in a calendar: they are
counted in the report, not silently dropped.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Iterable

import icalendar
from pydantic import BaseModel, Field

from .tables import iso_to_date, units_to_cell
from ..schema import Document
from ..schema.models import Deadline, Task

SUMMARY_CHARS = 80
PRODID = "-//kehoach//task deadlines//VI"


class CalendarReport(BaseModel):
    events: int = 0
    copies_skipped: int = Field(0, description="documents left out as another copy of a plan already in")
    undated: dict[str, int] = Field(default_factory=dict, description="tasks left out, by deadline kind")


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Given a task text, return it cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:  # the cut fell inside a word: drop its start
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def deadline_to_due_dates(deadline: Deadline | None) -> list[tuple[dt.date, str]]:
    """Given a deadline, return (due date, raw text) for each dated part; [] when undated."""
    if deadline is None:
        return []
    if deadline.kind == "multiple" and deadline.parts:
        return [due for part in deadline.parts for due in deadline_to_due_dates(part)]
    if deadline.kind in ("recurring", "conditional", "none"):
        return []
    end = iso_to_date(deadline.end)
    return [(end, deadline.raw)] if end else []


def _document_label(doc: Document) -> str:
    return doc.metadata.number or doc.metadata.title or doc.source.path


def task_to_events(doc: Document, index: int, task: Task, stamp: dt.datetime) -> list[icalendar.Event]:
    """Given a task of a document, return one all-day event per dated deadline part."""
    events = []
    for part, (due, raw) in enumerate(deadline_to_due_dates(task.deadline)):
        lines = [
            f"Chủ trì: {units_to_cell(task.lead_units) or '(chưa xác định)'}",
            f"Phối hợp: {units_to_cell(task.cooperating_units) or '(không)'}",
            f"Văn bản: {_document_label(doc)}",
            f"Thời hạn: {raw}",
            "",
            task.text,
        ]
        event = icalendar.Event()
        event.add("uid", f"{doc.plan_id or doc.source.sha256[:16]}-task{index}-{part}@kehoach")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", shorten(task.text))
        event.add("description", "\n".join(lines))
        event.add("categories", [task.deadline.kind])
        event.add("transp", "TRANSPARENT")  # a due date, not a busy time slot
        events.append(event)
    return events


def documents_to_calendar(docs: Iterable[Document]) -> tuple[icalendar.Calendar, CalendarReport]:
    """Given Documents, return the calendar of their task deadlines and what was left out: one
    event per task of a plan, from its primary copy when several copies of it are given
    (``extract.plan_identity``)."""
    from ..extract.plan_identity import primary_copies

    docs = list(docs)
    primaries = primary_copies(docs)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Thời hạn nhiệm vụ (kehoach)")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    report = CalendarReport(copies_skipped=len(docs) - len(primaries))
    undated: Counter[str] = Counter()
    for doc in primaries:
        for index, task in enumerate(doc.tasks):
            events = task_to_events(doc, index, task, stamp)
            if not events:
                undated[task.deadline.kind if task.deadline else "missing"] += 1
            for event in events:
                cal.add_component(event)
            report.events += len(events)
    report.undated = dict(sorted(undated.items()))
    return cal, report


def write_calendar(docs: Iterable[Document], out: Path) -> CalendarReport:
    """Given Documents, write their task deadlines to the .ics file ``out``; return the report."""
    cal, report = documents_to_calendar(docs)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(cal.to_ical())
    return report
