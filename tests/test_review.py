"""The review: findings on generated reports with planted faults (and on clean ones), the comparison of two
years, the findings in the record's issues, the dev corpus, and the CLI through its real entry point.
(The page in a real browser: tests/test_review_browser.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import review_faults as rf
from conftest import ROOT, SAMPLES, make_report
from govreport.review import review, review_issues
from govreport.review.compare import compare
from govreport.review.findings import (COPY_THRESHOLD, SHINGLE, jaccard, narrative_numbers, section_similarity,
                                       shingles)

SEEDS = range(24)  # bench/review_faults.py runs the same over 200 seeds


def _codes(findings):
    return [f["code"] for f in findings]


# --- planted faults --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pairs():
    out = []
    for seed in SEEDS:
        prev, this = rf.make_pair(seed)
        out.append((seed, prev, this, rf.extract_text(rf.render(prev), "prev.txt")))
    return out


def test_clean_pairs_raise_no_finding(pairs) -> None:
    noisy = {}
    for seed, prev, this, prev_r in pairs:
        findings = review(rf.extract_text(rf.render(this)), prev_r)["findings"]
        if findings:
            noisy[seed] = _codes(findings)
    assert len(noisy) <= 0.05 * len(pairs), noisy


@pytest.mark.parametrize("kind", sorted(rf.KINDS))
def test_planted_fault_is_found(pairs, kind: str) -> None:
    missed = []
    for seed, _, this, _ in pairs:
        text, expect = rf.KINDS[kind](this, seed)
        if not rf.found(review(rf.extract_text(text))["findings"], expect):
            missed.append(seed)
    assert len(missed) <= 0.05 * len(pairs), missed


def test_wrong_template_for_the_year_is_found() -> None:
    missed = []
    for seed in SEEDS:
        text, expect = rf.plant_wrong_template(seed)
        findings = review(rf.extract_text(text))["findings"]
        if not rf.found(findings, expect):
            missed.append(seed)
    assert len(missed) <= 0.05 * len(SEEDS), missed


def test_section_copied_from_last_year_is_found(pairs) -> None:
    missed = []
    for seed, prev, this, prev_r in pairs:
        text, expect = rf.plant_copied(prev, this, seed)
        if not rf.found(review(rf.extract_text(text), prev_r)["findings"], expect):
            missed.append(seed)
    assert len(missed) <= 0.05 * len(pairs), missed


def test_narrative_mismatch_names_both_numbers_and_the_cell() -> None:
    this = rf.ms.make_report_2021(3)
    true = this["truth"]["tables"]["applications"]["new_received"]["total"]
    text, expect = rf.plant_narrative(this, 0)  # seed 0: 新收政府信息公开申请 N 件
    findings = [f for f in review(rf.extract_text(text))["findings"] if f["code"] == "narrative_mismatch"]
    assert len(findings) == 1
    f = findings[0]
    assert f["cells"] == ["applications.new_received.total"] and f["severity"] == "warning"
    assert f["evidence"]["text_value"] == expect["text_value"] != true
    assert f["evidence"]["table_value"] == true
    assert f"新收政府信息公开申请{expect['text_value']}件" in f["evidence"]["snippet"]


def test_narrative_numbers_read_from_the_prose() -> None:
    text = ("2024年，全市共受理政府信息公开申请 3119 件，答 复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到"
            "下年度答复）。政府信息公开行政复议 351 件；政府信息公开行政诉讼 46 件。其中：予以公开及部分公开42件。")
    got = {(t.split("|")[0], n) for t, _, n, _ in narrative_numbers(text)}
    assert got == {("applications.new_received.total", 3119), ("applications.total_processed.total", 3050),
                   ("applications.carried_over.total", 34), ("applications.carried_forward.total", 103),
                   ("review_litigation.review.total", 351),
                   ("review_litigation.lit_direct.total+review_litigation.lit_after_review.total", 46)}


def test_deleted_row_is_absent_but_its_values_are_forced() -> None:
    report = rf.ms.make_report_2021(5)
    lines = rf.render(report).split("\n")
    lines = [line for line in lines if "8.属于行政查询事项" not in line.split("\t")]
    r = rf.extract_text("\n".join(lines))
    absent = [f for f in review(r)["findings"] if f["code"] == "row_absent"]
    assert [f["cells"] for f in absent] == [["applications.denied_admin_query"]]
    assert absent[0]["message"].endswith("the hard checks force its values")
    truth = report["truth"]["tables"]["applications"]["denied_admin_query"]
    assert r.tables["applications"]["denied_admin_query"] == truth


def test_missing_section_and_heading_variant() -> None:
    report = rf.ms.make_report_2021(2)
    text, _ = rf.plant_missing_section(report, 0)  # section 五 left out
    text = text.replace("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况")
    findings = review(rf.extract_text(text))["findings"]
    missing = [f for f in findings if f["code"] == "section_missing"]
    assert [f["evidence"]["section"] for f in missing] == [5]
    variant = [f for f in findings if f["code"] == "heading_variant"]
    assert [(f["evidence"]["printed"], f["evidence"]["known_variant"]) for f in variant] == \
        [("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况", True)]


def test_section_printed_out_of_order() -> None:
    report = rf.ms.make_report_2021(2)
    items = list(report["items"])
    (s5, e5), (s6, e6) = rf._sections(items)[4:6]
    items = items[:s5] + items[s6:e6] + items[s5:e5] + items[e6:]  # 六 before 五
    findings = review(rf.extract_text(rf.render({**report, "items": items})))["findings"]
    assert [(f["code"], f["evidence"]["section"]) for f in findings if f["code"].startswith("section_")] == \
        [("section_out_of_order", 6)]


def test_blank_and_placeholder_cells() -> None:
    r = make_report("2021")
    for cell in r.cells.values():
        cell.status = "ok"
    for ref in ("applications.new_received.commercial_enterprise", "applications.carried_over.commercial_enterprise"):
        r.cells[ref].status, r.cells[ref].raw = "blank", ""
    r.cells["active_disclosure.rules.in_force"].status = "placeholder"
    r.cells["active_disclosure.rules.in_force"].raw = "/"
    by_code = {f["code"]: f for f in review(r)["findings"] if f["code"].startswith("cells_")}
    assert by_code["cells_blank"]["cells"] == ["applications.new_received.commercial_enterprise",
                                               "applications.carried_over.commercial_enterprise"]
    assert by_code["cells_placeholder"]["cells"] == ["active_disclosure.rules.in_force"]
    assert by_code["cells_placeholder"]["evidence"]["raw"] == ["/"]


# --- copied text -------------------------------------------------------------------------------------------

def test_shingled_jaccard() -> None:
    a = "本年度新收政府信息公开申请12件，全部按期答复。"
    b = "本年度新收政府信息公开申请345件，全部按期答复。"  # the same text with another number
    assert jaccard(shingles(a), shingles(b)) == 1.0
    c = "县政府常务会议听取政务公开工作汇报，部署年度重点任务。"
    assert jaccard(shingles(a), shingles(c)) == 0.0
    assert SHINGLE == 5 and COPY_THRESHOLD == 0.8
    assert jaccard(set(), shingles(a)) is None


def test_similarity_of_copied_and_rewritten_sections(pairs) -> None:
    seed, prev, this, prev_r = pairs[0]
    clean = {s["number"]: s for s in section_similarity(rf.extract_text(rf.render(this)), prev_r)}
    assert set(clean) == {1, 5, 6} and not any(s["copied"] for s in clean.values())
    assert all(s["similarity"] is not None and s["similarity"] < 0.2 for s in clean.values())
    copied_text, _ = rf.plant_copied(prev, this, 0)  # section 一 copied
    copied = {s["number"]: s for s in section_similarity(rf.extract_text(copied_text), prev_r)}
    assert copied[1]["similarity"] == 1.0 and copied[1]["copied"]
    assert not copied[5]["copied"]


# --- this year against last year ----------------------------------------------------------------------

def test_compare_consecutive_generated_pair(pairs) -> None:
    seed, prev, this, prev_r = pairs[1]
    cur = rf.extract_text(rf.render(this))
    data = compare(prev_r, cur)
    chain = {c["id"]: c for c in data["chain_checks"]}
    assert len(chain) == 9  # 7 applications_carry_chain columns and 2 现行有效 roll-forwards
    assert all(c["status"] == "pass" for c in chain.values()), chain
    total = chain["applications_carry_chain[total]"]
    assert total["lhs"] == this["truth"]["tables"]["applications"]["carried_over"]["total"] == total["rhs"]
    refs = {c["ref"] for c in data["cells"]}
    assert refs == set(cur.cells) == set(prev_r.cells)
    row = next(c for c in data["cells"] if c["ref"] == "applications.new_received.total")
    old = prev["truth"]["tables"]["applications"]["new_received"]["total"]
    new = this["truth"]["tables"]["applications"]["new_received"]["total"]
    assert (row["old"], row["new"], row["change"]) == (old, new, new - old)
    assert row["relative"] == round((new - old) / old, 4)
    assert row["label"] == "一、本年新收政府信息公开申请数量 · 总计"
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    broken, check = rf.break_chain(prev, this, 1)
    data = compare(rf.extract_text(rf.render(broken)), cur)
    failed = [c for c in data["chain_checks"] if c["status"] == "fail"]
    assert {c["id"] for c in failed} == {check, "applications_carry_chain[total]"}
    assert [f["code"] for f in data["findings"]] == ["cross_year_check_failed"] * 2


def test_compare_years_not_consecutive(pairs) -> None:
    _, prev, this, prev_r = pairs[2]
    prev_r = prev_r.model_copy(deep=True)
    prev_r.report.year = 2020
    data = compare(prev_r, rf.extract_text(rf.render(this)))
    assert {c["status"] for c in data["chain_checks"]} == {"not_assessable"}
    assert {c["note"] for c in data["chain_checks"]} == {"the years 2020 and 2023 are not consecutive"}


def test_tables_printed_unchanged_from_last_year(pairs) -> None:
    _, prev, this, prev_r = pairs[3]
    same = rf.extract_text(rf.render({**this, "title": this["title"].replace("2023", "2022")}))
    data = compare(same, rf.extract_text(rf.render(this)))
    codes = [f["code"] for f in data["findings"]]
    assert "tables_unchanged" in codes
    assert "text_copied" in codes


# --- in the record -------------------------------------------------------------------------------------

def test_one_report_findings_are_in_the_record_issues() -> None:
    this = rf.ms.make_report_2021(7)
    text, expect = rf.plant_narrative(this, 7)
    r = rf.extract_text(text)
    issues = [i for i in r.issues if i.code == "narrative_mismatch"]
    assert [i.cell for i in issues] == expect["cells"]
    assert issues[0].level == "warning"


def test_clean_samples_get_no_review_issue() -> None:
    import govreport

    for name in ("sample-2021.txt", "sample-2019.txt"):
        codes = {i.code for i in govreport.extract(SAMPLES / name).issues}
        assert not codes & {"narrative_mismatch", "section_missing", "row_absent", "heading_variant",
                            "cells_blank", "cells_placeholder", "section_out_of_order"}, (name, codes)


def test_review_issues_never_raise() -> None:
    class Broken:
        report = None

    assert review_issues(Broken()) == []


# --- the dev corpus ------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_hongze_review(corpus_dir: Path) -> None:
    import govreport

    r = govreport.extract(corpus_dir / "docs" / "hongze-2023.pdf")
    data = review(r)
    failed = [f for f in data["findings"] if f["code"] == "check_failed"]
    assert sorted(f["evidence"]["check"] for f in failed) == ["review_litigation_lit_after_review_total",
                                                              "review_litigation_review_total"]
    review_total = next(f for f in failed if f["evidence"]["check"] == "review_litigation_review_total")
    assert (review_total["evidence"]["lhs"], review_total["evidence"]["rhs"]) == (0, 11)
    assert "review_litigation.review.upheld" in review_total["cells"]
    assert "row_from_other_template" in _codes(data["findings"])


@pytest.mark.corpus
def test_pingtan_compare_not_consecutive(corpus_dir: Path) -> None:
    docs = corpus_dir / "docs"
    proc = subprocess.run([sys.executable, "-m", "govreport", "compare", str(docs / "pingtan-2021.html"),
                           str(docs / "pingtan-2023.html")], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout is a pipe: JSON
    assert (data["old"]["year"], data["new"]["year"]) == (2021, 2023)
    assert {c["status"] for c in data["chain_checks"]} == {"not_assessable"}
    assert all("not consecutive" in c["note"] for c in data["chain_checks"])
    refs = [c["ref"] for c in data["cells"]]
    from govreport.template import load_template

    template = load_template().versions["2021"]
    assert sorted(refs) == sorted(ref for t in template.tables.values() for ref in t.cell_refs())
    new_received = next(c for c in data["cells"] if c["ref"] == "applications.new_received.total")
    assert (new_received["old"], new_received["new"], new_received["change"]) == (70, 81, 11)
    overall = next(s for s in data["sections"] if s["number"] == 1)
    assert overall["similarity"] < 0.2 and not overall["copied"]


@pytest.mark.corpus
def test_corpus_findings(corpus_dir: Path) -> None:
    import govreport

    docs = corpus_dir / "docs"
    kewei = review(govreport.extract(docs / "shanghai-kewei-2024.md"))["findings"]
    assert [f["evidence"]["section"] for f in kewei if f["code"] == "section_missing"] == [5]
    fgj = review(govreport.extract(docs / "shuyang-fgj-2023.html"))["findings"]
    blank = next(f for f in fgj if f["code"] == "cells_blank")
    assert "applications.new_received.commercial_enterprise" in blank["cells"]
    huaian = review(govreport.extract(docs / "huaian-2024.pdf"))["findings"]
    assert "narrative_mismatch" not in _codes(huaian)  # its prose gives 3119, 3050, 34, 103, 351, 46: all match


# --- the command line --------------------------------------------------------------------------------------

def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, **kw)


def test_cli_review_html_and_json(tmp_path: Path) -> None:
    report = rf.ms.make_report_2021(11)
    text, expect = rf.plant_narrative(report, 11)
    src = tmp_path / "report.txt"
    src.write_text(text, "utf-8")
    out = tmp_path / "review.html"
    proc = _cli("review", str(src), "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "narrative_mismatch" in page
    proc = _cli("review", str(src), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema"] == "govreport.review/1" and data["compare"] is None
    assert rf.found(data["findings"], expect)


def test_cli_review_with_previous(tmp_path: Path) -> None:
    prev, this = rf.make_pair(4)
    text, _ = rf.plant_copied(prev, this, 4)
    (tmp_path / "2022.txt").write_text(rf.render(prev), "utf-8")
    (tmp_path / "2023.txt").write_text(text, "utf-8")
    proc = _cli("review", str(tmp_path / "2023.txt"), "--previous", str(tmp_path / "2022.txt"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    copied = [f for f in data["findings"] if f["code"] == "text_copied"]
    assert [f["evidence"]["section"] for f in copied] == [1]
    assert data["compare"]["old"]["year"] == 2022 and data["compare"]["new"]["year"] == 2023


def test_cli_review_errors(tmp_path: Path) -> None:
    proc = _cli("review", str(tmp_path / "nope.txt"))
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith("govreport: error:") and proc.stderr.count("\n") == 1
    proc = _cli("review", str(SAMPLES / "sample-2021.txt"), "--format", "pdf")
    assert proc.returncode == 2
    proc = _cli("review", str(SAMPLES / "sample-2021.txt"), "-o", str(tmp_path / "missing" / "r.html"))
    assert proc.returncode == 5 and proc.stdout == ""
    proc = _cli("review", str(SAMPLES / "sample-2021.txt"), "--previous", str(tmp_path / "nope.txt"))
    assert proc.returncode == 3


def test_cli_compare_formats(tmp_path: Path) -> None:
    prev, this = rf.make_pair(6)
    (tmp_path / "2022.txt").write_text(rf.render(prev), "utf-8")
    (tmp_path / "2023.txt").write_text(rf.render(this), "utf-8")
    old, new = str(tmp_path / "2022.txt"), str(tmp_path / "2023.txt")
    data = json.loads(_cli("compare", old, new).stdout)
    assert {c["status"] for c in data["chain_checks"]} == {"pass"}
    table = _cli("compare", old, new, "--format", "table")
    assert table.returncode == 0 and "applications_carry_chain[total]" in table.stdout
    assert "一、本年新收政府信息公开申请数量 · 总计" in table.stdout
    proc = _cli("compare", old, new, "-o", str(tmp_path / "c.html"))
    assert proc.returncode == 0, proc.stderr
    assert 'id="chain-checks"' in (tmp_path / "c.html").read_text("utf-8")


def test_cross_year_checks_of_full_records_include_the_copied_text(pairs) -> None:
    from govreport.batch.crossyear import cross_year_checks

    seed, prev, this, prev_r = pairs[5]
    copied_text, _ = rf.plant_copied(prev, this, 1)  # section 五 copied
    checks = cross_year_checks([prev_r.to_dict(), rf.extract_text(copied_text).to_dict()])
    text = {c["id"]: c for c in checks if c["id"].startswith("text_similarity")}
    assert set(text) == {"text_similarity[overall]", "text_similarity[problems_and_improvements]",
                         "text_similarity[other_matters]"}
    copied = text["text_similarity[problems_and_improvements]"]
    assert (copied["status"], copied["lhs"], copied["rhs"], copied["year"], copied["prev_year"]) == \
        ("fail", 1.0, 0.8, 2023, 2022)
    assert text["text_similarity[overall]"]["status"] == "pass"
    assert all(c["status"] == "pass" for c in checks if not c["id"].startswith("text_similarity[problems"))
    # a batch's compact records carry no sections: only the template's chain checks
    compact = [{k: r[k] for k in ("report", "tables", "cells")}
               for r in (prev_r.to_dict(), rf.extract_text(copied_text).to_dict())]
    assert not [c for c in cross_year_checks(compact) if c["id"].startswith("text_similarity")]


def test_copied_text_from_compact_sketches(pairs) -> None:
    """A batch keeps compact records: the sketches estimate the same verdicts as the full texts."""
    from govreport.batch.crossyear import cross_year_checks
    from govreport.review.findings import SKETCH, prose_sketches

    seed, prev, this, prev_r = pairs[6]
    copied_text, _ = rf.plant_copied(prev, this, 0)  # section 一 copied
    full = [prev_r.to_dict(), rf.extract_text(copied_text).to_dict()]
    compact = [{"report": r["report"], "tables": r["tables"], "cells": {}, "prose": prose_sketches(r)} for r in full]
    assert set(compact[0]["prose"]) == {"overall", "problems_and_improvements", "other_matters"}
    sections = {sec["key"]: sec["text"] for sec in full[0]["sections"]}
    for key, p in compact[0]["prose"].items():  # 4-byte hashes, at most SKETCH of them
        assert len(p["sketch"]) == 4 * min(SKETCH, len(shingles(sections[key]))), key
    exact = {c["id"]: c for c in cross_year_checks(full) if c["id"].startswith("text_")}
    estimated = {c["id"]: c for c in cross_year_checks(compact) if c["id"].startswith("text_")}
    assert set(exact) == set(estimated) == {"text_similarity[overall]", "text_similarity[problems_and_improvements]",
                                            "text_similarity[other_matters]"}
    assert {k: c["status"] for k, c in exact.items()} == {k: c["status"] for k, c in estimated.items()}
    assert estimated["text_similarity[overall]"]["status"] == "fail"
    assert estimated["text_similarity[overall]"]["lhs"] == 1.0
    for k, c in estimated.items():
        assert abs(c["lhs"] - exact[k]["lhs"]) < 0.15, (k, c["lhs"], exact[k]["lhs"])
        assert "estimated" in c["expr"]
