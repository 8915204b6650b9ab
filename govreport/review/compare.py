"""This year against last year: every cell side by side, the cross-year chain checks, section similarity,
metadata changes, and the findings that follow from them."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ..rules.engine import Verdict, cross_year_rules, evaluate
from ..template import load_template
from .findings import Finding, copy_findings, section_similarity

SCHEMA = "govreport.compare/1"
UNCHANGED_MIN = 10  # tables_unchanged: at least this many non-zero cells in both years ...
UNCHANGED_SHARE = 0.9  # ... and at least this share of them equal to last year's


def _issuer_key(issuer: Optional[str]) -> Optional[str]:
    return re.sub(r"\s+", "", issuer) if issuer else None


def _label(ref: str, version: str) -> str:
    table, row, col = ref.split(".")
    tpl = load_template()
    v = tpl.versions.get(version) or tpl.versions[tpl.default_version]
    t = v.tables.get(table)
    if t is None:
        return ref
    for r in t.rows:
        if r.key == row:
            for c in r.columns:
                if c.key == col:
                    return f"{r.label} · {c.label}"
    return ref


def _usable(report, ref: str) -> Optional[float]:
    cell = report.cells.get(ref)
    if cell is None or cell.status in ("missing", "ambiguous", "suspect"):
        return None
    return report.value(ref)


def _num(v):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else round(v, 4)


def chain_checks(old, new) -> List[Dict[str, Any]]:
    """The template's cross-year checks of ``new`` against ``old``; not_assessable (with the reason) unless
    they are the same issuer's consecutive years in the 2019/2021 templates."""
    template = load_template()
    version = template.versions.get(new.report.template) or template.versions[template.default_version]
    why = None
    oy, ny = old.report.year, new.report.year
    if new.report.template not in template.versions or old.report.template not in template.versions:
        why = f"template {old.report.template} → {new.report.template}: no fixed tables to chain"
    elif oy is None or ny is None:
        why = "a report year is unknown"
    elif ny - oy != 1:
        why = f"the years {oy} and {ny} are not consecutive"
    elif _issuer_key(old.report.issuer) != _issuer_key(new.report.issuer):
        why = f"different issuers ({old.report.issuer} / {new.report.issuer})"

    def value_of(ref: str) -> Tuple[Optional[float], Optional[str]]:
        return (_usable(old, ref[5:]) if ref.startswith("prev.") else _usable(new, ref)), None

    out = []
    for c in cross_year_rules(template)[version.key]:  # compiled once per template
        # THE evaluator of the rules engine (its tolerance); not assessable across reports that do not chain
        verdict = evaluate(c, value_of) if why is None else Verdict("not_assessable")
        status = verdict.status
        note = why if why else ("a cell is missing, ambiguous or blank" if status == "not_assessable" else None)
        out.append({"id": c.id, "expr": c.expr, "severity": c.severity, "status": status,
                    "lhs": _num(verdict.lhs), "rhs": _num(verdict.rhs), "cells": c.refs,
                    "note": note})
    return out


def cell_changes(old, new) -> List[Dict[str, Any]]:
    refs = list(new.cells) + [r for r in old.cells if r not in new.cells]
    out = []
    for ref in refs:
        a, b = old.value(ref), new.value(ref)
        ca, cb = old.cells.get(ref), new.cells.get(ref)
        change = None if a is None or b is None else _num(b - a)
        rel = None if change is None or not a else round((b - a) / a, 4)
        table, row, col = ref.split(".")
        out.append({"ref": ref, "table": table, "row": row, "column": col,
                    "label": _label(ref, new.report.template if ref in new.cells else old.report.template),
                    "old": a, "new": b, "old_status": ca.status if ca else None,
                    "new_status": cb.status if cb else None, "change": change, "relative": rel})
    return out


def metadata_changes(old, new) -> List[Dict[str, Any]]:
    out = []
    for name in ("title", "issuer", "year", "template"):
        a, b = getattr(old.report, name), getattr(new.report, name)
        out.append({"field": name, "old": a, "new": b, "changed": a != b})
    out.append({"field": "format", "old": old.source.format, "new": new.source.format,
                "changed": old.source.format != new.source.format})
    return out


def unchanged_finding(cells: List[Dict[str, Any]], prev_year) -> List[Finding]:
    both = [c for c in cells if c["old"] not in (None, 0) and c["new"] not in (None, 0)]
    same = [c for c in both if c["old"] == c["new"]]
    if len(both) >= UNCHANGED_MIN and len(same) >= UNCHANGED_SHARE * len(both):
        return [Finding("tables_unchanged", "warning",
                        f"{len(same)} of the {len(both)} non-zero cells print the same number as the "
                        f"{prev_year or 'previous'} report", [c["ref"] for c in same],
                        {"same": len(same), "non_zero_both": len(both)})]
    return []


def chain_findings(checks: List[Dict[str, Any]], prev_year) -> List[Finding]:
    return [Finding("cross_year_check_failed", "warning",
                    f"{c['id']}: {c['lhs']} ≠ {c['rhs']} against the {prev_year} report ({c['expr']})",
                    [r[5:] if r.startswith("prev.") else r for r in c["cells"]],
                    {"check": c["id"], "expr": c["expr"], "lhs": c["lhs"], "rhs": c["rhs"]})
            for c in checks if c["status"] == "fail"]


def compare(old, new) -> Dict[str, Any]:
    """``old`` and ``new`` are :class:`govreport.Report`; the comparison as JSON-ready data."""
    return compare_with_findings(old, new)[0]


def compare_with_findings(old, new):
    """(the comparison, its findings as :class:`Finding`)."""
    cells = cell_changes(old, new)
    checks = chain_checks(old, new)
    sims = section_similarity(new, old)
    findings = (chain_findings(checks, old.report.year) + copy_findings(sims, old.report.year)
                + unchanged_finding(cells, old.report.year))
    data = {
        "schema": SCHEMA,
        "old": {"path": old.source.path, "issuer": old.report.issuer, "year": old.report.year,
                "template": old.report.template},
        "new": {"path": new.source.path, "issuer": new.report.issuer, "year": new.report.year,
                "template": new.report.template},
        "metadata": metadata_changes(old, new),
        "cells": cells,
        "chain_checks": checks,
        "sections": sims,
        "findings": [f.to_dict() for f in findings],
    }
    return data, findings
