"""PDF with a text layer, read with pdfplumber: words with boxes, ruled tables, one text per document.

Each page becomes lines of text in reading order. A ruled table is written as one line per table row
with its cells separated by tabs (an empty cell stays an empty field), so the text path anchors rows on
their labels and knows each number's column; every word and cell keeps its page and box.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ..errors import BadInputError, MissingDependencyError
from . import Document, TextWriter, ocr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfSettings:
    """Every pdfplumber setting govreport tunes, in one place."""

    table_settings: Dict[str, Any] = field(default_factory=lambda: {
        "vertical_strategy": "lines", "horizontal_strategy": "lines",
        "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
    })
    word_settings: Dict[str, Any] = field(default_factory=lambda: {
        "x_tolerance": 1.5, "y_tolerance": 3, "keep_blank_chars": False,
    })
    line_tolerance: float = 3.0  # words whose tops differ by less are on one line
    min_edges_for_tables: int = 4  # pages with fewer ruling lines are not searched for tables
    min_chars_for_text: int = 20  # fewer characters: the page has no usable text layer
    dedupe_chars: bool = True  # drop characters drawn twice ("fake bold")


DEFAULT = PdfSettings()
_CID = re.compile(r"\(cid:\d+\)")


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    """The pdfplumber PDF, closed afterwards without letting a damaged file fail a second time: closing
    walks the page tree again, and its error would replace the one-line error raised for it."""
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a core dependency
        raise MissingDependencyError("reading PDF needs pdfplumber", hint="pip install pdfplumber") from None
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many kinds for broken files
        raise _unreadable(path, exc) from None
    try:
        yield pdf
    finally:
        try:
            pdf.close()
        except Exception:
            if not pdf.stream_is_external:
                pdf.stream.close()


def _unreadable(path: Path, exc: BaseException) -> BadInputError:
    """The one-line error for a PDF pdfminer cannot read; a password gets the command that fixes it."""
    chain = []
    e: Optional[BaseException] = exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    if any("Password" in type(x).__name__ or "Encrypt" in type(x).__name__ for x in chain):
        return BadInputError(f"{path}: the PDF is encrypted with a password",
                             hint="decrypt it first, e.g. qpdf --password=PASS --decrypt in.pdf out.pdf")
    detail = " ".join(str(exc).split())
    return BadInputError(f"{path}: not a readable PDF ({type(exc).__name__}{': ' + detail if detail else ''})")


def _lines_of_words(words: Sequence[dict], tolerance: float) -> List[List[dict]]:
    lines: List[List[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= tolerance:
            lines[-1].append(w)
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w["x0"])
    return lines


def _has_doubled_chars(chars: Sequence[dict]) -> bool:
    """Glyphs drawn twice at (almost) the same spot ("fake bold"): cheap test before deduplicating."""
    doubled = 0
    for a, b in zip(chars, chars[1:]):
        if a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1:
            doubled += 1
    return doubled > max(3, len(chars) // 50)


def _inside(word: dict, bbox: Tuple[float, float, float, float]) -> bool:
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _cell_text(text: Optional[str]) -> str:
    if not text:
        return ""
    lines = [x.strip() for x in text.replace("\t", " ").split("\n")]
    return "".join(lines)


def read(path: Path, settings: Optional[PdfSettings] = None, max_pages: Optional[int] = None) -> Document:
    settings = settings or DEFAULT
    out = TextWriter()
    offsets: List[int] = []
    layers: List[str] = []
    issues: List[str] = []
    confidences: Dict[int, float] = {}
    with _opened(path) as pdf:
        try:
            pages = list(pdf.pages)
        except Exception as exc:
            raise _unreadable(path, exc) from None
        if max_pages is not None and len(pages) > max_pages:
            raise BadInputError(f"{path}: {len(pages)} pages is over the {max_pages}-page limit",
                                hint="raise it with --max-pages")
        for number, page in enumerate(pages, start=1):
            offsets.append(out.length)
            try:
                if settings.dedupe_chars and _has_doubled_chars(page.chars):
                    page = page.dedupe_chars()
                words = page.extract_words(**settings.word_settings)
                edges = len(page.lines) + len(page.rects)
                tables = page.find_tables(settings.table_settings) if edges >= settings.min_edges_for_tables else []
            except Exception as exc:  # a broken page must not lose the others
                issues.append(f"page {number}: unreadable ({type(exc).__name__})")
                layers.append("none")
                continue
            text_chars = sum(len(_CID.sub("", w["text"])) for w in words)
            cid = sum(len(_CID.findall(w["text"])) for w in words)
            layers.append("ok" if text_chars >= settings.min_chars_for_text and cid <= text_chars else "none")
            if layers[-1] == "none" and ocr.available():  # a scan: OCR the page instead (govreport[ocr])
                (scanned,) = ocr.ocr_pages(path, [number])
                confidences.update(ocr.render_page_text(scanned, out))
                layers[-1] = "ocr"
                out.write("\n")
                continue
            blocks: List[Tuple[float, str, Any]] = []
            tables = [t for t in tables if len(t.rows) >= 1]
            outside = [w for w in words if not any(_inside(w, t.bbox) for t in tables)]
            for line in _lines_of_words(outside, settings.line_tolerance):
                blocks.append((line[0]["top"], "line", line))
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
                    _write_table(out, obj, number)
            out.write("\n")
    layer = "ok" if all(x == "ok" for x in layers) else ("none" if all(x != "ok" for x in layers) else "partial")
    doc = Document(text=out.text, format="pdf", pages=len(offsets), text_layer=layer,
                   page_offsets=offsets, spans=out.spans, page_layers=layers, reader_notes=issues,
                   ocr="ocr" in layers, span_confidence=confidences)
    return doc


def _write_table(out: TextWriter, table: Any, page: int) -> None:
    rows = table.extract()
    for row_obj, texts in zip(table.rows, rows):
        for i, (bbox, text) in enumerate(zip(row_obj.cells, texts)):
            if i:
                out.write("\t")
            if bbox is None:  # the continuation of a merged cell
                continue
            s = _cell_text(text)
            out.write(s, page, bbox) if s else out.write("", page, bbox)
        out.write("\n")
