"""Where a batch's extractions run: in this process, in a local process pool, or on a Dask cluster.

Every executor has one interface, ``outcomes(paths, strict=..., timeout=..., limits=...)``: one task per
input, and an iterator that yields each task's ``Outcome`` in this (the parent) process as tasks complete.
Only a bounded window of tasks is in flight at a time, and an outcome is dropped by the executor once
yielded, so the parent never holds the whole corpus. The parent alone writes outputs, progress and the
summary; the executor only computes.

A worker process that dies (killed, out of memory, a crash in a C extension) loses only the task it was
running: that task is tried once more, alone (never beside another retried task), and if its worker dies
again it becomes an ``worker_died`` error outcome. Other tasks that went down with the same worker are
retried the same way and come back with their records.

``dask[distributed]`` is an optional extra (``pip install 'govreport[dask]'``); ``DaskExecutor`` raises
``MissingDependencyError`` (exit 4) without it.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ALL_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Iterator, Optional, Sequence, Tuple

from ..errors import TIMEOUT, WORKER_DIED, ExitCode, GovReportError, MissingDependencyError
from .runner import Outcome, _context, _failed, _init_worker, _pool_work, _supports_max_tasks, work

log = logging.getLogger(__name__)

EXECUTORS = ("pool", "dask")
DASK_HINT = "pip install 'govreport[dask]'"

# task(path, strict, timeout, limits) -> Outcome; must never raise (runner.work does not)
Task = Callable[[str, bool, Optional[float], Optional[Dict]], Outcome]


class Executor:
    """The interface the batch runner uses. Subclasses implement ``outcomes``."""

    name = "base"

    def outcomes(self, paths: Sequence[Path], *, strict: bool = False, timeout: Optional[float] = None,
                 limits: Optional[Dict] = None) -> Iterator[Outcome]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the executor started (a pool, a local cluster); idempotent."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def died(path: str, why: str) -> Outcome:
    return _failed(path, WORKER_DIED, f"{path}: the worker process died twice ({why})")


class InProcessExecutor(Executor):
    """One file after the other in this process (``--jobs 1``)."""

    name = "inprocess"

    def __init__(self, task: Optional[Task] = None):
        self.task = task or work

    def outcomes(self, paths, *, strict=False, timeout=None, limits=None):
        for p in paths:
            yield self.task(str(p), strict, timeout, limits)


class PoolExecutor(Executor):
    """A local process pool (forkserver, workers recycled every 200 files), ``jobs`` processes.

    When a worker dies the whole pool breaks and every task in flight with it: the pool is started again
    for the rest, and the tasks that were in flight are retried after the others, each alone in a pool of
    one, so that the one whose worker dies again is known."""

    name = "pool"

    def __init__(self, jobs: int, task: Optional[Task] = None):
        self.jobs = max(1, jobs)
        self.task = task or _pool_work

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        # max_tasks_per_child: Python 3.11 on (typed Any: the stubs of an older Python do not know it)
        kwargs: Dict[str, Any] = {"max_tasks_per_child": 200} if _supports_max_tasks() else {}
        return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker, **kwargs)

    def outcomes(self, paths, *, strict=False, timeout=None, limits=None):
        args = (strict, timeout, limits)
        queue: Deque[Path] = deque(paths)
        suspects: list = []
        pool = self._pool(self.jobs)
        pending: Dict = {}
        try:
            while queue or pending:
                while queue and len(pending) < self.jobs * 2:
                    p = queue.popleft()
                    with deferred_interrupt():  # a worker being started is never left half-started
                        pending[pool.submit(self.task, str(p), *args)] = p
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
                if broken:  # the others in flight went down with it: let them settle, then sort them
                    wait(list(pending), return_when=ALL_COMPLETED)
                    done = set(pending)
                for fut in done:
                    p = pending.pop(fut)
                    exc = fut.exception()
                    if exc is None:
                        yield fut.result()
                    elif isinstance(exc, BrokenProcessPool):
                        suspects.append(p)
                    else:  # not a death: the task itself failed to run (cannot pickle, ...)
                        yield _failed(str(p), WORKER_DIED, f"{p}: the worker could not run it ({type(exc).__name__})")
                if broken:
                    pool.shutdown(wait=False, cancel_futures=True)
                    log.warning("a worker process died; %d task(s) will be retried", len(suspects))
                    pool = self._pool(self.jobs)
            pool.shutdown(wait=True)
            for p in suspects:
                yield self._alone(p, args)
        except BaseException:  # Ctrl-C, or the consumer closed us early
            for fut in pending:
                fut.cancel()
            _end_workers(pool)
            raise

    def _alone(self, path: Path, args: Tuple) -> Outcome:
        """A suspect task alone in a pool of one. Its worker dying again is ``worker_died``; dying after
        the time limit (``--timeout``: the worker is ended when it does not return, see
        ``runner._pool_work``) is ``timeout``."""
        pool = self._pool(1)
        timeout = args[1]
        started = time.monotonic()
        try:
            return pool.submit(self.task, str(path), *args).result()
        except BrokenProcessPool:
            if timeout and time.monotonic() - started >= timeout:
                return _failed(str(path), TIMEOUT, f"{path}: gave up after {timeout:g} s (--timeout)")
            return died(str(path), "BrokenProcessPool")
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


class deferred_interrupt:
    """Ctrl-C (SIGINT) held back for the duration of the block and raised at its end: starting a worker
    process (the pool forks it as a task is submitted) is not cut in the middle, where the worker would find
    the pool's semaphores gone and print a traceback. Only in the main thread (elsewhere: nothing)."""

    def __enter__(self) -> "deferred_interrupt":
        self.hits: list = []
        self.old = None
        if threading.current_thread() is threading.main_thread():
            import signal

            self.old = signal.signal(signal.SIGINT, lambda *_: self.hits.append(1))
        return self

    def __exit__(self, *exc) -> None:
        if self.old is not None:
            import signal

            signal.signal(signal.SIGINT, self.old)
        if self.hits and exc[0] is None:
            raise KeyboardInterrupt


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: its workers terminated (one still starting would otherwise find the pool's
    semaphores gone and print a traceback), then the pool shut down."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        try:
            proc.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:  # until they are gone: the pool's semaphores must outlive a worker still starting
        try:
            proc.join(5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


def _dask_task(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]) -> Outcome:
    """One input on a Dask worker: extraction (with the time limit kept by a watchdog thread, since a
    worker runs tasks outside the main thread), then a full collection as in the pool."""
    global _frozen
    outcome = work(path, strict, timeout, limits)
    gc.collect()
    if not _frozen:  # the worker's modules (dask's, the pipeline's) are loaded now: never scan them again
        gc.freeze()
        _frozen = True
    return outcome


_frozen = False


# The local cluster's settings (dask's defaults suit interactive work with a dashboard; a batch of small
# tasks on a few cores pays for them in CPU on every task or every tick): the scheduler gives a task up
# after its first worker death (the executor retries it once itself, alone); no statistical profiler in
# the workers (sampling pdfminer's deep stacks every 10 ms); no work stealing (one thread per worker and
# tasks alike: nothing to balance, only bookkeeping per task); the system monitors (CPU, memory, disk, the
# GIL) and the memory manager polled seldom, the event loop's own latency tick too. The workers' memory limit still holds (the nanny checks it).
LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.scheduler.active-memory-manager.start": False,
    "distributed.admin.tick.interval": "500ms",  # only measures the event loop's latency (for its warnings)
}


def local_cluster(n_workers: int, **kwargs):
    """A ``dask.distributed.LocalCluster`` of ``n_workers`` processes with one thread each, set up for a
    batch (``LOCAL_CLUSTER_CONFIG``)."""
    dask, distributed = _import_dask()
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR, **kwargs)


def require_dask() -> None:
    """MissingDependencyError (exit 4, with the command to run) unless dask.distributed imports."""
    _import_dask()


def _import_dask():
    try:
        import dask
        import distributed
    except ImportError:
        raise MissingDependencyError("--executor dask needs dask.distributed", hint=DASK_HINT) from None
    return dask, distributed


class DaskExecutor(Executor):
    """Tasks on a ``dask.distributed`` cluster: ``scheduler`` is its address (``tcp://host:8786``); without
    one, a ``LocalCluster`` of ``jobs`` worker processes on this machine, closed with the executor.

    ``task_size`` inputs go in one task (default 1: each input is its own task). Dask's own cost per task
    (a few milliseconds of scheduler, client and worker time, ``bench/bench_executors.py``) is about a tenth
    of a text report's extraction: on a small machine, where the scheduler shares the workers' cores, a few
    inputs per task bring the throughput to the pool's. Outcomes still come back one per input.

    At most ``window`` tasks are in flight (default: 4 per worker thread, at least 8); each result is
    released as soon as it is yielded. A task that loses its worker is retried once, alone (each of its
    inputs as a task of its own); the
    scheduler's own ``distributed.scheduler.allowed-failures`` applies first (the local cluster sets it to
    0; start a shared scheduler with ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0`` for the same
    behaviour)."""

    name = "dask"

    def __init__(self, jobs: int = 0, scheduler: Optional[str] = None, task: Optional[Task] = None,
                 window: Optional[int] = None, task_size: int = 1):
        _import_dask()
        self.jobs = jobs
        self.task_size = max(1, int(task_size))
        self.scheduler = scheduler
        self.task = task or _dask_task
        self.window = window
        self.cluster = None
        self.client = None

    def _connect(self):
        if self.client is not None:
            return self.client
        _, distributed = _import_dask()
        if self.scheduler:
            try:
                self.client = distributed.Client(self.scheduler, set_as_default=False, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {self.scheduler} ({exc})") from None
        else:
            import os

            self.cluster = local_cluster(self.jobs or os.cpu_count() or 1)
            self.client = distributed.Client(self.cluster, set_as_default=False)
        return self.client

    def outcomes(self, paths, *, strict=False, timeout=None, limits=None):
        _, distributed = _import_dask()
        client = self._connect()
        threads = sum(client.nthreads().values()) or 1
        window = self.window or max(8, 4 * threads)
        args = (strict, timeout, limits)
        inputs = iter(paths)
        flight: Dict[str, Tuple[List[Path], int]] = {}  # future key -> (its inputs, attempt)
        retries: Deque[Path] = deque()
        # results gathered by the client's event loop as tasks finish (no round trip from this thread per
        # task); a task that failed comes with its exception, never raised here
        ac = distributed.as_completed(loop=client.loop, with_results=True, raise_errors=False)

        def submit(groups: Sequence[List[Path]], attempt: int) -> None:
            keys = [f"govreport-{attempt}-{uuid.uuid4().hex}" for _ in groups]
            futures = client.map(_dask_group, [[str(p) for p in g] for g in groups], [self.task] * len(groups),
                                 *([a] * len(groups) for a in args), key=keys, pure=False)
            for fut, g in zip(futures, groups, strict=True):
                flight[fut.key] = (g, attempt)
            ac.update(futures)

        def refill() -> None:
            if retries and not any(attempt for _, attempt in flight.values()):  # one retried task at a time
                submit([[retries.popleft()]], 1)
            if len(flight) <= window // 2:  # half the window at once: one message to the scheduler, not one per task
                chunk = list(islice(inputs, (window - len(flight)) * self.task_size))
                if chunk:
                    submit([chunk[i:i + self.task_size] for i in range(0, len(chunk), self.task_size)], 0)

        try:
            refill()
            while flight or retries:
                if not flight:
                    refill()
                    continue
                fut, result = next(ac)
                group, attempt = flight.pop(fut.key)
                failed = fut.status != "finished" or not isinstance(result, list)
                fut.release()
                done: List[Outcome] = [] if failed else result
                if failed:  # the worker died under it (KilledWorker), or the task was lost
                    why = _failure_name(result)
                    for p in group:
                        if attempt == 0:
                            log.warning("%s: its worker died (%s); retrying it", p, why)
                            retries.append(p)
                        else:
                            done.append(died(str(p), why))
                refill()
                yield from done
        except BaseException:
            futures = list(ac.futures) if hasattr(ac, "futures") else []
            if futures:
                client.cancel(futures)
            raise
        finally:
            ac.clear()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def _dask_group(paths: List[str], task: Task, strict: bool, timeout: Optional[float],
                limits: Optional[Dict]) -> List[Outcome]:
    """One Dask task: ``task`` over each of its inputs in turn (an outcome each)."""
    return [task(p, strict, timeout, limits) for p in paths]


def _failure_name(result: object) -> str:
    """The name of what a failed task came back with: ``(type, exception, traceback)`` or an exception."""
    exc = result[1] if isinstance(result, tuple) and len(result) > 1 else result
    return type(exc).__name__


class SchedulerUnreachable(GovReportError):
    """--scheduler names an address where no scheduler answers (exit 3)."""

    exit_code = ExitCode.bad_input
    code = "scheduler_unreachable"


def make_executor(kind: str, jobs: int, scheduler: Optional[str] = None, n_inputs: Optional[int] = None,
                  task: Optional[Task] = None, task_size: int = 1) -> Executor:
    """``pool`` (``jobs`` <= 1 or a single input: in-process) or ``dask`` (``task_size`` inputs a task)."""
    if kind == "dask":
        return DaskExecutor(jobs=jobs, scheduler=scheduler, task=task, task_size=task_size)
    if kind != "pool":
        raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
    if jobs <= 1 or (n_inputs is not None and n_inputs <= 1):
        return InProcessExecutor(task=task)
    return PoolExecutor(jobs, task=task)


class ThreadAlarm:
    """The time limit where SIGALRM cannot serve (a thread other than the main one, as in a Dask worker):
    a watchdog thread raises ``exc`` in the calling thread after ``timeout`` seconds, then again every
    second until stopped (a library that swallows the first gets another). Pure-Python code is interrupted
    at its next bytecode; code blocked inside a C call is interrupted when it returns."""

    def __init__(self, timeout: float, exc: type, on_fire: Optional[Callable[[], None]] = None):
        self.timeout, self.exc, self.on_fire = float(timeout), exc, on_fire
        self.tid = threading.get_ident()
        self.lock = threading.Lock()
        self.stopped = False
        self.fired = False  # the limit was reached (the exception was raised in the thread at least once)
        self.event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="govreport-timeout", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        delay = self.timeout
        while not self.event.wait(delay):
            with self.lock:
                if self.stopped:
                    return
                self.fired = True
                if self.on_fire is not None:
                    self.on_fire()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), ctypes.py_object(self.exc))
            delay = 1.0

    def stop(self) -> None:
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
            self.event.set()
            # clears an exception set but not yet raised in this thread
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), None)
