"""The value model: what a cell's value is in arithmetic, written once.

A cell read as a number is that number. A cell whose reading is uncertain (``missing``, ``ambiguous``,
``suspect``) has no value for any rule. A cell printed empty or as a placeholder (``/ - — 无``) means what
the template's ``conventions.null_policy`` says for that cell: 0 (``zero``), or "not filled"
(``unfilled``: unknown to recovery, derived as its row's sum by the checks). The tolerance of every
comparison is here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping, Optional, Protocol, Sequence, Tuple, Union

from ..record import CellStatus

Number = Union[int, float]


class HasStatus(Protocol):
    """A cell as the checks see it: a record ``Cell`` or the table layer's decision (``CellResult``)."""

    @property
    def status(self) -> str: ...


# the comparison tolerance of every rule: 0 for integers in effect; fees (万元, decimals) compare within it
TOLERANCE = 0.005

# cell statuses with no value for any rule: the reading is not certain
UNCERTAIN = frozenset(s.value for s in (CellStatus.missing, CellStatus.ambiguous, CellStatus.suspect))
# cell statuses printed without a number: their value is the null policy's
EMPTY = frozenset(s.value for s in (CellStatus.blank, CellStatus.placeholder))


class EmptyMeans(str, Enum):
    """What a cell printed empty or as a placeholder means in arithmetic."""

    zero = "zero"  # 0
    unfilled = "unfilled"  # not filled: unknown (recovery), derived as the row's sum where it can be (checks)


def empty_value(means: EmptyMeans) -> Optional[int]:
    """The value of an empty cell in arithmetic: 0, or None (unknown) when it means "not filled"."""
    return 0 if means is EmptyMeans.zero else None


def cell_value(status: Optional[str], value: Optional[Number], means: EmptyMeans) -> Optional[Number]:
    """A cell in arithmetic: None when its reading is uncertain, the null policy's value when it was printed
    empty (0, or None: not filled), else its value."""
    if status in UNCERTAIN:
        return None
    if status in EMPTY:
        return empty_value(means)
    return value


def holds(op: str, lhs: Number, rhs: Number) -> bool:
    """``lhs op rhs`` within the tolerance."""
    if op == "==":
        return abs(lhs - rhs) <= TOLERANCE
    if op == ">=":
        return lhs >= rhs - TOLERANCE
    if op == "<=":
        return lhs <= rhs + TOLERANCE
    raise ValueError(f"not a comparison: {op!r}")


def tidy_number(v: Optional[Number]) -> Optional[Number]:
    """A sum as a record prints it: float noise rounded off, a whole float as an int."""
    if isinstance(v, float):
        r = round(v, 6)
        return int(r) if r.is_integer() and abs(r) < 1e15 else r
    return v


@dataclass(frozen=True)
class UnfilledRule:
    """Cells whose empty means "not filled": ``column`` of every row of ``table`` under the header
    ``rows_under`` (at any depth, in the row's own template version), except ``except_rows``."""

    table: str
    column: str
    rows_under: str
    except_rows: Tuple[str, ...] = ()
    derived_as_row_sum: bool = True


@dataclass(frozen=True)
class NullPolicy:
    """``conventions.null_policy`` of the template as data."""

    default: EmptyMeans = EmptyMeans.zero
    unfilled: Tuple[UnfilledRule, ...] = ()

    @classmethod
    def from_data(cls, raw: Any) -> "NullPolicy":
        """Parse the template's ``null_policy`` object (``{"empty_means": ..., "unfilled": [...]}``)."""
        if not isinstance(raw, Mapping):
            raise ValueError("conventions.null_policy must be an object with empty_means and unfilled")
        rules = []
        for r in raw.get("unfilled", ()):
            rules.append(UnfilledRule(r["table"], r["column"], r["rows_under"], tuple(r.get("except_rows", ())),
                                      r.get("derived_as", "row_sum") == "row_sum"))
        return cls(EmptyMeans(raw.get("empty_means", "zero")), tuple(rules))

    def means(self, table: str, row: str, column: str, ancestors: Sequence[str]) -> EmptyMeans:
        """What an empty ``table.row.column`` means; ``ancestors`` are the row's parents, nearest first."""
        for r in self.unfilled:
            if r.table == table and r.column == column and r.rows_under in ancestors and row not in r.except_rows:
                return EmptyMeans.unfilled
        return self.default


# the kind of a row reading's piece printed empty or as a placeholder (tables/readings.py)
EMPTY_PIECE = "placeholder"


def piece_value(kind: str, value: Optional[Number], unfilled: bool) -> Optional[Number]:
    """A piece of a row reading in arithmetic: an empty piece is the null policy's value (0, or None when
    its cell means "not filled"); any other its number (None: a cell the reading assumes lost)."""
    if kind == EMPTY_PIECE:
        return empty_value(EmptyMeans.unfilled if unfilled else EmptyMeans.zero)
    return value
