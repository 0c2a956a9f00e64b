"""Schema 3, review: tasks and targets reviewed and corrected_fields, documents review_status
(kehoach review; the corrected values themselves load into the usual columns).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("review_status", sa.String(16)))
    for table in ("tasks", "targets"):
        op.add_column(table, sa.Column("reviewed", sa.Boolean))
        op.add_column(table, sa.Column("corrected_fields", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("kehoach upgrades only; restore a backup to go back")
