"""Cell-by-cell scoring of a record against a gold file (the corpus README's definition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple


@dataclass
class Score:
    right: int = 0
    flagged: int = 0
    silent: List[Tuple[str, Any, Any]] = field(default_factory=list)
    wrong_flagged: List[Tuple[str, Any, Any, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.flagged + len(self.silent)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def score(record: Dict[str, Any], gold: Dict[str, Any]) -> Score:
    """right: equal to gold (null = null); flagged: not equal but the record marks the cell; else silent."""
    s = Score()
    named = {i.get("cell") for i in record.get("issues", []) if i.get("cell")}
    for table, rows in gold["tables"].items():
        for row, cols in rows.items():
            for col, expected in cols.items():
                ref = f"{table}.{row}.{col}"
                got = record.get("tables", {}).get(table, {}).get(row, {}).get(col)
                status = record.get("cells", {}).get(ref, {}).get("status")
                if _equal(got, expected):
                    s.right += 1
                elif status not in (None, "ok", "blank", "placeholder") or ref in named or f"{table}.{row}" in named:
                    s.flagged += 1
                    s.wrong_flagged.append((ref, got, expected, str(status)))
                else:
                    s.silent.append((ref, got, expected))
    return s
