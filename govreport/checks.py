"""Evaluate the template's rules on a report's cells (勾稽关系, totals, signs).

A failed check is a finding about the document: values stay as printed. Empty cells mean what the
template's null_policy says (``rules/values.py``): 0, or "not filled" (an empty 总计 in a table-三 result
sub-row), then taken as its row's sum. The arithmetic is the rules engine's (``rules/engine.py``).
"""

from __future__ import annotations

from typing import List, Mapping, Optional, Sequence, Tuple

from .record import Check
from .rules.engine import Rule, TableRules, evaluate as evaluate_rule
from .rules.values import EMPTY, UNCERTAIN, EmptyMeans, HasStatus, Number, tidy_number


def resolve(ref: str, values: Mapping[str, Optional[Number]], cells: Mapping[str, HasStatus],
            tables: Mapping[str, TableRules]) -> Tuple[Optional[Number], Optional[str]]:
    """A cell's value for checking, or None with the reason it cannot be used."""
    cell = cells.get(ref)
    if cell is None:
        return None, "not printed"
    if cell.status in UNCERTAIN:
        return None, f"{ref} is {getattr(cell.status, 'value', cell.status)}"
    if cell.status in EMPTY:
        table_key, row_key, col = ref.split(".")
        rules = tables.get(table_key)
        if rules is None or rules.means(ref) is EmptyMeans.zero:
            return 0, None
        row = rules.row_def(row_key)
        parts = [resolve(f"{table_key}.{row_key}.{c.key}", values, cells, tables)[0]
                 for c in (row.columns if row is not None else ()) if c.key != col]
        if parts and all(p is not None for p in parts):
            return sum(p for p in parts if p is not None), None
        return None, f"{ref} not filled"
    return values.get(ref), None


def evaluate(rules: Sequence[Rule], values: Mapping[str, Optional[Number]], cells: Mapping[str, HasStatus],
             tables: Mapping[str, TableRules]) -> List[Check]:
    """The record's checks: every rule of the report's tables (compiled for the rows it prints)."""
    out: List[Check] = []

    def value_of(ref: str) -> Tuple[Optional[Number], Optional[str]]:
        return resolve(ref, values, cells, tables)

    for c in rules:
        if c.op == "cells":
            out.append(_per_cell(c, values, tables))
            continue
        refs = c.refs
        if c.cross_year:
            out.append(Check(id=c.id, expr=c.expr, severity=c.severity, status="not_assessable",
                             cells=[r for r in refs if not r.startswith("prev.")],
                             note="needs the same body's report of the previous year (govreport batch)"))
            continue
        if any(r not in cells for r in refs):
            continue  # a row this report's table does not have
        v = evaluate_rule(c, value_of)
        out.append(Check(id=c.id, expr=c.expr, severity=c.severity, status=v.status, lhs=tidy_number(v.lhs),
                         rhs=tidy_number(v.rhs), cells=refs, note="; ".join(v.why) if v.why else None))
    return out


def _per_cell(c: Rule, values: Mapping[str, Optional[Number]], tables: Mapping[str, TableRules]) -> Check:
    """Sign and integrality of every cell of the table."""
    rules = tables.get(c.table)
    bad: List[str] = []
    if rules is not None:
        for row in rules.table.data_rows:
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

