"""The JSON Schema of one line of output: a record (``Report``) or an error line (``ErrorRecord``), with the
template's table/row/column keys and the issue codes listed, so that a validator checks every line."""

from __future__ import annotations

from typing import Any, Dict

from .record import SCHEMA_ID, ErrorRecord, Report

# every issue code a record may carry (extraction's own, then the one-report review findings)
ISSUE_CODES = (
    "cell_inferred", "cell_ambiguous", "cell_missing", "cell_suspect", "cell_in_failed_check", "check_failed", "ocr_needed", "ocr_page",
    "ocr_low_confidence", "pre2019_report", "reader_note", "recovery_note", "row_from_other_template",
    "row_placed_by_order", "table_not_found", "template_mismatch", "template_year_mismatch",
    "soft_check_failed", "section_missing", "section_out_of_order", "heading_variant", "row_absent",
    "cells_blank", "cells_placeholder", "narrative_mismatch", "text_copied", "tables_unchanged",
    "cross_year_check_failed",
)


def cell_keys() -> Dict[str, Dict[str, list]]:
    """table -> row -> its column keys, over both template versions (in template order)."""
    from .template import TABLE_KEYS, VERSIONS, load_template

    out: Dict[str, Dict[str, list]] = {t: {} for t in TABLE_KEYS}
    for v in VERSIONS:
        for t in TABLE_KEYS:
            for row in load_template().versions[v].tables[t].data_rows:
                cols = out[t].setdefault(row.key, [])
                cols += [c.key for c in row.columns if c.key not in cols]
    return out


def line_schema() -> Dict[str, Any]:
    """``{"oneOf": [record, error line]}`` with both in ``$defs``; ``x-govreport`` lists the cell keys and
    the issue codes (informative: a record may hold a row outside its template, and keeps it)."""
    report = Report.model_json_schema(by_alias=True, mode="serialization", ref_template="#/$defs/{model}")
    error = ErrorRecord.model_json_schema(by_alias=True, mode="serialization", ref_template="#/$defs/{model}")
    defs: Dict[str, Any] = {}
    for s in (report, error):
        defs.update(s.pop("$defs", {}))
    defs["Report"], defs["ErrorRecord"] = report, error
    report["properties"]["schema"]["const"] = SCHEMA_ID
    error["properties"]["schema"]["const"] = SCHEMA_ID
    error["required"] = sorted(set(error.get("required", [])) | {"status"})
    keys = cell_keys()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": SCHEMA_ID,
        "description": "One line of govreport output: a record, or the error line of an input that failed.",
        "oneOf": [{"$ref": "#/$defs/Report"}, {"$ref": "#/$defs/ErrorRecord"}],
        "$defs": defs,
        "x-govreport": {
            "tables": keys,
            "cell_refs": [f"{t}.{r}.{c}" for t, rows in keys.items() for r, cols in rows.items() for c in cols],
            "issue_codes": list(ISSUE_CODES),
            "report_status": ["ok", "needs_review", "failed_checks", "error"],
        },
    }
