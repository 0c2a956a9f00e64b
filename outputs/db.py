"""Load Document records into a relational database (SQLite or PostgreSQL) with SQLAlchemy Core.

Tables: documents, units, tasks, targets, target_values, task_units, target_units,
document_references, warnings, document_errors, pages (a summary per page). Every copy of a
plan (scan, PDF, old OCR text) is a document sharing one ``plan_id``; the views ``plans``,
``plan_tasks``, ``plan_targets`` and ``plan_task_units`` count each plan once (its primary
copy). Units are keyed by identity (name and place), with kind, level and collective. ("references" is an SQL reserved word, so
the references table is ``document_references``: users can query it without quoting.)

Loading is idempotent and transactional per document: a document is identified by
``source.sha256``; loading it again deletes its previous rows and inserts the new ones in
the same transaction, so a failure part-way leaves the database exactly as it was. Ids stay:
a document loaded again keeps its ``documents.id``, and each task and target keeps its
``id`` by its natural key (``item_key``, the record's stable item id), so a BI tool's saved
questions survive re-loads.

For BI tools: the views ``v_tasks``, ``v_targets`` and ``v_deadlines`` (each plan once, with
its number, lead units, deadline and status), ``issued_date`` a real date with
``issued_date_precision`` (day, month, year), JSON columns ``jsonb`` on PostgreSQL, a
comment in Vietnamese and English on every table, view and column (db_comments.yaml), and
a ``labels`` table of the codes (labels.yaml). The schema is versioned with Alembic
(outputs/migrations): a database made by an earlier kehoach is upgraded in place.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, UniqueConstraint, create_engine, delete, event, insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from ..core.errors import KehoachError
from ..core.yaml_data import yaml_to_data
from ..pipeline.record_files import RecordStream
from .labels import code_labels
from .tables import iso_to_date
from ..schema import Document
from ..schema.models import Deadline, Item, UnitRef

DEFAULT_URL = "sqlite:///kehoach.db"

metadata = MetaData()
# JSON values (boxes, deadline parts): jsonb on PostgreSQL (operators, indexes), JSON text elsewhere
JsonValue = JSON().with_variant(JSONB(), "postgresql")
COMMENTS_FILE = Path(__file__).with_name("db_comments.yaml")
MIGRATIONS = Path(__file__).with_name("migrations")

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
    Column("issued_date", Date, doc="the date of issue; the first day of the month or year when only that is printed"),
    Column("issued_date_precision", String(8), doc="day, month or year: how much of issued_date was printed"),
    Column("doc_id", Text, index=True, doc="the record's stable document id"),
    Column("title", Text),
    Column("signer_name", Text),
    Column("signer_title", Text),
    Column("record_path", Text, doc="the JSON record file this row was loaded from"),
    Column("review_status", String(16), doc="not-reviewed, in-review or reviewed (kehoach review)"),
    Column("corrected_fields", Text, doc="the document's metadata fields a reviewer corrected, "
           "comma-separated; their values in this row are the corrected ones"),
    Column("extracted_values", JsonValue, doc="for each corrected field, the value extraction gave"),
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
# views every BI tool reads as tables: names, dates and labels joined in
BI_VIEWS = ("v_tasks", "v_targets", "v_deadlines")
# views kehoach made in earlier schema versions (dropped before an upgrade changes columns)
OLD_VIEWS: tuple[str, ...] = ()


def _units_of(link: str, role: str, dialect: str) -> str:
    """SQL of one cell listing an item's units of a role in order ('; ' between them)."""
    if dialect == "postgresql":
        return (f"(SELECT string_agg(u.name, '; ' ORDER BY x.position) FROM {link} x JOIN units u "
                f"ON u.id = x.unit_id WHERE x.item_id = t.id AND x.role = '{role}')")
    return (f"(SELECT group_concat(name, '; ') FROM (SELECT u.name FROM {link} x JOIN units u "
            f"ON u.id = x.unit_id WHERE x.item_id = t.id AND x.role = '{role}' ORDER BY x.position))")


def bi_views(dialect: str) -> dict[str, str]:
    """The SQL of v_tasks, v_targets and v_deadlines for a dialect (they differ only in how
    a list of units becomes one cell)."""
    status = ("CASE WHEN t.deadline_end IS NULL THEN 'no-date' WHEN t.deadline_end < CURRENT_DATE "
              "THEN 'past' ELSE 'upcoming' END")
    plan = ("d.id AS document_id, d.plan_id, d.doc_id, d.number AS plan_number, d.title AS plan_title, "
            "d.issuer, d.place, d.issued_date, d.issued_date_precision, d.status AS document_status")
    label = "LEFT JOIN labels lk ON lk.kind = 'deadline_kind' AND lk.code = t.deadline_kind"
    item = ("t.position + 1 AS item_order, t.ordinal, t.appendix, t.section, t.text, "
            "{lead} AS lead_units, {coop} AS cooperating_units, t.deadline_raw, t.deadline_kind, "
            "lk.label_vi AS deadline_kind_vi, t.deadline_start, t.deadline_end, "
            f"{status} AS deadline_status, t.page")
    task_cells = item.format(lead=_units_of("task_units", "lead", dialect),
                             coop=_units_of("task_units", "cooperating", dialect))
    target_cells = item.format(lead=_units_of("target_units", "lead", dialect),
                               coop=_units_of("target_units", "cooperating", dialect))
    tasks_sql = (f"SELECT t.id AS task_id, t.item_key, {plan}, {task_cells} FROM tasks t "
                 f"JOIN documents d ON d.id = t.document_id {label} WHERE d.primary_copy")
    targets_sql = (f"SELECT t.id AS target_id, tv.id AS target_value_id, t.item_key, {plan}, {target_cells}, "
                   "tv.year, tv.value, tv.unit AS value_unit, tv.comparator, tv.raw AS value_raw "
                   f"FROM targets t JOIN documents d ON d.id = t.document_id {label} "
                   "LEFT JOIN target_values tv ON tv.target_id = t.id WHERE d.primary_copy")
    deadlines = " UNION ALL ".join(
        f"SELECT '{kind}' AS item_kind, t.id AS item_id, t.item_key, {plan}, {cells} FROM {table} t "
        f"JOIN documents d ON d.id = t.document_id {label} WHERE d.primary_copy AND t.deadline_end IS NOT NULL"
        for kind, table, cells in (("task", "tasks", task_cells), ("target", "targets", target_cells)))
    return {"v_tasks": tasks_sql, "v_targets": targets_sql, "v_deadlines": deadlines}


def _item_columns() -> list[Column]:
    """Return the columns tasks and targets share (fresh objects for each table)."""
    return [
        Column("id", Integer, primary_key=True),
        Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("item_key", Text, doc="the record's stable item id (task-..., target-...): the natural key"),
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
        Column("deadline_parts", JsonValue, doc="kind=multiple: JSON list of the parts"),
        Column("page", Integer),
        Column("bbox", JsonValue, doc="JSON [x0, top, x1, bottom] in PDF points"),
        Column("source_text", Text),
        Column("line_start", Integer),
        Column("line_end", Integer),
        Column("confidence", Float),
        Column("reviewed", Boolean, doc="a reviewer accepted, corrected or added the item (kehoach review)"),
        Column("corrected_fields", Text, doc="the fields a reviewer corrected, comma-separated; "
               "their values in this row are the corrected ones"),
    ]


tasks = Table("tasks", metadata, *_item_columns(), Index("ix_tasks_deadline_end", "deadline_end"),
              Index("uq_tasks_item_key", "document_id", "item_key", unique=True))
targets = Table("targets", metadata, *_item_columns(), Index("ix_targets_deadline_end", "deadline_end"),
                Index("uq_targets_item_key", "document_id", "item_key", unique=True))

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

labels = Table(
    "labels", metadata,
    Column("kind", String(32), primary_key=True, doc="deadline_kind, status, role, copy_kind..."),
    Column("code", String(32), primary_key=True),
    Column("label_vi", Text, nullable=False),
    Column("label_en", Text, nullable=False),
)


def _apply_comments() -> dict[str, str]:
    """Put the comments of db_comments.yaml on every table and column of the metadata
    (PostgreSQL gets them as COMMENT ON); return the views' comments."""
    data = yaml_to_data(COMMENTS_FILE.read_text(encoding="utf-8"))
    common, own = data["common"], data["tables"]
    for table in metadata.tables.values():
        mine = own.get(table.name, {})
        table.comment = mine.get("_")
        for column in table.columns:
            column.comment = mine.get(column.name) or common.get(column.name)
    return dict(data["views"])


VIEW_COMMENTS = _apply_comments()


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


SCHEMA_LOCK = 7_365_001  # PostgreSQL advisory lock: one loader sets the schema up at a time


def _alembic_config(conn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def schema_revision(conn: Connection) -> Optional[str]:
    """The Alembic revision the database is at (None: not versioned)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _all_views(dialect: str) -> dict[str, str]:
    return {**VIEWS, **bi_views(dialect)}


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema revision of outputs/migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _set_up(conn: Connection) -> None:
    """In one transaction: create the schema (new database), or upgrade it with Alembic (a
    database of an earlier kehoach: unversioned ones were made by schema 1), then the views,
    the labels and, on PostgreSQL, the comments."""
    from alembic import command
    from sqlalchemy import inspect as sa_inspect

    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
    existing = set(sa_inspect(conn).get_table_names())
    for name in [*_all_views(dialect), *OLD_VIEWS]:  # an upgrade may change their columns
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
    changed = False
    if "documents" not in existing:
        metadata.create_all(conn)  # with its COMMENT ONs on PostgreSQL
        command.stamp(_alembic_config(conn), "head")
    elif "alembic_version" not in existing or schema_revision(conn) != head_revision():
        config = _alembic_config(conn)
        if "alembic_version" not in existing or schema_revision(conn) is None:
            command.stamp(config, "0001")  # made before the schema was versioned
        command.upgrade(config, "head")
        changed = True
    for name, query in _all_views(dialect).items():
        conn.exec_driver_sql(f"CREATE VIEW {name} AS {query}")
    conn.execute(delete(labels))
    conn.execute(insert(labels), [{"kind": kind, "code": code, "label_vi": l.vi, "label_en": l.en}
                                  for kind, codes in code_labels().items() for code, l in codes.items()])
    if dialect == "postgresql":
        _comment_on(conn, tables=changed)


def _comment_on(conn: Connection, tables: bool) -> None:
    """COMMENT ON every view and, when ``tables`` (after an upgrade: old tables had none),
    every table and column."""
    def quote(text: Optional[str]) -> str:
        return ("NULL" if text is None else "'" + text.replace("'", "''") + "'").replace("%", "%%")

    for table in metadata.tables.values() if tables else ():
        conn.exec_driver_sql(f"COMMENT ON TABLE {table.name} IS {quote(table.comment)}")
        for column in table.columns:
            conn.exec_driver_sql(f"COMMENT ON COLUMN {table.name}.{column.name} IS {quote(column.comment)}")
    for name, comment in VIEW_COMMENTS.items():
        conn.exec_driver_sql(f"COMMENT ON VIEW {name} IS {quote(comment)}")


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema, views and labels (see ``_set_up``); loaders racing each
    other to a new database take turns (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on
    SQLite), and one that still lost a race tries again."""
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(LOAD_ATTEMPTS):
        try:
            with engine.begin() as conn:
                _set_up(conn)
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
        for name in [*_all_views(conn.dialect.name), *OLD_VIEWS]:
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
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


def issued_date_to_date(value: Optional[str]) -> tuple[Optional[dt.date], Optional[str]]:
    """Given a record's issue date (YYYY-MM-DD, YYYY-MM or YYYY), return (the date, or the
    first day of the month or year, and its precision: day, month or year); (None, None)
    when absent or not one of these."""
    if not value:
        return None, None
    for precision, size, tail in (("day", 10, ""), ("month", 7, "-01"), ("year", 4, "-01-01")):
        if len(value) == size:
            parsed = iso_to_date(value + tail)
            return (parsed, precision) if parsed else (None, None)
    return None, None


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
        "deadline_parts": [p.model_dump() for p in deadline.parts] if deadline.parts else None,
    }


def _item_row(item: Item, document_id: int, position: int, warn: list[str]) -> dict:
    prov = item.provenance
    return {
        "document_id": document_id,
        "item_key": item.id,
        "position": position,
        "ordinal": item.ordinal,
        "section": item.section,
        "appendix": item.appendix,
        "text": item.text,
        "notes": item.notes,
        **_deadline_columns(item.deadline, warn),
        "page": prov.page,
        "bbox": list(prov.bbox) if prov.bbox else None,
        "source_text": prov.source or None,
        "line_start": prov.line_start,
        "line_end": prov.line_end,
        "confidence": item.confidence,
        "reviewed": item.reviewed,
        "corrected_fields": ",".join(item.review.corrected) if item.review and item.review.corrected else None,
    }


def _insert_items(conn: Connection, doc: Document, document_id: int, kind: str,
                  unit_cache: dict[str, int], old_ids: dict[str, int]) -> None:
    """Insert the document's tasks or targets with their units, values and warnings; an item
    loaded before (same natural key) gets its old id back."""
    items, table, link = ((doc.tasks, tasks, task_units) if kind == "task"
                          else (doc.targets, targets, target_units))
    for position, item in enumerate(items):
        item_warnings = list(item.warnings)
        row = _item_row(item, document_id, position, item_warnings)
        if item.id and item.id in old_ids:
            row["id"] = old_ids[item.id]
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
    old_ids: dict[str, dict[str, int]] = {"task": {}, "target": {}}
    if old is not None:
        for kind, table in (("task", tasks), ("target", targets)):
            old_ids[kind] = dict(conn.execute(select(table.c.item_key, table.c.id).where(
                (table.c.document_id == old) & table.c.item_key.is_not(None))).all())
        _delete_document(conn, old)
    copy = doc.plan_copy
    issued, precision = issued_date_to_date(doc.metadata.issued_date)
    kept = {"id": old} if old is not None else {}
    document_id = conn.execute(insert(documents).values(
        **kept, doc_id=doc.doc_id, issued_date_precision=precision,
        plan_id=doc.plan_id, copy_kind=copy.kind if copy else None, copy_rank=copy.rank if copy else None,
        copy_quality=copy.quality if copy else None, primary_copy=True,
        sha256=doc.source.sha256, source_path=doc.source.path, source_kind=doc.source.kind,
        pages=doc.source.pages, schema_version=doc.schema_version, status=doc.status,
        number=doc.metadata.number, doc_type=doc.metadata.doc_type, issuer=doc.metadata.issuer, place=doc.metadata.place,
        issued_date=issued, title=doc.metadata.title, signer_name=doc.metadata.signer.name,
        signer_title=doc.metadata.signer.title, record_path=record_path,
        review_status=doc.review.status if doc.review else "not-reviewed",
        corrected_fields=",".join(doc.review.corrected) if doc.review and doc.review.corrected else None,
        extracted_values=({k: doc.review.extracted.get(k) for k in doc.review.corrected}
                          if doc.review and doc.review.corrected else None),
        loaded_at=dt.datetime.now(dt.timezone.utc),
    )).inserted_primary_key[0]
    for i, ref in enumerate(doc.metadata.references):
        conn.execute(insert(document_references).values(document_id=document_id, position=i, **ref.model_dump()))
    for w in doc.warnings:
        conn.execute(insert(warnings).values(document_id=document_id, **w.model_dump()))
    if doc.metadata.issued_date and issued is None:
        conn.execute(insert(warnings).values(
            document_id=document_id, stage="load", source=doc.metadata.issued_date,
            message=f"issued date {doc.metadata.issued_date!r} is not an ISO date; stored as NULL"))
    for e in doc.errors:
        conn.execute(insert(document_errors).values(document_id=document_id, **e.model_dump()))
    for p in doc.pages:  # page summary only: texts and words stay in the JSON record
        conn.execute(insert(pages).values(
            document_id=document_id, number=p.number, method=p.method, confidence=p.confidence,
            width=p.width, height=p.height, dpi=p.dpi, rotation=p.rotation, encoding=p.encoding,
            tokens_changed=p.tokens_changed, decision=p.decision or None, error=str(p.error) if p.error else None))
    unit_cache: dict[str, int] = {}
    _insert_items(conn, doc, document_id, "task", unit_cache, old_ids["task"])
    _insert_items(conn, doc, document_id, "target", unit_cache, old_ids["target"])
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
    JSON are listed in ``failed`` and the rest still load. Records are read one at a time,
    each loaded before the next is read.
    """
    read = RecordStream(paths)
    report = load_documents(((str(p), d) for p, d in read.items()), url=url, engine=engine)
    report.failed = [LoadFailure(path=str(p), error=e) for p, e in read.unreadable] + report.failed
    report.error_records = read.error_records
    return report
