"""Schema 4, a document's own corrections: documents.corrected_fields (the metadata fields a
reviewer corrected: number, doc_type, issuer, place, issued_date, title, signer) and
documents.extracted_values (for each, the value extraction gave; jsonb on PostgreSQL). The
corrected values themselves load into the usual columns (number, issuer, signer_name, ...).
Rows loaded before keep their values; their document's next load fills the new columns.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("corrected_fields", sa.Text))
    op.add_column("documents", sa.Column("extracted_values", sa.JSON().with_variant(JSONB(), "postgresql")))


def downgrade() -> None:
    raise NotImplementedError("kehoach upgrades only; restore a backup to go back")
