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


def comparison(old_path, new_path) -> Dict[str, Any]:
    """Extract two years of one body and compare them (:func:`govreport.review.compare.compare`)."""
    from ..api import extract
    from .compare import compare

    return compare(extract(old_path), extract(new_path))


def render_comparison(old_path, new_path, fmt: str = "json") -> str:
    """``govreport compare`` as json or html text (the terminal table is :mod:`govreport.review.terminal`'s)."""
    import json

    data = comparison(old_path, new_path)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from .page import render_compare

        return render_compare(data)
    raise ValueError(f"unknown comparison format {fmt!r}: json or html")


__all__ = ["Finding", "SCHEMA", "comparison", "render_comparison", "render_review", "review", "review_issues"]
