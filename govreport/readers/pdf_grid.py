"""Ruled grids from ruling lines: edges -> cells -> tables, with pdfplumber's "lines" semantics.

An edge is a horizontal or vertical segment ``(orientation, x0, top, x1, bottom)`` in page points
(top-left origin). The steps are those of pdfplumber's table finder, so that the PDFium engine finds the
same cells as the pdfplumber engine: drop edges shorter than 1 pt; snap edges lying within
``snap`` of each other onto their mean position; join collinear edges whose gap is at most ``join``;
drop edges shorter than ``min_length``; the intersections (within ``tolerance``); at each intersection
the smallest cell whose four sides are drawn; cells sharing a corner form one table (a table has at
least two cells); a table's rows are its cells grouped by top, one column per distinct left edge (a
merged cell leaves ``None`` in the columns it covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

Edge = Tuple[str, float, float, float, float]  # (orientation "h" | "v", x0, top, x1, bottom)
Box = Tuple[float, float, float, float]  # (x0, top, x1, bottom)


@dataclass
class Grid:
    """One ruled table: its cells (boxes) row by row, ``None`` where a merged cell continues."""

    bbox: Box
    rows: List[List[Optional[Box]]]


def _clusters(values: Iterable[float], tolerance: float) -> Dict[float, int]:
    """Distinct values, sorted, chained into clusters where neighbours differ by at most ``tolerance``:
    value -> cluster index."""
    out: Dict[float, int] = {}
    last: Optional[float] = None
    index = -1
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            index += 1
        out[v] = index
        last = v
    return out


def _snap(edges: List[Edge], tolerance: float) -> List[Edge]:
    """Edges of one orientation moved onto the mean position of their cluster."""
    if not edges:
        return []
    vertical = edges[0][0] == "v"
    pos = (lambda e: e[1]) if vertical else (lambda e: e[2])
    cluster = _clusters((pos(e) for e in edges), tolerance)
    groups: Dict[int, List[Edge]] = {}
    for e in edges:
        groups.setdefault(cluster[pos(e)], []).append(e)
    out: List[Edge] = []
    for k in sorted(groups):
        group = groups[k]
        mean = sum(pos(e) for e in group) / len(group)
        for e in group:
            out.append(("v", mean, e[2], mean, e[4]) if vertical else ("h", e[1], mean, e[3], mean))
    return out


def _join(edges: List[Edge], tolerance: float) -> List[Edge]:
    """Collinear edges (same orientation and position) joined where they touch or nearly do."""
    lines: Dict[Tuple[str, float], List[Edge]] = {}
    for e in edges:
        lines.setdefault((e[0], e[1] if e[0] == "v" else e[2]), []).append(e)
    out: List[Edge] = []
    for key in sorted(lines):
        vertical = key[0] == "v"
        lo, hi = (2, 4) if vertical else (1, 3)
        joined: List[list] = []
        for e in sorted(lines[key], key=lambda e: e[lo]):
            if joined and e[lo] <= joined[-1][hi] + tolerance:
                if e[hi] > joined[-1][hi]:
                    joined[-1][hi] = e[hi]
            else:
                joined.append(list(e))
        out.extend(tuple(j) for j in joined)
    return out


def _length(e: Edge) -> float:
    return e[4] - e[2] if e[0] == "v" else e[3] - e[1]


def merge(edges: Iterable[Edge], snap: float = 3, join: float = 3, min_length: float = 3,
          prefilter: float = 1) -> List[Edge]:
    """The ruling lines after snapping and joining, as pdfplumber's ``merge_edges`` makes them."""
    kept = [e for e in edges if _length(e) >= prefilter]
    v = _snap([e for e in kept if e[0] == "v"], snap)
    h = _snap([e for e in kept if e[0] == "h"], snap)
    return [e for e in _join(v + h, join) if _length(e) >= min_length]


def _cells(edges: Sequence[Edge], tolerance: float) -> List[Box]:
    vs = sorted((e for e in edges if e[0] == "v"), key=lambda e: (e[1], e[2]))
    hs = sorted((e for e in edges if e[0] == "h"), key=lambda e: (e[2], e[1]))
    meets: Dict[Tuple[float, float], Tuple[Set[Edge], Set[Edge]]] = {}
    for v in vs:
        x = v[1]
        for h in hs:
            y = h[2]
            if v[2] <= y + tolerance and v[4] >= y - tolerance and h[1] - tolerance <= x <= h[3] + tolerance:
                pair = meets.setdefault((x, y), (set(), set()))
                pair[0].add(v)
                pair[1].add(h)
    points = sorted(meets)
    below: Dict[float, List[Tuple[float, float]]] = {}
    right: Dict[float, List[Tuple[float, float]]] = {}
    for p in points:  # sorted: each list runs downwards / rightwards
        below.setdefault(p[0], []).append(p)
        right.setdefault(p[1], []).append(p)

    def v_link(a: Tuple[float, float], b: Tuple[float, float]) -> bool:
        return not meets[a][0].isdisjoint(meets[b][0])

    def h_link(a: Tuple[float, float], b: Tuple[float, float]) -> bool:
        return not meets[a][1].isdisjoint(meets[b][1])

    cells: List[Box] = []
    for p in points:
        found = None
        for b in below[p[0]]:
            if b[1] <= p[1] or not v_link(p, b):
                continue
            for r in right[p[1]]:
                if r[0] <= p[0] or not h_link(p, r):
                    continue
                corner = (r[0], b[1])
                if corner in meets and v_link(corner, r) and h_link(corner, b):
                    found = (p[0], p[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _tables(cells: List[Box]) -> List[List[Box]]:
    """Cells grouped into tables: those sharing a corner, transitively (the connected groups that
    pdfplumber's passes collect), each in the cells' own order, tables top to bottom."""
    at: Dict[Tuple[float, float], List[int]] = {}  # corner -> the cells that have it
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            at.setdefault(corner, []).append(i)
    group = [-1] * len(cells)
    tables: List[List[Box]] = []
    for first in range(len(cells)):
        if group[first] >= 0:
            continue
        group[first] = len(tables)
        members, todo = [first], [first]
        while todo:
            x0, top, x1, bottom = cells[todo.pop()]
            for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
                for j in at[corner]:
                    if group[j] < 0:
                        group[j] = len(tables)
                        members.append(j)
                        todo.append(j)
        tables.append([cells[j] for j in sorted(members)])
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _rows(cells: List[Box]) -> List[List[Optional[Box]]]:
    xs = sorted({c[0] for c in cells})
    by_top: Dict[float, Dict[float, Box]] = {}
    for c in sorted(cells, key=lambda c: (c[1], c[0])):
        by_top.setdefault(c[1], {})[c[0]] = c
    return [[row.get(x) for x in xs] for _, row in sorted(by_top.items())]


def find_grids(edges: Iterable[Edge], snap: float = 3, join: float = 3, tolerance: float = 3,
               min_length: float = 3) -> List[Grid]:
    """The ruled tables that the edges draw, top to bottom."""
    merged = merge(edges, snap, join, min_length)
    grids = []
    for cells in _tables(_cells(merged, tolerance)):
        bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
                max(c[3] for c in cells))
        grids.append(Grid(bbox, _rows(cells)))
    return grids
