"""Work per document grows near-linearly with its size: ``govreport.extract`` on 1x..64x inputs.

    python bench/bench_scaling.py [--quick] [--json FILE]

Three ways to grow the bundled sample report (samples/sample-2021.txt), each by a factor k:

- ``prose``: the text of section 一 printed k times (a long report);
- ``rows``: every table-三 row run together (``640020470``) and the block printed k times (the cutting, the
  readings and the label chain over k times the rows);
- ``pages``: the whole report printed k times (k times every heading, label and table).

For each, the CPU time (user+sys of this process, the best of a few rounds, the sizes alternated in each
round) per size, and the ratio of the 64x time to the 1x time (the target: at most 100). ``--quick`` runs
1x, 8x and 64x once each. A figure, not a test: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import hostile  # noqa: E402

TARGET = 100.0


def _prose(k: int) -> str:
    text = hostile.sample_text()
    a = text.index("一、总体情况")
    b = text.index("二、主动公开政府信息情况")
    body = text[a + len("一、总体情况"):b]
    return text[:b] + body * (k - 1) + text[b:]


def _rows(k: int) -> str:
    return hostile.runtogether_rows(k)


def _pages(k: int) -> str:
    return "\f\n".join([hostile.sample_text()] * k)


KINDS: Dict[str, Callable[[int], str]] = {"prose": _prose, "rows": _rows, "pages": _pages}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def measure(sizes: List[int], rounds: int) -> Dict[str, Dict[int, float]]:
    import govreport

    out: Dict[str, Dict[int, float]] = {k: {} for k in KINDS}
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for kind, make in KINDS.items():
            for k in sizes:
                p = Path(d) / f"{kind}-{k}.txt"
                p.write_text(make(k), "utf-8")
                paths[kind, k] = p
        govreport.extract(paths["prose", sizes[0]])  # warm up: imports, the template
        for _ in range(rounds):
            for kind in KINDS:
                for k in sizes:
                    t = _cpu()
                    govreport.extract(paths[kind, k])
                    spent = _cpu() - t
                    out[kind][k] = min(out[kind].get(k, float("inf")), spent)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1x, 8x and 64x, one round")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    sizes = [1, 8, 64] if args.quick else [1, 2, 4, 8, 16, 32, 64]
    started = time.time()
    figures = measure(sizes, 1 if args.quick else 3)
    ok = True
    report = {}
    for kind, per in figures.items():
        ratio = per[sizes[-1]] / max(per[1], 1e-3)
        ok &= ratio <= TARGET
        chars = len(KINDS[kind](1))
        print(f"{kind:6} " + "  ".join(f"{k}x {per[k] * 1000:7.0f} ms" for k in sizes)
              + f"   {sizes[-1]}x/1x = {ratio:5.1f} ({'ok' if ratio <= TARGET else 'over'} the target {TARGET:g};"
              f" 1x = {chars} characters)")
        report[kind] = {"cpu_seconds": {str(k): v for k, v in per.items()}, "ratio": ratio}
    print(f"({time.time() - started:.0f} s in all; CPU time of this process, best of the rounds)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), "utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
