"""The README's code blocks, run as written (issue "Everyday use": every command and claim true as written).

Each block runs in a scratch folder that holds the files its commands name (``report.txt``,
``report-2022.pdf``, …: copies of the bundled samples). Blocks that start servers or run for hours (the Dask
cluster, the long fuzz runs) are checked without running them: the scripts exist and take the options shown.
The first block (install and test) is what CI runs (``.ci/run``), so it is checked there, not here.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w*)\n(.*?)```", README, re.S)]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("readme")
    for name, sample in [("report.txt", "sample-2021.txt"), ("report-2023.txt", "sample-2021.txt"),
                         ("report.pdf", "sample-2021.pdf"), ("report-2023.pdf", "sample-2021.pdf"),
                         ("report-2022.pdf", "sample-2021.pdf")]:
        shutil.copy(SAMPLES / sample, d / name)
    (d / "reports").mkdir()
    for name in ("sample-2021.txt", "sample-2019.txt"):
        shutil.copy(SAMPLES / name, d / "reports" / name)
    return d


def _sh(line: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(["bash", "-o", "pipefail", "-c", line], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


def _lines(block: str) -> list:
    out = []
    for line in block.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _blocks(kind: str, needle: str) -> list:
    found = [b for k, b in BLOCKS if k == kind and needle in b]
    assert found, f"no {kind} block holding {needle!r} in the README"
    return found


def test_the_first_block_keeps_exactly_its_two_commands() -> None:
    kind, block = BLOCKS[0]
    assert kind == "sh" and len(_lines(block)) == 2


def test_jq_block_runs(scratch: Path) -> None:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    for line in _lines(_blocks("sh", "| jq")[0]):
        r = _sh(line, scratch)
        assert r.returncode == 0, (line, r.stderr)
    assert (scratch / "record.json").stat().st_size > 0


def test_review_and_compare_block_runs(scratch: Path) -> None:
    for line in _lines(_blocks("sh", "govreport review")[0]):
        if "| jq" in line and shutil.which("jq") is None:
            continue
        r = _sh(line, scratch)
        assert r.returncode == 0, (line, r.stderr)
    assert (scratch / "review.html").read_text("utf-8").startswith("<!")


def test_sqlite_query_runs_on_a_batch_database(scratch: Path) -> None:
    r = _sh("govreport batch reports/ --db corpus.sqlite -q", scratch)
    assert r.returncode == 0, r.stderr
    query = next(b for k, b in BLOCKS if k == "sql" and "FROM cells c JOIN reports r" in b)
    with sqlite3.connect(scratch / "corpus.sqlite") as db:
        rows = db.execute(query).fetchall()
    assert len(rows) == 2 and all(isinstance(v, int) for _, _, v in rows)


def test_parquet_queries_name_real_columns(scratch: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    r = _sh("govreport batch reports/ --format parquet -o corpus/ -q", scratch)
    assert r.returncode == 0, r.stderr
    block = next(b for k, b in BLOCKS if k == "sql" and "read_parquet" in b)
    try:
        import duckdb
    except ImportError:  # without DuckDB: every column the queries name is in its table
        reports = set(pq.read_table(scratch / "corpus" / "reports").column_names)
        cells = set(pq.read_table(scratch / "corpus" / "cells").column_names)
        assert {"year", "unit_type", "applications__new_received__total", "status", "issuer", "sha256"} <= reports
        assert {"year", "table", "row", "column", "status", "raw", "sha256"} <= cells
        assert all(w in block for w in ("applications__new_received__total", "unit_type", "hive_partitioning"))
        return
    con = duckdb.connect()
    cwd = os.getcwd()
    os.chdir(scratch)
    try:
        for statement in filter(str.strip, block.split(";")):
            con.execute(statement).fetchall()
    finally:
        os.chdir(cwd)


def test_units_csv_block_is_a_valid_registry(scratch: Path) -> None:
    block = next(b for k, b in BLOCKS if k == "csv" and b.startswith("unit_id,"))
    (scratch / "units.csv").write_text(block, "utf-8")
    r = _sh("govreport batch reports/ --units units.csv -q", scratch)
    assert r.returncode == 0, r.stderr


def test_python_block_runs(scratch: Path) -> None:
    block = _blocks("python", "govreport.extract")[0]
    r = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=scratch, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert (scratch / "r.csv").stat().st_size > 0


def test_long_running_blocks_name_real_scripts_and_options() -> None:
    """The Dask cluster and the long fuzz runs are not run here: their scripts and options exist."""
    from typer.main import get_command

    from govreport.cli import app

    batch_opts = {o for p in get_command(app).commands["batch"].params for o in p.opts}  # type: ignore[attr-defined]
    dask = _blocks("sh", "dask scheduler")[0]
    for flag in re.findall(r"(?<=\s)(--[a-z-]+)", dask.split("govreport batch", 1)[1]):
        assert flag in batch_opts, flag
    for block in _blocks("sh", "bench/fuzz") + [b for k, b in BLOCKS if k == "sh" and "make_samples" in b]:
        for line in _lines(block):
            m = re.match(r"python (\S+\.py)(.*)", line)
            if not m:
                continue
            script = ROOT / m.group(1)
            assert script.is_file(), script
            for flag in re.findall(r"--[a-z-]+", m.group(2)):
                assert f'"{flag}"' in script.read_text("utf-8"), (script, flag)
    assert "fuzz" in (ROOT / "pyproject.toml").read_text("utf-8")  # pytest -m fuzz: the marker exists
