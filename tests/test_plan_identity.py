"""One plan read from several copies counts once; units of different communes are different
rows. Real inputs: the Sơn La plan as born-digital PDF and as old OCR text, two commune plans."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from kehoach.outputs import db
from kehoach.outputs.calendar import documents_to_calendar
from kehoach.outputs.tables import documents_to_tables
from kehoach.pipeline.runner import process_file
from kehoach.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"


@pytest.fixture(scope="module")
def son_la_copies():
    pdf = process_file(ROOT / "samples" / "001-son-la.pdf", Settings(jobs=1))
    old = process_file(ROOT / "samples" / "001-son-la.ocr.txt", Settings(jobs=1, restore=True))
    return pdf, old


@pytest.fixture(scope="module")
def communes():
    return [process_file(UNSEEN / f"{p}.txt", Settings(jobs=1)) for p in ("commune-by-unit", "commune-lists")]


def test_copies_of_one_plan_share_its_id_and_say_what_copy_they_are(son_la_copies):
    pdf, old = son_la_copies
    assert pdf.plan_id and pdf.plan_id == old.plan_id
    assert (pdf.plan_copy.kind, pdf.plan_copy.rank, pdf.plan_copy.quality) == ("born-digital", 0, 1.0)
    assert (old.plan_copy.kind, old.plan_copy.rank) == ("old-ocr-text", 2)
    assert 0 < old.plan_copy.quality < 1


def test_calendar_and_exports_count_the_plan_once(son_la_copies):
    pdf, old = son_la_copies
    _, alone = documents_to_calendar([pdf])
    _, both = documents_to_calendar([old, pdf])
    assert both.events == alone.events and both.copies_skipped == 1
    tables = documents_to_tables([old, pdf])
    assert len(tables["tasks"]) == len(pdf.tasks)
    assert [(r["copy_kind"], r["primary_copy"]) for r in tables["documents"]] == [
        ("old-ocr-text", False), ("born-digital", True)]
    assert len(documents_to_tables([old, pdf], all_copies=True)["tasks"]) == len(pdf.tasks) + len(old.tasks)


def test_database_keeps_copies_views_count_plans_and_units_by_commune(tmp_path, son_la_copies, communes):
    engine = db.url_to_engine(f"sqlite:///{tmp_path / 'k.db'}")
    pdf, old = son_la_copies
    report = db.load_documents([("old", old), ("pdf", pdf), *[(d.source.path, d) for d in communes]], engine=engine)
    assert report.ok
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.documents)).scalar_one() == 4
        assert conn.execute(text("SELECT count(*) FROM plans")).scalar_one() == 3
        assert conn.execute(text("SELECT source_kind FROM plans WHERE plan_id = :p"),
                            {"p": pdf.plan_id}).scalar_one() == "pdf"
        assert conn.execute(text("SELECT count(*) FROM plan_tasks")).scalar_one() == (
            len(pdf.tasks) + sum(len(d.tasks) for d in communes))
        police = conn.execute(select(db.units.c.place, db.units.c.kind, db.units.c.level)
                              .where(db.units.c.name == "Công an xã").order_by(db.units.c.place)).all()
        assert police == [("Hưng Lộc", "Công an", "xã"), ("Nam Đàn", "Công an", "xã")]
        no_kind = conn.execute(select(func.count()).select_from(db.units)
                               .where(db.units.c.known, db.units.c.kind.is_(None))).scalar_one()
        assert no_kind == 0
    engine.dispose()
