"""The rules engine: one value model (what an empty cell means, from the template's null_policy as data),
rules compiled once per table (collapsed rows applied there), one evaluator for checks, recovery, ranking
and the cross-year checks."""

from __future__ import annotations

import copy
import dataclasses
import json
from importlib import resources
from typing import Any, Dict, Optional

from govreport import checks
from govreport.batch.crossyear import cross_year_checks
from govreport.record import Cell
from govreport.rules import EmptyMeans, compile_table, evaluate, values_of
from govreport.rules.engine import compile_rule
from govreport.tables.recover import rows_from_obs
from govreport.template import CheckDef, Template, Term, load_template, template_from_dict


def _raw() -> Dict[str, Any]:
    return json.loads(resources.files("govreport").joinpath("data/template.json").read_text("utf-8"))


def _template_from(raw: Dict[str, Any]) -> Template:
    """A template object from (a modified copy of) template.json's data, through the one validated loader."""
    return template_from_dict(raw)


def _extra(template: Template, version: str, key: str):
    return (template.versions[version].tables["applications"].row(key), version)


def test_empty_means_comes_from_the_null_policy_data() -> None:
    t = load_template()
    rules = compile_table(t, t.versions["2021"].tables["applications"])
    assert rules.means("applications.granted.total") is EmptyMeans.unfilled  # a result sub-row's 总计
    assert rules.means("applications.denied_state_secret.total") is EmptyMeans.unfilled  # at any depth
    assert rules.means("applications.other_other.total") is EmptyMeans.unfilled
    assert rules.means("applications.granted.natural_person") is EmptyMeans.zero  # an applicant cell
    for row in ("new_received", "carried_over", "total_processed", "carried_forward"):
        assert rules.means(f"applications.{row}.total") is EmptyMeans.zero
    t4 = compile_table(t, t.versions["2021"].tables["review_litigation"])
    assert set(t4.empty.values()) == {EmptyMeans.zero}


def test_the_other_versions_result_sub_rows_follow_the_same_policy() -> None:
    """The （六） sub-rows of 2021 printed in a 2019-format table 三: an empty 总计 there is "not filled" for
    recovery and for the checks alike (the checks took it as 0 before; the null policy says not filled)."""
    t = load_template()
    table = t.versions["2019"].tables["applications"]
    rules = compile_table(t, table, [_extra(t, "2021", "other_no_correction")])
    ref = "applications.other_no_correction.total"
    assert rules.means(ref) is EmptyMeans.unfilled
    cols = [c.key for c in table.row("granted").columns]
    refs = tuple(f"applications.other_no_correction.{c}" for c in cols)
    assert rules.unfilled_refs(refs) == frozenset({ref})  # recovery's "free" cells (rows_from_obs)
    values: Dict[str, Optional[float]] = {r: 1 for r in refs if r != ref}
    cells = {r: Cell(raw="1", status="ok") for r in refs if r != ref}
    cells[ref] = Cell(raw="", status="blank")
    assert checks.resolve(ref, values, cells, {"applications": rules}) == (6, None)  # derived as the row sum
    cells[refs[0]] = Cell(raw=None, status="missing")
    assert checks.resolve(ref, values, cells, {"applications": rules}) == (None, f"{ref} not filled")
    # and the 2019 row （六）其他处理 printed in a 2021-format table
    rules21 = compile_table(t, t.versions["2021"].tables["applications"], [_extra(t, "2019", "other_processing")])
    assert rules21.means("applications.other_processing.total") is EmptyMeans.unfilled


def test_recovery_reads_the_same_policy() -> None:
    """rows_from_obs marks exactly the cells the compiled table says are "not filled" when empty."""
    t = load_template()
    table = t.versions["2021"].tables["applications"]
    rules = compile_table(t, table)

    @dataclasses.dataclass
    class Obs:
        row: Any
        tokens: list
        positional: bool = False
        guesses: tuple = ()

    printed = rows_from_obs(rules, {r.key: Obs(r, []) for r in table.data_rows})
    free = {ref for p in printed for ref in p.free_refs}
    assert free == {ref for ref, m in rules.empty.items() if m is EmptyMeans.unfilled}
    assert "applications.granted.total" in free and "applications.total_processed.total" not in free


def test_a_policy_change_is_a_template_change_only() -> None:
    """Change one entry of the null policy in template.json's data: the same table, the same printed cells,
    another outcome, with no code change."""
    raw = _raw()
    t_official = _template_from(raw)
    changed = copy.deepcopy(raw)
    changed["conventions"]["null_policy"]["unfilled"] = []  # every empty cell means 0
    t_changed = _template_from(changed)
    table = t_official.versions["2021"].tables["applications"]
    ref = "applications.granted.total"
    refs = [f"applications.granted.{c.key}" for c in table.row("granted").columns]
    cells = {r: Cell(raw="2", status="ok") for r in refs if r != ref}
    cells[ref] = Cell(raw="", status="blank")
    values = {r: 2 for r in refs if r != ref}
    official = compile_table(t_official, table)
    zero = compile_table(t_changed, table)
    assert checks.resolve(ref, values, cells, {"applications": official})[0] == 12
    assert checks.resolve(ref, values, cells, {"applications": zero})[0] == 0
    rule = next(r for r in official.rules if r.id == "applications_column_total[granted]")
    outcome = {name: checks.evaluate([rule], values, cells, {"applications": tr})[0].status
               for name, tr in (("official", official), ("zero", zero))}
    assert outcome == {"official": "pass", "zero": "fail"}
    # and recovery's free cells (an empty one is unknown, not 0) follow the same data
    assert official.unfilled_refs(refs) == {ref} and zero.unfilled_refs(refs) == frozenset()


def test_a_severity_change_is_a_template_change_only() -> None:
    raw = _raw()
    changed = copy.deepcopy(raw)
    for c in changed["versions"]["2021"]["constraints"]:
        if c["id"] == "applications_column_total":
            c["severity"] = "soft"
    table_key = "applications"
    before = compile_table(_template_from(raw), load_template().versions["2021"].tables[table_key])
    after = compile_table(_template_from(changed), load_template().versions["2021"].tables[table_key])
    refs = set(before.empty)
    ids = {r.id for r in before.equations(refs)} - {r.id for r in after.equations(refs)}
    assert ids and all(i.startswith("applications_column_total[") for i in ids)
    assert {r.severity for r in after.rules if r.id in ids} == {"soft"}


def test_a_collapsed_row_stands_for_its_group_only_when_the_group_is_not_printed() -> None:
    t = load_template()
    table = t.versions["2021"].tables["applications"]
    extra = [_extra(t, "2019", "other_processing")]
    collapsed = compile_table(t, table, extra, printed=["granted", "total_processed"])
    rule = next(r for r in collapsed.rules if r.id == "applications_results_sum[total]")
    assert "applications.other_processing.total" in rule.refs
    assert not any(".other_other." in ref for ref in rule.refs)
    assert rule.expr.endswith("[（六） printed as one row: other_processing]")
    assert collapsed.collapsed == {"other_no_correction": "other_processing", "other_fee_unpaid": "other_processing",
                                   "other_other": "other_processing"}
    # the report prints the （六） sub-rows too: the extra row changes no rule
    printed = compile_table(t, table, extra, printed=["granted", "other_other"])
    assert [r.refs for r in printed.rules] == [r.refs for r in compile_table(t, table).rules]
    assert printed.collapsed == {}


def test_one_evaluator_with_one_tolerance() -> None:
    t = load_template()
    rule = compile_rule(next(c for c in t.versions["2021"].checks if c.id == "applications_balance[total]"))
    refs = rule.refs
    vals = {refs[0]: 3, refs[1]: 1, refs[2]: 2, refs[3]: 2}
    assert evaluate(rule, values_of(vals)).status == "pass"
    assert evaluate(rule, values_of({**vals, refs[3]: 3})).status == "fail"
    v = evaluate(rule, values_of({**vals, refs[3]: None}))
    assert v.status == "not_assessable" and v.lhs == 4 and v.rhs is None
    fee = compile_rule(CheckDef("fees", "fees", "hard", "per_row", "t.a.fee == t.b.fee", "==",
                                (Term(1, "t.a.fee"),), (Term(1, "t.b.fee"),), "t"))
    assert evaluate(fee, values_of({"t.a.fee": 1.004, "t.b.fee": 1.0})).status == "pass"  # within 0.005 万元
    assert evaluate(fee, values_of({"t.a.fee": 1.006, "t.b.fee": 1.0})).status == "fail"
    ge = compile_rule(CheckDef("ge", "ge", "soft", "per_row", "t.a.x >= t.b.x", ">=",
                               (Term(1, "t.a.x"),), (Term(1, "t.b.x"),), "t"))
    assert [evaluate(ge, values_of({"t.a.x": a, "t.b.x": 2})).status for a in (1, 2, 3)] == ["fail", "pass", "pass"]


def test_cross_year_checks_use_the_same_evaluator() -> None:
    def rec(year: int, carried_over: int, carried_forward: int, status: str = "ok") -> Dict[str, Any]:
        cols = ["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
                "legal_service_org", "other_org", "total"]
        tables = {"applications": {"carried_over": dict.fromkeys(cols, carried_over),
                                   "carried_forward": dict.fromkeys(cols, carried_forward)}}
        cells = {f"applications.carried_over.{c}": {"status": status} for c in cols}
        return {"report": {"issuer": "某县人民政府", "year": year, "template": "2021"}, "tables": tables,
                "cells": cells}

    got = {c["id"]: c["status"] for c in cross_year_checks([rec(2022, 0, 5), rec(2023, 5, 0)])
           if c["id"].startswith("applications_carry_chain")}
    assert got and set(got.values()) == {"pass"}
    got = {c["id"]: c["status"] for c in cross_year_checks([rec(2022, 0, 5), rec(2023, 4, 0)])
           if c["id"].startswith("applications_carry_chain")}
    assert set(got.values()) == {"fail"}
    got = {c["id"]: c["status"] for c in cross_year_checks([rec(2022, 0, 5), rec(2023, 5, 0, "suspect")])
           if c["id"].startswith("applications_carry_chain")}
    assert set(got.values()) == {"not_assessable"}  # an uncertain cell has no value for any rule
    # a cell printed empty is the null policy's value here too: 结转下年度 empty last year means 0
    prev = rec(2022, 0, 0)
    for col in prev["tables"]["applications"]["carried_forward"]:
        prev["tables"]["applications"]["carried_forward"][col] = None
        prev["cells"][f"applications.carried_forward.{col}"] = {"status": "blank", "raw": ""}
    got = {c["id"]: (c["status"], c["rhs"]) for c in cross_year_checks([prev, rec(2023, 0, 0)])
           if c["id"].startswith("applications_carry_chain")}
    assert set(got.values()) == {("pass", 0)}
    got = {c["id"]: c["status"] for c in cross_year_checks([prev, rec(2023, 2, 0)])
           if c["id"].startswith("applications_carry_chain")}
    assert set(got.values()) == {"fail"}


def test_a_policy_change_changes_the_record_with_no_code_change(tmp_path) -> None:
    """The bundled HTML sample with the 总计 of （一）予以公开 printed empty: the official null policy takes
    it as "not filled" (the row's sum), every check holds; the same template with that policy entry removed
    (an empty cell means 0) passed to ``extract`` fails the row and column checks over it."""
    import re
    from pathlib import Path

    import govreport
    from govreport.template import template_from_dict

    html = (Path(__file__).resolve().parent.parent / "samples" / "sample-2021.html").read_bytes().decode("gb18030")
    start = [m.start() for m in re.finditer("予以公开", html)][-1]
    end = html.index("</tr>", start)
    row = html[start:end]
    cut = row.rfind(">255<")
    assert cut > 0
    doc = tmp_path / "report.html"
    doc.write_bytes((html[:start] + row[:cut] + "><" + row[cut + 5:] + html[end:]).encode("gb18030"))
    changed = _raw()
    changed["conventions"]["null_policy"]["unfilled"] = []
    wanted = ("applications_column_total[granted]", "applications_results_sum[total]")
    for template, status, checks_ in ((None, "ok", {"pass"}), (template_from_dict(changed), "failed_checks", {"fail"})):
        rec = govreport.extract(doc, template=template).to_dict()
        assert rec["cells"]["applications.granted.total"]["status"] == "blank"
        assert rec["tables"]["applications"]["granted"]["total"] is None  # blank is not zero, whatever the policy
        assert rec["status"] == status
        assert {c["status"] for c in rec["checks"] if c["id"] in wanted} == checks_
