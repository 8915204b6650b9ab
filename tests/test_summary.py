"""govreport summarize: the figures of a corpus (SQLite, Parquet, JSON Lines give the same CSV files), equal to
the records' values (computed here independently), and the page in headless Chromium, offline, with every
plot present (the pattern of test_review_browser: same flags, net log, console, screenshot under bench/out/)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from batch_tasks import write_reports
from test_review_browser import chromium, load, screenshot  # noqa: F401 - chromium is a fixture

pytest.importorskip("matplotlib")

from govreport.summary.page import FIGURES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPECS = [("云溪县人民政府", 2022), ("云溪县人民政府", 2023), ("青山县人民政府", 2022), ("青山县人民政府", 2023),
         ("溪口镇人民政府", 2023), ("云溪县交通运输局", 2023), ("云溪市人民政府", 2023)]
TABLES = ("reports_per_year_level", "hard_check_failures", "derived_measures", "derived_values", "largest_changes",
          "cross_year_breaks", "cross_year_by_year")


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def _csv(path: Path) -> list:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Generated reports as JSON Lines, a SQLite database and a Parquet dataset (one broken input), each
    summarized."""
    tmp = tmp_path_factory.mktemp("summary")
    d = tmp / "reports"
    write_reports(d, SPECS, seed=300)
    (d / "empty.txt").write_bytes(b"")
    jsonl, db, pq = tmp / "c.jsonl", tmp / "c.sqlite", tmp / "pq"
    assert run_cli("batch", str(d), "-o", str(jsonl), "--db", str(db), "--jobs", "1").returncode == 7
    assert run_cli("batch", str(d), "--format", "parquet", "-o", str(pq), "--jobs", "1").returncode == 7
    pages = {}
    for name, src in (("jsonl", jsonl), ("sqlite", db), ("parquet", pq)):
        page = tmp / name / "summary.html"
        page.parent.mkdir()
        r = run_cli("summarize", str(src), "-o", str(page))
        assert r.returncode == 0, r.stderr
        assert f"{len(SPECS)} reports, 1 failed inputs" in r.stderr
        pages[name] = page
    records = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    return records, pages


def _without_status(path: Path) -> list:
    return [{k: v for k, v in row.items() if k != "status"} for row in _csv(path)]


def test_the_three_corpus_kinds_give_the_same_figures(corpus) -> None:
    _, pages = corpus
    for t in TABLES:
        files = [p.with_name(f"summary.{t}.csv") for p in pages.values()]
        if t == "derived_values":  # its status column: the test below
            assert _without_status(files[0]) == _without_status(files[1]) == _without_status(files[2]), t
            continue
        texts = {f.read_text("utf-8") for f in files}
        assert len(texts) == 1, t


def _statuses(page: Path) -> dict:
    return {row["path"]: row["status"] for row in _csv(page.with_name("summary.derived_values.csv"))}


def test_the_summary_gives_each_record_its_own_status(corpus) -> None:
    """Each report's status in the summary is the record's (Report.status), from JSON Lines and SQLite alike;
    the page counts them. Two of the generated reports fail only soft checks (the cross-year chains)."""
    records, pages = corpus
    want = {r["source"]["path"]: r["status"] for r in records if "error" not in r}
    assert set(want.values()) == {"ok", "needs_review"}
    for kind in ("jsonl", "sqlite"):
        assert _statuses(pages[kind]) == want, kind
        text = pages[kind].read_text("utf-8")
        counts = Counter(want.values())
        assert (f'<p id="statuses" data-ok="{counts["ok"]}" data-needs_review="{counts["needs_review"]}" '
                f'data-error="1">') in text, kind


def test_the_parquet_summary_gives_each_record_its_own_status(corpus) -> None:
    """The Parquet rows are written as records arrive, before the cross-year checks ran: a report whose only
    failure is a cross-year chain must still be needs_review there, as in the records."""
    records, pages = corpus
    want = {r["source"]["path"]: r["status"] for r in records if "error" not in r}
    assert _statuses(pages["parquet"]) == want


def test_the_figures_equal_the_records(corpus) -> None:
    records, pages = corpus
    page = pages["parquet"]
    ok = [r for r in records if "error" not in r]
    # reports per year and level, counted here from the records
    want = Counter((r["report"]["year"], r["unit"]["unit_type"]) for r in ok)
    got = {(int(row["year"]), row["level"]): int(row["reports"])
           for row in _csv(page.with_name("summary.reports_per_year_level.csv"))}
    assert got == dict(want) and sum(got.values()) == len(SPECS)
    # 实质公开率 of each report, from its cells
    values = {row["path"]: row for row in _csv(page.with_name("summary.derived_values.csv"))}
    for r in ok:
        a = r["tables"]["applications"]
        rate = (a["granted"]["total"] + a["partially_granted"]["total"]) / a["total_processed"]["total"]
        assert float(values[r["source"]["path"]]["substantive_disclosure_rate"]) == pytest.approx(rate, rel=1e-12)
    # the change of applications received, 2022 -> 2023, of both bodies with two years
    by = {(r["report"]["issuer"], r["report"]["year"]): r["tables"]["applications"]["new_received"]["total"] for r in ok}
    changes = {row["issuer"]: float(row["change"]) for row in _csv(page.with_name("summary.largest_changes.csv"))
               if row["measure"] == "new_received"}
    assert changes == pytest.approx({i: (by[(i, 2023)] - by[(i, 2022)]) / by[(i, 2022)]
                                     for i in ("云溪县人民政府", "青山县人民政府")})
    # the median of 实质公开率 over the county reports of 2023
    county = sorted(float(values[r["source"]["path"]]["substantive_disclosure_rate"]) for r in ok
                    if r["unit"]["unit_type"] == "county" and r["report"]["year"] == 2023)
    dist = next(row for row in _csv(page.with_name("summary.derived_measures.csv"))
                if (row["measure"], row["level"], row["year"]) == ("substantive_disclosure_rate", "county", "2023"))
    assert float(dist["median"]) == pytest.approx(sum(county) / 2) and int(dist["reports"]) == 2
    # the cross-year checks ran on both pairs; the generated reports' chains are their own
    by_year = _csv(page.with_name("summary.cross_year_by_year.csv"))
    assert [row["year"] for row in by_year] == ["2023"] and int(by_year[0]["checks"]) > 0


def test_the_page_opens_offline_with_every_plot(chromium: str, corpus, tmp_path: Path) -> None:  # noqa: F811
    _, pages = corpus
    _assert_every_plot(load(chromium, pages["sqlite"], tmp_path / "c"), len(SPECS), 1)
    screenshot(chromium, pages["sqlite"], "summary-generated.png", tmp_path / "s", height=4000)


def _assert_every_plot(loaded, reports: int, errors: int) -> None:
    dom = loaded.dom
    assert loaded.requests == [] and loaded.console == []
    assert dom.body.get("data-ready") == "1"
    counts = dom.get_element_by_id("counts")
    assert (counts.get("data-reports"), counts.get("data-errors")) == (str(reports), str(errors))
    for name, _, tables in FIGURES:
        img = dom.get_element_by_id(f"fig-{name}").xpath(".//img")[0]
        assert img.get("src").startswith("data:image/png;base64,"), name
        assert int(img.get("data-width")) > 200, name  # the browser decoded the image
        for t in tables:
            assert dom.xpath(f'//div[@data-table="{t}"]'), t


@pytest.mark.corpus
def test_the_dev_corpus_summary_opens_with_every_plot(chromium: str, corpus_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "corpus.sqlite"
    r = run_cli("batch", str(corpus_dir / "docs"), "--db", str(db), "-o", str(tmp_path / "c.jsonl"), "--jobs", "2",
                timeout=900)
    assert r.returncode in (0, 7), r.stderr
    n = len(list((corpus_dir / "docs").iterdir()))
    page = tmp_path / "summary.html"
    r = run_cli("summarize", str(db), "-o", str(page))
    assert r.returncode == 0, r.stderr
    failed = sum(1 for x in (tmp_path / "c.jsonl").read_text("utf-8").splitlines() if '"error": {' in x)
    _assert_every_plot(load(chromium, page, tmp_path / "c"), n - failed, failed)
    screenshot(chromium, page, "summary-dev-corpus.png", tmp_path / "s", height=4000)


def test_without_matplotlib_exit_4_with_the_command(corpus, tmp_path: Path) -> None:
    _, pages = corpus
    db = pages["sqlite"].parent.parent / "c.sqlite"
    code = ("import sys; sys.modules['matplotlib'] = None; from govreport.cli import main; "
            f"sys.argv = ['govreport', 'summarize', {str(db)!r}, '-o', {str(tmp_path / 's.html')!r}]; main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 4
    assert r.stderr.strip() == ("govreport: error: govreport summarize needs matplotlib "
                                "(pip install 'govreport[summary]')")
    assert not list(tmp_path.iterdir())


def test_not_a_corpus_exits_3(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", "utf-8")
    r = run_cli("summarize", str(f), "-o", str(tmp_path / "s.html"))
    assert r.returncode == 3 and "neither a SQLite database" in r.stderr


def test_without_a_cjk_font_the_page_is_still_whole(corpus, tmp_path: Path, monkeypatch) -> None:
    """No font that draws Chinese: the plots number the bodies instead of naming them, the page says so."""
    from govreport.summary import page as summary_page
    from govreport.summary import summarize

    _, pages = corpus
    monkeypatch.setattr(summary_page, "cjk_font", lambda: None)
    result = summarize(pages["parquet"].parent.parent / "c.jsonl", tmp_path / "s.html")
    text = result.page.read_text("utf-8")
    assert 'id="font-note"' in text and result.cjk_font == ""
    assert text.count('src="data:image/png;base64,') == len(FIGURES)
    assert result.csv["largest_changes"].read_text("utf-8") == \
        pages["parquet"].with_name("summary.largest_changes.csv").read_text("utf-8")
