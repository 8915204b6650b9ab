"""Checks across reports: the same body's consecutive years (上年结转 vs 结转下年度, 现行有效件数 roll-forward)."""

from __future__ import annotations

import re
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from ..review.findings import text_similarity_checks
from ..template import load_template

TOLERANCE = 0.005


def _value(record: Dict, ref: str) -> Optional[float]:
    table, row, col = ref.split(".")
    cell = record.get("cells", {}).get(ref, {})
    if cell.get("status") in ("missing", "ambiguous", "suspect"):
        return None
    return record.get("tables", {}).get(table, {}).get(row, {}).get(col)


def _issuer_key(issuer: Optional[str]) -> Optional[str]:
    return re.sub(r"\s+", "", issuer) if issuer else None


def cross_year_checks(records: Iterable[Dict], key: Optional[Callable[[Dict], Optional[str]]] = None) -> List[Dict]:
    """Every cross-year soft check of the template, for each issuer with consecutive report years.

    ``key(record)`` names the body a record belongs to (default: its issuer, whitespace removed; with a
    unit registry: the unit_id, so that a renamed body keeps its chain); each check then carries the
    record's ``unit.unit_id``."""
    by_issuer: Dict[Tuple[str, int], Dict] = {}
    for r in records:
        meta = r.get("report", {})
        body = key(r) if key is not None else _issuer_key(meta.get("issuer"))
        year = meta.get("year")
        if body and year and meta.get("template") in ("2019", "2021"):
            by_issuer[(body, year)] = r
    template = load_template()
    out: List[Dict] = []
    for (issuer, year), rec in sorted(by_issuer.items()):
        prev = by_issuer.get((issuer, year - 1))
        if prev is None:
            continue
        version = template.versions[rec["report"]["template"]]
        for c in version.checks:
            if not c.cross_year:
                continue
            sides = []
            for terms in (c.lhs, c.rhs):
                total = 0.0
                for t in terms:
                    v = _value(prev, t.ref[5:]) if t.ref.startswith("prev.") else _value(rec, t.ref)
                    if v is None:
                        total = None  # type: ignore[assignment]
                        break
                    total += t.sign * v
                sides.append(total)
            lhs, rhs = sides
            status = "not_assessable" if lhs is None or rhs is None else (
                "pass" if abs(lhs - rhs) <= TOLERANCE else "fail")
            out.append({"issuer": rec["report"]["issuer"], "year": year, "prev_year": year - 1, "id": c.id,
                        "severity": c.severity, "status": status, "lhs": _num(lhs), "rhs": _num(rhs),
                        "expr": c.expr, **({"unit_id": (rec.get("unit") or {}).get("unit_id")} if key is not None else {})})
        for t in text_similarity_checks(prev, rec):  # prose copied from last year (records with their sections)
            out.append({"issuer": rec["report"]["issuer"], "year": year, "prev_year": year - 1, **t,
                        **({"unit_id": (rec.get("unit") or {}).get("unit_id")} if key is not None else {})})
    return out


def _num(v: Optional[float]):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v
