"""Everyday use (issue "Everyday use"): what a batch hands over is what it says, through the real CLI.

Each test runs ``python -m govreport`` in a subprocess, as users do.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from conftest import ROOT, SAMPLES

SLOWPDF = Path(__file__).resolve().parent / "slowpdf"


def run(*args: str, stdin: Optional[bytes] = None, env: Optional[dict] = None, cwd: Path = ROOT,
        timeout: float = 300) -> subprocess.CompletedProcess:
    full = dict(os.environ)
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full.get("PYTHONPATH")]))
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "govreport", *args], input=stdin, capture_output=True,
                          cwd=cwd, env=full, timeout=timeout)


def slow_pdf_env(delay: float, stuck: bool = False) -> dict:
    """Every PDF page read waits ``delay`` s (tests/slowpdf/sitecustomize.py), in workers too."""
    env = {"PYTHONPATH": os.pathsep.join([str(SLOWPDF), str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "GOVREPORT_TEST_PAGE_DELAY": str(delay)}
    if stuck:
        env["GOVREPORT_TEST_PAGE_STUCK"] = "1"
    return env


def lines(data: bytes) -> list:
    return [json.loads(x) for x in data.decode("utf-8").splitlines() if x.strip()]


# --- 1. a time limit never degrades a record ------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_timeout_is_an_error_line_never_a_cut_short_record(tmp_path: Path, jobs: str) -> None:
    """The limit fires inside the PDF reader, which goes on past a page that raises: the record it would
    hand back lacks pages. Both in-process and in worker processes the input is a ``timeout`` error line."""
    pdf = tmp_path / "slow.pdf"
    pdf.write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    txt = tmp_path / "fast.txt"
    txt.write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    r = run("batch", str(pdf), str(txt), "--timeout", "1", "--jobs", jobs, env=slow_pdf_env(1.5))
    assert r.returncode == 7, r.stderr
    by_name = {Path(x["source"]["path"]).name: x for x in lines(r.stdout)}
    assert by_name["slow.pdf"].get("error", {}).get("code") == "timeout", by_name["slow.pdf"].get("issues")
    assert "cells" not in by_name["fast.txt"] or by_name["fast.txt"]["report"]["template"] == "2021"
    assert "error" not in by_name["fast.txt"]


def test_a_worker_stuck_past_the_limit_is_ended_and_its_input_times_out(tmp_path: Path) -> None:
    """No signal reaches the worker (SIGALRM blocked, as in a long C call): the worker is ended a grace
    period after the limit, replaced, and the input gets its ``timeout`` line; the other input is read."""
    pdf = tmp_path / "stuck.pdf"
    pdf.write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    txt = tmp_path / "fast.txt"
    txt.write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    r = run("batch", str(pdf), str(txt), "--timeout", "1", "--jobs", "2", env=slow_pdf_env(60, stuck=True),
            timeout=170)
    assert r.returncode == 7, r.stderr
    by_name = {Path(x["source"]["path"]).name: x for x in lines(r.stdout)}
    assert by_name["stuck.pdf"]["error"]["code"] == "timeout"
    assert "error" not in by_name["fast.txt"]
