"""The command line: parse options, call the library, write the record, turn errors into exit codes.

Only this module writes to stdout (data) and stderr (messages). Heavy imports (pydantic models, pandas,
the pipeline) happen inside the commands so that ``govreport --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Callable, Iterator, List, NoReturn, Optional

import typer

from .errors import BadInputError, ExitCode, GovReportError, OutputNotWritableError

log = logging.getLogger(__name__)

STDIN_NAME = "<stdin>"  # source.path of a record read from stdin

EXIT_CODES = {
    ExitCode.ok: "the record was written",
    ExitCode.internal_error: "internal error (a bug: run with -v for the traceback)",
    ExitCode.usage: "usage error (unknown option, bad --format, ...)",
    ExitCode.bad_input: "bad input: missing, unreadable, empty or not a report",
    ExitCode.missing_dependency: "an optional dependency is needed for this input",
    ExitCode.output_not_writable: "the output cannot be written",
    ExitCode.batch_failed_inputs: "batch: finished, but some inputs failed (each has an error line)",
    ExitCode.interrupted: "interrupted (Ctrl-C)",
}

_EXIT_CODE_HELP = "Exit codes:\n\n\b\n" + "\n".join(f"  {int(c):>3}  {text}" for c, text in EXIT_CODES.items())

_EXAMPLES = """Examples:

\b
  govreport extract report.txt > report.json
  govreport extract report.txt | jq '.tables.applications.new_received.total'
  govreport extract report.txt | jq -r '.checks[] | select(.status == "fail") | .id'
  govreport extract report.txt --format csv-long -o cells.csv
  cat report.txt | govreport extract - --format jsonl"""


class PdfEngine(str, Enum):
    pdfium = "pdfium"
    pdfplumber = "pdfplumber"


_PDF_ENGINE_HELP = "Read PDFs with PDFium (fast, the default) or pdfplumber (pdfminer, the first reader)."


class OutputFormat(str, Enum):
    """The formats of ``govreport.export.FORMATS``."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    csv_long = "csv-long"


app = typer.Typer(
    name="govreport",
    help="Extract the statistical tables of a 政府信息公开工作年度报告 into a checked JSON record.",
    epilog=f"{_EXAMPLES}\n\n{_EXIT_CODE_HELP}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(epilog=f"{_EXAMPLES}\n\n{_EXIT_CODE_HELP}")
def extract(
    file: str = typer.Argument(
        ..., metavar="FILE", help="The report to read (PDF, plain text or Markdown); '-' reads stdin."
    ),
    out: Optional[str] = typer.Option(
        None, "-o", "--out", metavar="OUT", help="Write to OUT (atomically) instead of stdout ('-': stdout)."
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.json, "--format", case_sensitive=False,
        help="json: one pretty record; jsonl: one line; csv: one row per report; csv-long: one row per cell.",
    ),
    bom: bool = typer.Option(True, "--bom/--no-bom", help="Start CSV with a UTF-8 BOM (for Excel)."),
    strict: bool = typer.Option(
        False, "--strict", help="Null ambiguous and suspect cells instead of keeping their most plausible reading."
    ),
    max_bytes: int = typer.Option(200 * 1024 * 1024, "--max-bytes", min=1, help="Refuse larger input files."),
    max_pages: int = typer.Option(500, "--max-pages", min=1, help="Refuse PDFs with more pages."),
    pdf_engine: PdfEngine = typer.Option(PdfEngine.pdfium, "--pdf-engine", case_sensitive=False,
                                         help=_PDF_ENGINE_HELP),
    timeout: float = typer.Option(300.0, "--timeout", min=0,
                                  help="Give up after this many seconds (0: no limit): exit 3, no record."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Log debug messages and tracebacks to stderr."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Log errors only."),
) -> None:
    """Extract one report and print its record (JSON by default) on stdout.

    The record holds every cell of the detected template with a status (ok, blank, placeholder,
    inferred, missing, ambiguous), the report's own arithmetic checks, and the issues found.
    A blank cell is null, never 0.
    """
    _configure_logging(verbose, quiet)
    with _exit_codes(verbose):
        _run_extract(file, out, fmt.value, bom=bom, strict=strict, limits={"max_bytes": max_bytes,
                                                                            "max_pages": max_pages,
                                                                            "pdf_engine": pdf_engine.value},
                     timeout=timeout)


class BatchFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    csv_long = "csv-long"
    xlsx = "xlsx"
    parquet = "parquet"


class BatchExecutor(str, Enum):
    pool = "pool"
    dask = "dask"


_BATCH_EXAMPLES = """Examples:

\b
  govreport batch reports/ -o corpus.jsonl
  govreport batch reports/ --db corpus.sqlite --resume --jobs 4
  find . -name '*.pdf' | govreport batch - --format csv -o tables.csv
  govreport batch reports/ --format xlsx -o reports.xlsx
  govreport batch reports/ --format parquet -o corpus/ --units units.csv
  govreport batch reports/ --executor dask --scheduler tcp://host:8786 -o corpus.jsonl"""



@app.command(epilog=f"{_BATCH_EXAMPLES}\n\n{_EXIT_CODE_HELP}")
def batch(
    paths: List[str] = typer.Argument(..., metavar="PATH...",
                                      help="Files and folders (walked recursively); '-' reads paths from stdin."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="OUT",
                                      help="Write the output here (JSON Lines default to stdout)."),
    fmt: BatchFormat = typer.Option(BatchFormat.jsonl, "--format", case_sensitive=False,
                                    help="jsonl: a record per line; csv: a row per report; csv-long: a row per "
                                         "cell; xlsx: a workbook (needs -o); parquet: a dataset folder "
                                         "(needs -o DIR)."),
    db: Optional[str] = typer.Option(None, "--db", metavar="FILE",
                                     help="Also store every record in this SQLite corpus database."),
    resume: bool = typer.Option(False, "--resume",
                                help="Skip inputs already in --db (or already written to the -o JSON Lines)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: all cores; 1: in-process)."),
    executor: BatchExecutor = typer.Option(BatchExecutor.pool, "--executor", case_sensitive=False,
                                           help="pool: a process pool here; dask: a dask.distributed cluster "
                                                "(pip install 'govreport[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="With --executor dask: the scheduler of an existing cluster "
                                                 "(tcp://host:8786); without: a local cluster of --jobs workers."),
    units: Optional[str] = typer.Option(None, "--units", metavar="FILE",
                                        help="A unit registry (CSV: unit_id, name or file, unit_type, adcode, "
                                             "parent_id): records joined to units, cross-year checks by unit."),
    check_hierarchy: bool = typer.Option(False, "--check-hierarchy",
                                         help="With --units: each region-wide report against the sum of its "
                                              "children's (soft findings)."),
    glob: Optional[str] = typer.Option(None, "--glob", metavar="PATTERN",
                                       help="Only files whose name matches, e.g. '*.pdf'."),
    timeout: float = typer.Option(300.0, "--timeout", min=0,
                                  help="Give up on one file after this many seconds (0: no limit)."),
    strict: bool = typer.Option(False, "--strict", help="Null ambiguous and suspect cells."),
    bom: bool = typer.Option(True, "--bom/--no-bom", help="Start CSV with a UTF-8 BOM (for Excel)."),
    max_bytes: int = typer.Option(200 * 1024 * 1024, "--max-bytes", min=1, help="Refuse larger input files."),
    max_pages: int = typer.Option(500, "--max-pages", min=1, help="Refuse PDFs with more pages."),
    pdf_engine: PdfEngine = typer.Option(PdfEngine.pdfium, "--pdf-engine", case_sensitive=False,
                                         help=_PDF_ENGINE_HELP),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Log debug messages and tracebacks."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Errors only: no progress, no summary."),
) -> None:
    """Extract many reports in parallel; one output line or row per input, failures included.

    A file that fails never stops the batch: it gets an error record. The summary (ok, with failed
    checks, failed; cross-year checks of the same issuer's consecutive years) goes to stderr.
    """
    _configure_logging(verbose, quiet)
    code = 0
    with _exit_codes(verbose):
        code = _run_batch(paths, out, fmt.value, db, resume, jobs, glob, timeout, strict, bom, quiet,
                          {"max_bytes": max_bytes, "max_pages": max_pages, "pdf_engine": pdf_engine.value},
                          executor=executor.value,
                          scheduler=scheduler, units=units, check_hierarchy=check_hierarchy)
    raise typer.Exit(code)


def _run_batch(paths: List[str], out: Optional[str], fmt: str, db: Optional[str], resume: bool, jobs: int,
               glob: Optional[str], timeout: float, strict: bool, bom: bool, quiet: bool,
               limits: Optional[dict] = None, *, executor: str = "pool", scheduler: Optional[str] = None,
               units: Optional[str] = None, check_hierarchy: bool = False) -> int:
    from .batch.inputs import collect
    from .batch.session import BatchOptions, resume_from_jsonl, run_batch

    if fmt == "xlsx" and out in (None, "-"):
        raise typer.BadParameter("--format xlsx needs -o FILE", param_hint="--format")
    if fmt == "parquet" and out in (None, "-"):
        raise typer.BadParameter("--format parquet needs -o DIR", param_hint="--format")
    if scheduler and executor != "dask":
        raise typer.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    if check_hierarchy and not units:
        raise typer.BadParameter("--check-hierarchy needs --units FILE", param_hint="--check-hierarchy")
    if executor == "dask":
        from .batch.executors import require_dask

        require_dask()  # exit 4 before any output is touched
    registry = None
    if units:
        from .batch.units import load_registry

        registry = load_registry(Path(units))
    inputs = collect(paths, glob, sys.stdin if "-" in paths else None)
    jobs = jobs or os.cpu_count() or 1
    store = None
    if db:
        from .batch.store import Store

        store = Store(Path(db))
    done: set = set()
    stream = None
    output: Optional[_Output] = None
    parquet = None
    if fmt == "parquet":
        from .export_parquet import ParquetDataset, done_in

        if resume:
            done = done_in(Path(out))  # type: ignore[arg-type]
        parquet = ParquetDataset(Path(out), resume=resume)  # type: ignore[arg-type]
    elif fmt == "jsonl":
        if out in (None, "-"):
            stream = sys.stdout.buffer
        else:
            target = Path(out)
            _check_parent(out, target)
            if resume:
                done = resume_from_jsonl(target)
            try:
                stream = open(target, "ab" if resume else "wb")
            except OSError as e:
                raise OutputNotWritableError(f"{out}: cannot write ({e.strerror or e})") from e
    else:
        output = _Output(out)

    def finish(records: list, cross_year: list) -> None:
        assert output is not None
        if fmt == "xlsx":
            from .export_xlsx import write_xlsx

            output.write(lambda s: write_xlsx(records, s, cross_year))
        else:
            from . import export

            output.write(lambda s: export.write(records, s, fmt, bom=bom))

    progress = _progress(len(inputs), quiet)
    options = BatchOptions(fmt=fmt, jobs=jobs, strict=strict, timeout=timeout or None, resume=resume, bom=bom,
                           limits=_changed_limits(limits), executor=executor, scheduler=scheduler, units=registry,
                           check_hierarchy=check_hierarchy)

    def on_progress(o) -> None:
        if not o.ok:
            sys.stderr.write(f"govreport: error: {' '.join((o.error_message or '').splitlines())}\n")
        progress.advance(o.path)

    try:
        summary = run_batch(inputs, options, stream=stream, store=store, done=done, progress=on_progress,
                            finish=finish, sink=parquet.add if parquet is not None else None)
        if parquet is not None:
            parquet.close(summary.cross_year, summary.hierarchy)
            parquet = None
    finally:
        progress.close()
        if stream is not None and stream is not sys.stdout.buffer:
            stream.close()
        if store is not None:
            store.close()
        if output is not None:
            output.discard()
        if parquet is not None:
            parquet.discard()
    if not quiet:
        _print_summary(summary)
    if summary.interrupted:
        return int(ExitCode.interrupted)
    return int(ExitCode.batch_failed_inputs) if summary.failed else 0


class _progress:
    """A rich progress bar on stderr when it is a terminal (and not -q); otherwise nothing."""

    def __init__(self, total: int, quiet: bool):
        self.bar = None
        if quiet or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("[bold]govreport"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def advance(self, path: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=Path(path).name[:40])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(summary) -> None:
    parts = [f"{summary.total} inputs", f"{summary.ok} ok", f"{summary.failed_checks} with failed checks",
             f"{summary.failed} failed"]
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped (--resume)")
    if summary.interrupted:
        parts.append("interrupted")
    sys.stderr.write("govreport: " + ", ".join(parts) + "\n")
    failed_cross = [c for c in summary.cross_year if c["status"] == "fail"]
    if summary.cross_year:
        sys.stderr.write(f"govreport: cross-year checks: {len(summary.cross_year)} run, {len(failed_cross)} failed\n")
    for c in failed_cross[:20]:
        sys.stderr.write(f"govreport:   {c['issuer']} {c['prev_year']}→{c['year']}: {c['id']}: "
                         f"{c['lhs']} vs {c['rhs']}\n")
    hierarchy = getattr(summary, "hierarchy", [])
    if hierarchy:
        failed_h = [c for c in hierarchy if c["status"] == "fail"]
        sys.stderr.write(f"govreport: hierarchy checks: {len(hierarchy)} run, {len(failed_h)} failed, "
                         f"{sum(c['status'] == 'not_assessable' for c in hierarchy)} not assessable\n")
        for c in failed_h[:20]:
            sys.stderr.write(f"govreport:   {c['issuer']} {c['year']}: {c['id']}: {c['lhs']} vs the children's "
                             f"{c['rhs']}\n")
    peaks = sorted(summary.worker_peak_rss_mib.values())
    if peaks:  # -v: the memory each worker process needed at most
        log.debug("peak memory per worker: %.1f MiB max, %.1f MiB min, over %d worker process(es)",
                  peaks[-1], peaks[0], len(peaks))


class ReviewFormat(str, Enum):
    html = "html"
    json = "json"


_REVIEW_EXAMPLES = """Examples:

\b
  govreport review report.pdf -o review.html
  govreport review report-2023.pdf --previous report-2022.pdf -o review.html
  govreport review report.txt --format json | jq '.findings[] | .code'"""


@app.command(epilog=f"{_REVIEW_EXAMPLES}\n\n{_EXIT_CODE_HELP}")
def review(
    file: str = typer.Argument(..., metavar="FILE", help="The report to review."),
    previous: Optional[str] = typer.Option(None, "--previous", metavar="FILE",
                                           help="The same body's report of the previous year: compare with it."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="OUT", help="Write to OUT instead of stdout."),
    fmt: ReviewFormat = typer.Option(ReviewFormat.html, "--format", case_sensitive=False,
                                     help="html: the self-contained review page; json: the findings as data."),
    images: bool = typer.Option(True, "--images/--no-images", help="PDF: page images of the flagged cells."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Log debug messages and tracebacks to stderr."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Log errors only."),
) -> None:
    """Review one report: a page with the three tables as the official form, each cell coloured by its
    status, the failed checks and the findings (template, blank cells, narrative vs tables, text copied
    from last year with --previous)."""
    _configure_logging(verbose, quiet)
    with _exit_codes(verbose):
        output = _Output(out)
        try:
            from .review import render_review

            text = render_review(_readable_file(file), _readable_file(previous) if previous else None,
                                 fmt.value, images=images)
            output.write(lambda stream: stream.write(text.encode("utf-8")))
        finally:
            output.discard()


class CompareFormat(str, Enum):
    auto = "auto"
    table = "table"
    json = "json"
    html = "html"


@app.command(epilog=f"{_EXIT_CODE_HELP}")
def compare(
    old: str = typer.Argument(..., metavar="OLD", help="The earlier report."),
    new: str = typer.Argument(..., metavar="NEW", help="The later report."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="OUT",
                                      help="Write to OUT (a .html name writes the page)."),
    fmt: CompareFormat = typer.Option(CompareFormat.auto, "--format", case_sensitive=False,
                                      help="auto: a table on a terminal, JSON otherwise (HTML for -o *.html)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Log debug messages and tracebacks to stderr."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Log errors only."),
) -> None:
    """Compare two years of one body: every cell side by side with the change, the cross-year chain
    checks, section similarity and metadata changes."""
    _configure_logging(verbose, quiet)
    with _exit_codes(verbose):
        kind = fmt.value
        if kind == "auto":
            kind = ("html" if out and out.lower().endswith((".html", ".htm")) else
                    "table" if out in (None, "-") and sys.stdout.isatty() else "json")
        output = _Output(out)
        try:
            from .review import render_comparison

            text = render_comparison(_readable_file(old), _readable_file(new), kind)
            output.write(lambda stream: stream.write(text.encode("utf-8")))
        finally:
            output.discard()


@app.command()
def schema() -> None:
    """Print the JSON Schema of the record (govreport.record/1)."""
    with _exit_codes(False):
        from .record import Report

        text = json.dumps(Report.model_json_schema(by_alias=True), ensure_ascii=False, indent=2)
        _write_stdout(text + "\n")


def main() -> None:
    """Console-script entry point (``govreport``) and ``python -m govreport``."""
    app(prog_name="govreport")


def _run_extract(file: str, out: Optional[str], fmt: str, *, bom: bool, strict: bool,
                 limits: Optional[dict] = None, timeout: float = 0) -> None:
    from_stdin = file == "-"
    path = _stdin_to_tempfile() if from_stdin else _readable_file(file)
    output: Optional[_Output] = None
    try:
        output = _Output(out)  # before extracting, so that an unwritable OUT fails at once
        from . import export
        from .api import extract as extract_report

        try:
            report = _within(timeout, file, lambda: extract_report(path, strict=strict, **_changed_limits(limits)))
        except GovReportError as e:
            if from_stdin:  # name stdin, not the temporary file, in the message
                e.message = e.message.replace(str(path), STDIN_NAME)
            raise
        if from_stdin:
            report.source.path = STDIN_NAME
        output.write(lambda stream: export.write(report, stream, fmt, bom=bom))
    finally:
        if output is not None:
            output.discard()
        if from_stdin:
            path.unlink(missing_ok=True)


def _within(timeout: float, name: str, work: Callable[[], object]):
    """``work()`` under batch's time limit (``timelimit.time_limit``): past it, a ``timeout`` error (exit 3)
    and no record, even where something inside swallowed the interruption."""
    from .errors import TimeLimitError
    from .timelimit import caused_by_timeout, time_limit

    limit = time_limit(timeout)
    try:
        with limit:
            result = work()
    except Exception as exc:
        if not (caused_by_timeout(exc) or limit.fired):
            raise
        raise TimeLimitError(f"{name}: gave up after {timeout:g} s (--timeout)") from None
    if limit.fired:
        raise TimeLimitError(f"{name}: gave up after {timeout:g} s (--timeout)")
    return result


_DEFAULT_LIMITS = {"max_bytes": 200 * 1024 * 1024, "max_pages": 500, "pdf_engine": "pdfium"}


def _changed_limits(limits: Optional[dict]) -> dict:
    """Only the limits the user changed (the library's defaults are the same)."""
    return {k: v for k, v in (limits or {}).items() if _DEFAULT_LIMITS.get(k) != v}


def _readable_file(file: str) -> Path:
    path = Path(file)
    if not path.exists():
        raise BadInputError(f"{file}: no such file")
    if path.is_dir():
        raise BadInputError(f"{file}: is a directory, not a report file")
    if not os.access(path, os.R_OK):
        raise BadInputError(f"{file}: permission denied")
    return path


def _stdin_to_tempfile() -> Path:
    """Copy stdin's bytes to a temporary file with no extension, so the pipeline sniffs the format."""
    data = sys.stdin.buffer.read()
    fd, name = tempfile.mkstemp(prefix="govreport-stdin-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return Path(name)


def _check_parent(name: str, target: Path) -> None:
    """The output's folder must exist and be a folder (OutputNotWritableError, exit 5)."""
    parent = target.parent
    if parent.is_dir():
        return
    if parent.exists():
        raise OutputNotWritableError(f"{name}: {str(parent)!r} is not a directory")
    raise OutputNotWritableError(f"{name}: directory {str(parent)!r} does not exist")


class _Output:
    """stdout, or OUT written atomically: a temporary file beside it, renamed onto it once complete."""

    def __init__(self, out: Optional[str]):
        self.name = out if out not in (None, "-") else None
        self.tmp: Optional[Path] = None
        if self.name is None:
            return
        target = Path(self.name)
        if target.is_dir():
            raise OutputNotWritableError(f"{self.name}: is a directory")
        _check_parent(self.name, target)
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as e:
            raise OutputNotWritableError(f"{self.name}: cannot write there ({e.strerror or e})") from e
        os.close(fd)
        self.tmp = Path(tmp)

    def write(self, fill: Callable[[IO[bytes]], None]) -> None:
        """Call ``fill(stream)``, then publish; an OSError on the way means the output is not writable."""
        try:
            if self.tmp is None:
                fill(sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return
            with self.tmp.open("wb") as stream:
                fill(stream)
            umask = os.umask(0)
            os.umask(umask)
            self.tmp.chmod(0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
            self.tmp.replace(self.name)  # type: ignore[arg-type]
            self.tmp = None
        except BrokenPipeError:
            raise
        except OSError as e:
            raise OutputNotWritableError(f"{self.name or 'stdout'}: cannot write ({e.strerror or e})") from e

    def discard(self) -> None:
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def _write_stdout(text: str) -> None:
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


@contextmanager
def _exit_codes(verbose: bool) -> Iterator[None]:
    """The one place where exceptions become an error line on stderr and an exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except typer.BadParameter as e:  # a usage error found in the command's body (exit 2, one line)
        _fail(e.format_message(), ExitCode.usage)
    except GovReportError as e:
        log.debug("error raised here", exc_info=True)
        _fail(str(e), e.exit_code)
    except BrokenPipeError:
        # the reader went away: point stdout at devnull so the interpreter's final flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _fail("stdout was closed before the output was written", ExitCode.output_not_writable)
    except KeyboardInterrupt:
        raise typer.Exit(int(ExitCode.interrupted)) from None
    except Exception as e:  # noqa: BLE001 - every unexpected error becomes exit 1 with one line
        if verbose:
            traceback.print_exc(file=sys.stderr)
        hint = "" if verbose else " (run with -v for the traceback)"
        _fail(f"internal error: {type(e).__name__}: {e}{hint}", ExitCode.internal_error)


def _fail(message: str, code: int) -> NoReturn:
    line = " ".join(message.splitlines())
    sys.stderr.write(f"govreport: error: {line}\n")
    sys.stderr.flush()
    raise typer.Exit(int(code))


def _configure_logging(verbose: bool, quiet: bool) -> None:
    if verbose and quiet:
        raise typer.BadParameter("use either -v or -q, not both")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(name)s: %(levelname)s: %(message)s"))
    logger = logging.getLogger("govreport")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    logger.propagate = False


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = record.levelname.lower()
        return super().format(record)
