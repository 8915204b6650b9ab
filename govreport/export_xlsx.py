"""Excel workbook of many records: a summary sheet, one sheet per table family, an issues sheet.

Numbers stay numbers (empty cells stay empty, never 0). Every sheet has its header row frozen and an
autofilter. The summary's ``status`` is the record's (``Report.status``), coloured; in the table sheets a
cell that needs a look (missing, ambiguous, suspect; inferred in a lighter shade) is coloured by its status
and carries a comment with its status, raw text and candidates. Cross-year checks, when given, are listed
on the issues sheet.
"""

from __future__ import annotations

import io
from typing import IO, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from .record import ErrorRecord, Report
from .template import TABLE_KEYS, load_template

SUMMARY_COLUMNS = ["path", "issuer", "year", "template", "sha256", "format", "status", "failed_checks",
                   "missing_cells", "ambiguous_cells", "suspect_cells", "issues", "error"]
TABLE_HEAD = ["path", "issuer", "year", "template", "row"]
# fill colours (RGB) by cell status and by report status: the review page's palette
CELL_FILLS = {"missing": "F4B6B6", "ambiguous": "F9D88C", "suspect": "F7C6A3", "inferred": "D9E7F7"}
STATUS_FILLS = {"needs_review": "F9D88C", "failed_checks": "F4B6B6", "error": "D9D9D9"}


def write_xlsx(records: Sequence[Any], stream: IO[bytes], cross_year: Optional[Iterable[Dict]] = None,
               labels: str = "key") -> None:
    """``labels="zh"``: the table sheets' column headers are the columns' Chinese labels as printed, and a
    ``label`` column beside ``row`` gives each row's."""
    import pandas as pd

    from .export import _derived_keys

    template = load_template()
    derived = _derived_keys(records)
    row_labels, col_labels = _labels()
    summary: List[Dict[str, Any]] = []
    tables: Dict[str, List[Dict[str, Any]]] = {k: [] for k in TABLE_KEYS}
    flags: Dict[str, List[Dict[str, Tuple[str, str]]]] = {k: [] for k in TABLE_KEYS}  # per sheet row: col -> note
    issues: List[Dict[str, Any]] = []
    for rec in records:
        if isinstance(rec, ErrorRecord):
            summary.append({"path": rec.source.get("path"), "sha256": rec.source.get("sha256"), "status": rec.status,
                            "error": f"{rec.error.code}: {rec.error.message}"})
            issues.append({"path": rec.source.get("path"), "level": "error", "code": rec.error.code, "cell": None,
                           "message": rec.error.message})
            continue
        r: Report = rec
        head = {"path": r.source.path, "issuer": r.report.issuer, "year": r.report.year,
                "template": r.report.template}
        flagged = r.flagged_cells
        summary.append({**head, "sha256": r.source.sha256, "format": r.source.format, "status": r.status,
                        "failed_checks": len(r.failed_checks), "missing_cells": flagged["missing"],
                        "ambiguous_cells": flagged["ambiguous"], "suspect_cells": flagged["suspect"],
                        "issues": len(r.issues), "error": None,
                        **{f"derived.{k}": (r.derived.measures[k].value if r.derived is not None
                                            and k in r.derived.measures else None) for k in derived}})
        for key in TABLE_KEYS:
            version = r.report.table_templates.get(key, r.report.template)
            if version not in template.versions or key not in r.tables:
                continue
            for row_key, cols in r.tables[key].items():
                tables[key].append({**head, "row": row_key, **({"label": row_labels.get(f"{key}.{row_key}")}
                                                                if labels == "zh" else {}), **cols})
                notes = {}
                for col in cols:
                    cell = r.cells.get(f"{key}.{row_key}.{col}")
                    if cell is not None and cell.status in CELL_FILLS:
                        notes[col] = (cell.status, _note(cell))
                flags[key].append(notes)
        for i in r.issues:
            issues.append({"path": r.source.path, "level": i.level, "code": i.code, "cell": i.cell,
                           "message": i.message})
    for c in cross_year or ():
        if c["status"] == "fail":
            issues.append({"path": None, "level": "warning", "code": "cross_year_check_failed", "cell": None,
                           "message": f"{c['issuer']} {c['year']} vs {c['prev_year']}: {c['id']}: "
                                      f"{c['lhs']} vs {c['rhs']}"})
    buffer = io.BytesIO()  # the workbook is built in memory: a failed write never leaves a half-closed zip
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        frame = pd.DataFrame(summary, columns=SUMMARY_COLUMNS + [f"derived.{k}" for k in derived])
        frame.to_excel(xl, sheet_name="summary", index=False)
        _finish(xl.sheets["summary"])
        status_col = SUMMARY_COLUMNS.index("status") + 1
        for i, status in enumerate(frame["status"], start=2):
            if status in STATUS_FILLS:
                xl.sheets["summary"].cell(i, status_col).fill = _fill(STATUS_FILLS[status])
        for key in TABLE_KEYS:
            frame = pd.DataFrame(tables[key])
            if frame.empty:
                frame = pd.DataFrame(columns=TABLE_HEAD)
            index = {name: i + 1 for i, name in enumerate(frame.columns)}
            if labels == "zh":
                frame = frame.rename(columns={c: col_labels.get(f"{key}.{c}", c) for c in frame.columns
                                              if c not in TABLE_HEAD})
            frame.to_excel(xl, sheet_name=template.sheet_titles[key], index=False)
            sheet = xl.sheets[template.sheet_titles[key]]
            _finish(sheet)
            for i, notes in enumerate(flags[key], start=2):
                for col, (status, text) in notes.items():
                    _flag(sheet.cell(i, index[col]), status, text)
        pd.DataFrame(issues, columns=["path", "level", "code", "cell", "message"]).to_excel(xl, sheet_name="issues",
                                                                                          index=False)
        _finish(xl.sheets["issues"])
        from .dictionary import COLUMNS, fields

        pd.DataFrame(fields(), columns=list(COLUMNS)).to_excel(xl, sheet_name="dictionary", index=False)
        _finish(xl.sheets["dictionary"])
    stream.write(buffer.getvalue())


def _labels() -> Tuple[Dict[str, str], Dict[str, str]]:
    """``table.row`` -> row label and ``table.column`` -> column label, as printed (2021 first, then 2019)."""
    from .dictionary import fields

    rows: Dict[str, str] = {}
    cols: Dict[str, str] = {}
    for f in fields():
        rows.setdefault(f"{f['table']}.{f['row']}", f["row_label"])
        cols.setdefault(f"{f['table']}.{f['column']}", f["column_label"])
    return rows, cols


def _note(cell: Any) -> str:
    text = f"{cell.status}; raw: {cell.raw if cell.raw is not None else '(none)'}"
    if cell.candidates:
        text += "; candidates: " + ", ".join("blank" if v is None else f"{v:g}" for v in cell.candidates)
    if cell.guesses:
        text += "; guesses: " + ", ".join(cell.guesses)
    if cell.page:
        text += f"; page {cell.page}"
    return text


def _fill(rgb: str):
    from openpyxl.styles import PatternFill

    return PatternFill(start_color=rgb, end_color=rgb, fill_type="solid")


def _flag(target: Any, status: str, text: str) -> None:
    from openpyxl.comments import Comment

    target.fill = _fill(CELL_FILLS[status])
    target.comment = Comment(text, "govreport")


def _finish(sheet: Any) -> None:
    """The header row frozen and an autofilter over the whole sheet."""
    sheet.freeze_panes = "A2"
    if sheet.max_row >= 1 and sheet.max_column >= 1:
        sheet.auto_filter.ref = sheet.dimensions
