"""Turn row observations into cell values with a status each, using the hard checks to decide.

The outcome per cell is one of: printed and certain (``ok``), printed empty or as a placeholder, forced
by a hard check (``inferred``), several readings left (``ambiguous``: the most plausible value, with the
alternatives), or unreadable (``missing``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from ..record import CellStatus
from ..rules.engine import TableRules
from ..rules.values import Number, piece_value
from ..template import ColumnDef
from . import budget
from .layout import RowObs
from .readings import Piece, Reading, Steps, row_readings
from .solve import Balance, Line, Outcome, Solution, propagate, solve
from .tokens import Token


@dataclass
class CellResult:
    ref: str
    value: Optional[Number]
    status: CellStatus
    raw: Optional[str] = None
    token: Optional[Token] = None
    candidates: Optional[List[Optional[Number]]] = None
    decided_by: List[str] = field(default_factory=list)
    note: Optional[str] = None
    guesses: List[str] = field(default_factory=list)  # how the value was placed, when that took a guess
    absent: bool = False  # not in the document at all (its table or row not found): no reading

    @property
    def span(self) -> Optional[Tuple[int, int]]:
        """Where the printed text the value was read from lies in the document's text."""
        return (self.token.start, self.token.end) if self.token is not None else None


@dataclass
class PrintedRow:
    """What recovery needs of a printed row: its cells (refs + column definitions) and tokens."""

    refs: Tuple[str, ...]
    columns: Tuple[ColumnDef, ...]
    tokens: List[Token]
    positional: bool = False
    free_refs: frozenset = frozenset()
    guesses: Tuple[str, ...] = ()  # placement guesses of the row itself (layout.RowObs.guesses)


def rows_from_obs(rules: TableRules, obs: Dict[str, RowObs]) -> List[PrintedRow]:
    """The printed rows of a table, each with the cells whose empty means "not filled" (null policy)."""
    out = []
    for key, o in obs.items():
        refs = tuple(f"{rules.table.key}.{key}.{c.key}" for c in o.row.columns)
        out.append(PrintedRow(refs, o.row.columns, o.tokens, o.positional, rules.unfilled_refs(refs),
                              tuple(o.guesses)))
    return out


def _components(lines: Sequence[Line], equations: Sequence[Balance]) -> List[Tuple[List[int], List[Balance]]]:
    parent = list(range(len(lines)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    line_of = {ref: i for i, ln in enumerate(lines) for ref in ln.refs}
    for eq in equations:
        idx = [line_of[r] for _, r in eq.terms if r in line_of]
        for a in idx[1:]:
            parent[find(a)] = find(idx[0])
    groups: Dict[int, List[int]] = {}
    for i in range(len(lines)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        refs = {r for i in members for r in lines[i].refs}
        eqs = [eq for eq in equations if any(r in refs for _, r in eq.terms)]
        out.append((members, eqs))
    return out


Ranker = Callable[[Dict[str, Optional[Number]]], float]
Note = Tuple[str, str]  # (issue code, message)


Evidence = Dict[str, List[Tuple[Number, str]]]


def _apply_evidence(outcome: Outcome, lines: Sequence[Line], evidence: Evidence) -> None:
    """Keep the solutions that agree with what the narrative states about a cell, when any does."""
    line_of = {ref: i for i, ln in enumerate(lines) for ref in ln.refs}
    for ref, stated in evidence.items():
        if ref not in line_of or len(outcome.solutions) < 2:
            continue
        for value, quote in stated:
            agree = [s for s in outcome.solutions if s.values.get(ref) == value]
            if agree and len(agree) < len(outcome.solutions):
                outcome.solutions = agree
                outcome.deciding.setdefault(line_of[ref], set()).add(f"narrative: {quote}")
                break


def recover(rows: Sequence[PrintedRow], equations: Sequence[Balance],
            rank: Optional[Ranker] = None,
            evidence: Optional[Evidence] = None) -> Tuple[Dict[str, CellResult], List[Note]]:
    """Cell results for every ref of ``rows``, and notes about the search.

    ``evidence`` maps cells to values the report's narrative states for them (with the quote); it only
    chooses among readings the table itself allows.
    """
    notes: List[Note] = []
    reader = _RowReader(rows, equations, notes)
    lines = [reader.line(row, row.tokens, row.positional) for row in rows]
    results: Dict[str, CellResult] = {}
    for members, eqs in _components(lines, equations):
        sub, outcome = _search(reader, rows, lines, members, eqs)
        if evidence and not outcome.exhausted:
            _apply_evidence(outcome, sub, evidence)
        if rank is not None and outcome.solutions:
            for s in outcome.solutions:
                s.cost += rank(s.values)
            outcome.solutions.sort(key=lambda s: s.cost)
        if outcome.exhausted and not any(ln.truncated for ln in sub):
            notes.append((budget.BUDGET_ISSUE, "the search budget was reached (too many combinations of the "
                                               "rows' readings): the uncertain cells are left ambiguous"))
        elif not outcome.solutions and any(len(ln.readings) > 1 for ln in sub):
            notes.append(("recovery_note", "no reading satisfies the checks: the document is inconsistent or "
                                           "misread"))
        results.update(_decide(sub, outcome, {eq.id: {r for _, r in eq.terms} for eq in eqs}))
    if not reader.zeros_printed and any(t.kind == "blank" for row in rows for t in row.tokens):
        _zeros_printed_blank(results)
    return results, notes


class _RowReader:
    """The readings of a table's printed rows, within the table's readings budget; notes what it cuts short."""

    def __init__(self, rows: Sequence[PrintedRow], equations: Sequence[Balance], notes: List[Note]) -> None:
        self.equations, self.notes = equations, notes
        self.free = _free_total_prior(rows)
        # a table that prints its zeros (a 0 beside other numbers) loses a cell only where it was left blank
        # on purpose: every applicant column is then about as likely to be printed as any other
        self.zeros_printed = any(len(r.tokens) >= 2 and any(t.kind == "num" and t.raw == "0" for t in r.tokens)
                                 for r in rows)
        self.left = budget.READINGS_PER_TABLE  # readings the table's rows may still have

    def priors(self, row: PrintedRow) -> Optional[List[float]]:
        if not row.free_refs and not self.zeros_printed:
            return None
        return [self.free if ref in row.free_refs else
                (max(col.fill_prior, 0.9) if self.zeros_printed else col.fill_prior)
                for ref, col in zip(row.refs, row.columns, strict=True)]

    def line(self, row: PrintedRow, tokens: List[Token], positional: bool, lossy: bool = False,
             before: Sequence[Reading] = ()) -> Line:
        name = row.refs[0].split('.')[1]  # the row's key (the issue names the table)
        limit = min(budget.READINGS_PER_ROW, self.left)
        readings, truncated = row_readings(tokens, row.columns, positional, limit=limit, lossy=lossy,
                                           priors=self.priors(row), steps=Steps())
        self.left -= len(readings)
        if truncated:
            why = (f"{len(readings)} readings, the most a row may have" if len(readings) >= budget.READINGS_PER_ROW
                   else "the table's readings budget" if len(readings) >= limit
                   else f"{budget.CUT_STEPS_PER_ROW} steps of cutting its digits")
            self.notes.append((budget.BUDGET_ISSUE, f"{name}: the reading budget was reached ({why}): its cells "
                                                    "are not decided"))
        unread = _too_long(row, tokens)
        if unread:
            self.notes.append((budget.TOO_LONG_ISSUE, f"{name}: {unread}"))
        readings = list(before) + readings
        kept, by, ok = _locally_consistent(readings, row, self.equations)
        guesses = row.guesses + (("grid_contradicted",) if row.positional and not positional else ())
        return Line(row.refs, kept, row.free_refs, by, ok, guesses, tuple(readings) if by else (),
                    truncated=truncated, unread=unread)


def _too_long(row: PrintedRow, tokens: Sequence[Token]) -> str:
    """Why a row printed with a digit run longer than its cells can hold together is not read ("" if not)."""
    most = sum(budget.int_digits(c.type) + (budget.decimal_places() if c.allows_decimal else 0)
               for c in row.columns)
    long = [t for t in tokens if t.kind == "num" and budget.digit_count(t.raw) > most]
    if not long:
        return ""
    return (f"printed as a run of {budget.digit_count(long[0].raw)} digits, longer than the row's cells "
            f"can hold together (at most {most}): text, not numbers")


def _search(reader: _RowReader, rows: Sequence[PrintedRow], lines: List[Line], members: List[int],
            eqs: Sequence[Balance]) -> Tuple[List[Line], Outcome]:
    """The joint search over one component of rows. When the cuts contradict the checks, the text may have
    lost cells instead: widen the suspect rows first (their own total fails, or a grid whose empty fields
    may be label columns), then every row printed with fewer numbers than cells."""
    sub = [lines[i] for i in members]
    outcome = _solve(sub, eqs)
    for everyone in (False, True):
        if outcome.solutions or outcome.exhausted:
            break
        widened = False
        for i in members:
            row = rows[i]
            printed = [t for t in row.tokens if t.kind != "empty"]
            suspect = everyone or not lines[i].locally_ok or (row.positional and len(printed) < len(row.tokens))
            if suspect and 0 < len(printed) < len(row.columns):
                wider = reader.line(row, printed, False, lossy=True,
                                    before=lines[i].readings if row.positional else ())
                if wider.readings != lines[i].readings:
                    lines[i] = wider
                    widened = True
        if widened:
            sub = [lines[i] for i in members]
            outcome = _solve(sub, eqs)
    return sub, outcome


def _zeros_printed_blank(results: Dict[str, CellResult]) -> None:
    """A table that prints its zeros as empty cells: a cell the checks force to 0 was printed empty."""
    for ref, cr in results.items():
        if cr.status == CellStatus.inferred and cr.value == 0 and "row_not_found" not in cr.guesses:
            results[ref] = CellResult(ref, None, CellStatus.blank, "", cr.token, decided_by=cr.decided_by,
                                      note="not read; the checks force 0, which this table prints as an "
                                           "empty cell", guesses=cr.guesses + ["inferred_blank"])


def _free_total_prior(rows: Sequence[PrintedRow]) -> float:
    """How likely a short result sub-row printed its 总计, judged from the table's own sub-rows: a table
    whose sub-rows all lack exactly one cell leaves their 总计 blank ("总计 only in rows 一/二/七/四"); one
    where some sub-row prints every cell, or where they print a number or two, prints its totals and lost
    blank zero cells instead."""
    sub = [r for r in rows if r.free_refs]
    counts = [sum(1 for t in r.tokens if t.kind != "empty") for r in sub]
    n = max((len(r.refs) for r in sub), default=0)
    short = [c for c in counts if 0 < c < n]
    if any(c == n for c in counts) or not short:
        return 0.95
    return 0.2 if sum(1 for c in short if c == n - 1) * 2 >= len(short) else 0.95


def _locally_consistent(readings: List[Reading], row: PrintedRow,
                        equations: Sequence[Balance]) -> Tuple[List[Reading], Tuple[str, ...], bool]:
    """The readings that satisfy the equations within the row itself (its 总计), and those equations when
    they removed any; all readings when none satisfies them (the joint search then says so)."""
    refs = set(row.refs)
    local = [eq for eq in equations if all(r in refs for _, r in eq.terms)]
    if not local:
        return readings, (), True
    kept = []
    rejecting: List[str] = []
    for rd in readings:
        values: Dict[str, Optional[Number]] = {ref: piece_value(p.kind, p.value, ref in row.free_refs)
                                              for ref, p in zip(row.refs, rd.pieces, strict=True)}
        bad = propagate(values, local, {})
        if bad is None:
            kept.append(rd)
        elif bad not in rejecting:
            rejecting.append(bad)
    if kept and len(kept) < len(readings):
        return kept, tuple(rejecting), True
    return readings, (), bool(kept)


def _exact(ln: Line) -> bool:
    """The row has one reading, exactly as printed: one number per cell, nothing lost, cut or dropped."""
    if len(ln.readings) != 1:
        return False
    rd = ln.readings[0]
    return not rd.dropped and all(p.kind in ("printed", "placeholder") for p in rd.pieces) \
        and not any(p.token is not None and p.token.alone for p in rd.pieces)


def _solve(sub: Sequence[Line], eqs: Sequence[Balance]) -> Outcome:
    # equations over the cells of rows read exactly as printed are findings about the document, not
    # constraints; a row whose only reading assumes lost cells stays open to the checks, since its printed
    # numbers may sit in the wrong columns
    certain = {ref for ln in sub if _exact(ln)
               for ref, p in zip(ln.refs, ln.readings[0].pieces, strict=True)
               if p.kind == "printed" or (p.kind == "placeholder" and ref not in ln.free_refs)}
    eqs = [eq for eq in eqs if not all(ref in certain for _, ref in eq.terms)]
    if any(ln.truncated for ln in sub):
        # a row whose readings were cut short by the budget: what the search would conclude from the readings
        # kept could be a guess (the right one may be among those left out), so nothing is concluded jointly
        return Outcome([], True, {})
    return solve(sub, eqs, {}, max_leaves=budget.SEARCH_LEAVES, max_solutions=budget.SEARCH_SOLUTIONS,
                 max_nodes=budget.SEARCH_NODES)


def _best_reading(line: Line) -> Optional[Reading]:
    return min(line.readings, key=lambda r: r.cost) if line.readings else None


def _cell_guesses(ln: Line, readings: Sequence[Reading], j: int) -> List[str]:
    """How cell j of a line was placed, when that took a guess: the row's own placement, and what the
    readings that remain assume (digits cut, cells lost, tokens dropped, a choice among readings)."""
    out = list(ln.guesses)
    # a cut or a lost cell anywhere in the row decides where every number of it goes
    pieces = [p for r in readings for p in r.pieces]
    if any(p.kind == "cut" for p in pieces):
        out.append("digits_cut")
    if any(r.lossy for r in readings):
        out.append("lost_cells")
    if any(r.dropped for r in readings) or any(p.token is not None and p.token.alone for p in pieces):
        out.append("dropped_token")
    if len(ln.readings) > 1:
        out.append("chosen_by_checks")
    return list(dict.fromkeys(out))


def _decide(lines: Sequence[Line], outcome: Outcome,
            eq_refs: Optional[Dict[str, Set[str]]] = None) -> Dict[str, CellResult]:
    out: Dict[str, CellResult] = {}
    sols: List[Solution] = outcome.solutions
    for i, ln in enumerate(lines):
        before = set(out)
        _decide_line(i, ln, outcome, out)
        remaining = [ln.readings[s.choice[i]] for s in sols] if sols and not outcome.exhausted and ln.readings \
            else list(ln.readings)
        deciding = set(outcome.deciding.get(i, set())) | set(ln.narrowed_by)
        for j, ref in enumerate(ln.refs):
            if ref in out and ref not in before:
                out[ref].guesses = _cell_guesses(ln, remaining, j) if ln.readings else \
                    list(ln.guesses) + ["row_not_found"]
                # the readings disagreed on this cell and only checks over other cells chose between them:
                # its own checks cannot confirm it (a 0 and a blank weigh the same in a sum)
                values = {(r.pieces[j].kind == "unknown", r.pieces[j].value) for r in (ln.before or ln.readings)}
                if len(values) > 1 and eq_refs is not None and \
                        not any(ref in eq_refs.get(e, ()) for e in deciding):
                    out[ref].guesses.append("decided_elsewhere")
    return out


def _decide_line(i: int, ln: Line, outcome: Outcome, out: Dict[str, CellResult]) -> None:
    sols: List[Solution] = outcome.solutions
    if not ln.readings and (ln.truncated or ln.unread):
        for ref in ln.refs:
            out[ref] = CellResult(ref, None, CellStatus.missing, note=ln.unread or "the reading budget was reached "
                                                                                "before any reading of the row: "
                                                                                "not decided")
    elif not ln.readings:
        _decide_not_found(ln, outcome, out)
    elif not sols or outcome.exhausted:
        _decide_alone(ln, out, inconsistent=not sols and not outcome.exhausted)
    else:
        deciding = sorted(outcome.deciding.get(i, set()))
        for j, ref in enumerate(ln.refs):
            out[ref] = _decide_cell(ln, [ln.readings[s.choice[i]].pieces[j] for s in sols], sols, ref, deciding)


def _decide_not_found(ln: Line, outcome: Outcome, out: Dict[str, CellResult]) -> None:
    """A row not found in the text: its cells are what every solution forces, or missing."""
    sols = outcome.solutions
    for ref in ln.refs:
        v = sols[0].values.get(ref) if sols and not outcome.exhausted else None
        if v is not None and all(s.values.get(ref) == v for s in sols):
            out[ref] = CellResult(ref, v, CellStatus.inferred, decided_by=[sols[0].forced_by.get(ref, "")],
                                  note="row not found in the text")
        else:
            out[ref] = CellResult(ref, None, CellStatus.missing, note="row not found in the text")


def _decide_cell(ln: Line, pieces: List[Piece], sols: List[Solution], ref: str, deciding: List[str]) -> CellResult:
    """One cell of a line, from the pieces its remaining solutions read there (the best one first)."""
    vals = [s.values.get(ref) for s in sols]
    best_piece, best_val = pieces[0], vals[0]
    kinds = {p.kind for p in pieces}
    if kinds == {"placeholder"}:
        return CellResult(ref, None, CellStatus.placeholder if best_piece.raw else CellStatus.blank, best_piece.raw,
                          best_piece.token)
    if len(set(vals)) == 1 and best_val is not None:
        tokens = {id(p.token) for p in pieces}
        if len(ln.readings) == 1 and kinds == {"cut"} and ln.narrowed_by:
            return CellResult(ref, best_val, CellStatus.inferred, best_piece.raw, best_piece.token,
                              decided_by=list(ln.narrowed_by))
        if kinds <= {"printed", "cut"} and len(ln.readings) == 1 or kinds == {"printed"} and len(tokens) == 1:
            # one way to read the row, or the same printed number in every remaining reading
            return CellResult(ref, best_val, CellStatus.ok, best_piece.raw, best_piece.token)
        by = sorted({s.forced_by[ref] for s in sols if ref in s.forced_by}) or deciding
        raw = best_piece.raw if best_piece.kind != "unknown" else None
        return CellResult(ref, best_val, CellStatus.inferred, raw, best_piece.token, decided_by=by)
    if set(vals) == {None}:
        return CellResult(ref, None, CellStatus.missing, None, best_piece.token)
    cands: List[Optional[Number]] = []
    cands.extend(sorted({v for v in vals if v is not None}))
    if None in vals:
        cands.append(None)
    return CellResult(ref, best_val, CellStatus.ambiguous, best_piece.raw or None, best_piece.token,
                      candidates=cands, decided_by=deciding)


def _decide_alone(ln: Line, out: Dict[str, CellResult], inconsistent: bool) -> None:
    """No joint answer (the checks rule out every reading, or the search ran out of budget): keep what was
    printed as a number on its own, flag everything else. A row whose readings were cut short by the budget
    has no complete list of candidates: its uncertain cells are missing."""
    best = _best_reading(ln)
    if best is None:  # a row with no reading is decided by _decide_line
        return
    exact = _exact(ln) and not ln.truncated  # only a row read exactly as printed is certain
    for j, ref in enumerate(ln.refs):
        pieces = [r.pieces[j] for r in ln.readings]
        vals = {p.value for p in pieces}
        bp = best.pieces[j]
        if all(p.kind == "placeholder" for p in pieces) and not ln.truncated:
            out[ref] = CellResult(ref, None, CellStatus.placeholder if bp.raw else CellStatus.blank, bp.raw, bp.token)
        elif exact:
            out[ref] = CellResult(ref, bp.value, CellStatus.ok, bp.raw, bp.token)
        elif ln.truncated:
            out[ref] = CellResult(ref, None, CellStatus.missing, bp.raw or None, bp.token,
                                  note=f"the reading budget was reached ({len(ln.readings)} readings of the row "
                                       "kept, not all): not decided")
        elif vals == {None}:
            out[ref] = CellResult(ref, None, CellStatus.missing, None, bp.token)
        else:
            cands = sorted({v for v in vals if v is not None}) + ([None] if None in vals else [])
            note = "no reading satisfies the checks" if inconsistent else "too many readings to decide"
            out[ref] = CellResult(ref, bp.value, CellStatus.ambiguous, bp.raw or None, bp.token, candidates=cands,
                                  note=note)
