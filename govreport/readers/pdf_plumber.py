"""The pdfplumber engine (pdfminer): ``--pdf-engine pdfplumber``, the reader govreport had first.

Words from ``extract_words``, ruled tables from ``find_tables`` (lines strategy), the cell texts from
``Table.extract``, all with the settings of :class:`govreport.readers.pdf.PdfSettings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

from ..errors import MissingDependencyError
from .pdf import PageModel, PageTable, PdfSettings, TableCell, cell_text, has_doubled_chars, unreadable


class Reader:
    """An open PDF; closing it never lets a damaged file fail a second time (pdfplumber's close walks the
    page tree again, and its error would replace the one-line error raised for it)."""

    def __init__(self, path: Path):
        try:
            import pdfplumber
        except ImportError:  # pragma: no cover - a core dependency
            raise MissingDependencyError("reading PDF needs pdfplumber", hint="pip install pdfplumber") from None
        self.path = path
        try:
            self.pdf = pdfplumber.open(path)
        except Exception as exc:  # pdfminer raises many kinds for broken files
            raise unreadable(path, exc) from None
        try:
            self._pages = list(self.pdf.pages)
        except Exception as exc:
            self.close()
            raise unreadable(path, exc) from None
        self.pages = len(self._pages)

    def close(self) -> None:
        try:
            self.pdf.close()
        except Exception:
            if not self.pdf.stream_is_external:
                self.pdf.stream.close()

    def ocr(self, number: int) -> Any:
        from . import ocr

        (scanned,) = ocr.ocr_pages(self.path, [number])
        return scanned

    def page(self, number: int, settings: PdfSettings) -> PageModel:
        page = self._pages[number - 1]
        try:
            if settings.dedupe_chars and has_doubled_chars(page.chars):
                page = page.dedupe_chars()
            words = page.extract_words(**settings.word_settings)
            edges = len(page.lines) + len(page.rects)
            found = page.find_tables(settings.table_settings) if edges >= settings.min_edges_for_tables else []
            tables = [_table(t) for t in found]
        finally:
            self._pages[number - 1].close()  # its cached objects: not needed again
        words = [{k: w[k] for k in ("text", "x0", "top", "x1", "bottom")} for w in words]
        return PageModel(words=words, tables=tables)


def _table(table: Any) -> PageTable:
    rows: List[List[Optional[TableCell]]] = []
    # pdfplumber extracts one row of texts per row, one text per cell: strict=False all the same (a
    # third-party library's shapes are not ours to assert)
    for row_obj, texts in zip(table.rows, table.extract(), strict=False):
        rows.append([None if bbox is None else TableCell(cell_text(text), tuple(bbox))
                     for bbox, text in zip(row_obj.cells, texts, strict=False)])
    return PageTable(bbox=tuple(table.bbox), rows=rows)
