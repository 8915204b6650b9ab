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
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any, Callable, Dict, Iterator, List, NoReturn, Optional

import typer

from .errors import BadInputError, ExitCode, GovReportError, OutputNotWritableError
from .limits import DEFAULT_JOBS, DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, DEFAULT_PDF_ENGINE, DEFAULT_TIMEOUT

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
    ExitCode.fail_on: "--fail-on: a record met the condition (checks, review, issues)",
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


_DEFAULT_ENGINE = PdfEngine(DEFAULT_PDF_ENGINE)

_PDF_ENGINE_HELP = "Read PDFs with PDFium (fast, the default) or pdfplumber (pdfminer, the first reader)."


class OutputFormat(str, Enum):
    """The formats of ``govreport.export.FORMATS``."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    csv_long = "csv-long"


EXTRACT_FORMATS = ("json", "jsonl", "csv", "csv-long")
BATCH_FORMATS = ("jsonl", "json", "csv", "csv-long", "xlsx", "parquet")
# the format an output's extension means (csv-long shares .csv: --format csv-long chooses it)
EXTENSION_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx",
                     ".parquet": "parquet"}
DATABASE_EXTENSIONS = (".sqlite", ".sqlite3", ".db")


def output_format(fmt: Optional[str], out: Optional[str], allowed: tuple, default: str) -> str:
    """The format to write: ``--format``, else the one OUT's extension names, else ``default``. A format
    that contradicts the extension, or an extension naming a format this command cannot write, is a usage
    error (exit 2)."""
    ext = Path(out).suffix.lower() if out not in (None, "-") else ""
    implied = EXTENSION_FORMATS.get(ext)
    if implied is not None and implied not in allowed:
        raise typer.BadParameter(f"-o {out}: this command cannot write {implied} (formats: {', '.join(allowed)})",
                                 param_hint="-o")
    if fmt is None:
        return implied or default
    if implied is not None and fmt != implied and not (implied == "csv" and fmt == "csv-long"):
        raise typer.BadParameter(f"--format {fmt} contradicts the extension of -o {out} ({implied})",
                                 param_hint="--format")
    return fmt


def batch_outputs(fmt: Optional[str], out: Optional[str], db: Optional[str]):
    """``(format, out, db)`` of a batch: ``-o X.sqlite`` (or .sqlite3, .db) is the database, as ``--db``."""
    if out not in (None, "-") and Path(out).suffix.lower() in DATABASE_EXTENSIONS:
        if db:
            raise typer.BadParameter(f"-o {out} is a database, and --db {db} names another", param_hint="-o")
        if fmt is not None:
            raise typer.BadParameter(f"--format {fmt} contradicts -o {out} (a SQLite database)",
                                     param_hint="--format")
        return "jsonl", None, out
    return output_format(fmt, out, BATCH_FORMATS, "jsonl"), out, db


def _own_outputs(out: Optional[str], db: Optional[str]) -> List[str]:
    """The files this batch writes: never inputs of it, even where a folder walk meets them."""
    own = []
    if out not in (None, "-"):
        own.append(out)
    if db:
        own += [db, db + "-wal", db + "-shm", db + "-journal"]
    return own


def _bom_default(bom: Optional[bool], out: Optional[str]) -> bool:
    """CSV starts with a BOM (for Excel) when written to a file, not when it goes to a pipe or terminal."""
    return bom if bom is not None else out not in (None, "-")


class Labels(str, Enum):
    key = "key"
    zh = "zh"


_LABELS_HELP = ("Column headers of CSV and XLSX cells: key (table.row.column) or zh (the Chinese labels as "
                "the form prints them).")


class FailOn(str, Enum):
    checks = "checks"
    review = "review"
    issues = "issues"


_FAIL_ON_HELP = ("Exit 8 when a record has a failed hard check (checks), is not ok (review: needs_review or "
                 "failed_checks), or lists any issue or failed check at all (issues); as jq -e, for scripts.")
_BOM_HELP = "Start CSV with a UTF-8 BOM (for Excel); default: with -o FILE yes, on stdout no."


_STRICT_HELP = "Null ambiguous and suspect cells instead of keeping their most plausible reading."

# --- the options several commands share, each defined once --------------------------------------------------
BomOption = Annotated[Optional[bool], typer.Option("--bom/--no-bom", help=_BOM_HELP)]
FailOnOption = Annotated[Optional[FailOn], typer.Option("--fail-on", case_sensitive=False, help=_FAIL_ON_HELP)]
LabelsOption = Annotated[Labels, typer.Option("--labels", case_sensitive=False, help=_LABELS_HELP)]
StrictOption = Annotated[bool, typer.Option("--strict", help=_STRICT_HELP)]
MaxBytesOption = Annotated[int, typer.Option("--max-bytes", min=1, help="Refuse larger input files.")]
MaxPagesOption = Annotated[int, typer.Option("--max-pages", min=1, help="Refuse PDFs with more pages.")]
PdfEngineOption = Annotated[PdfEngine, typer.Option("--pdf-engine", case_sensitive=False, help=_PDF_ENGINE_HELP)]
VerboseOption = Annotated[bool, typer.Option("-v", "--verbose", help="Log debug messages and tracebacks to stderr.")]
QuietOption = Annotated[bool, typer.Option("-q", "--quiet", help="Log errors only.")]


def meets(record: dict, condition: str) -> bool:
    """Whether a record meets a ``--fail-on`` condition (``record.conditions_met``)."""
    from .record import conditions_met

    return condition in conditions_met(record)


app = typer.Typer(
    name="govreport",
    help="Extract the statistical tables of a 政府信息公开工作年度报告 into a checked JSON record.",
    epilog=f"{_EXAMPLES}\n\n{_EXIT_CODE_HELP}",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
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
    fmt: Optional[OutputFormat] = typer.Option(
        None, "--format", case_sensitive=False,
        help="json: one pretty record; jsonl: one line; csv: one row per report; csv-long: one row per cell "
             "(default: from OUT's extension, else json).",
    ),
    bom: BomOption = None,
    fail_on: FailOnOption = None,
    labels: LabelsOption = Labels.key,
    strict: StrictOption = False,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    max_pages: MaxPagesOption = DEFAULT_MAX_PAGES,
    pdf_engine: PdfEngineOption = _DEFAULT_ENGINE,
    derived: bool = typer.Option(False, "--derived", help="Add the derived measures (the record's derived block)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", min=0,
                                  help="Give up after this many seconds (0: no limit): exit 3, no record."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Extract one report and print its record (JSON by default) on stdout.

    The record holds every cell of the detected template with a status (ok, blank, placeholder,
    inferred, missing, ambiguous), the report's own arithmetic checks, and the issues found.
    A blank cell is null, never 0.
    """
    _configure_logging(verbose, quiet)
    code = 0
    with _exit_codes(verbose):
        kind = output_format(fmt.value if fmt else None, out, EXTRACT_FORMATS, "json")
        report = _run_extract(file, out, kind, bom=bom, strict=strict, labels=labels.value,
                              limits={"max_bytes": max_bytes, "max_pages": max_pages,
                                      "pdf_engine": pdf_engine.value}, derived=derived, timeout=timeout)
        if fail_on is not None and report is not None and meets(report.to_dict(), fail_on.value):
            code = int(ExitCode.fail_on)
    raise typer.Exit(code)


class BatchFormat(str, Enum):
    json = "json"
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
    fmt: Optional[BatchFormat] = typer.Option(
        None, "--format", case_sensitive=False,
        help="jsonl: a record per line; json: an array; csv: a row per report; csv-long: a row per cell; "
             "xlsx: a workbook (needs -o); parquet: a dataset folder (needs -o DIR). Default: from OUT's "
             "extension (.jsonl .json .csv .xlsx .parquet; .sqlite/.db: the database, as --db), else jsonl."),
    db: Optional[str] = typer.Option(None, "--db", metavar="FILE",
                                     help="Also store every record in this SQLite corpus database."),
    resume: bool = typer.Option(False, "--resume",
                                help="Skip inputs already in --db (or already written to the -o JSON Lines)."),
    jobs: int = typer.Option(DEFAULT_JOBS, "--jobs", "-j", min=0, help="Worker processes (0: all cores; 1: in-process)."),
    executor: BatchExecutor = typer.Option(BatchExecutor.pool, "--executor", case_sensitive=False,
                                           help="pool: a process pool here; dask: a dask.distributed cluster "
                                                "(pip install 'govreport[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="With --executor dask: the scheduler of an existing cluster "
                                                 "(tcp://host:8786); without: a local cluster of --jobs workers."),
    task_size: int = typer.Option(1, "--task-size", min=1, metavar="N",
                                  help="With --executor dask: inputs per Dask task (default 1: each input its own "
                                       "task). A few per task spread Dask's cost per task (a few ms) over them: "
                                       "on a small machine the throughput of the pool; outcomes stay one per input."),
    units: Optional[str] = typer.Option(None, "--units", metavar="FILE",
                                        help="A unit registry (CSV: unit_id, name or file, unit_type, adcode, "
                                             "parent_id): records joined to units, cross-year checks by unit."),
    check_hierarchy: bool = typer.Option(False, "--check-hierarchy",
                                         help="With --units: each region-wide report against the sum of its "
                                              "children's (soft findings)."),
    derived: bool = typer.Option(False, "--derived",
                                 help="Add each record's derived measures (实质公开率, 复议纠正率, ...; null where a "
                                      "cell is not a trusted number or a denominator is 0) and the year-on-year "
                                      "changes across the batch."),
    glob: Optional[List[str]] = typer.Option(None, "--glob", metavar="PATTERN",
                                             help="Only walked files whose name matches, e.g. '*.pdf' "
                                                  "(case-insensitive; repeat for several)."),
    prefer: Optional[str] = typer.Option(None, "--prefer", metavar="FORMATS",
                                         help="The same body and year twice (a report as HTML and as PDF): keep "
                                              "the one of the first of these formats, e.g. html,pdf,docx,txt."),
    ordered: bool = typer.Option(False, "--ordered",
                                 help="Write the records in the order of the inputs (not as they complete)."),
    nul: bool = typer.Option(False, "-0", "--null",
                             help="The paths read from stdin ('-') are NUL-separated (find -print0)."),
    fail_on: FailOnOption = None,
    labels: LabelsOption = Labels.key,
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", min=0,
                                  help="Give up on one file after this many seconds (0: no limit)."),
    strict: StrictOption = False,
    bom: BomOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    max_pages: MaxPagesOption = DEFAULT_MAX_PAGES,
    pdf_engine: PdfEngineOption = _DEFAULT_ENGINE,
    verbose: VerboseOption = False,
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Errors only: no progress, no summary."),
) -> None:
    """Extract many reports in parallel; one output line or row per input, failures included.

    A file that fails never stops the batch: it gets an error record. The summary (ok, with failed
    checks, failed; cross-year checks of the same issuer's consecutive years) goes to stderr.
    """
    _configure_logging(verbose, quiet)
    code = 0
    with _exit_codes(verbose):
        kind, out, db = batch_outputs(fmt.value if fmt else None, out, db)
        code = _run_batch(_BatchRun(
            paths=paths, out=out, fmt=kind, db=db, resume=resume, jobs=jobs, glob=glob, timeout=timeout,
            strict=strict, bom=bom, quiet=quiet,
            limits={"max_bytes": max_bytes, "max_pages": max_pages, "pdf_engine": pdf_engine.value},
            executor=executor.value, scheduler=scheduler, task_size=task_size, units=units, check_hierarchy=check_hierarchy,
            derived=derived, nul=nul, fail_on=fail_on.value if fail_on else None,
            prefer=[f.strip() for f in (prefer or "").split(",") if f.strip()], ordered=ordered,
            labels=labels.value))
    raise typer.Exit(code)


@dataclass
class _BatchRun:
    """What ``govreport batch`` was asked to do: its options, as the command line gave them."""

    paths: List[str]
    out: Optional[str]
    fmt: str
    db: Optional[str]
    resume: bool = False
    jobs: int = DEFAULT_JOBS
    glob: Optional[List[str]] = None
    timeout: float = DEFAULT_TIMEOUT
    strict: bool = False
    bom: Optional[bool] = None
    quiet: bool = False
    limits: Dict[str, Any] = field(default_factory=dict)
    executor: str = "pool"
    scheduler: Optional[str] = None
    task_size: int = 1
    units: Optional[str] = None
    check_hierarchy: bool = False
    derived: bool = False
    nul: bool = False
    fail_on: Optional[str] = None
    prefer: List[str] = field(default_factory=list)
    ordered: bool = False
    labels: str = "key"

    def out_path(self) -> Path:
        """OUT as a path (the formats that need one: checked by ``_check_batch_usage``)."""
        if self.out in (None, "-"):
            raise typer.BadParameter(f"--format {self.fmt} needs -o", param_hint="--format")
        return Path(str(self.out))


def _run_batch(run: _BatchRun) -> int:
    from .batch.session import BatchOptions, run_batch

    _check_batch_usage(run)
    registry = _load_units(run.units)
    found = _batch_inputs(run)
    bom = _bom_default(run.bom, run.out)
    sinks = _BatchSinks(run, bom)
    # no bar while JSON Lines stream to a terminal (they would be drawn over); a line now and then when
    # stderr is not a terminal (cron, nohup)
    progress = _progress(len(found.paths), run.quiet, bar=not (run.fmt == "jsonl" and sinks.to_stdout()
                                                              and sys.stdout.isatty()))
    options = BatchOptions(fmt=run.fmt, jobs=run.jobs or os.cpu_count() or 1, strict=run.strict,
                           timeout=run.timeout or None, resume=run.resume, bom=bom,
                           limits=_changed_limits(run.limits), executor=run.executor, scheduler=run.scheduler,
                           task_size=run.task_size,
                           units=registry, check_hierarchy=run.check_hierarchy, derived=run.derived,
                           prefer=run.prefer, ordered=run.ordered)
    try:
        try:
            summary = run_batch(found.paths, options, stream=sinks.stream, store=sinks.store, done=sinks.done,
                                progress=_reporter(progress), finish=sinks.finish, sink=sinks.sink())
        except OutputNotWritableError:
            sinks.trim_jsonl()
            raise
        sinks.publish(summary, by_unit=registry is not None)
    finally:
        progress.close()
        sinks.close()
    summary.skipped_inputs = found.n_skipped
    _cross_year_into_jsonl(run.fmt, run.out, summary, by_unit=registry is not None, recount=sinks.store is None)
    if not run.quiet:
        _print_summary(summary)
    return _batch_exit_code(summary, run.fail_on)


def _check_batch_usage(run: _BatchRun) -> None:
    """Options that contradict each other: a usage error (exit 2) before anything is read or written."""
    if run.resume and not run.db and (run.out in (None, "-") or run.fmt not in ("jsonl", "parquet")):
        raise typer.BadParameter("--resume has nothing to resume from: it needs --db FILE, or -o FILE.jsonl "
                                 "or a parquet -o DIR", param_hint="--resume")
    if run.fmt == "xlsx" and run.out in (None, "-"):
        raise typer.BadParameter("--format xlsx needs -o FILE", param_hint="--format")
    if run.fmt == "parquet" and run.out in (None, "-"):
        raise typer.BadParameter("--format parquet needs -o DIR", param_hint="--format")
    if run.scheduler and run.executor != "dask":
        raise typer.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    if run.task_size != 1 and run.executor != "dask":
        raise typer.BadParameter("--task-size needs --executor dask", param_hint="--task-size")
    if run.check_hierarchy and not run.units:
        raise typer.BadParameter("--check-hierarchy needs --units FILE", param_hint="--check-hierarchy")
    if run.executor == "dask":
        from .batch.executors import require_dask

        require_dask()  # exit 4 before any output is touched


def _load_units(units: Optional[str]) -> Any:
    """The unit registry of ``--units FILE`` (None without)."""
    if not units:
        return None
    from .batch.units import load_registry

    return load_registry(Path(units))


def _batch_inputs(run: _BatchRun) -> Any:
    """The input files (``batch.inputs.Inputs``); what the walk skipped is said on stderr (unless -q)."""
    from .batch.inputs import collect_inputs

    try:
        found = collect_inputs(run.paths, run.glob, sys.stdin.buffer if "-" in run.paths else None, nul=run.nul,
                               exclude=_own_outputs(run.out, run.db))
    except ValueError as e:  # a NUL in the paths on stdin without -0
        raise typer.BadParameter(str(e), param_hint="-") from None
    if found.n_skipped and not run.quiet:
        reasons = ", ".join(f"{n} {why}" for why, n in found.skipped.most_common() if n)
        sys.stderr.write(f"govreport: skipped {found.n_skipped} file(s): {reasons}\n")
        for why, example in found.examples.items():
            log.info("skipped (%s), e.g. %s", why, example)
    return found


class _BatchSinks:
    """Where a batch's records go: the SQLite store (--db), then one of a JSON Lines stream, a Parquet
    dataset, or a file written whole at the end (json, csv, csv-long, xlsx); and the inputs an earlier run
    already did (--resume)."""

    def __init__(self, run: _BatchRun, bom: bool) -> None:
        self.run, self.bom = run, bom
        self.store: Any = None
        self.stream: Optional[IO[bytes]] = None
        self.output: Optional[_Output] = None
        self.parquet: Any = None
        self.done: set = set()
        if run.db:
            from .batch.store import Store

            self.store = Store(Path(run.db))
        if run.fmt == "parquet":
            from .export import ParquetDataset, done_in

            if run.resume:
                self.done = done_in(run.out_path())
            self.parquet = ParquetDataset(run.out_path(), resume=run.resume)
        elif run.fmt == "jsonl":
            self._open_jsonl()
        else:
            self.output = _Output(run.out)

    def _open_jsonl(self) -> None:
        if self.run.out in (None, "-"):
            self.stream = sys.stdout.buffer
            return
        from .batch.session import resume_from_jsonl

        target = self.run.out_path()
        _check_parent(str(self.run.out), target)
        if self.run.resume:
            self.done = resume_from_jsonl(target)
        try:
            self.stream = open(target, "ab" if self.run.resume else "wb")
        except OSError as e:
            raise OutputNotWritableError(f"{self.run.out}: cannot write ({e.strerror or e})") from e

    def to_stdout(self) -> bool:
        return self.stream is sys.stdout.buffer

    def sink(self) -> Optional[Callable[[dict], None]]:
        return self.parquet.add if self.parquet is not None else None

    def finish(self, records: list, cross_year: list) -> None:
        """The formats written whole: every record at the end of the batch."""
        output, fmt, labels = self.output, self.run.fmt, self.run.labels
        if output is None:  # JSON Lines and Parquet are written as records arrive
            raise RuntimeError(f"--format {fmt}: written as the records arrive, not at the end")
        if fmt == "xlsx":
            from .export import write_xlsx

            output.write(lambda s: write_xlsx(records, s, cross_year, labels=labels))
        else:
            from . import export

            output.write(lambda s: export.write(records, s, fmt, bom=self.bom, labels=labels))

    def trim_jsonl(self) -> None:
        """A write to the JSON Lines file failed: close it and cut the part of a line it may end with."""
        if self.stream is None or self.to_stdout():
            return
        from .batch.session import trim_to_last_line

        try:
            self.stream.close()
        except OSError:
            pass
        self.stream = None
        if self.run.out_path().is_file():
            trim_to_last_line(self.run.out_path())

    def publish(self, summary: Any, by_unit: bool) -> None:
        """The batch ended: the Parquet dataset gets the checks across reports and its files their names."""
        if self.parquet is not None:
            self.parquet.close(summary.cross_year, summary.hierarchy, summary.year_on_year,
                               cross_year_index=summary.cross_year_index, by_unit=by_unit)
            self.parquet = None

    def close(self) -> None:
        """Close what is open; an output not published (an error stopped the batch) is discarded."""
        if self.stream is not None and not self.to_stdout():
            self.stream.close()
            self.stream = None
        if self.store is not None:
            self.store.close()
        if self.output is not None:
            self.output.discard()
        if self.parquet is not None:
            self.parquet.discard()


def _reporter(progress: "_progress") -> Callable[[Any], None]:
    """What each finished input tells the user: an error line, with -v a line per file, the progress."""
    verbose = logging.getLogger("govreport").isEnabledFor(logging.DEBUG)

    def on_progress(o: Any) -> None:
        if not o.ok:
            sys.stderr.write(f"govreport: error: {' '.join((o.error_message or '').splitlines())}\n")
        elif verbose:
            sys.stderr.write(_file_line(o) + "\n")
        progress.advance(o.path, failed=not o.ok)

    return on_progress


def _batch_exit_code(summary: Any, fail_on: Optional[str]) -> int:
    if summary.interrupted:
        return int(ExitCode.interrupted)
    if summary.failed:
        return int(ExitCode.batch_failed_inputs)
    if fail_on and summary.fail_on_hits.get(fail_on):
        return int(ExitCode.fail_on)
    return 0


def _cross_year_into_jsonl(fmt: str, out: Optional[str], summary, by_unit: bool, recount: bool) -> None:
    """JSON Lines: the cross-year results into the records' own checks (a file is rewritten; on stdout,
    already written, they follow as lines of their own: ``"schema": "govreport.cross_year/1"``)."""
    if fmt != "jsonl" or not summary.cross_year_index:
        return
    if out in (None, "-"):
        for c in summary.cross_year:
            line = json.dumps({"schema": "govreport.cross_year/1", **c}, ensure_ascii=False)
            sys.stdout.buffer.write(line.encode("utf-8") + b"\n")
        sys.stdout.buffer.flush()
        return
    from .batch.session import patch_jsonl

    try:
        patch_jsonl(Path(out), summary, by_unit=by_unit, recount=recount)
    except OSError as e:
        raise OutputNotWritableError(f"{out}: cannot write ({e.strerror or e})") from e


def _file_line(o) -> str:
    """-v: one line per file read: format, template, pages, seconds, failed checks, flagged cells, status."""
    from .record import flagged_of, status_of

    rec = json.loads(o.record)
    src, meta = rec.get("source", {}), rec.get("report", {})
    failed = sum(1 for c in rec.get("checks", []) if c.get("status") == "fail")
    flagged = flagged_of(rec)
    pages = f", {src['pages']} pages" if src.get("pages") else ""
    secs = f", {o.seconds:.2f} s" if o.seconds is not None else ""
    return (f"govreport: {_shown(o.path)}: {src.get('format')}, template {meta.get('template')}{pages}{secs}, "
            f"{failed} failed checks, {sum(flagged.values())} flagged cells "
            f"({', '.join(f'{n} {k}' for k, n in flagged.items() if n) or 'none'}): {status_of(rec)}")


def _shown(path: str) -> str:
    return " ".join(str(path).splitlines())


PROGRESS_EVERY_FILES = 100  # without a terminal: a progress line every this many files ...
PROGRESS_EVERY_S = 10.0  # ... or this many seconds, whichever comes first


class _progress:
    """A rich progress bar on stderr when it is a terminal (and not -q); otherwise a plain line every
    ``PROGRESS_EVERY_FILES`` files or ``PROGRESS_EVERY_S`` seconds (cron and nohup runs)."""

    def __init__(self, total: int, quiet: bool, bar: bool = True):
        import time

        self.bar = None
        self.lines = not quiet and not sys.stderr.isatty()
        self.total, self.done, self.failed = total, 0, 0
        self.started = self.last = time.monotonic()
        self.last_done = 0
        if quiet or not sys.stderr.isatty() or not bar:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("[bold]govreport"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def advance(self, path: str, failed: bool = False) -> None:
        import time

        self.done += 1
        self.failed += failed
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=_shown(Path(path).name)[:40])
            return
        now = time.monotonic()
        if self.lines and self.done < self.total and (self.done - self.last_done >= PROGRESS_EVERY_FILES
                                                       or now - self.last >= PROGRESS_EVERY_S):
            rate = self.done / max(now - self.started, 1e-9)
            sys.stderr.write(f"govreport: {self.done}/{self.total} files, {self.failed} failed, "
                             f"{rate:.1f} files/s\n")
            sys.stderr.flush()
            self.last, self.last_done = now, self.done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


_NAMED = 20  # the summary names at most this many inputs that failed or need a look


def _print_summary(summary) -> None:
    parts = [f"{summary.total} inputs", f"{summary.ok} ok", f"{summary.needs_review} need review",
             f"{summary.failed_checks} with failed checks", f"{summary.failed} failed"]
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped (--resume)")
    if summary.interrupted:
        parts.append("interrupted")
    sys.stderr.write("govreport: " + ", ".join(parts) + "\n")
    named = [(o.path, o.error_code or "error") for o in summary.errors] + list(summary.flagged.items())
    for path, status in named[:_NAMED]:
        sys.stderr.write(f"govreport:   {status}: {path}\n")
    if len(named) > _NAMED:
        sys.stderr.write(f"govreport:   … and {len(named) - _NAMED} more (the status column of the output)\n")
    for d in summary.duplicates[:_NAMED]:
        cells = d["differing_cells"]
        differ = (f"{len(cells)} cells differ: {', '.join(cells[:5])}{', …' if len(cells) > 5 else ''}"
                  if cells else "the same cells")
        sys.stderr.write(f"govreport: duplicate: {d['issuer']} {d['year']}: {' and '.join(d['paths'])} ({differ}); "
                         f"kept: {d['kept']}\n")
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
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
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
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
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
            from .review.terminal import render_comparison

            text = render_comparison(_readable_file(old), _readable_file(new), kind)
            output.write(lambda stream: stream.write(text.encode("utf-8")))
        finally:
            output.discard()


def _version(value: bool) -> None:
    if value:
        from . import __version__

        _write_stdout(f"govreport {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                       help="Print the version and exit.")) -> None:
    """Extract the statistical tables of a 政府信息公开工作年度报告 into a checked JSON record."""


_SUMMARIZE_EXAMPLES = """Examples:

\b
  govreport summarize corpus.sqlite -o summary.html
  govreport summarize corpus/ -o summary.html          (a Parquet dataset of batch --format parquet)
  govreport summarize corpus.jsonl -o out/summary.html"""


@app.command(epilog=f"{_SUMMARIZE_EXAMPLES}\n\n{_EXIT_CODE_HELP}")
def summarize(
    corpus: str = typer.Argument(..., metavar="CORPUS",
                                 help="A SQLite database (batch --db), a Parquet dataset folder (batch --format "
                                      "parquet) or a JSON Lines file."),
    out: str = typer.Option(..., "-o", "--out", metavar="HTML",
                            help="The page to write; each figure's CSV goes beside it as <name>.<figure>.csv."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """One offline HTML page of a corpus: reports per year and level, the hard checks that fail, the
    derived measures by level and year, the bodies whose numbers changed most, the cross-year breaks;
    the same figures as CSV beside it. Needs matplotlib (pip install 'govreport[summary]')."""
    _configure_logging(verbose, quiet)
    with _exit_codes(verbose):
        from .summary import summarize as run_summary

        result = run_summary(Path(corpus), Path(out))
        if not quiet:
            sys.stderr.write(f"govreport: {result.page}: {result.reports} reports, {result.errors} failed inputs; "
                             f"{len(result.csv)} CSV files beside it\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a line of output (govreport.record/1): a record or an error line, with the
    table/row/column keys of the template and the issue codes."""
    with _exit_codes(False):
        from .record_schema import line_schema

        _write_stdout(json.dumps(line_schema(), ensure_ascii=False, indent=2) + "\n")


class TableKey(str, Enum):
    active_disclosure = "active_disclosure"
    applications = "applications"
    review_litigation = "review_litigation"


@app.command()
def show(
    file: str = typer.Argument(..., metavar="FILE", help="A report, or a record govreport wrote (.json/.jsonl)."),
    table: Optional[List[TableKey]] = typer.Option(None, "--table", help="Only this table (repeatable)."),
    strict: StrictOption = False,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Show a record in the terminal: each table laid out like the official form with its Chinese labels,
    flagged cells coloured (and marked: ? ambiguous, ! suspect, ✗ missing, ⁱ inferred), the failed checks
    under their table."""
    _configure_logging(verbose, quiet)
    with _exit_codes(verbose):
        from .cli_show import render

        report = _record_of(file, strict)
        render(report, sys.stdout, [t.value for t in table] if table else None)
        sys.stdout.flush()


def _record_of(file: str, strict: bool):
    """The record of FILE: read from govreport's own JSON output, else extracted."""
    path = _readable_file(file)
    if path.suffix.lower() in (".json", ".jsonl"):
        from .record import Report

        try:
            text = path.read_text("utf-8")
            data = json.loads(text.splitlines()[0] if path.suffix.lower() == ".jsonl" else text)
            if isinstance(data, list):
                data = data[0]
            if "error" in data:
                raise BadInputError(f"{file}: an error line ({data['error'].get('message')})")
            return Report.model_validate(data)
        except (ValueError, IndexError, KeyError, TypeError) as e:
            raise BadInputError(f"{file}: not a govreport record ({type(e).__name__})") from None
    from .api import extract as extract_report

    return extract_report(path, strict=strict)


class FieldsFormat(str, Enum):
    md = "md"
    csv = "csv"
    json = "json"


class TemplateVersion(str, Enum):
    v2021 = "2021"
    v2019 = "2019"


@app.command()
def fields(
    template: Optional[TemplateVersion] = typer.Option(None, "--template", help="One version (default: both)."),
    fmt: FieldsFormat = typer.Option(FieldsFormat.md, "--format", case_sensitive=False,
                                     help="md: a Markdown table; csv; json."),
) -> None:
    """The data dictionary: every cell (table.row.column) with its Chinese labels as printed, unit, type,
    template version and whether the other version has the same cell."""
    with _exit_codes(False):
        from .dictionary import fields as dictionary, render

        _write_stdout(render(dictionary([template.value] if template else None), fmt.value))


def main() -> None:
    """Console-script entry point (``govreport``) and ``python -m govreport``.

    Usage errors, click's included (a bad option value, a missing argument, an unknown command), are one
    line on stderr, ``govreport: error: …``, exit 2; Ctrl-C anywhere is exit 130 without a traceback."""
    clicks = _click_exceptions()
    try:
        code = app(prog_name="govreport", standalone_mode=False)
    except clicks.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # no arguments: the help, as before
            e.show()
            code = e.exit_code
        else:
            sys.stderr.write(f"govreport: error: {_usage_message(e)}\n")
            code = int(ExitCode.usage)
    except clicks.ClickException as e:
        sys.stderr.write(f"govreport: error: {' '.join(e.format_message().splitlines())}\n")
        code = e.exit_code
    except (*_aborts(clicks), KeyboardInterrupt):
        code = int(ExitCode.interrupted)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done: a late Ctrl-C cannot change the exit code
    sys.exit(code if isinstance(code, int) else 0)


def _click_exceptions():
    """click's exception classes as typer raises them (typer ≥ 0.20 vendors click as ``typer._click``)."""
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions
    return exceptions


def _aborts(clicks) -> tuple:
    return tuple({getattr(clicks, "Abort", typer.Abort), typer.Abort})


def _usage_message(e) -> str:
    """click's message on one line, without pydantic's "Value error, " and with where to find help."""
    text = " ".join(e.format_message().replace("Value error, ", "").split())
    ctx = getattr(e, "ctx", None)
    where = f"{ctx.command_path} -h" if ctx is not None else "govreport -h"
    return f"{text} (see '{where}')"


def _run_extract(file: str, out: Optional[str], fmt: str, *, bom: Optional[bool], strict: bool,
                 limits: Optional[dict] = None, labels: str = "key", derived: bool = False,
                 timeout: float = 0):
    """Extract FILE and write its record; returns the record."""
    bom = _bom_default(bom, out)
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
        if derived:
            from .derived import derive
            from .record import Derived

            report.derived = Derived.model_validate(derive(report))
        output.write(lambda stream: export.write(report, stream, fmt, bom=bom, labels=labels))
        return report
    finally:
        if output is not None:
            output.discard()
        if from_stdin:
            path.unlink(missing_ok=True)


def _within(timeout: float, name: str, work: Callable[[], object]):
    """``work()`` under batch's time limit (``timelimit.time_limit``): past it, a ``timeout`` error (exit 3)
    and no record, even where something inside swallowed the interruption."""
    from .errors import TimeLimitError
    from .timelimit import FileTimeout, caused_by_timeout, time_limit

    limit = time_limit(timeout)
    try:
        with limit:
            result = work()
    except FileTimeout:
        raise TimeLimitError(f"{name}: gave up after {timeout:g} s (--timeout)") from None
    except Exception as exc:
        if not (caused_by_timeout(exc) or limit.fired):
            raise
        raise TimeLimitError(f"{name}: gave up after {timeout:g} s (--timeout)") from None
    if limit.fired:
        raise TimeLimitError(f"{name}: gave up after {timeout:g} s (--timeout)")
    return result


_DEFAULT_LIMITS = {"max_bytes": DEFAULT_MAX_BYTES, "max_pages": DEFAULT_MAX_PAGES, "pdf_engine": DEFAULT_PDF_ENGINE}


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
        self.direct = False
        if self.name is None:
            return
        target = Path(self.name)
        if target.is_dir():
            raise OutputNotWritableError(f"{self.name}: is a directory")
        _check_parent(self.name, target)
        if target.exists() and not target.is_file():  # a device or a FIFO (/dev/full, /dev/stdout): written
            self.direct = True                          # into, never replaced by a renamed file
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as e:
            raise OutputNotWritableError(f"{self.name}: cannot write there ({e.strerror or e})") from e
        os.close(fd)
        self.tmp = Path(tmp)

    def write(self, fill: Callable[[IO[bytes]], object]) -> None:
        """Call ``fill(stream)``, then publish; an OSError on the way means the output is not writable."""
        try:
            if self.direct:  # built in memory first: a workbook needs a seekable stream
                import io

                buffer = io.BytesIO()
                fill(buffer)
                with open(self.name, "wb") as stream:  # type: ignore[arg-type]
                    stream.write(buffer.getvalue())
                return
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
