"""Excel workbook of many records: a summary sheet, one sheet per table family, an issues sheet.

Numbers stay numbers (empty cells stay empty, never 0). Cross-year checks, when given, are listed on
the issues sheet.
"""

from __future__ import annotations

from typing import Any, Dict, IO, Iterable, List, Optional, Sequence

from .record import ErrorRecord, Report
from .template import TABLE_KEYS, load_template

SHEET_TITLES = {"active_disclosure": "二 主动公开", "applications": "三 申请办理", "review_litigation": "四 复议诉讼"}


def write_xlsx(records: Sequence[Any], stream: IO[bytes], cross_year: Optional[Iterable[Dict]] = None) -> None:
    import pandas as pd

    from .export import _derived_keys

    template = load_template()
    derived = _derived_keys(records)
    summary: List[Dict[str, Any]] = []
    tables: Dict[str, List[Dict[str, Any]]] = {k: [] for k in TABLE_KEYS}
    issues: List[Dict[str, Any]] = []
    for rec in records:
        if isinstance(rec, ErrorRecord):
            summary.append({"path": rec.source.get("path"), "sha256": rec.source.get("sha256"), "status": "error",
                            "error": f"{rec.error.code}: {rec.error.message}"})
            issues.append({"path": rec.source.get("path"), "level": "error", "code": rec.error.code, "cell": None,
                           "message": rec.error.message})
            continue
        r: Report = rec
        failed = [c.id for c in r.checks if c.status == "fail"]
        head = {"path": r.source.path, "issuer": r.report.issuer, "year": r.report.year,
                "template": r.report.template}
        summary.append({**head, "sha256": r.source.sha256, "format": r.source.format,
                        "status": "failed_checks" if any(c.status == "fail" and c.severity == "hard"
                                                         for c in r.checks) else "ok",
                        "failed_checks": len(failed), "issues": len(r.issues), "error": None,
                        **{f"derived.{k}": (r.derived.measures[k].value if r.derived is not None
                                            and k in r.derived.measures else None) for k in derived}})
        for key in TABLE_KEYS:
            version = r.report.table_templates.get(key, r.report.template)
            if version not in template.versions or key not in r.tables:
                continue
            for row_key, cols in r.tables[key].items():
                tables[key].append({**head, "row": row_key, **cols})
        for i in r.issues:
            issues.append({"path": r.source.path, "level": i.level, "code": i.code, "cell": i.cell,
                           "message": i.message})
    for c in cross_year or ():
        if c["status"] == "fail":
            issues.append({"path": None, "level": "warning", "code": "cross_year_check_failed", "cell": None,
                           "message": f"{c['issuer']} {c['year']} vs {c['prev_year']}: {c['id']}: "
                                      f"{c['lhs']} vs {c['rhs']}"})
    with pd.ExcelWriter(stream, engine="openpyxl") as xl:
        pd.DataFrame(summary, columns=["path", "issuer", "year", "template", "sha256", "format", "status",
                                       "failed_checks", "issues", "error"] + [f"derived.{k}" for k in derived]
                     ).to_excel(xl, sheet_name="summary", index=False)
        for key in TABLE_KEYS:
            pd.DataFrame(tables[key]).to_excel(xl, sheet_name=SHEET_TITLES[key], index=False)
        pd.DataFrame(issues, columns=["path", "level", "code", "cell", "message"]).to_excel(xl, sheet_name="issues",
                                                                                          index=False)
