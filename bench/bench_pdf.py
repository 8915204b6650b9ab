"""Benchmark: govreport.extract on a PDF against pdfplumber's bare extract_text of every page, and against
poppler's ``pdftotext`` when it is installed.

Runs alternate in one process (warm caches for both) and the medians are compared:

    python bench/bench_pdf.py ../shared/corpus/docs/huaian-2024.pdf --runs 15
    python bench/bench_pdf.py ../shared/corpus/docs/*.pdf --runs 9 --batch 200

Also, per file: the PDFium engine against ``pdftotext -layout`` and the pdfplumber engine (``engines``);
whole processes, ``govreport extract`` against ``pdftotext -layout``, by CPU time (``processes``); and
``govreport batch`` over generated PDFs on 1 and 2 workers (``pdf_batch``).

``pdftotext`` runs as a subprocess (``pdftotext FILE -``), so its time includes starting the program.
Not a test: a measurement whose figure goes into release notes. ``bench/run.py`` imports ``compare``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence


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


def _pdftotext_layout(path: Path) -> None:
    subprocess.run(["pdftotext", "-layout", str(path), "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)


def engines(path: Path, runs: int, with_pdftotext: Optional[bool] = None) -> Dict:
    """Per file, alternating in one process (after one warm-up each): ``govreport.extract`` with PDFium (the
    default), ``pdftotext -layout`` as a process, ``govreport.extract`` with the pdfplumber engine. Medians
    in seconds, wall and CPU (``*_cpu``: this process's, or the child's own from its rusage), which a
    busy machine inflates less; ``ratio_pdftotext`` = PDFium extract / pdftotext (``_cpu``: by CPU),
    ``ratio_pdfplumber`` = pdfplumber / PDFium."""
    import govreport

    if with_pdftotext is None:
        with_pdftotext = shutil.which("pdftotext") is not None
    def layout(p: Path) -> float:  # pdftotext's own CPU seconds (rusage of the child)
        return _process(["pdftotext", "-layout", str(p), "-"])["cpu"]

    contenders: Dict[str, Callable[[Path], object]] = {"pdfium": lambda p: govreport.extract(p)}
    if with_pdftotext:
        contenders["pdftotext_layout"] = layout
    contenders["pdfplumber"] = lambda p: govreport.extract(p, pdf_engine="pdfplumber")
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    cpu: Dict[str, List[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn(path)
    for _ in range(runs):
        for name, fn in contenders.items():
            t0, c0 = time.perf_counter(), time.process_time()
            child = fn(path)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(child if isinstance(child, float) else time.process_time() - c0)
    result: Dict = {"file": path.name, "runs": runs}
    result.update({name: statistics.median(t) for name, t in times.items()})
    result.update({name + "_cpu": statistics.median(t) for name, t in cpu.items()})
    result["ratio_pdfplumber"] = result["pdfplumber"] / result["pdfium"]
    if with_pdftotext:
        result["ratio_pdftotext"] = result["pdfium"] / result["pdftotext_layout"]
        result["ratio_pdftotext_cpu"] = result["pdfium_cpu"] / result["pdftotext_layout_cpu"]
    return result


def engines_line(r: Dict) -> str:
    text = f"{r['file']}: govreport.extract (PDFium) {r['pdfium'] * 1000:.0f} ms ({r['pdfium_cpu'] * 1000:.0f} ms CPU)"
    if "pdftotext_layout" in r:
        text += (f", pdftotext -layout {r['pdftotext_layout'] * 1000:.0f} ms ({r['pdftotext_layout_cpu'] * 1000:.0f} ms "
                 f"CPU): ratio {r['ratio_pdftotext']:.1f} wall, {r['ratio_pdftotext_cpu']:.1f} CPU")
    return text + (f", pdfplumber engine {r['pdfplumber'] * 1000:.0f} ms ({r['ratio_pdfplumber']:.1f}x PDFium)"
                   f" (median of {r['runs']})")


def _process(cmd: List[str]) -> Dict[str, float]:
    """Wall and CPU (user + system) seconds of one process, from its own rusage (``wait4``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}")
    return {"wall": time.perf_counter() - t0, "cpu": usage.ru_utime + usage.ru_stime}


def govreport_cmd() -> List[str]:
    script = Path(sys.executable).parent / "govreport"
    return [str(script)] if script.exists() else [sys.executable, "-m", "govreport"]


def processes(path: Path, runs: int, with_pdftotext: Optional[bool] = None) -> Dict:
    """Whole processes, alternating: ``govreport extract FILE`` and ``pdftotext -layout FILE -`` (median CPU
    and wall seconds); and the start-up cost: in fresh processes, the first ``extract`` minus the second."""
    if with_pdftotext is None:
        with_pdftotext = shutil.which("pdftotext") is not None
    cmds = {"govreport": govreport_cmd() + ["extract", str(path)]}
    if with_pdftotext:
        cmds["pdftotext_layout"] = ["pdftotext", "-layout", str(path), "-"]
    got: Dict[str, List[Dict[str, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            got[k].append(_process(cmd))
    result: Dict = {"file": path.name, "runs": runs}
    for k, vals in got.items():
        result[f"{k}_cpu"] = statistics.median(v["cpu"] for v in vals)
        result[f"{k}_wall"] = statistics.median(v["wall"] for v in vals)
    probe = ("import sys, time; import govreport; p = sys.argv[1]; t = time.process_time(); govreport.extract(p); "
             "a = time.process_time() - t; t = time.process_time(); govreport.extract(p); "
             "print(a, time.process_time() - t)")
    deltas = []
    for _ in range(max(3, runs // 2)):
        out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
        first, second = map(float, out.stdout.split())
        deltas.append(first - second)
    result["first_minus_second_cpu"] = statistics.median(deltas)
    return result


def processes_line(r: Dict) -> str:
    text = f"{r['file']}: govreport extract {r['govreport_cpu']:.2f} s CPU ({r['govreport_wall']:.2f} s wall)"
    if "pdftotext_layout_cpu" in r:
        text += (f", pdftotext -layout {r['pdftotext_layout_cpu']:.3f} s CPU ({r['pdftotext_layout_wall']:.3f} s "
                 f"wall)")
    return text + (f"; first extract in a fresh process costs {r['first_minus_second_cpu'] * 1000:+.0f} ms CPU more "
                   f"than the second (median of {r['runs']})")


def _pdf_folder(folder: Path, n: int, gen=None) -> None:
    """``n`` generated PDFs in ``folder``: ``render_pdf`` of the 2021 report with seeds 1..n (varied numbers)."""
    import bench_batch

    gen = gen or bench_batch._generator()
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(1, n + 1):
        (folder / f"g{seed:05d}.pdf").write_bytes(gen.render_pdf(gen.make_report_2021(seed)))


def pdf_batch(n: int, jobs: Sequence[int], runs: int) -> Dict:
    """``govreport batch`` over ``n`` generated PDFs (``render_pdf`` of the 2021 report, seeds 1..n), with
    each worker count in ``jobs`` alternately: files/s (median wall) and the workers' peak memory. (No CPU
    time: forkserver workers are not the command's children, their rusage never reaches this process.)"""
    import tempfile

    import bench_batch

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pdfs"
        _pdf_folder(folder, n)
        walls: Dict[int, List[float]] = {j: [] for j in jobs}
        peaks: Dict[int, float] = {}
        for _ in range(runs):
            for j in jobs:
                r = bench_batch.run(folder, j)
                walls[j].append(r["wall"])
                peaks[j] = max(peaks.get(j, 0.0), r["peak_max_mib"])
    out: Dict = {"files": n, "runs": runs, "per_jobs": {}}
    for j in jobs:
        wall = statistics.median(walls[j])
        out["per_jobs"][j] = {"wall_s": wall, "files_per_s": n / wall, "peak_per_worker_mib": peaks[j]}
    if len(jobs) > 1:
        out["speedup"] = out["per_jobs"][jobs[-1]]["files_per_s"] / out["per_jobs"][jobs[0]]["files_per_s"]
    return out


def pdf_batch_line(r: Dict) -> str:
    parts = [f"{j} worker{'s' if j > 1 else ''} {v['files_per_s']:.1f} files/s (peak {v['peak_per_worker_mib']:.0f} "
             f"MiB per worker)" for j, v in r["per_jobs"].items()]
    sp = f", speed-up {r['speedup']:.2f}x" if "speedup" in r else ""
    return f"{r['files']} generated PDFs: " + ", ".join(parts) + sp + f" (median of {r['runs']})"


def pdf_memory(sizes: Sequence[int], jobs: int) -> Dict:
    """The workers' peak memory over folders of generated PDFs of each size (the smaller ones the first
    files of the largest), ``govreport batch --jobs JOBS``; growth from the first size to the last."""
    import tempfile

    import bench_batch

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "all"
        _pdf_folder(full, max(sizes))
        files = sorted(full.iterdir())
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            for f in files[:n]:
                os.link(f, folder / f.name)  # the same files, no copies
            res = bench_batch.run(folder, jobs)
            res.update(files=n, pdf=n)
            results.append(res)
    growth = results[-1]["peak_max_mib"] - results[0]["peak_max_mib"]
    return {"jobs": jobs, "pdf_every": 1, "sizes": results, "growth_mib": growth,
            "growth_pct": 100 * growth / results[0]["peak_max_mib"]}


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
    ap.add_argument("--batch", type=int, default=0, metavar="N",
                    help="Also time govreport batch over N generated PDFs on 1 and 2 workers (e.g. 200).")
    ap.add_argument("--batch-runs", type=int, default=1)
    args = ap.parse_args(argv)
    use_poppler = not args.no_pdftotext and pdftotext_version() is not None
    if not args.no_pdftotext and not use_poppler:
        print("pdftotext not installed")
    for path in args.pdf:
        print(line(compare(path, args.runs, use_poppler)))
        print(engines_line(engines(path, args.runs, use_poppler)))
        print(processes_line(processes(path, args.runs, use_poppler)))
    if args.batch:
        print(pdf_batch_line(pdf_batch(args.batch, (1, 2), args.batch_runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
