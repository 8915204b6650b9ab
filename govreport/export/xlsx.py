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

from ..record import ErrorRecord, Report
from ..template import TABLE_KEYS, load_template

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
    from .json_csv import derived_keys

    book = _Book(derived_keys(records), labels)
    for rec in records:
        if isinstance(rec, ErrorRecord):
            book.add_error(rec)
        else:
            book.add_report(rec)
    book.add_cross_year(cross_year or ())
    buffer = io.BytesIO()  # the workbook is built in memory: a failed write never leaves a half-closed zip
    book.write(buffer)
    stream.write(buffer.getvalue())


class _Book:
    """The workbook's rows, gathered record by record, then written sheet by sheet."""

    def __init__(self, derived: List[str], labels: str) -> None:
        self.template = load_template()
        self.derived = derived
        self.labels = labels
        self.row_labels, self.col_labels = _labels()
        self.summary: List[Dict[str, Any]] = []
        self.tables: Dict[str, List[Dict[str, Any]]] = {k: [] for k in TABLE_KEYS}
        # per sheet row: column -> (cell status, note)
        self.flags: Dict[str, List[Dict[str, Tuple[str, str]]]] = {k: [] for k in TABLE_KEYS}
        self.issues: List[Dict[str, Any]] = []

    def add_error(self, rec: ErrorRecord) -> None:
        self.summary.append({"path": rec.source.get("path"), "sha256": rec.source.get("sha256"),
                             "status": rec.status, "error": f"{rec.error.code}: {rec.error.message}"})
        self.issues.append({"path": rec.source.get("path"), "level": "error", "code": rec.error.code, "cell": None,
                            "message": rec.error.message})

    def add_report(self, r: Report) -> None:
        head = {"path": r.source.path, "issuer": r.report.issuer, "year": r.report.year,
                "template": r.report.template}
        flagged = r.flagged_cells
        measures = r.derived.measures if r.derived is not None else {}
        self.summary.append({**head, "sha256": r.source.sha256, "format": r.source.format, "status": r.status,
                             "failed_checks": len(r.failed_checks), "missing_cells": flagged["missing"],
                             "ambiguous_cells": flagged["ambiguous"], "suspect_cells": flagged["suspect"],
                             "issues": len(r.issues), "error": None,
                             **{f"derived.{k}": (measures[k].value if k in measures else None)
                                for k in self.derived}})
        for key in TABLE_KEYS:
            version = r.report.table_templates.get(key, r.report.template)
            if version in self.template.versions and key in r.tables:
                self._add_table(r, key, head)
        for issue in r.issues:
            self.issues.append({"path": r.source.path, "level": issue.level, "code": issue.code, "cell": issue.cell,
                                "message": issue.message})

    def _add_table(self, r: Report, key: str, head: Dict[str, Any]) -> None:
        for row_key, cols in r.tables[key].items():
            label = {"label": self.row_labels.get(f"{key}.{row_key}")} if self.labels == "zh" else {}
            self.tables[key].append({**head, "row": row_key, **label, **cols})
            notes: Dict[str, Tuple[str, str]] = {}
            for col in cols:
                cell = r.cells.get(f"{key}.{row_key}.{col}")
                if cell is not None and cell.status in CELL_FILLS:
                    notes[col] = (str(getattr(cell.status, "value", cell.status)), _note(cell))  # a str at run time
            self.flags[key].append(notes)

    def add_cross_year(self, cross_year: Iterable[Dict]) -> None:
        for c in cross_year:
            if c["status"] == "fail":
                self.issues.append({"path": None, "level": "warning", "code": "cross_year_check_failed",
                                    "cell": None, "message": f"{c['issuer']} {c['year']} vs {c['prev_year']}: "
                                                             f"{c['id']}: {c['lhs']} vs {c['rhs']}"})

    def write(self, buffer: IO[bytes]) -> None:
        import pandas as pd

        from ..dictionary import COLUMNS, fields

        with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
            self._write_summary(xl)
            for key in TABLE_KEYS:
                self._write_table(xl, key)
            pd.DataFrame(self.issues, columns=["path", "level", "code", "cell", "message"]).to_excel(
                xl, sheet_name="issues", index=False)
            _finish(xl.sheets["issues"])
            pd.DataFrame(fields(), columns=list(COLUMNS)).to_excel(xl, sheet_name="dictionary", index=False)
            _finish(xl.sheets["dictionary"])

    def _write_summary(self, xl: Any) -> None:
        import pandas as pd

        frame = pd.DataFrame(self.summary, columns=SUMMARY_COLUMNS + [f"derived.{k}" for k in self.derived])
        frame.to_excel(xl, sheet_name="summary", index=False)
        _finish(xl.sheets["summary"])
        status_col = SUMMARY_COLUMNS.index("status") + 1
        for i, status in enumerate(frame["status"], start=2):
            if status in STATUS_FILLS:
                xl.sheets["summary"].cell(i, status_col).fill = _fill(STATUS_FILLS[status])

    def _write_table(self, xl: Any, key: str) -> None:
        import pandas as pd

        frame = pd.DataFrame(self.tables[key])
        if frame.empty:
            frame = pd.DataFrame(columns=TABLE_HEAD)
        index = {name: i + 1 for i, name in enumerate(frame.columns)}
        if self.labels == "zh":
            frame = frame.rename(columns={c: self.col_labels.get(f"{key}.{c}", c) for c in frame.columns
                                          if c not in TABLE_HEAD})
        title = self.template.sheet_titles[key]
        frame.to_excel(xl, sheet_name=title, index=False)
        sheet = xl.sheets[title]
        _finish(sheet)
        for i, notes in enumerate(self.flags[key], start=2):
            for col, (status, text) in notes.items():
                _flag(sheet.cell(i, index[col]), status, text)


def _labels() -> Tuple[Dict[str, str], Dict[str, str]]:
    """``table.row`` -> row label and ``table.column`` -> column label, as printed (2021 first, then 2019)."""
    from ..dictionary import fields

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
