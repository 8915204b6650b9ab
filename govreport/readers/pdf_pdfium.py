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
import struct
import threading
from operator import itemgetter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import pdf_grid
from .pdf import PageModel, PageTable, PdfSettings, TableCell, cell_text, has_doubled_chars, log, unreadable

# PDFium is not thread-safe: one document at a time per process, whichever thread reads it
_LOCK = threading.RLock()

_by_x_mid = itemgetter(1)
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def _cluster_by(objs: Sequence[dict], key: str, tolerance: float) -> List[List[dict]]:
    """pdfplumber's ``cluster_objects``: objects whose ``key`` values chain within ``tolerance``, each
    cluster in the objects' own order, clusters by value."""
    if len(objs) < 2:
        return [list(objs)] if objs else []
    values = sorted({o[key] for o in objs})
    if values[-1] <= values[0] + tolerance:  # one cluster (the chain cannot break)
        return [list(objs)]
    index: Dict[float, int] = {}
    last = values[0]
    n = 0
    for v in values:
        if v > last + tolerance:
            n += 1
        index[v] = n
        last = v
    groups: List[List[dict]] = [[] for _ in range(n + 1)]
    for o in objs:
        groups[index[o[key]]].append(o)
    return groups


def _word(chars: List[dict]) -> dict:
    if len(chars) == 1:
        c = chars[0]
        text = c["text"]
        return {"text": _LIGATURES.get(text, text), "x0": c["x0"], "top": c["top"], "line": c["line"],
                "x1": c["x1"], "bottom": c["bottom"], "upright": c["upright"]}
    return {"text": "".join([_LIGATURES.get(c["text"], c["text"]) for c in chars]),
            "x0": min([c["x0"] for c in chars]), "top": min([c["top"] for c in chars]), "line": chars[0]["line"],
            "x1": max([c["x1"] for c in chars]), "bottom": max([c["bottom"] for c in chars]),
            "upright": chars[0]["upright"]}


def extract_words(chars: Sequence[dict], x_tolerance: float = 3, y_tolerance: float = 3) -> List[dict]:
    """Words as pdfplumber's ``extract_words`` makes them (``keep_blank_chars=False``, no text flow):
    runs of equally upright characters, cut into lines by baseline (``line``), each sorted left to right."""
    words: List[dict] = []
    i = 0
    n = len(chars)
    while i < n:
        upright = chars[i]["upright"]
        j = i + 1
        while j < n and chars[j]["upright"] == upright:
            j += 1
        # upright text runs left to right in lines stacked downwards; rotated text the other way round
        line_key, start, end, across = ("line", "x0", "x1", "line") if upright else ("x0", "top", "bottom", "x0")
        line_tol, char_tol = (y_tolerance, x_tolerance) if upright else (x_tolerance, y_tolerance)
        by_start = itemgetter(start)
        for line in _cluster_by(chars[i:j] if i or j < n else chars, line_key, line_tol):
            line.sort(key=by_start)
            current: List[dict] = []
            prev: Optional[dict] = None
            for c in line:
                if c["text"].isspace():
                    if current:
                        words.append(_word(current))
                    current = []
                    prev = None
                    continue
                if prev is not None:
                    pos = c[start]
                    if (pos < prev[start] or pos > prev[end] + char_tol
                            or abs(c[across] - prev[across]) > line_tol
                            or upright and c.get("space") and _space_between(prev, c)):
                        words.append(_word(current))
                        current = []
                current.append(c)
                prev = c
            if current:
                words.append(_word(current))
        i = j
    return words


def _space_between(a: dict, b: dict) -> bool:
    """A space PDFium inferred between two characters that follow each other in the content stream, where
    their boxes touch or overlap: it infers one there only for a printed space it dropped (a wider gap is
    a word break by the gap alone, or letter spacing, where it infers spaces that were never printed)."""
    sp = b.get("space")
    if not sp:
        return False
    return b["i"] == a["i"] + 1 and b["x0"] - a["x1"] < 1.0 and a["x0"] < sp[0] <= b["x0"] + 0.01 \
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
        inside = []  # (y centre, x centre, index, character), by y
        for i, c in enumerate(chars):
            cx = (c["x0"] + c["x1"]) / 2
            if x0 <= cx < x1:
                cy = (c["top"] + c["bottom"]) / 2
                if top <= cy < bottom:
                    inside.append((cy, cx, i, c))
        inside.sort()
        mids = [t[0] for t in inside]
        rows = []
        for row in grid.rows:
            boxes = [b for b in row if b is not None]
            lo = bisect.bisect_left(mids, min(b[1] for b in boxes))
            hi = bisect.bisect_left(mids, max(b[3] for b in boxes))
            band = sorted(inside[lo:hi], key=_by_x_mid)  # a cell's characters: a slice by x, then by y
            xs = [t[1] for t in band]
            cells: List[Optional[TableCell]] = []
            for box in row:
                if box is None:
                    cells.append(None)
                    continue
                a, b = bisect.bisect_left(xs, box[0]), bisect.bisect_left(xs, box[2])
                mine = sorted([(t[2], t[3]) for t in band[a:b] if box[1] <= t[0] < box[3]])
                cells.append(TableCell(cell_text(_extract_text([c for _, c in mine])) if mine else "", box))
            rows.append(cells)
        return PageTable(bbox=grid.bbox, rows=rows)

    def _chars(self, textpage: Any, frame: "_Frame") -> List[dict]:
        f = _fast(self.raw)
        ca, cb, cc, cd, ce, cf = frame.ctm
        turned = frame.turned
        # from pdfminer's space (y up, the page's rotation applied) to pdfplumber's (top-left origin)
        height, dx = frame.height + frame.top_offset, frame.x_offset
        tp = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
        # one scratch buffer for a character's loose box (4 floats), matrix (6 floats) and origin (2 doubles),
        # read back with one unpack: a page has thousands of characters, four calls each
        buf = (ctypes.c_double * 7)()
        p_box, p_matrix = ctypes.byref(buf), ctypes.byref(buf, 16)
        p_origin, p_origin_y = ctypes.byref(buf, 40), ctypes.byref(buf, 48)
        view = memoryview(buf).cast("B")
        unpack_all, unpack_box = _ALL.unpack_from, _BOX.unpack_from
        getcharorigin, getfontsize, getloosecharbox, getmatrix = (
            f.FPDFText_GetCharOrigin, f.FPDFText_GetFontSize, f.FPDFText_GetLooseCharBox, f.FPDFText_GetMatrix)
        getunicode, isgenerated, map_error = f.FPDFText_GetUnicode, f.FPDFText_IsGenerated, f.map_error
        chars: List[dict] = []
        space: Optional[Tuple[float, float]] = None
        n = f.FPDFText_CountChars(tp)
        codes = _unicodes(f, tp, n)  # one call for the page's text when it maps one unit per character
        for i in range(n):
            u = codes[i] if codes is not None else getunicode(tp, i)
            if u in (0x20, 0x0D, 0x0A) and isgenerated(tp, i) == 1:  # only spaces and breaks are generated
                # PDFium drops printed spaces and infers spaces of its own, some where nothing was printed
                # or far from their neighbours: kept as a point, a word break where it lies between them
                if u == 0x20:
                    getloosecharbox(tp, i, p_box)
                    sx, sy = unpack_box(view)
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
            getloosecharbox(tp, i, p_box)
            getmatrix(tp, i, p_matrix)
            getcharorigin(tp, i, p_origin, p_origin_y)
            size = getfontsize(tp, i)
            left, top, right, bottom, ma, mb, mc, md, _, _, pen_x, pen_y = unpack_all(view)
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
                left, right, bottom, top, pen_y, size, upright = _turned(
                    frame.ctm, (left, right, bottom, top), (pen_x, pen_y), (ma, mb, mc, md), size, upright)
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
        raw, f = self.raw, _fast(self.raw)
        ptr = ctypes.c_void_p
        path_kind, form_kind, text_kind = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_TEXT
        kinds = (path_kind, form_kind, text_kind)
        moveto, lineto = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO
        ruled = 0
        hidden: List[Tuple[float, float]] = []
        bounds = (ctypes.c_float * 4)()  # a text object's left, bottom, right, top
        p_left, p_bottom, p_right, p_top = (ctypes.byref(bounds, 4 * k) for k in range(4))
        bounds_view = memoryview(bounds).cast("B")
        unpack_bounds, get_bounds = _BOUNDS.unpack_from, f.FPDFPageObj_GetBounds
        edges: List[pdf_grid.Edge] = []
        ident = frame.ctm  # the page's rotation, as for the characters
        height, dx = frame.height + frame.top_offset, frame.x_offset
        handle = ptr(ctypes.cast(page.raw, ptr).value)
        get_object, get_type = f.FPDFPage_GetObject, f.FPDFPageObj_GetType
        objs: List[Tuple[Any, Tuple[float, ...]]] = []  # taken from the end
        for i in range(f.FPDFPage_CountObjects(handle)):
            obj = ptr(get_object(handle, i))
            if get_type(obj) in kinds:
                objs.append((obj, ident))
        buf = (ctypes.c_float * 8)()  # a matrix (6 floats), a point (2 floats)
        p_matrix, p_x, p_y = ctypes.byref(buf), ctypes.byref(buf, 24), ctypes.byref(buf, 28)
        view = memoryview(buf).cast("B")
        unpack_matrix, unpack_point = _MATRIX.unpack_from, _POINT.unpack_from
        modes = (ctypes.c_int * 2)()
        p_fill, p_stroke = ctypes.byref(modes), ctypes.byref(modes, 4)
        get_segment, get_point, get_seg_type, get_close = (
            f.FPDFPath_GetPathSegment, f.FPDFPathSegment_GetPoint, f.FPDFPathSegment_GetType,
            f.FPDFPathSegment_GetClose)
        while objs:
            obj, outer = objs.pop()
            kind = get_type(obj)
            if kind == text_kind:
                # a glyph with no outline in a font the PDF carries draws nothing (a space); in a font
                # PDFium had to stand in for, the printed glyph may be any text
                if get_bounds(obj, p_left, p_bottom, p_right, p_top):
                    left, bottom, right, _ = unpack_bounds(bounds_view)
                    if abs(right - left) < 0.01 and f.FPDFFont_GetIsEmbedded(ptr(f.FPDFTextObj_GetFont(obj))) != 1:
                        a, b, c, d, e, f_ = outer
                        hidden.append((a * left + c * bottom + e + dx, height - (b * left + d * bottom + f_)))
                continue
            f.FPDFPageObj_GetMatrix(obj, p_matrix)
            mat = _compose(unpack_matrix(view), outer)
            if kind == form_kind:
                inner = [ptr(f.FPDFFormObj_GetObject(obj, i)) for i in range(f.FPDFFormObj_CountObjects(obj))]
                objs.extend((o, mat) for o in inner if get_type(o) in kinds)
                continue
            f.FPDFPath_GetDrawMode(obj, p_fill, p_stroke)
            if not modes[0] and not modes[1]:
                continue
            a, b, c, d, e, f_ = mat
            start = cur = None
            sub: List[pdf_grid.Edge] = []  # the current subpath's edges
            for k in range(f.FPDFPath_CountSegments(obj)):
                seg = ptr(get_segment(obj, k))
                get_point(seg, p_x, p_y)
                px, py = unpack_point(view, 24)
                pt = (a * px + c * py + e + dx, height - (b * px + d * py + f_))
                typ = get_seg_type(seg)
                if typ == moveto:
                    ruled += _flush(edges, sub)
                    start = cur = pt
                elif typ == lineto and cur is not None:
                    _edge(sub, cur, pt)
                    cur = pt
                else:  # a Bézier point: only its end point counts, and curves draw no ruling line
                    cur = pt
                if get_close(seg) and cur is not None and start is not None:
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
    if not hidden:
        return 0
    # only the characters on lines within half the largest size of a hidden object's baseline can touch it
    kept = sorted(chars, key=itemgetter("line"))
    lines = [c["line"] for c in kept]
    reach = max((max(c["size"], 1.0) for c in kept), default=1.0) / 2
    lost = 0
    for x, y in hidden:
        near = kept[bisect.bisect_left(lines, y - reach):bisect.bisect_right(lines, y + reach)]
        if not any(abs(c["line"] - y) <= max(c["size"], 1.0) / 2
                   and (c["x0"] - 1.5 <= x <= c["x1"] + 1.5 or x <= c["x0"] <= x + 0.6 * c["size"])
                   for c in near):
            lost += 1
    return lost


_ALL = struct.Struct("=4f6f2d")  # a loose box (left, top, right, bottom), a matrix (a..f), an origin (x, y)
_BOX = struct.Struct("=2f")  # a loose box's left and top
_MATRIX = struct.Struct("=6f")
_BOUNDS = struct.Struct("=4f")
_POINT = struct.Struct("=2f")
# the text page functions called per character, and what they return
_PER_CHAR = {"FPDFText_CountChars": ctypes.c_int, "FPDFText_GetCharOrigin": ctypes.c_int,
             "FPDFText_GetFontSize": ctypes.c_double, "FPDFText_GetLooseCharBox": ctypes.c_int,
             "FPDFText_GetMatrix": ctypes.c_int, "FPDFText_GetUnicode": ctypes.c_uint,
             "FPDFText_IsGenerated": ctypes.c_int, "FPDFText_HasUnicodeMapError": ctypes.c_int,
             "FPDFText_GetText": ctypes.c_int,
             # the page objects, for the ruling lines
             "FPDFPage_CountObjects": ctypes.c_int, "FPDFPage_GetObject": ctypes.c_void_p,
             "FPDFPageObj_GetType": ctypes.c_int, "FPDFPageObj_GetMatrix": ctypes.c_int,
             "FPDFFormObj_CountObjects": ctypes.c_int, "FPDFFormObj_GetObject": ctypes.c_void_p,
             "FPDFPath_GetDrawMode": ctypes.c_int, "FPDFPath_CountSegments": ctypes.c_int,
             "FPDFPath_GetPathSegment": ctypes.c_void_p, "FPDFPathSegment_GetPoint": ctypes.c_int,
             "FPDFPathSegment_GetType": ctypes.c_int, "FPDFPathSegment_GetClose": ctypes.c_int,
             "FPDFPageObj_GetBounds": ctypes.c_int, "FPDFTextObj_GetFont": ctypes.c_void_p,
             "FPDFFont_GetIsEmbedded": ctypes.c_int}
_FAST: Dict[str, Any] = {}


class _Unchecked:
    """PDFium's text page functions without pypdfium2's argument types: called with a ``c_void_p`` handle,
    ints and ``byref`` pointers into one buffer, a call costs about half as much (a page has thousands of
    characters, five calls each). ``map_error`` is None where PDFium has no ``HasUnicodeMapError``."""

    FPDFText_HasUnicodeMapError: Any  # set with the others below (None where PDFium lacks it)

    def __init__(self, raw: Any):
        for name, restype in _PER_CHAR.items():
            fn = getattr(raw, name, None)
            if fn is not None:  # the same symbol, as a function pointer of its own (argtypes None)
                fn = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
                fn.restype = restype
            setattr(self, name, fn)
        self.map_error = self.FPDFText_HasUnicodeMapError  # PDFium builds since 2023


def _fast(raw: Any) -> Any:
    fast = _FAST.get("text")
    if fast is None:
        fast = _FAST["text"] = _Unchecked(raw)
    return fast


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


def _turned(ctm: Sequence[float], box: Tuple[float, float, float, float], pen: Tuple[float, float],
            matrix: Tuple[float, float, float, float], size: float, upright: bool
            ) -> Tuple[float, float, float, float, float, float, bool]:
    """A character's box (left, right, bottom, top), pen's y, size and uprightness on a page turned by its
    /Rotate (``ctm``: the page's matrix), as pdfminer applies it."""
    ca, cb, cc, cd, ce, cf = ctm
    left, right, bottom, top = box
    pen_x, pen_y = pen
    ma, mb, mc, md = matrix
    xa, ya = ca * left + cc * bottom + ce, cb * left + cd * bottom + cf
    xb, yb = ca * right + cc * top + ce, cb * right + cd * top + cf
    left, right, bottom, top = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
    pen_y = cb * pen_x + cd * pen_y + cf
    ma, mb, mc, md = ma * ca + mb * cc, ma * cb + mb * cd, mc * ca + md * cc, mc * cb + md * cd
    was, upright = upright, ma * md > 0 and mb * mc <= 0
    if upright and not was:  # drawn turned, upright on the page: the same box rule
        size *= abs(md)
        top = bottom + size
    return left, right, bottom, top, pen_y, size, upright
