"""Run extraction over many files: in-process or in a process pool; the parent alone writes.

Workers return small, picklable outcomes (the record as a JSON string, or an error). A file that fails
never stops the batch, and one that runs past the time limit is reported and the batch goes on.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from ..errors import INTERNAL_ERROR, OUT_OF_MEMORY, TIMEOUT, GovReportError
from ..timelimit import FileTimeout, TimeLimit, caused_by_timeout as _caused_by_timeout, time_limit  # noqa: F401


@dataclass
class Outcome:
    path: str
    sha256: Optional[str]
    record: Optional[str] = None  # the record as JSON (one line)
    error_code: Optional[str] = None
    error_message: Optional[str] = None
    pid: Optional[int] = None  # the process that ran the extraction (None: it died first)
    peak_rss_mib: Optional[float] = None  # that process's own peak RSS so far (getrusage ru_maxrss)
    cpu_s: Optional[float] = None  # that process's own user+sys CPU seconds so far (getrusage)
    seconds: Optional[float] = None  # how long the extraction took (wall clock, in the process that ran it)

    @property
    def ok(self) -> bool:
        return self.record is not None

    def error_line(self, fmt: Optional[str] = None) -> Dict:
        from ..record import ErrorInfo, ErrorRecord

        source = {"path": self.path, "sha256": self.sha256}
        if fmt:
            source["format"] = fmt
        error = ErrorInfo(code=self.error_code or "error", message=self.error_message or "")
        return ErrorRecord(source=source, error=error).model_dump(mode="json", by_alias=True)


def sha256_of(path: Path) -> Optional[str]:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def peak_rss_mib() -> Optional[float]:
    """This process's peak resident set size in MiB (children not included); None where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)  # bytes on macOS, KiB elsewhere


def cpu_seconds() -> Optional[float]:
    """This process's user+sys CPU seconds so far (children not included); None where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    r = resource.getrusage(resource.RUSAGE_SELF)
    return round(r.ru_utime + r.ru_stime, 3)


def work(path: str, strict: bool = False, timeout: Optional[float] = None,
         limits: Optional[Dict] = None) -> Outcome:
    """Extract one file; never raises (except KeyboardInterrupt). The outcome carries the pid and peak
    memory of the process that ran it."""
    import time

    started = time.perf_counter()
    outcome = _work(path, strict, timeout, limits)
    outcome.seconds = round(time.perf_counter() - started, 3)
    outcome.pid, outcome.peak_rss_mib, outcome.cpu_s = os.getpid(), peak_rss_mib(), cpu_seconds()
    return outcome


def _work(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]) -> Outcome:
    from ..api import extract

    limit = time_limit(timeout)
    try:
        with limit:
            report = extract(path, strict=strict, **(limits or {}))
            record = report.model_dump_json(by_alias=True)
        if limit.fired:
            # the limit fired and something swallowed it: whatever came back was cut short, never a result
            return _timed_out(path, timeout)
        return Outcome(path, report.source.sha256, record)
    except FileTimeout:
        return _timed_out(path, timeout)
    except MemoryError:
        return _failed(path, OUT_OF_MEMORY, f"{path}: out of memory")
    except Exception as exc:  # a bug on one file must not stop the batch
        if _caused_by_timeout(exc) or limit.fired:
            return _timed_out(path, timeout)
        if isinstance(exc, GovReportError):
            return _failed(path, exc.code, str(exc))
        return _failed(path, INTERNAL_ERROR, f"{path}: {type(exc).__name__}: {exc}")


def _timed_out(path: str, timeout: Optional[float]) -> Outcome:
    return _failed(path, TIMEOUT, f"{path}: gave up after {timeout or 0:g} s (--timeout)")


def _failed(path: str, code: str, message: str) -> Outcome:
    return Outcome(path, sha256_of(Path(path)), error_code=code, error_message=message)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    gc.freeze()  # the preloaded modules: never scanned again, so the collection after each file is cheap


def _pool_work(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]) -> Outcome:
    """``work`` in a pool worker, then a full collection: a PDF leaves thousands of objects in reference
    cycles (pdfminer's), and left to the collector's own pace they pile up under the next file's, which
    raised a worker's peak memory by a third over a few dozen PDFs. After ``gc.freeze`` it costs well under
    a millisecond after a text file and a few after a PDF."""
    if timeout:  # the last resort: a worker stuck in C code where no signal reaches it is ended, and replaced
        import faulthandler

        faulthandler.dump_traceback_later(timeout + hard_limit_grace(timeout), exit=True, file=_devnull())
    try:
        outcome = work(path, strict, timeout, limits)
    finally:
        if timeout:
            faulthandler.cancel_dump_traceback_later()
    gc.collect()
    return outcome


def hard_limit_grace(timeout: float) -> float:
    """How long past ``--timeout`` a pool worker that has not returned is ended (its task then becomes a
    ``timeout`` error line, see ``executors``): the limit's own signal repeats every second before that."""
    return max(5.0, min(timeout, 30.0))


_DEVNULL: list = []


def _devnull():
    if not _DEVNULL:
        _DEVNULL.append(open(os.devnull, "w"))
    return _DEVNULL[0]


def run(paths: Sequence[Path], jobs: int, on_done: Callable[[Outcome], None], strict: bool = False,
        timeout: Optional[float] = None, limits: Optional[Dict] = None, executor: str = "pool",
        scheduler: Optional[str] = None, task_size: int = 1) -> None:
    """Extract every path; ``on_done`` runs in this (the parent) process for each outcome, in completion order.

    ``executor`` is ``pool`` (a process pool of ``jobs``; ``jobs == 1`` runs in-process) or ``dask`` (a
    ``dask.distributed`` cluster at ``scheduler``, else a local one of ``jobs`` workers; ``task_size`` inputs
    a task): see
    ``executors``. KeyboardInterrupt propagates after pending work is cancelled.
    """
    from .executors import make_executor

    with make_executor(executor, jobs, scheduler, n_inputs=len(paths), task_size=task_size) as ex:
        results = ex.outcomes(paths, strict=strict, timeout=timeout, limits=limits)
        try:
            for outcome in results:
                on_done(outcome)
        finally:
            results.close()  # type: ignore[attr-defined]


def _context():
    """forkserver with the pipeline preloaded: workers start at once and can be recycled (memory stays
    flat over thousands of files); spawn where forkserver does not exist."""
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["govreport.api", "govreport.readers.pdf", "govreport.readers.pdf_pdfium"])
        _start_forkserver()
        return ctx
    except ValueError:
        return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the fork server with SIGINT ignored: it and every worker it forks then ignore Ctrl-C from
    their first instruction (Python keeps an inherited SIG_IGN), so a Ctrl-C while they start and import
    the pipeline prints no traceback from them; the parent alone handles it. A Ctrl-C in the parent during
    these milliseconds is delivered once the server runs."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    hits: list = []
    old = signal.signal(signal.SIGINT, lambda *_: hits.append(1))
    try:
        ign = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, ign)
    finally:
        signal.signal(signal.SIGINT, old)
    if hits:
        raise KeyboardInterrupt


def _supports_max_tasks() -> bool:
    import inspect

    return "max_tasks_per_child" in inspect.signature(ProcessPoolExecutor).parameters
