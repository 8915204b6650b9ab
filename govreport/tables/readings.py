"""Candidate readings of one printed table row.

A row prints k tokens for n template cells. When k == n each token is a cell. Otherwise extraction either
ran cells together (``640020470`` for seven cells) or lost cells (six numbers for seven columns). A
*reading* is one way to place the printed digits on the cells: runs are cut into numbers without
leading zeros; lost cells become unknowns. Readings that assume lost cells are only considered when no
reading explains the row without them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from ..template import ColumnDef
from . import budget
from .tokens import Token

Number = Union[int, float]

_NUMBER = re.compile(r"[+\-]?(?:0|[1-9]\d*)(?:\.\d+)?")

MAX_READINGS = budget.READINGS_PER_ROW


class Steps:
    """The steps left to the cutting search of one row (``budget.CUT_STEPS_PER_ROW``)."""

    def __init__(self, left: int = budget.CUT_STEPS_PER_ROW):
        self.left = left

    def take(self, cost: int = 1) -> bool:
        self.left -= cost
        return self.left >= 0


@dataclass(frozen=True)
class Piece:
    value: Optional[Number]
    raw: str
    kind: str  # printed | cut | placeholder | unknown
    token: Optional[Token] = None


@dataclass(frozen=True)
class Reading:
    pieces: Tuple[Piece, ...]
    lossy: bool = False  # assumes cells the text lost
    dropped: Tuple[str, ...] = ()  # stray tokens left out
    prior: float = 0.0  # how unlikely the cells it assumes lost are to be the lost ones (ColumnDef.fill_prior)

    @property
    def cost(self) -> float:
        """Plausibility rank among readings (lower is likelier): small numbers and zeros are common, and so
        are lost cells where the template's columns are often left blank."""
        c = sum(math.log1p(abs(p.value)) for p in self.pieces if p.kind == "cut" and p.value is not None)
        return c + 50 * sum(1 for p in self.pieces if p.kind == "unknown") + 80 * len(self.dropped) + self.prior


def _fill_cost(pieces: Sequence[Piece], columns: Sequence[ColumnDef],
               priors: Optional[Sequence[float]] = None) -> float:
    """-log of the chance that exactly these cells were printed and the others lost."""
    cost = 0.0
    for i, (p, col) in enumerate(zip(pieces, columns, strict=True)):
        q = min(max(priors[i] if priors is not None else col.fill_prior, 0.01), 0.99)
        cost -= math.log(1 - q) if p.kind == "unknown" else math.log(q)
    return cost


def parse_number(raw: str, column: ColumnDef) -> Optional[Number]:
    """The value of ``raw`` in ``column``, or None when it cannot be such a cell."""
    if not _NUMBER.fullmatch(raw) or not budget.fits(raw, column.type):
        return None  # not a number, or longer than the column's cells print (never converted)
    if raw.startswith(("+", "-")) and not column.allows_negative:
        return None
    if "." in raw:
        return float(raw) if column.allows_decimal else None
    return int(raw)


def _positional(tokens: Sequence[Token], columns: Sequence[ColumnDef]) -> Reading:
    pieces = []
    for tok, col in zip(tokens, columns, strict=False):  # a positional row gives one token a column
        if tok.kind in ("placeholder", "blank"):
            pieces.append(Piece(None, tok.raw, "placeholder", tok))  # raw "" marks a blank cell
        elif tok.kind == "empty":
            pieces.append(Piece(None, "", "unknown", tok))
        else:
            v = parse_number(tok.raw, col)
            pieces.append(Piece(v, tok.raw, "printed" if v is not None else "unknown", tok))
    return Reading(tuple(pieces), lossy=any(p.kind == "unknown" for p in pieces))


def _piece_len(column: ColumnDef) -> int:
    """The longest piece a cut may give ``column`` (its digits, a decimal's point and places)."""
    return budget.int_digits(column.type) + (budget.decimal_places() + 1 if column.allows_decimal else 0) + 1


def _room(tokens: Sequence[Token], columns: Sequence[ColumnDef]) -> Tuple[List[int], List[int], List[int]]:
    """The bounds of the cutting search: the most cells ``tokens[ti:]`` can still fill (a digit each, or the
    token), the longest piece of each column, and the most characters ``columns[col:]`` can take."""
    n, k = len(columns), len(tokens)
    room = [0] * (k + 1)
    for i in range(k - 1, -1, -1):
        room[i] = room[i + 1] + (len(tokens[i].raw) if tokens[i].kind == "num" else 1)
    longest = [_piece_len(c) for c in columns]
    cap = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        cap[i] = cap[i + 1] + longest[i]
    return room, longest, cap


class _Stop:
    """No longer piece from here can be a cell."""


_STOP = _Stop()


def _piece_value(s: str, pos: int, e: int, digits: bool, column: ColumnDef) -> Union[Number, None, _Stop]:
    """The value of the piece ``s[pos:e]`` in ``column``; None when it cannot be a cell but a longer piece
    may; ``_STOP`` when no longer piece can."""
    piece = s[pos:e]
    if digits:
        if piece[0] == "0" and e - pos > 1:
            return _STOP  # a leading zero, and every longer piece from here has it too
        if e - pos > budget.int_digits(column.type):
            return _STOP  # longer than the column's cells print
        return int(piece)
    if e < len(s) and s[e] == ".":
        return None  # never cut between a number and its decimals
    return parse_number(piece, column)


def _cuts(tokens: Sequence[Token], columns: Sequence[ColumnDef],
          steps: Optional[Steps] = None) -> Iterator[Tuple[Piece, ...]]:
    """Every way to cut the tokens, in order, into exactly len(columns) cells (no piece longer than its
    column holds), until ``steps`` run out (``steps.left < 0`` tells)."""
    n = len(columns)
    k = len(tokens)
    steps = steps if steps is not None else Steps()
    room, longest, cap = _room(tokens, columns)

    def rec(ti: int, pos: int, col: int, acc: List[Piece]) -> Iterator[Tuple[Piece, ...]]:
        if ti == k:
            if col == n:
                yield tuple(acc)
            return
        if col == n or n - col < k - ti or n - col > room[ti] - pos or room[ti] - pos > cap[col]:
            return
        if not steps.take():
            return
        tok = tokens[ti]
        if tok.kind != "num":
            acc.append(Piece(None, tok.raw, "placeholder", tok))
            yield from rec(ti + 1, 0, col + 1, acc)
            acc.pop()
            return
        s = tok.raw
        whole = pos == 0
        digits = s.isascii() and s.isdigit()  # the usual case: no regex needed
        for e in range(pos + 1, min(len(s), pos + longest[col]) + 1):
            v = _piece_value(s, pos, e, digits, columns[col])
            if isinstance(v, _Stop):
                break
            if v is None:
                continue
            piece = s[pos:e]
            kind = "printed" if whole and e == len(s) else "cut"
            acc.append(Piece(v, piece, kind, tok))
            if e == len(s):
                yield from rec(ti + 1, 0, col + 1, acc)
            else:
                yield from rec(ti, e, col + 1, acc)
            acc.pop()
            if steps.left < 0:
                return

    yield from rec(0, 0, 0, [])


def _placements(tokens: Sequence[Token], columns: Sequence[ColumnDef]) -> Iterator[Tuple[Piece, ...]]:
    """Whole tokens on k of the n cells, the other cells unknown (lost by extraction)."""
    n, k = len(columns), len(tokens)
    for where in combinations(range(n), k):
        pieces: List[Piece] = [Piece(None, "", "unknown") for _ in range(n)]
        ok = True
        for tok, ci in zip(tokens, where, strict=True):
            if tok.kind != "num":
                pieces[ci] = Piece(None, tok.raw, "placeholder", tok)
                continue
            v = parse_number(tok.raw, columns[ci])
            if v is None:
                ok = False
                break
            pieces[ci] = Piece(v, tok.raw, "printed", tok)
        if ok:
            yield tuple(pieces)


def row_readings(tokens: Sequence[Token], columns: Sequence[ColumnDef], positional: bool = False,
                 limit: int = MAX_READINGS, lossy: bool = False,
                 priors: Optional[Sequence[float]] = None,
                 steps: Optional[Steps] = None) -> Tuple[List[Reading], bool]:
    """The readings of a printed row, and whether the list was cut short (at ``limit`` readings, or when
    the cutting search ran out of ``steps``: ``budget``).

    By default, readings that assume lost cells are generated only when no cut explains the row;
    ``lossy=True`` generates both (used when the cuts contradict the report's checks). A short number
    alone on its line inside a multi-line row may be a page number: the row is also read without it.
    ``priors`` overrides the columns' ``fill_prior`` for this row.
    """
    if not tokens:
        return [], False
    if positional:
        return [_positional(tokens, columns)], False
    steps = steps if steps is not None else Steps()
    out, truncated = _readings(tokens, columns, limit, lossy, priors, steps)
    for i, t in enumerate(tokens):
        if truncated or not (t.alone and t.kind == "num" and len(t.raw) <= 3):
            continue
        if not steps.take(len(tokens)):
            truncated = True
            break
        rest = [x for j, x in enumerate(tokens) if j != i]
        more, truncated = _readings(rest, columns, limit - len(out), True, priors, steps)
        out += [Reading(r.pieces, r.lossy, r.dropped + (t.raw,)) for r in more]
    return out, truncated


def _readings(tokens: Sequence[Token], columns: Sequence[ColumnDef], limit: int,
              lossy: bool, priors: Optional[Sequence[float]], steps: Steps) -> Tuple[List[Reading], bool]:
    out: List[Reading] = []
    n, k = len(columns), len(tokens)
    if not tokens or limit <= 0 or steps.left < 0:
        return out, limit <= 0 or steps.left < 0
    if k > n:
        for keep in combinations(range(k), n):
            if not steps.take(k):  # a choice of kept tokens costs a pass over the row's tokens
                return out, True
            kept = [tokens[i] for i in keep]
            dropped = tuple(tokens[i].raw for i in range(k) if i not in keep)
            for pieces in _cuts(kept, columns, steps):
                out.append(Reading(pieces, dropped=dropped))
                if len(out) >= limit:
                    return out, True
        return out, steps.left < 0
    for pieces in _cuts(tokens, columns, steps):
        out.append(Reading(pieces))
        if len(out) >= limit:
            return out, True
    if steps.left < 0:
        return out, True
    if out and not lossy:
        return out, False
    for pieces in _placements(tokens, columns):
        if not steps.take():
            return out, True
        out.append(Reading(pieces, lossy=True, prior=_fill_cost(pieces, columns, priors)))
        if len(out) >= limit:
            return out, True
    return out, False
