#!/usr/bin/env python3
"""Planted faults on generated reports: how often each kind is found by the review, and how often a clean
report raises no finding at all (the issue's target: >= 95 % each, over 200 reports).

    python bench/review_faults.py [--n 200] [--json FILE]

A figure, not a test (tests/test_review.py runs the same on fewer seeds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import review_faults as rf  # noqa: E402

from govreport.review import review  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    hits: Counter = Counter()
    misses: dict = {}
    clean_with_findings = Counter()
    t0 = time.perf_counter()
    for seed in range(args.n):
        prev, this = rf.make_pair(seed)
        prev_r = rf.extract_text(rf.render(prev), "prev.txt")
        clean = review(rf.extract_text(rf.render(this)), prev_r)["findings"]
        if clean:
            clean_with_findings.update(f["code"] for f in clean)
        hits["clean"] += not clean
        for kind, plant in rf.KINDS.items():
            text, expect = plant(this, seed)
            ok = rf.found(review(rf.extract_text(text))["findings"], expect)
            hits[kind] += ok
            if not ok:
                misses.setdefault(kind, []).append(seed)
        text, expect = rf.plant_wrong_template(seed)
        ok = rf.found(review(rf.extract_text(text))["findings"], expect)
        hits["wrong_template"] += ok
        text, expect = rf.plant_copied(prev, this, seed)
        ok = rf.found(review(rf.extract_text(text), prev_r)["findings"], expect)
        hits["copied"] += ok
        broken, check = rf.break_chain(prev, this, seed)
        f = review(rf.extract_text(rf.render(this)), rf.extract_text(rf.render(broken), "prev.txt"))["findings"]
        hits["chain_break"] += any(x["code"] == "cross_year_check_failed" and x["evidence"]["check"] == check
                                   for x in f)
    out = {"n": args.n, "rates": {k: hits[k] / args.n for k in sorted(hits)}, "misses": misses,
           "clean_findings": dict(clean_with_findings), "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
    return 0 if all(v >= 0.95 for v in out["rates"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
