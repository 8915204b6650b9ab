"""Unit tests of the table-recovery core: tokens, readings, the constraint search."""

from govreport.template import ColumnDef, load_template
from govreport.tables.readings import parse_number, row_readings
from govreport.rules import compile_table
from govreport.tables.recover import PrintedRow, recover
from govreport.tables.solve import Equation, propagate
from govreport.tables.tokens import Token, grid_cells, groups_in

INT = ColumnDef("c", "c", "int")
DEC = ColumnDef("d", "d", "decimal")
SIGNED = ColumnDef("s", "s", "signed_int")


def tok(raw: str) -> Token:
    return Token(raw, 0, len(raw), "num")


def test_parse_number_rules():
    assert parse_number("0", INT) == 0
    assert parse_number("07", INT) is None  # no leading zeros
    assert parse_number("12.5", INT) is None and parse_number("12.5", DEC) == 12.5
    assert parse_number("-8", INT) is None and parse_number("-8", SIGNED) == -8


def test_cuts_of_a_run_without_leading_zeros():
    readings, truncated = row_readings([tok("100153")], [INT, INT, INT])
    values = {tuple(p.value for p in r.pieces) for r in readings}
    assert (10, 0, 153) in values and (100, 15, 3) in values
    assert all(not str(v).startswith("0") or v == 0 for vs in values for v in vs)
    assert not truncated


def test_exact_row_has_one_reading():
    readings, _ = row_readings([tok(x) for x in "1 2 3".split()], [INT, INT, INT])
    assert len(readings) == 1 and [p.kind for p in readings[0].pieces] == ["printed"] * 3


def test_lost_cell_readings_only_when_no_exact_reading():
    readings, _ = row_readings([tok("0"), tok("0")], [INT, INT, INT])
    assert len(readings) == 3 and all(r.lossy for r in readings)


def test_groups_split_at_text_and_markdown_rows():
    text = "一、本年新收 1 2 3\n4 二、上年 | 5 | 6 |\n| 7 | 8 |"
    groups = [[t.raw for t in g.tokens] for g in groups_in(text, 0, len(text))]
    assert groups == [["1", "2", "3"], ["4"], ["5", "6"], ["7", "8"]]


def test_one_number_per_line_dumps_stay_one_group():
    text = "一、本年新收政府信息公开申请数量\n3\n0\n0\n0\n0\n0\n3\n二、"
    groups = [[t.raw for t in g.tokens] for g in groups_in(text, 0, len(text))]
    assert groups == [["3", "0", "0", "0", "0", "0", "3"]]


def test_grid_cells_keep_empty_positions():
    text = "规章\t0\t\t3\t\t\n"
    cells = grid_cells(text, 2, len(text) - 1)
    assert [c.kind for c in cells] == ["num", "empty", "num", "empty", "empty"]


def test_propagation_solves_single_unknowns_and_zero_sums():
    eqs = [Equation("a", ((1, "t"), (-1, "x"), (-1, "y"))), Equation("b", ((1, "x"), (-1, "z")))]
    values = {"t": 0, "x": None, "y": None, "z": None}
    forced = {}
    assert propagate(values, eqs, forced) is None
    assert values == {"t": 0, "x": 0, "y": 0, "z": 0}
    values = {"t": 5, "x": None, "y": None, "z": 2}
    assert propagate(values, eqs, {}) is None
    assert values["x"] == 2 and values["y"] == 3
    assert propagate({"t": 1, "x": 2, "y": 0, "z": 2}, eqs, {}) == "a"


def _applications_rows(tokens_by_row):
    table = load_template().versions["2021"].tables["applications"]
    rows = []
    for r in table.data_rows:
        refs = tuple(f"applications.{r.key}.{c.key}" for c in r.columns)
        rows.append(PrintedRow(refs, r.columns, [tok(x) for x in tokens_by_row.get(r.key, ["0"] * 7)]))
    template = load_template()
    eqs = compile_table(template, template.versions["2021"].tables["applications"]).equations(
        {ref for pr in rows for ref in pr.refs})
    return rows, eqs


def test_run_together_rows_decided_jointly_by_column_checks():
    # 220000325 alone reads 22/0/0/0/0/3/25 or 2/20/0/0/0/3/25; the 自然人 column decides
    rows, eqs = _applications_rows({
        "new_received": ["25", "0", "0", "0", "0", "3", "28"],
        "unable_not_held": ["220000325"],
        "granted": ["3", "0", "0", "0", "0", "0", "3"],
        "total_processed": ["25", "0", "0", "0", "0", "3", "28"],
    })
    cells, notes = recover(rows, eqs)
    assert cells["applications.unable_not_held.natural_person"].value == 22
    assert cells["applications.unable_not_held.natural_person"].status == "inferred"
    assert cells["applications.granted.natural_person"].status == "ok"


def test_a_lost_cell_is_inferred_only_when_forced():
    rows, eqs = _applications_rows({"carried_over": ["0", "0", "0", "0", "0", "0"]})
    cells, _ = recover(rows, eqs)
    statuses = {cells[f"applications.carried_over.{c}"].status for c in
                ("natural_person", "commercial_enterprise", "total")}
    assert {cells[f"applications.carried_over.{c}"].value for c in ("natural_person", "total")} == {0}
    assert statuses <= {"inferred"}


def test_inconsistent_printed_values_are_kept_and_not_repaired():
    rows, eqs = _applications_rows({"granted": ["1", "0", "0", "0", "0", "0", "5"]})
    cells, _ = recover(rows, eqs)
    assert cells["applications.granted.total"].value == 5
    assert cells["applications.granted.total"].status == "ok"


def test_keyword_label_takes_its_own_list_marker_not_the_numbers_digits():
    """A label found by keyword (its 、 lost) must not swallow the last digit of the row above: '…10' + '2.申请人…'."""
    import govreport

    from pathlib import Path
    import tempfile

    text = (Path(__file__).resolve().parent.parent / "samples" / "sample-2021.txt").read_text("utf-8")
    damaged = text.replace("缴纳费用、行政机关", "缴纳费用行政机关", 1)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "r.txt"
        p.write_text(damaged, "utf-8")
        rec = govreport.extract(p)
    truth = (Path(__file__).resolve().parent.parent / "samples" / "sample-2021.truth.json").read_text("utf-8")
    import json

    expected = json.loads(truth)["tables"]["applications"]
    assert rec.tables["applications"]["other_no_correction"] == expected["other_no_correction"]
    assert rec.tables["applications"]["other_fee_unpaid"] == expected["other_fee_unpaid"]
