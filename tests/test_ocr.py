"""OCR of scanned PDFs (govreport.readers.ocr, the optional extra ``govreport[ocr]``).

The OCR tests read samples/sample-2021-scanned.pdf (sample-2021.pdf rasterised at 150 dpi, no text layer)
and are skipped without the extra (rapidocr_onnxruntime, pypdfium2). The layout helpers (ruling-line grid,
lines, text with spans and confidences) need numpy only and always run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sample_scripts

from govreport.errors import MissingDependencyError
from govreport.normalize import compact
from govreport.readers import TextWriter, ocr
from govreport.readers.ocr import cells as ocr_cells, engine as ocr_engine, grid as ocr_grid, page as ocr_page

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SCANNED = SAMPLES / "sample-2021-scanned.pdf"
TRUTH = json.loads((SAMPLES / "sample-2021.truth.json").read_text(encoding="utf-8"))

pytestmark = [pytest.mark.ocr]
requires_ocr = pytest.mark.skipif(not ocr.available(), reason="the ocr extra is not installed")


gen = sample_scripts.load("make_samples")


# ---------------------------------------------------------------------------------------------
# the scanned sample, OCR'd once for the module


@pytest.fixture(scope="module")
def scanned_pdf():
    """The scanned sample opened with pypdfium2 once for the module (as the PDF reader opens it)."""
    if not SCANNED.is_file():
        pytest.skip(f"{SCANNED.name} not found: run python samples/make_samples.py with pypdfium2 and Pillow")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(SCANNED))
    yield pdf
    pdf.close()


@pytest.fixture(scope="module")
def scanned(scanned_pdf):
    """(pages, page texts, page spans, page confidences) of the scanned sample, rendered from the open
    document (``pdf=``)."""
    pages = ocr.ocr_pages(SCANNED, list(range(1, len(scanned_pdf) + 1)), pdf=scanned_pdf)
    rendered = [ocr.page_text(p) for p in pages]
    return pages, [r[0] for r in rendered], [r[1] for r in rendered], [r[2] for r in rendered]


def _lines(texts):
    return [line for text in texts for line in text.split("\n")]


def _numbers(line):
    """The number fields of a TAB line (the label fields dropped), as ints."""
    return [int(f) for f in line.split("\t") if re.fullmatch(r"\d+", f)]


@requires_ocr
def test_scanned_sample_has_no_text_layer():
    import pdfplumber

    with pdfplumber.open(SCANNED) as pdf:
        assert [len(p.chars) for p in pdf.pages] == [0] * len(pdf.pages)


@requires_ocr
def test_section_headings_and_table3_labels(scanned):
    pages, texts, _, _ = scanned
    assert [p.number for p in pages] == [1, 2, 3, 4]
    lines = _lines(texts)
    assert lines[0] == "云溪县人民政府2023年政府信息公开工作年度报告"
    for title in gen.SECTION_TITLES:
        assert title in lines, title
    # as the pipeline matches labels: full-width and ASCII punctuation alike, spaces dropped
    fields = {compact(f) for line in lines for f in line.split("\t")}
    labels = [label for _, label, _, _ in gen.APPLICATION_ROWS["2021"]]
    found = [label for label in labels if compact(label) in fields]
    # a "、" hanging into the rule of a narrow cell is not printed inside the cell: at most one such label
    assert len(found) >= len(labels) - 1, sorted(set(labels) - set(found))
    for label in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（七）总计",
                  "四、结转下年度继续办理"):
        assert compact(label) in fields, label


@requires_ocr
def test_tables_found_as_grids(scanned):
    pages, texts, _, _ = scanned
    assert [p.tables for p in pages] == [0, 2, 2, 0]  # 二 and 三 on page 2; 三 (continued) and 四 on page 3
    header = "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计"
    assert _lines(texts).count(header) == 2  # table 三's header rows, repeated after the page break


@requires_ocr
def test_new_received_row_equals_the_truth(scanned):
    _, texts, _, _ = scanned
    rows = [line for line in _lines(texts) if line.startswith("一、本年新收政府信息公开申请数量\t")]
    assert len(rows) == 1, rows
    expected = [TRUTH["tables"]["applications"]["new_received"][c] for c in gen.APPLICATION_COLUMNS]
    assert _numbers(rows[0]) == expected


@requires_ocr
def test_every_table3_row_equals_the_truth(scanned):
    """Table 三's 26 rows of 7 numbers, in order over the page break."""
    _, texts, _, _ = scanned
    app = TRUTH["tables"]["applications"]
    expected = [[app[key][c] for c in gen.APPLICATION_COLUMNS] for key, _, _, _ in gen.APPLICATION_ROWS["2021"]]
    got = [_numbers(line) for line in _lines(texts) if len(_numbers(line)) == 7 and line.count("\t") == 9]
    assert got == expected


@requires_ocr
def test_tables_2_and_4_equal_the_truth(scanned):
    _, texts, _, _ = scanned
    lines = _lines(texts)
    active = TRUTH["tables"]["active_disclosure"]
    assert "行政规范性文件\t13\t5\t89" in lines
    assert "规章\t0\t0\t0" in lines
    assert f"行政许可\t{active['admin_licensing']['decisions_this_year']}\t\t" in lines
    assert f"行政事业性收费\t{active['admin_fees']['fee_amount']}\t\t" in lines
    review = TRUTH["tables"]["review_litigation"]
    expected = [review[g][c] for g in gen.REVIEW_GROUPS for c in gen.REVIEW_COLUMNS]
    assert [_numbers(line) for line in lines if len(_numbers(line)) == 15] == [expected]


@requires_ocr
def test_spans_and_confidences(scanned):
    pages, texts, spans, confidences = scanned
    for page, text, page_spans, conf in zip(pages, texts, spans, confidences):
        assert page_spans == sorted(page_spans, key=lambda s: s.start)
        starts = {s.start for s in page_spans}
        assert set(conf) <= starts
        for s in page_spans:
            assert s.page == page.number
            x0, top, x1, bottom = s.bbox
            assert 0 <= x0 <= x1 <= page.width + 1 and 0 <= top <= bottom <= page.height + 1
            if text[s.start:s.end].strip():
                assert 0.0 <= conf[s.start] <= 1.0  # everything printed was read with a confidence
    # on this clean scan few of the 200 table numbers (all read right) are read with low confidence (lone 0s)
    numbers = [(text[s.start:s.end], conf[s.start]) for text, page_spans, conf in zip(texts, spans, confidences)
               for s in page_spans if re.fullmatch(r"\d+", text[s.start:s.end])]
    low = [n for n in numbers if n[1] < ocr.LOW_CONFIDENCE]
    assert len(numbers) >= 190 and len(low) <= 10, low


@requires_ocr
def test_render_page_text_writes_absolute_offsets(scanned):
    pages, texts, _, confidences = scanned

    out = TextWriter()
    out.write("before\n")
    conf = ocr.render_page_text(pages[1], out)
    assert "".join(out.parts) == "before\n" + texts[1]
    assert conf == {k + len("before\n"): v for k, v in confidences[1].items()}


@requires_ocr
def test_the_open_document_is_rendered_from_and_left_open(scanned, scanned_pdf):
    """``pdf=``: the caller's document is used and stays open; without it the file is opened (and closed)
    here, with the same result."""
    pages, texts, _, _ = scanned
    assert len(scanned_pdf) == 4 and scanned_pdf[3].get_size() == pytest.approx((pages[3].width, pages[3].height))
    (alone,) = ocr.ocr_pages(SCANNED, [4])
    assert ocr.page_text(alone)[0] == texts[3]


def _page_image(pdf, number, dpi=ocr.DEFAULT_DPI):
    import numpy as np

    page = pdf[number - 1]
    try:
        return np.array(page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L"))
    finally:
        page.close()


@requires_ocr
def test_a_tilted_scan_is_read_upright(scanned, scanned_pdf):
    """Page 2 of the scan turned by 0.8 degrees: the tilt is found, each table is one grid, and every row
    with numbers reads as on the upright page (table 二 and table 三's first rows, the truth's values)."""
    _, texts, _, _ = scanned
    image = _page_image(scanned_pdf, 2)
    upright = ocr.skew_angle(image)
    assert abs(upright) <= 0.1
    for angle in (0.8, -0.8, 1.5):
        assert ocr.skew_angle(ocr.rotate(image, angle)) == pytest.approx(upright + angle, abs=0.1)
    page = ocr.ocr_image(ocr.rotate(image, 0.8))
    assert page.tables == 2
    assert page.skew == pytest.approx(upright + 0.8, abs=0.1)
    tilted = ocr.page_text(page)[0].split("\n")
    rows = [line for line in texts[1].split("\n") if _numbers(line)]
    assert len(rows) >= 10
    assert [_numbers(line) for line in tilted if _numbers(line)] == [_numbers(line) for line in rows]
    (received,) = [line for line in tilted if line.startswith("一、本年新收政府信息公开申请数量\t")]
    app = TRUTH["tables"]["applications"]
    assert _numbers(received) == [app["new_received"][c] for c in gen.APPLICATION_COLUMNS]
    # boxes point at the tilted scan itself: inside the page, and each number of the row where the turn
    # took it from the upright page (within 2 pt)
    cells = [c for line in page.lines for c in line.cells if c is not None]
    assert all(0 <= c.bbox[0] <= c.bbox[2] <= page.width and 0 <= c.bbox[1] <= c.bbox[3] <= page.height
               for c in cells)
    import cv2

    def number_centres(ocr_page):
        (line,) = [ln for ln in ocr_page.lines if ln.cells and ln.cells[0] is not None
                   and ln.cells[0].text.startswith("一、本年新收")]
        return [((c.bbox[0] + c.bbox[2]) / 2, (c.bbox[1] + c.bbox[3]) / 2) for c in line.cells
                if c is not None and c.text.isdigit()]

    pages, *_ = scanned
    h, w = image.shape
    turn = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), 0.8, 1.0)  # as ocr.rotate(image, 0.8), in pixels
    px = ocr.DEFAULT_DPI / 72.0
    expected = [((turn[0, 0] * x * px + turn[0, 1] * y * px + turn[0, 2]) / px,
                 (turn[1, 0] * x * px + turn[1, 1] * y * px + turn[1, 2]) / px) for x, y in number_centres(pages[1])]
    got = number_centres(page)
    assert len(got) == len(expected) == 7
    assert all(abs(a[0] - b[0]) <= 2 and abs(a[1] - b[1]) <= 2 for a, b in zip(got, expected)), (got, expected)


def _drawn_grid(values, dpi=200):
    """A white page image at ``dpi`` with a ruled grid of 200 x 100 px cells holding ``values`` (rows of
    strings): digits in OpenCV's built-in stroke font (no system font), ``-``, ``—`` and ``——`` as bars
    of their printed widths, ``/`` as a thin diagonal stroke; two specks of noise beside a digit."""
    import numpy as np
    import cv2

    rows, cols = len(values), len(values[0])
    xs = [100 + 200 * j for j in range(cols + 1)]
    ys = [100 + 100 * i for i in range(rows + 1)]
    img = np.full((ys[-1] + 150, xs[-1] + 100), 255, dtype=np.uint8)
    for y in ys:
        img[y:y + 3, xs[0]:xs[-1] + 3] = 0
    for x in xs:
        img[ys[0]:ys[-1] + 3, x:x + 3] = 0
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            cx, cy = (xs[j] + xs[j + 1]) // 2, (ys[i] + ys[i + 1]) // 2
            bars = {"-": 12, "—": 32, "——": 64}
            if v in bars:
                img[cy - 1:cy + 2, cx - bars[v] // 2:cx + bars[v] // 2] = 0
            elif v == "/":
                cv2.line(img, (cx + 8, cy - 15), (cx - 8, cy + 15), 0, 3, cv2.LINE_AA)
            elif v:
                (w, h), _ = cv2.getTextSize(v, cv2.FONT_HERSHEY_SIMPLEX, 1.1, 2)
                cv2.putText(img, v, (cx - w // 2, cy + h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2,
                            cv2.LINE_AA)
    img[ys[0] + 40:ys[0] + 43, xs[0] + 60:xs[0] + 63] = 0  # specks left of the first cell's digit
    img[ys[0] + 30:ys[0] + 33, xs[0] + 130:xs[0] + 133] = 0  # and right of it
    return img


@requires_ocr
def test_dash_slash_and_lone_zero_cells():
    """Placeholders are told by their shape, never read as 一, 二, 口, · or a digit; lone zeros are read;
    specks of noise beside a digit are not part of it; an empty cell stays empty; and the same holds on
    the grid turned by 0.8 degrees."""
    values = [["0", "12", "-", "305", "0"],
              ["-", "—", "/", "0", ""],
              ["8", "0", "——", "/", "40"]]
    image = _drawn_grid(values)
    for img in (image, ocr.rotate(image, 0.8)):
        page = ocr.ocr_image(img)
        assert page.tables == 1
        got = [[c.text for c in line.cells] for line in page.lines if line.kind == "table"]
        assert got == values
        conf = [[c.confidence for c in line.cells] for line in page.lines if line.kind == "table"]
        assert conf[1][4] is None  # nothing printed, nothing read
        assert all(c >= ocr.LOW_CONFIDENCE for row in conf for c in row if c is not None)


@requires_ocr
def test_engine_is_created_once():
    assert ocr_engine.get_engine() is ocr_engine.get_engine()


# ---------------------------------------------------------------------------------------------
# without the extra


def test_missing_extra_raises_missing_dependency(monkeypatch):
    monkeypatch.setattr(ocr_engine, "_AVAILABLE", False)
    assert ocr.available() is False
    with pytest.raises(MissingDependencyError) as info:
        ocr.ocr_pages(SCANNED, [1])
    assert info.value.message == "scanned PDF: OCR needs the ocr extra"
    assert info.value.hint == "pip install 'govreport[ocr]'"


def test_module_imports_the_extra_lazily():
    modules = sorted(Path(ocr.__file__).parent.glob("*.py"))
    assert len(modules) > 1  # the package's modules, each checked
    for module in modules:
        source = module.read_text(encoding="utf-8")
        top = set(re.findall(r"^(?:from|import)\s+([A-Za-z_][\w.]*)", source, flags=re.M))
        assert not top & {"rapidocr_onnxruntime", "pypdfium2", "numpy", "cv2", "PIL"}, (module.name, top)


# ---------------------------------------------------------------------------------------------
# layout helpers (numpy only)


def _ruled(width, height, rows, cols, merged=()):
    """A white page image with a ruled grid; ``merged``: (row, col) atoms whose right rule is missing."""
    np = pytest.importorskip("numpy")
    img = np.full((height, width), 255, dtype=np.uint8)
    for y in rows:
        img[y:y + 2, cols[0]:cols[-1] + 2] = 0
    for x in cols:
        for i, (y0, y1) in enumerate(zip(rows, rows[1:])):
            j = cols.index(x) - 1
            if (i, j) in merged:
                continue
            img[y0:y1 + 2, x:x + 2] = 0
    return img


def test_grid_from_ruling_lines_with_a_merged_cell():
    rows = [100, 160, 220, 280]
    cols = [50, 250, 400, 550]
    img = _ruled(640, 400, rows, cols, merged={(0, 0)})  # the top row's first two cells are one
    img[120:130, 300:320] = 0  # ink in a cell (a digit): not a rule
    grids = ocr_grid.find_grids(img, 200)
    assert len(grids) == 1
    g = grids[0]
    assert all(abs(a - b) <= 1 for a, b in zip(g.xs, [50.5, 250.5, 400.5, 550.5])) and len(g.xs) == 4
    assert all(abs(a - b) <= 1 for a, b in zip(g.ys, [100.5, 160.5, 220.5, 280.5])) and len(g.ys) == 4
    cells = ocr_grid.grid_cells(g)
    assert (0, 0, 0, 1) in cells and len(cells) == 8


def test_light_rules_shading_and_a_table_cut_by_the_page():
    """A hairline scanned light gray (160) is a rule; a shaded row (210) is not; rules that run off the
    bottom of the page (the table continues on the next one) close the table there."""
    np = pytest.importorskip("numpy")
    img = np.full((500, 640), 255, dtype=np.uint8)
    img[100:160, 50:552] = 210  # a shaded header row
    for y in (100, 160, 220):
        img[y, 50:552] = 160
    for x in (50, 250, 550):
        img[100:480, x] = 160  # no rule across at 480: the page ends
    grids = ocr_grid.find_grids(img, 200)
    assert len(grids) == 1
    g = grids[0]
    assert len(g.xs) == 3 and len(g.ys) == 4 and abs(g.ys[-1] - 479) <= 2
    assert len(ocr_grid.grid_cells(g)) == 6


def test_no_grid_from_text_strokes_or_underlines():
    np = pytest.importorskip("numpy")
    img = np.full((400, 640), 255, dtype=np.uint8)
    img[100:102, 50:550] = 0  # an underline
    img[150:190, 300:302] = 0  # a vertical stroke
    assert ocr_grid.find_grids(img, 200) == []


def _box(text, x0, top, x1, bottom, conf=0.99):
    return ocr.OcrBox(text, conf, (x0, top, x1, bottom))


def test_lines_in_reading_order_and_unruled_columns():
    boxes = [
        _box("第二行", 100, 130, 200, 145),
        _box("标题", 100, 100, 160, 115),
        _box("行政许可", 100, 160, 160, 175), _box("12", 300, 161, 315, 175), _box("3", 400, 160, 408, 176),
        _box("右边", 200, 101, 240, 116),
    ]
    lines = ocr_page._text_lines(boxes)
    page = ocr.OcrPage(number=2, width=595, height=842, lines=lines, boxes=boxes)
    text, spans, conf = ocr.page_text(page)
    assert text == "标题 右边\n第二行\n行政许可\t12\t3\n"
    assert [text[s.start:s.end] for s in spans] == ["标题", "右边", "第二行", "行政许可", "12", "3"]
    assert all(s.page == 2 for s in spans)
    assert sorted(conf) == [s.start for s in spans]


def test_two_close_lines_do_not_merge():
    boxes = [_box("上一行文字", 100, 100, 200, 116), _box("下一行文字", 100, 110, 200, 126)]
    assert len(ocr_page._text_lines(boxes)) == 2


def test_table_row_keeps_empty_and_merged_fields():
    cell = ocr.OcrCell
    line = ocr.OcrLine(cells=[cell("规章", 0.99, (0, 0, 10, 10)), None, cell("", None, (20, 0, 30, 10)),
                              cell("7", 0.42, (30, 0, 40, 10))], kind="table", top=0)
    page = ocr.OcrPage(number=1, width=595, height=842, lines=[line], boxes=[])
    text, spans, conf = ocr.page_text(page)
    assert text == "规章\t\t\t7\n"
    assert [text[s.start:s.end] for s in spans] == ["规章", "", "7"]
    assert conf == {0: 0.99, 5: 0.42}


@pytest.mark.parametrize("raw, fixed", [("O", "0"), ("。", "0"), ("l", "1"), ("1O", "10"), ("9.", "9"),
                                        ("29.76", "29.76"), ("其他", "其他"), ("1.属于国家秘密", "1.属于国家秘密")])
def test_number_fix(raw, fixed):
    assert ocr_cells._number_fix(raw) == fixed


@pytest.mark.parametrize("raw, fixed", [("-、本年新收", "一、本年新收"), ("（-）予以公开", "（一）予以公开"),
                                        ("第二十条第（）项", "第二十条第（一）项"), ("复议丶诉讼", "复议、诉讼"),
                                        ("１２", "12"), ("2-3", "2-3")])
def test_clean(raw, fixed):
    assert ocr_engine._clean(raw) == fixed


def test_width_check_catches_a_merged_double_digit():
    assert ocr_cells._width_fits("1", 4, 15)
    assert ocr_cells._width_fits("0", 9, 15)
    assert not ocr_cells._width_fits("1", 15, 15)  # "11" printed, read as "1"
    assert ocr_cells._width_fits("11", 15, 15)
    assert ocr_cells._width_fits("386", 32, 15)
    assert not ocr_cells._width_fits("38", 32, 15)
    assert ocr_cells._width_fits("其他", 1, 15)


def _stroke(h, w, cells):
    np = pytest.importorskip("numpy")
    ink = np.zeros((h, w), dtype=bool)
    for y, x0, x1 in cells:
        ink[y, x0:x1] = True
    return ink


def test_placeholder_shapes():
    """Flat bars are dashes by their width against the text height (29 px); a thin stroke leaning right
    is a slash; a digit's shapes (1, 7, a dot) are none of them."""
    def bar(w, t=3):
        return _stroke(t, w, [(y, 0, w) for y in range(t)])

    assert ocr_cells._placeholder_shape(bar(10), 29) == "-"
    assert ocr_cells._placeholder_shape(bar(30), 29) == "—"
    assert ocr_cells._placeholder_shape(bar(64), 29) == "——"
    assert ocr_cells._placeholder_shape(bar(3), 29) is None  # a dot
    slash = _stroke(28, 14, [(y, 13 - y // 2 - 2, 13 - y // 2 + 1) for y in range(28)])  # top right
    assert ocr_cells._placeholder_shape(slash, 29) == "/"
    assert ocr_cells._placeholder_shape(slash[:, ::-1], 29) == "\\"
    one = _stroke(28, 6, [(y, 2, 5) for y in range(28)] + [(0, 0, 3), (1, 0, 3), (27, 0, 6)])
    assert ocr_cells._placeholder_shape(one, 29) is None
    leg = [(y, 13 - y // 2 - 2, 13 - y // 2 + 1) for y in range(3, 28)]
    seven = _stroke(28, 14, [(y, 0, 14) for y in range(3)] + leg)
    assert ocr_cells._placeholder_shape(seven, 29) is None


@pytest.mark.parametrize("raw, text, capped", [
    ("12", "12", None), ("-3", "-3", None), ("—", "—", None), ("/", "/", None), ("其他", "其他", None),
    ("1.属于国家秘密", "1.属于国家秘密", None), ("9.", "9", None),
    ("1O", "10", ocr.GUESS_CONFIDENCE), ("l", "1", ocr.GUESS_CONFIDENCE),
    ("0:", "0:", ocr.DOUBT_CONFIDENCE), ("二", "二", ocr.DOUBT_CONFIDENCE), ("口", "口", ocr.DOUBT_CONFIDENCE),
    ("·", "·", ocr.DOUBT_CONFIDENCE), ("5—0", "5—0", ocr.DOUBT_CONFIDENCE),
])
def test_doubtful_cells_keep_their_text_and_lose_their_confidence(raw, text, capped):
    """No digit is made up for marks: what is neither a number, nor a placeholder, nor words is written
    as read and flagged (confidence under LOW_CONFIDENCE); a number mended from look-alike letters is
    flagged too; a clean number keeps its confidence."""
    got, confidence = ocr_cells._judged(raw, 0.99)
    assert got == text
    if capped is None:
        assert confidence == 0.99
    else:
        assert confidence == capped < ocr.LOW_CONFIDENCE


def test_specks_go_and_dots_between_glyphs_stay():
    pytest.importorskip("cv2")
    np = pytest.importorskip("numpy")
    ink = np.zeros((40, 200), dtype=bool)
    ink[5:35, 40:55] = True  # a digit
    ink[30:34, 60:64] = True  # a decimal point, between two digits
    ink[5:35, 70:85] = True  # a digit
    ink[2:5, 5:8] = True  # a speck alone on the left
    ink[20:23, 150:153] = True  # and one on the right
    clean = ocr_cells._without_specks(ink, 200 / 72.0)
    assert clean[5:35, 40:55].all() and clean[5:35, 70:85].all() and clean[30:34, 60:64].all()
    assert not clean[2:5, 5:8].any() and not clean[20:23, 150:153].any()
    alone = np.zeros((40, 200), dtype=bool)
    alone[20:24, 100:104] = True  # a cell holding one speck holds nothing
    alone[10:16, 150:155] = True  # nor a blot a little larger (2 pt)
    assert not ocr_cells._without_specks(alone, 200 / 72.0).any()
    dash = np.zeros((40, 200), dtype=bool)
    dash[20:22, 100:108] = True  # a short dash (3 pt) alone is a placeholder, not a speck
    assert ocr_cells._without_specks(dash, 200 / 72.0)[20:22, 100:108].all()


@requires_ocr
def test_a_bilevel_scan_is_rendered_at_its_own_resolution():
    """A fax-coded (1 bit) page image is rendered at its own resolution (resampling breaks its strokes),
    clamped to MIN_DPI..MAX_DPI; a gray one and a page without an image at the default."""
    import io

    import pypdfium2 as pdfium

    image_module = pytest.importorskip("PIL.Image")
    found = {}
    for mode, dpi in (("1", 150), ("1", 120), ("1", 600), ("L", 150)):
        blank = image_module.new(mode, (int(8.27 * dpi), int(11.69 * dpi)), 1 if mode == "1" else 255)
        data = io.BytesIO()
        blank.save(data, "PDF", resolution=dpi)
        pdf = pdfium.PdfDocument(data.getvalue())
        page = pdf[0]
        found[(mode, dpi)] = ocr_page._scan_dpi(page, *page.get_size())
        page.close()
        pdf.close()
    assert found == {("1", 150): 150, ("1", 120): ocr.MIN_DPI, ("1", 600): ocr.MAX_DPI, ("L", 150): None}
    pdf = pdfium.PdfDocument(str(SAMPLES / "sample-2021.pdf"))
    page = pdf[0]
    assert ocr_page._scan_dpi(page, *page.get_size()) is None
    page.close()
    pdf.close()
