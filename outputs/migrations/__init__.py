"""Alembic migrations of the kehoach database schema (outputs/db.py runs them)."""
