"""Loading records into SQLite and a real PostgreSQL server (started by a fixture)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from kehoach.outputs import db
from kehoach.schema import Document
from kehoach.schema.models import Deadline, TargetValue

REPO = Path(__file__).resolve().parents[1]
PG_SCRIPT = REPO / "scripts" / "postgres-test-server.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on loopback: $KEHOACH_TEST_PG_URL, or one started for the session."""
    if os.environ.get("KEHOACH_TEST_PG_URL"):
        yield os.environ["KEHOACH_TEST_PG_URL"]
        return
    base = tempfile.mkdtemp(prefix="kehoach-pg-")
    os.chmod(base, 0o755)  # the server runs as user postgres when we are root
    data = os.path.join(base, "data")
    proc = subprocess.run([str(PG_SCRIPT), "start", data, str(_free_port())], capture_output=True, text=True)
    if proc.returncode == 3:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"cannot run PostgreSQL here: {proc.stderr.strip()}")
    if proc.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL test server did not start:\n{proc.stderr}")
    try:
        yield proc.stdout.strip()
    finally:
        subprocess.run([str(PG_SCRIPT), "stop", data], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """An empty kehoach database on each backend."""
    if request.param == "sqlite":
        eng = db.url_to_engine(f"sqlite:///{tmp_path / 'k.db'}")
    else:
        eng = db.url_to_engine(request.getfixturevalue("postgres_url"))
        db.drop_schema(eng)
    yield eng
    eng.dispose()


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


_SURROGATE = {"id", "loaded_at", "document_id", "item_id", "target_id"}


def _snapshot(engine) -> dict[str, list]:
    """Every row of every table without surrogate keys and load times, for before/after equality."""
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            cols = [c for c in table.c if c.name not in _SURROGATE]
            out[table.name] = sorted(map(repr, conn.execute(select(*cols)).all()))
    return out


def _load(engine, docs) -> db.LoadReport:
    return db.load_documents([(k, d) for k, d in docs.items()], engine=engine)


def test_load_gold_counts_every_row(engine, gold):
    report = _load(engine, gold)
    assert report.ok and len(report.loaded) == 4 and report.replaced == []
    assert _count(engine, db.documents) == 4
    assert _count(engine, db.tasks) == report.tasks == sum(len(d.tasks) for d in gold.values())
    assert _count(engine, db.targets) == sum(len(d.targets) for d in gold.values())
    assert _count(engine, db.target_values) == sum(len(t.values) for d in gold.values() for t in d.targets)
    assert _count(engine, db.document_references) == sum(len(d.metadata.references) for d in gold.values())
    n_links = sum(len(t.lead_units) + len(t.cooperating_units) for d in gold.values() for t in d.tasks)
    assert _count(engine, db.task_units) == n_links


def test_tasks_due_in_december_2025_with_lead_unit(engine, gold):
    _load(engine, gold)
    t, tu, u, d = db.tasks, db.task_units, db.units, db.documents
    query = (
        select(d.c.source_path, t.c.position, u.c.name)
        .join(d, d.c.id == t.c.document_id)
        .join(tu, (tu.c.item_id == t.c.id) & (tu.c.role == "lead"))
        .join(u, u.c.id == tu.c.unit_id)
        .where(t.c.deadline_end.between(dt.date(2025, 12, 1), dt.date(2025, 12, 31)))
    )
    with engine.connect() as conn:
        got = set(conn.execute(query).all())
    expected = {
        (doc.source.path, i, unit.name)
        for doc in gold.values() for i, task in enumerate(doc.tasks)
        if task.deadline and (task.deadline.end or "").startswith("2025-12") for unit in task.lead_units
    }
    assert got == expected
    assert len(got) >= 20  # the gold plans have many December 2025 deadlines
    assert any(path == "001-son-la.records.json" and name == "Sở Tài chính" for path, _, name in got)


def test_reload_replaces_without_duplicates(engine, gold):
    _load(engine, gold)
    before = _snapshot(engine)
    report = _load(engine, gold)
    assert report.loaded == [] and len(report.replaced) == 4
    assert _snapshot(engine) == before
    assert _count(engine, db.units) == len({u.name for d in gold.values() for i in d.tasks + d.targets
                                            for u in i.lead_units + i.cooperating_units})


def test_reload_of_changed_record_replaces_its_rows(engine, gold):
    _load(engine, gold)
    doc = gold["004-tan-ky"].model_copy(deep=True)
    doc.tasks = doc.tasks[:3]
    report = db.load_documents([("004-tan-ky", doc)], engine=engine)
    assert report.replaced == ["004-tan-ky"]
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(db.tasks).join(db.documents)
                         .where(db.documents.c.number == "10-KH/ĐU")).scalar_one()
    assert n == 3


def test_failed_document_leaves_database_as_it_was(engine, gold):
    _load(engine, gold)
    before = _snapshot(engine)
    broken = gold["004-tan-ky"].model_copy(deep=True)
    broken.tasks = broken.tasks[:1]  # would delete rows if the transaction were not atomic
    broken.targets[-1].values.append(TargetValue(year=10**20, raw="garbled OCR year"))
    fresh = gold["003-xa"].model_copy(deep=True)
    fresh.source.sha256 = "f" * 64
    fresh.targets[0].values = [TargetValue(year=10**20, raw="garbled OCR year")]
    report = db.load_documents([("broken", broken), ("fresh", fresh)], engine=engine)
    assert [f.path for f in report.failed] == ["broken", "fresh"]
    assert report.loaded == [] and report.replaced == []
    assert _snapshot(engine) == before


def test_unparsable_deadline_date_is_kept_as_warning(engine, gold):
    doc = gold["003-xa"].model_copy(deep=True)
    doc.tasks[0].deadline = Deadline(raw="30/02/2025", kind="date", start="2025-02-30", end="2025-02-30")
    db.load_documents([("x", doc)], engine=engine)
    with engine.connect() as conn:
        row = conn.execute(select(db.tasks.c.deadline_raw, db.tasks.c.deadline_end)
                           .where(db.tasks.c.position == 0)).one()
        messages = conn.execute(select(db.warnings.c.message).where(db.warnings.c.item_kind == "task")).scalars().all()
    assert row == ("30/02/2025", None)
    assert any("2025-02-30" in m for m in messages)


def test_long_garbled_values_load_on_every_backend(engine, gold):
    """OCR garbage can be long; free-text columns must not have a backend-dependent length cap."""
    doc = gold["003-xa"].model_copy(deep=True)
    doc.metadata.number = "169/KH-UBND " + "ỹ" * 600
    task = next(t for t in doc.tasks if t.lead_units)
    task.ordinal = "1." * 200
    task.lead_units[0].name = "Phòng " + "Văn hóa - Xã hội " * 80
    report = db.load_documents([("long", doc)], engine=engine)
    assert report.ok, report.failed
    with engine.connect() as conn:
        assert conn.execute(select(db.documents.c.number)).scalar_one() == doc.metadata.number


def test_indexes_on_queried_columns(engine, gold):
    db.create_schema(engine)
    insp = inspect(engine)
    indexed = {(t, tuple(ix["column_names"])) for t in ("tasks", "documents", "task_units")
               for ix in insp.get_indexes(t)}
    assert ("tasks", ("deadline_end",)) in indexed
    assert ("task_units", ("unit_id",)) in indexed
    assert ("documents", ("number",)) in indexed
    fks = {fk["referred_table"] for fk in insp.get_foreign_keys("task_units")}
    assert fks == {"tasks", "units"}


def test_load_records_skips_error_records_and_reports_bad_files(tmp_path, gold, write_out_dir):
    out = write_out_dir(tmp_path / "out", gold)
    (out / "broken-scan.error.json").write_text(
        '{"status": "failure", "source": {"path": "x.pdf"}, "error": {"code": "E", "message": "m"}}', encoding="utf-8")
    (out / "truncated.json").write_text('{"source": ', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'k.db'}"
    report = db.load_records([out], url)
    assert report.error_records == 1
    assert [Path(f.path).name for f in report.failed] == ["truncated.json"]
    assert len(report.loaded) == 4


def test_postgres_url_without_driver_uses_psycopg2():
    assert db.url_with_driver("postgresql://u:p@h:5/db") == "postgresql+psycopg2://u:p@h:5/db"
    assert db.url_with_driver("sqlite:///k.db") == "sqlite:///k.db"


def test_cli_load_twice_replaces_and_counts(tmp_path, gold, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = write_out_dir(tmp_path / "out", gold)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = CliRunner().invoke(app, ["load", str(out), "--db", url])
    second = CliRunner().invoke(app, ["load", str(out), "--db", url])
    assert first.exit_code == 0 and "4 loaded, 0 replaced, 0 failed" in first.output
    assert second.exit_code == 0 and "0 loaded, 4 replaced, 0 failed" in second.output
    eng = db.url_to_engine(url)
    assert _count(eng, db.tasks) == sum(len(d.tasks) for d in gold.values())
    eng.dispose()


def test_cli_load_reports_bad_record_with_exit_1(tmp_path, gold, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = write_out_dir(tmp_path / "out", {"003-xa": gold["003-xa"]})
    (out / "bad.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(out), "--db", f"sqlite:///{tmp_path / 'k.db'}"])
    assert result.exit_code == 1
    assert "1 loaded, 0 replaced, 1 failed" in result.output


def _pipeline_like_document() -> Document:
    """A record as the pipeline writes it: pages, provenance boxes, warnings, deadline parts."""
    unit = {"raw": "Sở TT&TT", "name": "Sở Khoa học và Công nghệ", "known": True}
    return Document.model_validate({
        "source": {"path": "in/169-KH-UBND.pdf", "sha256": "a" * 64, "kind": "pdf", "pages": 2},
        "status": "partial", "number": "169/KH-UBND",
        "pages": [
            {"number": 1, "method": "text", "width": 595.0, "height": 842.0, "decision": "text layer ok"},
            {"number": 2, "method": "ocr", "confidence": 71.5, "dpi": 300,
             "error": {"code": "page-timeout", "message": "page 2 timed out", "page": 2, "stage": "ocr"}},
        ],
        "warnings": [{"stage": "ocr", "message": "page 2: 3 OCR words read as scan specks", "page": 2}],
        "errors": [{"code": "page-timeout", "message": "page 2 timed out", "page": 2, "stage": "ocr"}],
        "tasks": [{
            "ordinal": "a", "text": "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
            "deadline": {"raw": "Cấp xã 15/8/2025; Cấp tỉnh trong năm 2025", "kind": "multiple",
                         "start": "2025-08-15", "end": "2025-12-31",
                         "parts": [{"raw": "Cấp xã 15/8/2025", "kind": "date", "start": "2025-08-15", "end": "2025-08-15"}]},
            "lead_units": [unit], "cooperating_units": [unit],
            "provenance": {"page": 1, "bbox": [56.0, 400.5, 540.0, 430.0], "source": "Số hóa hồ sơ", "line_start": 12, "line_end": 13},
            "confidence": 0.8, "warnings": ["unit 'Sở TT&TT' renamed by registry"],
        }],
    })


def test_pipeline_record_columns_round_trip(engine):
    report = db.load_documents([("169.json", _pipeline_like_document())], engine=engine)
    assert report.ok
    with engine.connect() as conn:
        task = conn.execute(select(db.tasks)).mappings().one()
        links = conn.execute(select(db.task_units.c.role, db.task_units.c.raw)).all()
        pages = conn.execute(select(db.pages.c.number, db.pages.c.method, db.pages.c.confidence,
                                    db.pages.c.error).order_by(db.pages.c.number)).all()
        warns = conn.execute(select(db.warnings.c.stage, db.warnings.c.item_kind, db.warnings.c.page)
                             .order_by(db.warnings.c.stage)).all()
        error = conn.execute(select(db.document_errors.c.code, db.document_errors.c.page)).one()
    assert task["bbox"] == [56.0, 400.5, 540.0, 430.0]  # a JSON column (jsonb on PostgreSQL)
    assert (task["page"], task["line_start"], task["line_end"], task["confidence"]) == (1, 12, 13, 0.8)
    assert task["deadline_end"] == dt.date(2025, 12, 31)
    assert task["deadline_parts"][0]["end"] == "2025-08-15"
    assert sorted(links) == [("cooperating", "Sở TT&TT"), ("lead", "Sở TT&TT")]
    assert _count(engine, db.units) == 1
    assert pages == [(1, "text", None, None), (2, "ocr", 71.5, "page-timeout: page 2 timed out")]
    assert warns == [("item", "task", 1), ("ocr", None, 2)]
    assert error == ("page-timeout", 2)


def test_unreachable_database_is_a_named_error_with_hint(tmp_path, gold, write_out_dir):
    from typer.testing import CliRunner

    from kehoach.cli import app

    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres"  # nothing listens there
    with pytest.raises(db.DatabaseUnavailable, match="cannot open database"):
        db.load_documents([("x", gold["003-xa"])], url)
    out = write_out_dir(tmp_path / "out", {"003-xa": gold["003-xa"]})
    result = CliRunner().invoke(app, ["load", str(out), "--db", url])
    assert result.exit_code == 1
    assert "cannot open database" in result.output and "start the server or fix --db" in result.output


# --- for BI tools: views, real dates, jsonb, comments, labels, stable ids, migrations ---

FIXTURES = REPO / "tests" / "fixtures" / "db"


def _with_ids(doc: Document, issued: str | None = None) -> Document:
    """A gold record as extraction now leaves it: stable item and document ids."""
    from kehoach.extract.item_ids import assign_item_ids, document_id_of

    doc = doc.model_copy(deep=True)
    assign_item_ids(doc)
    doc.doc_id = document_id_of(doc)
    if issued:
        doc.metadata.issued_date = issued
    return doc


def _schema_1_database(backend: str, tmp_path, request):
    """An engine on a database as kehoach left it before its schema was versioned (the dump
    tests/fixtures/db/schema-1.<backend>.sql, made by that version's loader)."""
    if backend == "sqlite":
        import sqlite3

        path = tmp_path / "old.db"
        with sqlite3.connect(path) as conn:
            conn.executescript((FIXTURES / "schema-1.sqlite.sql").read_text("utf-8"))
        return db.url_to_engine(f"sqlite:///{path}")
    eng = db.url_to_engine(request.getfixturevalue("postgres_url"))
    db.drop_schema(eng)
    with eng.begin() as conn:
        conn.exec_driver_sql((FIXTURES / "schema-1.postgresql.sql").read_text("utf-8").replace("%", "%%"))
    return eng


def _rows(engine, sql: str) -> list:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_views_read_as_tables_with_plan_units_deadline_and_status(engine, gold):
    docs = {k: _with_ids(d) for k, d in gold.items()}
    _load(engine, docs)
    tasks = _rows(engine, "SELECT d.sha256, v.item_order, v.text, v.lead_units, v.deadline_end, v.deadline_kind_vi, "
                          "v.deadline_status, v.document_status FROM v_tasks v JOIN documents d ON d.id = v.document_id")
    assert len(tasks) == sum(len(d.tasks) for d in docs.values())
    by_key = {(r.sha256, r.item_order): r for r in tasks}
    today = dt.date.today()
    for doc in docs.values():
        for i, task in enumerate(doc.tasks):
            row = by_key[(doc.source.sha256, i + 1)]  # 1-based order
            assert row.text == task.text and row.document_status == doc.status
            assert (row.lead_units or "") == "; ".join(u.name for u in task.lead_units)
            end = dt.date.fromisoformat(task.deadline.end) if task.deadline and task.deadline.end else None
            assert (dt.date.fromisoformat(str(row.deadline_end)) if row.deadline_end else None) == end
            assert row.deadline_status == ("no-date" if end is None else "past" if end < today else "upcoming")
    month = [r for r in tasks if r.deadline_kind_vi == "Tháng"]
    assert month, "Vietnamese labels of deadline kinds are joined in"
    values = _rows(engine, "SELECT count(*) FROM v_targets")[0][0]
    assert values == sum(max(1, len(t.values)) for d in docs.values() for t in d.targets)
    dated = sum(1 for d in docs.values() for i in d.tasks + d.targets if i.deadline and i.deadline.end)
    assert _rows(engine, "SELECT count(*) FROM v_deadlines")[0][0] == dated


def test_issued_date_is_a_date_with_its_precision(engine, gold):
    docs = {"day": _with_ids(gold["003-xa"], "2025-08-12"), "month": _with_ids(gold["001-son-la"], "2025-09"),
            "year": _with_ids(gold["004-tan-ky"], "2025")}
    _load(engine, docs)
    cast = "issued_date::date" if engine.dialect.name == "postgresql" else "date(issued_date)"
    got = {tuple(map(str, r)) for r in _rows(engine, f"SELECT {cast}, issued_date_precision FROM documents")}
    assert got == {("2025-08-12", "day"), ("2025-09-01", "month"), ("2025-01-01", "year")}
    with engine.connect() as conn:
        dates = conn.execute(select(db.documents.c.issued_date)).scalars().all()
    assert all(isinstance(d, dt.date) for d in dates)


def test_postgresql_json_columns_are_jsonb(postgres_url, gold):
    eng = db.url_to_engine(postgres_url)
    db.drop_schema(eng)
    try:
        _load(eng, {"003-xa": _with_ids(gold["003-xa"])})
        doc = _pipeline_like_document()
        db.load_documents([("169.json", doc)], engine=eng)
        kinds = {r[0] for r in _rows(eng, "SELECT pg_typeof(bbox)::text FROM tasks WHERE bbox IS NOT NULL")}
        assert kinds == {"jsonb"}
        assert _rows(eng, "SELECT (bbox->>2)::float, deadline_parts->0->>'end' FROM tasks "
                          "WHERE bbox @> '[56.0]'::jsonb")[0] == (540.0, "2025-08-15")
    finally:
        eng.dispose()


def test_postgresql_comments_on_every_table_view_and_column(postgres_url):
    eng = db.url_to_engine(postgres_url)
    db.drop_schema(eng)
    try:
        db.create_schema(eng)
        missing = _rows(eng, """
            SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
              AND col_description(c.oid, a.attnum) IS NULL""")
        assert missing == []
        relations = _rows(eng, """SELECT c.relname, obj_description(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
            AND c.relkind IN ('r', 'v') AND c.relname <> 'alembic_version'""")
        assert {"v_tasks", "v_targets", "v_deadlines", "documents", "labels"} <= {r[0] for r in relations}
        assert all(r[1] and " — " in r[1] for r in relations), relations  # Vietnamese — English
    finally:
        eng.dispose()


def test_labels_table_names_every_code_in_vietnamese(engine):
    db.create_schema(engine)
    labels = {(r.kind, r.code): r.label_vi for r in _rows(engine, "SELECT kind, code, label_vi FROM labels")}
    assert labels[("deadline_kind", "month")] == "Tháng" and labels[("role", "lead")] == "Chủ trì"
    assert labels[("status", "partial")] and labels[("copy_kind", "scan")] == "Bản quét"


def test_reload_keeps_document_and_item_ids(engine, gold):
    docs = {k: _with_ids(d) for k, d in gold.items()}
    _load(engine, docs)
    ids = lambda: {tuple(r[:-1]): r[-1] for r in _rows(engine, "SELECT d.sha256, t.item_key, t.id FROM tasks t "
                                                                 "JOIN documents d ON d.id = t.document_id")}
    doc_ids = lambda: dict(_rows(engine, "SELECT sha256, id FROM documents"))
    before, before_docs = ids(), doc_ids()
    _load(engine, docs)
    assert ids() == before and doc_ids() == before_docs
    # a record extracted again without its first task: every other task keeps its id
    changed = docs["004-tan-ky"].model_copy(deep=True)
    dropped = changed.tasks.pop(0)
    db.load_documents([("004", changed)], engine=engine)
    after = ids()
    sha = changed.source.sha256
    assert (sha, dropped.id) not in after
    assert {k: v for k, v in before.items() if k != (sha, dropped.id)} == after
    assert doc_ids() == before_docs


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_schema_1_keeps_the_data(backend, tmp_path, request, gold):
    """A database kehoach made before its schema was versioned (fixture: tests/fixtures/db,
    dumped from that version's loader) is upgraded in place by the next load."""

    eng = _schema_1_database(backend, tmp_path, request)
    try:
        before = {t: _rows(eng, f"SELECT count(*) FROM {t}")[0][0]
                  for t in ("documents", "tasks", "targets", "target_values", "task_units", "units", "pages")}
        old_ids = dict(_rows(eng, "SELECT sha256, id FROM documents"))
        old_boxes = sorted(str(r[0]) for r in _rows(eng, "SELECT bbox FROM tasks WHERE bbox IS NOT NULL"))
        db.create_schema(eng)
        with eng.connect() as conn:
            assert db.schema_revision(conn) == db.head_revision()
        assert {t: _rows(eng, f"SELECT count(*) FROM {t}")[0][0] for t in before} == before
        assert before["tasks"] > 20
        dates = {str(r[0]): (str(r[1]), r[2]) for r in _rows(eng, "SELECT number, issued_date, issued_date_precision FROM documents")}
        assert ("2025-09-01", "month") in dates.values()  # '2025-09' as schema 1 stored it
        with eng.connect() as conn:
            boxes = conn.execute(select(db.tasks.c.bbox).where(db.tasks.c.bbox.is_not(None))).scalars().all()
        assert all(isinstance(b, list) and len(b) == 4 for b in boxes) and len(boxes) == len(old_boxes)
        # the upgraded schema is the one a new database gets
        fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}" if backend == "sqlite" else None
        if fresh_url:
            fresh = db.url_to_engine(fresh_url)
            db.create_schema(fresh)
            cols = lambda e: {t: {c["name"] for c in inspect(e).get_columns(t)} for t in db.metadata.tables}
            assert cols(eng) == cols(fresh)
            fresh.dispose()
        else:
            kinds = dict(_rows(eng, "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = 'public' AND column_name IN ('issued_date', 'bbox', 'deadline_parts')"))
            assert kinds == {"documents.issued_date": "date", "tasks.bbox": "jsonb", "targets.bbox": "jsonb",
                             "tasks.deadline_parts": "jsonb", "targets.deadline_parts": "jsonb"} | \
                {k: v for k, v in kinds.items() if k.startswith(("plans.", "plan_", "v_"))}
            assert _rows(eng, "SELECT count(*) FROM v_tasks")[0][0] > 0
        # loading the same records again replaces them in place: the documents keep their ids
        xa = _with_ids(gold["003-xa"], "2025-09")
        report = db.load_documents([("003-xa", xa)], engine=eng)
        assert report.replaced == ["003-xa"]
        assert dict(_rows(eng, "SELECT sha256, id FROM documents")) == old_ids
    finally:
        if backend == "postgresql":
            db.drop_schema(eng)
        eng.dispose()


def _with_document_corrections(doc: Document, name: str) -> Document:
    """A gold record whose own metadata a reviewer corrected (number, issue date, signer's
    name), applied by the corrections store as every run applies it."""
    from kehoach.pipeline import corrections as C

    doc = _with_ids(doc)
    store = C.new_store(doc, name)
    C.correct_document_field(store, doc, "number", "170/KH-UBND", by="lan")
    C.correct_document_field(store, doc, "issued_date", "2025-09-30", by="lan")
    C.correct_document_field(store, doc, "signer", {**doc.metadata.signer.model_dump(mode="json"),
                                                    "name": "Nguyễn Văn An"}, by="lan")
    return C.apply_corrections(doc, store, name)


def _document_review_row(engine, sha256: str):
    extracted = ("extracted_values->>'number', extracted_values->'signer'->>'name'"
                 if engine.dialect.name == "postgresql" else   # jsonb operators
                 "json_extract(extracted_values, '$.number'), json_extract(extracted_values, '$.signer.name')")
    row = _rows(engine, f"SELECT id, number, issued_date, signer_name, signer_title, corrected_fields, "
                        f"review_status, {extracted} FROM documents WHERE sha256 = '{sha256}'")[0]
    return (row[0], row[1], str(row[2]), *row[3:])   # SQLite hands the date back as text


def test_document_corrections_load_with_the_values_they_replaced(engine, gold):
    original = gold["001-son-la"]
    doc = _with_document_corrections(original, "001-son-la")
    _load(engine, {"001-son-la": doc, "003-xa": _with_ids(gold["003-xa"])})
    row = _document_review_row(engine, doc.source.sha256)
    assert tuple(row[1:]) == ("170/KH-UBND", "2025-09-30", "Nguyễn Văn An", original.metadata.signer.title,
                              "issued_date,number,signer", "in-review", "169/KH-UBND", "Nguyễn Thành Công")
    untouched = _document_review_row(engine, gold["003-xa"].source.sha256)
    assert tuple(untouched[5:]) == (None, "not-reviewed", None, None)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_schema_3_keeps_the_data_and_takes_document_corrections(backend, tmp_path, request, gold):
    """A database at schema 3 (the review columns, before a document's own corrections had
    columns), holding reviewed items, is upgraded in place by the next load: every row and
    value it held is kept, and loading a record whose metadata a reviewer corrected fills the
    new columns of its row, which keeps its id."""
    from alembic import command
    from alembic.config import Config

    eng = _schema_1_database(backend, tmp_path, request)
    try:
        with eng.begin() as conn:   # schema 1 -> 3, as kehoach 0003 left it, with review data
            config = Config()
            config.set_main_option("script_location", str(db.MIGRATIONS))
            config.attributes["connection"] = conn
            command.stamp(config, "0001")
            command.upgrade(config, "0003")
            conn.exec_driver_sql("UPDATE documents SET review_status = 'reviewed' WHERE number = '169/KH-UBND'")
            conn.exec_driver_sql("UPDATE tasks SET reviewed = TRUE, corrected_fields = 'deadline' "
                                 "WHERE id IN (SELECT min(id) FROM tasks)")
        with eng.connect() as conn:
            assert db.schema_revision(conn) == "0003"

        def snapshot() -> dict[str, list]:
            from sqlalchemy import MetaData

            old = MetaData()
            old.reflect(eng)
            with eng.connect() as conn:
                return {name: sorted(map(repr, conn.execute(select(*[c for c in table.c if c.name in columns[name]])).all()))
                        for name, table in old.tables.items() if name in columns}

        columns = {t: {c["name"] for c in inspect(eng).get_columns(t)} for t in inspect(eng).get_table_names()
                   if t not in ("alembic_version", "labels")}   # labels: written anew by every set-up
        before = snapshot()
        assert "corrected_fields" not in columns["documents"]
        db.create_schema(eng)
        with eng.connect() as conn:
            assert db.schema_revision(conn) == db.head_revision()
        assert snapshot() == before                       # every row and value kept
        assert {"corrected_fields", "extracted_values"} <= {c["name"] for c in inspect(eng).get_columns("documents")}
        assert _rows(eng, "SELECT count(*) FROM tasks WHERE reviewed AND corrected_fields = 'deadline'")[0][0] == 1
        sha = gold["001-son-la"].source.sha256
        old_id = _document_review_row(eng, sha)[0]
        assert tuple(_document_review_row(eng, sha)[5:]) == (None, "reviewed", None, None)
        report = db.load_documents([("001-son-la", _with_document_corrections(gold["001-son-la"], "001-son-la"))],
                                   engine=eng)
        assert report.replaced == ["001-son-la"]
        row = _document_review_row(eng, sha)
        assert row[0] == old_id
        assert tuple(row[1:]) == ("170/KH-UBND", "2025-09-30", "Nguyễn Văn An",
                                  gold["001-son-la"].metadata.signer.title, "issued_date,number,signer",
                                  "in-review", "169/KH-UBND", "Nguyễn Thành Công")
    finally:
        if backend == "postgresql":
            db.drop_schema(eng)
        eng.dispose()
