"""The HTML and Word samples (samples/render_office.py): committed bytes, and the same tables as the truth
and as the PDF sample of the same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sample_scripts

import govreport

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HTML = SAMPLES / "sample-2021.html"
DOCX = SAMPLES / "sample-2021.docx"
PDF = SAMPLES / "sample-2021.pdf"
TRUTH = SAMPLES / "sample-2021.truth.json"
REGENERATE = "regenerate with: python samples/render_office.py"


@pytest.fixture(scope="module")
def renderer():
    return sample_scripts.load("render_office")


@pytest.fixture(scope="module")
def report(renderer):
    return renderer.ms.make_report_2021()


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text("utf-8"))


@pytest.fixture(scope="module")
def pdf_tables() -> dict:
    return govreport.extract(PDF).to_dict()["tables"]


@pytest.fixture(scope="module")
def records() -> dict:
    return {path.suffix: govreport.extract(path).to_dict() for path in (HTML, DOCX)}


# --- the files are what the renderer writes --------------------------------------------------------------


def test_html_regenerates_to_the_committed_bytes(renderer, report) -> None:
    assert renderer.html_bytes(report) == HTML.read_bytes(), REGENERATE


def test_docx_regenerates_to_the_committed_content(renderer, report, tmp_path) -> None:
    """The same document as the committed one, read as text: its bytes depend on the python-docx version
    (zip timestamps, part order), which no test may depend on."""
    pytest.importorskip("docx", reason="python-docx is not installed")
    from govreport.readers import docx as docx_reader

    fresh = tmp_path / "fresh.docx"
    fresh.write_bytes(renderer.render_docx(report))
    committed = docx_reader.read(DOCX, DOCX.read_bytes()).text
    assert docx_reader.read(fresh, fresh.read_bytes()).text == committed, REGENERATE


def test_docx_is_deterministic(renderer, report) -> None:
    pytest.importorskip("docx", reason="python-docx is not installed")
    assert renderer.render_docx(report) == renderer.render_docx(report)


def test_same_report_as_the_pdf_sample(report, truth) -> None:
    assert report["truth"]["tables"] == truth["tables"]
    assert report["truth"]["report"] == truth["report"]


def test_html_is_gbk_and_says_so() -> None:
    data = HTML.read_bytes()
    assert b'<meta charset="gbk">' in data[:2048]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gbk")
    for piece in ('<table border="1"', 'rowspan="22"', 'rowspan="8"', 'colspan="4"', "<o:p></o:p>", "&nbsp;",
                  "当前位置：", "版权所有", "网站标识码", "<h1>"):
        assert piece in text, piece


# --- extraction -----------------------------------------------------------------------------------------


@pytest.mark.pipeline
@pytest.mark.parametrize("suffix", [".html", ".docx"])
def test_tables_equal_truth_and_pdf(records, truth, pdf_tables, suffix: str) -> None:
    tables = records[suffix]["tables"]
    wrong = {f"{t}.{r}.{c}": (v, tables.get(t, {}).get(r, {}).get(c))
             for t, rows in truth["tables"].items() for r, cols in rows.items() for c, v in cols.items()
             if tables.get(t, {}).get(r, {}).get(c) != v}
    assert wrong == {}, "cell: (truth, extracted)"
    assert tables == truth["tables"]
    assert tables == pdf_tables


@pytest.mark.pipeline
def test_html_record_meta(records, truth) -> None:
    rec = records[".html"]
    assert rec["source"]["format"] == "html"
    assert rec["source"]["encoding"] in ("gb18030", "gbk")
    assert rec["report"]["issuer"] == truth["report"]["issuer"]
    assert rec["report"]["year"] == truth["report"]["year"]


@pytest.mark.pipeline
def test_docx_record_meta(records, truth) -> None:
    rec = records[".docx"]
    assert rec["source"]["format"] == "docx"
    assert rec["report"]["issuer"] == truth["report"]["issuer"]
    assert rec["report"]["year"] == truth["report"]["year"]


@pytest.mark.pipeline
@pytest.mark.parametrize("suffix", [".html", ".docx"])
def test_six_sections_and_no_page_chrome(records, suffix: str) -> None:
    rec = records[suffix]
    assert [s["number"] for s in rec["sections"]] == [1, 2, 3, 4, 5, 6]
    text = "".join(s["text"] for s in rec["sections"])
    for chrome in ("当前位置", "版权所有", "网站标识码", "办事服务", "相关链接"):
        assert chrome not in text, chrome
