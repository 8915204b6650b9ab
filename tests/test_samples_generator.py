"""Tests for samples/make_samples.py: invented sample reports and their truth files.

Independent of the govreport package: the hard checks are evaluated straight from the ``expr`` strings
of template.json (read as a plain file), with the ``for_each`` expansion done here.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sample_scripts

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GENERATOR = SAMPLES / "make_samples.py"
SHARED = Path(os.environ.get("GOVREPORT_SHARED", ROOT.parent / "shared"))
TEMPLATE_CANDIDATES = [
    Path(os.environ["GOVREPORT_TEMPLATE"]) if os.environ.get("GOVREPORT_TEMPLATE") else None,
    ROOT / "govreport" / "data" / "template.json",
    SHARED / "spec" / "template.json",
]

CELL_REF = re.compile(r"\b(active_disclosure|applications|review_litigation)\.([a-z0-9_]+)\.([a-z0-9_]+)\b")
FEE_TOLERANCE = 0.005


gen = sample_scripts.load("make_samples")


@pytest.fixture(scope="module")
def template():
    for path in TEMPLATE_CANDIDATES:
        if path is not None and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip("template.json not found")


# ---------------------------------------------------------------------------------------------
# template-driven checks

def _expand(constraint):
    """Yield (label, expr) for every for_each expansion of a constraint."""
    for_each = constraint.get("for_each") or {}
    exprs = [(constraint["id"], constraint["expr"])]
    for name, values in for_each.items():
        exprs = [("%s[%s=%s]" % (label, name, v), e.replace("{%s}" % name, v)) for label, e in exprs for v in values]
    return exprs


def _value(tables, match):
    table, row, col = match.groups()
    try:
        value = tables[table][row][col]
    except KeyError:
        raise AssertionError("cell %s.%s.%s missing from truth" % (table, row, col))
    assert value is not None, "cell %s.%s.%s is null" % (table, row, col)
    return value


def _evaluate_relation(tables, expr):
    """Evaluate 'a + b == c + d' style expressions over the truth tables; returns (ok, lhs, rhs)."""
    for op in ("==", "<=", ">="):
        if op in expr:
            left, right = expr.split(op)
            break
    else:
        raise AssertionError("unsupported expression: %r" % expr)

    def side(text):
        terms = [t.strip() for t in text.split("+")]
        total = 0
        for term in terms:
            m = CELL_REF.fullmatch(term)
            assert m, "unsupported term %r in %r" % (term, expr)
            total += _value(tables, m)
        return total

    lhs, rhs = side(left), side(right)
    tol = FEE_TOLERANCE if isinstance(lhs, float) or isinstance(rhs, float) else 0
    ok = {"==": abs(lhs - rhs) <= tol, "<=": lhs <= rhs + tol, ">=": lhs + tol >= rhs}[op]
    return ok, lhs, rhs


def _per_cell_failures(tables, expr):
    """'all <table> cells >= 0 [except X (signed)] [; Y may be decimal, others integers | are integers]'."""
    m = re.match(r"all (\w+) cells", expr)
    assert m, "unsupported per-cell rule %r" % expr
    table = m.group(1)
    signed = set(re.findall(r"except (\w+)", expr))
    decimal = set(re.findall(r"(\w+) may be decimal", expr))
    require_int = "integer" in expr
    failures = []
    for row, cols in tables[table].items():
        for col, value in cols.items():
            where = "%s.%s.%s" % (table, row, col)
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                failures.append("%s not a number: %r" % (where, value))
                continue
            if col not in signed and value < 0:
                failures.append("%s negative: %r" % (where, value))
            if require_int and col not in decimal and not isinstance(value, int):
                failures.append("%s not an integer: %r" % (where, value))
    return failures


def hard_check_failures(template, truth):
    version = truth["report"]["template"]
    tables = truth["tables"]
    failures = []
    hard = [c for c in template["versions"][version]["constraints"] if c["severity"] == "hard"]
    assert hard, "no hard constraints in template version %s" % version
    for constraint in hard:
        if constraint.get("scope") == "per_cell":
            failures += ["%s: %s" % (constraint["id"], f) for f in _per_cell_failures(tables, constraint["expr"])]
            continue
        for label, expr in _expand(constraint):
            assert "{" not in expr, "unexpanded placeholder in %s: %s" % (label, expr)
            ok, lhs, rhs = _evaluate_relation(tables, expr)
            if not ok:
                failures.append("%s: %r vs %r" % (label, lhs, rhs))
    return failures


def expected_cells(template, version):
    """{table: {row: [columns]}} for every data row/column of the template version."""
    tables = template["versions"][version]["tables"]
    out = {"active_disclosure": {}, "applications": {}, "review_litigation": {}}
    for block in tables["active_disclosure"]["blocks"]:
        for row in block["rows"]:
            if row.get("kind", "data") == "data":
                out["active_disclosure"][row["key"]] = [c["key"] for c in block["columns"]]
    app_cols = [c["key"] for c in tables["applications"]["columns"]]
    for row in tables["applications"]["rows"]:
        if row["kind"] == "data":
            out["applications"][row["key"]] = app_cols
    rl_cols = [c["key"] for c in tables["review_litigation"]["columns"]]
    for row in tables["review_litigation"]["rows"]:
        out["review_litigation"][row["key"]] = rl_cols
    return out


# ---------------------------------------------------------------------------------------------
# helpers for reading the generated texts

def _fmt(value):
    return "%.2f" % value if isinstance(value, float) else str(value)


def _region(text, start_heading, end_heading):
    lines = text.split("\n")
    start = lines.index(start_heading)
    end = lines.index(end_heading) if end_heading else len(lines)
    assert start < end
    return lines[start + 1:end]


def _is_number(cell):
    return re.fullmatch(r"-?\d+(\.\d+)?", cell) is not None


def _number(cell):
    return float(cell) if "." in cell else int(cell)


BUILDS = {"2021": lambda seed=None: gen.build_2021() if seed is None else gen.build_2021(seed),
          "2019": lambda seed=None: gen.build_2019() if seed is None else gen.build_2019(seed)}


# ---------------------------------------------------------------------------------------------
# the truth files

@pytest.mark.parametrize("version", ["2021", "2019"])
def test_committed_truth_passes_every_hard_check(template, version):
    truth = json.loads((SAMPLES / ("sample-%s.truth.json" % version)).read_text(encoding="utf-8"))
    assert truth["report"]["template"] == version
    assert hard_check_failures(template, truth) == []


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2024, 99991])
def test_other_seeds_pass_every_hard_check(template, version, seed):
    _, truth = BUILDS[version](seed)
    assert hard_check_failures(template, truth) == []
    assert gen.check_truth(truth) == []


def test_hard_check_evaluator_catches_a_broken_cell(template):
    _, truth = gen.build_2021()
    truth = json.loads(json.dumps(truth))
    truth["tables"]["applications"]["granted"]["natural_person"] += 1
    failures = hard_check_failures(template, truth)
    assert any(f.startswith("applications_results_sum[c=natural_person]") for f in failures)
    assert any(f.startswith("applications_column_total[r=granted]") for f in failures)
    truth["tables"]["review_litigation"]["review"]["upheld"] = -1
    assert any("review_litigation_nonnegative_integer" in f for f in hard_check_failures(template, truth))


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_truth_has_exactly_the_template_cells(template, version):
    _, truth = BUILDS[version]()
    expected = expected_cells(template, version)
    got = {t: {r: list(cols) for r, cols in rows.items()} for t, rows in truth["tables"].items()}
    assert got == expected  # same rows, same columns, template order
    for table in truth["tables"].values():
        for cols in table.values():
            assert all(v is not None for v in cols.values())


@pytest.mark.parametrize("version, issuer, year", [("2021", "云溪县人民政府", 2023), ("2019", "云溪县交通运输局", 2020)])
def test_truth_file_shape_matches_corpus_gold(version, issuer, year):
    truth = json.loads((SAMPLES / ("sample-%s.truth.json" % version)).read_text(encoding="utf-8"))
    assert truth["file"] == "sample-%s.txt" % version
    assert truth["report"] == {"issuer": issuer, "year": year, "template": version}
    assert set(truth) >= {"file", "report", "tables", "unreadable", "source_check_failures", "sections_present"}
    assert truth["unreadable"] == [] and truth["source_check_failures"] == []
    assert truth["sections_present"] == ["一", "二", "三", "四", "五", "六"]
    assert list(truth["tables"]) == ["active_disclosure", "applications", "review_litigation"]


def test_numbers_are_not_trivial():
    _, t21 = gen.build_2021()
    _, t19 = gen.build_2019()
    for truth in (t21, t19):
        app = truth["tables"]["applications"]
        columns = list(next(iter(app.values())))
        busy = [c for c in columns if sum(1 for row in app.values() if row[c]) >= 3]
        assert len(busy) >= 5, busy
        assert all(app["new_received"][c] > 0 for c in ("natural_person", "commercial_enterprise", "total"))
        rl = truth["tables"]["review_litigation"]
        assert sum(1 for g in rl.values() for v in g.values() if v) >= 6
    fee = t21["tables"]["active_disclosure"]["admin_fees"]["fee_amount"]
    assert isinstance(fee, float) and fee != int(fee)
    assert any(row.get("change_this_year", 0) < 0 for row in t19["tables"]["active_disclosure"].values())
    amount = t19["tables"]["active_disclosure"]["government_centralized_procurement"]["procurement_total_amount"]
    assert amount > 0


# ---------------------------------------------------------------------------------------------
# the texts agree with the truth and use the template labels

def _check_grid_text(template, text, truth):
    version = truth["report"]["template"]
    tdef = template["versions"][version]
    titles = [s["title"] for s in tdef["sections"]]
    lines = text.split("\n")
    assert lines[0] == "%s%d年政府信息公开工作年度报告" % (truth["report"]["issuer"], truth["report"]["year"])
    for title in titles:
        assert lines.count(title) == 1, title
    assert [lines.index(t) for t in titles] == sorted(lines.index(t) for t in titles)
    tables = truth["tables"]

    # table 二: caption, header (信息内容 + column labels), then one line per row: label + values
    t2 = _region(text, titles[1], titles[2])
    for block in tdef["tables"]["active_disclosure"]["blocks"]:
        i = t2.index(block["caption"])
        assert t2[i + 1].split("\t") == [block["stub_header"]] + [c["label"] for c in block["columns"]]
        for j, row in enumerate(block["rows"]):
            cells = t2[i + 2 + j].split("\t")
            assert cells[0] == row["label"]
            values = [_number(c) for c in cells[1:]]
            assert values == [tables["active_disclosure"][row["key"]][c["key"]] for c in block["columns"]]

    # table 三: 10 tab cells per data row, 3 label cells + 7 numbers, in template row order
    t3 = _region(text, titles[2], titles[3])
    app_def = tdef["tables"]["applications"]
    data_rows = [r for r in app_def["rows"] if r["kind"] == "data"]
    grid = [line.split("\t") for line in t3 if line.count("\t") == 9 and all(_is_number(c) for c in line.split("\t")[3:])]
    assert len(grid) == len(data_rows)
    columns = [c["key"] for c in app_def["columns"]]
    for cells, row in zip(grid, data_rows):
        assert "".join(cells[:3]).endswith(row["label"]), (cells[:3], row["label"])
        assert [int(c) for c in cells[3:]] == [tables["applications"][row["key"]][c] for c in columns]
    # the vertical 三、本年度办理结果 cell: three pieces, first field of three different rows
    firsts = [cells[0] for cells in grid if cells[0] and not cells[0].startswith(("一、", "二、", "四、"))]
    assert len(firsts) == 3 and "".join(firsts) == "三、本年度办理结果"
    # a few long labels wrapped over two cells
    assert sum(1 for cells in grid if sum(1 for c in cells[:3] if c) == 2 and not cells[0].startswith("三")) >= 3
    header = "\n".join(t3[: t3.index("\t".join(grid[0]))])
    assert app_def["header"]["corner_note"] in header
    for label in [c["label"] for c in app_def["columns"]] + ["申请人情况", "法人或其他组织"]:
        assert label in header

    # table 四: three header lines, then one line of 15 numbers in text_order
    t4 = [line for line in _region(text, titles[3], titles[4]) if line]
    assert len(t4) == 4
    rl_def = tdef["tables"]["review_litigation"]
    assert [c for c in t4[2].split("\t") if c] == rl_def["header"]["level3"]
    numbers = t4[3].split("\t")
    assert len(numbers) == 15
    expected = [tables["review_litigation"][ref.split(".")[0]][ref.split(".")[1]] for ref in rl_def["text_order"]]
    assert [int(n) for n in numbers] == expected


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_grid_text_matches_truth(template, version):
    text = (SAMPLES / ("sample-%s.txt" % version)).read_text(encoding="utf-8")
    truth = json.loads((SAMPLES / ("sample-%s.truth.json" % version)).read_text(encoding="utf-8"))
    _check_grid_text(template, text, truth)


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("seed", [3, 11])
def test_grid_text_matches_truth_other_seeds(template, version, seed):
    text, truth = BUILDS[version](seed)
    _check_grid_text(template, text, truth)


def test_runtogether_text_matches_truth(template):
    text = (SAMPLES / "sample-2021-runtogether.txt").read_text(encoding="utf-8")
    truth = json.loads((SAMPLES / "sample-2021.truth.json").read_text(encoding="utf-8"))
    assert "\t" not in text
    assert len(text.splitlines()) <= 5
    tdef = template["versions"]["2021"]
    tables = truth["tables"]
    for section in tdef["sections"]:
        assert text.count(section["title"]) == 1
    for block in tdef["tables"]["active_disclosure"]["blocks"]:
        assert block["caption"] in text
        for row in block["rows"]:
            values = "".join(_fmt(tables["active_disclosure"][row["key"]][c["key"]]) for c in block["columns"])
            assert row["label"] + values in text
    columns = [c["key"] for c in tdef["tables"]["applications"]["columns"]]
    for row in tdef["tables"]["applications"]["rows"]:
        if row["kind"] == "data":
            values = "".join(str(tables["applications"][row["key"]][c]) for c in columns)
            assert row["label"] + values in text, row["key"]
    assert "三、本年度办理结果（一）予以公开" in text
    rl = tdef["tables"]["review_litigation"]
    values = "".join(str(tables["review_litigation"][r.split(".")[0]][r.split(".")[1]]) for r in rl["text_order"])
    assert "总计" + values + "五、存在的主要问题及改进情况" in text


def test_runtogether_api_matches_committed_file():
    text, truth = gen.build_2021_runtogether()
    assert text == (SAMPLES / "sample-2021-runtogether.txt").read_text(encoding="utf-8")
    assert truth == json.loads((SAMPLES / "sample-2021.truth.json").read_text(encoding="utf-8"))


def test_gb18030_decodes_to_the_utf8_text():
    utf8 = (SAMPLES / "sample-2021.txt").read_bytes().decode("utf-8")
    raw = (SAMPLES / "sample-2021.gb18030.txt").read_bytes()
    assert raw != utf8.encode("utf-8")
    assert raw.decode("gb18030") == utf8


# ---------------------------------------------------------------------------------------------
# reproducibility

def _regenerate(outdir, hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    subprocess.run([sys.executable, str(GENERATOR), str(outdir)], check=True, env=env,
                   stdout=subprocess.DEVNULL, cwd=str(outdir.parent))


def _has_reportlab():
    return importlib.util.find_spec("reportlab") is not None


def test_committed_files_equal_a_fresh_regeneration(tmp_path):
    """The text files; the PDF (written only with reportlab) has its own test below."""
    first, second = tmp_path / "a", tmp_path / "b"
    _regenerate(first, 1)
    _regenerate(second, 12345)
    names = sorted(p.name for p in first.iterdir() if p.name != gen.SCANNED_PDF_FILE)  # its own test below
    assert names == sorted(gen.SAMPLE_FILES + ((gen.PDF_FILE,) if _has_reportlab() else ()))
    assert names == sorted(p.name for p in second.iterdir() if p.name != gen.SCANNED_PDF_FILE)
    for name in sorted(gen.SAMPLE_FILES):
        fresh = (first / name).read_bytes()
        assert fresh == (second / name).read_bytes(), name
        assert (SAMPLES / name).read_bytes() == fresh, "%s is stale: rerun python samples/make_samples.py" % name


def test_api_is_deterministic():
    assert gen.build_2021() == gen.build_2021()
    assert gen.build_2019(5) == gen.build_2019(5)
    assert gen.build_2021(5) != gen.build_2021(6)
    assert gen.build_2021()[0] == (SAMPLES / "sample-2021.txt").read_text(encoding="utf-8")
    assert gen.build_2019()[0] == (SAMPLES / "sample-2019.txt").read_text(encoding="utf-8")


def _function_body(source, name):
    body = source[source.index("\ndef %s(" % name):]
    return body[:re.search(r"\n(?:def|class) ", body[1:]).start() + 1]


def test_generator_uses_only_the_standard_library():
    """Module level: standard library only.  reportlab (for the optional PDF) only inside render_pdf;
    pypdfium2 and Pillow (for the optional scanned PDF) only inside render_scanned_pdf."""
    source = GENERATOR.read_text(encoding="utf-8")
    top = set(re.findall(r"^(?:from|import)\s+([A-Za-z_][\w]*)", source, flags=re.M))
    assert top <= {"__future__", "io", "json", "random", "sys", "pathlib", "typing"}, top
    nested = re.findall(r"^[ \t]+(?:from|import)\s+([A-Za-z_][\w]*)", source, flags=re.M)
    assert set(nested) <= {"reportlab", "pypdfium2", "PIL"}, nested
    body = _function_body(source, "render_pdf")
    assert len(re.findall(r"^[ \t]+(?:from|import)\s+reportlab", body, flags=re.M)) == nested.count("reportlab") > 0
    scanned = _function_body(source, "render_scanned_pdf")
    assert sorted(re.findall(r"^[ \t]+(?:from|import)\s+(pypdfium2|PIL)\b", scanned, flags=re.M)) == sorted(
        n for n in nested if n != "reportlab")
    assert "govreport" not in top


def test_generator_without_reportlab_writes_the_rest_and_says_so(tmp_path):
    """reportlab made unimportable: exit 0, every text file written, no PDF, a note on stderr."""
    outdir = tmp_path / "out"
    code = ("import runpy, sys; sys.modules['reportlab'] = None; sys.argv = [%r, %r]; "
            "runpy.run_path(%r, run_name='__main__')" % (str(GENERATOR), str(outdir), str(GENERATOR)))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in outdir.iterdir()) == sorted(gen.SAMPLE_FILES)
    assert gen.PDF_FILE in proc.stderr and "reportlab" in proc.stderr
    assert gen.PDF_FILE not in proc.stdout


# ---------------------------------------------------------------------------------------------
# our own prose: no long passage shared with the third-party texts

def _third_party_texts():
    texts = []
    for folder in (SHARED / "seed", SHARED / "corpus" / "docs"):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".txt", ".md", ".html"):
                    texts.append(re.sub(r"\s+", "", path.read_text(encoding="utf-8", errors="ignore")))
    return texts


def test_prose_is_not_copied_from_the_corpus():
    texts = _third_party_texts()
    if not texts:
        pytest.skip("shared seed/corpus not available")
    window = 20  # longer than any official heading or name (the title line is formulaic and skipped)
    for name in ("sample-2021.txt", "sample-2019.txt"):
        for line in (SAMPLES / name).read_text(encoding="utf-8").split("\n")[1:]:
            if "\t" in line or len(line) < window:
                continue
            for i in range(len(line) - window + 1):
                piece = line[i:i + window]
                assert not any(piece in t for t in texts), (name, piece)


# ---------------------------------------------------------------------------------------------
# the PDF: sample-2021.pdf (written with reportlab, read back with pdfplumber)

PDF = SAMPLES / "sample-2021.pdf"


def _pdf_creator(path):
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        return pdf.metadata.get("Creator", "")


def _pdf_tables(path):
    """[(page number, rows)] of every table pdfplumber finds; cell text with its line breaks removed."""
    pdfplumber = pytest.importorskip("pdfplumber")
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                rows = [[None if c is None else c.replace("\n", "") for c in row] for row in table.extract()]
                out.append((page.page_number, rows))
    return out


def _pdf_content(path):
    """What a reader gets from a PDF, whatever tool versions wrote it: page sizes, each page's text, tables."""
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        pages = [((round(p.width), round(p.height)), p.extract_text()) for p in pdf.pages]
    return pages, _pdf_tables(path)


def test_committed_pdf_equals_a_regeneration(tmp_path):
    """Content, not bytes (another reportlab may write the same content in other bytes): the committed PDF
    has the pages, text and tables of a fresh regeneration; two regenerations here are byte-identical."""
    pytest.importorskip("reportlab")
    first, second = tmp_path / "a", tmp_path / "b"
    _regenerate(first, 1)
    _regenerate(second, 12345)
    fresh = (first / gen.PDF_FILE).read_bytes()
    assert fresh == (second / gen.PDF_FILE).read_bytes(), "the PDF is not byte-identical between runs"
    assert fresh == gen.render_pdf(gen.make_report_2021())
    committed_pages, committed_tables = _pdf_content(PDF)
    fresh_pages, fresh_tables = _pdf_content(first / gen.PDF_FILE)
    assert len(committed_pages) == len(fresh_pages) == 4
    assert committed_pages == fresh_pages, "sample-2021.pdf is stale: rerun python samples/make_samples.py"
    assert committed_tables == fresh_tables, "sample-2021.pdf is stale: rerun python samples/make_samples.py"


def test_pdf_text_layer_is_readable():
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(PDF) as pdf:
        assert len(pdf.pages) == 4
        assert all((round(p.width), round(p.height)) == (595, 842) for p in pdf.pages)  # A4
        texts = [p.extract_text() for p in pdf.pages]
    text = "\n".join(texts)
    assert "(cid:" not in text
    lines = text.split("\n")
    assert lines[0] == "云溪县人民政府2023年政府信息公开工作年度报告"
    for title in gen.SECTION_TITLES:
        assert lines.count(title) == 1, title
    for label in ["第二十条第（一）项", "行政规范性文件", "本年收费金额（单位：万元）", "申请人情况", "法人或其他组织",
                  "（七）总计", "四、结转下年度继续办理", "未经复议直接起诉", "复议后起诉", "2024年1月19日"]:
        assert label in text, label
    assert ["- %d -" % n for n in range(1, 5)] == [t.split("\n")[-1] for t in texts]  # page footers


def test_pdf_tables_are_ruled_with_one_number_per_cell(template):
    truth = json.loads((SAMPLES / "sample-2021.truth.json").read_text(encoding="utf-8"))
    tables = truth["tables"]
    tdef = template["versions"]["2021"]["tables"]
    found = _pdf_tables(PDF)
    t2 = [(p, rows) for p, rows in found if rows[0][0] == "第二十条第（一）项"]
    t3 = [(p, rows) for p, rows in found if rows[0][3] == "申请人情况"]
    t4 = [(p, rows) for p, rows in found if rows[0][0] == "行政复议"]
    assert len(found) == 4 and len(t2) == len(t4) == 1 and len(t3) == 2

    # table 二: 14 rows x 4 grid columns, captions spanning all columns, values in their own cells
    page, rows = t2[0]
    assert len(rows) == 14 and all(len(r) == 4 for r in rows)
    i = 0
    for block in tdef["active_disclosure"]["blocks"]:
        assert rows[i] == [block["caption"], None, None, None]
        assert rows[i + 1][: 1 + len(block["columns"])] == [block["stub_header"]] + [c["label"] for c in block["columns"]]
        for j, row in enumerate(block["rows"]):
            cells = rows[i + 2 + j]
            assert cells[0] == row["label"]
            assert cells[1:1 + len(block["columns"])] == [_fmt(tables["active_disclosure"][row["key"]][c["key"]])
                                                          for c in block["columns"]]
            assert cells[1 + len(block["columns"]):] == [None] * (3 - len(block["columns"]))  # spanned
        i += 2 + len(block["rows"])

    # table 三: over a page break, the 3 header rows on both pages, 25 data rows x (3 labels + 7 numbers)
    (page_a, part_a), (page_b, part_b) = t3
    assert page_b == page_a + 1
    assert part_a[:3] == part_b[:3]
    header = part_a[:3]
    assert header[0][0] == tdef["applications"]["header"]["corner_note"]
    assert header[1][3:] == ["自然人", "法人或其他组织", None, None, None, None, "总计"]
    assert header[2][4:9] == [c["label"] for c in tdef["applications"]["columns"][1:6]]
    data = part_a[3:] + part_b[3:]
    data_rows = [r for r in tdef["applications"]["rows"] if r["kind"] == "data"]
    assert len(data) == len(data_rows) == 25 and len(part_a) > 3 and len(part_b) > 3
    columns = [c["key"] for c in tdef["applications"]["columns"]]
    for cells, row in zip(data, data_rows):
        assert len(cells) == 10
        assert cells[3:] == [str(tables["applications"][row["key"]][c]) for c in columns], row["key"]
        assert "".join(c or "" for c in cells[:3]).endswith(row["label"]), (cells[:3], row["label"])
    # the vertical merged cells: 三、本年度办理结果 once, in the first label column; the group cells
    firsts = [c[0] for c in data if c[0] and not c[0].startswith(("一、", "二、", "四、"))]
    assert firsts == ["三、本年度办理结果"]
    groups = [c[1] for c in data if c[1] and c[1].startswith(("（三）", "（四）", "（五）", "（六）"))]
    assert groups == ["（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"]

    # table 四: 3 header rows, then one row of 15 numbers
    page, rows = t4[0]
    assert len(rows) == 4 and all(len(r) == 15 for r in rows)
    assert [c for c in rows[2] if c] == tdef["review_litigation"]["header"]["level3"]
    rl = tdef["review_litigation"]
    assert rows[3] == [str(tables["review_litigation"][ref.split(".")[0]][ref.split(".")[1]])
                       for ref in rl["text_order"]]


# ---------------------------------------------------------------------------------------------
# the scanned PDF: sample-2021-scanned.pdf (sample-2021.pdf rasterised with pypdfium2, saved with Pillow)

SCANNED_PDF = SAMPLES / "sample-2021-scanned.pdf"


def _render_gray(pdf_bytes, dpi):
    """Every page of a PDF rendered in grayscale by pdfium (a list of PIL images)."""
    pdfium = pytest.importorskip("pypdfium2")
    pytest.importorskip("PIL")
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [doc[i].render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def _rules(image):
    """Centres (pixel rows) of the page-wide horizontal rules of a page image: rows in which more than 70 %
    of the pixels are dark. Table rules do not depend on the machine's fonts; no line of text is that dark."""
    from PIL import Image

    width, height = image.size
    dark = image.point(lambda v: 255 if v < 160 else 0).resize((1, height), Image.BOX)
    out, run = [], []
    for y, level in enumerate(dark.tobytes()):
        if level > 0.7 * 255:
            run.append(y)
        elif run:
            out.append(sum(run) / len(run))
            run = []
    if run:
        out.append(sum(run) / len(run))
    return out


def test_committed_scanned_pdf_is_an_image_scan_of_the_pdf_sample():
    """Content, not bytes (the pixels of the text depend on the CJK font pdfium finds on a machine): four
    pages, no text layer, one grayscale image of A4 at the scan resolution per page, and on every page
    the page-wide table rules where sample-2021.pdf has them."""
    pdfplumber = pytest.importorskip("pdfplumber")
    dpi = gen.SCANNED_DPI
    with pdfplumber.open(SCANNED_PDF) as scanned, pdfplumber.open(PDF) as original:
        assert len(scanned.pages) == len(original.pages) == 4
        assert all(not p.chars for p in scanned.pages), "the scanned sample must have no text layer"
        for page, source in zip(scanned.pages, original.pages):
            assert len(page.images) == 1
            image = page.images[0]
            w, h = image["srcsize"]
            assert abs(w - source.width * dpi / 72) <= 1 and abs(h - source.height * dpi / 72) <= 1, image["srcsize"]
            assert image["bits"] == 8
    scans = _render_gray(SCANNED_PDF.read_bytes(), dpi)
    pages = _render_gray(PDF.read_bytes(), dpi)
    found = 0
    for n, (scan, page) in enumerate(zip(scans, pages), start=1):
        expected, got = _rules(page), _rules(scan)
        found += len(expected)
        assert len(got) == len(expected), (n, got, expected)
        assert all(abs(a - b) <= 2 for a, b in zip(got, expected)), (n, got, expected)
    assert found >= 20, "the tables' rules were not found in sample-2021.pdf"


def test_scanned_pdf_regeneration_is_deterministic():
    """Here, twice, the same bytes; and what it writes has the shape of the committed scan."""
    pytest.importorskip("pypdfium2")
    pytest.importorskip("PIL")
    pdfplumber = pytest.importorskip("pdfplumber")
    try:
        fresh = gen.render_scanned_pdf(PDF.read_bytes())
    except RuntimeError as exc:  # no CJK font on this machine
        pytest.skip(str(exc))
    assert fresh == gen.render_scanned_pdf(PDF.read_bytes()), "the scanned PDF is not byte-identical between runs"
    with pdfplumber.open(SCANNED_PDF) as committed, pdfplumber.open(io.BytesIO(fresh)) as made:
        assert len(committed.pages) == len(made.pages) == 4
        assert all(not p.chars for p in made.pages)
        assert [p.images[0]["srcsize"] for p in made.pages] == [p.images[0]["srcsize"] for p in committed.pages]
