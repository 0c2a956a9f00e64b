"""kehoach command line: thin typer commands that build settings and call the pipeline.

Exit codes: 0 all inputs succeeded, 1 some failed, 2 usage error, 3 a dependency is missing
(tesseract, an OCR model, LibreOffice for .doc; as OCRmyPDF), 130 interrupted (Ctrl-C). Every
exception becomes an exit code in one place (``_exit_code``); a command reports a usage
problem by raising ``UsageError`` (``_fail`` prints it), never by exiting with 2 on its own.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Literal, NoReturn, Optional

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .core.errors import UsageError

UsageProblem = UsageError  # the name commands used before core.errors.UsageError

EXIT_MISSING_DEPENDENCY = 3
EXIT_INTERRUPTED = 130


def plain_metavar(param) -> None:
    """Given a parameter, give it the metavar help shows the way click and OCRmyPDF do: a
    flag shows none (typer shows <bool> after it), choices are listed ([csv|xlsx]), values
    say what they are (INTEGER, NUMBER, PATH, TEXT) instead of Python types (<list[Path]>)."""
    if isinstance(param, TyperOption) and (param.is_flag or getattr(param, "count", False)):
        param.metavar = ""
        return
    if param.metavar is not None:
        return
    choices, kind = _param_choices_and_type(param)
    if choices:
        param.metavar = "[" + "|".join(choices) + "]"
    elif kind in (int,):
        param.metavar = "INTEGER"
    elif kind in (float,):
        param.metavar = "NUMBER"
    elif isinstance(kind, type) and issubclass(kind, Path):
        param.metavar = "PATH"
    elif isinstance(param, TyperArgument):
        param.metavar = (param.name or "value").upper()
    else:
        param.metavar = "TEXT"


def _param_choices_and_type(param) -> tuple[list[str], object]:
    """Given a typer parameter, return (its choices as text, its value type), whichever way
    this typer version describes types (a type descriptor, or click's ParamType)."""
    import enum
    import typing

    desc = getattr(param, "type_descriptor", None)
    if desc is not None:
        choices = list(desc.choices or ()) if desc.is_choice else []
        kind = desc.annotation
        while typing.get_origin(kind) in (list, typing.Union) or str(typing.get_origin(kind)) == "types.UnionType":
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
    else:  # typer before 0.2x: click parameter types
        choices = list(getattr(param.type, "choices", None) or ())
        kind = {"integer": int, "float": float, "path": Path}.get(getattr(param.type, "name", ""), str)
    return [c.value if isinstance(c, enum.Enum) else str(c) for c in choices], kind


class PlainCommand(TyperCommand):
    """A typer command whose help reads like click's: plain metavars, a usage line with
    argument names (PATHS...), not typer's {paths}...."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            plain_metavar(param)

    def format_options(self, ctx, formatter) -> None:
        """Arguments and options as click lists them: NAME... and its help, no type column."""
        args, opts = [], []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                if not param.hidden:
                    args.append((param.metavar + ("..." if param.nargs != 1 else ""), param.help or ""))
            else:
                record = param.get_help_record(ctx)
                if record:
                    opts.append(record)
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class PlainGroup(TyperGroup):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            plain_metavar(param)


class App(typer.Typer):
    """typer.Typer whose commands are PlainCommands."""

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", PlainCommand)
        return super().command(*args, **kwargs)


HELP_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

app = App(
    cls=PlainGroup,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # click's help: paragraphs re-wrapped, no <bool> column
    pretty_exceptions_enable=False,  # main() turns errors into one readable line
    context_settings=HELP_SETTINGS,
    help="Turn Vietnamese government plans (Kế hoạch) into structured, validated records.",
)


bench_app = App(
    cls=PlainGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP_SETTINGS,
    help="Measure accuracy and speed on the corpus and samples (figures, never pass/fail).",
)
app.add_typer(bench_app, name="bench")


def _print_version(value: bool) -> None:
    if value:
        from .core.settings import kehoach_version

        typer.echo(f"kehoach {kehoach_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="print the version and exit"),
) -> None:
    """Turn Vietnamese government plans (Kế hoạch) into structured, validated records."""


def dpi_option(value: str) -> int | None:
    """Given a --dpi value ("300", "own"), return the Settings.dpi (None: the page's own);
    ValueError for anything else."""
    if value.strip().lower() == "own":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"--dpi must be a number of dots per inch or 'own', not {value!r}") from None


def _exit_code(exc: BaseException) -> int:
    """The one place exceptions become exit codes: 2 for usage errors (``UsageError``, any
    ``KehoachError`` with code "usage", typer's ``BadParameter``), 3 for a missing dependency
    (``MissingToolError``), 130 for Ctrl-C, 1 for everything else."""
    from .core.errors import KehoachError, MissingToolError

    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, typer.BadParameter):
        return 2
    if isinstance(exc, KehoachError) and exc.code == "usage":
        return 2
    if isinstance(exc, MissingToolError):
        return EXIT_MISSING_DEPENDENCY
    return 1


def _fail(exc: BaseException) -> NoReturn:
    """Print the error as one line and exit with its code (``_exit_code``)."""
    typer.echo(f"kehoach: error: {exc}", err=True)
    raise typer.Exit(_exit_code(exc))


class _Progress:
    """Progress in pages on stderr, with the file being read and its page, shown only on a
    terminal and without --quiet. The total grows as inputs are opened (an input not opened
    yet counts one page)."""

    def __init__(self, inputs: int, quiet: bool):
        self.bar = None
        self.inputs, self.finished = inputs, 0
        self.pages: dict[Path, tuple[int, int]] = {}  # input -> (read, total)
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("pages"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.description}"), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("", total=inputs)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def _show(self, path: Path | None) -> None:
        if not self.bar:
            return
        read = sum(done for done, _ in self.pages.values())
        total = sum(t for _, t in self.pages.values()) + (self.inputs - len(self.pages))
        where = ""
        if path is not None and path in self.pages:
            done, count = self.pages[path]
            where = f"{path.name[:40]} page {min(done + 1, count)}/{count}" if done < count else path.name[:40]
        self.bar.update(self.task, completed=read, total=max(total, read),
                        description=f"inputs {self.finished}/{self.inputs}  {where}")

    def page(self, path: Path, read: int, total: int) -> None:
        self.pages[path] = (read, total)
        self._show(path)

    def advance(self, path: Path, ok: bool) -> None:
        self.finished += 1
        read, total = self.pages.get(path, (0, 1))
        self.pages[path] = (max(read, total), max(total, 1))
        self._show(None)


def _setup_logging(verbose: int, log_file: Path | None) -> None:
    """-v: one line per input on stderr; -vv: debug lines too; --log-file: debug lines to
    that file whatever -v says."""
    import logging

    log = logging.getLogger("kehoach")
    log.setLevel(logging.DEBUG if (verbose >= 2 or log_file) else logging.INFO if verbose else logging.WARNING)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
        handler.setFormatter(fmt)
        log.addHandler(handler)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(fmt)
        log.addHandler(handler)


def summary_lines(report, out: Path, seconds: float) -> list[str]:
    """Given a finished batch, return the lines that close it: counts per outcome, then pages,
    time, rate, warnings, units not in the registry, records without a number and the
    reviewers' corrections applied."""
    unread = f" ({len(report.incomplete)} with pages that could not be read)" if report.incomplete else ""
    if report.refinished:
        unread += (f" ({len(report.refinished)} from their saved pages: only the rules or "
                   "the restoration model changed)")
    lines = [f"{len(report.written)} written{unread}, {len(report.skipped)} up to date, "
             f"{len(report.failed)} failed -> {out}"]
    rate = f" ({report.pages / seconds:.2f} pages/s)" if seconds > 0 and report.pages else ""
    read = (f"{report.pages} pages read in {seconds:.1f} s{rate}; {report.warnings} warnings, "
            f"{len(report.unknown_units)} units not in the registry (kept as printed, known: false)")
    if report.without_number:
        names = ", ".join(p.name for p in report.without_number[:3])
        read += f", {len(report.without_number)} record(s) without a document number ({names}{', ...' if len(report.without_number) > 3 else ''})"
    if report.corrections or report.corrections_unmatched:
        read += (f"; {report.corrections} reviewers' correction(s) applied to "
                 f"{len(report.corrected)} record(s)")
        if report.corrections_unmatched:
            read += f", {report.corrections_unmatched} not applied (their item is gone; kept)"
    lines.append(read)
    if report.missing_dependency:
        lines.append("some inputs need a tool or model that is not installed (see the lines above); "
                     "install it and run the same command again")
    return lines


def interrupted_line(report, out: Path, inputs: int) -> str:
    """Given the report of a batch stopped by Ctrl-C, return what was written and how to go on."""
    return (f"kehoach: interrupted: {len(report.written)} records and {len(report.failed)} error "
            f"records written to {out}, {len(report.skipped)} were up to date, "
            f"{inputs - len(report.written) - len(report.failed) - len(report.skipped)} of {inputs} inputs "
            "not finished; run the same command again to resume (inputs with a record are skipped)")


@app.command("ingest")
def ingest_cmd(
    paths: List[Path] = typer.Argument(..., help="PDFs, images, text files, or folders (walked recursively)"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="folder for <stem>.json records"),
    lang: Optional[str] = typer.Option(None, "--lang", help="tesseract models joined by '+': vie, vie+eng, script/Vietnamese, or a .traineddata file (default: the most accurate Vietnamese model installed)"),
    tessdata_dir: Optional[Path] = typer.Option(None, "--tessdata-dir", help="folder of tesseract models (default: tesseract's own)"),
    dpi: str = typer.Option("own", "--dpi", metavar="DPI|own", help="resolution to OCR PDF pages at; 'own' (the default): each page's own (its scanned image's), enlarged only where the text is small: ~0.8x the OCR time of 300 dpi on 200 dpi scans, see docs/benchmarks.md"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="worker processes (0 = all cores)"),
    page_timeout: float = typer.Option(600.0, "--page-timeout", metavar="SECONDS", help="seconds one page may spend in OCR (0 = no limit)"),
    file_timeout: float = typer.Option(600.0, "--file-timeout", metavar="SECONDS", help="seconds one input may spend in each of parsing, restoration and extraction; past it the input gets an error record naming the stage (0 = no limit)"),
    force_ocr: bool = typer.Option(False, "--force-ocr", help="OCR every PDF page, even with a good text layer"),
    no_restore: bool = typer.Option(False, "--no-restore", help="skip Vietnamese diacritic restoration"),
    model: Optional[Path] = typer.Option(None, "--model", help="restoration model (default: the bundled one)"),
    no_extract: bool = typer.Option(False, "--no-extract", help="only read and normalize the text"),
    force: bool = typer.Option(False, "--force", help="redo inputs whose record already exists for the same file content and options"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar, only errors"),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, show_default=False, help="one line per input on stderr (-v), debug lines too (-vv)"),
    log_file: Optional[Path] = typer.Option(None, "--log-file", help="write debug lines to this file"),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL", help="also load the records into this database, e.g. sqlite:///kehoach.db or postgresql://user@host/db"),
    executor: Literal["local", "dask"] = typer.Option("local", "--executor", help="local worker processes, or a Dask cluster"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --jobs workers)"),
) -> None:
    """Read plans and write one validated JSON record per input into --out.

    Each input yields OUT/<stem>.json, or OUT/<stem>.error.json with a readable reason; the
    batch always goes on, and a re-run skips inputs whose record is up to date (Ctrl-C, then
    the same command, resumes). Progress is shown in pages, with the file being read.

    Exit code: 0 all inputs succeeded; 1 some failed (an error record, or no page of an input
    could be read); 2 usage error; 3 a dependency is missing (tesseract, an OCR model,
    LibreOffice for .doc): install it and run again; 130 interrupted.

    \b
    Example:
      kehoach ingest samples --out out -j 2
      kehoach ingest plan.pdf scans/ --out out --lang vie --db sqlite:///kehoach.db
    """
    import time

    from .ingest.ocr import import_pytesseract_without_pandas

    _setup_logging(verbose, log_file)
    import_pytesseract_without_pandas()  # before anything imports it (workers inherit it)
    from .pipeline.batch import BatchReport, collect_inputs, run_batch
    from .core.settings import Settings

    try:
        models, problem = _ocr_models(lang, str(tessdata_dir) if tessdata_dir else None)
        settings = Settings(lang=models.lang, tessdata_dir=models.tessdata_dir, dpi=dpi_option(dpi), jobs=jobs,
                            page_timeout=page_timeout, file_timeout=file_timeout, force_ocr=force_ocr, restore=not no_restore,
                            model=str(model) if model else None, extract=not no_extract,
                            force=force, ocr_unavailable=problem and problem.message,
                            ocr_hint=problem and problem.hint)
    except ValueError as exc:
        _fail(UsageError(str(exc)))
    for line in [] if quiet else models.warnings:
        typer.echo(f"kehoach: warning: {line}", err=True)
    ignored: list[Path] = []
    try:
        inputs = collect_inputs(paths, ignored)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
    if ignored and not quiet:
        shown = ", ".join(p.name for p in ignored[:5]) + (", ..." if len(ignored) > 5 else "")
        typer.echo(f"kehoach: {len(ignored)} file(s) in the folders ignored (not a PDF, image, "
                   f"Word or .txt file; name them explicitly to read them anyway): {shown}", err=True)
    if not inputs:
        _fail(UsageError("no input files found"))
    if settings.ocr_unavailable and not quiet:
        typer.echo(f"kehoach: warning: {settings.ocr_unavailable}; inputs that need OCR will "
                   f"get error records ({settings.ocr_hint})", err=True)
    report = BatchReport()
    started = time.monotonic()
    try:
        with _Progress(len(inputs), quiet) as progress:
            run_batch(inputs, out, settings, on_done=progress.advance, on_pages=progress.page,
                      executor=executor, scheduler=scheduler, report=report)
    except KeyboardInterrupt:
        typer.echo(interrupted_line(report, out, len(inputs)), err=True)
        raise typer.Exit(_exit_code(KeyboardInterrupt()))
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
    for line in report.messages:
        typer.echo(f"kehoach: failed: {line}", err=True)
    for line in report.notes:
        typer.echo(f"kehoach: warning: {line}", err=True)
    if not quiet:
        for line in summary_lines(report, out, time.monotonic() - started):
            typer.echo(line, err=True)
    code = EXIT_MISSING_DEPENDENCY if report.missing_dependency else report.exit_code
    if db:
        code = max(code, _load_into_db(report, out, db, quiet))
    raise typer.Exit(code)


def _load_into_db(report, out: Path, db: str, quiet: bool) -> int:
    """Load this batch's records (written now or already up to date) into the database."""
    from .outputs.db import load_records
    from .pipeline.records import output_names, record_path

    names = output_names(report.all_inputs)
    paths = [record_path(out, names[p]) for p in [*report.skipped]] + list(report.written)
    try:
        loaded = load_records(paths, db)
    except Exception as exc:  # noqa: BLE001
        typer.echo(f"kehoach: error: {exc}", err=True)
        return _exit_code(exc)
    for failure in loaded.failed:
        typer.echo(f"kehoach: not loaded {failure.path}: {failure.error}", err=True)
    if not quiet:
        typer.echo(f"{len(loaded.loaded)} loaded, {len(loaded.replaced)} replaced -> {loaded.url}",
                   err=True)
    return 0 if loaded.ok else 1


def _ocr_models(lang: str | None, tessdata_dir: str | None):
    """The OCR models of a run as tesseract takes them, and why OCR cannot run here
    (a MissingToolError: tesseract or a model missing, the package to install in its hint)
    or None. ValueError for a malformed --lang or --tessdata-dir."""
    from .core.errors import MissingToolError
    from .ingest.ocr import DEFAULT_MODELS, OcrModels, resolve_models

    try:
        return resolve_models(lang, tessdata_dir), None
    except MissingToolError as exc:
        return OcrModels(lang or DEFAULT_MODELS[0], tessdata_dir), exc


@bench_app.command("speed")
def bench_speed_cmd(
    quick: bool = typer.Option(False, "--quick", help="only the born-digital rate and the OCR overhead"),
    only: List[str] = typer.Option([], "--only", help="only this figure (repeatable): born_digital_rate, peak_memory, ocr_floor, jobs_scaling, ocrmypdf_comparison"),
) -> None:
    """Speed and memory as ratios measured in one run: OCR overhead vs bare tesseract,
    --jobs 2 vs --jobs 1, kehoach vs ocrmypdf, born-digital pages/s, peak RSS.

    \b
    Example:
      kehoach bench speed --quick
    """
    from .bench.speed import format_table, run_all

    typer.echo(format_table(run_all(quick=quick, only=tuple(only))))


@bench_app.command("ocr")
def bench_ocr_cmd(
    models: str = typer.Option("vie,script/Vietnamese", "--models", help="tesseract models to compare, comma-separated (as --lang takes them)"),
    resolutions: str = typer.Option("300,own", "--resolutions", help="resolutions to compare, comma-separated: dpi, or 'own' for the page's own as ingest decides it"),
    kinds: str = typer.Option("scan,hard", "--kinds", help="scan: the sample scans (200 dpi); hard: the same plans scanned at 150 dpi"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="OCR worker processes"),
) -> None:
    """OCR accuracy and time per model and resolution on the sample scans: prose word
    accuracy raw and restored, table rows found and cell similarity, items F1, metadata,
    OCR CPU time as a ratio (bench/ocr.py).

    \b
    Example:
      kehoach bench ocr --max-pages 2
    """
    import tempfile

    from .bench.ocr import choices_to_table, parse_choices, run_choices, scan_sets

    with tempfile.TemporaryDirectory(prefix="kehoach-bench-ocr-") as tmp:
        scans = scan_sets(tuple(k.strip() for k in kinds.split(",")), Path(tmp))
        tallies = run_choices(parse_choices(models, resolutions), scans, jobs=jobs,
                              progress=lambda line: typer.echo(line, err=True))
    typer.echo(choices_to_table(tallies))


@bench_app.command("all")
def bench_all_cmd(ctx: typer.Context) -> None:
    """Every benchmark in turn (what `make bench` prints): ocr, restore, extract, speed.

    \b
    Example:
      kehoach bench all > figures.txt
    """
    group = ctx.parent.command
    for name in ("ocr", "restore", "extract", "speed"):
        cmd = group.get_command(ctx, name)
        if cmd is None:
            continue
        typer.echo(f"\n## bench {name}\n")
        ctx.invoke(cmd)


@app.command("schema")
def schema_cmd(
    errors: bool = typer.Option(False, "--error", help="print the schema of an error record instead"),
) -> None:
    """Print the JSON Schema of the document record.

    \b
    Example:
      kehoach schema > document.schema.json
      kehoach schema --error
    """
    from . import schema as schema_mod
    s = schema_mod.error_json_schema() if errors else schema_mod.json_schema()
    typer.echo(json.dumps(s, ensure_ascii=False, indent=2))


# --- downstream: load / export / calendar (outputs/db.py, export.py, calendar.py) ---


def _require_existing(paths: List[Path]) -> None:
    missing = [p for p in paths if not p.exists()]
    if missing:
        _fail(UsageError(f"no such file or folder: {missing[0]}"))


def _read_records_or_exit(out_dir: List[Path], pages: bool = True):
    """Read Document records from output folders/files (``pages=False``: without their
    pages); report unreadable ones on stderr."""
    from .pipeline.record_files import paths_to_documents

    _require_existing(out_dir)
    read = paths_to_documents(out_dir, pages=pages)
    for path, message in read.unreadable:
        typer.echo(f"kehoach: unreadable record {path}: {message}", err=True)
    return read


@app.command("load")
def load_cmd(
    out_dir: List[Path] = typer.Argument(..., help="folders of <stem>.json records (or record files)"),
    db: str = typer.Option("sqlite:///kehoach.db", "--db", help="SQLAlchemy URL: sqlite:///file.db or postgresql://user@host/db"),
) -> None:
    """Load records into a database; re-loading a document replaces its rows (exit 1 if any failed).

    \b
    Example:
      kehoach load out --db sqlite:///kehoach.db
      kehoach load out --db postgresql://user@host/plans
    """
    from .outputs.db import load_records

    _require_existing(out_dir)
    try:
        report = load_records(out_dir, db)
    except Exception as exc:  # noqa: BLE001 - e.g. cannot connect
        _fail(exc)
    for failure in report.failed:
        typer.echo(f"kehoach: not loaded {failure.path}: {failure.error}", err=True)
    typer.echo(f"{len(report.loaded)} loaded, {len(report.replaced)} replaced, {len(report.failed)} failed, "
               f"{report.error_records} error records skipped; {report.tasks} tasks, {report.targets} targets, "
               f"{report.target_values} target values -> {report.url}")
    raise typer.Exit(0 if report.ok else 1)


@app.command("export")
def export_cmd(
    out_dir: List[Path] = typer.Argument(..., help="folders of <stem>.json records (or record files)"),
    fmt: Literal["csv", "xlsx", "parquet", "jsonl"] = typer.Option("xlsx", "--format", "-f", help="the file format"),
    out: Path = typer.Option(..., "--out", "-o", help="xlsx: the workbook file; other formats: a folder, one file per table"),
    all_copies: bool = typer.Option(False, "--all-copies", help="tasks and targets of every copy of a plan "
                                    "(scan, PDF, old OCR text), not only of its primary copy"),
    labels: Optional[Literal["vi", "codes"]] = typer.Option(
        None, "--labels", help="codes (deadline kind, status, copy kind, comparator) as Vietnamese labels "
        "or as codes (default: vi for xlsx, codes for the data formats)"),
    sep: str = typer.Option(",", "--sep", metavar="CHAR", help="CSV separator (';' for Excel set to Vietnamese)"),
) -> None:
    """Write flat tables (one row per task of a plan, per target value, per document).

    xlsx: per table a sheet to print (the columns a reader needs, A4 landscape, readable
    type, the header on every page) and its "chi tiết" sheet (ids, provenance, confidence,
    review), each an Excel table (filters, bold header), dates dd/mm/yyyy. Every table has
    doc_id, the key joining them. Records are read without their pages, one at a time, and
    every format is written as they are read.

    \b
    Example:
      kehoach export out --format xlsx --out plans.xlsx
      kehoach export out -f csv --sep ';' --out tables/
    """
    from .outputs.export import FORMATS, export_documents

    if fmt not in FORMATS:
        _fail(UsageError(f"--format must be one of {', '.join(FORMATS)}"))
    problem = _export_target_problem(fmt, out)
    if problem:
        _fail(UsageError(problem))
    if len(sep) != 1:
        _fail(UsageError(f"--sep must be one character, not {sep!r}"))
    from .pipeline.record_files import RecordStream

    _require_existing(out_dir)
    # records read one at a time as the tables are written (never all held), without pages
    read = RecordStream(out_dir, pages=False)
    warnings: list[str] = []
    written = export_documents(read, fmt, out, warnings, all_copies, labels=labels, sep=sep)
    for path, message in read.unreadable:
        typer.echo(f"kehoach: unreadable record {path}: {message}", err=True)
    for line in warnings:
        typer.echo(f"kehoach: warning: {line}", err=True)
    typer.echo(f"{read.read} documents ({read.error_records} error records skipped) -> "
               + ", ".join(map(str, written)))
    raise typer.Exit(1 if read.unreadable else 0)


def _export_target_problem(fmt: str, out: Path) -> str | None:
    """Why --out cannot take this export (xlsx: one workbook file; others: a folder)."""
    if fmt == "xlsx":
        if out.is_dir():
            return f"--out {out} is a folder; xlsx needs the workbook file to write"
        if not out.parent.is_dir():
            return f"--out {out}: the folder {out.parent} does not exist"
        return None
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file; {fmt} writes one file per table into a folder"
    if out.suffix.lower() in (".csv", ".parquet", ".jsonl", ".xlsx", ".json"):
        return f"--out {out} looks like a file name; {fmt} writes one file per table into a folder"
    if not out.exists() and not out.parent.is_dir():
        return f"--out {out}: the folder {out.parent} does not exist"
    return None


@app.command("calendar")
def calendar_cmd(
    out_dir: List[Path] = typer.Argument(..., help="folders of <stem>.json records (or record files)"),
    out: Path = typer.Option(Path("deadlines.ics"), "--out", "-o", help="the .ics file to write"),
) -> None:
    """Write every dated task deadline as an all-day event in an iCalendar file.

    \b
    Example:
      kehoach calendar out --out deadlines.ics
    """
    from .outputs.calendar import write_calendar

    if out.is_dir():
        _fail(UsageError(f"--out {out} is a folder; give the .ics file to write"))
    if not out.parent.is_dir():
        _fail(UsageError(f"--out {out}: the folder {out.parent} does not exist"))
    read = _read_records_or_exit(out_dir, pages=False)
    report = write_calendar([d for _, d in read.documents], out)
    undated = ", ".join(f"{k} {v}" for k, v in report.undated.items()) or "none"
    copies = f", {report.copies_skipped} other copies of a plan left out" if report.copies_skipped else ""
    typer.echo(f"{report.events} events from {len(read.documents)} documents{copies} -> {out} "
               f"(tasks without a date: {undated})")
    raise typer.Exit(1 if read.unreadable else 0)


@bench_app.command("extract")
def bench_extract_cmd(
    plan: Optional[List[str]] = typer.Option(None, "--plan", help="plan id(s); default all corpus plans"),
    kind: Optional[List[str]] = typer.Option(
        None, "--input", help="gold-text, raw-ocr, pdf, scan, scan-short, image, tiff; default the first four"),
    details: bool = typer.Option(False, "--details", help="also print each mismatch"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="write rows and mismatches as JSON"),
    records: Optional[Path] = typer.Option(
        None, "--records", help="re-extract the records saved in this folder (by --save-records, or "
        "`kehoach ingest --out`) instead of reading the inputs again: no OCR"),
    save_records: Optional[Path] = typer.Option(
        None, "--save-records", help="also save each input's record here as <plan>.<input>.json"),
) -> None:
    """Score extraction per plan and input kind against the gold records (figures only).

    OCR is slow and extraction rules change often: run once with --save-records DIR, then
    re-score rule changes in seconds with --records DIR.

    \b
    Example:
      kehoach bench extract --input pdf --save-records recs
      kehoach bench extract --input pdf --records recs --details
    """
    from dataclasses import asdict

    from .bench.extract import INPUT_KINDS, PLANS, bench_inputs, rows_to_table, run_bench

    kinds = tuple(kind) if kind else ("gold-text", "raw-ocr", "pdf", "scan")
    unknown = [k for k in kinds if k not in INPUT_KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown input kind(s) {unknown}; choose from {list(INPUT_KINDS)}",
                                 param_hint="--input")
    if records is not None and not records.is_dir():
        raise typer.BadParameter(f"no such folder: {records}", param_hint="--records")
    rows = run_bench(bench_inputs(tuple(plan) if plan else PLANS, kinds), records=records,
                     save_records=save_records)
    typer.echo(rows_to_table(rows))
    if details:
        for r in rows:
            for m in r.mismatches:
                typer.echo(f"{r.plan} {r.kind} {m.kind}.{m.field} exp={m.expected_ordinal}:{str(m.expected)[:90]!r}"
                           f" act={m.actual_ordinal}:{str(m.actual)[:90]!r}")
    if json_out:
        json_out.write_text(json.dumps([{"plan": r.plan, "input": r.kind, "score": r.row, "note": r.note,
                                         "mismatches": [asdict(m) for m in r.mismatches]} for r in rows],
                                       ensure_ascii=False, indent=1, default=str), encoding="utf-8")


@bench_app.command("generality")
def bench_generality_cmd(
    out: Path = typer.Option(Path("build/plans"), "--out", help="folder of generated plans (built when missing)"),
    family: Optional[List[str]] = typer.Option(None, "--family", help="family id(s); default every family of the catalogue"),
    per_family: int = typer.Option(20, "--per-family", min=1, help="plans per family"),
    start: int = typer.Option(0, "--start", min=0, help="first plan number of each family (another start = plans of other seeds, a held-out set)"),
    records: Optional[Path] = typer.Option(None, "--records", help="keep each input's record here and re-extract it on later runs instead of reading the input again (OCR once)"),
    kinds: str = typer.Option("pdf,scan,ocr", "--kinds", help="input kinds, comma-separated: pdf, scan, ocr (old OCR text)"),
    jobs: int = typer.Option(1, "--jobs", min=1, help="worker processes (building and reading)"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="write per-plan scores and mismatches as JSON"),
    details: bool = typer.Option(False, "--details", help="also print each mismatch"),
    dpi: str = typer.Option("own", "--dpi", metavar="DPI|own", help="resolution the scans are OCR'd at, as `kehoach ingest --dpi` (records already kept in --records are re-extracted as they are)"),
) -> None:
    """Score extraction per plan family and input kind on generated plans (bench/plans):
    items F1, deadline, lead, coop, values. Scans are OCR'd (slow): use --kinds and
    --per-family for a quick run.

    \b
    Example:
      kehoach bench generality --kinds pdf --per-family 2
    """
    from dataclasses import asdict

    from .bench.generality import KINDS, rows_to_table, run_generality, scores_to_rows

    try:
        scan_dpi = dpi_option(dpi)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--dpi")
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip())
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown input kind(s) {unknown}; choose from {list(KINDS)}", param_hint="--kinds")
    try:
        scores = run_generality(out, list(family) if family else None, per_family, chosen, jobs,
                                records=records, start=start, dpi=scan_dpi)
    except KeyError as e:
        raise typer.BadParameter(str(e), param_hint="--family")
    typer.echo(rows_to_table(scores_to_rows(scores)))
    for s in scores:
        if s.error:
            typer.echo(f"failed: {s.plan} {s.kind}: {s.error}")
        if details:
            for m in s.mismatches:
                typer.echo(f"{s.plan} {s.kind} {m['kind']}.{m['field']} exp={m['expected_ordinal']}:"
                           f"{str(m['expected'])[:90]!r} act={m['actual_ordinal']}:{str(m['actual'])[:90]!r}")
    if json_out:
        json_out.write_text(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1, default=str),
                            encoding="utf-8")


@app.command("extract")
def extract_cmd(
    paths: List[Path] = typer.Argument(..., help="record files (<stem>.json) or folders of them"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="folder for the re-extracted records (default: rewrite them in place)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no per-record summary"),
) -> None:
    """Re-extract saved records with the current rules, without reading the inputs again.

    Runs only the extract stage on each record's saved pages (OCR is the slow part). Exit
    code 0 when all records were re-extracted, 1 when some could not be read, 2 on usage errors.

    \b
    Example:
      kehoach extract out
      kehoach extract out/001-son-la.json --out re-extracted
    """
    from .pipeline.corrections import apply_store, store_lock
    from .pipeline.rerun import reextract
    from .pipeline.record_files import paths_to_documents
    from .pipeline.records import unique_name, write_json_atomic

    _require_existing(paths)
    read = paths_to_documents(paths)
    failed = len(read.unreadable)
    for p, why in read.unreadable:
        typer.echo(f"kehoach: failed: {p}: {why}", err=True)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    taken: set[Path] = set()
    for p, doc in read.documents:
        target = (out / p.name) if out else p
        if target in taken:  # two records of the same name into one --out folder
            target = out / f"{unique_name(p)}.json"
        taken.add(target)
        try:
            new = reextract(doc)
            # the reviewers' corrections of this record (its folder's store) are applied again
            with store_lock(p.parent):
                new = apply_store(new, p.parent, p.name.removesuffix(".json"))
                write_json_atomic(target, new.model_dump_json(indent=1))
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the others
            failed += 1
            typer.echo(f"kehoach: failed: {p}: extraction raised {type(exc).__name__}: {exc}", err=True)
            continue
        review = ""
        if new.review:
            review = f", {new.review.corrections} corrections applied"
            if new.review.unmatched:
                review += f", {len(new.review.unmatched)} not applied (no such item; kept in {new.review.store})"
                typer.echo(f"kehoach: warning: {p.name}: {len(new.review.unmatched)} correction(s) "
                           "not applied: their item is not in this extraction", err=True)
        if not quiet:
            typer.echo(f"{p.name}: {len(new.targets)} targets, {len(new.tasks)} tasks{review} -> {target}")
    raise typer.Exit(1 if failed else 0)


@app.command("audit")
def audit_cmd(
    samples_dir: Path = typer.Argument(Path("samples"), help="folder of sample inputs with <stem>.expected.json beside them"),
    out: Path = typer.Option(Path("audit"), "--out", "-o", help="folder for audit.json and audit.html"),
    min_f1: Optional[float] = typer.Option(None, "--min-f1", help="exit 1 when pooled item F1 is below this (0-1)"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="worker processes (0 = all cores)"),
    records: Optional[Path] = typer.Option(None, "--records", help="score the records already in this folder (written by `kehoach ingest SAMPLES --out FOLDER`) instead of running the pipeline"),
    reviewed: Optional[Path] = typer.Option(None, "--reviewed", help="score the current extraction against the records of this folder that reviewers marked reviewed (kehoach review): no expected files needed"),
) -> None:
    """Run the pipeline on the samples, score against expected records, write audit.json + audit.html.

    The records the pipeline wrote are kept in OUT/records.

    \b
    Example:
      kehoach audit samples --out audit --min-f1 0.95
      kehoach audit samples --records out
      kehoach audit --reviewed out       (reviewed records are the expected ones)
    """
    from .outputs import audit

    if reviewed is not None:
        if not reviewed.is_dir():
            _fail(UsageError(f"no such folder: {reviewed}"))
        result = audit.run_reviewed_audit(reviewed)
        if not result.documents:
            _fail(UsageError(f"no reviewed record in {reviewed} (kehoach review marks a record "
                             "reviewed when its items are accepted)"))
        _report_audit(audit, result, out, min_f1)
        raise typer.Exit(0)
    if not samples_dir.is_dir():
        _fail(UsageError(f"no such folder: {samples_dir}"))
    if records is not None and not records.is_dir():
        _fail(UsageError(f"no such folder: {records}"))
    if jobs < 0:
        _fail(UsageError("--jobs must be 0 (all cores) or more"))
    result = audit.run_audit(samples_dir, jobs=jobs, records_dir=records or out / "records",
                             run=records is None)
    if not result.documents:
        _fail(UsageError(f"no <stem>.expected.json with a sample input in {samples_dir}"))
    _report_audit(audit, result, out, min_f1)


def _report_audit(audit, result, out: Path, min_f1: Optional[float]) -> None:
    """Write an audit's reports, print its table, and exit 1 when F1 is below --min-f1."""
    json_path, html_path = audit.write_reports(result, out, min_f1)
    typer.echo(audit.result_to_table(result))
    typer.echo(f"-> {json_path}, {html_path}")
    if min_f1 is not None and result.f1 < min_f1:
        typer.echo(f"kehoach: item F1 {result.f1:.3f} is below --min-f1 {min_f1}", err=True)
        raise typer.Exit(1)


@app.command("review")
def review_cmd(
    out_dir: Path = typer.Argument(..., help="the folder of <stem>.json records to review"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (default: this computer only)"),
    port: int = typer.Option(8765, "--port", help="port to listen on (0: any free port)"),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="the name corrections are signed with (default: the login name)"),
    inputs: Optional[List[Path]] = typer.Option(None, "--inputs", help="folder where the input files are, when their recorded paths do not lead to them (page crops are cut from them)"),
) -> None:
    """Review records in a browser: each value beside its page crop; accept, correct, delete
    or add items. Corrections go to OUT_DIR/corrections/<record>.json and every later run
    (ingest, ingest --force, extract) applies them again.

    \b
    Example:
      kehoach review out --reviewer "Nguyễn Văn A"
      kehoach review out --inputs /archive/scans --port 0
    """
    from .outputs.review import make_server

    if not out_dir.is_dir():
        _fail(UsageError(f"no such folder: {out_dir}"))
    try:
        server, site = make_server(out_dir, host, port, reviewer or "", input_dirs=tuple(inputs or ()))
    except OSError as exc:
        _fail(UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"))
    h, p = server.server_address[:2]
    shown = f"[{h}]" if ":" in h else h
    typer.echo(f"Rà soát {len(site.names())} hồ sơ tại http://{shown}:{p}/ (người rà soát: "
               f"{site.reviewer}; Ctrl+C để dừng)", err=False)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("report")
def report_cmd(
    out_dir: Optional[List[Path]] = typer.Argument(None, help="folders of <stem>.json records (or record files); or --db"),
    db: Optional[str] = typer.Option(None, "--db", help="read the plans from this database (loaded by `kehoach load`) instead of record folders"),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="the HTML report to write"),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="also write the report's tables to this workbook"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="the date the report is for, YYYY-MM-DD (default: today)"),
    review_url: str = typer.Option("http://127.0.0.1:8765", "--review-url", help="where `kehoach review` serves these records (links to each task)"),
) -> None:
    """What the plans ask of whom and by when: per plan and per lead unit, tasks due this
    month, this quarter, overdue, recurring; targets by year; charts. One plan counted once.

    \b
    Example:
      kehoach report out --out report.html --as-of 2025-10-15 --xlsx report.xlsx
      kehoach report --db sqlite:///kehoach.db --out report.html
    """
    import datetime as dt

    from .outputs.report import (
        database_to_plans, documents_to_plans, plans_to_report, write_report, write_xlsx,
    )

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        _fail(UsageError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}"))
    for target in [out] + ([xlsx] if xlsx else []):
        if target.is_dir() or not target.parent.is_dir():
            _fail(UsageError(f"{target}: give a file in an existing folder"))
    if bool(out_dir) == bool(db):
        _fail(UsageError("give record folders or --db URL (one of them)"))
    unreadable = 0
    if db:
        try:
            plans, left_out = database_to_plans(db)
        except Exception as exc:  # noqa: BLE001 - cannot connect, not a kehoach database
            _fail(exc)
    else:
        read = _read_records_or_exit(out_dir)
        unreadable = len(read.unreadable)
        plans, left_out = documents_to_plans((p.name.removesuffix(".json"), d) for p, d in read.documents)
    report = plans_to_report(plans, day, left_out)
    write_report(report, out, review_url)
    if xlsx:
        write_xlsx(report, xlsx)
    t = report.total
    typer.echo(f"{len(report.plans)} plans, {t.tasks} tasks: {t.month} due this month, {t.quarter} this "
               f"quarter, {t.overdue} overdue, {t.recurring} recurring -> {out}" + (f", {xlsx}" if xlsx else ""))
    raise typer.Exit(1 if unreadable else 0)


@app.command("restore")
def restore_cmd(
    file: str = typer.Argument("-", help="text file to restore, or - for standard input"),
    model: Optional[Path] = typer.Option(None, "--model", help="restore model (default: bundled)"),
    edits: bool = typer.Option(False, "--edits", help="print the token edits as JSON lines instead"),
) -> None:
    """Restore Vietnamese diacritics and fix OCR confusions; print the restored text.

    \b
    Example:
      kehoach restore samples/000-cho-don.ocr.txt | head
      echo 'Ke hoach trien khai' | kehoach restore
    """
    import unicodedata

    from .normalize.restore import Restorer

    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    res = Restorer.load(model).restore_text(unicodedata.normalize("NFC", text))
    if edits:
        for e in res.edits:
            typer.echo(e.model_dump_json())
    else:
        typer.echo(res.text, nl=False)


@app.command("train-lm")
def train_lm_cmd(
    texts: List[Path] = typer.Argument(..., help="correct Vietnamese texts to add to the language model"),
    out: Path = typer.Option(..., "--out", help="where to write the model (.json.gz)"),
) -> None:
    """Train a restore model: the bundled sources plus TEXTS (in-domain LM text).

    \b
    Example:
      kehoach train-lm my-plans/*.txt --out my-model.json.gz
    """
    from .normalize.restore import Restorer
    from .normalize.restore.train import build_model

    model = build_model(extra_texts=[p.read_text(encoding="utf-8") for p in texts])
    Restorer.save(model, out)
    typer.echo(f"{out}: {out.stat().st_size / 1e6:.1f} MB")


@bench_app.command("restore")
def bench_restore_cmd(
    doc: Optional[List[str]] = typer.Option(None, "--doc", help="left-out document id(s); default all"),
    unseen: bool = typer.Option(True, "--unseen/--no-unseen", help="also the unseen plans' old OCR"),
    unseen_only: bool = typer.Option(False, "--unseen-only", help="only the unseen plans (no training)"),
) -> None:
    """Restoration accuracy and tokens/s per left-out corpus document (leave-one-out), and
    on the unseen plans' old OCR, stripped and correct text with the bundled model.

    \b
    Example:
      kehoach bench restore --unseen-only
    """
    from .bench.restore import docs_to_rows, rows_to_table, unseen_rows

    rows = [] if unseen_only else docs_to_rows(doc)
    if unseen or unseen_only:
        rows += unseen_rows()
    typer.echo(rows_to_table(rows))


def main() -> None:  # console-script entry point
    """Run the app; any error that escapes a command becomes one line and an exit code
    (set KEHOACH_DEBUG=1 for the traceback)."""
    import os

    try:
        app(prog_name="kehoach")
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("KEHOACH_DEBUG"):
            raise
        from .core.errors import KehoachError

        known = isinstance(exc, (KehoachError, OSError, ValueError))
        detail = str(exc) if known else f"internal error: {type(exc).__name__}: {exc}"
        typer.echo(f"kehoach: error: {detail}", err=True)
        sys.exit(_exit_code(exc))

