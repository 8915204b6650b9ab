"""The time limit of one extraction, shared by ``govreport extract --timeout`` and each input of
``govreport batch`` (``batch/runner.py``): ``with time_limit(seconds) as limit: ...``.

Kept apart from the batch runner so that ``extract`` does not import the process pool to use it.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

if TYPE_CHECKING:
    from .batch.executors import ThreadAlarm


class FileTimeout(BaseException):
    """The time limit fired. A ``BaseException``, as ``KeyboardInterrupt`` is: readers that catch
    ``Exception`` to go on past a damaged page or object must not swallow it and hand back a record with
    the pages they did not finish (found: a PDF whose pages were cut short by the limit came back "ok"
    with dozens of missing cells)."""


class TimeLimit:
    """The time limit of one extraction (``with time_limit(seconds) as limit``): ``FileTimeout`` is raised in
    the calling thread after ``timeout`` seconds, then again every second until the block ends (a library
    that catches and swallows the first gets another). SIGALRM in the main thread; a watchdog thread
    elsewhere (a Dask worker's task). ``fired`` tells afterwards whether the limit was reached, even where
    the block swallowed every interruption: its result is then not to be trusted."""

    def __init__(self, timeout: Optional[float]):
        self.timeout = float(timeout) if timeout else None
        self.fired = False
        # the SIGALRM handler this one replaced (None: not installed), and the watchdog of another thread
        self._old: Union[Callable[[int, Optional[FrameType]], Any], int, None] = None
        self._installed = False
        self._watchdog: Optional[ThreadAlarm] = None

    def _alarm(self, signum, frame):  # pragma: no cover - runs in the signal handler
        self.fired = True
        raise FileTimeout()

    def __enter__(self) -> "TimeLimit":
        if self.timeout is None:
            return self
        if hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGALRM, self._alarm)
            self._installed = True
            signal.setitimer(signal.ITIMER_REAL, self.timeout, 1.0)
        else:
            from .batch.executors import ThreadAlarm

            self._watchdog = ThreadAlarm(self.timeout, FileTimeout, on_fire=self._fire)
        return self

    def _fire(self) -> None:
        self.fired = True

    def __exit__(self, *exc) -> None:
        if self._installed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            # None: the handler before was not set from Python (the default one)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self._old is None else self._old)
            self._old, self._installed = None, False
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None


def time_limit(timeout: Optional[float]) -> TimeLimit:
    """A context manager: the time limit of one extraction (none when ``timeout`` is 0 or None)."""
    return TimeLimit(timeout)


def caused_by_timeout(exc: BaseException) -> bool:
    """The time limit fired, maybe inside a library that wrapped it in an error of its own (the OCR
    engine re-raises whatever interrupts it as its own runtime error)."""
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, FileTimeout):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
