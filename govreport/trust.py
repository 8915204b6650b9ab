"""The trust rule (RECORD.md): a value placed by any guess is ``ok`` only when the hard checks over it pass.

A cell is read *as printed* when its number sits under its own row label, in its own column, with no
placement guess; the cell structure of a ruled PDF grid, an HTML or a DOCX table is not a guess. Every
other placement (by order between labelled rows, across label lines, by cutting run-together digits, by
assuming lost cells, against the grid's own positions, by choosing among readings) is recorded in
``Cell.guesses`` by the table code. Here, once the record's checks are evaluated, such a cell keeps its
status only when at least one hard check covers it and every hard check that covers it passes;
otherwise it becomes ``suspect``, with an issue naming the failing (or missing) check. A guess about a
number's column (``added_column``: the table prints a column the template has not) needs, besides, a
check across its row that does not hold by construction: the checks down the columns hold under any
consistent mix-up of columns. A row read by count from a table that prints its columns in another order
(``columns_reordered``) is never confirmed: a row whose 总计 equals one applicant column reads the same
either way round. A failed check over cells that were all
read as printed stays a finding about the document and changes no status.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from .record import Cell, Check, Issue

# statuses a guess can hide behind: a wrong number read "ok", or a wrong null read "blank"/"placeholder"
_TRUSTED = ("ok", "blank", "placeholder")


def _weightless(cell: Cell) -> bool:
    """A guessed 0 or empty cell: the sums hold whichever of the guessed places it takes."""
    if cell.status in ("blank", "placeholder"):
        return True
    try:
        return float(cell.raw or "x") == 0
    except ValueError:
        return False


def _independent(check: Check, cells: Dict[str, Cell]) -> bool:
    """A passing check confirms only over cells that were read: one whose value it forced itself (an
    inferred, missing or ambiguous cell among its terms) holds by construction and confirms nothing."""
    return all(cells[r].status in _TRUSTED or cells[r].status == "suspect" for r in check.cells if r in cells)


# guesses about a number's column, not its row: checks down the columns hold under any consistent mix-up
# of columns, so only a check across the row's own columns can confirm them
_COLUMN_GUESSES = ("added_column",)


def _across_row(check: Check, ref: str, cells: Dict[str, Cell]) -> bool:
    """A check over several columns of ``ref``'s row that does not hold by construction: not the row-total
    check of a table-三 result row whose 总计 is not filled (it is then taken as the row's sum)."""
    row = ref.rsplit(".", 1)[0]
    mine = [r for r in check.cells if r.rsplit(".", 1)[0] == row]
    if len(mine) < 2:
        return False
    total = cells.get(row + ".total")
    rows = {r.rsplit(".", 1)[0] for r in check.cells}
    return not (len(rows) == 1 and total is not None and total.status in ("blank", "placeholder"))


def apply(cells: Dict[str, Cell], checks: Sequence[Check]) -> List[Issue]:
    """Turn unconfirmed guessed cells ``suspect`` in place; return one issue per such cell."""
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
        column_guess = any(g in _COLUMN_GUESSES for g in cell.guesses)
        reordered = "columns_reordered" in cell.guesses
        if mine and not reordered and "decided_elsewhere" not in cell.guesses and not _weightless(cell) and \
                all(c.status == "pass" and _independent(c, cells) for c in mine) and \
                (not column_guess or any(_across_row(c, ref, cells) for c in mine)):
            continue
        failing = [c.id for c in mine if c.status == "fail"]
        open_ = [c.id for c in mine if c.status == "not_assessable" or (c.status == "pass" and not _independent(c, cells))]
        how = ", ".join(cell.guesses)
        if reordered:
            why = ("the table prints its columns in another order than the template's and this row was read by "
                   "count: a check cannot tell a row's 总计 from an applicant column holding the same number")
        elif failing:
            why = "the hard checks over it fail: " + ", ".join(failing)
        elif open_:
            why = "the hard checks over it cannot be assessed, or hold only through cells they forced: " \
                + ", ".join(open_)
        elif not mine:
            why = "no hard check covers it"
        elif column_guess and not _weightless(cell) and "decided_elsewhere" not in cell.guesses:
            why = "its column is a guess and no check across its row's columns confirms it"
        elif "decided_elsewhere" in cell.guesses:
            why = "only checks over other cells chose among its readings"
        else:
            why = "a 0 and an empty cell weigh the same in every check, so none can confirm where it goes"
        cell.status = "suspect"  # type: ignore[assignment]
        issues.append(Issue(level="warning", code="cell_suspect", cell=ref,
                            message=f"placed by a guess ({how}) and {why}; check the printed table"))
    return issues
