"""``kehoach report``: what the plans ask of whom and by when, for a date.

From the records of a folder (reviewers' corrections included: the records hold them), one
plan counted once across its copies (its primary copy, extract.plan_identity): per plan and
per lead unit, the tasks due this month, due this quarter, overdue (their deadline ended
before the date; the records cannot say whether the work was done), recurring and without a
date; the targets by year with their values; a chart of tasks per lead unit and a timeline of
deadlines by month; each task linked back to its review page. No expected file is needed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..schema import Document
from ..schema.models import Task

TEMPLATE_DIR = Path(__file__).with_name("templates")
NO_UNIT = "(chưa rõ đơn vị chủ trì)"


def quarter_end(day: dt.date) -> dt.date:
    q_last_month = ((day.month - 1) // 3 + 1) * 3
    return (dt.date(day.year + (q_last_month == 12), 1 if q_last_month == 12 else q_last_month + 1, 1)
            - dt.timedelta(days=1))


def month_end(day: dt.date) -> dt.date:
    return (dt.date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1)
            - dt.timedelta(days=1))


def task_due(task: Task, as_of: dt.date) -> str:
    """Given a task and the date, return when it is due: 'overdue' (its deadline ended
    before the date), 'month' (by the end of this month), 'quarter' (later this quarter),
    'later', 'recurring', or 'undated'."""
    d = task.deadline
    if d is not None and d.kind == "recurring":
        return "recurring"
    try:
        end = dt.date.fromisoformat(d.end) if d is not None and d.end else None
    except ValueError:
        end = None
    if end is None:
        return "undated"
    if end < as_of:
        return "overdue"
    if end <= month_end(as_of):
        return "month"
    return "quarter" if end <= quarter_end(as_of) else "later"


def unit_label(unit) -> str:
    """A unit as the report names it: its name, and its place when the name does not say it
    ('Công an xã' of two communes are two units)."""
    from ..core.folding import fold

    if unit.place and fold(unit.place) not in fold(unit.name):
        return f"{unit.name} ({unit.place})"
    return unit.name


@dataclass
class Counts:
    tasks: int = 0
    overdue: int = 0
    month: int = 0      # due by the end of this month (not overdue)
    quarter: int = 0    # due by the end of this quarter (this month's included)
    recurring: int = 0
    undated: int = 0

    def add(self, due: str) -> None:
        self.tasks += 1
        if due == "overdue":
            self.overdue += 1
        elif due in ("month", "quarter"):
            self.quarter += 1
            self.month += due == "month"
        elif due == "recurring":
            self.recurring += 1
        elif due == "undated":
            self.undated += 1


@dataclass
class TaskRow:
    plan: str
    record: str
    item_id: Optional[str]
    ordinal: Optional[str]
    text: str
    lead: list[str]
    deadline: str
    end: Optional[str]
    due: str
    reviewed: bool


@dataclass
class Report:
    as_of: dt.date
    plans: list[dict] = field(default_factory=list)
    units: list[tuple[str, Counts]] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)
    tasks: list[TaskRow] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    months: list[tuple[str, int]] = field(default_factory=list)
    copies_left_out: int = 0


def documents_to_report(docs: Iterable[tuple[str, Document]], as_of: dt.date) -> Report:
    """Given (record name, Document) pairs and the date, return the report's figures."""
    from ..extract.plan_identity import primary_copies

    docs = list(docs)
    names = {id(d): n for n, d in docs}
    primary = primary_copies([d for _, d in docs])
    report = Report(as_of=as_of, copies_left_out=len(docs) - len(primary))
    by_unit: dict[str, Counts] = defaultdict(Counts)
    months: Counter[str] = Counter()
    for doc in primary:
        name = names[id(doc)]
        label = doc.number or doc.title or name
        counts = Counts()
        for task in doc.tasks:
            due = task_due(task, as_of)
            counts.add(due)
            report.total.add(due)
            lead = [unit_label(u) for u in task.lead_units] or [NO_UNIT]
            for unit in dict.fromkeys(lead):
                by_unit[unit].add(due)
            d = task.deadline
            if d is not None and d.end and due != "recurring":
                months[d.end[:7]] += 1
            report.tasks.append(TaskRow(plan=label, record=name, item_id=task.id, ordinal=task.ordinal,
                                        text=task.text, lead=lead, deadline=d.raw if d else "",
                                        end=d.end if d else None, due=due, reviewed=task.reviewed))
        for target in doc.targets:
            for v in target.values or [None]:
                report.targets.append({"plan": label, "record": name, "item_id": target.id,
                                       "text": target.text, "year": v.year if v else None,
                                       "value": v.raw if v else "", "comparator": v.comparator if v else None})
        report.plans.append({"label": label, "record": name, "title": doc.title or "",
                             "issuer": doc.issuer or "", "counts": counts, "targets": len(doc.targets),
                             "review": doc.review.status if doc.review else "not-reviewed"})
    report.units = sorted(by_unit.items(), key=lambda kv: (-kv[1].tasks, kv[0]))
    report.months = sorted(months.items())
    report.targets.sort(key=lambda t: (t["year"] or 9999, t["plan"]))
    return report


def write_report(report: Report, out: Path, review_url: str) -> Path:
    """Write the report as one self-contained HTML file (charts are inline SVG)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html"]))
    env.globals["quote"] = lambda s: quote(s or "", safe="")
    html = env.get_template("report.html").render(
        r=report, review_url=review_url.rstrip("/"),
        max_unit=max((c.tasks for _, c in report.units), default=1),
        max_month=max((n for _, n in report.months), default=1))
    out.write_text(html, encoding="utf-8")
    return out
