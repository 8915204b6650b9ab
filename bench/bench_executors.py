"""Benchmark: the Dask executor (a LocalCluster of --jobs workers) against the process pool (--jobs workers)
on generated reports, the client's own peak memory at a small and a large size, then the large batch to
Parquet, DuckDB's "applications received per year and level" against the records, and the summary page.

    python bench/bench_executors.py --quick                       # ~200 + 50 files, one run each: does it work
    python bench/bench_executors.py --reports 1000 --small 100    # a modest size
    python bench/bench_executors.py --reports 10000 --small 1000 --runs 2 --parquet --summary   # the issue's
    python bench/bench_executors.py --reports 1000 --small 200 --task-size 1,4,16   # inputs per Dask task

Targets (issue 16): Dask's files/s within 10 % of the pool's; the client's peak memory grows < 50 MB from the
small to the large size. The reports are generated text reports (``samples/make_samples.py``: the 2021
grid and run-together renderings and the 2019 grid, ``--pdf-every K`` adds a copy of the PDF sample every K
files), for bodies of every level (county, city, town, department), four consecutive years each, so that the
cross-year checks, the Parquet partitions and the summary have something to show.

Every measurement runs ``run_batch`` in a fresh child process, so that its ``ru_maxrss`` is the client's own
peak (the pool's and the cluster's workers are other processes), with the JSON Lines written to a file as
the command would. Pool and Dask alternate (pool first in odd runs, Dask first in even ones), and each
figure is the median over ``--runs``. files/s is over the batch itself (the local cluster's start is given
apart). CPU is given as the workers' user+sys seconds (each worker process reports its own with each outcome;
with Dask this includes the worker's start) and the client's (with a LocalCluster, its scheduler runs in
the client process): it depends less on other load than the wall time; "without the starts" leaves out
each worker's first task (a Dask worker imports the pipeline then; a pool's workers are forked from a
server that has) and the client's imports and the cluster's start, the cost per file of a long batch. Not a test: a measurement
for the README and the issue's closing note.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from govreport.batch.inputs import collect
from govreport.batch.session import BatchOptions, run_batch
folder, executor, jobs, jsonl, parquet = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
executor, _, size = executor.partition(":")  # dask:K = K inputs per Dask task
paths = collect([folder])
t0 = time.perf_counter()
start = 0.0
opts = BatchOptions(jobs=jobs, executor=executor, fmt="parquet" if parquet != "-" else "jsonl",
                    task_size=int(size or 1))
cluster = None
if executor == "dask":
    from govreport.batch.executors import local_cluster
    cluster = local_cluster(jobs)
    opts.scheduler = cluster.scheduler_address
    start = time.perf_counter() - t0
sink = ds = None
if parquet != "-":
    from govreport.export import ParquetDataset
    ds = ParquetDataset(Path(parquet))
    sink = ds.add
first = {}  # pid -> its CPU seconds after its first task (a Dask worker's imports and start included)

def progress(o):
    if o.pid is not None and o.cpu_s is not None:
        first.setdefault(o.pid, o.cpu_s)

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

t1 = time.perf_counter()
c1 = cpu()
with open(jsonl, "wb") as out:
    s = run_batch(paths, opts, stream=out, sink=sink, progress=progress)
if ds is not None:
    ds.close(s.cross_year, s.hierarchy, s.year_on_year)
t2 = time.perf_counter()
c2 = cpu()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if cluster is not None:
    cluster.close()
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"files": len(paths), "records": s.ok + s.needs_review + s.failed_checks, "failed": s.failed, "seconds": t2 - t1, "start": start,
                  "client_peak_mib": peak, "client_cpu": me.ru_utime + me.ru_stime,
                  "worker_cpu": sum(s.worker_cpu_s.values()), "client_batch_cpu": c2 - c1,
                  "worker_cpu_after_first": sum(s.worker_cpu_s[p] - first[p] for p in first),
                  "worker_first_tasks": len(first)}))
"""

LEVELS = ("县人民政府", "市人民政府", "镇人民政府", "县交通运输局")
SYLLABLES = "青山云溪白石长河东平南岭北江西林安宁永和清源丰华兴隆金沙玉泉新桥古城德阳广福临川"


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def body(k: int) -> str:
    """The k-th invented body: a two-character place name and a level."""
    n = len(SYLLABLES)
    place = SYLLABLES[(k // len(LEVELS)) % n] + SYLLABLES[(k // len(LEVELS) // n + k) % n]
    return place + LEVELS[k % len(LEVELS)]


def build(folder: Path, n: int, pdf_every: int = 0) -> Dict[str, int]:
    """``n`` generated reports in ``folder``: body ``i // 4``, year 2021 + ``i % 4`` (2021 format, grid or run
    together) or, every fifth body, 2019 + ``i % 2`` (2019 format)."""
    gen = _generator()
    pdf = (ROOT / "samples" / "sample-2021.pdf").read_bytes()
    counts = {"pdf": 0, "txt": 0}
    for i in range(n):
        if pdf_every and i % pdf_every == 0:
            (folder / f"r{i:05d}.pdf").write_bytes(pdf + f"\n% copy {i}\n".encode())
            counts["pdf"] += 1
            continue
        k = i // 4
        if k % 5 == 4:
            text, _ = gen.build_2019(seed=1000 + i)
            text = text.replace("云溪县交通运输局", body(k)).replace("2020年", f"{2019 + i % 2}年")
        else:
            text, _ = (gen.build_2021 if i % 2 else gen.build_2021_runtogether)(seed=1000 + i)
            text = text.replace("云溪县人民政府", body(k)).replace("2023年", f"{2021 + i % 4}年")
        (folder / f"r{i:05d}.txt").write_text(text, "utf-8")
        counts["txt"] += 1
    return counts


def measure(folder: Path, executor: str, jobs: int, jsonl: Path, parquet: str = "-") -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(folder), executor, str(jobs), str(jsonl), parquet], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{executor} on {folder}: exit {r.returncode}\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def received_per_year_and_level(dataset: Path) -> List[Tuple]:
    """DuckDB, one query over the dataset: (year, unit_type, reports, applications received)."""
    import duckdb

    return duckdb.sql(
        f"SELECT year, unit_type, count(*) AS reports, sum(applications__new_received__total) AS received "
        f"FROM read_parquet('{dataset}/reports/**/*.parquet', hive_partitioning = true) "
        f"WHERE status <> 'error' GROUP BY year, unit_type ORDER BY year, unit_type").fetchall()


def received_from_records(jsonl: Path) -> List[Tuple]:
    """The same figures from the JSON Lines records (an error line counts nowhere; a null total adds nothing)."""
    acc: Dict[Tuple, List] = defaultdict(lambda: [0, None])
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if "error" in rec:
                continue
            key = (rec["report"].get("year") or 0, rec["unit"]["unit_type"])
            acc[key][0] += 1
            v = rec["tables"].get("applications", {}).get("new_received", {}).get("total")
            if v is not None:
                acc[key][1] = (acc[key][1] or 0) + v
    # DuckDB's order: year, then level with nulls last
    return [(y, t, n, s) for (y, t), (n, s) in sorted(acc.items(), key=lambda kv: (kv[0][0], kv[0][1] is None,
                                                                                   kv[0][1] or ""))]


def _median(values: List[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=1000, help="the large size (default 1000; the issue: 10000)")
    ap.add_argument("--small", type=int, default=100, help="the small size, for the client's memory growth")
    ap.add_argument("--jobs", type=int, default=2, help="pool workers = Dask workers (default 2)")
    ap.add_argument("--runs", type=int, default=1, help="alternating runs of each executor per size (median)")
    ap.add_argument("--task-size", default="1",
                    help="inputs per Dask task, or several to compare (e.g. 1,8); default 1: each input a task")
    ap.add_argument("--pdf-every", type=int, default=0, help="a copy of the PDF sample every K files (0: none)")
    ap.add_argument("--parquet", action="store_true",
                    help="also the large batch to Parquet (pool), DuckDB's figures against the records")
    ap.add_argument("--summary", action="store_true", help="also govreport summarize on that Parquet dataset")
    ap.add_argument("--quick", action="store_true", help="200 and 50 files, one run, with --parquet --summary")
    args = ap.parse_args()
    if args.quick:
        args.reports, args.small, args.runs, args.parquet, args.summary = 200, 50, 1, True, True
    print(f"# {args.jobs} workers each; sizes {args.small} and {args.reports}; {args.runs} run(s) each, alternating")
    with tempfile.TemporaryDirectory() as tmp:
        sizes = []
        for n in (args.small, args.reports):
            folder = Path(tmp) / f"reports-{n}"
            folder.mkdir()
            counts = build(folder, n, args.pdf_every)
            sizes.append((n, folder))
            print(f"# built {n} files ({counts['txt']} text, {counts['pdf']} PDF)")
        results: Dict[Tuple[int, str], List[dict]] = defaultdict(list)
        dasks = [f"dask:{k}" if k != "1" else "dask" for k in args.task_size.split(",")]
        for n, folder in sizes:
            for run in range(args.runs):
                order = ["pool", *dasks] if run % 2 == 0 else [*dasks, "pool"]
                for ex in order:
                    m = measure(folder, ex, args.jobs, Path(tmp) / f"out-{ex}-{n}.jsonl")
                    results[(n, ex)].append(m)
                    steady = n - m["worker_first_tasks"]
                    print(f"{ex:6s} {n:6d} files, run {run + 1}: {m['seconds']:8.2f} s "
                          f"({n / m['seconds']:7.1f} files/s), cpu: workers {m['worker_cpu']:7.1f} s, client "
                          f"{m['client_cpu']:6.1f} s; per file after each worker's first task: workers "
                          f"{m['worker_cpu_after_first'] / max(steady, 1) * 1000:5.1f} ms, client over the batch "
                          f"{m['client_batch_cpu'] / n * 1000:5.1f} ms; client peak "
                          f"{m['client_peak_mib']:6.1f} MiB, records {m['records']}, failed {m['failed']}"
                          + (f", cluster start {m['start']:.2f} s" if ex.startswith("dask") else ""), flush=True)
        print("\n# medians")
        rate = {}
        peak = {}
        for n, _ in sizes:
            for ex in ("pool", *dasks):
                ms = results[(n, ex)]
                rate[(n, ex)] = _median([n / m["seconds"] for m in ms])
                peak[(n, ex)] = _median([m["client_peak_mib"] for m in ms])
                cpu = _median([m["worker_cpu"] + m["client_cpu"] for m in ms])
                steady = _median([m["worker_cpu_after_first"] / max(n - m["worker_first_tasks"], 1)
                                  + m["client_batch_cpu"] / n for m in ms])
                print(f"{ex:6s} {n:6d} files: {rate[(n, ex)]:7.1f} files/s, cpu (workers + client) "
                      f"{cpu / n * 1000:6.1f} ms/file ({steady * 1000:5.1f} without the starts), "
                      f"client peak {peak[(n, ex)]:6.1f} MiB")
            for ex in dasks:
                ratio = rate[(n, ex)] / rate[(n, "pool")]
                print(f"{ex}/pool {n:6d} files: {ratio:.3f} (target >= 0.90: {'met' if ratio >= 0.9 else 'NOT met'})")
        small, large = args.small, args.reports
        for ex in ("pool", *dasks):
            growth = (peak[(large, ex)] - peak[(small, ex)]) * 1.048576  # MiB -> MB
            print(f"client peak growth {ex:6s} {small} -> {large} files: {growth:+.1f} MB "
                  f"(target < 50 MB: {'met' if growth < 50 else 'NOT met'})")
        if args.parquet:
            folder = sizes[-1][1]
            dataset, jsonl = Path(tmp) / "dataset", Path(tmp) / "parquet-run.jsonl"
            m = measure(folder, "pool", args.jobs, jsonl, str(dataset))
            size = sum(p.stat().st_size for p in dataset.rglob("*.parquet"))
            print(f"\nparquet {large} files: {m['seconds']:.1f} s, {size / 1024:.0f} KiB "
                  f"({size / large / 1024:.2f} KiB per report), client peak {m['client_peak_mib']:.1f} MiB")
            t0 = time.perf_counter()
            got = received_per_year_and_level(dataset)
            took = time.perf_counter() - t0
            want = received_from_records(jsonl)
            same = [tuple(r) for r in got] == want
            print(f"duckdb: applications received per year and level, one query, {took * 1000:.0f} ms; "
                  f"equal to the records: {'yes' if same else 'NO'}")
            for row in got[:12]:
                print(f"  {row}")
            if not same:
                raise SystemExit(f"DuckDB {got} != records {want}")
            if args.summary:
                page = Path(tmp) / "summary.html"
                t0 = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "govreport", "summarize", str(dataset), "-o", str(page)],
                                   cwd=ROOT, capture_output=True, text=True)
                if r.returncode != 0:
                    raise SystemExit(f"summarize: exit {r.returncode}\n{r.stderr}")
                from govreport.summary.page import FIGURES

                plots = page.read_text("utf-8").count('src="data:image/png;base64,')
                print(f"summarize {large} reports: {time.perf_counter() - t0:.1f} s, {plots} of {len(FIGURES)} "
                      f"plots, page {page.stat().st_size / 1024:.0f} KiB")
                if plots != len(FIGURES):
                    raise SystemExit("a plot is missing from the summary page")


if __name__ == "__main__":
    main()
