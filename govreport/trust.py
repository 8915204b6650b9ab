"""The trust rule (RECORD.md): a value placed by any guess is ``ok`` only when the hard checks over it pass.

A cell is read *as printed* when its number sits under its own row label, in its own column, with no
placement guess; the cell structure of a ruled PDF grid, an HTML or a DOCX table is not a guess. Every
other placement (by order between labelled rows, across label lines, by cutting run-together digits, by
assuming lost cells, against the grid's own positions, by choosing among readings) is recorded in the
cell's ``guesses`` by the table code. Once the table's checks are evaluated, the decision step
(``tables/decide.py``) looks each guessed cell up in ``TRUST``: its *reading kind* (how it was placed)
against the *outcome* of the hard checks over it gives its status: kept, or ``suspect`` with the reason.

- a guess about a number's column (``added_column``: the table prints a column the template has not)
  needs, besides, a check across its row that does not hold by construction: the checks down the columns
  hold under any consistent mix-up of columns;
- a row read by count from a table that prints its columns in another order (``columns_reordered``) is
  never confirmed: a row whose 总计 equals one applicant column reads the same either way round;
- a guessed 0 or empty cell weighs the same wherever it goes, and a cell whose readings only checks over
  other cells chose between (``decided_elsewhere``), cannot be confirmed by its own checks.

A failed check over cells that were all read as printed stays a finding about the document and changes no
status.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence

from .record import CellStatus, Check, Issue, Level
from .template import TABLE_KEYS, load_template

# statuses a guess can hide behind: a wrong number read "ok", or a wrong null read "blank"/"placeholder"
_TRUSTED = (CellStatus.ok.value, CellStatus.blank.value, CellStatus.placeholder.value)
_EMPTY = (CellStatus.blank.value, CellStatus.placeholder.value)


class ReadingKind(str, Enum):
    """How a guessed cell was placed, for the trust rule (the first that applies, in this order)."""

    reordered = "reordered"  # a row read by count from a table printing its columns in another order
    decided_elsewhere = "decided_elsewhere"  # only checks over other cells chose among its readings
    weightless = "weightless"  # a guessed 0 or empty cell
    column = "column"  # a guess about the number's column (added_column)
    placed = "placed"  # any other placement guess (by order, off its label's line, digits cut, ...)


class CheckOutcome(str, Enum):
    """What the hard checks over a cell say (the first that applies, in this order)."""

    none = "none"  # no hard check covers it
    failed = "failed"  # one fails
    open = "open"  # one cannot be assessed, or holds only through cells it forced
    confirmed_across = "confirmed_across"  # all pass, over read cells, and one runs across the cell's row
    confirmed = "confirmed"  # all pass, over read cells, none across its row


_WHY_FAILED = "the hard checks over it fail: {failing}"
_WHY_OPEN = "the hard checks over it cannot be assessed, or hold only through cells they forced: {open}"
_WHY_NONE = "no hard check covers it"


def _total_label() -> str:
    """A row's total column as table 三 prints it (the template's ``reading.header.total_label``)."""
    t = load_template()
    return t.versions[t.default_version].tables[TABLE_KEYS[1]].header_words.total_label


_WHY_REORDERED = ("the table prints its columns in another order than the template's and this row was read by "
                  f"count: a check cannot tell a row's {_total_label()} from an applicant column holding the same "
                  "number")
_WHY_ELSEWHERE = "only checks over other cells chose among its readings"
_WHY_WEIGHTLESS = "a 0 and an empty cell weigh the same in every check, so none can confirm where it goes"
_WHY_COLUMN = "its column is a guess and no check across its row's columns confirms it"


def _row(kind_when_confirmed: Optional[str]) -> Dict[CheckOutcome, Optional[str]]:
    return {CheckOutcome.none: _WHY_NONE, CheckOutcome.failed: _WHY_FAILED, CheckOutcome.open: _WHY_OPEN,
            CheckOutcome.confirmed_across: kind_when_confirmed, CheckOutcome.confirmed: kind_when_confirmed}


# THE trust rule: reading kind x check outcome -> None (the cell keeps its status) or why it is suspect
TRUST: Dict[ReadingKind, Dict[CheckOutcome, Optional[str]]] = {
    ReadingKind.reordered: dict.fromkeys(CheckOutcome, _WHY_REORDERED),
    ReadingKind.decided_elsewhere: _row(_WHY_ELSEWHERE),
    ReadingKind.weightless: _row(_WHY_WEIGHTLESS),
    ReadingKind.column: {**_row(None), CheckOutcome.confirmed: _WHY_COLUMN},
    ReadingKind.placed: _row(None),
}

# guesses about a number's column, not its row: checks down the columns hold under any consistent mix-up
# of columns, so only a check across the row's own columns can confirm them
_COLUMN_GUESSES = ("added_column",)


def _weightless(cell: Any) -> bool:
    """A guessed 0 or empty cell: the sums hold whichever of the guessed places it takes."""
    if cell.status in _EMPTY:
        return True
    try:
        return float(cell.raw or "x") == 0
    except ValueError:
        return False


def reading_kind(cell: Any) -> ReadingKind:
    guesses = cell.guesses or ()
    if "columns_reordered" in guesses:
        return ReadingKind.reordered
    if "decided_elsewhere" in guesses:
        return ReadingKind.decided_elsewhere
    if _weightless(cell):
        return ReadingKind.weightless
    if any(g in _COLUMN_GUESSES for g in guesses):
        return ReadingKind.column
    return ReadingKind.placed


def _independent(check: Check, cells: Mapping[str, Any]) -> bool:
    """A passing check confirms only over cells that were read: one whose value it forced itself (an
    inferred, missing or ambiguous cell among its terms) holds by construction and confirms nothing."""
    return all(cells[r].status in _TRUSTED or cells[r].status == CellStatus.suspect.value
               for r in check.cells if r in cells)


def _across_row(check: Check, ref: str, cells: Mapping[str, Any], unfilled: Optional[Collection[str]]) -> bool:
    """A check over several columns of ``ref``'s row that does not hold by construction: not the row check
    of a row with an empty cell that means "not filled" (the null policy's ``unfilled``: the 总计 of a
    table-三 result sub-row), which is then taken as the row's sum. ``unfilled`` None: any empty cell of
    the row may mean it."""
    row = ref.rsplit(".", 1)[0]
    mine = [r for r in check.cells if r.rsplit(".", 1)[0] == row]
    if len(mine) < 2:
        return False
    if len({r.rsplit(".", 1)[0] for r in check.cells}) > 1:
        return True
    return not any(r in cells and cells[r].status in _EMPTY and (unfilled is None or r in unfilled) for r in mine)


def check_outcome(ref: str, mine: Sequence[Check], cells: Mapping[str, Any],
                  unfilled: Optional[Collection[str]] = None) -> CheckOutcome:
    """The outcome of the hard checks ``mine`` over cell ``ref``."""
    if not mine:
        return CheckOutcome.none
    if any(c.status == "fail" for c in mine):
        return CheckOutcome.failed
    if not all(c.status == "pass" and _independent(c, cells) for c in mine):
        return CheckOutcome.open
    return CheckOutcome.confirmed_across if any(_across_row(c, ref, cells, unfilled) for c in mine) \
        else CheckOutcome.confirmed


def apply(cells: Mapping[str, Any], checks: Sequence[Check],
          unfilled: Optional[Collection[str]] = None) -> List[Issue]:
    """Turn unconfirmed guessed cells ``suspect`` in place (``TRUST``); return one issue per such cell.
    ``cells``: record ``Cell``s or the table layer's decisions (anything with status, raw and guesses);
    ``unfilled``: the cells whose empty means "not filled" (``rules.TableRules.unfilled_refs``)."""
    over: Dict[str, List[Check]] = {}
    for c in checks:
        if c.severity == "hard":
            for ref in c.cells:  # a per-cell rule lists only the cells that break it
                over.setdefault(ref, []).append(c)
    issues: List[Issue] = []
    for ref, cell in cells.items():
        if not cell.guesses or cell.status not in _TRUSTED:
            continue
        mine = over.get(ref, [])
        why = TRUST[reading_kind(cell)][check_outcome(ref, mine, cells, unfilled)]
        if why is None:
            continue
        failing = ", ".join(c.id for c in mine if c.status == "fail")
        open_ = ", ".join(c.id for c in mine if c.status == "not_assessable" or
                          (c.status == "pass" and not _independent(c, cells)))
        cell.status = CellStatus.suspect
        issues.append(Issue(level=Level.warning, code="cell_suspect", cell=ref,
                            message=f"placed by a guess ({', '.join(cell.guesses)}) and "
                                    f"{why.format(failing=failing, open=open_)}; check the printed table"))
    return issues

