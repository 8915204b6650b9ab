"""The cells of a ruled table, each read from its own image: its ink cut into text lines and pieces, each
piece recognised on its own (or told by its shape: a dash, a slash), the text judged (look-alike letters
mended and flagged, marks flagged)."""

from __future__ import annotations

import re
from typing import Any, List, Optional, Sequence, Tuple

from .engine import recognise
from .geometry import scaled, true_runs
from .grid import Grid, grid_cells
from .model import LOW_CONFIDENCE, NUMBER, OcrBox, OcrCell, OcrLine, is_number

WIDTH_MISMATCH_CONFIDENCE = 0.5  # a number whose digit count does not fit its printed width
INK_LEVEL = 192  # darker pixels are ink when a cell's text is cut into lines (thin strokes of 一 are light)
SPECK_PT = 2.0  # points: ink no wider and no higher than this is a dot (or a speck of noise)
DOT_PT = 3.0  # points: a round blot up to this size alone in a cell is noise
SHAPE_CONFIDENCE = 0.95  # a dash or a slash told by its shape
GUESS_CONFIDENCE = 0.6  # a number mended from look-alike letters
DOUBT_CONFIDENCE = 0.2  # a table cell read as marks or digits mixed with marks
# what a table cell may print for "nothing" (as the table parser reads them)
_PLACEHOLDER_TEXTS = frozenset({"/", "-", "—", "——", "--", "－", "－－", "―", "／", "无", "\\", "…"})
_STROKE_LOOKALIKES = frozenset("一二三口丨")  # what a dash, a slash or a digit becomes when misread
_DASHES = "一-—－―"  # a flat stroke as the recogniser writes it
# single glyphs the recogniser confuses with digits when a table cell holds nothing else
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "Ｏ": "0", "〇": "0", "。": "0", "°": "0", "D": "0",
                                   "l": "1", "I": "1", "|": "1", "!": "1", "丨": "1"})
_TRAILING_DOT = re.compile(r"^([0-9]+)[.,，。．、]$")


def grid_rows(grid: Grid, gray: Any, engine: Any, dpi: float) -> List[OcrLine]:
    """The grid's rows as lines, pdfplumber-like: a field per column where some cell starts, None where a
    merged cell continues; every cell read from its own image."""
    scale = 72.0 / dpi
    cells = grid_cells(grid)
    xs, ys = grid.xs, grid.ys
    rects = {c: (xs[c[1]], ys[c[0]], xs[c[3] + 1], ys[c[2] + 1]) for c in cells}
    inks = {c: _cell_ink(gray, r, dpi) for c, r in rects.items()}
    bands = [b[1] - b[0] for ink in inks.values() if ink is not None for b in ink[1]]
    char_px = max(sorted(bands)[len(bands) // 2] if bands else 0, 7 * dpi / 72.0)  # text height in the table
    starts_row = sorted({c[0] for c in cells})
    starts_col = sorted({c[1] for c in cells})
    by_start = {(c[0], c[1]): c for c in cells}
    lines = []
    for i in starts_row:
        row: List[Optional[OcrCell]] = []
        for j in starts_col:
            c = by_start.get((i, j))
            if c is None:
                row.append(None)
                continue
            text, conf, boxes = _read_cell(inks[c], engine, char_px, scale)
            text, conf = _judged(text, conf)
            row.append(OcrCell(text, conf, scaled(rects[c], scale), boxes))
        lines.append(OcrLine(cells=row, kind="table", top=ys[i] * scale))
    return lines


def _cell_ink(gray: Any, rect: Tuple[float, float, float, float], dpi: float):
    """(offset, bands, ink, image) of a cell: its ink (inside the rules, specks of noise taken out), the
    text lines in it as row bands [(y0, y1)] of the ink image, and the cell's image without the specks;
    None for a cell without ink."""
    px = dpi / 72.0
    inset = max(2, int(round(2.0 * px)))  # keep off the rules
    x0, y0 = int(rect[0]) + inset, int(rect[1]) + inset
    x1, y1 = int(rect[2]) - inset, int(rect[3]) - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    ink = gray[y0:y1, x0:x1] < INK_LEVEL
    # what is left of a rule along an edge (a skewed scan, a rule thicker than the inset): dark over most
    # of the edge, unlike any glyph
    while ink.shape[1] > 2 and ink[:, 0].mean() > 0.6:
        ink, x0 = ink[:, 1:], x0 + 1
    while ink.shape[1] > 2 and ink[:, -1].mean() > 0.6:
        ink = ink[:, :-1]
    while ink.shape[0] > 2 and ink[0].mean() > 0.6:
        ink, y0 = ink[1:], y0 + 1
    while ink.shape[0] > 2 and ink[-1].mean() > 0.6:
        ink = ink[:-1]
    patch = gray[y0:y0 + ink.shape[0], x0:x0 + ink.shape[1]]
    clean = _without_specks(ink, px)
    if clean is not ink:  # the specks whitened in the image the recogniser is shown too
        patch = patch.copy()
        patch[ink & ~clean] = 255
        ink = clean
    speck = max(2, int(round(1.0 * px)))
    rows = ink.sum(axis=1)
    if int(rows.sum()) < speck * speck:
        return None
    runs = true_runs(rows > 0, 1)
    # the strokes of 二 or 三 are separate runs: merge runs while the merged band stays one glyph high
    tallest = max(b - a for a, b in runs)
    limit = 1.3 * max(tallest, 7 * px)
    merged: List[List[int]] = []
    for a, b in runs:
        if merged and b - merged[-1][0] <= limit:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    bands = [(a, b) for a, b in merged if (b - a) >= speck or ink[a:b].sum(axis=0).astype(bool).sum() >= speck]
    if not bands:
        return None
    return (x0, y0), bands, ink, patch


def _without_specks(ink: Any, px: float) -> Any:
    """The cell's ink without the specks of a scan: a dot of ink at most :data:`SPECK_PT` wide and high
    is kept only between two larger glyphs close on its left and right at its height (a decimal point,
    a quote mark, the 、 of a label), never alone, first or last (noise beside a digit reads as 0. or
    ·0 or 0:); round blots up to :data:`DOT_PT` are dropped from a cell that holds nothing else."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n <= 1:
        return ink
    small = SPECK_PT * px
    gap = 8.0 * px  # a full-width comma or 、 sits at the left of its em box: most of an em to the next glyph
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    specks = [i for i in range(1, n) if w[i] <= small and h[i] <= small]
    glyphs = [i for i in range(1, n) if not (w[i] <= small and h[i] <= small)]
    drop = []
    for i in specks:
        cy = y[i] + h[i] / 2.0
        beside = [j for j in glyphs if y[j] - small <= cy <= y[j] + h[j] + small]
        left = any(0 <= x[i] - (x[j] + w[j]) <= gap for j in beside)
        right = any(0 <= x[j] - (x[i] + w[i]) <= gap for j in beside)
        if not (left and right):
            drop.append(i)
    # a cell holding nothing but round dots up to a little larger (a full stop, a blot of noise) holds
    # nothing: no placeholder is a dot, and a flat dash is not round
    kept = [i for i in range(1, n) if i not in drop]
    dot = DOT_PT * px
    if kept and all(w[i] <= dot and h[i] <= dot and 0.5 * w[i] <= h[i] <= 2 * w[i] for i in kept):
        drop.extend(kept)
    if not drop:
        return ink
    return ink & ~np.isin(labels, drop)


def _read_cell(cell_ink: Any, engine: Any, char_px: float, scale: float
               ) -> Tuple[str, Optional[float], List[OcrBox]]:
    """Text, confidence (min over its pieces; None without ink) and boxes of one cell. Each text line
    of the cell is cut where a gap wider than the line is high separates its glyphs (two numbers in one
    cell stay two pieces), and each piece is recognised on a white canvas about one text line high."""
    if cell_ink is None:
        return "", None, []
    (ox, oy), bands, ink, patch = cell_ink
    speck = max(2, int(round(char_px / 10)))
    parts: List[str] = []
    boxes: List[OcrBox] = []
    for a, b in bands:
        band = ink[a:b]
        text_line = ""
        for c0, c1 in _pieces(band, b - a, char_px):
            sub = band[:, c0:c1]
            if sub.sum() < speck and (c1 - c0) < speck:
                continue
            text, score, (g0, g1) = _read_piece(engine, band, patch, a, (c0, c1), char_px)
            boxes.append(OcrBox(text, score, scaled((ox + c0, oy + g0, ox + c1, oy + g1), scale)))
            if text_line and text and is_number(text) and text_line[-1].isdigit():
                text_line += " "  # two numbers in one cell stay two numbers
            text_line += text
        parts.append(text_line)
    if not boxes:
        return "", None, []
    return "".join(parts), min(b.confidence for b in boxes), boxes


def _pieces(band: Any, height: int, char_px: float) -> List[List[int]]:
    """The column ranges [c0, c1) of a text line's pieces: glyphs closer than 1.5 times the line's height
    (or the text height) belong together."""
    pieces: List[List[int]] = []
    for c0, c1 in true_runs(band.any(axis=0), 1):
        if pieces and c0 - pieces[-1][1] <= 1.5 * max(height, char_px):
            pieces[-1][1] = c1
        else:
            pieces.append([c0, c1])
    return pieces


def _read_piece(engine: Any, band: Any, patch: Any, a: int, cols: Sequence[int], char_px: float
                ) -> Tuple[str, float, Tuple[int, int]]:
    """Text and confidence of one piece of a text line (the band's rows from ``a``, columns ``cols``), and
    its rows (g0, g1) in the cell's image."""
    import numpy as np

    c0, c1 = cols
    sub = band[:, c0:c1]
    rr = np.flatnonzero(sub.any(axis=1))
    g0, g1 = a + int(rr[0]), a + int(rr[-1]) + 1
    glyphs = patch[g0:g1, c0:c1]
    drawn = _placeholder_shape(band[g0 - a:g1 - a, c0:c1], char_px)
    if drawn is not None:  # a dash or a slash, told by its shape (recognised, it reads as 一, 二, 口,
        text, score = drawn, SHAPE_CONFIDENCE  # ·, 1 or l as often as not)
    else:
        text, score = _recognised(engine, glyphs, sub, char_px)
    if not _width_fits(_number_fix(text), c1 - c0, g1 - g0):
        score = min(score, WIDTH_MISMATCH_CONFIDENCE)
    return text, score, (g0, g1)


def _recognised(engine: Any, glyphs: Any, sub: Any, char_px: float) -> Tuple[str, float]:
    """A piece's glyphs recognised on a canvas, looked at again with other margins where a final flat stroke
    may have been dropped or the reading is not sure."""
    text, score = recognise(engine, _canvas(glyphs, char_px))
    if text and text[-1] not in _DASHES and _ends_with_a_stroke(sub, char_px):
        # a flat stroke closing the piece (the 一 of "三安全一" at a line's end) is dropped by the
        # recogniser on some margins: look again with others, keep a reading that has it
        for side, above in ((0.4, 0.3), (2.0, 0.6)):
            again = recognise(engine, _canvas(glyphs, char_px, side, above))
            if again[0][-1:] in _DASHES and again[0][:-1] == text:
                text, score = again
                break
    if score < LOW_CONFIDENCE:
        # more looks (narrower, tighter margins), as lone digits of some fonts are read surer so
        for variant in (_canvas(glyphs, char_px, squeeze=0.8), _canvas(glyphs, char_px, 0.2, 0.2)):
            again = recognise(engine, variant)
            if again[1] > score:
                text, score = again
            if score >= LOW_CONFIDENCE:
                break
    return text, score


def _ends_with_a_stroke(ink: Any, char_px: float) -> bool:
    """Whether the last glyph of a piece of ink (after a gap of blank columns) is one flat stroke."""
    runs = true_runs(ink.any(axis=0), 1)
    if len(runs) < 2:
        return False
    c0, c1 = runs[-1]
    return _placeholder_shape(ink[:, c0:c1], char_px) in ("-", "—", "——")


def _placeholder_shape(ink: Any, char_px: float) -> Optional[str]:
    """``-``, ``—`` or ``——`` for a piece of ink that is one flat stroke, ``/`` or ``\\`` for one thin
    diagonal stroke about a glyph high; None for anything else. A dash is as thin as a stroke (at most a
    fifth of the text height) and at least twice as wide as thick; a slash has no row wider than half
    its width (no bar: not 7, 4 or 2) and its middle moves across most of its width from top to bottom
    (not 1 or l)."""
    import numpy as np

    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return None
    h = int(rows[-1] - rows[0] + 1)
    w = int(cols[-1] - cols[0] + 1)
    if h <= max(2.0, 0.2 * char_px) and w >= 2 * h and w >= 0.2 * char_px:
        if w < 0.6 * char_px:
            return "-"
        return "—" if w < 1.4 * char_px else "——"
    if h < 0.5 * char_px or not 0.2 * h <= w <= 0.9 * h:
        return None
    body = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    xs = np.arange(w)
    spans, middles = [], []
    for r in body:
        on = xs[r]
        if len(on) == 0:
            return None  # a broken stroke: not one slash
        spans.append(on[-1] - on[0] + 1)
        middles.append((on[0] + on[-1]) / 2.0)
    if max(spans) > 0.5 * w:
        return None
    q = max(1, h // 4)
    shift = float(np.mean(middles[:q]) - np.mean(middles[-q:]))  # > 0: the top is to the right
    if abs(shift) < 0.5 * w:
        return None
    steps = np.diff(middles)
    if shift > 0 and (steps <= 1.0).all():
        return "/"
    if shift < 0 and (steps >= -1.0).all():
        return "\\"
    return None


def _width_fits(text: str, width: float, height: float) -> bool:
    """Whether a run of digits is as wide as its digit count says (the recogniser can read 11 as 1 with
    confidence: CTC merges a doubled glyph): digits advance 0.6 to 1.0 of their height, the first is 0.15
    to 0.85 of it wide. Other text always fits."""
    if not text.isdigit() or not text.isascii() or height <= 0:
        return True
    n = len(text)
    ratio = width / height
    return 0.6 * (n - 1) + 0.15 <= ratio <= 1.0 * (n - 1) + 0.85


def _canvas(glyphs: Any, char_px: float, side: float = 0.4, above: float = 0.6, squeeze: float = 1.0) -> Any:
    """The glyphs on white paper with margins of ``side`` and ``above`` (top and bottom) times their
    height, ``squeeze`` times as wide: the recogniser reads lone digits with the most confidence with the
    defaults; a flat glyph (a dash) is given the height of a short digit."""
    import numpy as np

    h, w = glyphs.shape
    if squeeze != 1.0:
        import cv2

        w = max(1, int(round(w * squeeze)))
        glyphs = cv2.resize(glyphs, (w, h), interpolation=cv2.INTER_AREA)
    height = max(h, int(round(0.6 * char_px)))
    padx = max(3, int(round(side * height)))
    pady = max(3, int(round(above * height)))
    out = np.full((height + 2 * pady, w + 2 * padx), 255, dtype=np.uint8)
    top = pady + (height - h) // 2
    out[top:top + h, padx:padx + w] = glyphs
    return out


def _number_fix(text: str) -> str:
    """A table cell that is a number but for look-alike letters ("l" for 1, "O" or "。" for 0), or that
    has a stray dot after it ("9.")."""
    fixed = text.translate(_DIGIT_LOOKALIKES)
    if fixed != text and NUMBER.match(fixed) and len(text) <= 12:
        text = fixed
    m = _TRAILING_DOT.match(text)
    return m.group(1) if m else text


def _judged(text: str, confidence: Optional[float]) -> Tuple[str, Optional[float]]:
    """A table cell's text and confidence as written: a number spelt with look-alike letters ("l" for
    1, "O" for 0) is mended but flagged (its confidence capped at :data:`GUESS_CONFIDENCE`); text that
    is neither a number, nor a placeholder, nor words (digits mixed with marks, as ``0:`` or ``1o0``, or
    a lone mark or stroke, as ``·``, ``口`` or ``二``) is kept as read, with its confidence capped at
    :data:`DOUBT_CONFIDENCE`: what the scan prints there is not known, and no digit is made up for it."""
    if confidence is None or not text:
        return text, confidence
    fixed = _number_fix(text)
    if fixed != text and _TRAILING_DOT.match(text) is None:
        confidence = min(confidence, GUESS_CONFIDENCE)
    compact_text = fixed.replace(" ", "")
    if is_number(fixed) or compact_text in _PLACEHOLDER_TEXTS:
        return fixed, confidence
    ideographs = sum(1 for ch in compact_text if "\u4e00" <= ch <= "\u9fff" and ch not in _STROKE_LOOKALIKES)
    digits = any(ch.isdigit() for ch in compact_text)
    if (digits and ideographs < 2) or (not digits and ideographs == 0 and len(compact_text) <= 3):
        confidence = min(confidence, DOUBT_CONFIDENCE)
    return fixed, confidence
