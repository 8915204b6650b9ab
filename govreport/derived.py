"""Derived measures of a record (``--derived``): rates such as 实质公开率 and 复议纠正率, and year-on-year changes.

The measures are data: ``derived_measures`` in ``data/template.json`` names, for each ratio, the cells of its
numerator and of its denominator (the template's ``table.row.column`` keys), and for each year-on-year change
the cells it sums. One evaluator reads them all:

- a **ratio** is ``sum(numerator cells) / sum(denominator cells)``;
- a **year-on-year change** is ``(this year's sum - last year's sum) / last year's sum`` of the same cells
  of the same body.

A measure is ``null`` (``None``), never a division error, and says why (``null_because``) where any cell it
reads is not a trusted number (its status is not one of ``trusted_statuses``: blank, placeholder,
missing, ambiguous or suspect; the record lacks it; its value is not a number), where the report's
template has no such cells, or where the denominator (last year's sum) is 0. A blank cell is not 0 here
either.

``derive(record)`` works on a record as a ``dict`` (as in JSON Lines) or a ``Report``; with ``previous``
(the same body's record of the year before) it adds the year-on-year changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from .template import packaged_section

Number = float


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: Tuple[str, ...]
    denominator: Tuple[str, ...]
    templates: Tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    cells: Tuple[str, ...]
    templates: Tuple[str, ...]


@dataclass(frozen=True)
class Definitions:
    trusted: Tuple[str, ...]
    ratios: Tuple[Ratio, ...]
    changes: Tuple[Change, ...]

    @property
    def keys(self) -> List[str]:
        """Every measure's key: the ratios, then the year-on-year changes."""
        return [r.key for r in self.ratios] + [c.key for c in self.changes]

    @property
    def labels(self) -> Dict[str, str]:
        labels = {r.key: r.label for r in self.ratios}
        labels.update({c.key: c.label for c in self.changes})
        return labels


@lru_cache(maxsize=1)
def definitions() -> Definitions:
    """The ``derived_measures`` section of the packaged template."""
    d = packaged_section("derived_measures")
    ratios = tuple(Ratio(m["key"], m["label"], tuple(m["numerator"]), tuple(m["denominator"]),
                         tuple(m["templates"]), m.get("note", "")) for m in d["ratios"])
    changes = tuple(Change(m["key"], m["label"], tuple(m["cells"]), tuple(m["templates"]))
                    for m in d["year_on_year"])
    return Definitions(tuple(d["trusted_statuses"]), ratios, changes)


def _as_dict(record: Any) -> Dict:
    if isinstance(record, dict):
        return record
    return record.model_dump(mode="json", by_alias=True)  # a Report


def _table_template(record: Dict, ref: str) -> Optional[str]:
    meta = record.get("report") or {}
    return (meta.get("table_templates") or {}).get(ref.split(".", 1)[0]) or meta.get("template")


def cell_sum(record: Dict, refs: Tuple[str, ...], templates: Tuple[str, ...] = (),
             trusted: Optional[Tuple[str, ...]] = None) -> Tuple[Optional[Number], Optional[str]]:
    """The sum of ``refs`` in ``record`` and None, or None and why it cannot be taken."""
    trusted = definitions().trusted if trusted is None else trusted
    cells, tables = record.get("cells") or {}, record.get("tables") or {}
    total: Number = 0
    for ref in refs:
        version = _table_template(record, ref)
        if templates and version not in templates:
            return None, f"the report's template ({version or 'unknown'}) has no cell {ref}"
        cell = cells.get(ref)
        if not isinstance(cell, dict):
            return None, f"{ref} is not in the record"
        status = cell.get("status")
        if status not in trusted:
            return None, f"{ref} is {status}"
        table, row, col = ref.split(".")
        value = ((tables.get(table) or {}).get(row) or {}).get(col)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None, f"{ref} is not a number ({value!r})"
        total += value
    if not math.isfinite(total):
        return None, f"the sum of {', '.join(refs)} is not finite"
    return total, None


def _ratio(num: Optional[Number], den: Optional[Number]) -> Optional[Number]:
    if num is None or den is None or den == 0:
        return None
    try:
        value = num / den
    except (OverflowError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


def _entry(value, why, **parts) -> Dict[str, Any]:
    return {"value": value, **parts, "null_because": None if value is not None else why}


def ratios(record: Any) -> Dict[str, Dict[str, Any]]:
    """Each ratio of ``record``: ``{key: {value, numerator, denominator, null_because}}``."""
    rec, defs = _as_dict(record), definitions()
    out: Dict[str, Dict[str, Any]] = {}
    for m in defs.ratios:
        num, why_num = cell_sum(rec, m.numerator, m.templates, defs.trusted)
        den, why_den = cell_sum(rec, m.denominator, m.templates, defs.trusted)
        why = why_num or why_den or ("the denominator is 0" if den == 0 else "the quotient is not finite")
        out[m.key] = _entry(_ratio(num, den), why, numerator=_num(num), denominator=_num(den))
    return out


def quantities(record: Any) -> Dict[str, Dict[str, Any]]:
    """The sums the year-on-year changes compare: ``{key: {value, null_because}}``."""
    rec, defs = _as_dict(record), definitions()
    out = {}
    for c in defs.changes:
        total, why = cell_sum(rec, c.cells, c.templates, defs.trusted)
        out[c.key] = {"value": _num(total), "null_because": why}
    return out


def changes(current: Dict[str, Dict[str, Any]], previous: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Year-on-year changes from two ``quantities`` (this year's, last year's):
    ``{key: {value, current, previous, null_because}}``."""
    out = {}
    for c in definitions().changes:
        now, before = current.get(c.key) or {}, previous.get(c.key) or {}
        a, b = now.get("value"), before.get("value")
        why = (f"this year: {now.get('null_because')}" if a is None else
               f"last year: {before.get('null_because')}" if b is None else
               "last year's value is 0" if b == 0 else "the change is not finite")
        out[c.key] = _entry(_ratio(None if a is None or b is None else a - b, b), why, current=a, previous=b)
    return out


def derive(record: Any, previous: Any = None) -> Dict[str, Any]:
    """The ``derived`` block of a record: ``measures`` (the ratios), ``quantities`` (what the year-on-year
    changes compare) and, with ``previous`` (the same body's record of an earlier year), ``previous_year``
    and ``year_on_year``. Never raises on a record's values."""
    rec = _as_dict(record)
    out: Dict[str, Any] = {"measures": ratios(rec), "quantities": quantities(rec)}
    if previous is not None:
        prev = _as_dict(previous)
        out["previous_year"] = (prev.get("report") or {}).get("year")
        out["year_on_year"] = changes(out["quantities"], quantities(prev))
    return out


def year_on_year(records: List[Dict]) -> List[Dict[str, Any]]:
    """The year-on-year changes across a batch: for each body (``key``) with a record of year Y and one of
    Y-1, one row per change: ``{key, issuer, unit_id, year, prev_year, measure, value, current, previous,
    null_because}``. ``records`` are ``{body, issuer, unit_id, year, quantities}`` dicts."""
    by_body: Dict[Tuple[str, int], Dict] = {}
    for r in records:
        if r.get("body") and r.get("year") and r.get("quantities") is not None:
            by_body[(r["body"], r["year"])] = r
    out = []
    for (body, year), r in sorted(by_body.items()):
        prev = by_body.get((body, year - 1))
        if prev is None:
            continue
        for key, c in changes(r["quantities"], prev["quantities"]).items():
            out.append({"issuer": r.get("issuer"), "unit_id": r.get("unit_id"), "year": year, "prev_year": year - 1,
                        "measure": key, **c})
    return out


def _num(v: Optional[Number]):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v
