"""The hard checks of template.json, evaluated on a truth (gold) dict with the template's null policy.

Read from the project's ``govreport/data/template.json`` as a plain file (the package is not imported):
``for_each`` expanded, ``a + b == c + d`` expressions over cell references. Null policy (template
conventions): an empty cell is 0, except an empty 总计 of a table-三 result sub-row, which is "not filled"
and taken as its row's sum.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "govreport" / "data" / "template.json"
_REF = re.compile(r"^(active_disclosure|applications|review_litigation)\.([a-z0-9_]+)\.([a-z0-9_]+)$")
MAIN_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")


@lru_cache(maxsize=None)
def template() -> Dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def _expand(constraint: Dict[str, Any]):
    exprs = [(constraint["id"], constraint["expr"], [])]
    for name, values in (constraint.get("for_each") or {}).items():
        exprs = [(cid, e.replace("{%s}" % name, v), tags + [v]) for cid, e, tags in exprs for v in values]
    for cid, expr, tags in exprs:
        yield (cid + "".join("[%s]" % t for t in tags)), expr


def _value(tables: Dict[str, Any], ref: str) -> float:
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError("not a cell reference: %r" % ref)
    table, row, col = m.groups()
    value = tables[table][row][col]
    if value is not None:
        return value
    if table == "applications" and col == "total" and row not in MAIN_ROWS:
        return sum(v or 0 for k, v in tables[table][row].items() if k != "total")
    return 0


def failing_checks(tables: Dict[str, Any], version: str) -> List[str]:
    """Ids (with their for_each value, e.g. ``applications_balance[total]``) of the hard checks that fail."""
    out = []
    for constraint in template()["versions"][version]["constraints"]:
        if constraint["severity"] != "hard" or constraint.get("scope") == "per_cell":
            continue
        for cid, expr in _expand(constraint):
            left, right = expr.split("==")
            lhs = sum(_value(tables, t) for t in left.split("+"))
            rhs = sum(_value(tables, t) for t in right.split("+"))
            if abs(lhs - rhs) > 0.005:
                out.append(cid)
    return out


def per_cell_failures(tables: Dict[str, Any], version: str) -> List[str]:
    """Cells that break the per-cell rules: negative (except the signed 本年增/减), or a non-integer count."""
    bad = []
    for table, rows in tables.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                if v is None:
                    continue
                if v < 0 and col != "change_this_year":
                    bad.append("%s.%s.%s" % (table, row, col))
                if isinstance(v, float) and col not in ("fee_amount", "procurement_total_amount"):
                    bad.append("%s.%s.%s" % (table, row, col))
    return bad


def data_rows(version: str, table: str) -> List[Dict[str, Any]]:
    tdef = template()["versions"][version]["tables"][table]
    if table == "active_disclosure":
        return [dict(r, block=b) for b in tdef["blocks"] for r in b["rows"] if r.get("kind", "data") == "data"]
    return [r for r in tdef["rows"] if r.get("kind", "data") == "data"]


def row_def(version: str, key: str) -> Optional[Dict[str, Any]]:
    for r in template()["versions"][version]["tables"]["applications"]["rows"]:
        if r["key"] == key:
            return r
    return None
