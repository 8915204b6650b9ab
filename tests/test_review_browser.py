"""The review page in a real browser: headless Chromium (Debian's ``chromium``) loads it from a file, offline.

From the DOM Chromium leaves after the page's script ran (``--dump-dom``): every cell of the record is
there with its status and value, every flagged cell is marked, every failed check is listed with its cells
highlighted; Chromium's net log shows no request made by the page, and its log no console message. A
screenshot of each page is kept under ``$ARTIFACTS`` (default ``bench/out/``, git-ignored). Skipped, saying
so, where chromium is not installed, except under CI=true (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple

import pytest

import review_faults as rf
from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(os.environ.get("ARTIFACTS") or ROOT / "bench" / "out")
CERTAIN = ("ok", "blank", "placeholder")


@pytest.fixture(scope="session")
def chromium() -> str:
    if CHROMIUM is None:
        if CI:
            pytest.fail("chromium is not installed: .ci/run installs it with apt-get (CI must check the page)")
        pytest.skip("chromium is not installed (apt-get install chromium): the review page is not checked in a "
                    "browser")
    return CHROMIUM


class Loaded(NamedTuple):
    dom: object  # lxml element
    requests: List[str]  # URLs the page asked for
    console: List[str]  # console messages (errors, CSP violations, log calls)


def _flags(tmp: Path) -> List[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={tmp / 'profile'}"]


def _page_requests(netlog: Path) -> List[str]:
    """URL requests in Chromium's net log that the page made (Chromium's own service requests have no
    document behind them: their isolation key is not the file:// page's)."""
    data = json.loads(netlog.read_text("utf-8"))
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for e in data["events"]:
        p = e.get("params") or {}
        if e["type"] == start and ("file://" in str(p.get("network_isolation_key", ""))
                                   or p.get("initiator") not in (None, "not an origin")):
            out.append(p.get("url", "?"))
    return out


def load(chromium: str, page: Path, tmp: Path, fragment: str = "") -> Loaded:
    from lxml import html as lhtml

    tmp.mkdir(parents=True, exist_ok=True)
    netlog = tmp / "netlog.json"
    proc = subprocess.run([chromium, *_flags(tmp), f"--log-net-log={netlog}", "--enable-logging=stderr", "--v=0",
                           "--dump-dom", page.resolve().as_uri() + fragment], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return Loaded(lhtml.fromstring(proc.stdout), _page_requests(netlog), console)


def screenshot(chromium: str, page: Path, name: str, tmp: Path, height: int = 3200) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / name
    proc = subprocess.run([chromium, *_flags(tmp), f"--screenshot={png}", f"--window-size=1280,{height}",
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and png.stat().st_size > 10_000, proc.stderr[-2000:]
    return png


def _shown(report, ref: str) -> str:
    cell = report.cells[ref]
    if cell.status == "missing":
        return "?"
    if cell.status == "placeholder" and cell.raw:
        return cell.raw
    v = report.value(ref)
    return "" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)


def assert_page_shows(loaded: Loaded, report, findings: List[dict]) -> None:
    """The page as the browser built it holds the whole record: cells, statuses, failed checks, findings."""
    dom = loaded.dom
    assert loaded.requests == [] and loaded.console == []
    assert dom.body.get("data-ready") == "1"  # the page's script ran to its end
    tds = {td.get("data-ref"): td for td in dom.xpath("//td[@data-ref]")}
    assert set(tds) == set(report.cells)
    for ref, cell in report.cells.items():
        td = tds[ref]
        assert td.get("data-status") == cell.status, ref
        assert f"st-{cell.status}" in td.get("class").split(), ref
        assert (td.text or "") == _shown(report, ref), ref
        if cell.raw is not None:
            assert td.get("data-raw") == cell.raw, ref
        if cell.page:
            assert td.get("data-page") == str(cell.page), ref
    for check in report.failed_checks:
        li = dom.get_element_by_id(f"check-{check.id}")
        assert li.xpath('string(.//span[contains(@class,"lhs")])') == _fmt(check.lhs)
        assert li.xpath('string(.//span[contains(@class,"rhs")])') == _fmt(check.rhs)
        assert check.expr in li.text_content()
        assert li.get("data-cells").split() == check.cells
        if check.severity == "hard":
            for ref in check.cells:
                assert "chk" in tds[ref].get("class").split(), (check.id, ref)
    listed = [tr.get("data-code") for tr in dom.xpath('//tr[@class="finding"]')]
    assert listed == [f["code"] for f in findings]
    assert dom.get_element_by_id("n-findings").text == str(len(findings))


def _fmt(v) -> str:
    if v is None:
        return ""
    return str(int(v) if isinstance(v, float) and v.is_integer() else v)


# --- the test can fail -------------------------------------------------------------------------------------

def test_a_page_that_fetches_and_errs_is_caught(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"><script>console.error("boom");'
                    "</script></body></html>", "utf-8")
    loaded = load(chromium, page, tmp_path / "b")
    assert loaded.requests == ["http://example.invalid/x.png"]
    assert len(loaded.console) == 1 and '"boom"' in loaded.console[0]


# --- generated reports ---------------------------------------------------------------------------------

def _broken_report(tmp_path: Path) -> Path:
    """A generated report whose printed （一）予以公开 自然人 is one too many (two hard checks fail) and whose
    prose gives another 新收 number than its table."""
    report = rf.ms.make_report_2021(8)
    text, _ = rf.plant_narrative(report, 0)
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if "（一）予以公开" in line.split("\t"))
    cells = lines[i].split("\t")
    cells[3] = str(int(cells[3]) + 1)
    lines[i] = "\t".join(cells)
    src = tmp_path / "broken-2023.txt"
    src.write_text("\n".join(lines), "utf-8")
    return src


def test_generated_report_page(chromium: str, tmp_path: Path) -> None:
    import govreport
    from govreport.review import review

    src = _broken_report(tmp_path)
    prev, _ = rf.make_pair(8)
    (tmp_path / "prev-2022.txt").write_text(rf.render(prev), "utf-8")
    page = tmp_path / "review.html"
    proc = subprocess.run([sys.executable, "-m", "govreport", "review", str(src), "--previous",
                           str(tmp_path / "prev-2022.txt"), "-o", str(page)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = govreport.extract(src)
    findings = review(report, govreport.extract(tmp_path / "prev-2022.txt"))["findings"]
    assert {c.id for c in report.failed_checks} >= {"applications_results_sum[natural_person]",
                                                    "applications_column_total[granted]"}
    loaded = load(chromium, page, tmp_path / "c")
    assert_page_shows(loaded, report, findings)
    dom = loaded.dom
    granted = dom.get_element_by_id("cell-applications.granted.natural_person")
    assert "chk" in granted.get("class").split()
    assert "applications_results_sum[natural_person]" in granted.get("data-checks").split()
    mismatch = dom.xpath('//tr[@data-code="narrative_mismatch"]')[0]
    assert mismatch.get("data-cells") == "applications.new_received.total"
    assert "flag" in dom.get_element_by_id("cell-applications.new_received.total").get("class").split()
    chain = {tr.get("data-check"): tr.xpath("string(td[2])") for tr in dom.xpath('//tr[contains(@class,"chain")]')}
    assert chain["applications_carry_chain[total]"] == "pass"
    assert dom.get_element_by_id("detail").get("class") in (None, "")  # the detail panel starts closed
    # the details of one cell, as a click shows them (the page opens them for a #detail=<ref> link too)
    ref = "applications.granted.natural_person"
    detail = load(chromium, page, tmp_path / "d", f"#detail={ref}")
    assert detail.console == [] and detail.requests == []
    panel = detail.dom.get_element_by_id("detail")
    assert panel.get("class") == "open"
    text = panel.text_content()
    cell = report.cells[ref]
    assert ref in text and f"原文 raw: \"{cell.raw}\"" in text and "applications_results_sum[natural_person]" in text
    screenshot(chromium, page, "review-generated.png", tmp_path / "s")


# --- the dev corpus --------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_hongze_page_marks_the_failed_checks(chromium: str, corpus_dir: Path, tmp_path: Path) -> None:
    import govreport
    from govreport.review import review
    from govreport.review.page import render

    report = govreport.extract(corpus_dir / "docs" / "hongze-2023.pdf")
    data = review(report)
    page = tmp_path / "hongze-2023.html"
    page.write_text(render(report, data), "utf-8")
    loaded = load(chromium, page, tmp_path / "c")
    assert_page_shows(loaded, report, data["findings"])
    dom = loaded.dom
    assert [li.get("data-check") for li in dom.xpath('//li[@class="check"]')] == [
        "review_litigation_review_total", "review_litigation_lit_after_review_total"]
    marked = {td.get("data-ref") for td in dom.xpath('//td[contains(concat(" ", @class, " "), " chk ")]')}
    assert marked == {f"review_litigation.{g}.{c}" for g in ("review", "lit_after_review")
                      for c in ("upheld", "corrected", "other", "pending", "total")}
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        assert dom.get_element_by_id("images-note") is not None  # the page says why there are no images
    else:
        figures = {f.get("data-ref") for f in dom.xpath('//figure[@class="crop"]')}
        assert marked <= figures
        img = dom.get_element_by_id("img-review_litigation.review.total").xpath(".//img")[0]
        assert img.get("src").startswith("data:image/png;base64,")
    screenshot(chromium, page, "review-hongze-2023.png", tmp_path / "s", height=2600)


@pytest.mark.corpus
def test_every_corpus_document_opens(chromium: str, corpus_dir: Path, tmp_path: Path) -> None:
    import govreport
    from govreport.review import review
    from govreport.review.page import render

    from concurrent.futures import ThreadPoolExecutor

    docs = sorted((corpus_dir / "docs").iterdir())
    assert len(docs) >= 10
    pages = []
    for doc in docs:
        report = govreport.extract(doc)
        data = review(report)
        page = tmp_path / f"{doc.name}.html"
        page.write_text(render(report, data, images=False), "utf-8")
        pages.append((doc.name, page, report, data["findings"]))
    with ThreadPoolExecutor(2) as pool:  # two browsers at a time (each is a few processes)
        loaded = list(pool.map(lambda p: load(chromium, p[1], tmp_path / p[0]), pages))
    for (name, _, report, findings), result in zip(pages, loaded):
        assert_page_shows(result, report, findings)


def test_compare_page(chromium: str, tmp_path: Path) -> None:
    prev, this = rf.make_pair(9)
    broken, check = rf.break_chain(prev, this, 9)
    (tmp_path / "2022.txt").write_text(rf.render(broken), "utf-8")
    (tmp_path / "2023.txt").write_text(rf.render(this), "utf-8")
    page = tmp_path / "compare.html"
    proc = subprocess.run([sys.executable, "-m", "govreport", "compare", str(tmp_path / "2022.txt"),
                           str(tmp_path / "2023.txt"), "-o", str(page)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = load(chromium, page, tmp_path / "c")
    assert loaded.console == [] and loaded.requests == []
    chain = {tr.get("data-check"): tr.xpath("string(td[2])") for tr in loaded.dom.xpath('//tr[contains(@class,"chain")]')}
    assert len(chain) == 9
    assert {k for k, v in chain.items() if v == "fail"} == {check, "applications_carry_chain[total]"}
    assert [tr.get("data-code") for tr in loaded.dom.xpath('//tr[@class="finding"]')] == ["cross_year_check_failed"] * 2
    changed = loaded.dom.xpath('//table[@id="cell-changes"]//tr[@data-ref]')
    assert "applications.new_received.total" in {tr.get("data-ref") for tr in changed}
