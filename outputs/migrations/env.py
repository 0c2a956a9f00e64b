"""Alembic environment: kehoach passes its open connection (outputs/db.py ``_set_up``), in
whose transaction the migrations run."""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
