"""PDF: the pages of ``geometry.paginate`` drawn with reportlab (ruled tables, merged cells, shading).

The font is reportlab's built-in STSong-Light CID font (no font file, not embedded), so the bytes do not
depend on the fonts of the machine. Page furniture (running header, page number) is drawn like any text.
"""

from __future__ import annotations

import io

from .geometry import Fill, Rule, Text, paginate
from .model import Document

FONT = "STSong-Light"


def render_pdf(doc: Document) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    try:
        pdfmetrics.getFont(FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1)
    c.setTitle("".join(str(doc.truth["report"]["issuer"])) + "政府信息公开工作年度报告")
    c.setCreator("layoutgen")
    for page in paginate(doc):
        c.setPageSize((page.width, page.height))
        h = page.height
        c.setLineWidth(0.6)
        for item in page.items:
            if isinstance(item, Fill):
                c.setFillGray(0.85)
                c.rect(item.x, h - item.y - item.h, item.w, item.h, stroke=0, fill=1)
                c.setFillGray(0)
            elif isinstance(item, Rule):
                c.line(item.x0, h - item.y0, item.x1, h - item.y1)
            elif isinstance(item, Text):
                c.setFont(FONT, item.size)
                c.drawString(item.x, h - item.baseline, item.text)
        c.showPage()
    c.save()
    return buf.getvalue()
