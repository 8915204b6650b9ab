"""Checks across reports: the same body's consecutive years (上年结转 vs 结转下年度, 现行有效件数 roll-forward)."""

from __future__ import annotations

import re
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from ..review.findings import text_similarity_checks
from ..rules.engine import TableRules, ValueOf, compile_table, cross_year_rules, evaluate
from ..rules.values import EmptyMeans, Number, cell_value
from ..template import Template, load_template


Tables = Dict[Tuple[str, str], TableRules]  # (version, table) -> the table's compiled rules


def _tables(template: Template) -> Tables:
    return {(v, k): compile_table(template, t) for v, vdef in template.versions.items() for k, t in vdef.tables.items()}


def _value(record: Dict, ref: str, tables: Tables) -> Optional[Number]:
    """A cell of a record (JSON data) for a rule, by the value model: its value in ``tables``; None when its
    reading is uncertain; the null policy's value when it was printed empty."""
    table, row, col = ref.split(".")
    cell = record.get("cells", {}).get(ref, {})
    meta = record.get("report", {})
    rules = tables.get((meta.get("table_templates", {}).get(table) or meta.get("template"), table))
    means = rules.means(ref) if rules is not None else EmptyMeans.zero
    return cell_value(cell.get("status"), record.get("tables", {}).get(table, {}).get(row, {}).get(col), means)


def _values_across(prev: Dict, rec: Dict, tables: Tables) -> ValueOf:
    """The cells of ``rec``, and of ``prev`` (the year before) for a ``prev.`` reference."""
    return lambda ref: (_value(prev, ref[5:], tables) if ref.startswith("prev.") else _value(rec, ref, tables),
                        None)


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
    rules, tables = cross_year_rules(template), _tables(template)
    out: List[Dict] = []
    for (issuer, year), rec in sorted(by_issuer.items()):
        prev = by_issuer.get((issuer, year - 1))
        if prev is None:
            continue
        for c in rules[rec["report"]["template"]]:
            v = evaluate(c, _values_across(prev, rec, tables))
            lhs, rhs, status = v.lhs, v.rhs, v.status
            out.append({"issuer": rec["report"]["issuer"], "year": year, "prev_year": year - 1, "id": c.id,
                        "severity": c.severity, "status": status, "lhs": _num(lhs), "rhs": _num(rhs),
                        "expr": c.expr, **({"unit_id": (rec.get("unit") or {}).get("unit_id")} if key is not None else {})})
        for t in text_similarity_checks(prev, rec):  # prose copied from last year (records with their sections)
            out.append({"issuer": rec["report"]["issuer"], "year": year, "prev_year": year - 1, **t,
                        **({"unit_id": (rec.get("unit") or {}).get("unit_id")} if key is not None else {})})
    return out


def _num(v: Optional[Number]) -> Optional[Number]:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def result_key(check: Dict, by_unit: bool = False) -> Tuple[Optional[str], Optional[int]]:
    """The (body, year) a cross-year result belongs to, as ``record_key`` names a record."""
    if by_unit:
        uid = check.get("unit_id")
        body = f"unit:{uid}" if uid else (f"name:{_issuer_key(check.get('issuer'))}" if check.get("issuer") else None)
    else:
        body = _issuer_key(check.get("issuer"))
    return body, check.get("year")


def record_key(record: Dict, by_unit: bool = False) -> Tuple[Optional[str], Optional[int]]:
    """The (body, year) of a record: its issuer (white space removed), or with units its unit_key."""
    meta = record.get("report", {})
    if by_unit:
        from .units import unit_key

        return unit_key(record), meta.get("year")
    return _issuer_key(meta.get("issuer")), meta.get("year")


def index_results(results: Iterable[Dict], by_unit: bool = False) -> Dict[Tuple, Dict[str, Dict]]:
    """(body, year) -> check id -> result, for ``apply_results``."""
    out: Dict[Tuple, Dict[str, Dict]] = {}
    for c in results:
        out.setdefault(result_key(c, by_unit), {})[c["id"]] = c
    return out


def apply_results(record: Dict, index: Dict[Tuple, Dict[str, Dict]], by_unit: bool = False) -> bool:
    """Put the batch's cross-year results into the record's own checks of the same id (which said
    ``not_assessable``: needs the previous year), so that the record agrees with the summary, the database
    and the workbook. Returns whether anything changed."""
    found = index.get(record_key(record, by_unit))
    if not found:
        return False
    changed = False
    for check in record.get("checks", []):
        res = found.get(check.get("id"))
        if res is None:
            continue
        new = {"status": res["status"], "lhs": res.get("lhs"), "rhs": res.get("rhs"),
               "note": f"against the {res['prev_year']} report in this batch"}
        if any(check.get(k) != v for k, v in new.items()):
            check.update(new)
            changed = True
    if changed and "status" in record:
        from ..record import status_of

        record["status"] = status_of(record)
    return changed
