"""The record: what govreport emits for one report (``../shared/spec/RECORD.md``, schema ``govreport.record/1``).

Pydantic models at the boundary only; the hot internals use plain dataclasses.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Dict, List, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

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


class Derived(_Model):
    """--derived: the measures of template.json's derived_measures (see govreport/derived.py)."""

    measures: Dict[str, DerivedRatio] = Field(default_factory=dict, description=(
        "the ratios: substantive_disclosure_rate (实质公开率), denial_rate (不予公开率), unable_rate (无法提供率), "
        "not_held_share (本机关不掌握占比), carry_forward_rate (结转率), review_correction_rate (复议纠正率), "
        "litigation_correction_rate (诉讼纠正率)"))
    quantities: Dict[str, DerivedQuantity] = Field(default_factory=dict, description=(
        "the sums the year-on-year changes compare: new_received, processed, review, litigation"))
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

    def to_dict(self) -> Dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self, indent: Optional[int] = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True)

    def value(self, ref: str) -> Optional[Number]:
        """The value of ``table.row.column`` (None when blank, missing or not in the template)."""
        table, row, col = ref.split(".")
        return self.tables.get(table, {}).get(row, {}).get(col)

    @property
    def failed_checks(self) -> List[Check]:
        return [c for c in self.checks if c.status == "fail"]


class ErrorRecord(_Model):
    """The line a failed input gets in JSON Lines output."""

    schema_: str = Field(default=SCHEMA_ID, alias="schema")
    source: Dict[str, Any]
    error: ErrorInfo

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
