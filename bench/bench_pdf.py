"""Benchmark: govreport.extract on a PDF against pdfplumber's bare extract_text of every page.

Runs alternate in one process (warm caches for both) and the medians are compared:

    python bench/bench_pdf.py ../shared/corpus/docs/huaian-2024.pdf --runs 15

Not a test: a measurement whose figure goes into release notes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def bare(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()


def ours(path: Path) -> None:
    import govreport

    govreport.extract(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args(argv)
    for path in args.pdf:
        bare(path), ours(path)  # warm-up: imports, template, font caches
        t_bare, t_ours = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            bare(path)
            t1 = time.perf_counter()
            ours(path)
            t2 = time.perf_counter()
            t_bare.append(t1 - t0)
            t_ours.append(t2 - t1)
        mb, mo = statistics.median(t_bare), statistics.median(t_ours)
        print(f"{path.name}: extract_text {mb * 1000:.0f} ms, govreport.extract {mo * 1000:.0f} ms, "
              f"ratio {mo / mb:.2f} (median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
