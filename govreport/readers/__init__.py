"""Readers turn an input file into a :class:`Document`: text with line structure (and, for PDFs, pages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


# In a document's text a table row is one line with its cells separated by tabs; a grid position that a
# merged cell covers (colspan, rowspan, gridSpan, vMerge) holds this character instead of a field of its
# own, so that it is never taken for a cell printed empty.
COVERED = "\u2063"


@dataclass(frozen=True)
class Span:
    """Where a piece of ``Document.text`` was printed: page (1-based) and box (x0, top, x1, bottom)."""

    start: int
    end: int
    page: int
    bbox: Tuple[float, ...]


class TextWriter:
    """Builds a document's text piece by piece, recording the page and box of each piece that has one."""

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.length = 0
        self.spans: List[Span] = []

    def write(self, s: str, page: Optional[int] = None, bbox: Optional[Tuple[float, ...]] = None) -> None:
        if page is not None:
            if bbox is None:
                raise ValueError("a span needs the box it was printed in")
            self.spans.append(Span(self.length, self.length + len(s), page, tuple(round(x, 2) for x in bbox)))
        self.parts.append(s)
        self.length += len(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Document:
    text: str
    format: str  # txt | md | pdf | docx | html | doc
    encoding: Optional[str] = None
    pages: Optional[int] = None
    text_layer: str = "ok"
    ocr: bool = False
    page_offsets: List[int] = field(default_factory=list)  # start offset of each page in ``text``
    spans: List[Span] = field(default_factory=list)  # provenance of words and table cells, sorted by start
    page_layers: List[str] = field(default_factory=list)  # text layer per page: ok | none | ocr
    reader_notes: List[str] = field(default_factory=list)
    # OCR'd pages: span start -> recognition confidence (0..1) of the word or table cell written there
    span_confidence: Dict[int, float] = field(default_factory=dict)
    # the table cells are explicit (HTML, DOCX): an empty cell was printed empty (blank), not lost
    empty_cells_blank: bool = False

    def locate(self, start: int, end: int) -> Optional[Span]:
        """The span a token at ``text[start:end]`` came from (an empty cell: the span starting there)."""
        import bisect

        cached = self.__dict__.get("_span_starts")  # (spans, count, starts): built once, not per token
        if cached is None or cached[0] is not self.spans or cached[1] != len(self.spans):
            cached = self.__dict__["_span_starts"] = (self.spans, len(self.spans), [s.start for s in self.spans])
        i = bisect.bisect_right(cached[2], start) - 1
        for j in (i, i + 1):
            if 0 <= j < len(self.spans):
                s = self.spans[j]
                if s.start <= start < s.end or (start == end == s.start):
                    return s
        return None

    def page_of(self, offset: int) -> Optional[int]:
        import bisect

        if not self.page_offsets:
            return None
        return bisect.bisect_right(self.page_offsets, offset)
