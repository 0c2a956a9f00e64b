"""kehoach command line: thin typer commands that build settings and call the pipeline.

Exit codes (mapped in one place, ``_exit_code``): 0 all inputs succeeded, 1 some failed,
2 usage error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn Vietnamese government plans (Kế hoạch) into structured, validated records.",
)


bench_app = typer.Typer(
    no_args_is_help=True,
    help="Measure accuracy and speed on the corpus and samples (figures, never pass/fail).",
)
app.add_typer(bench_app, name="bench")


@app.callback()
def _root() -> None:
    """Turn Vietnamese government plans (Kế hoạch) into structured, validated records."""


@app.command("schema")
def schema_cmd(
    errors: bool = typer.Option(False, "--error", help="print the schema of an error record instead"),
) -> None:
    """Print the JSON Schema of the document record."""
    import schema as schema_mod

    s = schema_mod.error_json_schema() if errors else schema_mod.json_schema()
    typer.echo(json.dumps(s, ensure_ascii=False, indent=2))


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
