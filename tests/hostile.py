"""Hostile inputs, each made by a few lines of Python from the project's own sample report.

Used by ``tests/test_hostile_input.py`` (the bad-input suite's assertions: exit code, one stderr line or a
valid record, bounded time and memory), by ``bench/bench_scaling.py`` (1x..64x inputs) and by the long
fuzz run. Every builder returns text (or bytes) and never touches the disk, except the ``write_*``
helpers that put a case in a folder.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "sample-2021.txt"

NEW_RECEIVED = "一、本年\t新收政府信息公开申请数量\t\t386\t97\t5\t10\t44\t21\t563"
FEE_ROW = "行政事业性收费\t29.76"
PROSE_ANCHOR = "全年在县政府门户网站主动发布各类信息4329条"


def sample_text() -> str:
    return SAMPLE.read_text("utf-8")


def digits(n: int, seed: int = 0) -> str:
    """``n`` random digits without a leading zero (a run that reads as one number)."""
    rnd = random.Random(seed)
    return str(rnd.randint(1, 9)) + "".join(rnd.choice("0123456789") for _ in range(n - 1))


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def table3_lines(text: str) -> List[str]:
    """The printed rows of table 三 (the lines from 本年新收 to 结转下年度)."""
    lines = text.split("\n")
    a = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年\t新收"))
    b = next(i for i, ln in enumerate(lines) if i > a and "下年度继续办理" in ln)
    return lines[a:b + 1]


def run_together(line: str) -> str:
    """A grid row with its number cells run together, as a text extraction leaves them."""
    cells = line.split("\t")
    label = [c for c in cells if c and not re.fullmatch(r"\d+", c)]
    nums = [c for c in cells if re.fullmatch(r"\d+", c)]
    return "".join(label) + " " + "".join(nums)


def row_of_digits(n: int, seed: int = 0) -> str:
    """A table-三 row whose seven cells run together into one ``n``-digit number."""
    return _replace(sample_text(), NEW_RECEIVED, "一、本年新收政府信息公开申请数量 " + digits(n, seed))


def cell_of_digits(n: int, seed: int = 1) -> str:
    """One table-三 cell printed as an ``n``-digit number, the row's other cells as printed."""
    return _replace(sample_text(), NEW_RECEIVED, NEW_RECEIVED.replace("\t386\t", "\t" + digits(n, seed) + "\t"))


def runtogether_rows(copies: int) -> str:
    """Table 三 with every row's cells run together, its rows printed ``copies`` times over."""
    text = sample_text()
    rows = table3_lines(text)
    block = "\n".join(run_together(r) for r in rows)
    return _replace(text, "\n".join(rows), "\n".join([block] * copies))


def long_decimal(n: int) -> str:
    """The 行政事业性收费 money cell printed with ``n`` digits before and ``n`` after the point."""
    return _replace(sample_text(), FEE_ROW, "行政事业性收费\t" + digits(n, 2) + "." + digits(n, 3))


def prose_number(n: int) -> str:
    """An ``n``-digit number in the prose."""
    return _replace(sample_text(), PROSE_ANCHOR, PROSE_ANCHOR.replace("4329", digits(n, 4)))


def long_line(n_bytes: int) -> bytes:
    """The sample with one line of ``n_bytes`` bytes (CJK text and digits, no newline) in its prose."""
    unit = "政务公开工作123 "
    chunk = unit * (n_bytes // len(unit.encode("utf-8")) + 1)
    line = chunk.encode("utf-8")[:n_bytes].decode("utf-8", "ignore")
    return _replace(sample_text(), PROSE_ANCHOR, PROSE_ANCHOR + line).encode("utf-8")


def many_numbers(n: int) -> str:
    """Table 三's first row followed by ``n`` numbers one a line (a column dump), its second by ``n`` numbers
    on its own line."""
    text = _replace(sample_text(), NEW_RECEIVED, "一、本年\t新收政府信息公开申请数量\n" + "\n".join(str(i % 997) for i in range(n)))
    return _replace(text, "二、上年结转政府信息公开申请数量\t\t\t9\t3\t0\t0\t1\t0\t13",
                    "二、上年结转政府信息公开申请数量 " + " ".join(str(i % 97) for i in range(n)))


def labels_on_one_line(n: int) -> str:
    """Table 三's first row followed, on its own line, by ``n`` more copies of its label and a number."""
    return _replace(sample_text(), NEW_RECEIVED, NEW_RECEIVED + " " + "一、本年新收政府信息公开申请数量 5 " * n)


TEXT_CASES: Dict[str, Callable[[], str]] = {
    "row-of-4000-digits": lambda: row_of_digits(4000),
    "row-of-100000-digits": lambda: row_of_digits(100_000),
    "cell-of-5000-digits": lambda: cell_of_digits(5000),
    "400-runtogether-rows": lambda: runtogether_rows(400 // len(table3_lines(sample_text())) + 1),
    "decimal-of-3000-digits": lambda: long_decimal(3000),
    "10000-runtogether-rows": lambda: runtogether_rows(10_000 // len(table3_lines(sample_text())) + 1),
    "prose-number-of-5000-digits": lambda: prose_number(5000),
}


# ---------------------------------------------------------------------------------------------------------
# HTML, DOCX and PDF


def sample_html() -> str:
    return (ROOT / "samples" / "sample-2021.html").read_bytes().decode("gb18030")


def nested_html(levels: int) -> bytes:
    """The sample's body wrapped in ``levels`` nested <div>s."""
    html = sample_html()
    a = html.index("<body")
    a = html.index(">", a) + 1
    b = html.rindex("</body>")
    return (html[:a] + "<div>" * levels + html[a:b] + "</div>" * levels + html[b:]).encode("gb18030")


def html_many_tables(tables: int) -> bytes:
    """The sample page followed by ``tables`` small tables of numbers."""
    html = sample_html()
    b = html.rindex("</body>")
    return (html[:b] + "<table><tr><td>1</td><td>2</td></tr></table>" * tables + html[b:]).encode("gb18030")


def html_many_cells(cells: int) -> bytes:
    """The sample page followed by one table of ``cells`` cells (rows of ten)."""
    html = sample_html()
    b = html.rindex("</body>")
    row = "<tr>" + "<td>7</td>" * 10 + "</tr>"
    return (html[:b] + "<table>" + row * (cells // 10) + "</table>" + html[b:]).encode("gb18030")


def _docx_with(extra_xml: str) -> bytes:
    import io
    import zipfile

    src = zipfile.ZipFile(ROOT / "samples" / "sample-2021.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                i = xml.rindex("<w:sectPr")
                data = (xml[:i] + extra_xml + xml[i:]).encode("utf-8")
            z.writestr(info, data)
    return out.getvalue()


def _docx_table(rows: int, cols: int, rnd: random.Random) -> str:
    """A table of random numbers (random, so that the archive's compression ratio stays that of a report)."""
    def cell() -> str:
        return f"<w:tc><w:p><w:r><w:t>{rnd.randint(0, 10 ** rnd.randint(1, 9))}</w:t></w:r></w:p></w:tc>"

    return "<w:tbl>" + "".join("<w:tr>" + "".join(cell() for _ in range(cols)) + "</w:tr>"
                               for _ in range(rows)) + "</w:tbl><w:p/>"


def docx_many_tables(tables: int) -> bytes:
    rnd = random.Random(5)
    return _docx_with("".join(_docx_table(1, 2, rnd) for _ in range(tables)))


def docx_many_cells(cells: int) -> bytes:
    return _docx_with(_docx_table(cells // 10, 10, random.Random(6)))


def raw_pdf(objects: List[bytes], root: int = 1) -> bytes:
    """A PDF from its objects (numbered from 1), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_claiming_pages(count: int) -> bytes:
    """One page, in a page tree that claims ``count`` pages."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
                    _PAGE, _stream(b"BT ET")])


def pdf_flate_bomb(unpacked: int = 1 << 30) -> bytes:
    """A page whose content stream inflates to ``unpacked`` bytes (spaces: valid, empty content)."""
    import zlib

    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(z.compress(chunk) for _ in range(unpacked >> 20)) + z.flush()
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    _PAGE, _stream(packed, b"/Filter /FlateDecode")])


def pdf_recursive_refs() -> bytes:
    """A page tree whose node lists itself as its own kid, and a resource dictionary that holds itself."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 5 0 R >>",
                    _stream(b"BT ET"),
                    b"<< /Font 5 0 R /XObject 5 0 R /Self 5 0 R >>"])
