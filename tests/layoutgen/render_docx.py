"""DOCX written with python-docx: paragraphs, ruled tables with merged cells, landscape sections.

A cell's hard line breaks are separate paragraphs (as Word stores ``商业/企业``); header rows are marked
to repeat (``w:tblHeader``) when the model says so; a landscape page is a new section; the running header
goes into the section header. Core properties carry fixed dates.
"""

from __future__ import annotations

import datetime as _dt
import io

from .model import Document, PageBreak, Para, Table


def render_docx(doc: Document) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.created = _dt.datetime(2024, 1, 1)
    d.core_properties.modified = _dt.datetime(2024, 1, 1)
    d.core_properties.author = "layoutgen"
    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

    def header(section) -> None:
        if doc.running_header:
            section.header.is_linked_to_previous = False
            section.header.paragraphs[0].text = doc.running_header

    header(d.sections[0])
    pending_break = False
    for b in doc.blocks:
        if isinstance(b, PageBreak):
            if b.landscape != (d.sections[-1].orientation == WD_ORIENT.LANDSCAPE):
                s = d.add_section(WD_SECTION.NEW_PAGE)
                s.orientation = WD_ORIENT.LANDSCAPE if b.landscape else WD_ORIENT.PORTRAIT
                s.page_width, s.page_height = s.page_height, s.page_width
                header(s)
            else:
                pending_break = True
        elif isinstance(b, Para):
            for line in b.text.split("\n"):
                p = d.add_paragraph()
                if pending_break:
                    p.add_run().add_break(WD_BREAK.PAGE)
                    pending_break = False
                run = p.add_run(line)
                p.alignment = align.get(b.align, WD_ALIGN_PARAGRAPH.LEFT)
                if b.kind == "title":
                    run.font.size = Pt(18)
                    run.bold = True
                elif b.kind in ("heading", "subheading"):
                    run.bold = True
                elif b.kind == "body":
                    p.paragraph_format.first_line_indent = Pt(24)
        elif isinstance(b, Table):
            t = d.add_table(rows=b.n_rows, cols=b.n_cols)
            t.style = "Table Grid"
            grid = [list(row.cells) for row in t.rows]  # before merging: python-docx's t.cell() is slow
            for c in b.cells:
                cell = grid[c.row][c.col]
                if c.rowspan > 1 or c.colspan > 1:
                    cell = cell.merge(grid[c.row + c.rowspan - 1][c.col + c.colspan - 1])
                paras = cell.paragraphs
                for extra in paras[1:]:
                    extra._element.getparent().remove(extra._element)
                lines = c.lines or [""]
                first = True
                for line in lines:
                    p = cell.paragraphs[0] if first else cell.add_paragraph()
                    first = False
                    if line:
                        p.add_run(line)
                    p.alignment = align.get(c.align, WD_ALIGN_PARAGRAPH.CENTER)
                if c.shaded:
                    tc_pr = cell._element.get_or_add_tcPr()
                    shd = OxmlElement("w:shd")
                    shd.set(qn("w:val"), "clear")
                    shd.set(qn("w:fill"), "D9D9D9")
                    tc_pr.append(shd)
            if b.repeat_header:
                for r in range(b.header_rows):
                    tr_pr = t.rows[r]._tr.get_or_add_trPr()
                    el = OxmlElement("w:tblHeader")
                    el.set(qn("w:val"), "true")
                    tr_pr.append(el)
            d.add_paragraph()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
