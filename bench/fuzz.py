"""The long fuzz run: every ``fuzz``-marked property test, sharded over the cores, with a case count.

    python bench/fuzz.py --scale 5 --jobs 2          # about 10^5 cases; ~30 min on 2 cores

Each shard is ``pytest -m fuzz`` over the property files with its own ``--hypothesis-seed`` and
``GOVREPORT_FUZZ_SCALE = scale / jobs``; at scale 1 one pass runs about 23 000 cases (tests/fuzzing.py, the
sizes are in the tests). The count is hypothesis's own (``--hypothesis-show-statistics``: passing, failing
and invalid cases of every phase). A failure is a finding: its falsifying example, shrunk by hypothesis, is in
the shard's log; make it an ``@example`` and a regression test. Writes the logs and a JSON summary to
``--out`` (default ``bench/out/fuzz``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["tests/test_property.py", "tests/test_readers_fuzz.py", "tests/test_budget_property.py"]
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid")
_TEST = re.compile(r"^(tests/\S+::\S+):$", re.M)


def shard(seed: int, scale: float, log: Path, extra: list) -> subprocess.Popen:
    env = dict(os.environ, GOVREPORT_FUZZ_SCALE=str(scale), PYTHONHASHSEED="0")
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "fuzz", "-p", "no:cacheprovider",
           f"--hypothesis-seed={seed}", "--hypothesis-show-statistics", *extra, *FILES]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def counts(text: str) -> dict:
    """{test: [passing, failing, invalid]} from hypothesis's statistics in a pytest log."""
    out: dict = {}
    marks = [(m.start(), m.group(1)) for m in _TEST.finditer(text)]
    for m in _COUNTS.finditer(text):
        owner = [name for pos, name in marks if pos < m.start()]
        if not owner:
            continue
        c = out.setdefault(owner[-1], [0, 0, 0])
        for i in range(3):
            c[i] += int(m.group(i + 1))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=5.0, help="multiple of the tests' fuzz sizes, all shards")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=int(time.time()), help="first shard's hypothesis seed")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fuzz")
    ap.add_argument("-k", default=None, help="only the fuzz tests matching this pytest -k expression")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    extra = ["-k", args.k] if args.k else []
    t0 = time.perf_counter()
    procs = []
    for i in range(args.jobs):
        log = args.out / f"shard-{i}.log"
        procs.append((args.seed + i, log, shard(args.seed + i, args.scale / args.jobs, log, extra)))
    codes = [p.wait() for _, _, p in procs]
    wall = time.perf_counter() - t0
    per_test: dict = {}
    for _, log, _ in procs:
        for name, c in counts(log.read_text("utf-8", "replace")).items():
            t = per_test.setdefault(name, [0, 0, 0])
            for i in range(3):
                t[i] += c[i]
    total = [sum(c[i] for c in per_test.values()) for i in range(3)]
    summary = {
        "seeds": [s for s, _, _ in procs], "scale": args.scale, "jobs": args.jobs, "wall_s": round(wall, 1),
        "cases": total[0] + total[1], "passing": total[0], "failing": total[1], "invalid": total[2],
        "pytest_exit_codes": codes, "per_test": per_test,
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), "utf-8")
    for name, (ok, bad, _invalid) in sorted(per_test.items()):
        print(f"{ok + bad:>8} cases {bad:>3} failing  {name}")
    print(f"{summary['cases']} cases ({total[1]} failing) in {wall / 60:.1f} min on {args.jobs} processes, "
          f"seeds {summary['seeds']}; pytest exit codes {codes}; logs in {args.out}")
    return 0 if all(c == 0 for c in codes) and total[1] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
