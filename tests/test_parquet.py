"""batch --format parquet: the dataset read back with pyarrow, pandas and DuckDB equals the records; row
groups per chunk of records; --resume adds only what is new; a folder that is not a dataset is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from batch_tasks import write_reports

pa = pytest.importorskip("pyarrow")
import pyarrow.dataset as ds  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from govreport.export import ParquetDataset, cell_column, wide_cells  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPECS = [("云溪县人民政府", 2022), ("云溪县人民政府", 2023), ("青山县人民政府", 2023), ("溪口镇人民政府", 2022),
         ("云溪县交通运输局", 2023)]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple:
    """The same folder as JSON Lines and as a Parquet dataset (one broken input)."""
    tmp = tmp_path_factory.mktemp("pq")
    d = tmp / "reports"
    write_reports(d, SPECS)
    (d / "empty.txt").write_bytes(b"")
    jsonl, out = tmp / "out.jsonl", tmp / "dataset"
    assert run_cli("batch", str(d), "-o", str(jsonl), "--jobs", "1").returncode == 7
    r = run_cli("batch", str(d), "--format", "parquet", "-o", str(out), "--jobs", "1")
    assert r.returncode == 7, r.stderr
    records = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    return d, out, records


def _table(out: Path, name: str):
    return ds.dataset(str(out / name), format="parquet", partitioning="hive").to_table()


def test_reports_one_row_per_input_with_every_cell(batch) -> None:
    _, out, records = batch
    import pandas as pd

    reports = pd.read_parquet(out / "reports")
    assert len(reports) == len(SPECS) + 1
    assert sorted(reports["year"].astype(int).tolist()) == [0, 2022, 2022, 2023, 2023, 2023]
    err = reports[reports["status"] == "error"].iloc[0]
    assert err["path"].endswith("empty.txt") and err["error_code"] == "empty_input" and int(err["year"]) == 0
    for rec in (r for r in records if "error" not in r):
        row = reports[reports["sha256"] == rec["source"]["sha256"]].iloc[0]
        assert row["issuer"] == rec["report"]["issuer"] and int(row["year"]) == rec["report"]["year"]
        assert row["unit_type"] == rec["unit"]["unit_type"] and bool(row["unit_guessed"]) is True
        assert row["checks"] == len(rec["checks"]) and row["issues"] == len(rec["issues"])
        for t, r, c in wide_cells():
            want = rec["tables"].get(t, {}).get(r, {}).get(c)
            got = row[cell_column(t, r, c)]
            assert (want is None and pd.isna(got)) or got == want, (t, r, c)
    assert set(reports.loc[reports["issuer"] == "溪口镇人民政府", "unit_type"]) == {"town_street"}


def test_cells_checks_issues_sections_equal_the_records(batch) -> None:
    _, out, records = batch
    cells, checks, sections = (_table(out, n).to_pylist() for n in ("cells", "checks", "sections"))
    ok = [r for r in records if "error" not in r]
    assert len(cells) == sum(len(r["cells"]) for r in ok)
    assert len(checks) == sum(len(r["checks"]) for r in ok)
    assert len(sections) == sum(len(r["sections"]) for r in ok)
    by_key = {(c["sha256"], c["table"], c["row"], c["column"]): c for c in cells}
    for rec in ok:
        sha = rec["source"]["sha256"]
        for ref, cell in rec["cells"].items():
            t, r, c = ref.split(".")
            got = by_key[(sha, t, r, c)]
            assert got["status"] == cell["status"] and got["raw"] == cell["raw"] and got["page"] == cell["page"]
            assert got["value"] == rec["tables"][t][r][c] and got["year"] == rec["report"]["year"]
    assert {c["status"] for c in checks} <= {"pass", "fail", "not_assessable"}
    assert len(pq.read_schema(next((out / "cells").rglob("*.parquet"))).names) == 9  # year is in the path only


def test_duckdb_applications_per_year_and_level(batch) -> None:
    duckdb = pytest.importorskip("duckdb")
    _, out, records = batch
    got = duckdb.sql(
        f"SELECT year, unit_type, count(*) AS n, sum(applications__new_received__total) AS received "
        f"FROM read_parquet('{out}/reports/**/*.parquet', hive_partitioning = true) WHERE status <> 'error' "
        f"GROUP BY year, unit_type ORDER BY year, unit_type").fetchall()
    want: dict = {}
    for r in (r for r in records if "error" not in r):
        key = (r["report"]["year"], r["unit"]["unit_type"])
        n, s = want.get(key, (0, 0))
        want[key] = (n + 1, s + r["tables"]["applications"]["new_received"]["total"])
    assert [(y, t, n, s) for y, t, n, s in got] == [(y, t, n, s) for (y, t), (n, s) in sorted(want.items())]
    cross = duckdb.sql(f"SELECT issuer, year, prev_year FROM read_parquet('{out}/cross_year_checks/**/*.parquet', "
                       f"hive_partitioning = true) GROUP BY ALL").fetchall()
    assert cross == [("云溪县人民政府", 2023, 2022)]


def test_row_groups_per_chunk_and_resume_adds_only_new_inputs(batch, tmp_path: Path) -> None:
    d, _, records = batch
    ok = [r for r in records if "error" not in r and r["report"]["year"] == 2023]
    ds_dir = tmp_path / "chunked"
    w = ParquetDataset(ds_dir, chunk=1)
    for r in ok:
        w.add(r)
    w.close()
    f = next((ds_dir / "reports" / "year=2023").glob("part-*.parquet"))
    assert pq.ParquetFile(f).metadata.num_row_groups == len(ok) == 3
    # --resume: the first run's files stay, only the new input is added
    out = tmp_path / "resumed"
    first = sorted(d.glob("r0[0-2].txt"))
    assert run_cli("batch", *map(str, first), "--format", "parquet", "-o", str(out), "-j", "1").returncode == 0
    r = run_cli("batch", str(d), "--format", "parquet", "-o", str(out), "--resume", "-j", "1")
    assert r.returncode == 7 and "3 skipped (--resume)" in r.stderr, r.stderr
    rows = _table(out, "reports").to_pylist()
    assert len(rows) == len(SPECS) + 1 and len({x["sha256"] for x in rows}) == len(SPECS) + 1
    # without --resume the dataset is replaced, not added to
    assert run_cli("batch", *map(str, first), "--format", "parquet", "-o", str(out), "-j", "1").returncode == 0
    assert len(_table(out, "reports").to_pylist()) == 3


def test_a_folder_that_is_not_a_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    r = run_cli("batch", str(ROOT / "samples" / "sample-2021.txt"), "--format", "parquet", "-o", str(tmp_path / "mine"))
    assert r.returncode == 5 and "not a govreport Parquet dataset" in r.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    r = run_cli("batch", str(ROOT / "samples" / "sample-2021.txt"), "--format", "parquet")
    assert r.returncode == 2 and "needs -o DIR" in r.stderr


def test_the_benchmarks_duckdb_figures_equal_the_records(tmp_path: Path) -> None:
    """bench/bench_executors.py's Parquet step at a small size: its generated bodies of every level and year,
    one batch writing JSON Lines and the dataset, DuckDB's applications received per year and level (one
    query) equal to the same figures from the records."""
    pytest.importorskip("duckdb")
    import importlib.util

    from govreport.batch.inputs import collect
    from govreport.batch.session import BatchOptions, run_batch

    spec = importlib.util.spec_from_file_location("bench_executors", ROOT / "bench" / "bench_executors.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    folder, dataset, jsonl = tmp_path / "reports", tmp_path / "dataset", tmp_path / "out.jsonl"
    folder.mkdir()
    bench.build(folder, 40)
    (folder / "empty.txt").write_bytes(b"")
    ds_ = ParquetDataset(dataset, chunk=7)
    with open(jsonl, "wb") as out:
        s = run_batch(collect([str(folder)]), BatchOptions(jobs=1, fmt="parquet"), stream=out, sink=ds_.add)
    ds_.close(s.cross_year, s.hierarchy, s.year_on_year)
    assert (s.ok + s.needs_review + s.failed_checks, s.failed) == (40, 1)
    got = [tuple(r) for r in bench.received_per_year_and_level(dataset)]
    assert got == bench.received_from_records(jsonl)
    assert {t for _, t, _, _ in got} == {"county", "city", "town_street", "department"}
    assert {y for y, _, _, _ in got} == {2019, 2020, 2021, 2022, 2023, 2024}
    # computed here once more, straight from the records
    records = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    total = sum(r["tables"]["applications"]["new_received"]["total"] for r in records if "error" not in r)
    assert sum(x for _, _, _, x in got) == total and sum(n for _, _, n, _ in got) == 40
