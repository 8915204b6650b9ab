"""govreport batch: folders in parallel, broken inputs, exports read back, the SQLite corpus, resume."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govreport.batch.crossyear import cross_year_checks
from govreport.batch.inputs import collect

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOOD = ["sample-2021.txt", "sample-2021-runtogether.txt", "sample-2019.txt", "sample-2021.pdf"]


def run_cli(*args: str, stdin: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True,
                          input=stdin, timeout=timeout, cwd=ROOT)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    (d / "broken").mkdir(parents=True)
    for name in GOOD:
        (d / name).write_bytes((SAMPLES / name).read_bytes())
    (d / "broken" / "empty.pdf").write_bytes(b"")
    (d / "broken" / "truncated.pdf").write_bytes((SAMPLES / "sample-2021.pdf").read_bytes()[:3000])
    (d / "broken" / "random.pdf").write_bytes(os.urandom(4096))
    return d


def _lines(path: Path) -> list:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_batch_writes_one_line_per_input_and_exits_7(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(folder), "-o", str(out), "--jobs", "2")
    assert r.returncode == 7, r.stderr
    assert r.stdout == ""
    lines = _lines(out)
    assert len(lines) == len(GOOD) + 3
    errors = {Path(x["source"]["path"]).name: x["error"]["code"] for x in lines if "error" in x}
    assert set(errors) == {"empty.pdf", "truncated.pdf", "random.pdf"}
    ok = [x for x in lines if "error" not in x]
    assert {Path(x["source"]["path"]).name for x in ok} == set(GOOD)
    assert all(x["schema"] == "govreport.record/1" for x in lines)
    assert "7 inputs, 3 ok, 1 need review, 0 with failed checks, 3 failed" in r.stderr


def test_summary_has_each_workers_peak_memory(folder: Path) -> None:
    from govreport.batch.session import BatchOptions, run_batch

    out = io.BytesIO()
    summary = run_batch(collect([str(folder)]), BatchOptions(jobs=2), stream=out)
    assert summary.total == len(GOOD) + 3 and len(out.getvalue().splitlines()) == len(GOOD) + 3
    peaks = summary.worker_peak_rss_mib
    assert 1 <= len(peaks) <= 2 and os.getpid() not in peaks  # the pool's processes, not this one
    assert all(isinstance(v, float) and 5 < v < 4096 for v in peaks.values()), peaks  # MiB, not KiB or bytes
    assert summary.peak_rss_mib_per_worker == max(peaks.values())
    # -v prints it; with --jobs 1 the one worker is the command's own process
    r = run_cli("batch", str(folder / "sample-2021.txt"), "--jobs", "1", "-v", "-o", str(folder.parent / "o.jsonl"))
    assert r.returncode == 0, r.stderr
    m = re.search(r"peak memory per worker: ([\d.]+) MiB max, ([\d.]+) MiB min, over 1 worker process", r.stderr)
    assert m and 5 < float(m.group(2)) <= float(m.group(1)) < 4096, r.stderr


def test_jsonl_goes_to_stdout_without_o_and_paths_from_stdin(folder: Path) -> None:
    paths = "\n".join(str(folder / n) for n in GOOD[:2]) + "\n"
    r = run_cli("batch", "-", "--jobs", "1", "-q", stdin=paths)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [Path(x["source"]["path"]).name for x in recs] == GOOD[:2]


def test_csv_one_row_per_input_with_the_records_numbers(folder: Path, tmp_path: Path) -> None:
    import pandas as pd

    jsonl, csv = tmp_path / "out.jsonl", tmp_path / "out.csv"
    assert run_cli("batch", str(folder), "-o", str(jsonl), "--jobs", "1").returncode == 7
    r = run_cli("batch", str(folder), "--format", "csv", "-o", str(csv), "--jobs", "2")
    assert r.returncode == 7, r.stderr
    df = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(df) == len(GOOD) + 3
    assert sorted(df["status"].unique()) == ["error", "needs_review", "ok"]
    records = {x["source"]["path"]: x for x in _lines(jsonl) if "error" not in x}
    for _, row in df[df["status"] != "error"].iterrows():
        rec = records[row["path"]]
        assert row["status"] == rec["status"]
        for table, rows in rec["tables"].items():
            for rkey, cols in rows.items():
                for ckey, value in cols.items():
                    got = row[f"{table}.{rkey}.{ckey}"]
                    assert (pd.isna(got) and value is None) or got == value, (row["path"], rkey, ckey)


def test_xlsx_opens_with_the_same_numbers(folder: Path, tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    jsonl, xlsx = tmp_path / "out.jsonl", tmp_path / "out.xlsx"
    run_cli("batch", str(folder), "-o", str(jsonl), "--jobs", "1")
    r = run_cli("batch", str(folder), "--format", "xlsx", "-o", str(xlsx), "--jobs", "1")
    assert r.returncode == 7, r.stderr
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["summary", "二 主动公开", "三 申请办理", "四 复议诉讼", "issues", "dictionary"]
    apps = pd.read_excel(xlsx, sheet_name="三 申请办理")
    rec = next(x for x in _lines(jsonl) if x["source"]["path"].endswith("sample-2021.txt"))
    row = apps[(apps["path"] == rec["source"]["path"]) & (apps["row"] == "new_received")].iloc[0]
    for col, value in rec["tables"]["applications"]["new_received"].items():
        assert row[col] == value
    cell = wb["三 申请办理"].cell(row=2, column=6).value
    assert isinstance(cell, (int, float))  # numbers stay numbers
    summary = pd.read_excel(xlsx, sheet_name="summary")
    assert len(summary) == len(GOOD) + 3 and (summary["status"] == "error").sum() == 3


def test_db_then_resume_redoes_nothing(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.sqlite"
    r1 = run_cli("batch", str(folder), "--db", str(db), "-o", str(tmp_path / "a.jsonl"), "--jobs", "2")
    assert r1.returncode == 7
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(GOOD) + 3
    assert con.execute("SELECT count(*) FROM reports WHERE status = 'error'").fetchone()[0] == 3
    cells = con.execute("SELECT count(*) FROM cells c JOIN reports r ON r.id = c.report_id "
                        "WHERE r.path LIKE '%sample-2021.txt'").fetchone()[0]
    assert cells == 200
    value = con.execute("SELECT value FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.path LIKE "
                        "'%sample-2021.txt' AND table_key='applications' AND row_key='new_received' AND "
                        "col_key='total'").fetchone()[0]
    truth = json.loads((SAMPLES / "sample-2021.truth.json").read_text("utf-8"))
    assert value == truth["tables"]["applications"]["new_received"]["total"]
    con.close()
    r2 = run_cli("batch", str(folder), "--db", str(db), "--resume", "-o", str(tmp_path / "b.jsonl"))
    assert r2.returncode == 0, r2.stderr
    assert f"{len(GOOD) + 3} skipped" in r2.stderr
    assert (tmp_path / "b.jsonl").read_text() == ""
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone() == (len(GOOD) + 3,) * 2


def test_killed_batch_resumed_has_each_input_once(tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    base = (SAMPLES / "sample-2021.txt").read_text("utf-8")
    n = 24
    for i in range(n):
        (d / f"r{i:02d}.txt").write_text(base + f"\n（附：副本 {i}）\n", "utf-8")
    db = tmp_path / "corpus.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "govreport", "batch", str(d), "--db", str(db), "--jobs", "1",
                             "-o", str(tmp_path / "first.jsonl")], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        try:
            stored = sqlite3.connect(db).execute("SELECT count(*) FROM reports").fetchone()[0]
        except sqlite3.Error:
            stored = 0
        if stored >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < n, "the kill must land midway"
    r = run_cli("batch", str(d), "--db", str(db), "--resume", "-o", str(tmp_path / "second.jsonl"))
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone() == (n, n)
    assert con.execute("SELECT count(DISTINCT report_id) FROM cells").fetchone()[0] == n


def test_collect_walks_folders_skips_hidden_and_filters(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.pdf").write_bytes(b"%PDF")
    (tmp_path / "a" / ".hidden.pdf").write_bytes(b"%PDF")
    (tmp_path / "b.txt").write_text("t")
    assert [p.name for p in collect([str(tmp_path)])] == ["b.txt", "x.pdf"]
    assert [p.name for p in collect([str(tmp_path)], glob="*.pdf")] == ["x.pdf"]
    assert [p.name for p in collect([str(tmp_path / "b.txt"), str(tmp_path)])] == ["b.txt", "x.pdf"]


def _rec(issuer: str, year: int, carried_over: int, carried_forward: int) -> dict:
    cols = ["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
            "legal_service_org", "other_org", "total"]
    tables = {"applications": {"carried_over": {c: 0 for c in cols}, "carried_forward": {c: 0 for c in cols}},
              "active_disclosure": {}}
    tables["applications"]["carried_over"].update(natural_person=carried_over, total=carried_over)
    tables["applications"]["carried_forward"].update(natural_person=carried_forward, total=carried_forward)
    return {"report": {"issuer": issuer, "year": year, "template": "2021"}, "tables": tables, "cells": {}}


def test_cross_year_carry_chain() -> None:
    checks = cross_year_checks([_rec("甲县人民政府", 2022, 1, 4), _rec("甲县人民政府", 2023, 4, 2),
                                _rec("乙县人民政府", 2023, 9, 0)])
    carry = {c["id"]: c for c in checks if c["id"].startswith("applications_carry_chain")}
    assert carry["applications_carry_chain[total]"]["status"] == "pass"
    assert carry["applications_carry_chain[total]"]["year"] == 2023
    assert all(c["issuer"] == "甲县人民政府" for c in checks)  # 乙县 has no previous year
    bad = cross_year_checks([_rec("甲县人民政府", 2022, 1, 5), _rec("甲县人民政府", 2023, 4, 2)])
    assert next(c for c in bad if c["id"] == "applications_carry_chain[total]")["status"] == "fail"


# ---------------------------------------------------------------------------------------------------------
# the per-file time limit, when the library in the way hides the interruption


def _wrapping_extract(path, **kwargs):
    """Like the OCR engine: whatever interrupts it comes out as an error of its own."""
    try:
        time.sleep(60)
    except BaseException as exc:
        raise RuntimeError("inference failed") from exc


def _swallowing_extract(path, **kwargs):
    """Like a parser that catches the exception of each damaged object and goes on to the next: the first
    interruption is swallowed; the time limit must fire again in the code that follows."""
    for _ in range(5):
        try:
            time.sleep(0.2)
        except Exception:
            pass
    time.sleep(60)


@pytest.mark.parametrize("fake", [_wrapping_extract, _swallowing_extract])
def test_time_limit_holds_when_a_library_hides_the_interruption(monkeypatch, fake) -> None:
    import govreport.api
    from govreport.batch import runner

    monkeypatch.setattr(govreport.api, "extract", fake)
    t0 = time.perf_counter()
    outcome = runner.work(str(ROOT / "samples" / "sample-2021.txt"), timeout=0.3)
    assert outcome.error_code == "timeout", outcome
    assert "gave up after 0.3 s" in outcome.error_message
    assert time.perf_counter() - t0 < 30  # interrupted: the fake would sleep 60 s
