"""Everyday use (issue "Everyday use"): what a batch hands over is what it says, through the real CLI.

Each test runs ``python -m govreport`` in a subprocess, as users do.
"""

from __future__ import annotations

import json
import re
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


# --- 2. one report status, the same everywhere ------------------------------------------------------------

def _soft_only(tmp_path: Path):
    """A record whose only failure is a soft check (no flagged cell, no error issue, a known template)."""
    from conftest import make_report

    from govreport.record import Cell, CellStatus, Check

    r = make_report("2021")
    r.cells["applications.new_received.total"] = Cell(raw="12", status=CellStatus.ok, page=3)
    r.issues = []
    r.checks = [Check(id="x_hard", expr="a == b", severity="hard", status="pass", lhs=1, rhs=1),
                Check(id="x_soft", expr="c <= d", severity="soft", status="fail", lhs=3, rhs=2)]
    return r


def test_status_is_defined_once_and_the_same_in_every_output(tmp_path: Path) -> None:
    import io

    import pandas as pd

    from govreport import export
    from govreport.batch.store import Store
    from govreport.export_xlsx import write_xlsx
    from govreport.record import Report, status_of

    r = _soft_only(tmp_path)
    assert r.status == "needs_review"
    data = r.to_dict()
    assert data["status"] == "needs_review" and status_of(data) == "needs_review"
    assert Report.model_validate(data).status == "needs_review"  # a record read back keeps it
    buf = io.StringIO()
    export.write([r], buf, "jsonl")
    assert json.loads(buf.getvalue())["status"] == "needs_review"
    buf = io.StringIO()
    export.write([r], buf, "csv", bom=False)
    assert pd.read_csv(io.StringIO(buf.getvalue()))["status"].tolist() == ["needs_review"]
    xlsx = io.BytesIO()
    write_xlsx([r], xlsx)
    xlsx.seek(0)
    assert pd.read_excel(xlsx, sheet_name="summary")["status"].tolist() == ["needs_review"]
    store = Store(tmp_path / "c.sqlite")
    store.add_record(data, "t")
    store.close()
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        assert db.execute("SELECT status FROM reports").fetchall() == [("needs_review",)]
    pytest.importorskip("pyarrow")
    from govreport.export_parquet import ParquetDataset

    ds = ParquetDataset(tmp_path / "pq")
    ds.add(data)
    ds.close([], [])
    assert pd.read_parquet(tmp_path / "pq" / "reports")["status"].tolist() == ["needs_review"]


def test_a_batch_says_needs_review_in_every_format_and_names_it(tmp_path: Path) -> None:
    """A record with ambiguous and suspect cells (run-together digits) is needs_review in JSONL, CSV, XLSX
    and SQLite, with its flagged cells counted; the summary counts and names it; error lines carry
    ``status: error`` and empty ``checks``/``cells``."""
    import pandas as pd
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("sample-2021.txt", "sample-2021-runtogether.txt"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    jsonl, db = tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    r = run("batch", str(folder), "-o", str(jsonl), "--db", str(db), "--jobs", "1")
    assert r.returncode == 7, r.stderr
    stderr = r.stderr.decode()
    assert "3 inputs, 1 ok, 1 need review, 0 with failed checks, 1 failed" in stderr
    assert re.search(r"needs_review: .*sample-2021-runtogether\.txt", stderr), stderr
    recs = {Path(x["source"]["path"]).name: x for x in lines(jsonl.read_bytes())}
    assert recs["sample-2021.txt"]["status"] == "ok"
    assert recs["sample-2021-runtogether.txt"]["status"] == "needs_review"
    assert recs["sample-2021-runtogether.txt"]["flagged_cells"]["ambiguous"] > 0
    err = recs["empty.txt"]
    assert err["status"] == "error" and err["checks"] == [] and err["cells"] == {}
    with sqlite3.connect(db) as con:
        got = dict((Path(p).name, s) for p, s in con.execute("SELECT path, status FROM reports"))
    assert got == {"sample-2021.txt": "ok", "sample-2021-runtogether.txt": "needs_review", "empty.txt": "error"}
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        r = run("batch", str(folder), "-o", str(out), "--format", fmt, "--jobs", "1")
        assert r.returncode == 7, r.stderr
        frame = pd.read_csv(out) if fmt == "csv" else pd.read_excel(out, sheet_name="summary")
        got = dict(zip(frame["path"].map(lambda p: Path(p).name), frame["status"]))
        assert got == {"sample-2021.txt": "ok", "sample-2021-runtogether.txt": "needs_review", "empty.txt": "error"}
        row = frame[frame["path"].str.endswith("runtogether.txt")].iloc[0]
        assert row["ambiguous_cells"] == recs["sample-2021-runtogether.txt"]["flagged_cells"]["ambiguous"]
    wb = load_workbook(tmp_path / "out.xlsx")
    assert all(sheet.freeze_panes == "A2" and sheet.auto_filter.ref for sheet in wb.worksheets)
    flagged = [c for sheet in wb.worksheets[1:4] for row in sheet.iter_rows() for c in row if c.comment is not None]
    assert flagged and all(c.fill.fgColor.rgb.endswith(("F9D88C", "F7C6A3", "F4B6B6", "D9E7F7")) for c in flagged)
    assert any("ambiguous; raw:" in c.comment.text and "candidates:" in c.comment.text for c in flagged)
