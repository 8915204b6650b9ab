"""The layout model: a document is a list of blocks; a table is a grid of cells with spans.

Nothing here knows a file format. ``draw.py`` builds a :class:`Document` from a seed; every renderer
(``render_pdf``, ``render_text``, ``render_html``, ``render_docx``) renders the same model as a real
publisher's tool would, without looking at what the parser expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union


@dataclass
class Cell:
    """One printed cell at grid position (row, col) covering rowspan x colspan grid positions.

    ``lines`` are the hard line breaks the author typed in the cell (a Word cell's paragraphs); renderers
    may wrap each further to the column width. ``vertical``: the author typed one character per line (or
    the renderer stacks characters). ``kind``: "label", "header", "caption", "value" (a table value) or
    "note".
    """

    row: int
    col: int
    lines: List[str]
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"
    align: str = "center"  # "left" | "center" | "right"
    shaded: bool = False
    bold: bool = False

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class Table:
    """A ruled table. ``widths`` are relative column widths (they sum to anything; renderers scale).

    ``header_rows``: the first rows are the header, repeated after a page break when ``repeat_header``.
    ``breaks``: grid row indices before which the table continues on a new page (empty: fits one page).
    ``name``: "t2", "t2:<block>", "t3", "t4" (for the variant only; renderers do not use it).
    """

    n_rows: int
    n_cols: int
    widths: List[float]
    cells: List[Cell]
    header_rows: int = 0
    repeat_header: bool = False
    breaks: List[int] = field(default_factory=list)
    name: str = ""
    font_size: float = 9.0

    def at(self, row: int, col: int) -> Optional[Cell]:
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        return None

    def starting_in(self, row: int) -> List[Cell]:
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)


@dataclass
class Para:
    text: str
    kind: str = "body"  # "title" | "heading" | "subheading" | "body" | "caption" | "sign"
    align: str = "left"


@dataclass
class PageBreak:
    landscape: bool = False  # orientation of the page that starts here


Block = Union[Para, Table, PageBreak]


@dataclass
class Document:
    """A whole report: blocks in reading order, page furniture, the truth and the variant."""

    blocks: List[Block]
    truth: Dict[str, Any]
    variant: Dict[str, Any]
    running_header: Optional[str] = None
    page_numbers: str = "none"  # "none" | "dash" (- 4 -) | "of" (第 5 页 共 6 页) | "plain" (4) | "slash" (4/6)
    landscape_first: bool = False
    body_font_size: float = 12.0
    seed: int = 0

    def tables(self) -> List[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def page_number_text(style: str, n: int, total: int) -> Optional[str]:
    if style == "dash":
        return "- %d -" % n
    if style == "dash_tight":
        return "-%d-" % n
    if style == "of":
        return "第 %d 页 共 %d 页" % (n, total)
    if style == "plain":
        return str(n)
    if style == "slash":
        return "%d/%d" % (n, total)
    return None
