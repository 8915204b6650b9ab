"""Derived measures (--derived): the rates of a generated report against its truth, null (with the reason)
where a cell is not a trusted number or a denominator is 0, the year-on-year changes across a batch, and the
same figures in JSON Lines, CSV, SQLite and Parquet. A property test: never raises, null exactly then."""

from __future__ import annotations

import copy
import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_tasks import report, write_reports
from govreport.derived import definitions, derive
from govreport.record import Report

ROOT = Path(__file__).resolve().parent.parent
TRUSTED = ("ok", "inferred")
UNTRUSTED = ("blank", "placeholder", "missing", "ambiguous", "suspect")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=180)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated 2021 report, its record and its truth."""
    tmp = tmp_path_factory.mktemp("derived")
    text, truth = report(100)
    f = tmp / "r.txt"
    f.write_text(text, "utf-8")
    import govreport

    return govreport.extract(f).to_dict(), truth


def test_the_rates_of_a_generated_report_equal_its_truth(generated) -> None:
    record, truth = generated
    a, r = truth["tables"]["applications"], truth["tables"]["review_litigation"]
    t = {k: v["total"] for k, v in a.items()}
    want = {
        "substantive_disclosure_rate": (t["granted"] + t["partially_granted"]) / t["total_processed"],
        "denial_rate": sum(v for k, v in t.items() if k.startswith("denied_")) / t["total_processed"],
        "unable_rate": sum(v for k, v in t.items() if k.startswith("unable_")) / t["total_processed"],
        "not_held_share": t["unable_not_held"] / t["total_processed"],
        "carry_forward_rate": t["carried_forward"] / (t["new_received"] + t["carried_over"]),
        "review_correction_rate": r["review"]["corrected"] / (r["review"]["upheld"] + r["review"]["corrected"]
                                                             + r["review"]["other"]),
        "litigation_correction_rate": sum(r[k]["corrected"] for k in ("lit_direct", "lit_after_review")) / sum(
            r[k][c] for k in ("lit_direct", "lit_after_review") for c in ("upheld", "corrected", "other")),
    }
    got = derive(record)["measures"]
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key]["value"] == pytest.approx(value, rel=1e-12), key
        assert got[key]["null_because"] is None
    assert got["substantive_disclosure_rate"]["numerator"] == 391 and got["substantive_disclosure_rate"]["denominator"] == 656
    assert derive(record)["quantities"]["litigation"] == {"value": 6, "null_because": None}
    Report.model_validate({**record, "derived": derive(record, record)})  # the block fits the record's schema


def _set(record: dict, ref: str, value, status: str) -> dict:
    rec = copy.deepcopy(record)
    t, r, c = ref.split(".")
    rec["tables"][t][r][c] = value
    rec["cells"][ref]["status"] = status
    return rec


@pytest.mark.parametrize("status", UNTRUSTED)
def test_a_cell_not_trusted_makes_the_measure_null_and_says_so(generated, status) -> None:
    record, _ = generated
    value = None if status in ("blank", "placeholder", "missing") else 2
    rec = _set(record, "review_litigation.review.corrected", value, status)
    got = derive(rec)["measures"]["review_correction_rate"]
    assert got["value"] is None and got["null_because"] == f"review_litigation.review.corrected is {status}"
    assert derive(rec)["measures"]["substantive_disclosure_rate"]["value"] is not None  # the others stand


def test_a_zero_denominator_is_null_not_an_error(generated) -> None:
    record, _ = generated
    rec = record
    for c in ("upheld", "corrected", "other"):
        rec = _set(rec, f"review_litigation.review.{c}", 0, "ok")
    got = derive(rec)["measures"]["review_correction_rate"]
    assert got == {"value": None, "numerator": 0, "denominator": 0, "null_because": "the denominator is 0"}


def test_a_2019_report_and_a_pre2019_one(generated) -> None:
    record, _ = generated
    rec = copy.deepcopy(record)
    rec["report"]["template"] = "2019"
    rec["report"]["table_templates"] = {k: "2019" for k in rec["tables"]}
    assert derive(rec)["measures"] == derive(record)["measures"]  # the same cells exist in both
    rec["report"]["template"] = "pre2019"
    rec["report"]["table_templates"] = {}
    got = derive(rec)["measures"]["denial_rate"]
    assert got["value"] is None and "template (pre2019) has no cell" in got["null_because"]


def test_year_on_year_against_the_previous_record(generated) -> None:
    record, truth = generated
    prev = _set(record, "applications.new_received.total", 500, "ok")
    prev["report"]["year"] = 2022
    d = derive(record, prev)
    assert d["previous_year"] == 2022
    assert d["year_on_year"]["new_received"] == {"value": (673 - 500) / 500, "current": 673, "previous": 500,
                                                 "null_because": None}
    zero = _set(prev, "review_litigation.review.total", 0, "ok")
    assert derive(record, zero)["year_on_year"]["review"]["null_because"] == "last year's value is 0"
    blank = _set(prev, "review_litigation.review.total", None, "blank")
    assert derive(record, blank)["year_on_year"]["review"]["null_because"] == \
        "last year: review_litigation.review.total is blank"


# -------------------------------------------------------------------------------------------------------
# the property: never raises; null exactly when a denominator is 0 or a cell is not a trusted number

_REFS = sorted({ref for m in definitions().ratios for ref in (*m.numerator, *m.denominator)})
_value = st.one_of(st.none(), st.integers(0, 10), st.integers(-5, 10**6),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=2), st.booleans())
_cell = st.one_of(st.none(), st.tuples(_value, st.sampled_from(TRUSTED + UNTRUSTED + ("weird",))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.fixed_dictionaries({ref: _cell for ref in _REFS}),
       template=st.sampled_from(["2021", "2019", "pre2019", "unknown", None]))
def test_property_never_raises_and_null_exactly_when_it_must(cells, template) -> None:
    import math

    rec: dict = {"report": {"template": template}, "tables": {}, "cells": {}}
    for ref, cell in cells.items():
        if cell is None:
            continue  # the record lacks it
        t, r, c = ref.split(".")
        rec["tables"].setdefault(t, {}).setdefault(r, {})[c] = cell[0]
        rec["cells"][ref] = {"status": cell[1]}

    def usable(ref):
        cell = cells[ref]
        return (template in ("2021", "2019") and cell is not None and cell[1] in TRUSTED
                and type(cell[0]) in (int, float) and math.isfinite(cell[0]))

    got = derive(rec)["measures"]
    json.dumps(got, allow_nan=False)  # nothing infinite or NaN comes out
    for m in definitions().ratios:
        entry = got[m.key]
        if not all(usable(ref) for ref in (*m.numerator, *m.denominator)):
            assert entry["value"] is None and entry["null_because"], m.key
            continue
        num = sum(cells[ref][0] for ref in m.numerator)
        den = sum(cells[ref][0] for ref in m.denominator)
        if den == 0 or not (math.isfinite(num) and math.isfinite(den) and math.isfinite(num / den)):
            assert entry["value"] is None and entry["null_because"], m.key
        else:
            assert entry["value"] == num / den and entry["null_because"] is None, m.key


# -------------------------------------------------------------------------------------------------------
# batch --derived: the record, CSV, SQLite, Parquet and the year-on-year changes

SPECS = [("云溪县人民政府", 2022), ("云溪县人民政府", 2023), ("青山县人民政府", 2023)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("derived-batch")
    d = tmp / "reports"
    write_reports(d, SPECS)
    jsonl, db, pq, csv_out = tmp / "out.jsonl", tmp / "c.sqlite", tmp / "pq", tmp / "out.csv"
    r = run_cli("batch", str(d), "-o", str(jsonl), "--db", str(db), "--derived", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert run_cli("batch", str(d), "--format", "parquet", "-o", str(pq), "--derived", "--jobs", "1").returncode == 0
    assert run_cli("batch", str(d), "--format", "csv", "-o", str(csv_out), "--derived", "--jobs", "1").returncode == 0
    assert run_cli("batch", str(d), "--format", "xlsx", "-o", str(tmp / "out.xlsx"), "--derived",
                   "--jobs", "1").returncode == 0
    records = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    return records, db, pq, csv_out


def test_batch_records_carry_their_derived_block(batch) -> None:
    records, *_ = batch
    for rec in records:
        assert rec["derived"]["measures"] == derive(rec)["measures"]
    without = run_cli("extract", str(ROOT / "samples" / "sample-2021.txt"))
    assert "derived" not in json.loads(without.stdout)  # opt-in


def test_csv_sqlite_parquet_hold_the_records_measures(batch) -> None:
    records, db, pq, csv_out = batch
    by_path = {r["source"]["path"]: r["derived"]["measures"] for r in records}
    keys = [m.key for m in definitions().ratios]
    with open(csv_out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for k in keys:
            assert float(row[f"derived.{k}"]) == by_path[row["path"]][k]["value"]
    con = sqlite3.connect(db)
    got = {(p, m): v for p, m, v in con.execute(
        "SELECT r.path, d.measure, d.value FROM derived d JOIN reports r ON r.id = d.report_id")}
    assert got == {(p, k): m[k]["value"] for p, m in by_path.items() for k in keys}
    yoy = con.execute("SELECT issuer, year, prev_year, measure, value, current, previous FROM year_on_year "
                      "WHERE measure = 'new_received'").fetchall()
    con.close()
    import pandas as pd

    sheet = pd.read_excel(csv_out.with_name("out.xlsx"), sheet_name="summary")
    for _, row in sheet.iterrows():
        for k in keys:
            assert row[f"derived.{k}"] == pytest.approx(by_path[row["path"]][k]["value"], rel=1e-14)  # Excel: 15 digits
    reports = pd.read_parquet(pq / "reports")
    for _, row in reports.iterrows():
        for k in keys:
            assert row[f"derived__{k}"] == by_path[row["path"]][k]["value"]
    by_year = {r["report"]["year"]: r for r in records if r["report"]["issuer"] == "云溪县人民政府"}
    now, before = (by_year[y]["tables"]["applications"]["new_received"]["total"] for y in (2023, 2022))
    assert yoy == [("云溪县人民政府", 2023, 2022, "new_received", (now - before) / before, now, before)]
    pq_yoy = pd.read_parquet(pq / "year_on_year")
    assert len(pq_yoy) == len(definitions().changes)
    assert pq_yoy.loc[pq_yoy["measure"] == "new_received", "value"].item() == (now - before) / before
