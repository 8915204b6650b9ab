"""The decision step: a table's cells, checked and judged once.

Recovery (``recover.py``) reads each cell; here every cell of the rows the table prints gets its final
decision: a cell the report does not print is ``missing`` (or points at the one row the report prints for
its group, ``conventions.collapsed_rows``), the table's rules are evaluated over the cells
(``checks.evaluate``, the rules engine), and the trust rule (``trust.TRUST``: reading kind x check outcome)
turns a guess the checks do not confirm ``suspect``. The record (``api``) assembles these decisions and
changes none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

from .. import trust
from ..checks import evaluate
from ..record import CellStatus
from ..rules.values import Number
from .recover import CellResult

if TYPE_CHECKING:
    from .from_text import TableResult


def decide(res: "TableResult") -> None:
    """Fill ``res.cells`` with the final decision of every cell, ``res.checks`` and ``res.trust_issues``."""
    cells = _every_cell(res)
    values: Dict[str, Optional[Number]] = {
        ref: None if d.status == CellStatus.ambiguous else d.value for ref, d in cells.items()}
    res.checks = evaluate(res.rules.rules, values, cells, {res.table.key: res.rules})
    res.trust_issues = trust.apply(cells, res.checks, res.rules.unfilled_refs(list(cells)))
    res.cells = cells


def _every_cell(res: "TableResult") -> Dict[str, CellResult]:
    key = res.table.key
    collapsed = res.rules.collapsed
    out: Dict[str, CellResult] = {}
    for row in res.rules.rows:
        for col in row.columns:
            ref = f"{key}.{row.key}.{col.key}"
            cr = res.cells.get(ref) if res.found else None
            if cr is None:
                out[ref] = CellResult(ref, None, CellStatus.missing, absent=True)
                continue
            if cr.token is None and row.key in collapsed:
                # not printed: the report prints these rows collapsed into one; point at that row
                printed = res.cells.get(f"{key}.{collapsed[row.key]}.{col.key}")
                cr.token = printed.token if printed is not None else None
                cr.note = f"not printed: the report prints one row {collapsed[row.key]} instead"
            out[ref] = cr
    return out
