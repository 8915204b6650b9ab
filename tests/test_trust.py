"""The trust rule (RECORD.md): a value placed by any guess is ``ok`` only when the hard checks over it pass."""

from __future__ import annotations

from pathlib import Path

import govreport
from govreport import trust
from govreport.record import Cell, Check

ROOT = Path(__file__).resolve().parent.parent


def _check(status: str, cells, id_: str = "applications_balance[total]", severity: str = "hard") -> Check:
    return Check(id=id_, expr="a == b", severity=severity, status=status, lhs=1, rhs=2, cells=list(cells))


def test_a_guessed_cell_under_a_failing_check_is_suspect_and_named() -> None:
    cells = {"a.r.c": Cell(raw="5", status="ok", guesses=["by_order"]),
             "a.r.d": Cell(raw="6", status="ok")}
    issues = trust.apply(cells, [_check("fail", ["a.r.c", "a.r.d"])])
    assert cells["a.r.c"].status == "suspect"
    assert cells["a.r.d"].status == "ok"  # read as printed: the failed check is a finding about the document
    assert [(i.code, i.cell) for i in issues] == [("cell_suspect", "a.r.c")]
    assert "applications_balance[total]" in issues[0].message and "by_order" in issues[0].message


def test_a_guess_the_checks_confirm_stays_ok() -> None:
    cells = {"a.r.c": Cell(raw="5", status="ok", guesses=["digits_cut"])}
    assert trust.apply(cells, [_check("pass", ["a.r.c"]), _check("pass", ["a.r.c"], "other")]) == []
    assert cells["a.r.c"].status == "ok"


def test_a_guess_no_check_covers_or_that_cannot_be_assessed_is_suspect() -> None:
    cells = {"a.r.c": Cell(raw="5", status="ok", guesses=["lost_cells"]),
             "a.r.e": Cell(raw="", status="blank", guesses=["printed_empty"]),
             "a.r.f": Cell(raw="7", status="ok", guesses=["by_order"])}
    issues = trust.apply(cells, [_check("not_assessable", ["a.r.e"]), _check("pass", ["a.r.f"], severity="soft")])
    assert {r: c.status for r, c in cells.items()} == {"a.r.c": "suspect", "a.r.e": "suspect", "a.r.f": "suspect"}
    assert "no hard check covers it" in next(i.message for i in issues if i.cell == "a.r.c")
    assert "cannot be assessed" in next(i.message for i in issues if i.cell == "a.r.e")


def test_flagged_statuses_are_left_alone() -> None:
    cells = {"a.r.c": Cell(raw="5", status="ambiguous", candidates=[5, 50], guesses=["digits_cut"]),
             "a.r.d": Cell(raw=None, status="inferred", guesses=["lost_cells"])}
    assert trust.apply(cells, [_check("fail", ["a.r.c", "a.r.d"])]) == []
    assert [c.status for c in cells.values()] == ["ambiguous", "inferred"]


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "report.txt"
    p.write_text(text, "utf-8")
    return p


def test_a_row_placed_by_order_against_the_checks_is_suspect_in_the_record(tmp_path: Path) -> None:
    """The sample's 二、上年结转 row with its label moved away from its numbers and one number changed: the
    numbers are placed by order, the balance fails, and no wrong number is left ok."""
    text = (ROOT / "samples" / "sample-2021.txt").read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("二、上年结转政府信息公开申请数量"))
    fields = line.split("\t")
    numbers = [f for f in fields[1:] if f]
    numbers[0] = str(int(numbers[0]) + 7)  # the balance cannot hold
    moved = text.replace(line, "二、上年结转政府信息公开申请数量\n说明文字\n" + "\t".join(numbers))
    rec = govreport.extract(_write(tmp_path, moved)).to_dict()
    row = {k: v for k, v in rec["cells"].items() if k.startswith("applications.carried_over.")}
    assert row, rec["issues"]
    assert all(c["status"] != "ok" for c in row.values()), row
    assert any(i["code"] in ("cell_suspect", "cell_ambiguous", "cell_inferred", "cell_missing")
               for i in rec["issues"] if (i.get("cell") or "").startswith("applications.carried_over"))


def test_a_check_that_holds_through_a_cell_it_forced_confirms_nothing() -> None:
    """A row placed empty by a guess beside a sibling row the checks inferred: the sum holds by construction
    (the inferred row absorbs whatever the guessed one lacks), so it cannot confirm the guess."""
    cells = {"a.x.c": Cell(raw="", status="blank", guesses=["printed_empty"]),
             "a.y.c": Cell(raw=None, status="inferred", guesses=["row_not_found"]),
             "a.t.c": Cell(raw="3", status="ok")}
    issues = trust.apply(cells, [_check("pass", ["a.t.c", "a.x.c", "a.y.c"], "applications_results_sum[c]")])
    assert cells["a.x.c"].status == "suspect" and cells["a.t.c"].status == "ok"
    assert "forced" in issues[0].message


def test_a_guessed_zero_or_empty_cell_cannot_be_confirmed_by_a_sum() -> None:
    """Moving a 0 or an empty cell between two guessed places leaves every sum as it is."""
    cells = {"a.r.c": Cell(raw="0", status="ok", guesses=["by_column_offset"]),
             "a.r.d": Cell(raw="", status="blank", guesses=["by_column_offset"]),
             "a.r.e": Cell(raw="4", status="ok", guesses=["by_column_offset"])}
    issues = trust.apply(cells, [_check("pass", ["a.r.c", "a.r.d", "a.r.e"])])
    assert [c.status for c in cells.values()] == ["suspect", "suspect", "ok"]
    assert all("weigh the same" in i.message for i in issues)


def test_every_cell_of_a_failed_hard_check_is_named_and_keeps_its_value(tmp_path: Path) -> None:
    """A number read wrong (here: printed wrong) leaves a failed hard check as its only trace: each cell
    of the check is named by a `cell_in_failed_check` issue, its value and status left as read."""
    text = (ROOT / "samples" / "sample-2021.txt").read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("二、上年结转政府信息公开申请数量"))
    fields = line.split("\t")
    fields[3] = str(int(fields[3]) + 7)  # 自然人: the row total and the column balance cannot hold
    rec = govreport.extract(_write(tmp_path, text.replace(line, "\t".join(fields)))).to_dict()
    failed = {c["id"]: c["cells"] for c in rec["checks"] if c["status"] == "fail" and c["severity"] == "hard"}
    assert set(failed) == {"applications_column_total[carried_over]", "applications_balance[natural_person]"}
    named = {i["cell"]: i["message"] for i in rec["issues"] if i["code"] == "cell_in_failed_check"}
    assert set(named) == {ref for refs in failed.values() for ref in refs}
    assert all(i in named["applications.carried_over.natural_person"] for i in failed)
    assert rec["tables"]["applications"]["carried_over"]["natural_person"] == int(fields[3])
    assert rec["cells"]["applications.carried_over.natural_person"]["status"] == "ok"
    clean = govreport.extract(ROOT / "samples" / "sample-2021.txt").to_dict()
    assert not [i for i in clean["issues"] if i["code"] == "cell_in_failed_check"]

def test_a_column_guess_needs_a_check_across_its_row() -> None:
    """A number placed in a column by its count (the table has a column the template has not, or prints
    总计 first) is confirmed only by a check across its row: the column checks hold under any consistent
    mix-up of columns, and the row check of a result row whose 总计 is not filled holds by construction."""
    row = "applications.granted"
    cells = {f"{row}.natural_person": Cell(raw="9", status="ok", guesses=["added_column"]),
             f"{row}.commercial_enterprise": Cell(raw="5", status="ok", guesses=["added_column"]),
             f"{row}.total": Cell(raw="", status="blank", guesses=["added_column"])}
    down = _check("pass", [f"{row}.natural_person", "applications.total_processed.natural_person"],
                  "applications_results_sum[natural_person]")
    across = _check("pass", list(cells), "applications_row_total[granted]")
    trust.apply(cells, [down, across])
    assert cells[f"{row}.natural_person"].status == "suspect"
    assert cells[f"{row}.commercial_enterprise"].status == "suspect"
    # with its 总计 printed, the row check confirms the columns
    cells = {f"{row}.natural_person": Cell(raw="9", status="ok", guesses=["added_column"]),
             f"{row}.total": Cell(raw="9", status="ok", guesses=["added_column"])}
    trust.apply(cells, [down, _check("pass", list(cells), "applications_row_total[granted]")])
    assert cells[f"{row}.natural_person"].status == "ok"


def test_a_row_read_by_count_from_reordered_columns_is_never_confirmed() -> None:
    # 总计 1 printed first, then 自然人 … 其他 with 其他 = 1: read in template order the row and column
    # checks all hold, yet 自然人 and 总计 may be each other
    row = "applications.other_processing"
    cells = {f"{row}.natural_person": Cell(raw="1", status="ok", guesses=["columns_reordered"]),
             f"{row}.total": Cell(raw="1", status="ok", guesses=["columns_reordered"])}
    issues = trust.apply(cells, [_check("pass", list(cells), "applications_row_total[other_processing]")])
    assert {c.status for c in cells.values()} == {"suspect"}
    assert "another order" in issues[0].message


def test_the_trust_rule_is_one_table_of_reading_kinds_and_check_outcomes() -> None:
    """Every reading kind has a status for every check outcome; only a confirmed placement keeps its status."""
    kept = {(k, o) for k, row in trust.TRUST.items() for o, why in row.items() if why is None}
    assert set(trust.TRUST) == set(trust.ReadingKind)
    assert all(set(row) == set(trust.CheckOutcome) for row in trust.TRUST.values())
    assert kept == {(trust.ReadingKind.placed, trust.CheckOutcome.confirmed),
                    (trust.ReadingKind.placed, trust.CheckOutcome.confirmed_across),
                    (trust.ReadingKind.column, trust.CheckOutcome.confirmed_across)}


def test_a_row_check_confirms_a_column_unless_its_empty_cell_means_not_filled() -> None:
    """The null policy decides whether a row check over an empty cell holds by construction: an empty 总计
    that means "not filled" is taken as the row's sum; one that means 0 is a number like any other."""
    row = "applications.granted"

    def cells():
        return {f"{row}.natural_person": Cell(raw="9", status="ok", guesses=["added_column"]),
                f"{row}.total": Cell(raw="", status="blank")}

    for unfilled, status in (({f"{row}.total"}, "suspect"), (set(), "ok")):
        cs = cells()
        trust.apply(cs, [_check("pass", list(cs), "applications_column_total[granted]")], unfilled)
        assert cs[f"{row}.natural_person"].status == status
