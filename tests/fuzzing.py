"""What the property tests share: hypothesis settings, the fuzz size knob, a time limit, the bad-input check.

The default (CI) variants test the same examples on every run, so that the suite's verdict is stable; the
``fuzz``-marked variants explore, and their sizes are multiplied by ``GOVREPORT_FUZZ_SCALE`` (``bench/fuzz.py``
shards a long run over the cores). ``GOVREPORT_PROPERTY_TIMEOUT`` (seconds, default 20) bounds each extraction.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

from hypothesis import HealthCheck, settings

import govreport
from govreport.errors import GovReportError

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CI = dict(SETTINGS, derandomize=True, database=None)
FUZZ_SCALE = float(os.environ.get("GOVREPORT_FUZZ_SCALE", "1"))
EXTRACT_SECONDS = float(os.environ.get("GOVREPORT_PROPERTY_TIMEOUT", "20"))


def fuzz_settings(examples: int):
    """Settings of a ``fuzz`` variant: ``examples`` cases at scale 1."""
    return settings(max_examples=max(1, round(examples * FUZZ_SCALE)), **SETTINGS)


class TooSlow(AssertionError):
    pass


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Fail (``TooSlow``) when the block runs longer than ``seconds`` (wall clock; no-op without SIGALRM)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TooSlow(f"{what} took longer than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_bad_input(path: Path, data: bytes, seconds: float = EXTRACT_SECONDS) -> None:
    """``extract`` on ``data`` returns a Report or raises a GovReportError (a one-line reason, an exit
    code): nothing else, and within ``seconds``."""
    path.write_bytes(data)
    try:
        with time_limit(seconds, f"extracting {path.name}"):
            rec = govreport.extract(path)
    except GovReportError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip(), f"not a one-line reason: {exc!r}"
        return
    assert isinstance(rec, govreport.Report)
