"""Pydantic models of the kehoach record and its JSON Schema."""
from .models import *  # noqa: F401,F403
from .models import SCHEMA_VERSION, Document, ErrorRecord


def json_schema() -> dict:
    """Return the JSON Schema of a document record (``kehoach schema`` prints it)."""
    return Document.record_json_schema()


def error_json_schema() -> dict:
    return ErrorRecord.model_json_schema()
