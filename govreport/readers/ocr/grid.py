"""Ruled tables of a page image: horizontal and vertical rules (long runs of dark pixels) joined into grids,
and the merged cells of a grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .geometry import overlap, true_runs

RULE_CONTRAST = 48  # a rule pixel is this much darker (0..255) than the paper beside it


@dataclass
class Grid:
    xs: List[float]  # column rules (pixels)
    ys: List[float]  # row rules (pixels)
    # right[i][j]: a rule between atom (i, j) and (i, j + 1); down[i][j]: between (i, j) and (i + 1, j)
    right: List[List[bool]]
    down: List[List[bool]]


def _segments(ink: Any, min_len: int, max_thickness: int, gap: int = 0) -> List[Tuple[float, float, float]]:
    """Horizontal rule segments (y, x0, x1) of a boolean ink image: runs of ``min_len`` dark pixels (gaps
    of ``gap`` pixels bridged: where rules cross), merged over adjacent rows (a rule a few pixels thick is
    one segment)."""
    raw: List[Tuple[int, int, int]] = []
    for y in range(ink.shape[0]):
        row = ink[y]
        if row.sum() < min_len:
            continue
        for x0, x1 in true_runs(row, min_len, gap):
            raw.append((y, x0, x1))
    segments: List[List[float]] = []  # y0, y1, x0, x1
    open_: List[List[float]] = []
    for y, x0, x1 in raw:
        match = None
        for s in open_:
            if y - s[1] <= 1 and overlap(s[2], s[3], x0, x1) > 0.5 * min(s[3] - s[2], x1 - x0):
                match = s
                break
        if match is None:
            s = [y, y, x0, x1]
            segments.append(s)
            open_.append(s)
        else:
            match[1] = y
            match[2], match[3] = min(match[2], x0), max(match[3], x1)
        open_ = [s for s in open_ if y - s[1] <= 1]
    return [((s[0] + s[1]) / 2, s[2], s[3]) for s in segments if s[1] - s[0] + 1 <= max_thickness]


def _cluster(values: List[float], tolerance: float) -> List[float]:
    out: List[List[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _rule_masks(gray: Any, px: float) -> Tuple[Any, Any]:
    """Pixels that may belong to a horizontal / a vertical rule: dark ones, and those darker by
    :data:`RULE_CONTRAST` than the paper (or the cell shading) a little above and below / left and right of
    them, so that thin light rules (a hairline scanned gray) count, and shaded cells do not."""
    import numpy as np

    g = gray.astype(np.int16)
    k = max(2, int(round(1.5 * px)))  # rules up to about 3 pt thick
    pad = np.pad(g, k, mode="edge")
    h, w = g.shape

    def at(dy: int, dx: int):
        return pad[k + dy:k + dy + h, k + dx:k + dx + w]

    horizontal = (np.minimum(at(-k, 0), at(k, 0)) - g) >= RULE_CONTRAST
    vertical = (np.minimum(at(0, -k), at(0, k)) - g) >= RULE_CONTRAST
    # where two rules cross, the pixels beside are rule too: compare with the four diagonal neighbours
    corners = np.minimum(np.minimum(at(-k, -k), at(-k, k)), np.minimum(at(k, -k), at(k, k)))
    crossing = (corners - g) >= RULE_CONTRAST
    # dark pixels count anyway: a digit printed against a rule takes the contrast beside the rule away
    dark = gray < 128
    return dark | horizontal | crossing, dark | vertical | crossing


def find_grids(gray: Any, dpi: float) -> List[Grid]:
    """Ruled tables of a page image: horizontal and vertical rules joined into grids."""
    px = dpi / 72.0  # pixels per point
    size = _Sizes(h_min=int(24 * px), v_min=int(10 * px), tol=3 * px, end_tol=max(3.0, 1.2 * px))
    thick = max(2, int(3 * px))
    h_ink, v_ink = _rule_masks(gray, px)
    hs = _segments(h_ink, size.h_min, thick, 1)  # (y, x0, x1)
    vs = [(x, y0, y1) for x, y0, y1 in _segments(v_ink.T, size.v_min, thick, 1)]  # (x, y0, y1)
    vs = [v for v in vs if _table_vertical(v, hs, size)]
    # horizontal rules must meet a vertical rule (underlines and strikes do not)
    hs = [h for h in hs
          if any(h[1] - size.tol <= vx <= h[2] + size.tol and vy0 - size.tol <= h[0] <= vy1 + size.tol
                 for vx, vy0, vy1 in vs)]
    if len(hs) < 2 or len(vs) < 2:
        return []
    grids = []
    for gh, gv in _connected(hs, vs, size.tol):
        grid = _grid_of(gh, gv, size)
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: g.ys[0])
    return grids


@dataclass(frozen=True)
class _Sizes:
    """The grid finder's lengths in pixels."""

    h_min: int  # a horizontal rule is longer than two CJK characters (about 21 pt at 10.5 pt)
    v_min: int  # a vertical rule: 10 pt
    tol: float  # rules that meet may miss each other by this much
    end_tol: float  # a rule runs into the rule it meets; a glyph's stroke stops short of it


Rule = Tuple[float, float, float]  # (y, x0, x1) of a horizontal rule, (x, y0, y1) of a vertical one


def _table_vertical(v: Rule, hs: List[Rule], size: _Sizes) -> bool:
    """A vertical rule reaches a horizontal rule at both ends, or meets two of them (a table cut by a page
    break is open at one end); character strokes do neither, not even the tall strokes of a glyph in a
    tight row."""
    tol, end_tol = size.tol, size.end_tol

    def touches(y: float, x: float) -> bool:
        return any(abs(hy - y) <= end_tol and hx0 - tol <= x <= hx1 + tol for hy, hx0, hx1 in hs)

    if touches(v[1], v[0]) and touches(v[2], v[0]):
        return True
    meets = sum(1 for hy, hx0, hx1 in hs if hx0 - tol <= v[0] <= hx1 + tol and v[1] - end_tol <= hy <= v[2] + end_tol)
    return meets >= 2


def _connected(hs: List[Rule], vs: List[Rule], tol: float) -> List[Tuple[List[Rule], List[Rule]]]:
    """Connected groups of rules (tables): (horizontal rules, vertical rules) of each."""
    items = [("h",) + h for h in hs] + [("v",) + v for v in vs]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(items):
        if a[0] != "h":
            continue
        for j, b in enumerate(items):
            if b[0] != "v":
                continue
            if a[2] - tol <= b[1] <= a[3] + tol and b[2] - tol <= a[1] <= b[3] + tol:
                parent[find(i)] = find(j)
    groups: Dict[int, List[Tuple]] = {}
    for i, it in enumerate(items):
        groups.setdefault(find(i), []).append(it)
    return [([m[1:] for m in members if m[0] == "h"], [m[1:] for m in members if m[0] == "v"])
            for members in groups.values()]


def _grid_of(gh: List[Rule], gv: List[Rule], size: _Sizes) -> Optional[Grid]:
    """The grid of one group of rules; None for a box drawn by strokes of a glyph, not a table."""
    tol, v_min = size.tol, size.v_min
    ys = _cluster([h[0] for h in gh], tol)
    xs = _cluster([v[0] for v in gv], tol)
    # a table cut by a page break: its rules stop at the cut with no rule across; the cut closes it
    if ys and max(v[2] for v in gv) - ys[-1] > v_min:
        bottom = max(v[2] for v in gv)
        gh.append((bottom, xs[0], xs[-1]))
        ys.append(bottom)
    if ys and ys[0] - min(v[1] for v in gv) > v_min:
        top = min(v[1] for v in gv)
        gh.append((top, xs[0], xs[-1]))
        ys.insert(0, top)
    if len(ys) < 2 or len(xs) < 2 or xs[-1] - xs[0] < size.h_min or ys[-1] - ys[0] < 1.5 * v_min:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    right = [[_covers(gv, xs[j + 1], ys[i], ys[i + 1], tol) for j in range(n_cols)] for i in range(n_rows)]
    down = [[_covers(gh, ys[i + 1], xs[j], xs[j + 1], tol) for j in range(n_cols)] for i in range(n_rows)]
    return Grid(xs=xs, ys=ys, right=right, down=down)


def _covers(rules: List[Rule], at: float, lo: float, hi: float, tol: float) -> bool:
    """Whether the rules at ``at`` (within ``tol``) cover most of ``lo``..``hi`` (a cell's side)."""
    need = 0.6 * (hi - lo)
    return sum(max(0.0, overlap(r0, r1, lo, hi)) for pos, r0, r1 in rules if abs(pos - at) <= tol) >= need


def grid_cells(grid: Grid) -> List[Tuple[int, int, int, int]]:
    """Merged cells of a grid as atom ranges (row0, col0, row1, col1), inclusive."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    parent = {(i, j): (i, j) for i in range(n_rows) for j in range(n_cols)}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not grid.right[i][j]:
                parent[find((i, j))] = find((i, j + 1))
            if i + 1 < n_rows and not grid.down[i][j]:
                parent[find((i, j))] = find((i + 1, j))
    groups: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
    for atom in parent:
        groups.setdefault(find(atom), []).append(atom)
    cells = []
    for atoms in groups.values():
        rows = [a[0] for a in atoms]
        cols = [a[1] for a in atoms]
        cells.append((min(rows), min(cols), max(rows), max(cols)))
    return sorted(cells)
