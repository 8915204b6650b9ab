"""Benchmark: what the batch's parent (the client) keeps per file, without the extraction's cost.

A few generated reports are extracted once; ``run_batch`` then runs in a fresh child process over ``--files``
virtual inputs whose "extraction" hands back one of those records with the body renamed (a copy per
``--seed`` generated reports: every virtual body has four consecutive years, as in bench_executors.py), in
this process (``--jobs 1``: the parent's own work only). It prints the child's peak RSS and CPU per file at
each size, and the growth from the smallest to the largest; ``--out DIR`` keeps each size's JSON Lines (to
compare two versions of the code byte for byte: run it with ``PYTHONPATH`` set to the other checkout);
``GOVREPORT_BENCH_TRACEMALLOC=N`` prints what the child still holds at the end (N frames per allocation).

    python bench/bench_client_memory.py --quick                 # 500 and 2 000 virtual files
    python bench/bench_client_memory.py --files 1000 10000      # the issue's sizes (a few minutes)

Not a test: a measurement of the parent's memory (issue 16: the client's peak grows < 50 MB from 1 000 to
10 000 files). The executors' own costs are bench_executors.py's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import hashlib, json, os, resource, sys, time
from pathlib import Path
from govreport.batch import executors, runner
from govreport.batch.session import BatchOptions, patch_jsonl, run_batch
base, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
offsets = [int(x) for x in Path(base + ".idx").read_text().split()]
src = open(base, "rb")

def fake(path, strict=False, timeout=None, limits=None):
    i = int(Path(path).stem[1:])
    src.seek(offsets[i % len(offsets)])
    rec = json.loads(src.readline())
    copy = i // len(offsets)
    rec["report"]["issuer"] = f"第{copy}" + (rec["report"]["issuer"] or "")
    rec["source"]["path"] = path
    rec["source"]["sha256"] = hashlib.sha256(path.encode()).hexdigest()
    return runner.Outcome(path, rec["source"]["sha256"], json.dumps(rec, ensure_ascii=False))

executors.work = fake
paths = [Path(f"/virtual/r{i:06d}.txt") for i in range(n)]
trace = os.environ.get("GOVREPORT_BENCH_TRACEMALLOC")
if trace:
    import tracemalloc
    tracemalloc.start(int(trace))
t0 = time.process_time()
with open(out, "wb") as stream:
    s = run_batch(paths, BatchOptions(jobs=1), stream=stream)
patch_jsonl(Path(out), s)  # the cross-year results into the records, as the command does
cpu = time.process_time() - t0
if trace:
    for st in tracemalloc.take_snapshot().statistics("traceback")[:8]:
        sys.stderr.write(f"{st.size / 2**20:7.2f} MiB {st.count:7d}\n  " + "\n  ".join(st.traceback.format()) + "\n")
    sys.stderr.write(f"traced peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB\n")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"files": n, "records": s.ok + s.needs_review + s.failed_checks, "cross_year": len(s.cross_year),
                  "duplicates": len(s.duplicates), "peak_mib": peak, "cpu_s": cpu}))
"""


def base_records(folder: Path, seed: int) -> Path:
    """``seed`` generated reports extracted once, as JSON Lines, with an index of line offsets beside them."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_executors import build

    from govreport.api import extract

    reports = folder / "reports"
    reports.mkdir()
    build(reports, seed)
    base = folder / "base.jsonl"
    offsets = []
    with open(base, "wb") as f:
        for p in sorted(reports.iterdir()):
            offsets.append(f.tell())
            f.write(extract(p).model_dump_json(by_alias=True).encode() + b"\n")
    Path(str(base) + ".idx").write_text(" ".join(map(str, offsets)))
    return base


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, nargs="+", default=[1000, 10000], help="sizes (default 1000 10000)")
    ap.add_argument("--seed", type=int, default=40, help="generated reports extracted for real (default 40)")
    ap.add_argument("--out", type=Path, help="keep each size's JSON Lines here (out-N.jsonl)")
    ap.add_argument("--quick", action="store_true", help="500 and 2 000 files")
    args = ap.parse_args()
    if args.quick:
        args.files = [500, 2000]
    with tempfile.TemporaryDirectory() as tmp:
        base = base_records(Path(tmp), args.seed)
        peaks = []
        for n in args.files:
            out = (args.out or Path(tmp)) / f"out-{n}.jsonl"
            out.parent.mkdir(parents=True, exist_ok=True)
            r = subprocess.run([sys.executable, "-c", CHILD, str(base), str(n), str(out)], capture_output=True,
                               text=True)
            if r.returncode != 0:
                raise SystemExit(f"{n} files: exit {r.returncode}\n{r.stderr[-3000:]}")
            m = json.loads(r.stdout.strip().splitlines()[-1])
            sys.stderr.write(r.stderr)
            peaks.append(m["peak_mib"])
            print(f"{n:7d} files: peak {m['peak_mib']:7.1f} MiB, cpu {m['cpu_s'] / n * 1000:5.2f} ms/file, "
                  f"records {m['records']}, cross-year checks {m['cross_year']}, duplicates {m['duplicates']}",
                  flush=True)
        growth = (peaks[-1] - peaks[0]) * 1.048576
        print(f"peak growth {args.files[0]} -> {args.files[-1]} files: {growth:+.1f} MB")


if __name__ == "__main__":
    main()
