"""Choose among row readings with the report's own arithmetic (the hard checks of ``template.json``).

Cells are addressed by reference (``applications.granted.total``). Every hard equality of the table is
an equation over cells. A combination of readings is kept when no equation is violated once the unknown
cells it implies are propagated (a single unknown is solved; unknowns that must sum to zero are zero).
Propagation only derives values that are forced, so what it infers is sound; what it cannot derive
stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Protocol, Sequence, Set, Tuple

from ..rules.values import TOLERANCE, Number, holds, piece_value
from .readings import Reading


class Balance(Protocol):
    """A rule as an equation: ``sum(coefficient * cell) == 0`` (``rules.engine.Rule`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def terms(self) -> Tuple[Tuple[int, str], ...]: ...


@dataclass(frozen=True)
class Equation:
    id: str
    terms: Tuple[Tuple[int, str], ...]  # (coefficient, cell ref); sum == 0


@dataclass
class Line:
    """One printed row: the cells it covers, in printed order, and its candidate readings."""

    refs: Tuple[str, ...]
    readings: List[Reading]
    free_refs: FrozenSet[str] = frozenset()  # cells whose placeholder means "not filled" (not 0)
    narrowed_by: Tuple[str, ...] = ()  # the row's own checks that removed readings before the search
    locally_ok: bool = True  # some reading satisfies the row's own checks
    guesses: Tuple[str, ...] = ()  # placement guesses of the row (by order, off its label's line, ...)
    before: Tuple[Reading, ...] = ()  # the readings before the row's own checks narrowed them
    truncated: bool = False  # the readings were cut short by the budget (tables/budget.py): not all of them
    unread: str = ""  # why a row printed with numbers has no reading (a digit run longer than its cells hold)


@dataclass
class Solution:
    choice: Tuple[int, ...]  # reading index per line
    values: Dict[str, Optional[Number]]  # None: unknown and not forced
    forced_by: Dict[str, str]
    cost: float


@dataclass
class Outcome:
    solutions: List[Solution]
    exhausted: bool  # the search hit its budget: conclusions are per line only
    deciding: Dict[int, Set[str]] = field(default_factory=dict)  # line -> equations that removed readings
    nodes: int = 0  # readings tried by the search (bounded by its max_nodes budget)


def propagate(values: Dict[str, Optional[Number]], equations: Sequence[Balance],
              forced_by: Dict[str, str]) -> Optional[str]:
    """Fill forced unknowns in place; return the id of a violated equation, or None."""
    changed = True
    while changed:
        changed = False
        for eq in equations:
            known = 0.0
            unknown: List[Tuple[int, str]] = []
            for coef, ref in eq.terms:
                v = values.get(ref)
                if v is None:
                    unknown.append((coef, ref))
                else:
                    known += coef * v
            if not unknown:
                if not holds("==", known, 0):
                    return eq.id
                continue
            signs = {c for c, _ in unknown}
            if len(unknown) == 1:
                coef, ref = unknown[0]
                v = -known / coef
                if v < -TOLERANCE or abs(v - round(v)) > TOLERANCE:
                    return eq.id
                values[ref] = int(round(v))
                forced_by[ref] = eq.id
                changed = True
            elif len(signs) == 1:
                s = signs.pop()
                total = -known / s  # sum of the unknowns
                if total < -TOLERANCE:
                    return eq.id
                if abs(total) <= TOLERANCE:
                    for _, ref in unknown:
                        values[ref] = 0
                        forced_by[ref] = eq.id
                    changed = True
    return None


def solve(lines: Sequence[Line], equations: Sequence[Balance], base: Dict[str, Optional[Number]],
          max_leaves: int = 20_000, max_solutions: int = 512,
          max_nodes: int = 150_000) -> Outcome:
    """Search the combinations of readings that satisfy ``equations``.

    ``base`` holds cells not covered by any line (None when unknown).
    """
    # fail first: lines with few readings are chosen first
    multi = sorted((i for i, ln in enumerate(lines) if len(ln.readings) > 1), key=lambda i: len(lines[i].readings))
    single = [i for i, ln in enumerate(lines) if len(ln.readings) == 1]
    values: Dict[str, Optional[Number]] = dict(base)

    def apply(i: int, r: int) -> None:
        ln = lines[i]
        for ref, piece in zip(ln.refs, ln.readings[r].pieces):
            values[ref] = piece_value(piece.kind, piece.value, ref in ln.free_refs)

    for i in single:
        apply(i, 0)
    for i, ln in enumerate(lines):
        if not ln.readings:
            for ref in ln.refs:
                values[ref] = None

    line_of: Dict[str, int] = {}
    for i, ln in enumerate(lines):
        for ref in ln.refs:
            line_of[ref] = i
    # bounds of every cell of a multi-reading line over its readings (unknown: 0 to infinity)
    INF = float("inf")
    bounds: Dict[str, Tuple[float, float]] = {}
    for i in multi:
        ln = lines[i]
        for j, ref in enumerate(ln.refs):
            lo, hi = INF, -INF
            for rd in ln.readings:
                p = rd.pieces[j]
                v = piece_value(p.kind, p.value, ref in ln.free_refs)
                if v is None:
                    lo, hi = min(lo, 0), INF
                else:
                    lo, hi = min(lo, v), max(hi, v)
            bounds[ref] = (lo, hi)
    touching: Dict[int, List[Balance]] = {}
    for eq in equations:
        for i in {line_of[ref] for _, ref in eq.terms if ref in line_of}:
            touching.setdefault(i, []).append(eq)
    assigned: Set[int] = set()

    deciding: Dict[int, Set[str]] = {i: set() for i in multi}
    solutions: Dict[Tuple, Solution] = {}
    choice = [0] * len(multi)
    leaves = 0
    nodes = 0
    exhausted = False
    multi_set = set(multi)

    def infeasible(eqs: List[Balance]) -> Optional[Balance]:
        """An equation that no choice of the remaining lines can satisfy (interval arithmetic; all cells
        are ≥ 0 where unknown)."""
        for eq in eqs:
            lo = hi = 0.0
            for coef, ref in eq.terms:
                i = line_of.get(ref)
                if i is not None and i in multi_set and i not in assigned:
                    a, b = bounds[ref]
                else:
                    v = values.get(ref)
                    a, b = (0.0, INF) if v is None else (v, v)
                if coef > 0:
                    lo += coef * a
                    hi += coef * b
                else:
                    lo += coef * b
                    hi += coef * a
            if lo > TOLERANCE or hi < -TOLERANCE:
                return eq
        return None

    def rec(k: int) -> None:
        nonlocal leaves, nodes, exhausted
        if exhausted:
            return
        if k == len(multi):
            leaves += 1
            if leaves > max_leaves:
                exhausted = True
                return
            trial = dict(values)
            forced: Dict[str, str] = {}
            bad = propagate(trial, equations, forced)
            if bad is not None:
                for eq in equations:
                    if eq.id == bad:
                        for _, ref in eq.terms:
                            if ref in line_of and line_of[ref] in deciding:
                                deciding[line_of[ref]].add(bad)
                return
            key = (tuple(choice), tuple(sorted((r, v) for r, v in trial.items() if v is not None)))
            cost = sum(lines[i].readings[c].cost for i, c in zip(multi, choice))
            cost += sum(lines[i].readings[0].cost for i in single)
            if key not in solutions or solutions[key].cost > cost:
                solutions[key] = Solution(tuple(choice), trial, forced, cost)
            if len(solutions) > max_solutions:
                exhausted = True
            return
        i = multi[k]
        assigned.add(i)
        for r in range(len(lines[i].readings)):
            nodes += 1
            if nodes > max_nodes:
                exhausted = True
                break
            apply(i, r)
            choice[k] = r
            bad = infeasible(touching.get(i, []))
            if bad is not None:
                deciding[i].add(bad.id)
                continue
            rec(k + 1)
            if exhausted:
                break
        assigned.discard(i)

    if not multi:
        trial = dict(values)
        forced = {}
        bad = propagate(trial, equations, forced)
        sols = [] if bad is not None else [Solution((0,) * len(lines), trial, forced, sum(lines[i].readings[0].cost for i in single))]
        return Outcome(sols, False, {})
    rec(0)
    ordered = sorted(solutions.values(), key=lambda s: s.cost)
    # map the choice tuples (indexed over multi lines) to full per-line choices
    full: List[Solution] = []
    for s in ordered:
        per_line = [0] * len(lines)
        for i, c in zip(multi, s.choice):
            per_line[i] = c
        full.append(Solution(tuple(per_line), s.values, s.forced_by, s.cost))
    return Outcome(full, exhausted, deciding, nodes)
