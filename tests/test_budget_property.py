"""The work budgets hold however long the digit runs and however many the rows (hypothesis).

Counted, never timed: the cutting search's steps (``readings.Steps``), the readings of a row and of a
table, and the joint search's nodes (``solve.Outcome.nodes``) stay within ``tables/budget.py``; no run,
however long, raises (Python's 4300-digit ``int`` limit, float overflow) or becomes a number longer than a
cell prints; a row cut short by the budget never yields an ``ok`` or ``inferred`` cell. The CI variants
test the same examples every run; the ``fuzz`` variants explore (``bench/fuzz.py``).
"""

from __future__ import annotations

import contextlib
from typing import Dict, Iterator, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import govreport
import hostile
from fuzzing import CI, fuzz_settings
from govreport.tables import budget, recover as recover_mod
from govreport.tables.readings import Steps, row_readings
from govreport.rules import compile_table
from govreport.tables.recover import PrintedRow, recover
from govreport.tables.tokens import Token, groups_in
from govreport.template import load_template

_TEMPLATE = load_template()
_T = _TEMPLATE.versions["2021"]
_APP = _T.tables["applications"]
_ROWS = list(_APP.data_rows)
_REFS = {r.key: tuple(f"applications.{r.key}.{c.key}" for c in r.columns) for r in _ROWS}
_EQS = compile_table(_TEMPLATE, _APP).equations({x for refs in _REFS.values() for x in refs})
_LONGEST = budget.int_digits("int")

# digit runs from a handful of digits to far past anything a row holds; a few leading zeros
_RUN = st.one_of(st.text("0123456789", min_size=1, max_size=12),
                 st.integers(10, 400).map(lambda n: hostile.digits(n, n)),
                 st.integers(400, 6000).map(lambda n: hostile.digits(n, n)),
                 st.sampled_from(["0" * 50, "1" * 90, "9" * 4400, "12.5", "0.000001", "-3"]))
_ROW = st.lists(_RUN, min_size=1, max_size=9)


def _tokens(raws: List[str]) -> List[Token]:
    out, pos = [], 0
    for raw in raws:
        out.append(Token(raw, pos, pos + len(raw), "num"))
        pos += len(raw) + 1
    return out


def check_row(raws: List[str]) -> None:
    steps = Steps()
    readings, truncated = row_readings(_tokens(raws), _ROWS[0].columns, steps=steps)
    assert len(readings) <= budget.READINGS_PER_ROW
    assert budget.CUT_STEPS_PER_ROW - steps.left <= budget.CUT_STEPS_PER_ROW + 1  # the step that found it out
    for r in readings:
        for p in r.pieces:
            assert p.value is None or len(str(int(abs(p.value)))) <= _LONGEST, p.raw
    if steps.left < 0:
        assert truncated


@contextlib.contextmanager
def counted() -> Iterator[Dict[str, int]]:
    """Count the readings ``recover`` asks for and the nodes its searches try."""
    seen = {"readings": 0, "nodes": 0}
    real_readings, real_solve = recover_mod.row_readings, recover_mod.solve

    def readings(*a, **kw):
        out = real_readings(*a, **kw)
        seen["readings"] += len(out[0])
        return out

    def solve(*a, **kw):
        out = real_solve(*a, **kw)
        seen["nodes"] = max(seen["nodes"], out.nodes)
        return out

    recover_mod.row_readings, recover_mod.solve = readings, solve
    try:
        yield seen
    finally:
        recover_mod.row_readings, recover_mod.solve = real_readings, real_solve


def check_table(rows: List[List[str]]) -> None:
    printed = []
    for i, raws in enumerate(rows):
        r = _ROWS[i % len(_ROWS)]
        printed.append(PrintedRow(_REFS[r.key], r.columns, _tokens(raws)))
    with counted() as seen:
        cells, notes = recover(printed, _EQS)
    assert seen["readings"] <= budget.READINGS_PER_TABLE
    assert seen["nodes"] <= budget.SEARCH_NODES + 1
    codes = {code for code, _ in notes}
    for ref, c in cells.items():
        assert c.value is None or len(str(int(abs(c.value)))) <= _LONGEST, (ref, c.value)
        if c.status in ("ok", "inferred") and "budget_reached" in codes:
            # a cell decided though the budget was reached: only a row read exactly as printed
            assert c.raw is not None and c.status == "ok" or c.decided_by, (ref, c)


@settings(max_examples=40, **CI)
@given(raws=_ROW)
def test_row_budget_holds(raws):
    check_row(raws)


@pytest.mark.fuzz
@fuzz_settings(3000)
@given(raws=_ROW)
def test_row_budget_holds_fuzz(raws):
    check_row(raws)


@settings(max_examples=15, **CI)
@given(rows=st.lists(_ROW, min_size=1, max_size=30))
def test_table_budget_holds(rows):
    check_table(rows)


@pytest.mark.fuzz
@fuzz_settings(500)
@given(rows=st.lists(_ROW, min_size=1, max_size=60))
def test_table_budget_holds_fuzz(rows):
    check_table(rows)


def _document(run: str, copies: int, tmp_path_factory) -> dict:
    text = hostile.sample_text()
    rows = hostile.table3_lines(text)
    block = "\n".join(hostile.run_together(r) for r in rows)
    text = text.replace("\n".join(rows), "\n".join([block] * copies))
    text = text.replace(hostile.run_together(rows[0]), "一、本年新收政府信息公开申请数量 " + run, 1)
    path = tmp_path_factory.mktemp("budget") / "report.txt"
    path.write_text(text, "utf-8")
    return govreport.extract(path).to_dict()


def check_document_record(rec: dict) -> None:
    for rows in rec["tables"].values():
        for cols in rows.values():
            for v in cols.values():
                assert v is None or len(str(int(abs(v)))) <= _LONGEST, v


@settings(max_examples=8, **CI)
@given(run=_RUN, copies=st.integers(1, 40))
def test_document_with_growing_runs_and_rows(run, copies, tmp_path_factory):
    check_document_record(_document(run, copies, tmp_path_factory))


@pytest.mark.fuzz
@fuzz_settings(200)
@given(run=_RUN, copies=st.integers(1, 400))
def test_document_with_growing_runs_and_rows_fuzz(run, copies, tmp_path_factory):
    check_document_record(_document(run, copies, tmp_path_factory))


def test_groups_never_hold_a_run_longer_than_a_row() -> None:
    text = "一、本年新收 " + "7" * (budget.longest_run() + 1) + " 5 6\n"
    groups = groups_in(text, 0, len(text))
    assert [t.raw for g in groups for t in g.tokens] == ["5", "6"]
