"""PDF with a text layer: words with boxes, ruled tables, one text per document.

Two engines read a page into the same :class:`PageModel` (words with boxes, ruled tables with cell
boxes): PDFium (:mod:`.pdf_pdfium`, the default: pypdfium2) and pdfplumber (:mod:`.pdf_plumber`, pdfminer).
One writer turns the page models into the document text. Each page becomes lines of text in reading
order; a ruled table is written as one line per table row with its cells separated by tabs (an empty
cell stays an empty field, the continuation of a merged cell holds ``COVERED``), so the
text path anchors rows on their labels and knows each number's column; every word and cell keeps its
page and box. Pages are separated by a form feed on a line of its own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import BadInputError
from ..limits import DEFAULT_PDF_ENGINE
from . import COVERED, Document, TextWriter

log = logging.getLogger(__name__)

ENGINES = ("pdfium", "pdfplumber")
DEFAULT_ENGINE = DEFAULT_PDF_ENGINE  # a module global: bench/ sets it to measure another engine


@dataclass(frozen=True)
class PdfSettings:
    """Every reader setting govreport tunes, in one place (pdfplumber's names; PDFium follows them)."""

    table_settings: Dict[str, Any] = field(default_factory=lambda: {
        "vertical_strategy": "lines", "horizontal_strategy": "lines",
        "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
    })
    word_settings: Dict[str, Any] = field(default_factory=lambda: {
        "x_tolerance": 1.5, "y_tolerance": 3, "keep_blank_chars": False,
    })
    line_tolerance: float = 3.0  # words whose tops differ by less are on one line (besides overlapping ones)
    min_edges_for_tables: int = 4  # pages with fewer ruling lines are not searched for tables
    min_chars_for_text: int = 20  # fewer characters (and no ruled table): the page has no usable text layer
    dedupe_chars: bool = True  # drop characters drawn twice ("fake bold")


DEFAULT = PdfSettings()
_CID = re.compile(r"\(cid:\d+\)")
PAGE_BREAK = "\f\n"  # between pages: the page-number rule of normalize looks for the form feed


# --- the page model both engines produce ----------------------------------------------------------


@dataclass
class TableCell:
    text: str  # the cell's lines joined (see cell_text)
    bbox: Tuple[float, float, float, float]


@dataclass
class PageTable:
    bbox: Tuple[float, float, float, float]
    rows: List[List[Optional[TableCell]]]  # None: the continuation of a merged cell


@dataclass
class PageModel:
    """One page as read: words (dicts with text, x0, top, x1, bottom) and ruled tables, top-left origin."""

    words: List[dict]
    tables: List[PageTable]


def cell_text(text: Optional[str]) -> str:
    """A cell's text on one line: wrapped and vertical (one character a line) text joined."""
    if not text:
        return ""
    lines = [x.strip() for x in text.replace("\t", " ").split("\n")]
    return "".join(lines)


def has_doubled_chars(chars: Sequence[dict]) -> bool:
    """Glyphs drawn twice at (almost) the same spot ("fake bold"): cheap test before deduplicating."""
    doubled = 0
    for a, b in zip(chars, chars[1:], strict=False):
        if a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1:
            doubled += 1
    return doubled > max(3, len(chars) // 50)


_cell_text = cell_text  # the names the tests know
_has_doubled_chars = has_doubled_chars


def unreadable(path: Path, exc: BaseException) -> BadInputError:
    """The one-line error for a PDF an engine cannot read; a password gets the command that fixes it."""
    chain: List[BaseException] = []
    e: Optional[BaseException] = exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    if any("Password" in type(x).__name__ or "Encrypt" in type(x).__name__ or "password" in str(x).lower()
           for x in chain):
        return BadInputError(f"{path}: the PDF is encrypted with a password",
                             hint="decrypt it first, e.g. qpdf --password=PASS --decrypt in.pdf out.pdf")
    detail = " ".join(str(exc).split())
    return BadInputError(f"{path}: not a readable PDF ({type(exc).__name__}{': ' + detail if detail else ''})")


# --- the writer -------------------------------------------------------------------------------------


def _lines_of_words(words: Sequence[dict], tolerance: float) -> List[List[dict]]:
    """Words on one printed line: boxes overlapping vertically by half the smaller height (a page
    number's digits and dashes in different fonts sit differently), or tops within ``tolerance``."""
    lines: List[List[Any]] = []  # [top, bottom, first top, words]
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines:
            line = lines[-1]
            overlap = min(line[1], w["bottom"]) - max(line[0], w["top"])
            if overlap >= 0.5 * min(line[1] - line[0], w["bottom"] - w["top"]) and overlap > 0 \
                    or abs(line[2] - w["top"]) <= tolerance:
                line[0], line[1] = min(line[0], w["top"]), max(line[1], w["bottom"])
                line[3].append(w)
                continue
        lines.append([w["top"], w["bottom"], w["top"], [w]])
    out = []
    for line in lines:
        line[3].sort(key=lambda w: w["x0"])
        out.append(line[3])
    return out


def _inside(word: dict, bbox: Tuple[float, float, float, float]) -> bool:
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def text_layer(model: PageModel, settings: PdfSettings) -> str:
    """ok, or none (a scan, or glyphs without Unicode): too few characters and no ruled table holding
    text, or more ``(cid:…)`` glyphs than characters."""
    text_chars = sum(len(_CID.sub("", w["text"])) for w in model.words)
    cid = sum(len(_CID.findall(w["text"])) for w in model.words)
    if cid > text_chars:
        return "none"
    if text_chars >= settings.min_chars_for_text:
        return "ok"
    ruled = any(c is not None and _CID.sub("", c.text) for t in model.tables for row in t.rows for c in row)
    return "ok" if ruled else "none"


def write_page(out: TextWriter, model: PageModel, number: int, settings: PdfSettings) -> None:
    """The page's lines and table rows in reading order (top to bottom), each ending in a newline."""
    tables = [t for t in model.tables if t.rows]
    outside = [w for w in model.words if not any(_inside(w, t.bbox) for t in tables)] if tables else model.words
    blocks: List[Tuple[float, str, Any]] = []
    for line in _lines_of_words(outside, settings.line_tolerance):
        blocks.append((min(w["top"] for w in line), "line", line))
    for t in tables:
        blocks.append((t.bbox[1], "table", t))
    blocks.sort(key=lambda b: b[0])
    for _, kind, obj in blocks:
        if kind == "line":
            for i, w in enumerate(obj):
                if i:
                    out.write(" ")
                out.write(_CID.sub("", w["text"]), number, (w["x0"], w["top"], w["x1"], w["bottom"]))
            out.write("\n")
        else:
            for row in obj.rows:
                for i, cell in enumerate(row):
                    if i:
                        out.write("\t")
                    if cell is not None:
                        out.write(cell.text, number, cell.bbox)
                    else:  # the continuation of a merged cell: no cell of its own
                        out.write(COVERED)
                out.write("\n")


# --- reading a document -----------------------------------------------------------------------------


def _reader(engine: str, path: Path) -> Any:
    if engine == "pdfium":
        from .pdf_pdfium import Reader
    elif engine == "pdfplumber":
        from .pdf_plumber import Reader  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown PDF engine {engine!r} (one of {', '.join(ENGINES)})")
    return Reader(path)


def read(path: Path, settings: Optional[PdfSettings] = None, max_pages: Optional[int] = None,
         engine: Optional[str] = None) -> Document:
    """Read the PDF at ``path`` with ``engine`` (pdfium, the default, or pdfplumber)."""
    settings = settings or DEFAULT
    reader = _reader(engine or DEFAULT_ENGINE, path)
    out = TextWriter()
    offsets: List[int] = []
    layers: List[str] = []
    issues: List[str] = []
    confidences: Dict[int, float] = {}
    try:
        n = reader.pages
        if max_pages is not None and n > max_pages:
            raise BadInputError(f"{path}: {n} pages is over the {max_pages}-page limit",
                                hint="raise it with --max-pages")
        for number in range(1, n + 1):
            offsets.append(out.length)
            try:
                model = reader.page(number, settings)
            except BadInputError:
                raise
            except Exception as exc:  # a broken page must not lose the others
                issues.append(f"page {number}: unreadable ({type(exc).__name__})")
                layers.append("none")
                model = None
            if model is not None:
                layers.append(text_layer(model, settings))
                if layers[-1] == "none":
                    from . import ocr  # only for scans
                if layers[-1] == "none" and ocr.available():  # a scan: OCR the page instead (govreport[ocr])
                    confidences.update(ocr.render_page_text(reader.ocr(number), out))
                    layers[-1] = "ocr"
                else:
                    write_page(out, model, number, settings)
            out.write(PAGE_BREAK if number < n else "\n")
    finally:
        reader.close()
    layer = "ok" if all(x == "ok" for x in layers) else ("none" if all(x != "ok" for x in layers) else "partial")
    return Document(text=out.text, format="pdf", pages=len(offsets), text_layer=layer,
                    page_offsets=offsets, spans=out.spans, page_layers=layers, reader_notes=issues,
                    ocr="ocr" in layers, span_confidence=confidences)
