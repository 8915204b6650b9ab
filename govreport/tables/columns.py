"""Cells placed by their horizontal position in text that keeps the page's layout (``pdftotext -layout``).

Such text drops a cell printed empty but keeps where the others stand: every number sits under its
column. The columns are measured on the table's own complete rows (one number per cell, all on one line):
the character offsets of their numbers agree from row to row of one page (``-layout`` counts every
character, CJK included, as one position; another page may be laid out at another scale, so complete rows
are grouped by the columns they show). A row that prints fewer numbers is read by position when each of
its numbers lies clearly under one column, in order, and every group of complete rows that can place it
places it the same way; the other cells were printed empty. Text whose numbers do not line up
(``pdftotext -raw``, crawler dumps) is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from typing import List, Optional, Sequence, Tuple

from ..template import ColumnDef
from .tokens import Token

MAX_SPREAD = 1.5  # positions a column may wander between the complete rows of one group
MAX_OFFSET = 0.35  # a number belongs to a column when it is within this share of the column spacing
MAX_OFFSET_HEADER = 0.45  # the same, for columns measured on the header (labels centred less exactly)


def display_width(s: str) -> int:
    """Columns ``s`` takes on a page of layout-keeping text (a wide CJK character two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


_width = display_width


def _centre(text: str, tok: Token) -> float:
    line_start = text.rfind("\n", 0, tok.start) + 1
    return tok.start - line_start + len(tok.raw) / 2


def _one_line(text: str, tokens: Sequence[Token]) -> bool:
    if not tokens:
        return False
    line_start = text.rfind("\n", 0, tokens[0].start) + 1
    return "\n" not in text[tokens[0].start:tokens[-1].end] and "\t" not in text[line_start:tokens[-1].end]


def measure(text: str, rows: Sequence[Sequence[Token]], n: int) -> List[List[float]]:
    """Column centres of the table's complete rows, one list per group of rows that line up."""
    groups: List[Tuple[List[float], int]] = []  # (centres, rows in the group)
    for r in rows:
        if len(r) != n or not all(t.kind in ("num", "placeholder") for t in r) or not _one_line(text, r):
            continue
        if any(len(text[a.end:b.start]) < 2 for a, b in pairwise(r)):
            continue  # numbers one space apart: no layout kept
        xs = [_centre(text, t) for t in r]
        for i, (cs, k) in enumerate(groups):
            if all(abs(a - b) <= MAX_SPREAD for a, b in zip(cs, xs, strict=True)):
                groups[i] = ([(a * k + b) / (k + 1) for a, b in zip(cs, xs, strict=True)], k + 1)
                break
        else:
            groups.append((xs, 1))
    return [cs for cs, _ in groups]


def from_header(text: str, start: int, end: int, columns: Sequence[ColumnDef]) -> Optional[List[float]]:
    """Column centres from the header printed above the rows (``text[start:end]``): each column's label or
    a piece of it (``自然`` / ``人`` wrapped in a narrow column) standing alone, left to right; None unless
    every column is found once, in order."""
    pieces = [{p for form in col.forms for p in form.split()} | {col.label} for col in columns]
    shared = {p for i, a in enumerate(pieces) for b in pieces[i + 1:] for p in a & b}  # 机构 of two columns
    pieces = [ps - shared for ps in pieces]
    found: List[List[float]] = [[] for _ in columns]
    pos = start
    while pos < end:
        e = text.find("\n", pos, end)
        e = end if e < 0 else e
        for m in re.finditer(r"\S+", text[pos:e]):
            for j, ps in enumerate(pieces):
                if m.group() in ps:  # a CJK character is one position of text but two of the page
                    found[j].append(m.start() + _width(m.group()) / 2)
        pos = e + 1
    centres = []
    for xs in found:
        if not xs or max(xs) - min(xs) > 2 * MAX_SPREAD:
            return None
        centres.append(sum(xs) / len(xs))
    if any(b - a < 2 for a, b in pairwise(centres)):
        return None
    return centres


def _place_on(xs: Sequence[float], centres: Sequence[float], tolerance: float) -> Optional[Tuple[int, ...]]:
    where = []
    last = -1
    for x in xs:
        j = min(range(len(centres)), key=lambda k: abs(centres[k] - x))
        spacing = min(abs(centres[j] - centres[k]) for k in (j - 1, j + 1) if 0 <= k < len(centres))
        if abs(centres[j] - x) > tolerance * spacing or j <= last:
            return None
        where.append(j)
        last = j
    return tuple(where)


def place(text: str, tokens: Sequence[Token], groups: Sequence[Sequence[float]],
          header: bool = False) -> Optional[List[Token]]:
    """The row's cells by position, the cells under which nothing is printed blank; or None when no group
    of complete rows places every token clearly, or two groups place them differently."""
    if not groups or not tokens or len(tokens) >= len(groups[0]) or not _one_line(text, tokens):
        return None
    if not text[:tokens[0].start].endswith("  ") or any(len(text[a.end:b.start]) < 2 for a, b in pairwise(tokens)):
        return None  # numbers one space from the label or from each other: no layout kept
    xs = [_centre(text, t) for t in tokens]
    tolerance = MAX_OFFSET_HEADER if header else MAX_OFFSET
    placements = {p for p in (_place_on(xs, cs, tolerance) for cs in groups) if p is not None}
    if len(placements) != 1:
        return None
    where = dict(zip(placements.pop(), tokens, strict=True))
    pos = tokens[-1].end
    return [where[j] if j in where else Token("", pos, pos, "blank") for j in range(len(groups[0]))]
