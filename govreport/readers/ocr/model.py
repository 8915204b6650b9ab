"""What OCR gives: boxes, the fields of a line (grid cells or boxes), lines and pages; a page written as a
text page of :mod:`govreport.readers.pdf` (fields, TAB or space between them, a newline after each line)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from .. import Span, TextWriter

LOW_CONFIDENCE = 0.8  # cells read with less are worth a flag
NUMBER = re.compile(r"^[-+]?[0-9０-９][0-9０-９,，.．]*%?$")


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box: text, confidence (0..1) and box in PDF points (x0, top, x1, bottom)."""

    text: str
    confidence: float
    bbox: Tuple[float, float, float, float]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class OcrCell:
    """A field of a line: a grid cell, or one box. ``confidence`` is None for an empty cell without ink."""

    text: str
    confidence: Optional[float]
    bbox: Tuple[float, float, float, float]
    boxes: List[OcrBox] = field(default_factory=list)


@dataclass
class OcrLine:
    """One line of the page in reading order. ``cells`` is None for the continuation of a merged cell."""

    cells: List[Optional[OcrCell]]
    kind: str  # "text" (fields joined by a space) | "table" (ruled grid row) | "columns" (unruled, TAB)
    top: float

    @property
    def separator(self) -> str:
        return " " if self.kind == "text" else "\t"


@dataclass
class OcrPage:
    number: int  # 1-based page number in the PDF
    width: float  # page size in PDF points
    height: float
    lines: List[OcrLine]
    boxes: List[OcrBox]  # every recognised box (for inspection)
    tables: int = 0  # ruled tables found
    seconds: float = 0.0  # render + OCR time of this page
    skew: float = 0.0  # the page's tilt in degrees (counter-clockwise), undone before reading it

    @property
    def text(self) -> str:
        return page_text(self)[0]


def render_page_text(page: OcrPage, writer: TextWriter) -> Dict[int, float]:
    """Write the page's lines to a :class:`~govreport.readers.TextWriter`, exactly
    like a text page: fields, a newline after each line. Returns {span start: confidence} for every span
    written with a confidence (absolute offsets, as the spans)."""
    confidences: Dict[int, float] = {}
    for line in page.lines:
        for i, cell in enumerate(line.cells):
            if i:
                writer.write(line.separator)
            if cell is None:  # the continuation of a merged cell
                continue
            start = writer.length
            writer.write(cell.text, page.number, cell.bbox)
            if cell.confidence is not None:
                confidences[start] = cell.confidence
        writer.write("\n")
    return confidences


def page_text(page: OcrPage) -> Tuple[str, List[Span], Dict[int, float]]:
    """The page as (text, spans, {span start: confidence}), offsets from the start of the page's text."""
    out = TextWriter()
    confidences = render_page_text(page, out)
    return out.text, out.spans, confidences


def is_number(text: str) -> bool:
    return bool(NUMBER.match(text.replace(" ", "")))
