"""Task deadlines as an RFC 5545 calendar: it parses, has one event per dated deadline."""
from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from kehoach.outputs import calendar
from kehoach.schema.models import Deadline


@pytest.fixture(scope="module")
def ics(gold, tmp_path_factory):
    path = tmp_path_factory.mktemp("cal") / "deadlines.ics"
    report = calendar.write_calendar(gold.values(), path)
    return path, report


def _dated(task) -> bool:
    d = task.deadline
    return bool(d and d.kind not in ("recurring", "conditional", "none") and d.end)


def test_calendar_parses_with_one_event_per_dated_task(gold, ics):
    path, report = ics
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = cal.walk("VEVENT")
    n_dated = sum(_dated(t) for d in gold.values() for t in d.tasks)
    assert len(events) == report.events == n_dated
    assert sum(report.undated.values()) == sum(len(d.tasks) for d in gold.values()) - n_dated
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_event_carries_due_date_units_and_document_number(ics):
    path, _ = ics
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    finance = [e for e in events if "Chủ trì: Sở Tài chính" in str(e["DESCRIPTION"])]
    assert finance, "Sơn La's task led by Sở Tài chính is due 12/2025"
    event = finance[0]
    assert event.decoded("DTSTART") == dt.date(2025, 12, 31)
    assert event.decoded("DTEND") == dt.date(2026, 1, 1)
    assert "Văn bản: 169/KH-UBND" in str(event["DESCRIPTION"])
    assert len(str(event["SUMMARY"])) <= calendar.SUMMARY_CHARS


def test_file_obeys_rfc5545_line_rules(ics):
    path, _ = ics
    raw = path.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR" and lines[-1] == b""
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a multi-byte character


@pytest.mark.parametrize("deadline, expected", [
    (Deadline(raw="Hoàn thành trong tháng 7 năm 2025", kind="month", start="2025-07-01", end="2025-07-31"),
     [dt.date(2025, 7, 31)]),
    (Deadline(raw="trước ngày 15/12/2025", kind="date", start="2025-12-15", end="2025-12-15"),
     [dt.date(2025, 12, 15)]),
    (Deadline(raw="Thường xuyên", kind="recurring"), []),
    (Deadline(raw="Khi có yêu cầu", kind="conditional"), []),
    (Deadline(raw="Cấp xã 15/8/2025; Cấp tỉnh trong năm 2025", kind="multiple", start="2025-08-15",
              end="2025-12-31",
              parts=[Deadline(raw="Cấp xã 15/8/2025", kind="date", start="2025-08-15", end="2025-08-15"),
                     Deadline(raw="Cấp tỉnh trong năm 2025", kind="year", start="2025-01-01", end="2025-12-31")]),
     [dt.date(2025, 8, 15), dt.date(2025, 12, 31)]),
    (Deadline(raw="Cấp xã 15/8/2025; Cấp tỉnh trong năm 2025", kind="multiple", start="2025-08-15",
              end="2025-12-31"), [dt.date(2025, 12, 31)]),
])
def test_deadline_to_due_dates(deadline, expected):
    assert [d for d, _ in calendar.deadline_to_due_dates(deadline)] == expected


@pytest.mark.parametrize("text, limit, expected", [
    ("Thành lập Ban Chỉ đạo", 80, "Thành lập Ban Chỉ đạo"),
    ("Thành lập Ban Chỉ đạo do đồng chí Bí thư Đảng ủy làm Trưởng ban", 30, "Thành lập Ban Chỉ đạo do đồng…"),
    ("Tiếp tục thực hiện rà soát, đánh giá, nâng cấp", 30, "Tiếp tục thực hiện rà soát…"),
])
def test_shorten_cuts_at_word_boundary(text, limit, expected):
    assert calendar.shorten(text, limit) == expected


def test_cli_calendar_writes_parsable_file(gold, tmp_path, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = write_out_dir(tmp_path / "out", gold)
    ics_path = tmp_path / "deadlines.ics"
    result = CliRunner().invoke(app, ["calendar", str(out), "--out", str(ics_path)])
    assert result.exit_code == 0, result.output
    events = icalendar.Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")
    assert f"{len(events)} events from 4 documents" in result.output
    assert "recurring" in result.output  # undated tasks are counted, not silently dropped
