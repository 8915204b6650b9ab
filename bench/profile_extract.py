"""Profile ``govreport.extract`` with cProfile: where the time goes, and whose code it is.

    python bench/profile_extract.py                          # the corpus PDFs, 200 generated texts, 30 PDFs
    python bench/profile_extract.py FILE... --top 25
    python bench/profile_extract.py --generated-text 300 --generated-pdf 50 --no-corpus

Each group (every corpus PDF alone, then the generated text reports as a tab grid, those with
run-together cells, then the generated PDFs) is
extracted once untimed (imports, caches), then profiled. Printed per group: the wall time under the
profiler, the own time (tottime) summed by package (pdfminer and pdfplumber are the PDF library's own
work; govreport is ours), the top functions by cumulative time, and the top govreport functions by own
time. cProfile slows Python code by roughly 1.5-2x; compare shares, not absolute times.
Not a test. Findings are written up in bench/PROFILE.md.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_batch import _generator  # noqa: E402
from run import default_pdfs  # noqa: E402

PACKAGES = ("pdfminer", "pdfplumber", "govreport", "pydantic", "pydantic_core", "charset_normalizer")


def package_of(filename: str) -> str:
    parts = Path(filename).parts
    for pkg in PACKAGES:
        if pkg in parts:
            return pkg
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"  # C functions: str methods, re's C engine, len, sorted ...
    return "stdlib/other"


def _name(func: Tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    p = Path(filename)
    for pkg in PACKAGES:
        if pkg in p.parts:
            return f"{'/'.join(p.parts[p.parts.index(pkg):])}:{line}({name})"
    return f"{p.name}:{line}({name})"


def profile(label: str, paths: Sequence[Path], top: int) -> Dict:
    import govreport

    def run_all() -> None:
        for p in paths:
            govreport.extract(p)

    run_all() if len(paths) <= 3 else govreport.extract(paths[0])  # warm-up
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(run_all)
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    own: Dict[str, float] = {}
    for func, (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        own[package_of(func[0])] = own.get(package_of(func[0]), 0.0) + tt
    total = sum(own.values())
    print(f"\n== {label}: {len(paths)} file(s), {wall:.2f} s under cProfile "
          f"({wall / len(paths) * 1000:.0f} ms per file)")
    print("   own time by package: " + ", ".join(f"{k} {v / total:.0%}" for k, v in
                                                  sorted(own.items(), key=lambda kv: -kv[1])))
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # type: ignore[attr-defined]
    rows = [r for r in rows if not r[0][0].endswith("profile_extract.py")]
    whole = rows[0][1][3] if rows else 1.0  # govreport.extract's cumulative time: the 100%
    print(f"   top {top} by cumulative time (s, share of all extract time, calls):")
    for func, (_cc, nc, _tt, ct, _callers) in rows[:top]:
        print(f"     {ct:7.3f} {ct / whole:4.0%}  {nc:>8}  {_name(func)}")
    ours = sorted(((f, v) for f, v in stats.stats.items() if package_of(f[0]) == "govreport"),  # type: ignore
                  key=lambda kv: -kv[1][2])
    print(f"   top {min(top, 12)} govreport functions by own time (tottime s, cumulative s):")
    for func, (_cc, nc, tt, ct, _callers) in ours[:min(top, 12)]:
        print(f"     {tt:7.3f} {ct:7.3f}  {nc:>8}  {_name(func)}")
    return {"label": label, "files": len(paths), "wall": wall, "own": own}


def generate(folder: Path, n_text: int, n_pdf: int) -> Tuple[List[Path], List[Path]]:
    gen = _generator()
    builders: Tuple[Callable, ...] = (gen.build_2021, gen.build_2021_runtogether, gen.build_2019)
    texts, pdfs = [], []
    for i in range(n_text):
        text, _ = builders[i % len(builders)](seed=5000 + i)
        p = folder / f"t{i:04d}.txt"
        p.write_text(text, "utf-8")
        texts.append(p)
    for i in range(n_pdf):
        p = folder / f"p{i:04d}.pdf"
        p.write_bytes(gen.render_pdf(gen.make_report_2021(seed=7000 + i)))
        pdfs.append(p)
    return texts, pdfs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="Files to profile one by one (default: the corpus PDFs).")
    ap.add_argument("--no-corpus", action="store_true", help="No corpus PDFs (only FILEs and generated ones).")
    ap.add_argument("--generated-text", type=int, default=200)
    ap.add_argument("--generated-pdf", type=int, default=30)
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args(argv)
    files = list(args.files) or ([] if args.no_corpus else [p for p in default_pdfs() if p.parent.name == "docs"])
    for f in files:
        profile(f.name, [f], args.top)
    with tempfile.TemporaryDirectory() as tmp:
        texts, pdfs = generate(Path(tmp), args.generated_text, args.generated_pdf)
        grid = [p for i, p in enumerate(texts) if i % 3 != 1]
        flat = [p for i, p in enumerate(texts) if i % 3 == 1]
        if grid:
            profile("generated text reports, tab grid (2021 and 2019 formats)", grid, args.top)
        if flat:
            profile("generated text reports, run-together cells (crawler dump)", flat, args.top)
        if pdfs:
            profile("generated PDF reports (render_pdf, varied numbers)", pdfs, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
