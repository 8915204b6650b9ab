"""The long layout run: generated reports (tests/layoutgen) in every format, extracted and scored.

    python bench/fuzz_layouts.py --count 10000 --jobs 2 --seed 0      # ~10 000 documents

Document ``i`` of the run is seed ``--seed + i`` rendered as format ``FORMATS[i % 5]`` (pdf, pdftotext
-layout text, -raw text, html, docx), so a run covers every format evenly and any document is reproduced
from its seed and format alone (``tests/layoutgen``: ``make(seed, fmt)``). Prints documents, cells, right,
flagged and silent (wrong with status ok), in total, per format and per layout dimension (each value of
each ``variant`` key), and writes every document with a silent cell or an extraction error, its seed,
format, variant and the wrong cells, to ``--out`` (default ``bench/out/fuzz_layouts.json``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from layoutgen import FORMATS  # noqa: E402
from layoutgen.evaluate import run_one  # noqa: E402

_DIR = None


def _init() -> None:
    global _DIR
    if os.environ.get("FUZZ_PDF_ENGINE"):  # measure one PDF engine (the default otherwise)
        from govreport.readers import pdf
        pdf.DEFAULT_ENGINE = os.environ["FUZZ_PDF_ENGINE"]
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    _DIR = tempfile.mkdtemp(prefix="fuzz_layouts_")


def _stop(signum, frame):
    raise KeyboardInterrupt()


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _job(args):
    seed, fmt, limit = args
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        return run_one(seed, fmt, Path(_DIR)).as_dict()
    except _Timeout:
        return {"seed": seed, "format": fmt, "cells": 0, "right": 0, "flagged": 0, "silent": [], "seconds": limit,
                "error": "timeout: over %d s" % limit, "variant": {}}
    finally:
        signal.alarm(0)


def dimensions(variant: dict):
    """(dimension, value) pairs of a variant, lists and dicts flattened (``zeros_per_table.t3=-``)."""
    for key, value in variant.items():
        if isinstance(value, dict):
            for k, v in value.items():
                yield "%s.%s" % (key, k), str(v)
        elif isinstance(value, list):
            for v in value or ["none"]:
                yield key, str(v)
        else:
            yield key, str(value)


def _blank():
    return {"documents": 0, "cells": 0, "right": 0, "flagged": 0, "silent": 0, "silent_docs": 0, "errors": 0,
            "extract_s": 0.0}


def tally(results):
    """(total, per format, per (dimension, value, format), failing documents) of a list of results."""
    total, per_format, per_dim = _blank(), defaultdict(_blank), defaultdict(_blank)
    failing = []
    for r in results:
        keys = [total, per_format[r["format"]]] + [per_dim[(d, v, r["format"])] for d, v in dimensions(r["variant"])]
        for acc in keys:
            acc["documents"] += 1
            acc["cells"] += r["cells"]
            acc["right"] += r["right"]
            acc["flagged"] += r["flagged"]
            acc["silent"] += len(r["silent"])
            acc["silent_docs"] += bool(r["silent"])
            acc["errors"] += bool(r["error"])
            acc["extract_s"] += r["seconds"]
        if r["silent"] or r["error"]:
            failing.append(r)
    failing.sort(key=lambda r: (r["format"], r["seed"]))
    return total, dict(per_format), per_dim, failing


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10000, help="documents in all (spread over the formats)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first document")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset of %s" % ",".join(FORMATS))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fuzz_layouts.json")
    ap.add_argument("--top", type=int, default=40, help="dimension values listed, worst first")
    ap.add_argument("--limit", type=int, default=120, help="seconds per document before it counts as an error")
    ap.add_argument("--pdf-engine", default="", help="PDF engine to read the PDFs with (default: the library's)")
    args = ap.parse_args(argv)
    if args.pdf_engine:
        os.environ["FUZZ_PDF_ENGINE"] = args.pdf_engine
    formats = [f for f in args.formats.split(",") if f]
    work = [(args.seed + i, formats[i % len(formats)], args.limit) for i in range(args.count)]
    partial = args.out.with_suffix(".partial.json")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results = []
    pool = multiprocessing.Pool(args.jobs, initializer=_init)
    signal.signal(signal.SIGTERM, _stop)  # kill PID (or Ctrl-C): stop and summarise what is done
    signal.signal(signal.SIGINT, _stop)
    try:
        for n, r in enumerate(pool.imap_unordered(_job, work, chunksize=4), 1):
            results.append(r)
            if n % 500 == 0:
                print("  %d/%d documents, %.0f s" % (n, len(work), time.perf_counter() - t0), file=sys.stderr)
                total, per_format, _, failing = tally(results)
                partial.write_text(json.dumps({"done": n, "total": total, "per_format": per_format,
                                               "failing": failing}, ensure_ascii=False), "utf-8")
        pool.close()
    except KeyboardInterrupt:  # interrupted: the summary of the documents done
        print("interrupted after %d documents" % len(results), file=sys.stderr)
        pool.terminate()
    pool.join()
    wall = time.perf_counter() - t0
    total, per_format, per_dim, failing = tally(results)

    def line(name, a):
        acc = a["right"] / a["cells"] if a["cells"] else 1.0
        return ("%-46s %7d docs %9d cells %9d right %7d flagged %6d silent (%d docs) %4d errors  %6.2f %%  %.2f s/doc"
                % (name, a["documents"], a["cells"], a["right"], a["flagged"], a["silent"], a["silent_docs"],
                   a["errors"], 100 * acc, a["extract_s"] / max(1, a["documents"])))

    print(line("all", total))
    for fmt in formats:
        print(line("format=" + fmt, per_format.get(fmt, _blank())))
    print("dimension values whose documents get silent cells most often (share of documents with a silent "
          "cell, against the format's share), per format:")

    def lift(item):
        (d, v, fmt), a = item
        base = per_format[fmt]["silent_docs"] / max(1, per_format[fmt]["documents"])  # fmt seen: a is not empty
        return a["silent_docs"] / max(1, a["documents"]) - base

    ranked = sorted((kv for kv in per_dim.items() if kv[1]["silent_docs"] >= 2 and kv[1]["documents"] >= 5),
                    key=lambda kv: (-lift(kv), kv[0]))
    for (d, v, fmt), a in ranked[:args.top]:
        print(line("%s=%s [%s]" % (d, v, fmt), a))
    print("%d documents in %.1f min on %d processes; %d with a silent cell or an error -> %s"
          % (len(results), wall / 60, args.jobs, len(failing), args.out))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"count": len(results), "seed": args.seed, "jobs": args.jobs, "wall_s": round(wall, 1),
               "formats": formats, "total": total, "per_format": per_format,
               "per_dimension": {"%s=%s [%s]" % k: v for k, v in sorted(per_dim.items())}, "failing": failing}
    args.out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    return 0 if total["silent"] == 0 and total["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
