"""Extract a generated document with govreport and score it against its truth (tests/scoring.py).

The only module of the package that imports govreport: the generator itself never does.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

from . import make

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for scoring
from scoring import score  # noqa: E402


@dataclass
class Outcome:
    seed: int
    fmt: str
    cells: int
    right: int
    flagged: int
    silent: List[Tuple[str, Any, Any]]
    variant: Dict[str, Any]
    error: str = ""
    seconds: float = 0.0
    wrong_flagged: List[Tuple[str, Any, Any, str]] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return {"seed": self.seed, "format": self.fmt, "cells": self.cells, "right": self.right,
                "flagged": self.flagged, "silent": [list(s) for s in self.silent], "error": self.error,
                "seconds": round(self.seconds, 3), "variant": self.variant}


def run_one(seed: int, fmt: str, folder: Path) -> Outcome:
    import govreport

    name, data, doc = make(seed, fmt)
    path = Path(folder) / name
    path.write_bytes(data)
    gold = doc.truth
    total = sum(len(c) for rows in gold["tables"].values() for c in rows.values())
    t0 = time.perf_counter()
    try:
        record = govreport.extract(path).to_dict()
    except Exception as exc:  # a failure to read is scored as every cell missing and flagged
        return Outcome(seed, fmt, total, 0, total, [], doc.variant, error="%s: %s" % (type(exc).__name__, exc),
                       seconds=time.perf_counter() - t0)
    finally:
        try:
            path.unlink()
        except OSError:
            pass
    seconds = time.perf_counter() - t0
    s = score(record, gold)
    return Outcome(seed, fmt, s.total, s.right, s.flagged, s.silent, doc.variant, seconds=seconds,
                   wrong_flagged=s.wrong_flagged)
