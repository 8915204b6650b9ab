"""The two PDF engines (PDFium, pdfplumber) give the same records; PDFium's grids, words and page text."""

from __future__ import annotations

import random
from pathlib import Path
from typing import List, Optional
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

import govreport
from govreport.errors import GovReportError
from govreport.readers import COVERED
from govreport.readers import Document, TextWriter, ocr, pdf, pdf_grid, pdf_pdfium

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _record(path: Path, engine: str):
    """The record (tables, statuses, text layer, cell pages and boxes) or the error's class."""
    try:
        rec = govreport.extract(path, pdf_engine=engine).to_dict()
    except GovReportError as exc:
        return type(exc).__name__
    return rec


def _differences(path: Path) -> List[str]:
    with mock.patch.object(ocr, "available", return_value=False):  # scans: the same exit 4 from both
        a, b = _record(path, "pdfplumber"), _record(path, "pdfium")
    if isinstance(a, str) or isinstance(b, str):
        return [] if a == b else [f"{path.name}: {a if isinstance(a, str) else 'a record'} vs "
                                  f"{b if isinstance(b, str) else 'a record'}"]
    out = []
    if a["tables"] != b["tables"]:
        out.append(f"{path.name}: tables differ")
    if a["source"]["text_layer"] != b["source"]["text_layer"] or a["source"]["pages"] != b["source"]["pages"]:
        out.append(f"{path.name}: text layer or pages differ")
    for ref, ca in a["cells"].items():
        cb = b["cells"].get(ref)
        if cb is None or ca["status"] != cb["status"] or ca["page"] != cb["page"] or ca["raw"] != cb["raw"]:
            out.append(f"{path.name}: {ref} {ca['status']}/{ca['raw']!r} vs "
                       f"{cb and cb['status']}/{cb and cb['raw']!r}")
        elif (ca["bbox"] is None) != (cb["bbox"] is None) or ca["bbox"] and max(
                abs(x - y) for x, y in zip(ca["bbox"], cb["bbox"])) > 1.0:
            out.append(f"{path.name}: {ref} box {ca['bbox']} vs {cb['bbox']}")
    return out


def _check_all(paths: List[Path]) -> None:
    assert paths
    problems = [p for path in paths for p in _differences(path)]
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.corpus
def test_engines_agree_on_the_corpus(corpus_dir: Path) -> None:
    _check_all(sorted((corpus_dir / "docs").glob("*.pdf")))


@pytest.mark.corpus
def test_engines_agree_on_corpus_synth(synth_dir: Path) -> None:
    scanned = set()
    manifest = synth_dir / "manifest.tsv"
    if manifest.exists():  # scans are image-only: both engines give the same missing-OCR error, skip the work
        for line in manifest.read_text("utf-8").splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) > 7 and fields[7].startswith("scanned"):
                scanned.add(fields[0])
    _check_all([p for p in sorted((synth_dir / "docs").glob("*.pdf")) if p.name not in scanned])


def test_engines_agree_on_the_samples() -> None:
    _check_all(sorted(SAMPLES.glob("*.pdf")))


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="pdfium"):
        govreport.extract(SAMPLES / "sample-2021.pdf", pdf_engine="poppler")


# --- the PDFium page text ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_doc() -> Document:
    return pdf.read(SAMPLES / "sample-2021.pdf", engine="pdfium")


def test_pages_are_separated_by_a_form_feed(sample_doc: Document) -> None:
    assert sample_doc.pages == len(sample_doc.page_offsets) > 1
    assert sample_doc.text.count("\f") == sample_doc.pages - 1
    for offset in sample_doc.page_offsets[1:]:  # each page starts after the break of the one before
        assert sample_doc.text[offset - 2:offset] == pdf.PAGE_BREAK


def test_sample_tables_are_tab_separated_rows_with_boxes(sample_doc: Document) -> None:
    row = next(line for line in sample_doc.text.splitlines() if "（一）予以公开" in line)
    fields = row.split("\t")
    assert len(fields) >= 8 and all(f.strip().isdigit() for f in fields[-7:])
    start = sample_doc.text.index(row) + row.rindex("\t") + 1
    span = sample_doc.locate(start, start + len(fields[-1]))
    assert span is not None and span.page >= 1 and span.bbox[0] < span.bbox[2] and span.bbox[1] < span.bbox[3]


def _word(text: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"text": text, "x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_page_number_glyphs_in_two_fonts_stay_on_one_line() -> None:
    """`- 4 -`: the dashes' boxes sit 3.5 pt higher than the digit's (another font), still one line."""
    words = [_word("-", 74.3, 790.0, 78.6, 803.0), _word("4", 81.8, 793.5, 88.3, 806.5),
             _word("-", 91.6, 790.0, 95.9, 803.0), _word("下一行", 74.0, 812.0, 110.0, 824.0)]
    lines = pdf._lines_of_words(words, 3.0)
    assert [" ".join(w["text"] for w in line) for line in lines] == ["- 4 -", "下一行"]


def test_lines_of_text_one_leading_apart_stay_apart() -> None:
    words = [_word(t, 50.0 + 12 * i, 100.0 + 14 * i, 60.0 + 12 * i, 110.0 + 14 * i) for i, t in enumerate("一二三")]
    assert len(pdf._lines_of_words(words, 3.0)) == 3


def test_a_page_holding_a_ruled_table_with_few_characters_has_a_text_layer() -> None:
    cells = [[pdf.TableCell(t, (0, 0, 1, 1)) for t in ("合计", "3")]]
    model = pdf.PageModel(words=[_word("合计", 0, 0, 1, 1), _word("3", 0, 0, 1, 1)],
                          tables=[pdf.PageTable((0, 0, 1, 1), cells)])
    assert pdf.text_layer(model, pdf.DEFAULT) == "ok"
    assert pdf.text_layer(pdf.PageModel(words=model.words, tables=[]), pdf.DEFAULT) == "none"
    cid = pdf.PageModel(words=[_word("(cid:3)(cid:4)(cid:5)", 0, 0, 1, 1)], tables=model.tables)
    assert pdf.text_layer(cid, pdf.DEFAULT) == "none"


def test_written_page_keeps_empty_and_merged_cells() -> None:
    row = [pdf.TableCell("三、结果", (10, 10, 20, 40)), None, pdf.TableCell("", (30, 10, 40, 20)),
           pdf.TableCell("7", (40, 10, 50, 20))]
    model = pdf.PageModel(words=[_word("标题", 10, 0, 30, 8), _word("三、结果", 11, 12, 19, 38)],
                          tables=[pdf.PageTable((10, 10, 50, 40), [row])])
    out = TextWriter()
    pdf.write_page(out, model, 1, pdf.DEFAULT)
    assert out.text == f"标题\n三、结果\t{COVERED}\t\t7\n"  # the merged position is marked, the empty cell empty
    assert [s.bbox for s in out.spans][1:] == [(10, 10, 20, 40), (30, 10, 40, 20), (40, 10, 50, 20)]


# --- words and deduplication, as pdfplumber makes them ---------------------------------------------


def _char(text: str, x0: float, top: float, size: float = 10.0, i: int = 0) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + size, "top": top, "doctop": top, "bottom": top + size,
            "line": top + size, "upright": True, "size": size, "fontname": None, "i": i}


def test_words_split_at_spaces_and_gaps_as_pdfplumber_does() -> None:
    from pdfplumber.utils import extract_words

    chars = [_char(c, x, top) for c, x, top in [
        ("予", 10, 100), ("以", 20, 100), (" ", 30, 100), ("公", 34, 100), ("开", 45.0, 100),
        ("1", 57.0, 100.5), ("2", 67.0, 100.5), ("下", 10, 120), ("行", 20, 121)]]
    ours = [(w["text"], w["x0"], w["top"]) for w in pdf_pdfium.extract_words(chars, 1.5, 3)]
    theirs = [(w["text"], w["x0"], w["top"]) for w in extract_words(chars, x_tolerance=1.5, y_tolerance=3)]
    assert ours == theirs == [("予以", 10, 100), ("公开", 34, 100), ("12", 57.0, 100.5), ("下行", 10, 120)]


def test_fake_bold_glyphs_are_dropped_once() -> None:
    chars = [_char(c, 10.0 * k, 5.0, i=k) for k, c in enumerate("主动公开政府信息情况")]
    doubled = []
    for c in chars:
        doubled += [c, dict(c, x0=c["x0"] + 0.3, x1=c["x1"] + 0.3)]
    assert pdf.has_doubled_chars(doubled)
    assert [c["text"] for c in pdf_pdfium.dedupe_chars(doubled)] == list("主动公开政府信息情况")


# --- grids: the same cells as pdfplumber's table finder ---------------------------------------------


def _plumber_grids(edges: List[pdf_grid.Edge]) -> List[List[tuple]]:
    from pdfplumber import table as T

    dicts = []
    for o, x0, top, x1, bottom in edges:
        dicts.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0,
                      "height": bottom - top, "orientation": o, "object_type": "line", "doctop": top})
    dicts = [e for e in dicts if (e["height"] if e["orientation"] == "v" else e["width"]) >= 1]
    merged = [e for e in T.merge_edges(dicts, 3, 3, 3, 3)
              if (e["height"] if e["orientation"] == "v" else e["width"]) >= 3]
    cells = T.intersections_to_cells(T.edges_to_intersections(merged, 3, 3))
    return [[tuple(c) if c else None for c in row.cells]
            for t in T.cells_to_tables(cells) for row in T.Table(None, t).rows]


def _ours(edges: List[pdf_grid.Edge]) -> List[List[tuple]]:
    return [row for g in pdf_grid.find_grids(edges) for row in g.rows]


def _ruled(xs: List[float], ys: List[float], drop: Optional[set] = None) -> List[pdf_grid.Edge]:
    edges: List[pdf_grid.Edge] = []
    for x in xs:
        edges.append(("v", x, ys[0], x, ys[-1]))
    for j, y in enumerate(ys):
        if drop and j in drop:  # a merged row: the rule stops at the first column
            edges.append(("h", xs[0], y, xs[1], y))
        else:
            edges.append(("h", xs[0], y, xs[-1], y))
    return edges


def test_a_merged_cell_leaves_none_in_the_columns_it_covers() -> None:
    edges = _ruled([10, 60, 100, 140], [10, 30, 50, 70], drop=set())
    edges = [e for e in edges if not (e[0] == "v" and e[1] == 100)] + [("v", 100, 10, 100, 30)]
    rows = _ours(edges)
    assert rows == _plumber_grids(edges)
    assert rows[1] == [(10, 30, 60, 50), (60, 30, 140, 50), None]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_grids_equal_pdfplumbers_on_random_rulings(seed: int) -> None:
    """Jittered rules (within the snap tolerance), doubled borders, gaps, thin filled rectangles'
    edges, stray short rules: the same cells as pdfplumber's finder fed the same edges."""
    rng = random.Random(seed)
    xs = sorted(rng.sample(range(20, 500, 9), rng.randint(2, 7)))
    ys = sorted(rng.sample(range(20, 700, 11), rng.randint(2, 8)))
    edges: List[pdf_grid.Edge] = []
    for x in xs:
        for a, b in zip(ys, ys[1:]):
            if rng.random() < 0.9:
                j = rng.uniform(-1.2, 1.2)
                edges.append(("v", x + j, a - rng.uniform(0, 2), x + j, b + rng.uniform(0, 2)))
    for y in ys:
        for a, b in zip(xs, xs[1:]):
            if rng.random() < 0.9:
                j = rng.uniform(-1.2, 1.2)
                edges.append(("h", a - rng.uniform(0, 2), y + j, b + rng.uniform(0, 2), y + j))
                if rng.random() < 0.2:  # a thin filled rectangle: its two long sides 0.5 pt apart
                    edges.append(("h", a, y + j + 0.5, b, y + j + 0.5))
    for _ in range(rng.randint(0, 3)):
        x, y = rng.uniform(0, 500), rng.uniform(0, 700)
        edges.append(("h", x, y, x + rng.uniform(0, 4), y))
    rng.shuffle(edges)
    assert _ours(edges) == _plumber_grids(edges)


def test_a_scanned_page_is_ocred_from_the_open_document(monkeypatch) -> None:
    """PDFium: OCR renders from the reader's own open document (no second parse of the file)."""
    import pypdfium2

    seen = []

    def fake_ocr_pages(path, numbers, dpi=200, pdf=None):
        seen.append((numbers, pdf))
        return [ocr.OcrPage(number=numbers[0], width=595.0, height=842.0, lines=[], boxes=[], tables=0)]

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "ocr_pages", fake_ocr_pages)
    doc = pdf.read(SAMPLES / "sample-2021-scanned.pdf", engine="pdfium")
    assert doc.page_layers == ["ocr"] * doc.pages and doc.ocr
    assert [n for n, _ in seen] == [[i] for i in range(1, doc.pages + 1)]
    assert all(isinstance(d, pypdfium2.PdfDocument) for _, d in seen)
    assert doc.text.count("\f") == doc.pages - 1


@pytest.mark.parametrize("command", [["extract"], ["batch", "--jobs", "1", "-q"]])
def test_the_cli_option_reaches_the_reader(command: List[str], monkeypatch) -> None:
    from typer.testing import CliRunner

    from govreport.cli import app

    engines = []
    real = pdf.read

    def spy(path, settings=None, max_pages=None, engine=None):
        engines.append(engine)
        return real(path, settings, max_pages, engine)

    monkeypatch.setattr(pdf, "read", spy)
    sample = str(SAMPLES / "sample-2021.pdf")
    for option in ([], ["--pdf-engine", "pdfplumber"], ["--pdf-engine", "PDFium"]):
        result = CliRunner().invoke(app, command + option + [sample])
        assert result.exit_code == 0, result.output
    assert engines == [None, "pdfplumber", None]  # the default is left to the library


@pytest.mark.parametrize("rotation", [90, 180])
def test_rotated_pages_read_alike(rotation: int, tmp_path: Path) -> None:
    """/Rotate is applied as pdfminer applies it (to the page's CTM), by both engines."""
    import pypdfium2

    src = pypdfium2.PdfDocument(str(SAMPLES / "sample-2021.pdf"))
    for i in range(len(src)):
        src[i].set_rotation(rotation)
    path = tmp_path / f"rotated-{rotation}.pdf"
    src.save(str(path))
    src.close()
    a, b = pdf.read(path, engine="pdfplumber"), pdf.read(path, engine="pdfium")
    assert a.text == b.text and len(a.spans) == len(b.spans) > 100
    assert all(sa.page == sb.page and max(abs(x - y) for x, y in zip(sa.bbox, sb.bbox)) <= 1.0
               for sa, sb in zip(a.spans, b.spans))


def test_pdfium_reads_from_several_threads_one_document_at_a_time() -> None:
    """PDFium is not thread-safe: documents read from threads at once are read one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    one = pdf.read(SAMPLES / "sample-2021.pdf").text
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(lambda _: pdf.read(SAMPLES / "sample-2021.pdf").text, range(8)))
    assert texts == [one] * 8
    bad = Path(__file__)  # not a PDF: the lock is released on the error too (seen from another thread)
    with pytest.raises(govreport.BadInputError):
        pdf.read(bad)

    def free() -> bool:
        got = pdf_pdfium._LOCK.acquire(timeout=10)
        if got:
            pdf_pdfium._LOCK.release()
        return got

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(free).result()


def _kept(text: str, x0: float, x1: float, line: float, size: float = 12.0) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": line - size, "bottom": line, "line": line, "size": size}


def test_a_skipped_text_object_standing_alone_is_lost_text_and_one_beside_a_word_a_space() -> None:
    """PDFium's text page skips every text object whose box has no width; `_lost` tells a space beside a
    word (ends where a kept character ends, or stands a space's width before one) from text of its own."""
    word = [_kept("本", 100.0, 112.0, 200.0), _kept("年", 112.0, 124.0, 200.0)]
    assert pdf_pdfium._lost([(124.0, 200.0)], word) == 0  # a space after the word
    assert pdf_pdfium._lost([(96.2, 200.0)], word) == 0  # a space (3.8 pt) before it
    assert pdf_pdfium._lost([(88.0, 200.0)], word) == 1  # a full-width digit (1 em) before it: its own text
    assert pdf_pdfium._lost([(300.0, 200.0)], word) == 1  # alone in another cell
    assert pdf_pdfium._lost([(124.0, 230.0)], word) == 1  # on another line
    assert pdf_pdfium._lost([], word) == 0


def test_a_page_pdfium_cannot_read_whole_is_read_by_pdfminer(monkeypatch) -> None:
    """A page holding text PDFium's text page lost is read by pdfminer, into the same page model."""
    plumber = pdf.read(SAMPLES / "sample-2021.pdf", engine="pdfplumber")
    monkeypatch.setattr(pdf_pdfium, "_lost", lambda hidden, chars: 1)
    fell_back = pdf.read(SAMPLES / "sample-2021.pdf", engine="pdfium")
    assert fell_back.text == plumber.text and len(fell_back.spans) == len(plumber.spans) > 100
    assert [(s.page, s.bbox) for s in fell_back.spans] == [(s.page, s.bbox) for s in plumber.spans]


def test_lone_full_width_digits_in_a_font_not_embedded_are_read(tmp_path: Path) -> None:
    """One full-width digit or 无 drawn alone in a CJK font the PDF does not carry: without a CJK font on
    the machine PDFium has no outline for it and its text page skips it (a number lost from its cell);
    the page is then read by pdfminer. Either way both engines read every number."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "lone.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 10)
    for i, (label, cells) in enumerate((("上年结转", ("１１３", "１７", "无", "１")), ("予以公开", ("６０", "无", "８", "２")))):
        y = 700 - 20 * i
        c.drawString(60, y, label)
        for k, text in enumerate(cells):
            c.drawString(200 + 60 * k, y, text)  # each cell its own text object
    c.save()
    for engine in pdf.ENGINES:
        lines = [line.split() for line in pdf.read(path, engine=engine).text.splitlines() if line.strip()]
        assert lines == [["上年结转", "１１３", "１７", "无", "１"], ["予以公开", "６０", "无", "８", "２"]], engine
