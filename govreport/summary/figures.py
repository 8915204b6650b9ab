"""The summary's figures, as tables (pandas DataFrames), from a corpus's light records (``corpus.read``).

Each figure is written as CSV beside the page and drawn on it:

- ``reports_per_year_level``: ``year, level, reports`` (records read; failed inputs are counted apart);
- ``hard_check_failures``: ``check, reports_assessed, reports_failing, share`` per hard check of the template
  (a check's per-column expansions count as one: ``applications_balance[total]`` → ``applications_balance``);
  a report fails the check when any expansion fails; assessed: it holds the check with a pass or fail;
- ``derived_measures``: ``measure, level, year, reports, null, mean, median, q1, q3, min, max`` of each derived
  rate (``govreport.derived``) over the reports where it is not null, by level and year;
- ``derived_values``: one row per report, ``sha256, path, issuer, year, level, status``, then each rate (its
  values); ``status`` is the record's (``Report.status``: ok, needs_review, failed_checks), as in every output;
- ``largest_changes``: the bodies whose numbers changed most from the year before: ``measure, issuer,
  unit_id, year, prev_year, previous, current, change``, the 20 largest |change| of each quantity;
- ``cross_year_breaks``: ``issuer, unit_id, year, prev_year, check, lhs, rhs`` of each failed cross-year check
  of the template (the chain 上年结转 = last year's 结转下年度, the 现行有效件数 roll-forward);
- ``cross_year_by_year``: ``year, checks, failed, share``.

The level is the record's ``unit.unit_type`` (from a registry, else guessed from the issuer's name), and
``unknown`` where neither says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List

from ..batch.units import guess_unit_type, unit_key
from ..derived import definitions, quantities, ratios, year_on_year

TOP_CHANGES = 20
UNKNOWN = "unknown"


@dataclass
class Figures:
    tables: Dict[str, Any] = field(default_factory=dict)  # name -> DataFrame
    reports: int = 0
    errors: int = 0
    statuses: Dict[str, int] = field(default_factory=dict)  # ReportStatus value (error included) -> reports


def _base(check_id: str) -> str:
    return re.sub(r"\[.*\]$", "", check_id)


def _level(rec: Dict) -> str:
    unit = rec.get("unit") or {}
    return unit.get("unit_type") or guess_unit_type(rec["report"].get("issuer")) or UNKNOWN


@dataclass
class _Tally:
    """What one pass over the records keeps: a few numbers per report."""

    hard: set
    keys: List[str]
    per_report: List[Dict] = field(default_factory=list)
    checks_assessed: Dict[str, int] = field(default_factory=dict)
    checks_failing: Dict[str, int] = field(default_factory=dict)
    bodies: List[Dict] = field(default_factory=list)
    kept: List[Dict] = field(default_factory=list)  # for the cross-year checks: the light records (a few dozen cells)

    def add(self, rec: Dict) -> None:
        level = _level(rec)
        meta = rec["report"]
        m = ratios(rec)
        self.per_report.append({"sha256": rec["source"].get("sha256"), "path": rec["source"].get("path"),
                                "issuer": meta.get("issuer"), "year": meta.get("year"), "level": level,
                                "status": rec.get("status"), **{k: m[k]["value"] for k in self.keys}})
        seen: Dict[str, bool] = {}
        for c in rec.get("checks") or ():
            base = _base(c["id"])
            if c.get("severity") != "hard" or base not in self.hard or c.get("status") not in ("pass", "fail"):
                continue
            seen[base] = seen.get(base, False) or c["status"] == "fail"
        for base, failed in seen.items():
            self.checks_assessed[base] = self.checks_assessed.get(base, 0) + 1
            self.checks_failing[base] = self.checks_failing.get(base, 0) + failed
        body = unit_key(rec)
        if body and meta.get("year"):
            self.bodies.append({"body": body, "year": meta["year"], "issuer": meta.get("issuer"),
                                "unit_id": (rec.get("unit") or {}).get("unit_id"), "quantities": quantities(rec)})
            self.kept.append(rec)


def compute(records: Iterable[Dict]) -> Figures:
    """Every figure of the summary from the light records (streamed once; a few numbers kept per report)."""
    from ..template import load_template

    keys = [m.key for m in definitions().ratios]
    figs = Figures()
    hard = {c.base_id for v in load_template().versions.values() for c in v.checks
            if c.severity == "hard" and not c.cross_year}
    tally = _Tally(hard=hard, keys=keys)
    for rec in records:
        status = rec.get("status") or ("error" if "error" in rec else "")
        figs.statuses[status] = figs.statuses.get(status, 0) + 1
        if "error" in rec:
            figs.errors += 1
            continue
        figs.reports += 1
        tally.add(rec)
    values = _values_tables(figs, tally)
    _hard_check_table(figs, tally)
    _derived_measures_table(figs, values, keys)
    _largest_changes_table(figs, tally)
    _cross_year_tables(figs, tally)
    return figs


def _values_tables(figs: Figures, tally: _Tally):
    """``derived_values`` and ``reports_per_year_level``; returns the values frame."""
    import pandas as pd

    values = pd.DataFrame(tally.per_report,
                          columns=["sha256", "path", "issuer", "year", "level", "status", *tally.keys])
    values = values.sort_values(["path", "sha256"], kind="stable").reset_index(drop=True)  # any corpus kind: one order
    values["year"] = values["year"].astype("Int64")  # a year may be unknown: no float years in the CSV
    figs.tables["derived_values"] = values
    counts = (values.groupby(["year", "level"], dropna=False).size().reset_index(name="reports")
              if len(values) else pd.DataFrame(columns=["year", "level", "reports"]))
    figs.tables["reports_per_year_level"] = counts.sort_values(["year", "level"]).reset_index(drop=True)
    return values


def _hard_check_table(figs: Figures, tally: _Tally) -> None:
    import pandas as pd

    assessed, failing = tally.checks_assessed, tally.checks_failing
    rows = [{"check": b, "reports_assessed": assessed[b], "reports_failing": failing[b],
             "share": failing[b] / assessed[b]} for b in sorted(assessed)]
    figs.tables["hard_check_failures"] = pd.DataFrame(
        rows, columns=["check", "reports_assessed", "reports_failing", "share"]).sort_values(
        ["share", "check"], ascending=[False, True]).reset_index(drop=True)


def _derived_measures_table(figs: Figures, values, keys: List[str]) -> None:
    import pandas as pd

    dist = []
    for k in keys:
        for (level, year), group in values.groupby(["level", "year"], dropna=False) if len(values) else ():
            s = group[k].dropna().astype(float)
            dist.append({"measure": k, "level": level, "year": year, "reports": len(group),
                         "null": int(group[k].isna().sum()), "mean": s.mean() if len(s) else None,
                         "median": s.median() if len(s) else None, "q1": s.quantile(0.25) if len(s) else None,
                         "q3": s.quantile(0.75) if len(s) else None, "min": s.min() if len(s) else None,
                         "max": s.max() if len(s) else None})
    figs.tables["derived_measures"] = pd.DataFrame(
        dist, columns=["measure", "level", "year", "reports", "null", "mean", "median", "q1", "q3", "min", "max"]
    ).astype({"year": "Int64"})


def _largest_changes_table(figs: Figures, tally: _Tally) -> None:
    import pandas as pd

    changes = pd.DataFrame(year_on_year(tally.bodies), columns=[
        "issuer", "unit_id", "year", "prev_year", "measure", "value", "current", "previous", "null_because"])
    changes = changes[changes["value"].notna()].rename(columns={"value": "change"})
    top = []
    for c in definitions().changes:
        part = changes[changes["measure"] == c.key]
        part = part.reindex(part["change"].abs().sort_values(ascending=False, kind="stable").index)
        top.append(part.head(TOP_CHANGES))
    largest = pd.concat(top) if top else changes
    figs.tables["largest_changes"] = largest[["measure", "issuer", "unit_id", "year", "prev_year", "previous",
                                              "current", "change"]].reset_index(drop=True)


def _cross_year_tables(figs: Figures, tally: _Tally) -> None:
    """``cross_year_breaks`` and ``cross_year_by_year``, from the template's cross-year checks."""
    import pandas as pd

    from ..batch.crossyear import cross_year_checks
    from ..template import load_template

    ids = {c.id for v in load_template().versions.values() for c in v.checks if c.cross_year}
    cross = [c for c in cross_year_checks(tally.kept, key=unit_key) if c["id"] in ids]
    breaks = [{"issuer": c["issuer"], "unit_id": c.get("unit_id"), "year": c["year"], "prev_year": c["prev_year"],
               "check": c["id"], "lhs": c["lhs"], "rhs": c["rhs"]} for c in cross if c["status"] == "fail"]
    figs.tables["cross_year_breaks"] = pd.DataFrame(
        breaks, columns=["issuer", "unit_id", "year", "prev_year", "check", "lhs", "rhs"])
    by_year: Dict[int, List[int]] = {}
    for c in cross:
        if c["status"] in ("pass", "fail"):
            n = by_year.setdefault(c["year"], [0, 0])
            n[0] += 1
            n[1] += c["status"] == "fail"
    figs.tables["cross_year_by_year"] = pd.DataFrame(
        [{"year": y, "checks": n, "failed": f, "share": f / n} for y, (n, f) in sorted(by_year.items())],
        columns=["year", "checks", "failed", "share"])
