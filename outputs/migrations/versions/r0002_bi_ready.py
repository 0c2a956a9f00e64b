"""Schema 2, for BI tools: documents.issued_date a date (the first day of the month or year
when only that was printed) with issued_date_precision, documents.doc_id, tasks and
targets item_key (the record's stable item id, unique per document), bbox and
deadline_parts jsonb on PostgreSQL, a labels table. Rows keep their ids; items loaded
before item ids existed get theirs when their record is loaded again.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for view in ("plans", "plan_tasks", "plan_targets", "plan_task_units"):
        op.execute(f"DROP VIEW IF EXISTS {view}")  # they name the columns that change
    op.add_column("documents", sa.Column("issued_date_precision", sa.String(8)))
    op.add_column("documents", sa.Column("doc_id", sa.Text))
    op.create_index("ix_documents_doc_id", "documents", ["doc_id"])
    op.execute("UPDATE documents SET issued_date_precision = CASE length(issued_date) "
               "WHEN 10 THEN 'day' WHEN 7 THEN 'month' WHEN 4 THEN 'year' END")
    op.execute("UPDATE documents SET issued_date = CASE length(issued_date) WHEN 10 THEN issued_date "
               "WHEN 7 THEN issued_date || '-01' WHEN 4 THEN issued_date || '-01-01' END")
    if postgres:
        op.execute("ALTER TABLE documents ALTER COLUMN issued_date TYPE date USING issued_date::date")
    for table in ("tasks", "targets"):
        op.add_column(table, sa.Column("item_key", sa.Text))
        op.create_index(f"uq_{table}_item_key", table, ["document_id", "item_key"], unique=True)
        if postgres:
            for column in ("bbox", "deadline_parts"):
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb")
    op.create_table(
        "labels",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("label_vi", sa.Text, nullable=False),
        sa.Column("label_en", sa.Text, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("kehoach upgrades only; restore a backup to go back")
