"""The record: what govreport emits for one report (``docs/RECORD.md``, schema ``govreport.record/1``).

Pydantic models at the boundary only; the hot internals use plain dataclasses.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

SCHEMA_ID = "govreport.record/1"

Number = Union[int, float]


class CellStatus(str, Enum):
    ok = "ok"  # printed as a number and read unambiguously
    blank = "blank"  # printed empty
    placeholder = "placeholder"  # printed as / - — 无
    inferred = "inferred"  # not printed as a separate number; a hard check forces the value uniquely
    missing = "missing"  # could not be read
    ambiguous = "ambiguous"  # several readings remain; the value is the most plausible one, flagged
    suspect = "suspect"  # placed by a guess that the hard checks over it do not confirm (the trust rule)


# the cell statuses that need a human look (every other one is read as printed, printed empty, or forced)
FLAGGED_CELL_STATUSES = ("missing", "ambiguous", "suspect")


class ReportStatus(str, Enum):
    """One word per record, the same in every output (JSON, JSONL, CSV, XLSX, SQLite, Parquet, summary)."""

    ok = "ok"  # every hard and soft check that could be assessed passes, no cell or issue needs a look
    needs_review = "needs_review"  # a flagged cell, a failed soft check, an error-level issue, or no template
    failed_checks = "failed_checks"  # a hard check fails: the printed numbers contradict each other
    error = "error"  # the input could not be read (an error line)


def report_status(check_results: Iterable[tuple], cell_statuses: Iterable[str], issue_levels: Iterable[str],
                  template: Optional[str]) -> str:
    """THE definition of a record's status (``ReportStatus``), from its checks' ``(severity, status)``, its
    cells' statuses, its issues' levels and its template: ``failed_checks`` when a hard check fails; else
    ``needs_review`` when a soft check fails, a cell is missing, ambiguous or suspect (anything but ok,
    blank, placeholder or inferred), an issue is error-level, or the template is unknown; else ``ok``."""
    review = False
    for severity, status in check_results:
        if status == "fail":
            if severity == "hard":
                return ReportStatus.failed_checks.value
            review = True
    if review or (template or "unknown") == "unknown":
        return ReportStatus.needs_review.value
    if any(_value(s) in FLAGGED_CELL_STATUSES for s in cell_statuses):
        return ReportStatus.needs_review.value
    if any(_value(level) == "error" for level in issue_levels):
        return ReportStatus.needs_review.value
    return ReportStatus.ok.value


def flagged_cell_counts(cell_statuses: Iterable[str]) -> Dict[str, int]:
    """How many cells are missing, ambiguous and suspect (every one of the three keys, 0 included)."""
    counts = dict.fromkeys(FLAGGED_CELL_STATUSES, 0)
    for s in cell_statuses:
        s = _value(s)
        if s in counts:
            counts[s] += 1
    return counts


def status_of(record: Mapping[str, Any]) -> str:
    """``report_status`` of a record as JSON data (a record line or an error line)."""
    if "error" in record:
        return ReportStatus.error.value
    return report_status(((c.get("severity"), c.get("status")) for c in record.get("checks", [])),
                         (c.get("status") for c in record.get("cells", {}).values()),
                         (i.get("level") for i in record.get("issues", [])),
                         record.get("report", {}).get("template"))


def conditions_met(record: Mapping[str, Any]) -> List[str]:
    """The ``--fail-on`` conditions a record (JSON data) meets: ``checks`` (a hard check fails), ``review``
    (its status is not ok), ``issues`` (it lists any issue, or any check fails, or it is not ok)."""
    status = status_of(record)
    if status == ReportStatus.error.value:
        return []
    met = []
    if status == ReportStatus.failed_checks.value:
        met.append("checks")
    if status != ReportStatus.ok.value:
        met.append("review")
    if status != ReportStatus.ok.value or record.get("issues") or any(
            c.get("status") == "fail" for c in record.get("checks", [])):
        met.append("issues")
    return met


def flagged_of(record: Mapping[str, Any]) -> Dict[str, int]:
    """``flagged_cell_counts`` of a record as JSON data."""
    return flagged_cell_counts(c.get("status") for c in record.get("cells", {}).values())


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Source(_Model):
    path: str
    sha256: str
    format: str = Field(description="pdf|docx|doc|html|txt|md")
    encoding: Optional[str] = Field(default=None, description="text encoding detected (text formats)")
    pages: Optional[int] = None
    text_layer: str = Field(default="ok", description="ok|partial|none")
    ocr: bool = False


class ReportMeta(_Model):
    title: Optional[str] = None
    issuer: Optional[str] = Field(default=None, description="the body named in the title")
    year: Optional[int] = Field(default=None, description="the year the statistics cover")
    template: str = Field(default="unknown", description="2021|2019|pre2019|unknown")
    template_evidence: List[str] = Field(default_factory=list)
    table_templates: Dict[str, str] = Field(
        default_factory=dict, description="template version detected per table (a report may mix them)"
    )


class Subsection(_Model):
    title: str
    text: str


class Section(_Model):
    number: int
    key: Optional[str] = None
    title: str
    text: str
    subsections: List[Subsection] = Field(default_factory=list)
    pages: Optional[List[int]] = Field(default=None, description="first and last page (PDF input)")


class Cell(_Model):
    raw: Optional[str] = Field(default=None, description="the printed text the value was read from")
    status: CellStatus
    page: Optional[int] = None
    bbox: Optional[List[float]] = None
    candidates: Optional[List[Optional[Number]]] = Field(
        default=None, description="for ambiguous cells: every value a remaining reading gives"
    )
    guesses: Optional[List[str]] = Field(
        default=None, description="how the value was placed when that took a guess (by_order, off_line, "
                                  "wrapped, digits_cut, lost_cells, dropped_token, chosen_by_checks, "
                                  "grid_contradicted): such a cell is ok only when the hard checks over it pass"
    )


class Check(_Model):
    id: str
    expr: str
    severity: str = Field(description="hard|soft")
    status: str = Field(description="pass|fail|not_assessable")
    lhs: Optional[Number] = None
    rhs: Optional[Number] = None
    cells: List[str] = Field(default_factory=list)
    note: Optional[str] = None


class Issue(_Model):
    level: Level
    code: str
    cell: Optional[str] = None
    message: str


class ErrorInfo(_Model):
    code: str
    message: str


_NULL_BECAUSE = ("why value is null: a cell read is blank, placeholder, missing, ambiguous or suspect, not in the "
                 "record or not a number; the template lacks the cell; the denominator is 0")


class DerivedRatio(_Model):
    value: Optional[Number] = Field(description="numerator / denominator; null where null_because says why")
    numerator: Optional[Number] = Field(description="the sum of the numerator cells")
    denominator: Optional[Number] = Field(description="the sum of the denominator cells")
    null_because: Optional[str] = Field(default=None, description=_NULL_BECAUSE)


class DerivedQuantity(_Model):
    value: Optional[Number] = Field(description="the sum of the cells; null where null_because says why")
    null_because: Optional[str] = Field(default=None, description=_NULL_BECAUSE)


class DerivedChange(_Model):
    value: Optional[Number] = Field(description="(current - previous) / previous; null where null_because says why")
    current: Optional[Number] = Field(description="this year's sum")
    previous: Optional[Number] = Field(description="last year's sum")
    null_because: Optional[str] = Field(default=None, description=_NULL_BECAUSE)


def _measures_help() -> str:
    """The ratios of template.json's derived_measures, each with its label."""
    from .derived import definitions

    return "the ratios: " + ", ".join(f"{r.key} ({r.label})" for r in definitions().ratios)


def _quantities_help() -> str:
    from .derived import definitions

    return "the sums the year-on-year changes compare: " + ", ".join(c.key for c in definitions().changes)


class Derived(_Model):
    """--derived: the measures of template.json's derived_measures (see govreport/derived.py)."""

    measures: Dict[str, DerivedRatio] = Field(default_factory=dict, description=_measures_help())
    quantities: Dict[str, DerivedQuantity] = Field(default_factory=dict, description=_quantities_help())
    previous_year: Optional[int] = Field(default=None, exclude_if=lambda v: v is None)
    year_on_year: Optional[Dict[str, DerivedChange]] = Field(
        default=None, exclude_if=lambda v: v is None,
        description="with the same body's record of the year before: the relative change of each quantity")


class Report(_Model):
    schema_: str = Field(default=SCHEMA_ID, alias="schema")
    tool_version: Optional[str] = None
    source: Source
    report: ReportMeta = Field(default_factory=ReportMeta)
    sections: List[Section] = Field(default_factory=list)
    tables: Dict[str, Dict[str, Dict[str, Optional[Number]]]] = Field(default_factory=dict)
    cells: Dict[str, Cell] = Field(default_factory=dict)
    checks: List[Check] = Field(default_factory=list)
    issues: List[Issue] = Field(default_factory=list)
    unit: Optional[Dict[str, Any]] = Field(default=None, exclude_if=lambda v: v is None, description=(
        "batch: the body's unit (unit_id, adcode, unit_type, parent_id, matched_by, guessed); see batch/units.py"))
    derived: Optional[Derived] = Field(default=None, exclude_if=lambda v: v is None, description=(
        "--derived: rates and year-on-year changes computed from the cells (null with the reason where a cell "
        "is not a trusted number or a denominator is 0); see govreport/derived.py"))

    model_config = ConfigDict(extra="forbid", use_enum_values=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """``status`` and ``flagged_cells`` are computed from the rest: a record read back may hold them."""
        if isinstance(data, dict) and ("status" in data or "flagged_cells" in data):
            data = {k: v for k, v in data.items() if k not in ("status", "flagged_cells")}
        return data

    # pydantic's computed_field over a property: a documented gap of mypy, which the ignore names
    @computed_field(description="ok | needs_review | failed_checks (error on error lines): failed_checks when "  # type: ignore[prop-decorator]
                                "a hard check fails; needs_review when a soft check fails, a cell is missing, "
                                "ambiguous or suspect, an issue is error-level or the template is unknown")
    @property
    def status(self) -> str:
        return report_status(((c.severity, c.status) for c in self.checks), (c.status for c in self.cells.values()),
                             (i.level for i in self.issues), self.report.template)

    @computed_field(description="how many cells are missing, ambiguous and suspect")  # type: ignore[prop-decorator]
    @property
    def flagged_cells(self) -> Dict[str, int]:
        return flagged_cell_counts(c.status for c in self.cells.values())

    def to_dict(self) -> Dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self, indent: Optional[int] = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True)

    def value(self, ref: str) -> Optional[Number]:
        """The value of ``table.row.column``: None when blank or missing; ``KeyError`` for a reference that
        is not a cell of the record or of its template."""
        parts = ref.split(".")
        if len(parts) != 3:
            raise KeyError(ref)
        table, row, col = parts
        if ref not in self.cells and col not in self.tables.get(table, {}).get(row, {}) and not _in_template(
                self, table, row, col):
            raise KeyError(ref)
        return self.tables.get(table, {}).get(row, {}).get(col)

    @property
    def failed_checks(self) -> List[Check]:
        return [c for c in self.checks if c.status == "fail"]


def _in_template(record: "Report", table: str, row: str, col: str) -> bool:
    from .template import load_template

    version = load_template().versions.get(record.report.table_templates.get(table) or record.report.template)
    tdef = version.tables.get(table) if version else None
    return tdef is not None and any(r.key == row and any(c.key == col for c in r.columns) for r in tdef.data_rows)


class ErrorRecord(_Model):
    """The line a failed input gets in JSON Lines output: ``status`` ``error``, and empty ``checks`` and
    ``cells`` so that a jq filter over records runs over error lines too."""

    schema_: str = Field(default=SCHEMA_ID, alias="schema")
    status: Literal["error"] = "error"
    source: Dict[str, Any]
    error: ErrorInfo
    checks: List[Check] = Field(default_factory=list)
    cells: Dict[str, Cell] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
