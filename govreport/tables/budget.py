"""The bounds on the work of reading a table, so that no input can hang or exhaust ``extract``.

The digit budgets come from the template (``conventions.cell_digits`` of ``data/template.json``): the most
digits a cell of each column type can print. A digit run longer than the cells of the longest printed row
can hold together is text, never a number; the run-together cutting never makes a piece longer than its
column holds. Every number govreport converts has passed these bounds, so no ``int()`` meets Python's
4300-digit limit and no float overflows (a decimal has at most 15 significant digits, which a float keeps
exactly as printed).

The search budgets bound the candidate readings of a row and of a table and the nodes of the joint
search over them. They are far above what any report needs (the hardest table of the corpus, corpus-synth and the
samples takes 6 435 readings in all); past one, the cells involved are ``ambiguous`` or ``missing`` with a
``budget_reached`` issue, never a guess marked ``ok``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

# readings of one printed row (cuts of its runs, placements of lost cells)
READINGS_PER_ROW = 30_000
# steps of the cutting search of one row (a step places one piece); bounds the work where few cuts succeed
CUT_STEPS_PER_ROW = 300_000
# readings of all the rows of one table together (bounds the work of checking them against the row totals)
READINGS_PER_TABLE = 100_000
# the joint search over the rows' readings (per connected group of rows)
SEARCH_NODES = 150_000
SEARCH_LEAVES = 20_000
SEARCH_SOLUTIONS = 512

BUDGET_ISSUE = "budget_reached"
TOO_LONG_ISSUE = "number_too_long"


@lru_cache(maxsize=1)
def _digits() -> dict:
    from ..template import load_template

    return dict(load_template().cell_digits)


def int_digits(column_type: str) -> int:
    """The most digits before the point of a cell of ``column_type`` (int, signed_int, decimal)."""
    d = _digits()
    return int(d.get(column_type, d.get("int", 12)))


def decimal_places() -> int:
    return int(_digits().get("decimal_places", 6))


@lru_cache(maxsize=1)
def longest_run() -> int:
    """The most digits a run of several cells printed together can hold: the longest printed row of any
    table (table 四 prints its 15 cells as one row) times the longest cell. A longer run is text."""
    from ..template import load_template

    t = load_template()
    most = 0
    for v in t.versions.values():
        for table in v.tables.values():
            per_cell = max((int_digits(c.type) + (decimal_places() + 1 if c.allows_decimal else 0)
                            for r in table.data_rows for c in r.columns), default=0)
            cells = len(table.text_order) or max((len(r.columns) for r in table.data_rows), default=0)
            most = max(most, cells * per_cell)
    return most


_PARTS = re.compile(r"[+\-]?(\d+)(?:\.(\d+))?")


def fits(raw: str, column_type: str = "int") -> bool:
    """Whether the number ``raw`` (sign, digits, decimals) has no more digits than a cell of the type holds."""
    m = _PARTS.fullmatch(raw)
    if m is None:
        return False
    places = m.group(2)
    if places is not None and (column_type != "decimal" or len(places) > decimal_places()):
        return False
    return len(m.group(1)) <= int_digits(column_type)


def digit_count(raw: str) -> int:
    return sum(1 for ch in raw if ch.isdigit())


def plain_number(raw: str) -> Optional[int]:
    """The value of a digit run of prose or metadata, or None when it is longer than any cell holds
    (never raises: Python refuses to convert more than 4300 digits)."""
    if not raw.isdecimal() or len(raw) > int_digits("int"):
        return None
    return int(raw)
