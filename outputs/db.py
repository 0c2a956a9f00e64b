"""Load Document records into a relational database (SQLite or PostgreSQL) with SQLAlchemy Core.

Tables: documents, units, tasks, targets, target_values, task_units, target_units,
document_references, warnings, document_errors, pages (a summary per page). Every copy of a
plan (scan, PDF, old OCR text) is a document sharing one ``plan_id``; the views ``plans``,
``plan_tasks``, ``plan_targets`` and ``plan_task_units`` count each plan once (its primary
copy). Units are keyed by identity (name and place), with kind, level and collective. ("references" is an SQL reserved word, so
the references table is ``document_references``: users can query it without quoting.)

Loading is idempotent and transactional per document: a document is identified by
``source.sha256``; loading it again deletes its previous rows and inserts the new ones in
the same transaction, so a failure part-way leaves the database exactly as it was.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterable, Optional

from pydantic import BaseModel, Field
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, UniqueConstraint, create_engine, delete, event, insert,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from ..core.errors import KehoachError
from ..pipeline.record_files import paths_to_documents
from .tables import iso_to_date
from ..schema import Document
from ..schema.models import Deadline, Item, UnitRef

DEFAULT_URL = "sqlite:///kehoach.db"

metadata = MetaData()

# Free-text columns are TEXT, never VARCHAR(n): SQLite ignores lengths and PostgreSQL enforces
# them, so a long OCR-garbled value would load on one backend and fail on the other.

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("source_path", Text, nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("pages", Integer, nullable=False, default=0),
    Column("schema_version", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("plan_id", Text, index=True, doc="shared by every copy of one plan (scan, PDF, old OCR text)"),
    Column("copy_kind", String(16), doc="born-digital, scan or old-ocr-text"),
    Column("copy_rank", Integer),
    Column("copy_quality", Float),
    Column("primary_copy", Boolean, nullable=False, default=True,
           doc="the copy of its plan the views count: best kind, then best read"),
    Column("number", Text, index=True),
    Column("doc_type", Text),
    Column("issuer", Text),
    Column("place", Text),
    Column("issued_date", Text, doc="ISO date, or YYYY-MM / YYYY when only that is printed"),
    Column("title", Text),
    Column("signer_name", Text),
    Column("signer_title", Text),
    Column("record_path", Text, doc="the JSON record file this row was loaded from"),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", Text, nullable=False, unique=True,
           doc="name and place: 'Công an xã' of two communes are two units"),
    Column("name", Text, nullable=False, index=True),
    Column("place", Text, index=True),
    Column("kind", Text, index=True),
    Column("level", Text),
    Column("collective", Boolean, nullable=False, default=False),
    Column("known", Boolean, nullable=False, default=True),
)

# Views that count each plan once: its primary copy (documents.primary_copy).
VIEWS = {
    "plans": "SELECT * FROM documents WHERE primary_copy",
    "plan_tasks": "SELECT t.* FROM tasks t JOIN documents d ON d.id = t.document_id WHERE d.primary_copy",
    "plan_targets": "SELECT t.* FROM targets t JOIN documents d ON d.id = t.document_id WHERE d.primary_copy",
    "plan_task_units": (
        "SELECT d.plan_id, t.id AS task_id, tu.role, u.name, u.place, u.kind, u.level, u.collective, u.known "
        "FROM task_units tu JOIN tasks t ON t.id = tu.item_id JOIN documents d ON d.id = t.document_id "
        "JOIN units u ON u.id = tu.unit_id WHERE d.primary_copy"),
}


def _item_columns() -> list[Column]:
    """Return the columns tasks and targets share (fresh objects for each table)."""
    return [
        Column("id", Integer, primary_key=True),
        Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("position", Integer, nullable=False, doc="0-based order in the document"),
        Column("ordinal", Text),
        Column("section", Text),
        Column("appendix", Text),
        Column("text", Text, nullable=False),
        Column("notes", Text),
        Column("deadline_raw", Text),
        Column("deadline_kind", String(16)),
        Column("deadline_start", Date),
        Column("deadline_end", Date),
        Column("deadline_year_inferred", Boolean),
        Column("deadline_parts", Text, doc="kind=multiple: JSON list of the parts"),
        Column("page", Integer),
        Column("bbox", Text, doc="JSON [x0, top, x1, bottom] in PDF points"),
        Column("source_text", Text),
        Column("line_start", Integer),
        Column("line_end", Integer),
        Column("confidence", Float),
    ]


tasks = Table("tasks", metadata, *_item_columns(), Index("ix_tasks_deadline_end", "deadline_end"))
targets = Table("targets", metadata, *_item_columns(), Index("ix_targets_deadline_end", "deadline_end"))

target_values = Table(
    "target_values", metadata,
    Column("id", Integer, primary_key=True),
    Column("target_id", Integer, ForeignKey("targets.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("year", Integer, index=True),
    Column("raw", Text, nullable=False),
    Column("value", Float),
    Column("unit", Text),
    Column("comparator", String(2)),
)


def _item_units_table(name: str, item_table: str) -> Table:
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True),
        Column("item_id", Integer, ForeignKey(f"{item_table}.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
        Column("role", String(12), nullable=False),
        Column("position", Integer, nullable=False),
        Column("raw", Text, nullable=False, doc="the unit as printed"),
        CheckConstraint("role IN ('lead', 'cooperating')", name=f"ck_{name}_role"),
        UniqueConstraint("item_id", "role", "position", name=f"uq_{name}_slot"),
    )


task_units = _item_units_table("task_units", "tasks")
target_units = _item_units_table("target_units", "targets")

document_references = Table(
    "document_references", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", Text),
    Column("number", Text, index=True),
    Column("date", Text),
    Column("issuer", Text),
    Column("raw", Text, nullable=False),
)

warnings = Table(
    "warnings", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("item_kind", String(8), doc="null for document warnings; 'task' or 'target' for item warnings"),
    Column("item_position", Integer),
    Column("stage", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("page", Integer),
    Column("source", Text),
)

document_errors = Table(
    "document_errors", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("hint", Text),
    Column("page", Integer),
    Column("stage", Text, doc="the stage that failed or ran out of time, when known"),
)

pages = Table(
    "pages", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("method", String(8), nullable=False, doc="text layer or ocr"),
    Column("confidence", Float, doc="mean OCR word confidence 0-100"),
    Column("width", Float),
    Column("height", Float),
    Column("dpi", Integer),
    Column("rotation", Integer),
    Column("encoding", Text),
    Column("tokens_changed", Integer),
    Column("decision", Text),
    Column("error", Text),
    UniqueConstraint("document_id", "number", name="uq_pages_number"),
)

class DatabaseUnavailable(KehoachError):
    """The database URL cannot be opened (server down, bad credentials, missing database)."""

    code = "database-unavailable"


class LoadFailure(BaseModel):
    path: str
    error: str


class LoadReport(BaseModel):
    """What one load did: the lead's ``ingest --db`` and ``kehoach load`` print this."""

    url: str
    loaded: list[str] = Field(default_factory=list, description="record files loaded as new documents")
    replaced: list[str] = Field(default_factory=list, description="record files that replaced an earlier load")
    failed: list[LoadFailure] = Field(default_factory=list, description="files left out; DB unchanged for them")
    error_records: int = Field(0, description="<stem>.error.json files skipped")
    tasks: int = 0
    targets: int = 0
    target_values: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def url_with_driver(url: str) -> str:
    """Given a database URL, return it with the psycopg2 driver when PostgreSQL has none.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3; kehoach ships psycopg2-binary.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


# SQLite: how long a loader waits for another one's write transaction before giving up
SQLITE_BUSY_TIMEOUT_S = 60.0
# a document whose transaction lost a race (a lock, the same document inserted by another
# loader at once) is loaded again this many times: the retry sees the other's row
LOAD_ATTEMPTS = 4


def url_to_engine(url: str = DEFAULT_URL) -> Engine:
    """Given a database URL, return an engine with foreign keys enforced (SQLite too).

    SQLite transactions start with BEGIN IMMEDIATE and wait up to SQLITE_BUSY_TIMEOUT_S for
    another writer: two loads into one file at once then take turns (with pysqlite's
    deferred BEGIN both read, both try to write, and one fails "database is locked" or
    inserts a document the other just inserted)."""
    parsed = make_url(url_with_driver(url))
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy's begin event below starts transactions
            dbapi_conn.execute("PRAGMA foreign_keys=ON")  # SQLite ignores FKs unless asked

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(parsed)


def create_schema(engine: Engine) -> None:
    """Create every table, index and view that does not exist yet; a loader racing another
    one to create them (two loads into a new database at once) finds them made."""
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(LOAD_ATTEMPTS):
        try:
            metadata.create_all(engine)
            with engine.begin() as conn:
                for name, query in VIEWS.items():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"CREATE OR REPLACE VIEW {name} AS {query}")
                    else:
                        conn.exec_driver_sql(f"CREATE VIEW IF NOT EXISTS {name} AS {query}")
            return
        except (OperationalError, IntegrityError, ProgrammingError) as exc:
            text = str(exc)
            raced = ("already exists" in text or "duplicate key" in text
                     or "concurrently updated" in text or "database is locked" in text)
            if not raced or attempt == LOAD_ATTEMPTS - 1:
                raise


def drop_schema(engine: Engine) -> None:
    """Drop every view and table kehoach made (views first: they depend on the tables)."""
    with engine.begin() as conn:
        for name in VIEWS:
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
    metadata.drop_all(engine)


def unit_identity(ref: UnitRef) -> str:
    """Given a unit reference, return its identity key: its name and, when known, its place."""
    return f"{ref.name} | {ref.place}" if ref.place else ref.name


def _insert_ignoring_duplicates(conn: Connection, table: Table):
    """Return an INSERT on ``table`` that skips rows violating a unique constraint."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table)  # other backends: plain insert (a race fails that document, rolled back)


def _unit_id(conn: Connection, ref: UnitRef, cache: dict[str, int]) -> int:
    """Return the id of the unit ``ref`` is (its name and place), inserting it if new."""
    key = unit_identity(ref)
    if key in cache:
        return cache[key]
    # insert-if-absent, so two loaders naming the same new unit at once do not collide
    conn.execute(_insert_ignoring_duplicates(conn, units).values(
        identity=key, name=ref.name, place=ref.place, kind=ref.kind, level=ref.level,
        collective=ref.collective, known=ref.known))
    found = conn.execute(select(units.c.id).where(units.c.identity == key)).scalar_one()
    cache[key] = found
    return found


def _mark_primary_copy(conn: Connection, plan_id: Optional[str]) -> None:
    """Given a plan id, mark the one primary copy among its loaded documents: the best kind
    of copy (lowest rank), then the best read, then the first loaded."""
    if not plan_id:
        return
    rows = conn.execute(select(documents.c.id, documents.c.copy_rank, documents.c.copy_quality)
                        .where(documents.c.plan_id == plan_id)).all()
    if not rows:
        return
    best = min(rows, key=lambda r: (r.copy_rank if r.copy_rank is not None else 9,
                                    -(r.copy_quality or 0.0), r.id))
    for r in rows:
        conn.execute(documents.update().where(documents.c.id == r.id).values(primary_copy=r.id == best.id))


def _deadline_columns(deadline: Optional[Deadline], warn: list[str]) -> dict:
    if deadline is None:
        return {}
    start, end = iso_to_date(deadline.start), iso_to_date(deadline.end)
    for label, raw, parsed in (("start", deadline.start, start), ("end", deadline.end, end)):
        if raw and parsed is None:
            warn.append(f"deadline {label} {raw!r} is not an ISO date; stored as NULL")
    return {
        "deadline_raw": deadline.raw,
        "deadline_kind": deadline.kind,
        "deadline_start": start,
        "deadline_end": end,
        "deadline_year_inferred": deadline.year_inferred,
        "deadline_parts": json.dumps([p.model_dump() for p in deadline.parts], ensure_ascii=False)
        if deadline.parts else None,
    }


def _item_row(item: Item, document_id: int, position: int, warn: list[str]) -> dict:
    prov = item.provenance
    return {
        "document_id": document_id,
        "position": position,
        "ordinal": item.ordinal,
        "section": item.section,
        "appendix": item.appendix,
        "text": item.text,
        "notes": item.notes,
        **_deadline_columns(item.deadline, warn),
        "page": prov.page,
        "bbox": json.dumps(list(prov.bbox)) if prov.bbox else None,
        "source_text": prov.source or None,
        "line_start": prov.line_start,
        "line_end": prov.line_end,
        "confidence": item.confidence,
    }


def _insert_items(conn: Connection, doc: Document, document_id: int, kind: str,
                  unit_cache: dict[str, int]) -> None:
    """Insert the document's tasks or targets with their units, values and warnings."""
    items, table, link = ((doc.tasks, tasks, task_units) if kind == "task"
                          else (doc.targets, targets, target_units))
    for position, item in enumerate(items):
        item_warnings = list(item.warnings)
        row = _item_row(item, document_id, position, item_warnings)
        item_id = conn.execute(insert(table).values(row)).inserted_primary_key[0]
        for role, refs in (("lead", item.lead_units), ("cooperating", item.cooperating_units)):
            for i, ref in enumerate(refs):
                conn.execute(insert(link).values(item_id=item_id, unit_id=_unit_id(conn, ref, unit_cache),
                                                 role=role, position=i, raw=ref.raw))
        for i, v in enumerate(getattr(item, "values", [])):
            conn.execute(insert(target_values).values(target_id=item_id, position=i, **v.model_dump()))
        for message in item_warnings:
            conn.execute(insert(warnings).values(document_id=document_id, item_kind=kind,
                                                 item_position=position, stage="item",
                                                 message=message, page=item.provenance.page))


def _delete_document(conn: Connection, document_id: int) -> None:
    """Delete a document's rows child tables first (works whether or not FKs cascade)."""
    task_ids = select(tasks.c.id).where(tasks.c.document_id == document_id)
    target_ids = select(targets.c.id).where(targets.c.document_id == document_id)
    conn.execute(delete(task_units).where(task_units.c.item_id.in_(task_ids)))
    conn.execute(delete(target_units).where(target_units.c.item_id.in_(target_ids)))
    conn.execute(delete(target_values).where(target_values.c.target_id.in_(target_ids)))
    for table in (tasks, targets, document_references, warnings, document_errors, pages):
        conn.execute(delete(table).where(table.c.document_id == document_id))
    conn.execute(delete(documents).where(documents.c.id == document_id))


def document_to_rows(conn: Connection, doc: Document, record_path: Optional[str] = None) -> bool:
    """Given an open transaction and a Document, replace its rows; return True if it existed.

    The caller owns the transaction: on any exception it must roll back.
    """
    found = conn.execute(select(documents.c.id, documents.c.plan_id)
                         .where(documents.c.sha256 == doc.source.sha256)).first()
    old, old_plan = (found.id, found.plan_id) if found else (None, None)
    if old is not None:
        _delete_document(conn, old)
    copy = doc.plan_copy
    document_id = conn.execute(insert(documents).values(
        plan_id=doc.plan_id, copy_kind=copy.kind if copy else None, copy_rank=copy.rank if copy else None,
        copy_quality=copy.quality if copy else None, primary_copy=True,
        sha256=doc.source.sha256, source_path=doc.source.path, source_kind=doc.source.kind,
        pages=doc.source.pages, schema_version=doc.schema_version, status=doc.status,
        number=doc.number, doc_type=doc.doc_type, issuer=doc.issuer, place=doc.place,
        issued_date=doc.issued_date, title=doc.title, signer_name=doc.signer.name,
        signer_title=doc.signer.title, record_path=record_path,
        loaded_at=dt.datetime.now(dt.timezone.utc),
    )).inserted_primary_key[0]
    for i, ref in enumerate(doc.references):
        conn.execute(insert(document_references).values(document_id=document_id, position=i, **ref.model_dump()))
    for w in doc.warnings:
        conn.execute(insert(warnings).values(document_id=document_id, **w.model_dump()))
    for e in doc.errors:
        conn.execute(insert(document_errors).values(document_id=document_id, **e.model_dump()))
    for p in doc.pages:  # page summary only: texts and words stay in the JSON record
        conn.execute(insert(pages).values(
            document_id=document_id, number=p.number, method=p.method, confidence=p.confidence,
            width=p.width, height=p.height, dpi=p.dpi, rotation=p.rotation, encoding=p.encoding,
            tokens_changed=p.tokens_changed, decision=p.decision or None, error=p.error))
    unit_cache: dict[str, int] = {}
    _insert_items(conn, doc, document_id, "task", unit_cache)
    _insert_items(conn, doc, document_id, "target", unit_cache)
    _mark_primary_copy(conn, doc.plan_id)
    if old_plan != doc.plan_id:
        _mark_primary_copy(conn, old_plan)  # the plan this record was a copy of before
    return old is not None


def _lost_a_race(exc: Exception) -> bool:
    """Whether a document's transaction failed only because another loader got there first:
    the same document inserted at once (unique sha256), a lock, a serialization failure."""
    from sqlalchemy.exc import IntegrityError

    text = str(exc)
    if isinstance(exc, IntegrityError):
        return "documents.sha256" in text or "documents_sha256" in text or "units" in text
    return isinstance(exc, OperationalError) and (
        "database is locked" in text or "could not serialize" in text or "deadlock" in text)


def _load_one(engine: Engine, doc: Document, label: str) -> bool:
    """Load one document in its own transaction, again when it lost a race with another
    loader (the retry finds the other's copy and replaces it: one copy in the end)."""
    for attempt in range(LOAD_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return document_to_rows(conn, doc, record_path=label)
        except Exception as exc:  # noqa: BLE001 - re-raised unless a race to retry
            if attempt == LOAD_ATTEMPTS - 1 or not _lost_a_race(exc):
                raise
    raise AssertionError("unreachable")


def load_documents(docs: Iterable[tuple[str, Document]], url: str = DEFAULT_URL,
                   engine: Optional[Engine] = None) -> LoadReport:
    """Given (label, Document) pairs, load each in its own transaction; return the report.

    A document that fails (constraint, overflow, lost connection) is rolled back alone and
    listed in ``failed``; the others are still loaded.
    """
    own_engine = engine is None
    engine = engine or url_to_engine(url)
    report = LoadReport(url=engine.url.render_as_string(hide_password=True))
    try:
        try:
            create_schema(engine)
        except OperationalError as exc:  # cannot connect / no such database: nothing to load into
            raise DatabaseUnavailable(
                f"cannot open database {report.url}: {str(exc.orig).strip().splitlines()[0]}",
                hint="start the server or fix --db (e.g. sqlite:///kehoach.db, postgresql://user@host/db)",
            ) from exc
        for label, doc in docs:
            try:
                existed = _load_one(engine, doc, label)
            except Exception as exc:  # noqa: BLE001 - any DB failure is reported per document
                report.failed.append(LoadFailure(path=label, error=f"{type(exc).__name__}: {exc}".splitlines()[0]))
                continue
            (report.replaced if existed else report.loaded).append(label)
            report.tasks += len(doc.tasks)
            report.targets += len(doc.targets)
            report.target_values += sum(len(t.values) for t in doc.targets)
    finally:
        if own_engine:
            engine.dispose()
    return report


def load_records(paths: Iterable[str | Path], url: str = DEFAULT_URL,
                 engine: Optional[Engine] = None) -> LoadReport:
    """Given record files and/or output directories, load every Document; return the report.

    ``<stem>.error.json`` files are counted, not loaded; files that are not valid Document
    JSON are listed in ``failed`` and the rest still load.
    """
    read = paths_to_documents(paths)
    report = load_documents([(str(p), d) for p, d in read.documents], url=url, engine=engine)
    report.failed = [LoadFailure(path=str(p), error=e) for p, e in read.unreadable] + report.failed
    report.error_records = read.error_records
    return report
