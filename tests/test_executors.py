"""The batch executors: the Dask executor gives the pool's records, a worker that dies loses only its task
(retried once, alone), --resume redoes only what failed, the time limit holds outside the main thread."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from batch_tasks import PLANTED, dies_on_planted, dies_once_on_planted, write_reports
from govreport.batch import executors
from govreport.batch.inputs import collect
from govreport.batch.session import BatchOptions, run_batch

ROOT = Path(__file__).resolve().parent.parent
SPECS = [("云溪县人民政府", 2022), ("云溪县人民政府", 2023), ("青山县人民政府", 2023), ("溪口镇人民政府", 2023),
         ("云溪县交通运输局", 2023), ("云溪经济开发区管理委员会", 2023)]


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    c = executors.local_cluster(2)
    yield c
    c.close()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    write_reports(d, SPECS)
    (d / "empty.txt").write_bytes(b"")
    (d / "random.pdf").write_bytes(bytes(range(256)) * 16)
    return d


def _lines(out: io.BytesIO) -> list:
    return sorted(out.getvalue().decode("utf-8").splitlines())


@pytest.mark.parametrize("task_size", [1, 3])
def test_dask_gives_the_pools_json_lines(cluster, corpus: Path, task_size: int) -> None:
    paths = collect([str(corpus)])
    pool, dask = io.BytesIO(), io.BytesIO()
    s1 = run_batch(paths, BatchOptions(jobs=2), stream=pool)
    s2 = run_batch(paths, BatchOptions(jobs=2, executor="dask", scheduler=cluster.scheduler_address,
                                       task_size=task_size), stream=dask)
    assert _lines(pool) == _lines(dask)
    assert (s2.total, s2.ok, s2.failed) == (s1.total, s1.ok, s1.failed) == (len(SPECS) + 2, len(SPECS), 2)
    recs = [json.loads(x) for x in _lines(dask)]
    errors = {Path(r["source"]["path"]).name: r["error"]["code"] for r in recs if "error" in r}
    assert sorted(errors) == ["empty.txt", "random.pdf"] and errors["empty.txt"] == "empty_input"
    by_name = {Path(r["source"]["path"]).name: r for r in recs if "error" not in r}
    assert by_name["r02.txt"]["report"]["issuer"] == "青山县人民政府"
    # the cross-year check of 云溪县 2022 -> 2023 ran in the parent, as with the pool
    assert s1.cross_year == s2.cross_year and {c["year"] for c in s2.cross_year} == {2023}
    # the workers were the cluster's processes, not this one
    assert s2.worker_peak_rss_mib and os.getpid() not in s2.worker_peak_rss_mib


@pytest.mark.corpus
def test_dask_gives_the_pools_json_lines_on_the_dev_corpus(cluster, corpus_dir: Path, tmp_path: Path) -> None:
    """The issue's test: every document of the dev corpus plus broken files, byte for byte the same sorted
    JSON Lines from a LocalCluster of 2 workers as from the process pool of 2."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "empty.txt").write_bytes(b"")
    (broken / "random.pdf").write_bytes(bytes(range(256)) * 16)
    (broken / "cut.pdf").write_bytes(next((corpus_dir / "docs").glob("*.pdf")).read_bytes()[:3000])
    paths = collect([str(corpus_dir / "docs"), str(broken)])
    pool, dask = io.BytesIO(), io.BytesIO()
    s1 = run_batch(paths, BatchOptions(jobs=2, timeout=600), stream=pool)
    s2 = run_batch(paths, BatchOptions(jobs=2, timeout=600, executor="dask", scheduler=cluster.scheduler_address),
                   stream=dask)
    assert _lines(pool) == _lines(dask)
    assert len(_lines(dask)) == len(paths) and s2.failed == s1.failed >= 3
    assert s1.cross_year == s2.cross_year
    errors = {Path(r["source"]["path"]).name for r in map(json.loads, _lines(dask)) if "error" in r}
    assert {"empty.txt", "random.pdf", "cut.pdf"} <= errors


@pytest.mark.parametrize("task_size", [1, 4])
def test_a_dask_worker_that_dies_loses_only_its_task(cluster, tmp_path: Path, task_size: int) -> None:
    """With several inputs a task, the others of the dead worker's task are retried alone and come back."""
    d = tmp_path / "reports"
    write_reports(d, SPECS)
    (d / f"{PLANTED}.txt").write_text((d / "r00.txt").read_text("utf-8"), "utf-8")
    paths = collect([str(d)])
    with executors.DaskExecutor(scheduler=cluster.scheduler_address, task=dies_on_planted,
                                task_size=task_size) as ex:
        outcomes = list(ex.outcomes(paths))
    assert len(outcomes) == len(paths)
    failed = [o for o in outcomes if not o.ok]
    assert [(Path(o.path).name, o.error_code) for o in failed] == [(f"{PLANTED}.txt", "worker_died")]
    assert "died twice" in failed[0].error_message and failed[0].sha256 is not None
    ok = {Path(o.path).name: json.loads(o.record) for o in outcomes if o.ok}
    assert sorted(ok) == [f"r{i:02d}.txt" for i in range(len(SPECS))]
    assert ok["r03.txt"]["report"]["issuer"] == "溪口镇人民政府"


def test_a_dask_task_whose_worker_dies_once_is_retried(cluster, tmp_path: Path) -> None:
    d = tmp_path / "reports"
    write_reports(d, SPECS[:3])
    (d / f"{PLANTED}.txt").write_text((d / "r02.txt").read_text("utf-8"), "utf-8")
    with executors.DaskExecutor(scheduler=cluster.scheduler_address, task=dies_once_on_planted) as ex:
        outcomes = list(ex.outcomes(collect([str(d)])))
    assert all(o.ok for o in outcomes) and len(outcomes) == 4
    assert (d / f"{PLANTED}.txt.died").exists()  # it did die the first time
    planted = next(json.loads(o.record) for o in outcomes if PLANTED in o.path)
    assert planted["report"]["issuer"] == "青山县人民政府"


def test_a_pool_worker_that_dies_loses_only_its_task(tmp_path: Path) -> None:
    d = tmp_path / "reports"
    write_reports(d, SPECS)
    (d / f"{PLANTED}.txt").write_text((d / "r00.txt").read_text("utf-8"), "utf-8")
    paths = collect([str(d)])
    outcomes = list(executors.PoolExecutor(2, task=dies_on_planted).outcomes(paths))
    assert sorted(Path(o.path).name for o in outcomes) == sorted(p.name for p in paths)
    assert [(Path(o.path).name, o.error_code) for o in outcomes if not o.ok] == [(f"{PLANTED}.txt", "worker_died")]


def test_a_pool_task_whose_worker_dies_once_is_retried_with_those_that_went_down_with_it(tmp_path: Path) -> None:
    d = tmp_path / "reports"
    write_reports(d, SPECS)
    (d / f"{PLANTED}.txt").write_text((d / "r02.txt").read_text("utf-8"), "utf-8")
    paths = collect([str(d)])
    outcomes = list(executors.PoolExecutor(2, task=dies_once_on_planted).outcomes(paths))
    assert all(o.ok for o in outcomes) and sorted(o.path for o in outcomes) == sorted(map(str, paths))
    assert (d / f"{PLANTED}.txt.died").exists()
    planted = next(json.loads(o.record) for o in outcomes if PLANTED in o.path)
    assert planted["report"]["issuer"] == "青山县人民政府"


def test_resume_after_a_dead_worker_redoes_only_that_input(cluster, tmp_path: Path, monkeypatch) -> None:
    from govreport.batch.store import Store

    d = tmp_path / "reports"
    write_reports(d, SPECS[:4])
    (d / f"{PLANTED}.txt").write_text((d / "r01.txt").read_text("utf-8") + "\n（副本）\n", "utf-8")
    paths = collect([str(d)])
    opts = BatchOptions(jobs=2, executor="dask", scheduler=cluster.scheduler_address, resume=True)
    store = Store(tmp_path / "corpus.sqlite")
    monkeypatch.setattr(executors, "_dask_task", dies_on_planted)
    first = run_batch(paths, opts, store=store)
    # (云溪县 2023 fails its carry chain against 2022: needs_review)
    assert (first.ok + first.needs_review, first.failed) == (4, 1) and first.errors[0].error_code == "worker_died"
    monkeypatch.undo()
    out = io.BytesIO()
    second = run_batch(paths, opts, store=store, stream=out)
    assert (second.skipped, second.ok + second.needs_review, second.failed) == (4, 1, 0)
    assert [Path(json.loads(x)["source"]["path"]).name for x in _lines(out)] == [f"{PLANTED}.txt"]
    rows = store.db.execute("SELECT count(*), count(DISTINCT sha256), sum(status = 'error') FROM reports").fetchone()
    store.close()
    assert rows == (5, 5, 0)


def test_cli_batch_on_a_dask_scheduler(cluster, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(corpus), "-o", str(out), "--executor", "dask",
                        "--scheduler", cluster.scheduler_address], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 7, r.stderr
    assert f"{len(SPECS) + 2} inputs, {len(SPECS) - 1} ok, 1 need review, 0 with failed checks, 2 failed" in r.stderr
    assert len(out.read_text("utf-8").splitlines()) == len(SPECS) + 2


def test_without_dask_the_dask_executor_exits_4_with_the_command(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("x", "utf-8")
    code = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None; from govreport.cli import main; "
            f"sys.argv = ['govreport', 'batch', {str(f)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '--executor', 'dask']; "
            "main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 4, r.stderr
    assert r.stderr.strip() == ("govreport: error: --executor dask needs dask.distributed "
                                "(pip install 'govreport[dask]')")
    assert not (tmp_path / "o.jsonl").exists()  # nothing was touched


def test_scheduler_without_dask_executor_is_a_usage_error(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(tmp_path), "--scheduler", "tcp://x:1"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "--scheduler needs --executor dask" in r.stderr


def test_task_size_without_dask_executor_is_a_usage_error(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(tmp_path), "--task-size", "4"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "--task-size needs --executor dask" in r.stderr


def test_time_limit_outside_the_main_thread(monkeypatch) -> None:
    """A Dask worker runs tasks in a thread, where SIGALRM cannot be used: the watchdog thread keeps the limit,
    also against a library that swallows the first interruption."""
    import govreport.api
    from govreport.batch import runner

    def swallowing(path, **kwargs):
        for _ in range(5):
            try:
                time.sleep(0.2)
            except Exception:
                pass
        for _ in range(1200):  # 60 s in steps (the watchdog's exception lands between two)
            time.sleep(0.05)

    monkeypatch.setattr(govreport.api, "extract", swallowing)
    result = {}
    t = threading.Thread(target=lambda: result.update(o=runner.work(str(ROOT / "samples" / "sample-2021.txt"),
                                                                    timeout=0.3)))
    t0 = time.perf_counter()
    t.start()
    t.join(90)
    assert result["o"].error_code == "timeout", result
    assert time.perf_counter() - t0 < 30  # interrupted: the fake would take 61 s
    monkeypatch.undo()
    ok = {}
    t = threading.Thread(target=lambda: ok.update(o=runner.work(str(ROOT / "samples" / "sample-2021.txt"), timeout=30)))
    t.start()
    t.join(30)
    assert ok["o"].ok
    time.sleep(0.1)  # no stray interruption arrives later in that thread's life
