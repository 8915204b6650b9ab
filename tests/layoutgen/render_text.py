"""Text as poppler's ``pdftotext -layout`` and ``pdftotext -raw`` leave it, simulated from the page geometry.

No poppler needed, and the same on every machine: the input is the list of text items that
``render_pdf`` draws (``geometry.paginate``).

* ``-layout``: items whose baselines lie within a third of the font size form one output line, top to
  bottom; within a line, items go left to right, each starting at the column its x gives
  (``x / COLUMN_PT``), at least one space after the previous item. A CJK character takes one column though
  it is two wide, so long label lines push later items right, as poppler's do. A tall vertical gap gives a
  blank line. Each page ends with a form feed.
* ``-raw``: items in content-stream order (the order they were drawn: row by row, cell by cell, a merged
  cell where it starts), a new line whenever the baseline changes or x goes back; form feeds between pages.
"""

from __future__ import annotations

from typing import List

from .geometry import Page, Text, paginate, text_width
from .model import Document

COLUMN_PT = 4.6


def _texts(page: Page) -> List[Text]:
    return [i for i in page.items if isinstance(i, Text) and i.text.strip()]


def layout_page(page: Page, tabs: bool = False) -> str:
    items = sorted(_texts(page), key=lambda t: (t.baseline, t.x))
    lines: List[List[Text]] = []
    for t in items:
        if lines and abs(t.baseline - lines[-1][0].baseline) <= t.size / 3:
            lines[-1].append(t)
        else:
            lines.append([t])
    out: List[str] = []
    prev_base = None
    for line in lines:
        base = line[0].baseline
        if prev_base is not None and base - prev_base > 2.6 * line[0].size:
            out.append("")
        prev_base = base
        s = ""
        last_end = None
        for t in sorted(line, key=lambda t: t.x):
            col = int(round(t.x / COLUMN_PT))
            if tabs and s:  # an extractor that separates the pieces of a line by one tab, not by columns
                s += "\t" + t.text
                continue
            if s:
                gap = t.x - last_end if last_end is not None else 99
                if len(s) < col:
                    s += " " * (col - len(s))
                elif gap > 0.15 * t.size:
                    s += " "
            else:
                s = " " * col
            s += t.text
            last_end = t.x + text_width(t.text, t.size)
        out.append(s.rstrip())
    # poppler strips the common left margin of a page's text
    indent = min((len(x) - len(x.lstrip()) for x in out if x.strip()), default=0)
    return "\n".join(x[indent:] for x in out) + "\n"


def raw_page(page: Page) -> str:
    s = ""
    prev = None
    for t in _texts(page):
        if prev is not None:
            same = abs(t.baseline - prev.baseline) <= t.size / 3 and t.x >= prev.x
            if same:
                gap = t.x - (prev.x + text_width(prev.text, prev.size))
                s += " " if gap > 0.15 * t.size else ""
            else:
                s += "\n"
        s += t.text
        prev = t
    return s + "\n"


def render_layout(doc: Document) -> str:
    import random
    tabs = random.Random("%d:layout_tabs" % doc.seed).random() < 0.12
    doc.variant["layout_tabs"] = tabs
    return "\f".join(layout_page(p, tabs) for p in paginate(doc)) + "\f"


def render_raw(doc: Document) -> str:
    return "\f".join(raw_page(p) for p in paginate(doc)) + "\f"
