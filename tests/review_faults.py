"""Generated reports with planted faults, for the review findings (tests/test_review.py, bench/review_faults.py).

Every report comes from samples/make_samples.py (consistent invented numbers). A *pair* is this year's
report (2023) and a previous year's (2022) of the same body whose prose is different (the 2019 generator's
paragraphs) and whose tables chain (上年结转 = last year's 结转下年度, 现行有效 roll-forward), so that a clean
pair raises no finding. Each ``plant_*`` returns the text of this year's report with one fault and what a
reviewer must find.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from sample_scripts import load

ms = load("make_samples")

APP_COLUMNS = ["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
               "legal_service_org", "other_org"]
PREV_SEED_OFFSET = 7919


def extract_text(text: str, name: str = "report.txt"):
    """The real pipeline on a text (as ``govreport.extract`` reads a .txt file)."""
    from govreport.api import build_report
    from govreport.readers import text as text_reader
    from govreport.record import Source

    doc = text_reader.read(text.encode("utf-8"), Path(name), "txt")
    return build_report(doc, Source(path=name, sha256="0" * 64, format="txt"))


def _sections(items: list) -> List[Tuple[int, int]]:
    """(start, end) item indexes of sections 一 to 六 (title paragraph included)."""
    starts = [next(i for i, (k, p) in enumerate(items) if k == "para" and p == t) for t in ms.SECTION_TITLES]
    ends = starts[1:] + [len(items) - 2]  # the signature (body, date) closes the report
    return list(zip(starts, ends))


def with_prose_of(report: dict, other: dict, numbers=(0, 4, 5)) -> dict:
    """``report`` with the paragraphs of sections ``numbers`` (0-based) taken from ``other``."""
    items = list(report["items"])
    mine, theirs = _sections(items), _sections(other["items"])
    for n in sorted(numbers, reverse=True):
        (s, e), (os_, oe) = mine[n], theirs[n]
        items[s + 1:e] = [it for it in other["items"][os_ + 1:oe] if it[0] == "para"]
    return {**report, "items": items}


def _rebalance(app: Dict[str, Dict[str, int]]) -> None:
    """new + carried_over = processed + carried_forward, per column, keeping every cell >= 0; totals summed."""
    for c in APP_COLUMNS:
        need = app["total_processed"][c] + app["carried_forward"][c]
        app["carried_over"][c] = min(app["carried_over"][c], need)
        app["new_received"][c] = need - app["carried_over"][c]
    for row in app.values():
        row["total"] = sum(row[c] for c in APP_COLUMNS)


def make_pair(seed: int) -> Tuple[dict, dict]:
    """(previous year's report, this year's report) of 云溪县人民政府, clean: chained tables, different prose."""
    this = ms.make_report_2021(seed)
    prev = ms.make_report_2021(seed + PREV_SEED_OFFSET)
    prev = with_prose_of(prev, ms.make_report_2019(seed))
    prev = {**prev, "title": prev["title"].replace("2023", "2022"), "truth": copy.deepcopy(prev["truth"])}
    tables = prev["truth"]["tables"]
    app = tables["applications"]
    for c in APP_COLUMNS:
        app["carried_forward"][c] = this["truth"]["tables"]["applications"]["carried_over"][c]
    _rebalance(app)
    ad, ad_this = tables["active_disclosure"], this["truth"]["tables"]["active_disclosure"]
    for row in ("rules", "normative_documents"):
        t = ad_this[row]
        ad[row]["in_force"] = t["in_force"] - t["issued_this_year"] + t["repealed_this_year"]
        ad[row]["issued_this_year"] = min(ad[row]["issued_this_year"], ad[row]["in_force"])
    assert not ms.check_truth(prev["truth"]), ms.check_truth(prev["truth"])
    return prev, this


def render(report: dict) -> str:
    return ms.render_grid(report)


# --- the faults --------------------------------------------------------------------------------------

# (the sentence piece this year's text prints, the cell(s) a changed number must be found against)
NARRATIVE_TARGETS = [
    ("新收政府信息公开申请{}件", ["applications.new_received.total"], ("applications", "new_received", "total")),
    ("上年度结转{}件", ["applications.carried_over.total"], ("applications", "carried_over", "total")),
    ("答复办结{}件", ["applications.total_processed.total"], ("applications", "total_processed", "total")),
    ("其中予以公开{}件", ["applications.granted.total"], ("applications", "granted", "total")),
    ("部分公开{}件", ["applications.partially_granted.total"], ("applications", "partially_granted", "total")),
    ("尚有{}件处于法定答复期限内", ["applications.carried_forward.total"],
     ("applications", "carried_forward", "total")),
    ("其中自然人提出{}件", ["applications.new_received.natural_person"],
     ("applications", "new_received", "natural_person")),
    ("被申请行政复议{}件", ["review_litigation.review.total"], ("review_litigation", "review", "total")),
    ("本年制发行政规范性文件{}件", ["active_disclosure.normative_documents.issued_this_year"],
     ("active_disclosure", "normative_documents", "issued_this_year")),
]


def plant_narrative(report: dict, seed: int) -> Tuple[str, dict]:
    """A number of the 总体情况 prose changed: the finding names its cell and both values."""
    rng = random.Random(seed)
    piece, cells, (t, r, c) = NARRATIVE_TARGETS[seed % len(NARRATIVE_TARGETS)]
    true = report["truth"]["tables"][t][r][c]
    wrong = true + rng.randint(1, 9)
    old, new = piece.format(true), piece.format(wrong)
    items = [(k, p.replace(old, new, 1) if k == "para" and old in p else p) for k, p in report["items"]]
    assert items != report["items"], old
    return render({**report, "items": items}), {"code": "narrative_mismatch", "cells": cells, "text_value": wrong}


def plant_missing_section(report: dict, seed: int) -> Tuple[str, dict]:
    """Section 五 or 六 (their heading and paragraphs) left out."""
    n = 4 + seed % 2
    s, e = _sections(report["items"])[n]
    items = report["items"][:s] + report["items"][e:]
    return render({**report, "items": items}), {"code": "section_missing", "section": n + 1}


def _table3_row_keys(version: str) -> List[Tuple[str, str]]:
    return [(k, label) for k, label, _, _ in ms.APPLICATION_ROWS[version] if k not in ms.WRAPPED_LABELS]


def plant_deleted_row(report: dict, seed: int) -> Tuple[str, dict]:
    """One labelled row of table 三 (or of table 二) deleted from the printed grid."""
    rng = random.Random(seed)
    text = render(report)
    if seed % 4 == 3:
        key, label = rng.choice([("admin_licensing", "行政许可"), ("admin_penalty", "行政处罚"),
                                 ("admin_coercion", "行政强制")])
        table = "active_disclosure"
    else:
        key, label = rng.choice(_table3_row_keys(report["version"]))
        table = "applications"
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if label in line.split("\t")]
    assert len(hits) == 1, (label, hits)
    del lines[hits[0]]
    return "\n".join(lines), {"code": "row_absent", "cells": [f"{table}.{key}"]}


def plant_wrong_template(seed: int) -> Tuple[str, dict]:
    """A report in the 2019 tables for a year after 2020, or in the 2021 tables for 2019/2020."""
    if seed % 2:
        report = ms.make_report_2019(seed)
        year = 2021 + seed % 3
        title = report["title"].replace("2020年", f"{year}年")
    else:
        report = ms.make_report_2021(seed)
        year = 2019 + seed % 4 // 2
        title = report["title"].replace("2023年", f"{year}年")
    assert title != report["title"]
    return render({**report, "title": title}), {"code": "template_year_mismatch", "year": year}


def plant_copied(prev: dict, this: dict, seed: int) -> Tuple[str, dict]:
    """Section 一 or 五 of this year's report copied from last year's (its numbers as printed there)."""
    n = (0, 4)[seed % 2]
    return render(with_prose_of(this, prev, (n,))), {"code": "text_copied", "section": n + 1}


def break_chain(prev: dict, this: dict, seed: int) -> Tuple[dict, str]:
    """Last year's 结转下年度 no longer this year's 上年结转 (one column off by 1..3, still balanced)."""
    prev = {**prev, "truth": copy.deepcopy(prev["truth"])}
    app = prev["truth"]["tables"]["applications"]
    col = "natural_person"  # every generated report has some
    d = 1 + seed % 3
    app["carried_forward"][col] += d
    app["new_received"][col] += d
    _rebalance(app)
    assert not ms.check_truth(prev["truth"])
    return prev, f"applications_carry_chain[{col}]"


def found(findings: List[dict], expect: dict) -> bool:
    """Whether ``findings`` (review()['findings']) hold the planted fault ``expect`` describes."""
    for f in findings:
        if f["code"] != expect["code"]:
            continue
        if "cells" in expect and f["cells"] != expect["cells"]:
            continue
        if "text_value" in expect and f["evidence"].get("text_value") != expect["text_value"]:
            continue
        if "section" in expect and f["evidence"].get("section") != expect["section"]:
            continue
        return True
    return False


KINDS: Dict[str, Callable] = {
    "narrative": plant_narrative, "missing_section": plant_missing_section, "deleted_row": plant_deleted_row,
}
