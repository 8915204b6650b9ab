"""A generator of invented 政府信息公开工作年度报告 that spans the layout space, with exact truth.

``draw(seed)`` builds a layout model (``model.Document``: blocks; tables as grids of cells with spans)
from random choices; one renderer per format renders that model as the real tool would:

* ``render_pdf``  — PDF via reportlab (ruled tables, merged cells), pages from ``geometry.paginate``;
* ``render_text`` — the text ``pdftotext -layout`` / ``pdftotext -raw`` would print for that PDF,
  simulated from the same page geometry (no poppler, machine-independent);
* ``render_html`` — a LibreOffice-style web page (rowspan/colspan), optionally inside portal chrome;
* ``render_docx`` — python-docx, merged cells.

``make(seed, fmt)`` returns ``(file name, bytes, document)``; ``document.truth`` is the gold record
(corpus gold format) and ``document.variant`` names every layout choice.
"""

from __future__ import annotations

from typing import Tuple

from .draw import draw
from .model import Document

FORMATS = ("pdf", "layout", "raw", "html", "docx")
SUFFIX = {"pdf": ".pdf", "layout": ".txt", "raw": ".txt", "html": ".html", "docx": ".docx"}


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        from .render_pdf import render_pdf
        return render_pdf(doc)
    if fmt in ("layout", "raw"):
        from .render_text import render_layout, render_raw
        text = render_layout(doc) if fmt == "layout" else render_raw(doc)
        enc = doc.variant.setdefault("text_encoding", "utf-8" if doc.seed % 4 else "gb18030")
        if doc.seed % 5 == 0:
            text = text.replace("\n", "\r\n")
            doc.variant["text_crlf"] = True
        return text.encode(enc, errors="replace")
    if fmt == "html":
        from .render_html import html_bytes
        return html_bytes(doc)
    if fmt == "docx":
        from .render_docx import render_docx
        return render_docx(doc)
    raise ValueError("unknown format %r" % fmt)


def make(seed: int, fmt: str) -> Tuple[str, bytes, Document]:
    doc = draw(seed)
    data = render(doc, fmt)
    doc.variant["format"] = fmt
    doc.truth["file"] = "layout-%d-%s%s" % (seed, fmt, SUFFIX[fmt])
    doc.truth["variant"] = doc.variant
    return doc.truth["file"], data, doc
