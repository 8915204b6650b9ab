"""The unit registry: the join, the level guessed from the name, cross-year checks by unit_id, the hierarchy
check of a region-wide report against its children's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from batch_tasks import write_reports
from govreport.batch import units
from govreport.batch.inputs import collect
from govreport.batch.session import BatchOptions, run_batch
from govreport.errors import BadInputError

REGISTRY = """unit_id,name,file,unit_type,adcode,parent_id,covers_children
C1,云溪市人民政府,,city,450100,,
X1,云溪县人民政府,,county,450121,C1,yes
X1,溪县人民政府,,county,,,
T1,溪口镇人民政府,,town_street,450121100,X1,
D1,,r03.txt,department,,X1,
"""


@pytest.mark.parametrize("name, level", [
    ("广东省人民政府", "province"), ("内蒙古自治区人民政府", "province"), ("上海市人民政府", "province"),
    ("广州市人民政府", "city"), ("延边朝鲜族自治州人民政府", "city"), ("锡林郭勒盟行政公署", "city"),
    ("云溪县人民政府", "county"), ("天河区人民政府", "county"), ("鄂温克族自治旗人民政府", "county"),
    ("溪口镇人民政府", "town_street"), ("石牌街道办事处", "town_street"), ("龙潭乡", "town_street"),
    ("云溪县交通运输局", "department"), ("广州市发展和改革委员会", "department"),
    ("云溪县人民政府办公室", "department"), ("云溪经济技术开发区管理委员会", "zone"),
    ("苏州工业园区管委会", "zone"), ("浦东新区人民政府", "county"), ("政务公开", None), (None, None),
])
def test_level_guessed_from_the_name(name, level) -> None:
    assert units.guess_unit_type(name) == level


def _registry(tmp_path: Path, text: str = REGISTRY) -> units.Registry:
    f = tmp_path / "units.csv"
    f.write_text("\ufeff" + text, "utf-8")
    return units.load_registry(f)


def test_registry_rows_aliases_and_errors(tmp_path: Path) -> None:
    reg = _registry(tmp_path)
    assert sorted(reg.units) == ["C1", "D1", "T1", "X1"]
    assert reg.units["X1"].adcode == "450121" and reg.units["X1"].covers_children is True
    assert reg.match(None, "溪县 人民政府")[0].unit_id == "X1"  # an alias, white space ignored
    assert reg.match("/a/r03.txt", "云溪县人民政府") == (reg.units["D1"], "file")  # a file match wins
    assert reg.children("X1") == ["D1", "T1"]
    for bad, message in [
        ("unit_id,name,unit_type\nA,甲,village\n", "line 2: unit_type 'village' is not one of"),
        ("unit_id,name,unit_type,parent_id\nA,甲,county,Z\n", "parent_id 'Z' is not a unit_id"),
        ("unit_id,name,unit_type\nA,甲,county\nB,甲,county\n", "line 3: the name '甲' is already unit A"),
        ("unit_id,name,unit_type\nA,甲,county\nA,乙,city\n", "line 3: unit A: unit_type 'city' differs"),
        ("unit_id,unit_type\nA,county\n", "needs the columns unit_id, unit_type and name or file"),
    ]:
        with pytest.raises(BadInputError, match=message):
            _registry(tmp_path, bad)


def test_batch_joins_units_and_chains_years_by_unit_id(tmp_path: Path) -> None:
    # 云溪县 renamed itself 溪县 in 2023: by name the years do not chain, by unit_id they do
    d = tmp_path / "reports"
    truths = write_reports(d, [("云溪县人民政府", 2022), ("溪县人民政府", 2023), ("溪口镇人民政府", 2023),
                               ("某某局", 2023), ("青山县人民政府", 2023)])
    reg = _registry(tmp_path)
    out = io.BytesIO()
    s = run_batch(collect([str(d)]), BatchOptions(units=reg), stream=out)
    recs = {Path(r["source"]["path"]).name: r for r in map(json.loads, out.getvalue().splitlines())}
    assert recs["r00.txt"]["unit"] == {"unit_id": "X1", "name": "云溪县人民政府", "adcode": "450121",
                                       "unit_type": "county", "parent_id": "C1", "matched_by": "name",
                                       "guessed": False}
    assert recs["r01.txt"]["unit"]["unit_id"] == "X1"
    assert (recs["r03.txt"]["unit"]["unit_id"], recs["r03.txt"]["unit"]["matched_by"]) == ("D1", "file")
    assert recs["r04.txt"]["unit"] == {"unit_id": None, "name": "青山县人民政府", "adcode": None,
                                       "unit_type": "county", "parent_id": None, "matched_by": None, "guessed": True}
    carry = next(c for c in s.cross_year if c["id"] == "applications_carry_chain[total]")
    prev_forward = truths["r00.txt"]["tables"]["applications"]["carried_forward"]["total"]
    this_over = truths["r01.txt"]["tables"]["applications"]["carried_over"]["total"]
    assert (carry["unit_id"], carry["issuer"], carry["year"], carry["lhs"], carry["rhs"]) == (
        "X1", "溪县人民政府", 2023, this_over, prev_forward)
    assert carry["status"] == ("pass" if this_over == prev_forward else "fail")
    # the copied-text check runs on the parent's compact records too (their prose sketches): the generator
    # writes the same 五、 prose every year, with other numbers
    text = {c["id"]: c for c in s.cross_year if c["id"].startswith("text_similarity")}
    assert text["text_similarity[problems_and_improvements]"]["status"] == "fail"
    assert text["text_similarity[problems_and_improvements]"]["unit_id"] == "X1"
    # without the registry the renamed body has no previous year
    assert run_batch(collect([str(d)]), BatchOptions(), stream=io.BytesIO()).cross_year == []


def _rec(uid: str, year: int, received: int, review: int = 1, covers: bool = False, status: str = "ok") -> dict:
    return {"report": {"issuer": f"{uid}机关", "year": year, "template": "2021"},
            "tables": {"applications": {"new_received": {"natural_person": received, "total": received}},
                       "review_litigation": {"review": {"total": review}}},
            "cells": {"applications.new_received.total": {"status": status}} if status != "ok" else {},
            "unit": {"unit_id": uid}, "covers_children": covers}


def test_hierarchy_check_parent_against_the_sum_of_its_children(tmp_path: Path) -> None:
    reg = _registry(tmp_path, "unit_id,name,unit_type,parent_id,covers_children\nP,甲县,county,,\n"
                              "Q,乙县,county,,no\nA,甲镇,town_street,P,\nB,乙镇,town_street,P,\nC,丙镇,town_street,Q,\n")
    records = [_rec("P", 2023, 30, review=3, covers=True), _rec("A", 2023, 10), _rec("B", 2023, 20, review=1),
               _rec("P", 2022, 9, covers=True), _rec("A", 2022, 4),  # 2022: 乙镇 has no report
               _rec("Q", 2023, 5, covers=True), _rec("C", 2023, 5)]  # the registry says Q does not cover C
    got = {(c["unit_id"], c["year"], c["id"]): c for c in units.hierarchy_checks(records, reg)}
    assert sorted(got) == [("P", 2022, "hierarchy_sum[applications.new_received.total]"),
                           ("P", 2022, "hierarchy_sum[review_litigation.review.total]"),
                           ("P", 2023, "hierarchy_sum[applications.new_received.total]"),
                           ("P", 2023, "hierarchy_sum[review_litigation.review.total]")]
    received = got[("P", 2023, "hierarchy_sum[applications.new_received.total]")]
    assert (received["status"], received["lhs"], received["rhs"], received["children"]) == ("pass", 30, 30, ["A", "B"])
    review = got[("P", 2023, "hierarchy_sum[review_litigation.review.total]")]
    assert (review["status"], review["lhs"], review["rhs"], review["severity"]) == ("fail", 3, 2, "soft")
    partial = got[("P", 2022, "hierarchy_sum[applications.new_received.total]")]
    assert (partial["status"], partial["missing_children"], partial["covers_by"]) == ("not_assessable", ["B"], "text")
    # a parent that does not say it covers them is not compared; an unreadable child cell is not assessable
    records[0]["covers_children"] = False
    assert not any(k[:2] == ("P", 2023) for k in
                   {(c["unit_id"], c["year"]) for c in units.hierarchy_checks(records, reg)})
    records[0]["covers_children"] = True
    records[1] = _rec("A", 2023, 10, status="ambiguous")
    again = {(c["unit_id"], c["year"], c["id"]): c for c in units.hierarchy_checks(records, reg)}
    assert again[("P", 2023, "hierarchy_sum[applications.new_received.total]")]["status"] == "not_assessable"


def test_a_report_says_it_covers_its_region() -> None:
    assert units.says_it_covers({"report": {"title": "x"}, "sections": [
        {"number": 1, "key": "overall", "text": "2023年，全县共收到政府信息公开申请120件。"}]})
    assert not units.says_it_covers({"report": {"title": "云溪县交通运输局2023年政府信息公开工作年度报告"},
                                     "sections": [{"number": 1, "text": "本局坚持公开为常态。"}]})


def test_cli_check_hierarchy_needs_units(tmp_path: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "govreport", "batch", str(tmp_path), "--check-hierarchy"],
                       capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 2 and "--check-hierarchy needs --units FILE" in r.stderr


def test_batch_check_hierarchy_end_to_end_into_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.dataset as pads

    from govreport.export import ParquetDataset

    d = tmp_path / "reports"
    truths = write_reports(d, [("云溪县人民政府", 2023), ("溪口镇人民政府", 2023), ("某某局", 2023)])
    reg = _registry(tmp_path)  # 云溪县 (X1) covers its children 溪口镇 (T1) and r03.txt's 某某局 (D1)
    (d / "r02.txt").rename(d / "r03.txt")
    truths["r03.txt"] = truths.pop("r02.txt")
    sink = ParquetDataset(tmp_path / "dataset")
    s = run_batch(collect([str(d)]), BatchOptions(fmt="parquet", units=reg, check_hierarchy=True), sink=sink.add)
    sink.close(s.cross_year, s.hierarchy)
    received = next(c for c in s.hierarchy if c["id"] == "hierarchy_sum[applications.new_received.total]")
    total = [truths[n]["tables"]["applications"]["new_received"]["total"] for n in ("r00.txt", "r01.txt", "r03.txt")]
    assert (received["unit_id"], received["lhs"], received["rhs"]) == ("X1", total[0], total[1] + total[2])
    assert received["status"] == ("pass" if total[0] == total[1] + total[2] else "fail")
    assert received["children"] == ["D1", "T1"] and received["covers_by"] == "registry"
    rows = pads.dataset(str(tmp_path / "dataset" / "hierarchy_checks"), partitioning="hive").to_table().to_pylist()
    assert len(rows) == len(s.hierarchy) > 10
    got = next(r for r in rows if r["id"] == received["id"])
    assert (got["year"], got["lhs"], got["rhs"], got["children"]) == (2023, total[0], total[1] + total[2], ["D1", "T1"])


def test_across_keeps_records_on_disk_and_gives_what_the_checks_give_over_all_of_them(tmp_path: Path) -> None:
    """The parent keeps each body-year's compact record (and a duplicate's tables) in a temporary file, only
    their places in memory; the cross-year results, duplicates and hierarchy records are exactly those of
    the checks run over every record at once (the last record of a body and year kept)."""
    from govreport.batch.crossyear import cross_year_checks

    d = tmp_path / "reports"
    specs = [("云溪县人民政府", 2021), ("云溪县人民政府", 2022), ("云溪县人民政府", 2023), ("溪口镇人民政府", 2022),
             ("溪口镇人民政府", 2023), ("溪口镇人民政府", 2023), ("某某局", 2023)]
    write_reports(d, specs)
    out = io.BytesIO()
    run_batch(collect([str(d)]), BatchOptions(), stream=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    across = units.Across()
    for rec in records:
        across.add(units.compact(rec), rec)
    assert all(isinstance(at, tuple) and len(at) == 2 for g in across.groups.values() for at in g.values())
    assert all(isinstance(at, tuple) and len(at) == 2 for at in across.kept.values())
    kept = {}
    for rec in records:  # the last of a body and year, as Across keeps it
        kept[(units.normalise(rec["report"]["issuer"]), rec["report"]["year"])] = units.compact(rec)
    assert len(across) == len(kept) == 6
    by_body: dict = {}
    for (body, _), c in sorted(kept.items()):
        by_body.setdefault(body, []).append(c)
    want = [check for group in by_body.values() for check in cross_year_checks(group)]
    got = across.cross_year()
    assert got == want and len(got) > 10
    assert {c["id"] for c in got} >= {"applications_carry_chain[total]"}
    def year_of(c: dict) -> tuple:
        return c["report"]["issuer"], c["report"]["year"]

    assert sorted(across.records(), key=year_of) == sorted(kept.values(), key=year_of)
    (dup,) = across.duplicates
    assert (dup["issuer"], dup["year"], [Path(p).name for p in dup["paths"]]) == ("溪口镇人民政府", 2023,
                                                                                ["r04.txt", "r05.txt"])
    assert dup["differing_cells"]  # two generated reports with other numbers
    across.close()
    assert across.spill.file is None


def test_a_temporary_directory_that_cannot_be_written_is_exit_5(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from govreport.errors import OutputNotWritableError

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    rec = {"report": {"issuer": "云溪县人民政府", "year": 2021, "template": "2021"}, "source": {"path": "a.txt"},
           "tables": {}}
    with pytest.raises(OutputNotWritableError, match="No space left on device; set TMPDIR") as err:
        units.Across().add(rec, rec)
    assert err.value.exit_code == 5
