"""Benchmark: govreport.extract on a PDF against pdfplumber's bare extract_text of every page, and against
poppler's ``pdftotext`` when it is installed.

Runs alternate in one process (warm caches for both) and the medians are compared:

    python bench/bench_pdf.py ../shared/corpus/docs/huaian-2024.pdf --runs 15

``pdftotext`` runs as a subprocess (``pdftotext FILE -``), so its time includes starting the program.
Not a test: a measurement whose figure goes into release notes. ``bench/run.py`` imports ``compare``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional


def bare(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()


def ours(path: Path) -> None:
    import govreport

    govreport.extract(path)


def pdftotext_version() -> Optional[str]:
    """``pdftotext`` 's version line, or None when it is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    r = subprocess.run([exe, "-v"], capture_output=True, text=True)
    return ((r.stderr or r.stdout).splitlines() or ["pdftotext"])[0].strip()


def poppler(path: Path) -> None:
    subprocess.run(["pdftotext", str(path), "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)


def compare(path: Path, runs: int, with_pdftotext: Optional[bool] = None) -> Dict:
    """Median seconds of each contender over ``runs`` alternating rounds (after one warm-up each).

    ``with_pdftotext=None``: use it when installed. The result has ``extract_text``, ``govreport``,
    ``ratio`` (govreport / extract_text) and, with pdftotext, ``pdftotext`` and ``ratio_pdftotext``.
    """
    if with_pdftotext is None:
        with_pdftotext = shutil.which("pdftotext") is not None
    contenders: Dict[str, Callable[[Path], None]] = {"extract_text": bare, "govreport": ours}
    if with_pdftotext:
        contenders["pdftotext"] = poppler
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up: imports, template, font caches
        fn(path)
    for _ in range(runs):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn(path)
            times[name].append(time.perf_counter() - t0)
    result: Dict = {"file": path.name, "runs": runs}
    result.update({name: statistics.median(t) for name, t in times.items()})
    result["ratio"] = result["govreport"] / result["extract_text"]
    if with_pdftotext:
        result["ratio_pdftotext"] = result["govreport"] / result["pdftotext"]
    return result


def line(r: Dict) -> str:
    text = (f"{r['file']}: extract_text {r['extract_text'] * 1000:.0f} ms, govreport.extract "
            f"{r['govreport'] * 1000:.0f} ms, ratio {r['ratio']:.2f}")
    if "pdftotext" in r:
        text += f"; pdftotext {r['pdftotext'] * 1000:.0f} ms, ratio {r['ratio_pdftotext']:.1f}"
    return text + f" (median of {r['runs']})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--no-pdftotext", action="store_true", help="Skip pdftotext even when it is installed.")
    args = ap.parse_args(argv)
    use_poppler = not args.no_pdftotext and pdftotext_version() is not None
    if not args.no_pdftotext and not use_poppler:
        print("pdftotext not installed")
    for path in args.pdf:
        print(line(compare(path, args.runs, use_poppler)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
