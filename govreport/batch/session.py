"""One batch: collect inputs, skip what is stored (``--resume``), extract in parallel, write as results
arrive, then the cross-year checks and the summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Sequence

from .. import __version__
from . import crossyear
from .runner import Outcome, run, sha256_of
from .store import Store

STREAMED = ("jsonl", "parquet")  # formats written as results arrive (parquet: through run_batch's sink)


@dataclass
class Summary:
    total: int = 0
    ok: int = 0
    needs_review: int = 0
    failed_checks: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False
    cross_year: List[Dict] = field(default_factory=list)
    hierarchy: List[Dict] = field(default_factory=list)  # --check-hierarchy: parent vs sum of children
    year_on_year: List[Dict] = field(default_factory=list)  # --derived: each body's changes from the year before
    errors: List[Outcome] = field(default_factory=list)
    flagged: Dict[str, str] = field(default_factory=dict)  # path -> status of each record not ok
    ran: List[str] = field(default_factory=list)  # the paths of this run's records
    cross_year_index: Dict = field(default_factory=dict)  # crossyear.index_results of cross_year
    duplicates: List[Dict] = field(default_factory=list)  # the same body and year twice (units.Across)
    skipped_inputs: int = 0  # files the input walk skipped (not reports, the batch's own outputs, ...)
    # per --fail-on condition (checks, review, issues): how many records meet it
    fail_on_hits: Dict[str, int] = field(default_factory=lambda: {"checks": 0, "review": 0, "issues": 0})
    # pid -> that process's peak RSS in MiB, as its workers reported it (with --jobs 1: this process).
    # A pool recycles its workers, so a long batch lists more pids than --jobs.
    worker_peak_rss_mib: Dict[int, float] = field(default_factory=dict)
    worker_cpu_s: Dict[int, float] = field(default_factory=dict)  # pid -> that process's CPU seconds (bench/)

    def count(self, rec: Dict, sign: int = 1) -> None:
        """Count a record (``sign`` -1: take it back, before counting it again as updated)."""
        from ..record import conditions_met, status_of

        status = status_of(rec)
        self.ok += sign * (status == "ok")
        self.needs_review += sign * (status == "needs_review")
        self.failed_checks += sign * (status == "failed_checks")
        path = rec["source"]["path"]
        if sign < 0:
            self.flagged.pop(path, None)
        elif status != "ok":
            self.flagged[path] = status
        for condition in conditions_met(rec):
            self.fail_on_hits[condition] += sign

    @property
    def peak_rss_mib_per_worker(self) -> Optional[float]:
        """The highest peak RSS of any one worker process (MiB); None when no worker reported one."""
        return max(self.worker_peak_rss_mib.values(), default=None)


@dataclass
class BatchOptions:
    fmt: str = "jsonl"
    jobs: int = 1
    strict: bool = False
    timeout: Optional[float] = None
    resume: bool = False
    bom: bool = True
    limits: Dict[str, Any] = field(default_factory=dict)  # max_bytes, max_pages for extract()
    executor: str = "pool"  # pool | dask (see executors)
    scheduler: Optional[str] = None  # address of a dask.distributed scheduler (dask; None: a local cluster)
    task_size: int = 1  # dask: inputs per task (executors.DaskExecutor)
    units: Any = None  # a units.Registry: records joined to their unit, cross-year checks by unit_id
    ordered: bool = False  # outcomes written in input order (held back until those before them are done)
    prefer: Sequence[str] = ()  # formats, best first: of a duplicate body-year, the one kept (see units.Across)
    check_hierarchy: bool = False  # with units: each parent's region-wide report vs the sum of its children's
    derived: bool = False  # each record gets its derived measures (govreport.derived); year-on-year changes at the end


class _writing:
    """An output that fails (a full disk, a database that cannot be written) is ``OutputNotWritableError``
    (exit 5), not an internal error; a broken pipe stays what it is."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> None:
        import sqlite3

        from ..errors import OutputNotWritableError

        if exc_type is None or issubclass(exc_type, BrokenPipeError):
            return
        if issubclass(exc_type, (OSError, sqlite3.Error)):
            why = getattr(exc, "strerror", None) or str(exc)
            raise OutputNotWritableError(f"{self.what}: cannot write ({why})") from exc


def trim_to_last_line(path: Path) -> None:
    """Cut a JSON Lines file after its last complete line (a write that failed midway leaves part of one):
    every line left is a whole record, and ``--resume`` goes on from them."""
    try:
        with open(path, "rb+") as f:
            size = f.seek(0, 2)
            pos = size
            while pos > 0:
                step = min(65536, pos)
                f.seek(pos - step)
                chunk = f.read(step)
                i = chunk.rfind(b"\n")
                if i >= 0:
                    f.truncate(pos - step + i + 1)
                    return
                pos -= step
            f.truncate(0)
    except OSError:
        pass


def patch_jsonl(path: Path, summary: Summary, by_unit: bool = False, recount: bool = True) -> int:
    """Rewrite a JSON Lines output with the cross-year results in its records' checks (a temporary file
    beside it, renamed over it: a reader never sees half of it). ``recount``: the summary's counts follow
    the updated records. Returns how many records changed."""
    import os
    import tempfile

    from . import units

    if not summary.cross_year_index:
        return 0
    changed = 0
    ran = set(summary.ran)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(path, encoding="utf-8") as src, os.fdopen(fd, "w", encoding="utf-8") as dst:
            for line in src:
                try:
                    rec = json.loads(line)
                except ValueError:
                    dst.write(line)
                    continue
                before = json.loads(line)
                if "error" not in rec and crossyear.apply_results(rec, summary.cross_year_index, by_unit):
                    changed += 1
                    if recount and rec["source"]["path"] in ran:
                        summary.count(before, -1)
                        summary.count(rec)
                    line = units.json_line(rec) + "\n"
                dst.write(line)
        os.chmod(tmp, os.stat(path).st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return changed


def _in_order(paths: Sequence[Path], on_done: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
    """``on_done`` called in the order of ``paths``: an outcome waits until those before it have come."""
    position = {str(p): i for i, p in enumerate(paths)}
    waiting: Dict[int, Outcome] = {}
    state = {"next": 0}

    def handle(o: Outcome) -> None:
        waiting[position.get(o.path, state["next"])] = o
        while state["next"] in waiting:
            on_done(waiting.pop(state["next"]))
            state["next"] += 1

    return handle


def resume_from_jsonl(path: Path) -> set:
    """sha256 of the inputs an earlier run already wrote to a JSON Lines output."""
    done = set()
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill: that input is redone
                sha = rec.get("source", {}).get("sha256")
                if sha and "error" not in rec:
                    done.add(sha)
    except FileNotFoundError:
        pass
    return done


def run_batch(paths: Sequence[Path], options: BatchOptions, *, stream: Optional[IO[bytes]] = None,
              store: Optional[Store] = None, done: Optional[set] = None,
              progress: Optional[Callable[[Outcome], None]] = None,
              finish: Optional[Callable[[List[Any], List[Dict]], None]] = None,
              sink: Optional[Callable[[Dict], None]] = None) -> Summary:
    """Extract ``paths``; JSON Lines go to ``stream`` as they arrive, other formats to
    ``finish(records, cross_year_checks)`` at the end.

    ``sink``, when given, gets every record (and error line) as a dict as it arrives (the Parquet writer).
    ``done`` holds sha256 values to skip (resume). KeyboardInterrupt is caught: the summary says so and
    whatever was finished is written.
    """
    batch = _Batch(options, stream=stream, store=store, sink=sink, progress=progress)
    todo = batch.to_do(paths, done)
    handle = _in_order(todo, batch.on_done) if options.ordered else batch.on_done
    try:
        run(todo, options.jobs, handle, strict=options.strict, timeout=options.timeout, limits=options.limits,
            executor=options.executor, scheduler=options.scheduler, task_size=options.task_size)
    except KeyboardInterrupt:
        batch.summary.interrupted = True
    try:
        batch.across_reports()
    finally:
        batch.across.close()
    if finish is not None and options.fmt not in STREAMED:
        finish(batch.collected, batch.summary.cross_year)
    return batch.summary


class _Batch:
    """One batch's state in the parent: the summary, the outputs written as outcomes arrive, what the
    checks across reports keep (``units.Across``), and the records kept for a format written at the end."""

    def __init__(self, options: BatchOptions, *, stream: Optional[IO[bytes]], store: Optional[Store],
                 sink: Optional[Callable[[Dict], None]], progress: Optional[Callable[[Outcome], None]]):
        from . import units

        self.options, self.stream, self.store, self.sink, self.progress = options, stream, store, sink, progress
        self.summary = Summary()
        self.collected: List[Any] = []  # Report / ErrorRecord objects, for a format not streamed
        self.by_unit = options.units is not None
        self.across = units.Across(by_unit=self.by_unit, prefer=options.prefer)

    def to_do(self, paths: Sequence[Path], done: Optional[set]) -> List[Path]:
        """The inputs to extract: with ``--resume``, those neither in ``done`` nor stored are skipped."""
        known = set(done or ())
        if self.store is not None and self.options.resume:
            known |= self.store.known(__version__)
        todo: List[Path] = []
        for p in paths:
            if self.options.resume and known:
                sha = sha256_of(p)
                if sha is not None and sha in known:
                    self.summary.skipped += 1
                    continue
            todo.append(p)
        self.summary.total = len(todo) + self.summary.skipped
        return todo

    def on_done(self, o: Outcome) -> None:
        """One outcome, in this process: counted, stored, streamed, kept for the checks across reports."""
        summary = self.summary
        if o.pid is not None and o.peak_rss_mib is not None:
            summary.worker_peak_rss_mib[o.pid] = max(summary.worker_peak_rss_mib.get(o.pid, 0.0), o.peak_rss_mib)
        if o.pid is not None and o.cpu_s is not None:
            summary.worker_cpu_s[o.pid] = max(summary.worker_cpu_s.get(o.pid, 0.0), o.cpu_s)
        line = self._record(o) if o.ok else self._error(o)
        if self.stream is not None and self.options.fmt in STREAMED:
            with _writing(getattr(self.stream, "name", None) or "the output"):
                self.stream.write(line.encode("utf-8") + b"\n")
                self.stream.flush()
        if self.progress is not None:
            self.progress(o)

    def _record(self, o: Outcome) -> str:
        from ..record import Report
        from . import units

        rec = json.loads(o.record)  # type: ignore[arg-type]
        rec["unit"] = units.unit_of(rec, self.options.units)
        if self.options.derived:
            from ..derived import derive

            rec["derived"] = derive(rec)
        self.summary.count(rec)
        self.summary.ran.append(rec["source"]["path"])
        if self.store is None:  # with a store, read back from it at the end (earlier runs' records too)
            self.across.add(units.compact(rec), rec)
        else:
            with _writing("the database"):
                self.store.add_record(rec, __version__)
        line = units.json_line(rec)
        if self.sink is not None:
            self.sink(rec)
        if self.options.fmt not in STREAMED:
            self.collected.append(Report.model_validate(rec))
        return line

    def _error(self, o: Outcome) -> str:
        from ..record import ErrorRecord

        self.summary.failed += 1
        self.summary.errors.append(o)
        if self.store is not None:
            with _writing("the database"):
                self.store.add_error(o.path, o.sha256, o.error_code or "error", o.error_message or "", __version__)
        err = o.error_line()
        if self.sink is not None:
            self.sink(err)
        if self.options.fmt not in STREAMED:
            self.collected.append(ErrorRecord.model_validate(err))
        return json.dumps(err, ensure_ascii=False)

    def across_reports(self) -> None:
        """After the last outcome: the checks across reports (cross-year, duplicates, year-on-year, the
        hierarchy), their results put into the records they concern."""
        from ..record import Report
        from . import units

        options, summary, store, across = self.options, self.summary, self.store, self.across
        if store is not None:
            for r in store.records(__version__):
                if options.derived and "derived" not in r:  # stored by a run without --derived
                    from ..derived import derive

                    r["derived"] = derive(r)
                across.add(units.compact(r, options.units), r)
        summary.cross_year = across.cross_year()
        summary.duplicates = across.duplicates
        if options.derived:
            summary.year_on_year = across.year_on_year()
            if store is not None:
                store.set_year_on_year(summary.year_on_year)
        if options.prefer and options.fmt not in STREAMED:  # --prefer: one record per body and year
            dropped = across.dropped()
            self.collected = [r for r in self.collected if not (isinstance(r, Report) and r.source.path in dropped)]
        if options.units is not None and options.check_hierarchy:
            summary.hierarchy = units.hierarchy_checks(across.records(), options.units)
        if store is not None and summary.cross_year:
            store.set_cross_year(summary.cross_year)
        summary.cross_year_index = crossyear.index_results(summary.cross_year, self.by_unit)
        if summary.cross_year_index:  # the records say what the summary says: their chain checks updated
            self._cross_year_into_records()

    def _cross_year_into_records(self) -> None:
        """The cross-year results into the stored records and those kept for a format written at the end;
        the counts follow (a stored record counts only when this run extracted it)."""
        from ..record import Report

        summary, store, index = self.summary, self.store, self.summary.cross_year_index
        ran = set(summary.ran)
        if store is not None:
            for rec in store.records_of(index, self.by_unit, __version__):
                before = json.loads(json.dumps(rec))
                if crossyear.apply_results(rec, index, self.by_unit):
                    store.update_checks(rec, __version__)
                    if rec["source"]["path"] in ran:
                        summary.count(before, -1)
                        summary.count(rec)
        for i, r in enumerate(self.collected):
            if isinstance(r, Report):
                rec = r.to_dict()
                if crossyear.apply_results(rec, index, self.by_unit):
                    self.collected[i] = Report.model_validate(rec)
                    if store is None:
                        summary.count(r.to_dict(), -1)
                        summary.count(rec)
