"""Schema 1: the tables kehoach made before its schema was versioned (documents, units,
tasks, targets, target_values, task_units, target_units, document_references, warnings,
document_errors, pages; views plans, plan_tasks, plan_targets, plan_task_units). Such a
database is stamped with this revision, then upgraded.

Revision ID: 0001
"""
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing: a new database is created at the newest revision directly."""


def downgrade() -> None:
    raise NotImplementedError("schema 1 is the oldest revision")
