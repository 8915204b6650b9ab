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
    search = _Search(lines, equations, base, _Limits(max_leaves, max_solutions, max_nodes))
    if not search.multi:
        return search.direct()
    search.rec(0)
    return search.outcome()


@dataclass(frozen=True)
class _Limits:
    leaves: int
    solutions: int
    nodes: int


_INF = float("inf")


def _bounds(ln: Line) -> Dict[str, Tuple[float, float]]:
    """The bounds of every cell of a line over its readings (unknown: 0 to infinity)."""
    out: Dict[str, Tuple[float, float]] = {}
    for j, ref in enumerate(ln.refs):
        lo, hi = _INF, -_INF
        for rd in ln.readings:
            p = rd.pieces[j]
            v = piece_value(p.kind, p.value, ref in ln.free_refs)
            if v is None:
                lo, hi = min(lo, 0), _INF
            else:
                lo, hi = min(lo, v), max(hi, v)
        out[ref] = (lo, hi)
    return out


class _Search:
    """The depth-first search over the readings of the lines that have several (fewest first)."""

    def __init__(self, lines: Sequence[Line], equations: Sequence[Balance], base: Dict[str, Optional[Number]],
                 limits: _Limits) -> None:
        self.lines, self.equations, self.limits = lines, equations, limits
        # fail first: lines with few readings are chosen first
        self.multi = sorted((i for i, ln in enumerate(lines) if len(ln.readings) > 1),
                            key=lambda i: len(lines[i].readings))
        self.single = [i for i, ln in enumerate(lines) if len(ln.readings) == 1]
        self.values: Dict[str, Optional[Number]] = dict(base)
        for i in self.single:
            self.apply(i, 0)
        for ln in lines:
            if not ln.readings:
                for ref in ln.refs:
                    self.values[ref] = None
        self.line_of: Dict[str, int] = {ref: i for i, ln in enumerate(lines) for ref in ln.refs}
        self.bounds: Dict[str, Tuple[float, float]] = {}
        for i in self.multi:
            self.bounds.update(_bounds(lines[i]))
        self.touching: Dict[int, List[Balance]] = {}
        for eq in equations:
            for i in {self.line_of[ref] for _, ref in eq.terms if ref in self.line_of}:
                self.touching.setdefault(i, []).append(eq)
        self.assigned: Set[int] = set()
        self.multi_set = set(self.multi)
        self.deciding: Dict[int, Set[str]] = {i: set() for i in self.multi}
        self.solutions: Dict[Tuple, Solution] = {}
        self.choice = [0] * len(self.multi)
        self.leaves = self.nodes = 0
        self.exhausted = False

    def apply(self, i: int, r: int) -> None:
        ln = self.lines[i]
        for ref, piece in zip(ln.refs, ln.readings[r].pieces, strict=True):
            self.values[ref] = piece_value(piece.kind, piece.value, ref in ln.free_refs)

    def _single_cost(self) -> float:
        return sum(self.lines[i].readings[0].cost for i in self.single)

    def direct(self) -> Outcome:
        """No line has a choice: propagate once."""
        trial = dict(self.values)
        forced: Dict[str, str] = {}
        bad = propagate(trial, self.equations, forced)
        sols = [] if bad is not None else [Solution((0,) * len(self.lines), trial, forced, self._single_cost())]
        return Outcome(sols, False, {})

    def infeasible(self, eqs: List[Balance]) -> Optional[Balance]:
        """An equation that no choice of the remaining lines can satisfy (interval arithmetic; all cells
        are ≥ 0 where unknown)."""
        for eq in eqs:
            lo = hi = 0.0
            for coef, ref in eq.terms:
                i = self.line_of.get(ref)
                if i is not None and i in self.multi_set and i not in self.assigned:
                    a, b = self.bounds[ref]
                else:
                    v = self.values.get(ref)
                    a, b = (0.0, _INF) if v is None else (v, v)
                if coef > 0:
                    lo += coef * a
                    hi += coef * b
                else:
                    lo += coef * b
                    hi += coef * a
            if lo > TOLERANCE or hi < -TOLERANCE:
                return eq
        return None

    def leaf(self) -> None:
        """Every line has its reading: keep the combination when propagation violates no equation."""
        self.leaves += 1
        if self.leaves > self.limits.leaves:
            self.exhausted = True
            return
        trial = dict(self.values)
        forced: Dict[str, str] = {}
        bad = propagate(trial, self.equations, forced)
        if bad is not None:
            for eq in self.equations:
                if eq.id == bad:
                    for _, ref in eq.terms:
                        if ref in self.line_of and self.line_of[ref] in self.deciding:
                            self.deciding[self.line_of[ref]].add(bad)
            return
        key = (tuple(self.choice), tuple(sorted((r, v) for r, v in trial.items() if v is not None)))
        cost = sum(self.lines[i].readings[c].cost for i, c in zip(self.multi, self.choice, strict=True))
        cost += self._single_cost()
        if key not in self.solutions or self.solutions[key].cost > cost:
            self.solutions[key] = Solution(tuple(self.choice), trial, forced, cost)
        if len(self.solutions) > self.limits.solutions:
            self.exhausted = True

    def rec(self, k: int) -> None:
        if self.exhausted:
            return
        if k == len(self.multi):
            self.leaf()
            return
        i = self.multi[k]
        self.assigned.add(i)
        for r in range(len(self.lines[i].readings)):
            self.nodes += 1
            if self.nodes > self.limits.nodes:
                self.exhausted = True
                break
            self.apply(i, r)
            self.choice[k] = r
            bad = self.infeasible(self.touching.get(i, []))
            if bad is not None:
                self.deciding[i].add(bad.id)
                continue
            self.rec(k + 1)
            if self.exhausted:
                break
        self.assigned.discard(i)

    def outcome(self) -> Outcome:
        ordered = sorted(self.solutions.values(), key=lambda s: s.cost)
        # map the choice tuples (indexed over multi lines) to full per-line choices
        full: List[Solution] = []
        for s in ordered:
            per_line = [0] * len(self.lines)
            for i, c in zip(self.multi, s.choice, strict=True):
                per_line[i] = c
            full.append(Solution(tuple(per_line), s.values, s.forced_by, s.cost))
        return Outcome(full, self.exhausted, self.deciding, self.nodes)
