"""govreport.export: each format written from hand-built records and read back."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from conftest import make_report

from govreport import export
from govreport.record import ErrorInfo, ErrorRecord, Report, ReportMeta, Source
from govreport.template import load_template

BOM = b"\xef\xbb\xbf"


def template_columns(version: str) -> list:
    return [ref for t in load_template().versions[version].tables.values() for ref in t.cell_refs()]


def written(records, fmt: str, bom: bool = True) -> bytes:
    buf = io.BytesIO()
    export.write(records, buf, fmt, bom=bom)
    return buf.getvalue()


def error_record() -> ErrorRecord:
    return ErrorRecord(source={"path": "bad.txt", "sha256": "f" * 64},
                       error=ErrorInfo(code="not_a_report", message="bad.txt: 不是年度报告"))


# --- JSON ---------------------------------------------------------------------------------------------

def test_json_parses_back_equal(small_report: Report) -> None:
    data = written(small_report, "json")
    assert not data.startswith(BOM)
    text = data.decode("utf-8")
    assert "云溪县人民政府" in text  # ensure_ascii=False: Chinese stays readable
    assert text.count("\n") > 10  # pretty
    parsed = json.loads(text)
    assert parsed["schema"] == "govreport.record/1"
    assert Report.model_validate(parsed) == small_report


def test_json_several_records_is_an_array(small_report: Report) -> None:
    parsed = json.loads(written([small_report, make_report("2019")], "json"))
    assert [r["report"]["template"] for r in parsed] == ["2021", "2019"]


def test_json_to_a_text_stream(small_report: Report) -> None:
    buf = io.StringIO()
    export.write(small_report, buf, "json")
    assert Report.model_validate(json.loads(buf.getvalue())) == small_report


# --- JSON Lines ---------------------------------------------------------------------------------------

def test_jsonl_one_line_per_record(small_report: Report) -> None:
    records = [small_report, make_report("2019"), error_record()]
    text = written(iter(records), "jsonl").decode("utf-8")
    lines = text.splitlines()  # splits on U+2028 too: the section text holds one
    assert len(lines) == 3 and text.endswith("\n")
    parsed = [json.loads(line) for line in lines]
    assert Report.model_validate(parsed[0]) == small_report
    assert parsed[1]["report"]["template"] == "2019"
    assert parsed[2] == {"schema": "govreport.record/1", "status": "error",
                         "source": {"path": "bad.txt", "sha256": "f" * 64},
                         "error": {"code": "not_a_report", "message": "bad.txt: 不是年度报告"},
                         "checks": [], "cells": {}}


# --- CSV, wide ----------------------------------------------------------------------------------------

def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def csv_rows(data: bytes) -> list:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_wide_csv_columns_in_template_order(small_report: Report) -> None:
    df = read_csv(written(small_report, "csv"))
    assert list(df.columns) == list(export.WIDE_HEAD) + template_columns("2021") + list(export.WIDE_TAIL)
    assert len(df) == 1


def test_wide_csv_values_stay_numbers(small_report: Report) -> None:
    data = written(small_report, "csv")
    df = read_csv(data)
    assert df.loc[0, "applications.new_received.total"] == 12
    assert df.loc[0, "active_disclosure.admin_fees.fee_amount"] == 1.5
    assert df.loc[0, "year"] == 2021
    assert (df.loc[0, "status"], df.loc[0, "failed_checks"], df.loc[0, "issues"]) == ("failed_checks", 1, 1)
    row = csv_rows(data)[0]
    assert row["applications.new_received.total"] == "12"  # an int, not 12.0
    assert row["sha256"] == "0" * 64 and row["issuer"] == "云溪县人民政府"
    blanks = [ref for ref, cell in small_report.cells.items() if cell.status in ("blank", "placeholder")]
    assert blanks and all(row[ref] == "" for ref in blanks)  # None is empty, never 0
    assert all(row[ref] in ("", str(small_report.value(ref))) for ref in template_columns("2021"))


def test_wide_csv_status_ok_without_failed_checks() -> None:
    report = make_report()
    report.checks = [c for c in report.checks if c.status != "fail"]
    row = csv_rows(written(report, "csv"))[0]  # its ambiguous cell still needs a look
    assert (row["status"], row["failed_checks"], row["ambiguous_cells"]) == ("needs_review", "0", "1")
    report.cells["applications.new_received.total"].status = "ok"
    row = csv_rows(written(report, "csv"))[0]
    assert (row["status"], row["failed_checks"], row["ambiguous_cells"]) == ("ok", "0", "0")


def test_wide_csv_2019_uses_2019_keys() -> None:
    df = read_csv(written(make_report("2019"), "csv"))
    cells = [c for c in df.columns if c.count(".") == 2]
    assert cells == template_columns("2019")
    assert "active_disclosure.rules.newly_made" in cells
    assert "active_disclosure.rules.issued_this_year" not in cells


def test_wide_csv_mixed_templates_union_first_seen() -> None:
    df = read_csv(written([make_report("2021"), make_report("2019"), error_record()], "csv"))
    first = template_columns("2021")
    union = first + [c for c in template_columns("2019") if c not in first]
    assert list(df.columns) == list(export.WIDE_HEAD) + union + list(export.WIDE_TAIL)
    assert list(df["status"]) == ["failed_checks", "failed_checks", "error"]
    assert pd.isna(df.loc[0, "active_disclosure.rules.newly_made"])  # a 2019 key in the 2021 row
    assert df.loc[1, "applications.new_received.total"] == 12
    assert df.loc[2, "path"] == "bad.txt" and pd.isna(df.loc[2, "issues"])


def test_wide_csv_per_table_template_and_extra_rows() -> None:
    report = make_report("2021")
    report.report.table_templates = {"active_disclosure": "2019"}
    report.tables["active_disclosure"] = {"rules": {"newly_made": 4, "newly_published": 5, "total_published": 6}}
    report.tables["applications"]["other_processing"] = {"total": 3}  # a 2019 row printed in a 2021 table
    cols = [c for c in read_csv(written(report, "csv")).columns if c.count(".") == 2]
    ad_2019 = [c for c in template_columns("2019") if c.startswith("active_disclosure.")]
    assert cols[: len(ad_2019)] == ad_2019
    apps = [c for c in cols if c.startswith("applications.")]
    assert apps == [c for c in template_columns("2021") if c.startswith("applications.")] + [
        "applications.other_processing.total"]


def test_pre2019_record_has_no_cell_columns() -> None:
    report = Report(source=Source(path="old.txt", sha256="1" * 64, format="txt"),
                    report=ReportMeta(template="pre2019", year=2015))
    assert list(read_csv(written(report, "csv")).columns) == list(export.WIDE_HEAD) + list(export.WIDE_TAIL)
    assert csv_rows(written(report, "csv-long")) == []


# --- CSV, long ----------------------------------------------------------------------------------------

def test_long_csv_one_row_per_template_cell(small_report: Report) -> None:
    data = written(small_report, "csv-long")
    df = read_csv(data)
    assert list(df.columns) == list(export.LONG_COLUMNS)
    refs = [f"{t}.{r}.{c}" for t, r, c in zip(df["table"], df["row"], df["column"], strict=True)]
    assert refs == template_columns("2021")
    rows = {f"{r['table']}.{r['row']}.{r['column']}": r for r in csv_rows(data)}
    total = rows["applications.new_received.total"]
    assert (total["value"], total["status"], total["raw"], total["page"]) == ("12", "ambiguous", "12", "3")
    assert (total["path"], total["issuer"], total["year"], total["template"]) == (
        "samples/example.txt", "云溪县人民政府", "2021", "2021")
    assert rows["active_disclosure.admin_fees.fee_amount"]["value"] == "1.5"
    for ref, cell in small_report.cells.items():
        assert rows[ref]["status"] == cell.status
        if cell.status in ("blank", "placeholder"):
            assert rows[ref]["value"] == "" and rows[ref]["raw"] == cell.raw


def test_long_csv_error_record() -> None:
    rows = csv_rows(written([make_report("2019"), error_record()], "csv-long"))
    assert len(rows) == len(template_columns("2019")) + 1
    assert (rows[-1]["path"], rows[-1]["status"], rows[-1]["value"]) == ("bad.txt", "error", "")


# --- BOM, streams, errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "csv-long"])
def test_csv_bom_by_default_and_none_when_off(small_report: Report, fmt: str) -> None:
    assert written(small_report, fmt).startswith(BOM)
    plain = written(small_report, fmt, bom=False)
    assert not plain.startswith(BOM) and plain.startswith(b"path,")


def test_csv_to_a_text_stream(small_report: Report) -> None:
    buf = io.StringIO()
    export.write(small_report, buf, "csv")
    assert buf.getvalue().startswith("\ufeffpath,sha256,issuer,year,template,status,")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_formats_never_get_a_bom(small_report: Report, fmt: str) -> None:
    assert not written(small_report, fmt, bom=True).startswith(BOM)


def test_unknown_format_is_a_value_error(small_report: Report) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        written(small_report, "xlsx")


def test_cli_format_choices_match_export() -> None:
    from govreport.cli import OutputFormat

    assert tuple(f.value for f in OutputFormat) == export.FORMATS
