"""Review a report as the offices that collect and check them do: findings (arithmetic, template
conformance, blank cells, narrative vs tables, text copied from last year), this year against last year,
and a self-contained HTML page to look at it all.

``review_issues(report)`` is what extraction adds to every record's ``issues``; ``review(report,
previous)`` gives the whole review as data; :mod:`govreport.review.page` renders it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from .findings import Finding, all_findings, report_findings, severity_rank

log = logging.getLogger(__name__)

SCHEMA = "govreport.review/1"


def review_issues(report) -> list:
    """The one-report findings extraction does not already give, as record ``Issue``s. Never raises."""
    try:
        return [f.to_issue() for f in report_findings(report)]
    except Exception:  # noqa: BLE001 - a review must never cost the record
        log.debug("review findings failed", exc_info=True)
        return []


def review(report, previous=None) -> Dict[str, Any]:
    """The review of ``report`` (and, given the previous year's report, the comparison) as JSON-ready data.

    ``findings`` holds :class:`Finding` dicts sorted by severity: failed checks, template conformance,
    blank cells, narrative mismatches, and with ``previous`` the copied sections, the unchanged tables and
    the broken cross-year chains.
    """
    findings: List[Finding] = all_findings(report)
    comparison = None
    if previous is not None:
        from .compare import compare_with_findings

        comparison, more = compare_with_findings(previous, report)
        findings += more
    findings.sort(key=severity_rank)
    return {
        "schema": SCHEMA,
        "source": report.source.model_dump(mode="json"),
        "report": report.report.model_dump(mode="json"),
        "findings": [f.to_dict() for f in findings],
        "failed_checks": [c.model_dump(mode="json") for c in report.checks if c.status == "fail"],
        "compare": comparison,
    }


def render_review(path, previous_path=None, fmt: str = "html", images: bool = True) -> str:
    """``govreport review``: extract ``path`` (and ``previous_path``), review, render as html or json text."""
    import json

    from ..api import extract
    from .page import render

    report = extract(path)
    previous = extract(previous_path) if previous_path is not None else None
    data = review(report, previous)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return render(report, data, images=images)


def render_comparison(old_path, new_path, fmt: str = "json") -> str:
    """``govreport compare``: json, html, or a plain-text table (rich) of the comparison."""
    import json

    from ..api import extract
    from .compare import compare

    data = compare(extract(old_path), extract(new_path))
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from .page import render_compare

        return render_compare(data)
    return comparison_table(data)


def comparison_table(data: Dict[str, Any]) -> str:
    """The comparison as rich tables rendered to text (changed cells, chain checks, sections)."""
    import io

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=False, color_system=None)
    o, n = data["old"], data["new"]
    console.print(escape(f"{n.get('issuer')}: {o.get('year')} ({o.get('path')}) → {n.get('year')} ({n.get('path')})"))
    for m in data["metadata"]:
        if m["changed"]:
            console.print(escape(f"  {m['field']}: {m['old']} → {m['new']}"))
    cells = Table(title="cells", show_lines=False)
    for name in ("cell", "label", str(o.get("year")), str(n.get("year")), "change", "%"):
        cells.add_column(name, overflow="fold")
    for c in data["cells"]:
        rel = "" if c["relative"] is None else f"{c['relative']:+.0%}"
        cells.add_row(escape(c["ref"]), escape(c["label"]), _s(c["old"]), _s(c["new"]), _s(c["change"]), rel)
    console.print(cells)
    chain = Table(title="cross-year checks")
    for name in ("check", "status", "lhs", "rhs", "note"):
        chain.add_column(name, overflow="fold")
    for c in data["chain_checks"]:
        chain.add_row(escape(c["id"]), c["status"], _s(c["lhs"]), _s(c["rhs"]), escape(c["note"] or ""))
    console.print(chain)
    sims = Table(title="section similarity")
    for name in ("section", "similarity", "copied"):
        sims.add_column(name)
    for s in data["sections"]:
        sims.add_row(escape(s["title"]), "—" if s["similarity"] is None else f"{s['similarity']:.0%}",
                     "yes" if s["copied"] else "")
    console.print(sims)
    for f in data["findings"]:
        console.print(escape(f"{f['severity']}: {f['code']}: {f['message']}"))
    return buf.getvalue()


def _s(v) -> str:
    return "" if v is None else str(v)


__all__ = ["Finding", "SCHEMA", "comparison_table", "render_comparison", "render_review", "review",
           "review_issues"]
