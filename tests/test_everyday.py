"""Everyday use (issue "Everyday use"): what a batch hands over is what it says, through the real CLI.

Each test runs ``python -m govreport`` in a subprocess, as users do.
"""

from __future__ import annotations

import json
import re
import shutil
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
# The limit (wall clock, as --timeout is) is far above what the fast input needs on a loaded machine, and the
# slow PDF waits far longer than the limit on each page: the outcome never depends on the machine's speed.
TIMEOUT = "10"

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_timeout_is_an_error_line_never_a_cut_short_record(tmp_path: Path, jobs: str) -> None:
    """The limit fires inside the PDF reader, which goes on past a page that raises: the record it would
    hand back lacks pages. Both in-process and in worker processes the input is a ``timeout`` error line."""
    pdf = tmp_path / "slow.pdf"
    pdf.write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    txt = tmp_path / "fast.txt"
    txt.write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    r = run("batch", str(pdf), str(txt), "--timeout", TIMEOUT, "--jobs", jobs, env=slow_pdf_env(60))
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
    r = run("batch", str(pdf), str(txt), "--timeout", TIMEOUT, "--jobs", "2", env=slow_pdf_env(300, stuck=True),
            timeout=280)
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
    from govreport.export import write_xlsx
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
    from govreport.export import ParquetDataset

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


# --- 3. a folder walk takes report files only, never the batch's own output ------------------------------

def test_folder_walk_skips_own_output_and_source_files_and_counts_them(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    (folder / "make_samples.py").write_bytes((ROOT / "samples" / "make_samples.py").read_bytes())
    out = folder / "out.jsonl"
    first = run("batch", str(folder), "-o", str(out), "--jobs", "1")
    assert first.returncode == 0, first.stderr
    (folder / "copy-of-out.txt").write_bytes(out.read_bytes())  # an earlier output under a report's name
    r = run("batch", str(folder), "-o", str(out), "--jobs", "1")
    stderr = r.stderr.decode()
    recs = lines(out.read_bytes())
    names = {Path(x["source"]["path"]).name: x for x in recs}
    assert set(names) == {"a.txt", "copy-of-out.txt"}, stderr
    assert names["copy-of-out.txt"]["status"] == "error"
    assert names["copy-of-out.txt"]["error"]["code"] == "unsupported_format"
    assert "skipped 2 file(s)" in stderr and "not a report file" in stderr  # make_samples.py and out.jsonl
    named = run("batch", str(folder / "make_samples.py"), "--jobs", "1")  # named explicitly: an error line
    assert named.returncode == 7
    assert lines(named.stdout)[0]["error"]["code"] == "unsupported_format"


# --- 4. -o's extension decides the format --------------------------------------------------------------

@pytest.mark.parametrize("name, check", [
    ("corpus.xlsx", lambda p: p.read_bytes()[:2] == b"PK"),
    ("h.csv", lambda p: p.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(b"path,sha256")),
    ("h.json", lambda p: isinstance(json.loads(p.read_text("utf-8")), list)),
    ("c.sqlite", lambda p: sqlite3.connect(p).execute("SELECT count(*) FROM reports").fetchone() == (1,)),
])
def test_output_format_follows_the_extension(tmp_path: Path, name: str, check) -> None:
    out = tmp_path / name
    r = run("batch", str(SAMPLES / "sample-2021.txt"), "-o", str(out), "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert check(out)


@pytest.mark.parametrize("args", [["batch", "-o", "x.xlsx", "--format", "csv"],
                                  ["batch", "-o", "x.csv", "--format", "jsonl"],
                                  ["extract", "-o", "x.xlsx"], ["extract", "-o", "x.csv", "--format", "json"]])
def test_a_format_contradicting_the_extension_is_a_usage_error(tmp_path: Path, args: list) -> None:
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    r = run(*args, str(SAMPLES / "sample-2021.txt"))
    assert r.returncode == 2 and r.stdout == b""
    assert re.fullmatch(rb"govreport: error: [^\n]+\n", r.stderr), r.stderr
    assert not list(tmp_path.iterdir())


# --- 6. the error and exit-code contract ---------------------------------------------------------------

@pytest.mark.parametrize("args", [["extract", "--format", "nope", "x.txt"], ["batch", "--jobs", "-1", "x"],
                                  ["extract"], ["frobnicate"], ["batch", "x", "--glob"],
                                  ["batch", str(SAMPLES), "--format", "xlsx"],
                                  ["batch", str(SAMPLES), "--format", "xlsx", "-o", "-"],
                                  ["batch", str(SAMPLES), "--resume", "--format", "csv"]])
def test_usage_errors_are_one_line_exit_2(args: list) -> None:
    r = run(*args)
    assert r.returncode == 2, r.stderr
    assert r.stdout == b""
    assert re.fullmatch(rb"govreport: error: [^\n]+\n", r.stderr), r.stderr
    assert b"Value error," not in r.stderr and b"Traceback" not in r.stderr


def test_nul_separated_paths_with_dash_0_and_a_nul_without_it_is_a_usage_error(tmp_path: Path) -> None:
    a = tmp_path / "with\nnewline.txt"
    a.write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    b = tmp_path / "b.txt"
    b.write_bytes((SAMPLES / "sample-2019.txt").read_bytes())
    listing = f"{a}\0{b}\0".encode()
    r = run("batch", "-0", "-", "--jobs", "1", stdin=listing)
    assert r.returncode == 0, r.stderr
    assert sorted(x["source"]["path"] for x in lines(r.stdout)) == sorted([str(a), str(b)])
    r = run("batch", "-", "--jobs", "1", stdin=listing)
    assert r.returncode == 2 and r.stdout == b""
    assert re.fullmatch(rb"govreport: error: [^\n]*-0[^\n]*\n", r.stderr), r.stderr


def test_report_value_raises_keyerror_for_an_unknown_reference() -> None:
    code = ("import govreport\nr = govreport.extract('samples/sample-2021.txt')\n"
            "print(r.value('applications.new_received.total'))\n"
            "try:\n    r.value('applications.no_such_row.total')\nexcept KeyError:\n    print('KeyError')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    value, err = p.stdout.split()
    assert value.isdigit() and err == "KeyError"


# --- 7. --fail-on for scripts --------------------------------------------------------------------------

def test_fail_on_exits_8_when_a_record_meets_it() -> None:
    clean, flagged = str(SAMPLES / "sample-2021.txt"), str(SAMPLES / "sample-2021-runtogether.txt")
    assert run("batch", clean, flagged, "-q", "--jobs", "1").returncode == 0  # default unchanged
    assert run("batch", clean, flagged, "-q", "--jobs", "1", "--fail-on", "review").returncode == 8
    assert run("batch", clean, flagged, "-q", "--jobs", "1", "--fail-on", "checks").returncode == 0
    assert run("batch", clean, "-q", "--jobs", "1", "--fail-on", "review").returncode == 0
    assert run("extract", flagged, "-q", "--fail-on", "review").returncode == 8
    assert run("extract", clean, "-q", "--fail-on", "issues").returncode == 0


# --- 5. cross-year results reach the records ------------------------------------------------------------

def _two_years(folder: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from batch_tasks import write_reports

    write_reports(folder, [("云溪县人民政府", 2022), ("云溪县人民政府", 2023)])


def _chain(rec: dict) -> dict:
    return {c["id"]: c["status"] for c in rec["checks"] if c["id"].startswith("applications_carry_chain")}


def test_cross_year_results_are_in_the_records_every_output_writes(tmp_path: Path) -> None:
    import pandas as pd

    folder = tmp_path / "in"
    _two_years(folder)
    out, db = tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    r = run("batch", str(folder), "-o", str(out), "--db", str(db), "--jobs", "2")
    assert r.returncode == 0, r.stderr
    recs = {Path(x["source"]["path"]).name: x for x in lines(out.read_bytes())}
    later = recs["r01.txt"]
    assert set(_chain(later).values()) <= {"pass", "fail"} and "fail" in _chain(later).values()
    assert set(_chain(recs["r00.txt"]).values()) == {"not_assessable"}  # no 2021 report in the batch
    assert later["status"] == "needs_review"  # a failed soft (chain) check
    with sqlite3.connect(db) as con:
        stored = json.loads(con.execute("SELECT record FROM reports WHERE path LIKE '%r01.txt'").fetchone()[0])
        rows = dict(con.execute("SELECT c.check_id, c.status FROM checks c JOIN reports r ON r.id = c.report_id "
                                "WHERE r.path LIKE '%r01.txt' AND c.check_id LIKE 'applications_carry_chain%'"))
        status = con.execute("SELECT status FROM reports WHERE path LIKE '%r01.txt'").fetchone()[0]
    assert _chain(stored) == _chain(later) == rows and status == "needs_review"
    assert "1 ok, 1 need review" in r.stderr.decode()
    csv = tmp_path / "out.csv"
    assert run("batch", str(folder), "-o", str(csv), "--jobs", "1").returncode == 0
    frame = pd.read_csv(csv)
    assert dict(zip(frame["path"].map(lambda p: Path(p).name), frame["status"])) == {"r00.txt": "ok",
                                                                                   "r01.txt": "needs_review"}
    piped = run("batch", str(folder), "--jobs", "1")
    typed = [x for x in lines(piped.stdout) if x["schema"] == "govreport.cross_year/1"]
    assert {x["id"]: x["status"] for x in typed if x["id"] in _chain(later)} == _chain(later)


def test_duplicate_issuer_years_are_reported_and_prefer_keeps_one(tmp_path: Path) -> None:
    import pandas as pd

    folder = tmp_path / "in"
    folder.mkdir()
    txt = (SAMPLES / "sample-2021.txt").read_text("utf-8")
    (folder / "a.txt").write_text(txt, "utf-8")
    (folder / "a.html").write_bytes((SAMPLES / "sample-2021.html").read_bytes())
    r = run("batch", str(folder), "-o", str(tmp_path / "o.csv"), "--jobs", "1", "--prefer", "html,txt")
    assert r.returncode == 0, r.stderr
    stderr = r.stderr.decode()
    assert re.search(r"duplicate: 云溪县人民政府 \d{4}: .*a\.(txt|html) and .*a\.(txt|html) \(.*\); kept: .*a\.html",
                     stderr), stderr
    frame = pd.read_csv(tmp_path / "o.csv")
    assert [Path(p).name for p in frame["path"]] == ["a.html"]


def test_duplicates_name_the_cells_that_differ() -> None:
    from govreport.batch.units import Across

    rec = {"report": {"issuer": "云溪县人民政府", "year": 2021, "template": "2021"}, "source": {"path": "a.txt",
           "format": "txt"}, "tables": {"applications": {"new_received": {"total": 5, "other_org": 1}}}}
    other = json.loads(json.dumps(rec))
    other["source"] = {"path": "a.html", "format": "html"}
    other["tables"]["applications"]["new_received"]["total"] = 6
    across = Across(prefer=["txt"])
    across.add(rec, rec)
    across.add(other, other)
    assert across.duplicates == [{"issuer": "云溪县人民政府", "year": 2021, "paths": ["a.txt", "a.html"],
                                  "kept": "a.txt", "differing_cells": ["applications.new_received.total"]}]


@pytest.mark.parametrize("delay", [0.3, 0.6, 1.0, 1.5, 3.0])
def test_ctrl_c_early_in_a_batch_prints_no_traceback(tmp_path: Path, delay: float) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) at any moment of a batch's start:
    imports, the fork server and the workers starting, the first files: exit 130, no traceback."""
    import signal
    import time

    for i in range(3):
        (tmp_path / f"r{i}.pdf").write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    env = dict(os.environ)
    env.update(slow_pdf_env(0.5))
    proc = subprocess.Popen([sys.executable, "-m", "govreport", "batch", str(tmp_path), "--jobs", "2", "-o",
                             str(tmp_path / "out.jsonl")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env=env, start_new_session=True)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err, err.decode()
    assert proc.returncode in (130, 0), (proc.returncode, err.decode())  # 0: it finished first


# --- issue "Bounded work", item 4: files around the reports ---------------------------------------------

def test_odd_files_in_a_folder_are_skipped_and_counted_never_block_the_walk(tmp_path: Path) -> None:
    import socket

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    os.mkfifo(folder / "fifo.txt")  # reading it would block for ever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    os.symlink("loop2.txt", folder / "loop1.txt")
    os.symlink("loop1.txt", folder / "loop2.txt")
    os.symlink("..", folder / "sub" / "up")  # a folder loop: links to folders are not followed
    (folder / "new\nline.txt").write_bytes((SAMPLES / "sample-2019.txt").read_bytes())
    os.mkdir(os.path.join(os.fsencode(folder), b"bad\xffdir"))
    with open(os.path.join(os.fsencode(folder), b"bad\xff.txt"), "wb") as f:
        f.write((SAMPLES / "sample-2021.txt").read_bytes())
    locked = folder / "locked"
    locked.mkdir()
    (locked / "x.txt").write_bytes((SAMPLES / "sample-2021.txt").read_bytes())
    locked.chmod(0)
    try:
        r = run("batch", str(folder), "-o", str(tmp_path / "out.jsonl"), "--jobs", "2", timeout=120)
    finally:
        locked.chmod(0o755)
        sock.close()
    stderr = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 0, stderr
    assert "Traceback" not in stderr
    names = sorted(Path(x["source"]["path"]).name for x in lines((tmp_path / "out.jsonl").read_bytes()))
    readable_locked = os.geteuid() == 0  # root reads a folder of mode 000
    assert names == sorted(["a.txt", "new\nline.txt"] + (["x.txt"] if readable_locked else []))
    assert "2 not a regular file" in stderr and "2 broken link or link loop" in stderr
    assert "2 name not valid UTF-8" in stderr
    if not readable_locked:
        assert "1 folder that cannot be read" in stderr


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 64 KiB tmpfs (where this user may mount one), else None."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        yield None
        return
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx", "json"])
def test_a_full_disk_is_exit_5_and_leaves_no_partial_file_as_if_complete(tmp_path: Path, tiny_disk, fmt) -> None:
    inputs = [str(SAMPLES / n) for n in ("sample-2021.txt", "sample-2019.txt", "sample-2021.pdf")]
    r = run("batch", *inputs, "-q", "--jobs", "1", "-o", "/dev/full", "--format", fmt)
    assert r.returncode == 5, r.stderr
    assert re.fullmatch(rb"govreport: error: /dev/full: cannot write \(No space left on device\)\n", r.stderr)
    assert Path("/dev/full").is_char_device()  # written into, never replaced
    if tiny_disk is None:
        pytest.skip("no tmpfs can be mounted here: /dev/full only")
    (tiny_disk / "fill").write_bytes(b"\0" * 62 * 1024)
    out = tiny_disk / f"out.{fmt}"
    r = run("batch", *inputs, "-q", "--jobs", "1", "-o", str(out))
    assert r.returncode == 5, r.stderr
    assert re.fullmatch(rb"govreport: error: [^\n]*No space left on device\)\n", r.stderr), r.stderr
    left = sorted(p.name for p in tiny_disk.iterdir())
    if fmt == "jsonl":  # kept for --resume, cut after its last whole line
        data = out.read_bytes()
        assert data == b"" or data.endswith(b"\n")
        lines(data)
        assert left == ["fill", "out.jsonl"]
    else:  # written atomically: nothing, not even the temporary file
        assert left == ["fill"]


def test_a_read_only_folder_is_exit_5(tmp_path: Path, tiny_disk) -> None:
    if tiny_disk is None:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        if os.access(ro, os.W_OK):
            pytest.skip("this user writes into read-only folders and cannot mount one")
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
        ro = tiny_disk
    for out in ("out.jsonl", "out.csv", "out.xlsx", "c.sqlite"):
        r = run("batch", str(SAMPLES / "sample-2021.txt"), "-q", "--jobs", "1", "-o", str(ro / out))
        assert r.returncode == 5, (out, r.stderr)
        assert re.fullmatch(rb"govreport: error: [^\n]+\n", r.stderr), r.stderr
    assert list(ro.iterdir()) == []


def test_two_batches_writing_one_database_at_once_both_finish_each_input_once(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from batch_tasks import write_reports

    folder = tmp_path / "in"
    write_reports(folder, [(f"县{i}人民政府", 2023) for i in range(8)])
    db = tmp_path / "c.sqlite"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    procs = [subprocess.Popen([sys.executable, "-m", "govreport", "batch", str(folder), "--db", str(db), "-q",
                               "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
             for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone() == (8, 8)
        assert con.execute("SELECT count(DISTINCT report_id) FROM cells").fetchone() == (8,)


# --- the issue's "Done when": one batch over the dev corpus and what lies around it ----------------------

def test_done_when_a_corpus_batch_with_its_own_output_a_script_and_a_timed_out_pdf(tmp_path: Path,
                                                                                   corpus_dir: Path) -> None:
    """The dev corpus plus a folder holding the batch's own earlier output, a .py file and a PDF that runs
    past --timeout (each page read waits 120 s: a slow reader, not a slow machine): the output and the script
    are skipped and counted, the PDF is a timeout error line, pingtan-2019.txt is needs_review in JSONL, CSV,
    XLSX (its flagged cells coloured) and SQLite, and the summary names it."""
    import pandas as pd
    from openpyxl import load_workbook

    docs = corpus_dir / "docs"
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "make_samples.py").write_bytes((ROOT / "samples" / "make_samples.py").read_bytes())
    (extra / "slow-report.pdf").write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    out, db = extra / "out.jsonl", tmp_path / "corpus.sqlite"
    env = slow_pdf_env(120)  # far past the limit, which is far above what a corpus file needs on a loaded machine
    env["GOVREPORT_TEST_SLOW_MATCH"] = "slow-report"
    (extra / "out.jsonl").write_bytes(run("batch", str(SAMPLES / "sample-2021.txt"), "--jobs", "1").stdout)
    common = [str(docs), str(extra), "--timeout", "20", "--jobs", "2"]
    r = run("batch", *common, "-o", str(out), "--db", str(db), env=env, timeout=600)
    stderr = r.stderr.decode()
    assert r.returncode == 7, stderr
    assert re.search(r"skipped 2 file\(s\): 2 not a report file", stderr), stderr  # out.jsonl, make_samples.py
    recs = {Path(x["source"]["path"]).name: x for x in lines(out.read_bytes())}
    assert "out.jsonl" not in recs and "make_samples.py" not in recs
    assert recs["slow-report.pdf"]["status"] == "error"
    assert recs["slow-report.pdf"]["error"]["code"] == "timeout"
    assert recs["pingtan-2019.txt"]["status"] == "needs_review"
    assert re.search(r"needs_review: \S*pingtan-2019\.txt", stderr), stderr
    assert re.search(r"timeout: \S*slow-report\.pdf", stderr), stderr
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT status FROM reports WHERE path LIKE '%pingtan-2019.txt'").fetchone() == (
            "needs_review",)
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        r = run("batch", *common, "-o", str(target), env=env, timeout=600)
        assert r.returncode == 7, r.stderr
        frame = pd.read_csv(target) if fmt == "csv" else pd.read_excel(target, sheet_name="summary")
        status = dict(zip(frame["path"].map(lambda p: Path(p).name), frame["status"]))
        assert status["pingtan-2019.txt"] == "needs_review" and status["slow-report.pdf"] == "error"
    wb = load_workbook(tmp_path / "out.xlsx")
    paths = {}
    coloured = 0
    for sheet in wb.worksheets[1:4]:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if str(row[header.index("path")].value).endswith("pingtan-2019.txt"):
                coloured += sum(1 for c in row if c.comment is not None and c.fill.fill_type == "solid")
                paths[sheet.title] = True
    assert coloured >= recs["pingtan-2019.txt"]["flagged_cells"]["ambiguous"], coloured


# --- 11. small conventions -----------------------------------------------------------------------------

def test_database_columns_need_no_quoting_and_an_old_database_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    with sqlite3.connect(db) as con:  # the schema before: "table", "row", "column", id
        con.executescript('CREATE TABLE cells (report_id INTEGER NOT NULL, "table" TEXT NOT NULL, "row" TEXT NOT '
                          'NULL, "column" TEXT NOT NULL, value NUMERIC, status TEXT, raw TEXT, page INTEGER, '
                          'PRIMARY KEY (report_id, "table", "row", "column"));'
                          'CREATE INDEX cells_by_key ON cells ("table", "row", "column");'
                          'CREATE TABLE checks (report_id INTEGER NOT NULL, id TEXT, severity TEXT, status TEXT, '
                          'lhs NUMERIC, rhs NUMERIC, expr TEXT);')
    r = run("batch", str(SAMPLES / "sample-2021.txt"), "--db", str(db), "-q", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as con:
        value = con.execute("SELECT value FROM cells WHERE table_key = 'applications' AND row_key = "
                            "'new_received' AND col_key = 'total'").fetchone()
        checks = con.execute("SELECT count(DISTINCT check_id) FROM checks").fetchone()[0]
    truth = json.loads((SAMPLES / "sample-2021.truth.json").read_text("utf-8"))
    assert value == (truth["tables"]["applications"]["new_received"]["total"],) and checks > 10


def test_ordered_keeps_the_input_order_in_json_lines(tmp_path: Path) -> None:
    names = ["sample-2021.pdf", "sample-2019.txt", "sample-2021.txt", "sample-2021.html"]
    paths = [str(SAMPLES / n) for n in names]
    r = run("batch", *paths, "--jobs", "2", "--ordered")
    assert r.returncode == 0, r.stderr
    assert [Path(x["source"]["path"]).name for x in lines(r.stdout)] == names


def test_bom_only_into_a_file_unless_asked(tmp_path: Path) -> None:
    piped = run("batch", str(SAMPLES / "sample-2021.txt"), "--format", "csv", "--jobs", "1")
    assert piped.returncode == 0 and piped.stdout.startswith(b"path,")
    asked = run("batch", str(SAMPLES / "sample-2021.txt"), "--format", "csv", "--bom", "--jobs", "1")
    assert asked.stdout.startswith(b"\xef\xbb\xbfpath,")
    out = tmp_path / "x.csv"
    assert run("batch", str(SAMPLES / "sample-2021.txt"), "-o", str(out), "--jobs", "1").returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfpath,")
    assert run("extract", str(SAMPLES / "sample-2021.txt"), "--format", "csv").stdout.startswith(b"path,")


def test_glob_is_repeatable_and_case_insensitive(tmp_path: Path) -> None:
    for name, sample in (("A.TXT", "sample-2021.txt"), ("b.Pdf", "sample-2021.pdf"), ("c.html", "sample-2021.html")):
        (tmp_path / name).write_bytes((SAMPLES / sample).read_bytes())
    r = run("batch", str(tmp_path), "--glob", "*.txt", "--glob", "*.PDF", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert sorted(Path(x["source"]["path"]).name for x in lines(r.stdout)) == ["A.TXT", "b.Pdf"]


# --- 10. feedback ---------------------------------------------------------------------------------------

def test_verbose_prints_one_line_per_file() -> None:
    r = run("batch", str(SAMPLES / "sample-2021.pdf"), str(SAMPLES / "sample-2021-runtogether.txt"), "-v",
            "--jobs", "1", "-o", os.devnull)
    stderr = r.stderr.decode()
    assert r.returncode == 0, stderr
    assert re.search(r"sample-2021\.pdf: pdf, template 2021, 4 pages, [\d.]+ s, 0 failed checks, 0 flagged "
                     r"cells \(none\): ok", stderr), stderr
    assert re.search(r"sample-2021-runtogether\.txt: txt, template 2021, [\d.]+ s, 0 failed checks, \d+ flagged "
                     r"cells \(\d+ ambiguous, \d+ suspect\): needs_review", stderr), stderr


def test_without_a_terminal_a_progress_line_every_100_files(tmp_path: Path) -> None:
    for i in range(105):
        (tmp_path / f"e{i:03d}.txt").write_bytes(b"")
    r = run("batch", str(tmp_path), "--jobs", "1", "-o", str(tmp_path / "out.jsonl"))
    assert r.returncode == 7
    assert re.search(rb"govreport: 100/105 files, 100 failed, [\d.]+ files/s\n", r.stderr), r.stderr[-500:]


# --- 8. what people expect from a data CLI --------------------------------------------------------------

def test_version_and_completion() -> None:
    from govreport import __version__

    r = run("--version")
    assert r.returncode == 0 and r.stdout.decode() == f"govreport {__version__}\n"
    r = run("--help")
    assert b"--install-completion" in r.stdout and b"--show-completion" in r.stdout


def test_fields_is_the_data_dictionary_from_the_template() -> None:
    import csv
    import io

    from govreport.template import load_template

    r = run("fields", "--template", "2021", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8"))))
    refs = [ref for t in load_template().versions["2021"].tables.values() for ref in t.cell_refs()]
    assert [x["key"] for x in rows] == refs
    total = next(x for x in rows if x["key"] == "applications.new_received.total")
    assert total["row_label"] == "一、本年新收政府信息公开申请数量" and total["column_label"] == "总计"
    assert total["unit"] == "件" and total["in_other_version"] == "2019"
    fee = next(x for x in rows if x["key"] == "active_disclosure.admin_fees.fee_amount")
    assert fee["unit"] == "万元" and fee["type"] == "decimal" and fee["in_other_version"] == ""
    md = run("fields").stdout.decode()
    assert md.startswith("| key | table |") and "| 2019 |" in md and "| 2021 |" in md
    assert len(json.loads(run("fields", "--format", "json").stdout)) == len(md.splitlines()) - 2


def test_schema_validates_records_and_error_lines(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema").stdout)
    (tmp_path / "empty.txt").write_bytes(b"")
    r = run("batch", str(SAMPLES / "sample-2021.txt"), str(SAMPLES / "sample-2019.txt"), str(tmp_path / "empty.txt"),
            "--jobs", "1")
    got = lines(r.stdout)
    assert len(got) == 3
    for line in got:
        jsonschema.validate(line, schema)
        for issue in line.get("issues", []):
            assert issue["code"] in schema["x-govreport"]["issue_codes"], issue
        for ref in line.get("cells", {}):
            assert ref in schema["x-govreport"]["cell_refs"], ref
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": "govreport.record/1", "status": "error", "source": {}}, schema)


def test_the_record_contract_ships_with_the_repository() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for link in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / link).exists(), link
    assert "docs/RECORD.md" in readme and "../shared" not in readme.split("## The record in brief")[1][:400]


# --- 9. show -------------------------------------------------------------------------------------------

def test_show_lays_out_the_form_with_flagged_cells_and_failed_checks(tmp_path: Path) -> None:
    from conftest import make_report

    rec = tmp_path / "r.json"
    rec.write_text(make_report("2021").to_json(), "utf-8")
    r = run("show", str(rec), "--table", "applications", env={"COLUMNS": "200"})
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "三、收到和处理政府信息公开申请情况" in out and "二、主动公开政府信息情况" not in out
    assert "一、本年新收政府信息公开申请数量" in out and "自然人" in out and "总计" in out
    assert re.search(r"一、本年新收政府信息公开申请数量[^\n]*12\?", out), out  # the ambiguous cell, marked
    assert "✗ hard check applications_balance[total]: 12 ≠ 11" in out
    coloured = run("show", str(rec), "--table", "applications", env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert re.search(r"\x1b\[[0-9;]*33m *12\?", coloured.stdout.decode()), coloured.stdout[:2000]  # yellow
    extracted = run("show", str(SAMPLES / "sample-2021.txt"), "--table", "review_litigation")
    assert extracted.returncode == 0 and "行政复议" in extracted.stdout.decode()
    assert run("show", str(tmp_path / "none.txt")).returncode == 3


def test_labels_zh_puts_the_chinese_labels_in_csv_and_xlsx_headers(tmp_path: Path) -> None:
    import pandas as pd

    r = run("batch", str(SAMPLES / "sample-2021.txt"), "--format", "csv", "--labels", "zh", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    header = r.stdout.decode("utf-8").splitlines()[0].split(",")
    assert header[:6] == ["path", "sha256", "issuer", "year", "template", "status"]
    assert "三·一、本年新收政府信息公开申请数量·总计" in header and len(set(header)) == len(header)
    assert not [h for h in header if h.count(".") == 2]
    out = tmp_path / "x.xlsx"
    assert run("batch", str(SAMPLES / "sample-2021.txt"), "-o", str(out), "--labels", "zh", "--jobs", "1").returncode == 0
    sheet = pd.read_excel(out, sheet_name="三 申请办理")
    assert "自然人" in sheet.columns and "总计" in sheet.columns
    assert sheet.loc[sheet["row"] == "new_received", "label"].tolist() == ["一、本年新收政府信息公开申请数量"]


def test_every_issue_code_the_package_writes_is_listed_in_the_schema() -> None:
    from govreport.record_schema import ISSUE_CODES

    written = set()
    for path in (ROOT / "govreport").rglob("*.py"):
        written |= set(re.findall(r'code="([a-z_0-9]+)"', path.read_text("utf-8")))
        written |= set(re.findall(r'Finding\("([a-z_0-9]+)"', path.read_text("utf-8")))
    assert written and written <= set(ISSUE_CODES), written - set(ISSUE_CODES)


def test_no_progress_bar_while_json_lines_stream_to_the_terminal(tmp_path: Path) -> None:
    """Under a pseudo-terminal (``script``): the bar (rich hides the cursor: ESC[?25l) is drawn with -o FILE,
    never over JSON Lines streaming to the terminal."""
    if shutil.which("script") is None:
        pytest.skip("no script(1) to give the command a terminal")
    inputs = " ".join(str(SAMPLES / n) for n in ("sample-2021.txt", "sample-2019.txt"))
    base = f"{sys.executable} -m govreport batch {inputs} --jobs 1"

    def under_tty(cmd: str) -> bytes:
        return subprocess.run(["script", "-qec", cmd, os.devnull], capture_output=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout

    streamed = under_tty(base)
    assert b'"schema":"govreport.record/1"' in streamed and b"\x1b[?25l" not in streamed
    assert b"\x1b[?25l" in under_tty(f"{base} -o {tmp_path / 'out.jsonl'}")
