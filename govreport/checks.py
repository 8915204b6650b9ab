"""Evaluate the template's rules on a report's cells (勾稽关系, totals, signs).

A failed check is a finding about the document: values stay as printed. Empty cells follow the
template's null_policy: an empty applicant-type cell, table-四 cell or table-二 cell counts as 0; an
empty 总计 in a table-三 result sub-row is "not filled" and is taken as its row's sum.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

from .record import Cell, Check
from .template import CheckDef, TableDef

Number = Union[int, float]
TOLERANCE = 0.005
_UNCERTAIN = {"missing", "ambiguous"}
_EMPTY = {"blank", "placeholder"}


def _result_subrow(table: TableDef, row: str) -> bool:
    try:
        r = table.row(row)
    except KeyError:
        return row == "other_processing"
    return bool(r.parent) and r.key != "total_processed"


def resolve(ref: str, values: Dict[str, Optional[Number]], cells: Dict[str, Cell],
            tables: Dict[str, TableDef]) -> Tuple[Optional[Number], Optional[str]]:
    """A cell's value for checking, or None with the reason it cannot be used."""
    cell = cells.get(ref)
    if cell is None:
        return None, "not printed"
    if cell.status in _UNCERTAIN:
        return None, f"{ref} is {cell.status}"
    if cell.status in _EMPTY:
        table_key, row, col = ref.split(".")
        table = tables.get(table_key)
        if table is not None and table_key == "applications" and col == "total" and _result_subrow(table, row):
            parts = [resolve(f"{table_key}.{row}.{c.key}", values, cells, tables)[0]
                     for c in table.row(row).columns if c.key != "total"] if row != "other_processing" else []
            if parts and all(p is not None for p in parts):
                return sum(parts), None  # type: ignore[arg-type]
            return None, f"{ref} not filled"
        return 0, None
    return values.get(ref), None


def _side(terms, values, cells, tables) -> Tuple[Optional[Number], List[str]]:
    total: Number = 0
    why: List[str] = []
    for t in terms:
        v, reason = resolve(t.ref, values, cells, tables)
        if v is None:
            why.append(reason or t.ref)
        else:
            total += t.sign * v
    return (None if why else total), why


def _round(v: Optional[Number]) -> Optional[Number]:
    if isinstance(v, float):
        r = round(v, 6)
        return int(r) if r.is_integer() and abs(r) < 1e15 else r
    return v


def evaluate(checks: Sequence[CheckDef], values: Dict[str, Optional[Number]], cells: Dict[str, Cell],
             tables: Dict[str, TableDef]) -> List[Check]:
    out: List[Check] = []
    for c in checks:
        if c.op == "cells":
            out.append(_per_cell(c, values, cells, tables))
            continue
        refs = c.refs
        if c.cross_year:
            out.append(Check(id=c.id, expr=c.expr, severity=c.severity, status="not_assessable",
                             cells=[r for r in refs if not r.startswith("prev.")],
                             note="needs the same body's report of the previous year (govreport batch)"))
            continue
        if any(r not in cells for r in refs):
            continue  # a row this report's table does not have
        lhs, why_l = _side(c.lhs, values, cells, tables)
        rhs, why_r = _side(c.rhs, values, cells, tables)
        if lhs is None or rhs is None:
            out.append(Check(id=c.id, expr=c.expr, severity=c.severity, status="not_assessable",
                             lhs=_round(lhs), rhs=_round(rhs), cells=refs, note="; ".join(why_l + why_r)))
            continue
        if c.op == "==":
            ok = abs(lhs - rhs) <= TOLERANCE
        elif c.op == ">=":
            ok = lhs >= rhs - TOLERANCE
        else:
            ok = lhs <= rhs + TOLERANCE
        out.append(Check(id=c.id, expr=c.expr, severity=c.severity, status="pass" if ok else "fail",
                         lhs=_round(lhs), rhs=_round(rhs), cells=refs))
    return out


def _per_cell(c: CheckDef, values, cells, tables) -> Check:
    """Sign and integrality of every cell of the table."""
    table = tables.get(c.table)
    bad: List[str] = []
    if table is not None:
        for row in table.data_rows:
            for col in row.columns:
                ref = f"{c.table}.{row.key}.{col.key}"
                v = values.get(ref)
                if v is None:
                    continue
                if v < 0 and not col.allows_negative:
                    bad.append(ref)
                elif isinstance(v, float) and not col.allows_decimal and not v.is_integer():
                    bad.append(ref)
    return Check(id=c.id, expr=c.expr, severity=c.severity, status="fail" if bad else "pass", cells=bad)
