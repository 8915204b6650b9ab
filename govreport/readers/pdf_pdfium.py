"""The PDFium engine (pypdfium2): characters with boxes from the text page, ruling lines from the path
objects, grouped into the page model of :mod:`govreport.readers.pdf`.

Boxes follow pdfminer's convention: a character spans its advance width, from the font's descent below
the baseline up one font size (vertical writing: one size square around the pen). Words and table-cell
texts are grouped as pdfplumber groups them (lines of characters within ``y_tolerance``, words split at
spaces and at gaps wider than ``x_tolerance``), but lines by baseline rather than by top: PDFium's
descents come from the font programs, pdfminer's from the font descriptors, and glyphs of two fonts on
one line (CJK and digits) can sit 3 pt apart in one and level in the other; a shared baseline is the
printed line in both. Grids come from :mod:`.pdf_grid`.
"""

from __future__ import annotations

import bisect
import ctypes
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import pdf_grid
from .pdf import PageModel, PageTable, PdfSettings, TableCell, cell_text, has_doubled_chars, log, unreadable

# PDFium is not thread-safe: one document at a time per process, whichever thread reads it
_LOCK = threading.RLock()

_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def _cluster_by(objs: Sequence[dict], key: str, tolerance: float) -> List[List[dict]]:
    """pdfplumber's ``cluster_objects``: objects whose ``key`` values chain within ``tolerance``, each
    cluster in the objects' own order, clusters by value."""
    index: Dict[float, int] = {}
    last: Optional[float] = None
    n = -1
    for v in sorted({o[key] for o in objs}):
        if last is None or v > last + tolerance:
            n += 1
        index[v] = n
        last = v
    groups: List[List[dict]] = [[] for _ in range(n + 1)]
    for o in objs:
        groups[index[o[key]]].append(o)
    return groups


def _word(chars: List[dict]) -> dict:
    return {"text": "".join(_LIGATURES.get(c["text"], c["text"]) for c in chars),
            "x0": min(c["x0"] for c in chars), "top": min(c["top"] for c in chars), "line": chars[0]["line"],
            "x1": max(c["x1"] for c in chars), "bottom": max(c["bottom"] for c in chars),
            "upright": chars[0]["upright"]}


def extract_words(chars: Sequence[dict], x_tolerance: float = 3, y_tolerance: float = 3) -> List[dict]:
    """Words as pdfplumber's ``extract_words`` makes them (``keep_blank_chars=False``, no text flow):
    runs of equally upright characters, cut into lines by baseline (``line``), each sorted left to right."""
    words: List[dict] = []
    i = 0
    while i < len(chars):
        j = i
        while j < len(chars) and chars[j]["upright"] == chars[i]["upright"]:
            j += 1
        upright = chars[i]["upright"]
        # upright text runs left to right in lines stacked downwards; rotated text the other way round
        line_key, start, end, across = ("line", "x0", "x1", "line") if upright else ("x0", "top", "bottom", "x0")
        line_tol, char_tol = (y_tolerance, x_tolerance) if upright else (x_tolerance, y_tolerance)
        for line in _cluster_by(chars[i:j], line_key, line_tol):
            line.sort(key=lambda c: c[start])
            current: List[dict] = []
            for c in line:
                if c["text"].isspace():
                    if current:
                        words.append(_word(current))
                    current = []
                    continue
                if current:
                    prev = current[-1]
                    if (c[start] < prev[start] or c[start] > prev[end] + char_tol
                            or abs(c[across] - prev[across]) > line_tol
                            or upright and _space_between(prev, c)):
                        words.append(_word(current))
                        current = []
                current.append(c)
            if current:
                words.append(_word(current))
        i = j
    return words


def _space_between(a: dict, b: dict) -> bool:
    """A space PDFium inferred between two characters that follow each other in the content stream, where
    their boxes touch or overlap: it infers one there only for a printed space it dropped (a wider gap is
    a word break by the gap alone, or letter spacing, where it infers spaces that were never printed)."""
    sp = b.get("space")
    return bool(sp) and b["i"] == a["i"] + 1 and b["x0"] - a["x1"] < 1.0 and a["x0"] < sp[0] <= b["x0"] + 0.01 \
        and a["top"] - 0.5 <= sp[1] <= a["bottom"] + 0.5


def _extract_text(chars: Sequence[dict]) -> str:
    """pdfplumber's ``extract_text`` (not laid out) of a cell's characters: words joined by spaces,
    lines by newlines."""
    words = extract_words(chars, 3, 3)
    return "\n".join(" ".join(w["text"] for w in line) for line in _cluster_by(words, "line", 3))


def dedupe_chars(chars: List[dict], tolerance: float = 1) -> List[dict]:
    """pdfplumber's ``dedupe_chars``: of the characters with the same text, size and uprightness drawn
    within ``tolerance`` of each other, the first (top-left) one; the others' order kept."""
    groups: Dict[Tuple[Any, ...], List[int]] = {}
    for i, c in enumerate(chars):
        groups.setdefault((c["upright"], c["text"], c["fontname"], c["size"]), []).append(i)
    keep = set()
    for members in groups.values():
        objs = [dict(chars[i], _i=i) for i in members]
        for row in _cluster_by(objs, "top", tolerance):
            for col in _cluster_by(row, "x0", tolerance):
                keep.add(min(col, key=lambda c: (c["top"], c["x0"]))["_i"])
    return [c for i, c in enumerate(chars) if i in keep]


class Reader:
    """An open PDF: its pages as page models, its scanned pages OCR'd from the same open document."""

    def __init__(self, path: Path):
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        self.path, self.raw = path, raw
        _LOCK.acquire()  # released by close()
        try:
            self.pdf = pdfium.PdfDocument(str(path))
            self.pages = len(self.pdf)
        except Exception as exc:  # PdfiumError: format, password, ...
            _LOCK.release()
            raise unreadable(path, exc) from None
        except BaseException:
            _LOCK.release()
            raise
        self._rect = raw.FS_RECTF()
        self._matrix = raw.FS_MATRIX()
        self._plumber: Any = None  # the pdfminer reader, opened for the first page PDFium cannot read whole

    def close(self) -> None:
        try:
            self.pdf.close()
            if self._plumber is not None:
                self._plumber.close()
        finally:
            _LOCK.release()

    def ocr(self, number: int) -> Any:
        """The page OCR'd, rendered from this open document (no second parse of the file)."""
        from . import ocr

        (scanned,) = ocr.ocr_pages(self.path, [number], pdf=self.pdf)
        return scanned

    def page(self, number: int, settings: PdfSettings) -> PageModel:
        page = self.pdf[number - 1]
        try:
            frame = _Frame(page.get_mediabox(), page.get_rotation())
            textpage = page.get_textpage()
            try:
                chars = self._chars(textpage, frame)
            finally:
                textpage.close()
            edges, ruled, hidden = self._objects(page, frame)
        finally:
            page.close()
        lost = _lost(hidden, chars)
        if lost:
            return self._without_pdfium(number, settings, lost)
        if settings.dedupe_chars and has_doubled_chars(chars):
            chars = dedupe_chars(chars)
        ws = settings.word_settings
        words = extract_words(chars, ws.get("x_tolerance", 3), ws.get("y_tolerance", 3))
        tables: List[PageTable] = []
        if ruled >= settings.min_edges_for_tables:
            ts = settings.table_settings
            for grid in pdf_grid.find_grids(edges, ts.get("snap_tolerance", 3), ts.get("join_tolerance", 3),
                                            ts.get("intersection_tolerance", 3)):
                tables.append(self._table(grid, chars))
        return PageModel(words=words, tables=tables)

    def _without_pdfium(self, number: int, settings: PdfSettings, lost: int) -> PageModel:
        """The page read by pdfminer: PDFium's text page leaves out every text object whose box has no
        width, such as one glyph that the font PDFium found has no outline for (a full-width digit or
        无 alone in a cell, in a CJK font neither embedded nor installed), so its text is lost there."""
        from .pdf_plumber import Reader as PlumberReader

        log.debug("%s page %d: %d text object(s) that PDFium's text page skips; read with pdfminer",
                  self.path, number, lost)
        if self._plumber is None:
            self._plumber = PlumberReader(self.path)
        return self._plumber.page(number, settings)

    @staticmethod
    def _table(grid: pdf_grid.Grid, chars: List[dict]) -> PageTable:
        """The grid's cells with their texts: the characters whose centre lies in the cell (left and top
        edges inclusive), as pdfplumber's ``Table.extract`` assigns them."""
        x0, top, x1, bottom = grid.bbox
        inside = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i, c) for i, c in enumerate(chars)
                        if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom)
        mids = [t[0] for t in inside]
        rows = []
        for row in grid.rows:
            boxes = [b for b in row if b is not None]
            lo = bisect.bisect_left(mids, min(b[1] for b in boxes))
            hi = bisect.bisect_left(mids, max(b[3] for b in boxes))
            band = inside[lo:hi]
            cells: List[Optional[TableCell]] = []
            for box in row:
                if box is None:
                    cells.append(None)
                    continue
                mine = sorted((t[2], t[3]) for t in band if box[1] <= t[0] < box[3] and box[0] <= t[1] < box[2])
                cells.append(TableCell(cell_text(_extract_text([c for _, c in mine])) if mine else "", box))
            rows.append(cells)
        return PageTable(bbox=grid.bbox, rows=rows)

    def _chars(self, textpage: Any, frame: "_Frame") -> List[dict]:
        raw, rect, m = self.raw, self._rect, self._matrix
        ca, cb, cc, cd, ce, cf = frame.ctm
        turned = frame.turned
        # from pdfminer's space (y up, the page's rotation applied) to pdfplumber's (top-left origin)
        height, dx = frame.height + frame.top_offset, frame.x_offset
        ox, oy = ctypes.c_double(), ctypes.c_double()
        tp = textpage.raw
        # the ctypes functions as locals: a page has thousands of characters, seven calls each
        countchars, getcharorigin, getfontsize, getloosecharbox = (
            raw.FPDFText_CountChars, raw.FPDFText_GetCharOrigin, raw.FPDFText_GetFontSize,
            raw.FPDFText_GetLooseCharBox)
        getmatrix, getunicode, isgenerated = raw.FPDFText_GetMatrix, raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated
        chars: List[dict] = []
        space: Optional[Tuple[float, float]] = None
        map_error = getattr(raw, "FPDFText_HasUnicodeMapError", None)  # PDFium builds since 2023
        n = countchars(tp)
        codes = _unicodes(raw, tp, n)  # one call for the page's text when it maps one unit per character
        for i in range(n):
            u = codes[i] if codes is not None else getunicode(tp, i)
            if u in (0x20, 0x0D, 0x0A) and isgenerated(tp, i) == 1:  # only spaces and breaks are generated
                # PDFium drops printed spaces and infers spaces of its own, some where nothing was printed
                # or far from their neighbours: kept as a point, a word break where it lies between them
                if u == 0x20:
                    getloosecharbox(tp, i, rect)
                    sx, sy = rect.left, rect.top
                    if turned:
                        sx, sy = ca * sx + cc * sy + ce, cb * sx + cd * sy + cf
                    space = (sx + dx, height - sy)
                continue
            if u in (0, 0xFFFD) or map_error is not None and map_error(tp, i) == 1:
                text = "(cid:0)"  # no Unicode for the glyph, as pdfminer writes it
            else:
                try:
                    text = chr(u)
                except (ValueError, OverflowError):
                    text = "(cid:0)"
            if text in ("\r", "\n"):
                continue
            getloosecharbox(tp, i, rect)
            getmatrix(tp, i, m)
            getcharorigin(tp, i, ox, oy)
            size = getfontsize(tp, i)
            left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
            ma, mb, mc, md = m.a, m.b, m.c, m.d
            pen_x, pen_y = ox.value, oy.value
            if abs(right - left - size) < 0.01 and abs(size * abs(md) - size) > 0.5:
                # vertical writing: PDFium's loose box is one unscaled font size wide and its origin moved
                # half a size left, 0.88 down; pdfminer's box is one size square centred on the pen,
                # 0.12 of it above
                size *= abs(md)
                left, right, top = pen_x, pen_x + size, pen_y + size
                bottom = top - size
                upright = True
            elif ma * md > 0 and mb * mc <= 0:  # pdfminer's box: from the descent up one (scaled) size
                size *= abs(md)
                top = bottom + size
                upright = True
            else:
                upright = False
            if turned:  # the page's /Rotate (and media box origin), applied as pdfminer applies them
                xa, ya = ca * left + cc * bottom + ce, cb * left + cd * bottom + cf
                xb, yb = ca * right + cc * top + ce, cb * right + cd * top + cf
                left, right, bottom, top = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
                pen_x, pen_y = ca * pen_x + cc * pen_y + ce, cb * pen_x + cd * pen_y + cf
                ma, mb, mc, md = ma * ca + mb * cc, ma * cb + mb * cd, mc * ca + md * cc, mc * cb + md * cd
                was, upright = upright, ma * md > 0 and mb * mc <= 0
                if upright and not was:  # drawn turned, upright on the page: the same box rule
                    size *= abs(md)
                    top = bottom + size
            if not upright:
                size = right - left
            x0, x1, y0, y1 = left, right, bottom, top
            line = height - (pen_y if upright else top)
            chars.append({"text": text, "x0": x0 + dx, "x1": x1 + dx, "top": height - y1,
                          "bottom": height - y0,
                          "line": line, "upright": upright, "size": round(size, 3), "fontname": None,
                          "i": len(chars), "space": space})
            space = None
        return chars

    def _objects(self, page: Any, frame: "_Frame") -> Tuple[List[pdf_grid.Edge], int, List[Tuple[float, float]]]:
        """The page's axis-parallel path segments, how many subpaths drew any (pdfminer's lines and
        rectangles, which ``min_edges_for_tables`` counts), and where the text objects stand that PDFium's
        text page skips (their box has no width: see :meth:`_without_pdfium`), as (x, baseline)."""
        raw = self.raw
        ruled = 0
        hidden: List[Tuple[float, float]] = []
        left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        edges: List[pdf_grid.Edge] = []
        ident = frame.ctm  # the page's rotation, as for the characters
        height, dx = frame.height + frame.top_offset, frame.x_offset
        handle = page.raw
        objs = [(raw.FPDFPage_GetObject(handle, i), ident) for i in range(raw.FPDFPage_CountObjects(handle))]
        m = raw.FS_MATRIX()
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        x, y = ctypes.c_float(), ctypes.c_float()
        while objs:
            obj, outer = objs.pop()
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                # a glyph with no outline in a font the PDF carries draws nothing (a space); in a font
                # PDFium had to stand in for, the printed glyph may be any text
                if raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top) and abs(right.value - left.value) < 0.01 \
                        and raw.FPDFFont_GetIsEmbedded(raw.FPDFTextObj_GetFont(obj)) != 1:
                    a, b, c, d, e, f = outer
                    px, py = left.value, bottom.value
                    hidden.append((a * px + c * py + e + dx, height - (b * px + d * py + f)))
                continue
            if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
                continue
            raw.FPDFPageObj_GetMatrix(obj, m)
            mat = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                objs.extend((raw.FPDFFormObj_GetObject(obj, i), mat) for i in range(raw.FPDFFormObj_CountObjects(obj)))
                continue
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not fill.value and not stroke.value:
                continue
            a, b, c, d, e, f = mat
            start = cur = None
            sub: List[pdf_grid.Edge] = []  # the current subpath's edges
            for k in range(raw.FPDFPath_CountSegments(obj)):
                seg = raw.FPDFPath_GetPathSegment(obj, k)
                raw.FPDFPathSegment_GetPoint(seg, x, y)
                pt = (a * x.value + c * y.value + e + dx, height - (b * x.value + d * y.value + f))
                typ = raw.FPDFPathSegment_GetType(seg)
                if typ == raw.FPDF_SEGMENT_MOVETO:
                    ruled += _flush(edges, sub)
                    start = cur = pt
                elif typ == raw.FPDF_SEGMENT_LINETO and cur is not None:
                    _edge(sub, cur, pt)
                    cur = pt
                else:  # a Bézier point: only its end point counts, and curves draw no ruling line
                    cur = pt
                if raw.FPDFPathSegment_GetClose(seg) and cur is not None and start is not None:
                    _edge(sub, cur, start)
                    cur = start
            ruled += _flush(edges, sub)
        return edges, ruled, hidden


def _lost(hidden: Sequence[Tuple[float, float]], chars: Sequence[dict]) -> int:
    """How many of the skipped text objects (``hidden``, at their origin on the baseline) stand apart from
    every character the text page kept: one that a kept character on its line ends at, or starts within
    a space's width (0.6 em) after, is a space beside a word (a space has no outline either); one that
    stands alone held text of its own, such as a number alone in a table cell (a full-width digit or a
    CJK character is 1 em wide, so a lost one never passes for a space before its neighbour)."""
    lost = 0
    for x, y in hidden:
        if not any(abs(c["line"] - y) <= max(c["size"], 1.0) / 2
                   and (c["x0"] - 1.5 <= x <= c["x1"] + 1.5 or x <= c["x0"] <= x + 0.6 * c["size"])
                   for c in chars):
            lost += 1
    return lost


def _unicodes(raw: Any, tp: Any, n: int) -> Optional[List[int]]:
    """The code of each of the ``n`` characters from one ``FPDFText_GetText`` (UTF-16), or None when the
    text does not line up with the characters (a character beyond the BMP takes two units)."""
    if n == 0:
        return []
    buf = (ctypes.c_ushort * (n + 1))()
    got = raw.FPDFText_GetText(tp, 0, n, buf)
    if got != n + 1:  # the units written, with the terminating zero
        return None
    codes = list(buf)[:n]
    if any(0xD800 <= c <= 0xDFFF for c in codes):
        return None
    return codes


class _Frame:
    """pdfminer's page space and pdfplumber's coordinates: the CTM pdfminer starts a page with (the media
    box's origin moved to 0, the page's /Rotate applied), then top = height - y (+ the offset pdfplumber
    adds back for a media box not at the origin)."""

    def __init__(self, mediabox: Tuple[float, float, float, float], rotation: int):
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        rotation %= 360
        self.ctm = {90: (0.0, -1.0, 1.0, 0.0, -y0, x1), 180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
                    270: (0.0, 1.0, -1.0, 0.0, y1, -x0)}.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
        self.turned = self.ctm != (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # else the characters' space is the page's
        bx0, by0, bx1, by1 = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
        self.height = by1 - by0
        self.top_offset = self.height - by1  # pdfplumber's top of the media box (inverted)
        self.x_offset = bx0


def _compose(inner: Tuple[float, ...], outer: Tuple[float, ...]) -> Tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _flush(edges: List[pdf_grid.Edge], sub: List[pdf_grid.Edge]) -> int:
    """A subpath's edges added once each (a line closed back to its start draws one edge, not two)."""
    if not sub:
        return 0
    edges.extend(dict.fromkeys(sub))
    sub.clear()
    return 1


def _edge(edges: List[pdf_grid.Edge], p: Tuple[float, float], q: Tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(x0 - x1) < 1e-3 and abs(y0 - y1) >= 1e-3:
        x = (x0 + x1) / 2
        edges.append(("v", x, min(y0, y1), x, max(y0, y1)))
    elif abs(y0 - y1) < 1e-3 and abs(x0 - x1) >= 1e-3:
        y = (y0 + y1) / 2
        edges.append(("h", min(x0, x1), y, max(x0, x1), y))

