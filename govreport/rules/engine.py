"""The rules engine: the template's rules compiled once, and the one evaluator of a rule.

``compile_table`` turns a table's rules (``CheckDef``, from ``template.json``'s constraints) into
``Rule`` objects for the rows a report prints: when it prints, instead of a group of rows, the single row
another template version has for them (``conventions.collapsed_rows``: the 2019 （六）其他处理 in a
2021-format table 三), the rules over the group use that row. The compiled table also knows what an empty
cell means (``conventions.null_policy``, ``values.NullPolicy``).

``evaluate`` is the only place a rule is computed: the record's checks (``checks.py``), the soft ranking of
readings (``tables/from_text.py``) and the cross-year checks (``batch/crossyear.py``) call it; recovery's
propagation (``tables/solve.py``) solves the same rules' ``terms``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from ..template import CheckDef, RowDef, RuleSides, TableDef, Template, Term, strip_list_marker
from .values import EmptyMeans, Number, holds

# a cell's value for a rule, or None with the reason it cannot be used
ValueOf = Callable[[str], Tuple[Optional[Number], Optional[str]]]


@dataclass(frozen=True)
class Rule(RuleSides):
    """One compiled rule: ``lhs op rhs`` over cells (``op`` ``cells``: a per-cell rule of its table)."""

    id: str
    expr: str
    severity: str
    scope: str
    op: str
    lhs: Tuple[Term, ...]
    rhs: Tuple[Term, ...]
    table: str
    # lhs - rhs as (coefficient, cell): the rule as an equation ``sum == 0`` (recovery's propagation)
    terms: Tuple[Tuple[int, str], ...] = ()

    @property
    def hard_equation(self) -> bool:
        """A hard equality within one report: what recovery may use to decide and infer cells."""
        return self.severity == "hard" and self.op == "==" and not self.cross_year


def compile_rule(c: CheckDef, expr: Optional[str] = None, lhs: Optional[Tuple[Term, ...]] = None,
                 rhs: Optional[Tuple[Term, ...]] = None) -> Rule:
    lhs = c.lhs if lhs is None else lhs
    rhs = c.rhs if rhs is None else rhs
    return Rule(c.id, c.expr if expr is None else expr, c.severity, c.scope, c.op, lhs, rhs, c.table,
                _terms(lhs, rhs))


def _terms(lhs: Tuple[Term, ...], rhs: Tuple[Term, ...]) -> Tuple[Tuple[int, str], ...]:
    """``lhs - rhs`` as (coefficient, cell)."""
    return tuple((t.sign, t.ref) for t in lhs) + tuple((-t.sign, t.ref) for t in rhs)


@dataclass(frozen=True)
class Verdict:
    status: str  # pass | fail | not_assessable
    lhs: Optional[Number] = None
    rhs: Optional[Number] = None
    why: Tuple[str, ...] = ()  # why a side has no value


def _side(terms: Sequence[Term], value_of: ValueOf) -> Tuple[Optional[Number], List[str]]:
    total: Number = 0
    why: List[str] = []
    for t in terms:
        v, reason = value_of(t.ref)
        if v is None:
            why.append(reason or t.ref)
        else:
            total += t.sign * v
    return (None if why else total), why


def evaluate(rule: Rule, value_of: ValueOf) -> Verdict:
    """THE evaluation of a comparison rule: both sides summed over the cells' values, compared within the
    tolerance; ``not_assessable`` when a cell has no value."""
    lhs, why_l = _side(rule.lhs, value_of)
    rhs, why_r = _side(rule.rhs, value_of)
    if lhs is None or rhs is None:
        return Verdict("not_assessable", lhs, rhs, tuple(why_l + why_r))
    return Verdict("pass" if holds(rule.op, lhs, rhs) else "fail", lhs, rhs)


def values_of(values: Mapping[str, Optional[Number]]) -> ValueOf:
    """A ``ValueOf`` over plain values (None: unknown)."""
    return lambda ref: (values.get(ref), None)


@dataclass(frozen=True)
class CollapsedRow:
    """``row`` (of another template version) printed instead of the data rows under ``stands_for``."""

    table: str
    row: str
    stands_for: str

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> "CollapsedRow":
        return cls(raw["table"], raw["row"], raw["stands_for"])


@dataclass(frozen=True)
class TableRules:
    """A table's rules compiled for the rows a report prints, and what its empty cells mean."""

    table: TableDef
    rows: Tuple[RowDef, ...]  # the template's data rows and the other version's rows printed in the table
    rules: Tuple[Rule, ...]
    empty: Mapping[str, EmptyMeans]  # per cell
    collapsed: Mapping[str, str] = field(default_factory=dict)  # sub-row key -> the printed row standing for it

    def means(self, ref: str) -> EmptyMeans:
        return self.empty.get(ref, EmptyMeans.zero)

    def unfilled_refs(self, refs: Sequence[str]) -> frozenset:
        return frozenset(r for r in refs if self.empty.get(r) is EmptyMeans.unfilled)

    def row_def(self, key: str) -> Optional[RowDef]:
        return next((r for r in self.rows if r.key == key), None)

    def equations(self, present: Sequence[str] | frozenset | set) -> List[Rule]:
        """The hard equalities over cells of this table that are all printed (recovery's equations)."""
        return [r for r in self.rules if r.hard_equation and all(ref in present for ref in r.refs)]

    def soft_order_rules(self) -> List[Rule]:
        """The in-report soft inequalities (plausibility: they rank readings, never decide them)."""
        return [r for r in self.rules if r.severity == "soft" and not r.cross_year and r.op in (">=", "<=")]


def _ancestors(template: Template, version: str, table_key: str, row: RowDef) -> List[str]:
    rows = {r.key: r for r in template.versions[version].tables[table_key].rows}
    out: List[str] = []
    parent = row.parent
    while parent is not None and parent not in out:
        out.append(parent)
        parent = rows[parent].parent if parent in rows else None
    return out


def _substitute(rules: List[Rule], table: TableDef, c: CollapsedRow) -> List[Rule]:
    """The rules that sum the rows under ``c.stands_for`` use the single printed row ``c.row`` instead."""
    subs = {r.key for r in table.data_rows if r.parent == c.stands_for}
    marker = strip_list_marker(table.row(c.stands_for).label)[0]
    out = []
    for rule in rules:
        sub_terms = [t for t in rule.lhs + rule.rhs if t.ref.split(".")[1] in subs]
        if not sub_terms:
            out.append(rule)
            continue
        col = sub_terms[0].ref.split(".")[2]

        def fix(side: Tuple[Term, ...], col: str = col) -> Tuple[Term, ...]:
            new: List[Term] = []
            done = False
            for t in side:
                if t.ref.split(".")[1] not in subs:
                    new.append(t)
                elif not done:
                    new.append(Term(t.sign, f"{table.key}.{c.row}.{col}"))
                    done = True
            return tuple(new)

        lhs, rhs = fix(rule.lhs), fix(rule.rhs)
        out.append(replace(rule, expr=f"{rule.expr} [{marker} printed as one row: {c.row}]", lhs=lhs, rhs=rhs,
                           terms=_terms(lhs, rhs)))
    return out


def compile_table(template: Template, table: TableDef, extra_rows: Sequence[Tuple[RowDef, str]] = (),
                  printed: Optional[Collection[str]] = None) -> TableRules:
    """Compile ``table``'s rules for a report that prints, besides its rows, ``extra_rows`` (each with the
    template version it belongs to). ``printed``: the keys of the table's rows the report prints (None: not
    known); a collapsed row stands for its group only where no row of the group is printed."""
    version = template.versions[table.version]
    rules = [compile_rule(c) for c in version.checks_for(table.key)]
    printed_extra = {r.key for r, _ in extra_rows}
    collapsed: Dict[str, str] = {}
    for c in template.collapsed_rows:
        if c.table != table.key or c.row not in printed_extra or not any(r.key == c.stands_for for r in table.rows):
            continue
        group = [r.key for r in table.data_rows if r.parent == c.stands_for]
        if printed is not None and any(k in printed for k in group):
            continue  # the group's own rows are printed: the other version's row adds nothing to the rules
        rules = _substitute(rules, table, c)
        collapsed.update({k: c.row for k in group})
    policy = template.null_policy
    empty: Dict[str, EmptyMeans] = {}
    for row, v in [(r, table.version) for r in table.data_rows] + list(extra_rows):
        ancestors = _ancestors(template, v, table.key, row)
        for col in row.columns:
            empty[f"{table.key}.{row.key}.{col.key}"] = policy.means(table.key, row.key, col.key, ancestors)
    rows = tuple(table.data_rows) + tuple(r for r, _ in extra_rows)
    return TableRules(table, rows, tuple(rules), empty, collapsed)


_CROSS_YEAR: Dict[int, Tuple[Template, Dict[str, Tuple[Rule, ...]]]] = {}


def cross_year_rules(template: Template) -> Dict[str, Tuple[Rule, ...]]:
    """The cross-year rules of each template version, compiled once per template."""
    hit = _CROSS_YEAR.get(id(template))
    if hit is not None and hit[0] is template:
        return hit[1]
    out = {k: tuple(compile_rule(c) for c in v.checks if c.cross_year) for k, v in template.versions.items()}
    if len(_CROSS_YEAR) > 8:
        _CROSS_YEAR.clear()
    _CROSS_YEAR[id(template)] = (template, out)
    return out
