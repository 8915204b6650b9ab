"""Benchmark: the process pool against the Dask executor (a LocalCluster on this machine), and the client's
own peak memory over a small and a large batch, and the Parquet dataset's size.

    python bench/bench_executors.py --reports 100 --jobs 2
    python bench/bench_executors.py --reports 1000 --small 100 --jobs 2 --parquet

Builds the folder of ``bench_batch.build`` (copies of the PDF sample and generated text reports), then runs
``run_batch`` in a fresh child process per measurement, so that the child's ``ru_maxrss`` is the parent's
(the client's) own peak: the pool's and the cluster's workers are other processes. The Dask figure is given
with and without the cluster's start. Not a test: a measurement for the README.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from govreport.batch.inputs import collect
from govreport.batch.session import BatchOptions, run_batch
folder, executor, jobs, parquet = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
paths = collect([folder])
t0 = time.perf_counter()
start = 0.0
opts = BatchOptions(jobs=jobs, executor=executor, fmt="parquet" if parquet != "-" else "jsonl")
scheduler = None
if executor == "dask":
    from govreport.batch.executors import local_cluster
    cluster = local_cluster(jobs)
    opts.scheduler = cluster.scheduler_address
    start = time.perf_counter() - t0
sink = None
if parquet != "-":
    from govreport.export_parquet import ParquetDataset
    ds = ParquetDataset(Path(parquet))
    sink = ds.add
t1 = time.perf_counter()
with open("/dev/null", "wb") as out:
    s = run_batch(paths, opts, stream=out, sink=sink)
if sink is not None:
    ds.close(s.cross_year, s.hierarchy)
t2 = time.perf_counter()
if executor == "dask":
    cluster.close()
print(json.dumps({"files": len(paths), "ok": s.ok, "failed": s.failed, "seconds": t2 - t1, "start": start,
                  "client_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(folder: Path, executor: str, jobs: int, parquet: str = "-") -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(folder), executor, str(jobs), parquet], cwd=ROOT,
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100)
    ap.add_argument("--small", type=int, default=0, help="also a batch of this many, for the memory growth")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--parquet", action="store_true", help="also write the Parquet dataset and give its size")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("bench_batch", ROOT / "bench" / "bench_batch.py")
    bb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bb)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        big.mkdir()
        bb.build(big, args.reports)
        sizes = [(args.reports, big)]
        if args.small:
            small = Path(tmp) / "small"
            small.mkdir()
            bb.build(small, args.small)
            sizes.insert(0, (args.small, small))
        for n, folder in sizes:
            for ex in ("pool", "dask"):
                m = measure(folder, ex, args.jobs)
                print(f"{ex:5s} {n:6d} files: {m['seconds']:7.2f} s ({n / m['seconds']:6.1f} files/s)"
                      + (f", cluster start {m['start']:.2f} s" if ex == "dask" else "")
                      + f", client peak {m['client_peak_mib']:.1f} MiB, ok {m['ok']}, failed {m['failed']}")
        if args.parquet:
            out = Path(tmp) / "dataset"
            m = measure(big, "pool", args.jobs, str(out))
            size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
            print(f"parquet {args.reports} files: {m['seconds']:.2f} s, {size / 1024:.0f} KiB "
                  f"({size / args.reports / 1024:.1f} KiB per report), client peak {m['client_peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
