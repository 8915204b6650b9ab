"""Page geometry: a Document laid out on pages as a word processor would, for the PDF and its text.

``paginate(doc)`` returns pages, each with its items in content-stream order: ``Text`` (one line of one
cell or paragraph, its left x and its baseline measured from the page top, in points), ``Rule`` (a table
line) and ``Fill`` (a shaded cell). ``render_pdf`` draws exactly these items; ``render_text`` turns them
into what ``pdftotext -layout`` and ``pdftotext -raw`` print. Widths are those of reportlab's built-in
STSong-Light font (copied below, so that the text renderers need no reportlab): CJK and full-width forms
one em, ASCII proportional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

from .model import Cell, Document, PageBreak, Para, Table, page_number_text

A4 = (595.0, 842.0)
MARGIN_X = 60.0
MARGIN_TOP = 64.0
MARGIN_BOTTOM = 64.0
PAD = 2.5

# STSong-Light advance widths of the ASCII range, in 1/1000 em (reportlab 's built-in metrics)
_ASCII = {' ': 207, '!': 270, '"': 342, '#': 467, '$': 462, '%': 797, '&': 710, "'": 239, '(': 374, ')': 374,
          '*': 423, '+': 605, ',': 238, '-': 375, '.': 238, '/': 334, ':': 238, ';': 238, '<': 605, '=': 605,
          '>': 605, '?': 344, '@': 748, '[': 374, '\\': 333, ']': 374, '^': 606, '_': 500, '`': 239,
          '{': 370, '|': 258, '}': 370, '~': 605}
_ASCII.update({str(i): 462 for i in range(10)})


def char_width(ch: str, size: float) -> float:
    if ch in _ASCII:
        return _ASCII[ch] * size / 1000.0
    if ord(ch) < 128:
        return 0.5 * size
    if ch == "−":
        return 0.6 * size
    return size


def text_width(text: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in text)


# characters that STSong-Light (Adobe-GB1) cannot show, as a GB-font PDF export prints them
PDF_GLYPH = str.maketrans({"\u2212": "\uff0d"})  # MINUS SIGN -> FULLWIDTH HYPHEN-MINUS


@dataclass
class Text:
    x: float
    baseline: float  # from the page top
    text: str
    size: float

    def __post_init__(self) -> None:
        self.text = self.text.translate(PDF_GLYPH)


@dataclass
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Fill:
    x: float
    y: float
    w: float
    h: float


Item = Union[Text, Rule, Fill]


@dataclass
class Page:
    width: float
    height: float
    items: List[Item] = field(default_factory=list)


NO_LINE_START = set("）)，,。.、：:；;”’")  # kinsoku: these stay at the end of the line (it may overflow)


def wrap(text: str, width: float, size: float) -> List[str]:
    """Greedy line breaking at any character (CJK), preferring a space; ASCII runs (numbers) kept whole."""
    if not text:
        return []
    lines: List[str] = []
    cur = ""
    i = 0
    tokens: List[str] = []
    while i < len(text):  # tokens: a run of ASCII letters/digits (not split) or one character
        j = i
        while j < len(text) and ((text[j].isascii() and (text[j].isalnum() or text[j] in ",.")) or
                                 text[j] in "０１２３４５６７８９，．"):
            j += 1
        if j > i:
            tokens.append(text[i:j])
            i = j
        else:
            tokens.append(text[i])
            i += 1
    for tok in tokens:
        if cur and text_width(cur + tok, size) > width and not (tok in NO_LINE_START and len(cur) > 1):
            if tok == " ":
                lines.append(cur)
                cur = ""
                continue
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return [ln for ln in lines if ln != ""] or [text]


class Flow:
    def __init__(self, doc: Document):
        self.doc = doc
        self.pages: List[Page] = []
        self.landscape = doc.landscape_first
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self, landscape: Optional[bool] = None) -> None:
        if landscape is not None:
            self.landscape = landscape
        w, h = (A4[1], A4[0]) if self.landscape else A4
        self.pages.append(Page(w, h))
        self.y = MARGIN_TOP

    @property
    def bottom(self) -> float:
        return self.page.height - MARGIN_BOTTOM

    @property
    def content_width(self) -> float:
        return self.page.width - 2 * MARGIN_X

    def para(self, p: Para) -> None:
        size = {"title": 18.0, "heading": self.doc.body_font_size + 1, "subheading": self.doc.body_font_size,
                "caption": self.doc.body_font_size}.get(p.kind, self.doc.body_font_size)
        lead = size * 1.6
        if p.kind == "heading":
            self.y += size * 0.4
        for raw in p.text.split("\n"):
            indent = 2 * size if p.kind == "body" else 0.0
            if not raw:
                self.y += lead
                continue
            lines = wrap(raw, self.content_width - indent, size)
            for k, line in enumerate(lines):
                if self.y + lead > self.bottom:
                    self.new_page()
                w = text_width(line, size)
                if p.align == "center":
                    x = MARGIN_X + (self.content_width - w) / 2
                elif p.align == "right":
                    x = MARGIN_X + self.content_width - w - size
                else:
                    x = MARGIN_X + (indent if k == 0 else 0.0)
                self.page.items.append(Text(x, self.y + size * 0.88 + (lead - size) / 2, line, size))
                self.y += lead
        if p.kind == "title":
            self.y += size * 0.6

    # -----------------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        size = t.font_size
        lead = size * 1.3
        total_w = self.content_width
        scale = total_w / sum(t.widths)
        xs = [MARGIN_X]
        for w in t.widths:
            xs.append(xs[-1] + w * scale)
        wrapped: Dict[int, List[str]] = {}
        for idx, c in enumerate(t.cells):
            inner = xs[c.col + c.colspan] - xs[c.col] - 2 * PAD
            lines: List[str] = []
            for raw in c.lines:  # a number is never broken (a value overflows rather than wraps)
                lines += (wrap(raw, inner, size) if c.kind != "value" else [raw]) if raw else [""]
            wrapped[idx] = lines
        heights = [lead + 2 * PAD] * t.n_rows
        for idx, c in enumerate(t.cells):
            if c.rowspan == 1:
                heights[c.row] = max(heights[c.row], len(wrapped[idx]) * lead + 2 * PAD)
        for idx, c in enumerate(t.cells):
            if c.rowspan > 1:
                need = len(wrapped[idx]) * lead + 2 * PAD
                have = sum(heights[c.row:c.row + c.rowspan])
                if need > have:
                    extra = (need - have) / c.rowspan
                    for r in range(c.row, c.row + c.rowspan):
                        heights[r] += extra
        # paginate: row r goes on the current page if it fits (a row is never split)
        placements: List[Tuple[int, int, float]] = []  # (page index, row, top)
        repeated: Dict[int, float] = {}  # page index -> top of the repeated header
        if self.y + sum(heights[:min(t.header_rows + 1, t.n_rows)]) > self.bottom:
            self.new_page()
        r = 0
        while r < t.n_rows:
            if self.y + heights[r] > self.bottom and r > 0:
                self.new_page()
                t.breaks.append(r)
                if t.repeat_header and r >= t.header_rows:
                    repeated[len(self.pages) - 1] = self.y
                    self.y += sum(heights[:t.header_rows])
            placements.append((len(self.pages) - 1, r, self.y))
            self.y += heights[r]
            r += 1
        self.y += size
        pos = {row: (p, top) for p, row, top in placements}
        # draw row by row (content-stream order); a repeated header first on its page
        seen = set()
        for p, row, top in placements:
            if p in repeated and p not in seen:
                seen.add(p)
                for idx, c in enumerate(t.cells):
                    if c.row < t.header_rows:
                        rows = list(range(c.row, c.row + c.rowspan))
                        ctop = repeated[p] + sum(heights[:c.row])
                        self._draw_part(t, idx, c, p, ctop, rows, xs, heights, wrapped[idx], size, lead, {})
            self._draw_row(t, row, pos, xs, heights, wrapped, size, lead, p)

    def _draw_row(self, t, row, pos, xs, heights, wrapped, size, lead, page_idx) -> None:
        for idx, c in enumerate(t.cells):
            span = range(c.row, c.row + c.rowspan)
            # the part of the cell on page_idx starts at its first row on that page
            rows_here = [r for r in span if pos[r][0] == page_idx]
            if not rows_here or rows_here[0] != row:
                continue
            parts = []
            for r in span:
                pg = pos[r][0]
                if not parts or parts[-1][0] != pg:
                    parts.append((pg, [r]))
                else:
                    parts[-1][1].append(r)
            # the cell's lines go into its parts in order, each part taking what fits
            lines = list(wrapped[idx])
            chunks = []
            for k, (pg, rows) in enumerate(parts):
                cap = max(1, int((sum(heights[r] for r in rows) - 2 * PAD) // lead))
                if k == len(parts) - 1:
                    chunks.append(lines)
                else:
                    first_fit = lines[:cap] if len(parts) > 1 else lines
                    chunks.append(first_fit)
                    lines = lines[len(first_fit):]
            for (pg, rows), chunk in zip(parts, chunks):
                if pg == page_idx:
                    tops = {r: pos[r][1] for r in rows}
                    self._draw_part(t, idx, c, pg, tops[rows[0]], rows, xs, heights, chunk, size, lead, tops)

    def _draw_part(self, t, idx, c: Cell, pg, top, rows, xs, heights, lines, size, lead, tops) -> None:
        page = self.pages[pg]
        x0, x1 = xs[c.col], xs[c.col + c.colspan]
        h = sum(heights[r] for r in rows)
        if c.shaded:
            page.items.append(Fill(x0, top, x1 - x0, h))
        n = len(lines)
        y = top + (h - n * lead) / 2
        for line in lines:
            if line.strip():
                w = text_width(line, size)
                if c.align == "left":
                    x = x0 + PAD
                elif c.align == "right":
                    x = x1 - PAD - w
                else:
                    x = x0 + (x1 - x0 - w) / 2
                page.items.append(Text(x, y + size * 0.88 + (lead - size) / 2, line, size))
            y += lead
        page.items.extend([Rule(x0, top, x1, top), Rule(x0, top + h, x1, top + h),
                           Rule(x0, top, x0, top + h), Rule(x1, top, x1, top + h)])


def paginate(doc: Document) -> List[Page]:
    flow = Flow(doc)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            flow.new_page(block.landscape)
        elif isinstance(block, Para):
            flow.para(block)
        elif isinstance(block, Table):
            block.breaks = []
            flow.table(block)
    pages = flow.pages
    total = len(pages)
    doc.variant["pages"] = total
    doc.variant["tables_split"] = sorted(t.name for t in doc.tables() if t.breaks) or ["none"]
    for n, page in enumerate(pages, start=1):
        furniture: List[Item] = []
        if doc.running_header:
            size = 9.0
            w = text_width(doc.running_header, size)
            furniture.append(Text((page.width - w) / 2, MARGIN_TOP / 2, doc.running_header, size))
            furniture.append(Rule(MARGIN_X, MARGIN_TOP / 2 + 4, page.width - MARGIN_X, MARGIN_TOP / 2 + 4))
        label = page_number_text(doc.page_numbers, n, total)
        if label:
            size = 10.5
            w = text_width(label, size)
            furniture.append(Text((page.width - w) / 2, page.height - MARGIN_BOTTOM / 2, label, size))
        page.items = furniture[:2] + page.items + furniture[2:] if doc.running_header else page.items + furniture
    return pages
