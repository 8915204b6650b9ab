"""One report status everywhere: a record whose only failure is a soft check has the same ``status`` in JSON,
CSV, XLSX, SQLite (``batch --db``), JSON Lines, Parquet and the corpus summary (``govreport summarize``) —
through the real CLI, on the bundled sample report with one number edited.

Three inputs, so that a constant cannot pass: the sample as printed (``ok``), the sample whose 行政规范性文件
现行有效件数 is smaller than the number issued this year (the soft check ``…_in_force_ge_issued`` fails, no hard
check does: ``needs_review``) and the sample whose 上年结转 total is one too many (hard checks fail:
``failed_checks``).
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "sample-2021.txt"

SOFT_ROW = ("行政规范性文件\t13\t5\t89\n", "行政规范性文件\t13\t5\t9\n")  # in force 9 < issued 13
SOFT_TEXT = ("清理后现行有效89件", "清理后现行有效9件")  # the narrative says the same
HARD_ROW = ("二、上年结转政府信息公开申请数量\t\t\t9\t3\t0\t0\t1\t0\t13\n",
            "二、上年结转政府信息公开申请数量\t\t\t9\t3\t0\t0\t1\t0\t14\n")  # 9+3+0+0+1+0 is 13
WANT = {"ok.txt": "ok", "soft.txt": "needs_review", "hard.txt": "failed_checks"}


def _edited(text: str, *edits: tuple) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old  # the sample changed: update the edit
        text = text.replace(old, new)
    return text


def govreport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("status") / "reports"
    folder.mkdir()
    text = SAMPLE.read_text("utf-8")
    (folder / "ok.txt").write_text(text, "utf-8")
    (folder / "soft.txt").write_text(_edited(text, SOFT_ROW, SOFT_TEXT), "utf-8")
    (folder / "hard.txt").write_text(_edited(text, HARD_ROW), "utf-8")
    return folder


def _by_name(pairs) -> dict:
    return {Path(path).name: status for path, status in pairs}


def test_the_soft_failure_is_the_only_failure(reports: Path) -> None:
    """The premise: soft.txt fails one soft check and nothing else (no hard check, no flagged cell)."""
    r = govreport("extract", str(reports / "soft.txt"))
    assert r.returncode == 0, r.stderr.decode()
    record = json.loads(r.stdout)
    failed = [(c["id"], c["severity"]) for c in record["checks"] if c["status"] == "fail"]
    assert failed == [("active_disclosure_normative_documents_in_force_ge_issued", "soft")]
    assert all(c["status"] in ("ok", "blank", "placeholder") for c in record["cells"].values())
    assert not [i for i in record["issues"] if i["level"] == "error"]


def test_extract_json_and_csv(reports: Path) -> None:
    for name, want in WANT.items():
        r = govreport("extract", str(reports / name))
        assert r.returncode == 0, r.stderr.decode()
        assert json.loads(r.stdout)["status"] == want, name
        r = govreport("extract", str(reports / name), "--format", "csv")
        assert r.returncode == 0, r.stderr.decode()
        rows = list(csv.DictReader(r.stdout.decode("utf-8-sig").splitlines()))
        assert [row["status"] for row in rows] == [want], name


@pytest.fixture(scope="module")
def batch_outputs(reports: Path) -> dict:
    """One batch per output format (JSON Lines with --db, CSV, XLSX, Parquet) over the three reports."""
    out = reports.parent / "out"
    out.mkdir()
    runs = (("out.jsonl", "--db", str(out / "corpus.sqlite")), ("out.csv",), ("out.xlsx",),
            ("pq", "--format", "parquet"))
    for target, *more in runs:
        r = govreport("batch", str(reports), "-o", str(out / target), *more, "--jobs", "1")
        assert r.returncode == 0, (target, r.stderr.decode())
    return {"jsonl": out / "out.jsonl", "sqlite": out / "corpus.sqlite", "csv": out / "out.csv",
            "xlsx": out / "out.xlsx", "parquet": out / "pq"}


def test_batch_jsonl_csv_xlsx_sqlite(batch_outputs: dict) -> None:
    from openpyxl import load_workbook

    lines = [json.loads(x) for x in batch_outputs["jsonl"].read_text("utf-8").splitlines() if x.strip()]
    assert _by_name((x["source"]["path"], x["status"]) for x in lines) == WANT
    with open(batch_outputs["csv"], encoding="utf-8-sig", newline="") as f:
        assert _by_name((row["path"], row["status"]) for row in csv.DictReader(f)) == WANT
    sheet = load_workbook(batch_outputs["xlsx"], read_only=True)["summary"]
    head, *rows = list(sheet.iter_rows(values_only=True))
    path, status = head.index("path"), head.index("status")
    assert _by_name((row[path], row[status]) for row in rows) == WANT
    con = sqlite3.connect(batch_outputs["sqlite"])
    try:
        assert _by_name(con.execute("SELECT path, status FROM reports")) == WANT
        stored = _by_name((json.loads(rec)["source"]["path"], json.loads(rec)["status"])
                          for (rec,) in con.execute("SELECT record FROM reports"))
        assert stored == WANT  # the record the database keeps says the same as its column
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["jsonl", "sqlite", "parquet"])
def test_summary(batch_outputs: dict, kind: str) -> None:
    """``govreport summarize`` of each corpus kind: each report's status in derived_values, and the counts."""
    pytest.importorskip("matplotlib")
    page = batch_outputs["jsonl"].parent / f"summary-{kind}" / "summary.html"
    page.parent.mkdir()
    r = govreport("summarize", str(batch_outputs[kind]), "-o", str(page))
    assert r.returncode == 0, r.stderr.decode()
    with open(page.with_name("summary.derived_values.csv"), encoding="utf-8-sig", newline="") as f:
        assert _by_name((row["path"], row["status"]) for row in csv.DictReader(f)) == WANT
    assert '<p id="statuses" data-ok="1" data-needs_review="1" data-failed_checks="1">' in page.read_text("utf-8")
