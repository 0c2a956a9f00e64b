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


def due_of(kind: Optional[str], end_iso: Optional[str], as_of: dt.date) -> str:
    """Given a deadline's kind and last day (ISO) and the date, return when the task is due:
    'overdue' (the deadline ended before the date), 'month' (by the end of this month),
    'quarter' (later this quarter), 'later', 'recurring', or 'undated'."""
    if kind == "recurring":
        return "recurring"
    try:
        end = dt.date.fromisoformat(str(end_iso)[:10]) if end_iso else None
    except ValueError:
        end = None
    if end is None:
        return "undated"
    if end < as_of:
        return "overdue"
    if end <= month_end(as_of):
        return "month"
    return "quarter" if end <= quarter_end(as_of) else "later"


def task_due(task: Task, as_of: dt.date) -> str:
    d = task.deadline
    return due_of(d.kind if d else None, d.end if d else None, as_of)


def unit_label(name: str, place: Optional[str]) -> str:
    """A unit as the report names it: its name, and its place when the name does not say it
    ('Công an xã' of two communes are two units)."""
    from ..core.folding import fold

    if place and fold(place) not in fold(name):
        return f"{name} ({place})"
    return name


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
    kind: Optional[str]
    end: Optional[str]
    reviewed: bool
    due: str = ""


@dataclass
class PlanRows:
    """One plan as the report reads it (from a record or from a database)."""

    label: str
    record: str
    title: str
    issuer: str
    review: str
    tasks: list[TaskRow]
    targets: list[dict]
    n_targets: int = 0


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


def documents_to_plans(docs: Iterable[tuple[str, Document]]) -> tuple[list[PlanRows], int]:
    """Given (record name, Document) pairs, return each plan's rows (its primary copy) and
    how many other copies were left out."""
    from ..extract.plan_identity import primary_copies

    docs = list(docs)
    names = {id(d): n for n, d in docs}
    primary = primary_copies([d for _, d in docs])
    plans = []
    for doc in primary:
        name = names[id(doc)]
        label = doc.metadata.number or doc.metadata.title or name
        tasks = [TaskRow(plan=label, record=name, item_id=t.id, ordinal=t.ordinal, text=t.text,
                         lead=[unit_label(u.name, u.place) for u in t.lead_units] or [NO_UNIT],
                         deadline=t.deadline.raw if t.deadline else "",
                         kind=t.deadline.kind if t.deadline else None,
                         end=t.deadline.end if t.deadline else None, reviewed=t.reviewed)
                 for t in doc.tasks]
        targets = [{"plan": label, "record": name, "item_id": t.id, "text": t.text,
                    "year": v.year if v else None, "value": v.raw if v else ""}
                   for t in doc.targets for v in (t.values or [None])]
        plans.append(PlanRows(label, name, doc.metadata.title or "", doc.metadata.issuer or "",
                              doc.review.status if doc.review else "not-reviewed", tasks, targets,
                              len(doc.targets)))
    return plans, len(docs) - len(primary)


def database_to_plans(url: str) -> tuple[list[PlanRows], int]:
    """Given a database loaded by ``kehoach load``, return each plan's rows (primary copies)
    and how many other copies were left out."""
    from sqlalchemy import text

    from .db import url_to_engine

    engine = url_to_engine(url)
    try:
        with engine.connect() as conn:
            docs = conn.execute(text(
                "SELECT id, number, title, issuer, record_path, source_path, review_status, primary_copy "
                "FROM documents ORDER BY id")).mappings().all()
            tasks = conn.execute(text(
                "SELECT id, document_id, item_key, ordinal, text, deadline_raw, deadline_kind, "
                "deadline_end, reviewed FROM tasks ORDER BY document_id, position")).mappings().all()
            leads = conn.execute(text(
                "SELECT tu.item_id, u.name, u.place FROM task_units tu JOIN units u ON u.id = tu.unit_id "
                "WHERE tu.role = 'lead' ORDER BY tu.item_id, tu.position")).mappings().all()
            values = conn.execute(text(
                "SELECT t.id AS target_id, t.document_id, t.item_key, t.text, v.year, v.raw FROM targets t "
                "LEFT JOIN target_values v ON v.target_id = t.id "
                "ORDER BY t.document_id, t.position, v.position")).mappings().all()
    finally:
        engine.dispose()
    lead_of: dict[int, list[str]] = defaultdict(list)
    for r in leads:
        lead_of[r["item_id"]].append(unit_label(r["name"], r["place"]))
    plans = []
    for d in docs:
        if not d["primary_copy"]:
            continue
        path = d["record_path"] or d["source_path"] or str(d["id"])
        name = Path(path).name.removesuffix(".json")
        label = d["number"] or d["title"] or name
        rows = [TaskRow(plan=label, record=name, item_id=t["item_key"], ordinal=t["ordinal"],
                        text=t["text"], lead=lead_of.get(t["id"]) or [NO_UNIT],
                        deadline=t["deadline_raw"] or "", kind=t["deadline_kind"],
                        end=str(t["deadline_end"]) if t["deadline_end"] else None,
                        reviewed=bool(t["reviewed"]))
                for t in tasks if t["document_id"] == d["id"]]
        targets = [{"plan": label, "record": name, "item_id": v["item_key"], "text": v["text"],
                    "year": v["year"], "value": v["raw"] or ""}
                   for v in values if v["document_id"] == d["id"]]
        plans.append(PlanRows(label, name, d["title"] or "", d["issuer"] or "",
                              d["review_status"] or "not-reviewed", rows, targets,
                              len({v["target_id"] for v in values if v["document_id"] == d["id"]})))
    return plans, sum(not d["primary_copy"] for d in docs)


def plans_to_report(plans: list[PlanRows], as_of: dt.date, copies_left_out: int = 0) -> Report:
    """Given the plans' rows and the date, return the report's figures."""
    report = Report(as_of=as_of, copies_left_out=copies_left_out)
    by_unit: dict[str, Counts] = defaultdict(Counts)
    months: Counter[str] = Counter()
    for plan in plans:
        counts = Counts()
        for row in plan.tasks:
            row.due = due_of(row.kind, row.end, as_of)
            counts.add(row.due)
            report.total.add(row.due)
            for unit in dict.fromkeys(row.lead):
                by_unit[unit].add(row.due)
            if row.end and row.due not in ("recurring", "undated"):
                months[row.end[:7]] += 1
            report.tasks.append(row)
        report.targets.extend(plan.targets)
        report.plans.append({"label": plan.label, "record": plan.record, "title": plan.title,
                             "issuer": plan.issuer, "counts": counts, "targets": plan.n_targets,
                             "review": plan.review})
    report.units = sorted(by_unit.items(), key=lambda kv: (-kv[1].tasks, kv[0]))
    report.months = sorted(months.items())
    report.targets.sort(key=lambda t: (t["year"] or 9999, t["plan"]))
    return report


def documents_to_report(docs: Iterable[tuple[str, Document]], as_of: dt.date) -> Report:
    """Given (record name, Document) pairs and the date, return the report's figures."""
    plans, left_out = documents_to_plans(docs)
    return plans_to_report(plans, as_of, left_out)


def write_xlsx(report: Report, out: Path) -> Path:
    """Write the report's tables as a workbook (plan text stays text: no formulas)."""
    from openpyxl import Workbook

    from .cells import is_formula_like, text_to_xlsx_text

    wb = Workbook()
    sheets = {
        "Theo kế hoạch": (["Kế hoạch", "Trích yếu", "Cơ quan ban hành", "Nhiệm vụ", "Trong tháng",
                           "Trong quý", "Quá hạn", "Định kỳ", "Không có ngày", "Chỉ tiêu", "Rà soát"],
                          [[p["label"], p["title"], p["issuer"], p["counts"].tasks, p["counts"].month,
                            p["counts"].quarter, p["counts"].overdue, p["counts"].recurring,
                            p["counts"].undated, p["targets"], p["review"]] for p in report.plans]),
        "Theo đơn vị chủ trì": (["Đơn vị chủ trì", "Nhiệm vụ", "Trong tháng", "Trong quý", "Quá hạn",
                                 "Định kỳ", "Không có ngày"],
                                [[u, c.tasks, c.month, c.quarter, c.overdue, c.recurring, c.undated]
                                 for u, c in report.units]),
        "Nhiệm vụ": (["Kế hoạch", "STT", "Nhiệm vụ", "Chủ trì", "Thời hạn", "Hết hạn", "Tình trạng hạn",
                      "Đã rà soát", "Mã mục"],
                     [[t.plan, t.ordinal, t.text, "; ".join(t.lead), t.deadline, t.end, DUE_VI[t.due],
                       t.reviewed, t.item_id] for t in report.tasks]),
        "Chỉ tiêu theo năm": (["Năm", "Kế hoạch", "Chỉ tiêu", "Giá trị", "Mã mục"],
                              [[t["year"], t["plan"], t["text"], t["value"], t["item_id"]]
                               for t in report.targets]),
    }
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append([text_to_xlsx_text(v) if isinstance(v, str) else v for v in row])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    wb.save(out)
    return out


DUE_VI = {"overdue": "quá hạn", "month": "trong tháng", "quarter": "trong quý", "later": "sau quý này",
          "recurring": "định kỳ", "undated": "không có ngày"}


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
