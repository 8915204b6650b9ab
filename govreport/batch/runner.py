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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from ..errors import GovReportError
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

    @property
    def ok(self) -> bool:
        return self.record is not None

    def error_line(self, fmt: Optional[str] = None) -> Dict:
        source = {"path": self.path, "sha256": self.sha256}
        if fmt:
            source["format"] = fmt
        return {"schema": "govreport.record/1", "source": source,
                "error": {"code": self.error_code, "message": self.error_message}}


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


def work(path: str, strict: bool = False, timeout: Optional[float] = None,
         limits: Optional[Dict] = None) -> Outcome:
    """Extract one file; never raises (except KeyboardInterrupt). The outcome carries the pid and peak
    memory of the process that ran it."""
    outcome = _work(path, strict, timeout, limits)
    outcome.pid, outcome.peak_rss_mib = os.getpid(), peak_rss_mib()
    return outcome


def _work(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]) -> Outcome:
    from ..api import extract

    limit = time_limit(timeout)
    try:
        with limit:
            report = extract(path, strict=strict, **(limits or {}))
            record = report.model_dump_json(by_alias=True)
        if limit.fired:  # interrupted, but something swallowed it: the record may lack what was cut short
            raise FileTimeout()
        return Outcome(path, report.source.sha256, record)
    except MemoryError:
        return _failed(path, "out_of_memory", f"{path}: out of memory")
    except Exception as exc:  # a bug on one file must not stop the batch
        if _caused_by_timeout(exc) or limit.fired:
            return _failed(path, "timeout", f"{path}: gave up after {timeout:g} s (--timeout)")
        if isinstance(exc, GovReportError):
            return _failed(path, exc.code, str(exc))
        return _failed(path, "internal_error", f"{path}: {type(exc).__name__}: {exc}")


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
    outcome = work(path, strict, timeout, limits)
    gc.collect()
    return outcome


def run(paths: Sequence[Path], jobs: int, on_done: Callable[[Outcome], None], strict: bool = False,
        timeout: Optional[float] = None, limits: Optional[Dict] = None, executor: str = "pool",
        scheduler: Optional[str] = None) -> None:
    """Extract every path; ``on_done`` runs in this (the parent) process for each outcome, in completion order.

    ``executor`` is ``pool`` (a process pool of ``jobs``; ``jobs == 1`` runs in-process) or ``dask`` (a
    ``dask.distributed`` cluster at ``scheduler``, else a local one of ``jobs`` workers): see
    ``executors``. KeyboardInterrupt propagates after pending work is cancelled.
    """
    from .executors import make_executor

    with make_executor(executor, jobs, scheduler, n_inputs=len(paths)) as ex:
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
        return ctx
    except ValueError:
        return multiprocessing.get_context("spawn")


def _supports_max_tasks() -> bool:
    import inspect

    return "max_tasks_per_child" in inspect.signature(ProcessPoolExecutor).parameters
