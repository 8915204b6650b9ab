"""PDF input: the corpus PDFs cell by cell, provenance, the text fallback, the reader's helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import govreport
from govreport.readers import pdf as pdf_reader
from scoring import score

PDFS = ["huaian-2024.pdf", "hongze-2023.pdf", "pingtan-2021-print.pdf"]


def _gold(corpus_dir: Path, name: str) -> dict:
    return json.loads((corpus_dir / "gold" / f"{name}.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def pdf_records(corpus_dir: Path):
    return {name: govreport.extract(corpus_dir / "docs" / name).to_dict() for name in PDFS}


@pytest.mark.corpus
@pytest.mark.parametrize("name", PDFS)
def test_pdf_cells_equal_gold(corpus_dir: Path, pdf_records, name: str) -> None:
    gold = _gold(corpus_dir, name)
    s = score(pdf_records[name], gold)
    assert s.silent == []
    assert s.right == s.total, s.wrong_flagged
    meta = pdf_records[name]["report"]
    assert gold["report"]["issuer"] in meta["issuer"] and meta["year"] == gold["report"]["year"]
    assert pdf_records[name]["source"]["format"] == "pdf"
    assert pdf_records[name]["source"]["text_layer"] == "ok"


@pytest.mark.corpus
@pytest.mark.parametrize("name", PDFS)
def test_every_printed_cell_has_page_box_and_raw_text(pdf_records, name: str) -> None:
    rec = pdf_records[name]
    absent = {i["cell"] for i in rec["issues"] if i["code"] == "cell_missing"}
    for ref, cell in rec["cells"].items():
        if ref in absent:
            continue
        assert cell["page"] is not None and cell["bbox"] and len(cell["bbox"]) == 4, ref
        assert cell["raw"] is not None, ref


@pytest.mark.corpus
def test_huaian_provenance_points_at_the_printed_number(pdf_records) -> None:
    cell = pdf_records["huaian-2024.pdf"]["cells"]["applications.new_received.total"]
    assert cell["raw"] == "3119" and cell["page"] == 4
    x0, top, x1, bottom = cell["bbox"]
    assert x0 < x1 and top < bottom
    fee = pdf_records["huaian-2024.pdf"]["tables"]["active_disclosure"]["admin_fees"]["fee_amount"]
    assert fee == 96171.6
    sections = pdf_records["huaian-2024.pdf"]["sections"]
    assert [s["number"] for s in sections] == [1, 2, 3, 4, 5, 6]
    assert all(s["pages"] and s["pages"][0] <= s["pages"][1] for s in sections)


@pytest.mark.corpus
def test_hongze_collapsed_row_and_failed_checks_as_printed(corpus_dir: Path, pdf_records) -> None:
    rec = pdf_records["hongze-2023.pdf"]
    assert rec["tables"]["applications"]["other_processing"]["total"] == 0
    assert any(i["code"] == "row_from_other_template" and i["cell"] == "applications.other_processing"
               for i in rec["issues"])
    failed = sorted(c["id"] for c in rec["checks"] if c["status"] == "fail")
    assert failed == ["review_litigation_lit_after_review_total", "review_litigation_review_total"]
    assert rec["tables"]["review_litigation"]["review"] == {"upheld": 10, "corrected": 1, "other": 0, "pending": 0,
                                                           "total": 0}
    results_sum = [c for c in rec["checks"] if c["id"].startswith("applications_results_sum")]
    assert results_sum and all(c["status"] == "pass" for c in results_sum)


@pytest.mark.corpus
@pytest.mark.parametrize("name", PDFS)
def test_text_fallback_gives_the_same_tables(corpus_dir: Path, pdf_records, name: str, monkeypatch) -> None:
    """Pages read without ruled-table detection (borderless tables) give the same record."""
    no_tables = pdf_reader.PdfSettings(min_edges_for_tables=10**9)
    monkeypatch.setattr(pdf_reader, "DEFAULT", no_tables)
    rec = govreport.extract(corpus_dir / "docs" / name).to_dict()
    assert rec["tables"] == pdf_records[name]["tables"]


def test_wrapped_and_vertical_cell_text_is_joined() -> None:
    assert pdf_reader.cell_text("三、\n本\n年\n度\n办\n理\n结\n果") == "三、本年度办理结果"
    assert pdf_reader.cell_text("商业\n企业") == "商业企业"
    assert pdf_reader.cell_text(None) == ""


def test_doubled_glyphs_detected() -> None:
    chars = [{"text": c, "x0": i * 10.0, "top": 5.0} for i, c in enumerate("主动公开政府信息情况")]
    doubled = [dict(c) for c in chars for _ in range(2)]
    assert pdf_reader.has_doubled_chars(doubled)
    assert not pdf_reader.has_doubled_chars(chars)


def test_not_a_pdf_is_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(govreport.BadInputError):
        govreport.extract(bad)
