"""Benchmark: `govreport batch` with 1 worker against 2 (or more) on generated reports, and the peak
memory of each worker over a small and a large batch.

    python bench/bench_batch.py --reports 100 --jobs 2 --runs 3
    python bench/bench_batch.py --memory --files-small 10 --files-large 1000 --jobs 2

Builds a folder of reports from the project's own generator (copies of the PDF sample and text
renderings with varied numbers), runs the real command line on it with --jobs 1 and --jobs N
alternately, and prints the median wall times and the speed-up. Every run is made with -v, whose
summary gives each worker process's own peak RSS (``getrusage`` in the worker), so ``--memory``
compares the highest of them over a small and a large folder: a leak shows as growth.
Not a test: a measurement for release notes. ``bench/run.py`` imports ``speedup`` and ``memory``.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent

_PEAKS = re.compile(r"peak memory per worker: ([\d.]+) MiB max, ([\d.]+) MiB min, over (\d+) worker process")


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def build(folder: Path, n: int, pdf_every: int = 2) -> Dict[str, int]:
    """``n`` reports in ``folder``: every ``pdf_every``-th a copy of samples/sample-2021.pdf, the others
    generated text (2021 grid, 2021 run-together, 2019 grid) with varied numbers."""
    gen = _generator()
    pdf = (ROOT / "samples" / "sample-2021.pdf").read_bytes()
    texts = (gen.build_2021, gen.build_2021_runtogether, gen.build_2019)
    counts = {"pdf": 0, "txt": 0}
    for i in range(n):
        if i % pdf_every == 0:
            (folder / f"r{i:05d}.pdf").write_bytes(pdf + f"\n% copy {i}\n".encode())
            counts["pdf"] += 1
        else:
            text, _ = texts[i % len(texts)](seed=1000 + i)
            (folder / f"r{i:05d}.txt").write_text(text, "utf-8")
            counts["txt"] += 1
    return counts


def run(folder: Path, jobs: int) -> Dict:
    """One ``govreport batch FOLDER --jobs N -v``: wall seconds and the workers' peak memory (MiB)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(folder), "--jobs", str(jobs), "-v",
                        "-o", str(folder.parent / f"out-{jobs}.jsonl")], cwd=ROOT, stderr=subprocess.PIPE,
                       text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"batch failed with exit {r.returncode}:\n{r.stderr}")
    m = _PEAKS.search(r.stderr)
    if m is None:
        raise SystemExit(f"no peak memory line in the -v summary:\n{r.stderr}")
    return {"wall": wall, "peak_max_mib": float(m.group(1)), "peak_min_mib": float(m.group(2)),
            "processes": int(m.group(3))}


def speedup(reports: int, jobs: int, runs: int, pdf_every: int = 2) -> Dict:
    """Median wall time of the batch with 1 and with ``jobs`` workers, alternating, on ``reports`` files."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        counts = build(folder, reports, pdf_every)
        one: List[float] = []
        many: List[float] = []
        for _ in range(runs):
            one.append(run(folder, 1)["wall"])
            many.append(run(folder, jobs)["wall"])
    m1, mn = statistics.median(one), statistics.median(many)
    return {"reports": reports, **counts, "jobs": jobs, "runs": runs, "one_worker_s": m1, "n_workers_s": mn,
            "speedup": m1 / mn}


def memory(sizes: List[int], jobs: int, pdf_every: int = 5) -> Dict:
    """The workers' peak memory on a folder of each size (built alike, so a small folder holds the first
    files of a larger one), and the growth from the first size to the last."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            counts = build(folder, n, pdf_every)
            res = run(folder, jobs)
            res.update(files=n, pdf=counts["pdf"])
            results.append(res)
    first, last = results[0], results[-1]
    growth = last["peak_max_mib"] - first["peak_max_mib"]
    return {"jobs": jobs, "pdf_every": pdf_every, "sizes": results, "growth_mib": growth,
            "growth_pct": 100 * growth / first["peak_max_mib"]}


def speedup_line(r: Dict) -> str:
    return (f"{r['reports']} reports ({r['pdf']} PDF, {r['txt']} text): 1 worker {r['one_worker_s']:.2f} s, "
            f"{r['jobs']} workers {r['n_workers_s']:.2f} s, speed-up {r['speedup']:.2f}x (median of {r['runs']})")


def memory_lines(r: Dict) -> List[str]:
    out = [f"{s['files']} files ({s['pdf']} PDF): peak per worker {s['peak_max_mib']:.1f} MiB max, "
           f"{s['peak_min_mib']:.1f} MiB min, {s['processes']} worker processes, {s['wall']:.1f} s"
           for s in r["sizes"]]
    out.append(f"growth {r['growth_mib']:+.1f} MiB ({r['growth_pct']:+.1f}%) with --jobs {r['jobs']}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--memory", action="store_true", help="Measure peak memory per worker instead of speed-up.")
    ap.add_argument("--files-small", type=int, default=10)
    ap.add_argument("--files-large", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.memory:
        for text in memory_lines(memory([args.files_small, args.files_large], args.jobs)):
            print(text)
    else:
        print(speedup_line(speedup(args.reports, args.jobs, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
