"""The dev corpus (real reports with hand-checked gold), compared cell by cell.

Reads ``GOVREPORT_CORPUS`` (default ``../shared/corpus``); skipped when absent, except under CI=true.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import govreport

from scoring import score

TEXT_DOCS = [
    "haiyuan-gaoya-2023.txt", "pingtan-2019.txt", "pingtan-2021.txt", "pingtan-2023.txt",
    "shanghai-kewei-2024.md", "shuyang-2025-ocr.txt",
]
PRE2019 = ["pingtan-2018.txt", "pingtan-county-2012.txt"]


@pytest.fixture(scope="module")
def records(corpus_dir: Path) -> dict:
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = govreport.extract(corpus_dir / "docs" / name).to_dict()
        return cache[name]

    return get  # type: ignore[return-value]


def _gold(corpus_dir: Path, name: str) -> dict:
    return json.loads((corpus_dir / "gold" / f"{name}.json").read_text("utf-8"))


@pytest.mark.corpus
@pytest.mark.parametrize("name", TEXT_DOCS)
def test_text_documents_cell_by_cell(corpus_dir: Path, records, name: str) -> None:
    gold = _gold(corpus_dir, name)
    rec = records(name)
    s = score(rec, gold)
    assert s.silent == [], f"silently wrong cells: {s.silent}"
    assert s.total == sum(len(c) for rows in gold["tables"].values() for c in rows.values())
    assert s.accuracy >= 0.97, f"{s.right}/{s.total} right; flagged: {s.wrong_flagged}"


@pytest.mark.corpus
@pytest.mark.parametrize("name", TEXT_DOCS + PRE2019)
def test_report_metadata(corpus_dir: Path, records, name: str) -> None:
    gold = _gold(corpus_dir, name)["report"]
    meta = records(name)["report"]
    assert meta["template"] == gold["template"]
    assert meta["year"] == gold["year"]
    assert gold["issuer"] in (meta["issuer"] or ""), meta["issuer"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", PRE2019)
def test_pre2019_reports_get_no_table_numbers(records, name: str) -> None:
    rec = records(name)
    assert rec["tables"] == {}
    assert rec["cells"] == {}
    assert any(i["code"] == "pre2019_report" for i in rec["issues"])
    assert rec["sections"], "the prose sections are still extracted"


@pytest.mark.corpus
def test_seed_lost_cells_come_back_inferred(corpus_dir: Path, records) -> None:
    gold = _gold(corpus_dir, "haiyuan-gaoya-2023.txt")
    rec = records("haiyuan-gaoya-2023.txt")
    assert score(rec, gold).right == 200
    inferred = sorted(ref for ref, c in rec["cells"].items() if c["status"] == "inferred")
    assert inferred == sorted(gold["inferred_cells"])
    for ref in inferred:
        issue = next(i for i in rec["issues"] if i.get("cell") == ref)
        assert issue["code"] == "cell_inferred" and "applications_column_total" in issue["message"]
    assert all(c["status"] == "pass" for c in rec["checks"] if c["severity"] == "hard")
    assert [s["number"] for s in rec["sections"]] == [1, 2, 3, 4, 5, 6]


@pytest.mark.corpus
def test_markdown_inferred_total_and_rows_placed_by_order(corpus_dir: Path, records) -> None:
    gold = _gold(corpus_dir, "shanghai-kewei-2024.md")
    rec = records("shanghai-kewei-2024.md")
    for ref in gold["inferred_cells"]:
        assert rec["cells"][ref]["status"] == "inferred"
    placed = {i["cell"] for i in rec["issues"] if i["code"] == "row_placed_by_order"}
    assert "applications.partially_granted" in placed


@pytest.mark.corpus
def test_run_together_digits_are_cut_by_the_checks(records) -> None:
    rec = records("pingtan-2021.txt")
    assert rec["tables"]["applications"]["new_received"] == {
        "natural_person": 64, "commercial_enterprise": 0, "research_institution": 0, "public_welfare_org": 2,
        "legal_service_org": 0, "other_org": 4, "total": 70,
    }
    cell = rec["cells"]["applications.new_received.natural_person"]
    assert cell["status"] == "inferred" and cell["raw"] == "64"
    assert rec["tables"]["review_litigation"]["review"] == {"upheld": 1, "corrected": 0, "other": 2, "pending": 0,
                                                           "total": 3}


@pytest.mark.corpus
def test_ambiguous_split_is_flagged_with_its_candidates(records) -> None:
    rec = records("pingtan-2023.txt")
    cell = rec["cells"]["active_disclosure.normative_documents.in_force"]
    assert cell["status"] == "ambiguous"
    assert 470 in cell["candidates"] and len(cell["candidates"]) >= 2
    issued = rec["cells"]["active_disclosure.normative_documents.issued_this_year"]
    assert rec["tables"]["active_disclosure"]["normative_documents"]["issued_this_year"] == 77
    assert issued["status"] == "inferred"  # decided by the narrative "制发的规范性文件77件"
