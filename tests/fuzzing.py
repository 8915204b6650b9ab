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
EXTRACT_SECONDS = float(os.environ.get("GOVREPORT_PROPERTY_TIMEOUT", "60"))


def fuzz_settings(examples: int):
    """Settings of a ``fuzz`` variant: ``examples`` cases at scale 1."""
    return settings(max_examples=max(1, round(examples * FUZZ_SCALE)), **SETTINGS)


class TooSlow(AssertionError):
    pass


@contextlib.contextmanager
def cpu_limit(seconds: float, what: str):
    """Fail (``TooSlow``) when the block has used more than ``seconds`` of this process's CPU time (user +
    system, ``ITIMER_PROF``): the work done, not the wall clock, so that waiting for a core on a loaded machine
    never counts. A guard against blow-ups: give it a bound far above the normal cost. A no-op without
    ``setitimer`` or outside the main thread."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TooSlow(f"{what} used more than {seconds:g} s of CPU time")

    old = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def splice(data, edits, insert_before=None):
    """``data`` (str or bytes) edited in order. Each edit is (kind, position, length, inserted): ``delete``,
    ``insert``, ``duplicate`` (the ``length`` items from the position, twice), ``truncate``, and for bytes
    ``flip`` (invert ``length`` bytes); positions wrap around the current length. With ``insert_before``,
    an insertion moves forward to the next occurrence of it (a tag's ``<``, to keep markup well formed)."""
    for kind, pos, length, insert in edits:
        pos %= len(data) + 1
        if kind == "insert":
            if insert_before is not None:
                at = data.find(insert_before, pos)
                pos = at if at >= 0 else pos
            data = data[:pos] + insert + data[pos:]
        elif kind == "delete":
            data = data[:pos] + data[pos + length:]
        elif kind == "duplicate":
            data = data[:pos + length] + data[pos:]
        elif kind == "flip":
            data = data[:pos] + bytes(b ^ 0xFF for b in data[pos:pos + length]) + data[pos + length:]
        else:
            data = data[:pos]
    return data


def check_bad_input(path: Path, data: bytes, seconds: float = EXTRACT_SECONDS) -> None:
    """``extract`` on ``data`` returns a Report or raises a GovReportError (a one-line reason, an exit
    code): nothing else, and within ``seconds`` of CPU time."""
    path.write_bytes(data)
    try:
        with cpu_limit(seconds, f"extracting {path.name}"):
            rec = govreport.extract(path)
    except GovReportError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip(), f"not a one-line reason: {exc!r}"
        return
    assert isinstance(rec, govreport.Report)
