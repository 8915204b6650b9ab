"""OCR for PDF pages without a text layer (scans): the optional extra ``govreport[ocr]``.

The page is rendered with pypdfium2 and read with RapidOCR (PP-OCR models shipped inside the
``rapidocr_onnxruntime`` wheel: nothing is downloaded at run time). The result is laid out like a text
page of :mod:`govreport.readers.pdf`:

* ruled tables are found from the ruling lines of the image itself (long horizontal and vertical runs
  of dark pixels that meet); each grid row becomes one line with its cells separated by TAB, an empty
  cell an empty field and the continuation of a merged cell an empty field too (as pdfplumber's
  ``table.extract``). Every cell is read from its own image: its ink is cut into text lines, each line
  into pieces where a wide gap separates them (two numbers in a cell stay two numbers), and each piece is
  recognised on its own (the text detector misses lone narrow digits such as ``0`` and ``1``);
* outside the tables, text boxes are detected on a scaled-down page, recognised at full resolution,
  clustered into lines by vertical overlap and sorted by x; a line whose boxes stand apart like the
  columns of an unruled table (three fields or more, two of them numbers, wide gaps) is written with TAB
  between its boxes, every box its own field;
* every field keeps its page, its box in PDF points (x0, top, x1, bottom, as pdfplumber) and its
  recognition confidence (the lowest of its pieces; capped at 0.5 for a number whose digit count does not
  fit its printed width), so the pipeline can flag cells read with confidence below
  :data:`LOW_CONFIDENCE`.

rapidocr, pypdfium2 and numpy are imported inside the functions only; the engine is created once per
process and reused for every page.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import BadInputError, MissingDependencyError
from . import Span, TextWriter

LOW_CONFIDENCE = 0.8  # cells read with less are worth a flag
WIDTH_MISMATCH_CONFIDENCE = 0.5  # a number whose digit count does not fit its printed width
DEFAULT_DPI = 200
MIN_DPI, MAX_DPI = 150, 300  # a bilevel scan is rendered at its own resolution within these

# engine settings: RapidOCR's defaults (48 x 320 recogniser input, which reads lone digits on a canvas
# with the most confidence); the direction classifier is off at every call (on upright scans it turns and
# drops lines)
ENGINE_SETTINGS: Dict[str, Any] = {"rec_img_shape": [3, 48, 320]}
MIN_SCORE = 0.3  # boxes read with less are dropped (kept above it, and flagged below LOW_CONFIDENCE)
INK_LEVEL = 192  # darker pixels are ink when a cell's text is cut into lines (thin strokes of 一 are light)
RULE_CONTRAST = 48  # a rule pixel is this much darker (0..255) than the paper beside it
DETECT_SIDE = 1280  # text detection runs on the page scaled to this longer side (pixels)
MAX_SKEW = 2.0  # degrees: the most tilt a scan is searched for
MIN_DESKEW = 0.1  # degrees: a page tilted less is read as it is (2 px over a table's width: in the tolerance)
SPECK_PT = 2.0  # points: ink no wider and no higher than this is a dot (or a speck of noise)
DOT_PT = 3.0  # points: a round blot up to this size alone in a cell is noise
SHAPE_CONFIDENCE = 0.95  # a dash or a slash told by its shape
GUESS_CONFIDENCE = 0.6  # a number mended from look-alike letters
DOUBT_CONFIDENCE = 0.2  # a table cell read as marks or digits mixed with marks
# what a table cell may print for "nothing" (as the table parser reads them)
_PLACEHOLDER_TEXTS = frozenset({"/", "-", "—", "——", "--", "－", "－－", "―", "／", "无", "\\", "…"})
_STROKE_LOOKALIKES = frozenset("一二三口丨")  # what a dash, a slash or a digit becomes when misread
_DASHES = "一-—－―"  # a flat stroke as the recogniser writes it
SKEW_SAMPLE = 200_000  # dark pixels sampled for the tilt estimate
_SMOOTH = (0.0625, 0.25, 0.375, 0.25, 0.0625)  # the row profile's smoothing kernel

_NUMBER = re.compile(r"^[-+]?[0-9０-９][0-9０-９,，.．]*%?$")
# single glyphs the recogniser confuses with digits when a table cell holds nothing else
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "Ｏ": "0", "〇": "0", "。": "0", "°": "0", "D": "0",
                                   "l": "1", "I": "1", "|": "1", "!": "1", "丨": "1"})
_TRAILING_DOT = re.compile(r"^([0-9]+)[.,，。．、]$")
# 一 at the start of an enumeration ("一、", "（一）") read as a dash or a dot
_ENUM_ONE = re.compile(r"(^|[（(])\s*[-—–·•.~_]\s*(?=[、）)])")
_EMPTY_PARENS = re.compile(r"[（(]\s*[)）](?=[\u4e00-\u9fff])")  # "（）予以公开": the 一 was lost
_TRANSLATE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "丶": "、"})

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()
_AVAILABLE: Optional[bool] = None


def _missing() -> MissingDependencyError:
    return MissingDependencyError("scanned PDF: OCR needs the ocr extra", hint="pip install 'govreport[ocr]'")


def available() -> bool:
    """Whether the ocr extra (rapidocr_onnxruntime with its models, pypdfium2, numpy) can be imported."""
    global _AVAILABLE
    if _AVAILABLE is None:
        try:
            import numpy  # noqa: F401
            import pypdfium2  # noqa: F401
            import rapidocr_onnxruntime  # noqa: F401
        except Exception:  # ImportError, or a broken native library underneath
            _AVAILABLE = False
        else:
            _AVAILABLE = True
    return _AVAILABLE


def _engine():
    """The process-wide RapidOCR engine (created on first use)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except Exception:
                raise _missing() from None
            _ENGINE = RapidOCR(**ENGINE_SETTINGS)
        return _ENGINE


# ---------------------------------------------------------------------------------------------
# result model


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box: text, confidence (0..1) and box in PDF points (x0, top, x1, bottom)."""

    text: str
    confidence: float
    bbox: Tuple[float, float, float, float]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class OcrCell:
    """A field of a line: a grid cell, or one box. ``confidence`` is None for an empty cell without ink."""

    text: str
    confidence: Optional[float]
    bbox: Tuple[float, float, float, float]
    boxes: List[OcrBox] = field(default_factory=list)


@dataclass
class OcrLine:
    """One line of the page in reading order. ``cells`` is None for the continuation of a merged cell."""

    cells: List[Optional[OcrCell]]
    kind: str  # "text" (fields joined by a space) | "table" (ruled grid row) | "columns" (unruled, TAB)
    top: float

    @property
    def separator(self) -> str:
        return " " if self.kind == "text" else "\t"


@dataclass
class OcrPage:
    number: int  # 1-based page number in the PDF
    width: float  # page size in PDF points
    height: float
    lines: List[OcrLine]
    boxes: List[OcrBox]  # every recognised box (for inspection)
    tables: int = 0  # ruled tables found
    seconds: float = 0.0  # render + OCR time of this page
    skew: float = 0.0  # the page's tilt in degrees (counter-clockwise), undone before reading it

    @property
    def text(self) -> str:
        return page_text(self)[0]


# ---------------------------------------------------------------------------------------------
# entry points


def ocr_pages(path: Path, page_numbers: Sequence[int], dpi: Optional[int] = None, pdf=None) -> List[OcrPage]:
    """Render and OCR the given 1-based pages of the PDF at ``path``. ``dpi``: the resolution to render
    at; None: a page that is one bilevel scanned image is rendered at the image's own resolution (within
    :data:`MIN_DPI`..:data:`MAX_DPI`: resampling it breaks its thin strokes), any other at
    :data:`DEFAULT_DPI`. ``pdf``: the file already open as a ``pypdfium2.PdfDocument`` (the PDF reader's
    own), rendered from without a second parse and left open; None: the file is opened here, and closed."""
    if not available():
        raise _missing()
    import numpy as np
    import pypdfium2 as pdfium

    engine = _engine()
    own = pdf is None
    if own:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception as exc:
            raise BadInputError(f"{path}: not a readable PDF for OCR ({type(exc).__name__})") from None
    pages: List[OcrPage] = []
    try:
        for number in page_numbers:
            if not 1 <= number <= len(pdf):
                raise BadInputError(f"{path}: no page {number} to OCR ({len(pdf)} pages)")
            started = time.perf_counter()
            page = pdf[number - 1]
            try:
                width, height = page.get_size()
                page_dpi = dpi or _scan_dpi(page, width, height) or DEFAULT_DPI
                bitmap = page.render(scale=page_dpi / 72.0, grayscale=True)
                image = np.array(bitmap.to_pil().convert("L"))
            finally:
                page.close()
            result = ocr_image(image, page_dpi, engine=engine)
            result.number, result.width, result.height = number, float(width), float(height)
            result.seconds = time.perf_counter() - started
            pages.append(result)
    finally:
        if own:
            pdf.close()
    return pages


def _scan_dpi(page: Any, width: float, height: float) -> Optional[int]:
    """The resolution of the bilevel image (1 bit a pixel: a fax-coded or JBIG2 scan) that covers the page,
    within :data:`MIN_DPI`..:data:`MAX_DPI`; None for any other page (a gray or colour scan resamples
    smoothly to :data:`DEFAULT_DPI`; a bilevel one loses the thin strokes of its glyphs)."""
    best = None
    try:
        for obj in page.get_objects(max_depth=1):
            if obj.type != 3:  # FPDF_PAGEOBJ_IMAGE
                continue
            bounds = obj.get_bounds() if hasattr(obj, "get_bounds") else obj.get_pos()  # pypdfium2 5 / 4
            area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
            if area < 0.8 * width * height or obj.get_metadata().bits_per_pixel != 1:
                continue
            px_w, px_h = obj.get_px_size()
            native = ((px_w * px_h) / (area / 72.0 / 72.0)) ** 0.5  # turned or not
            if best is None or native > best:
                best = native
    except Exception:  # an odd object: render at the default resolution
        return None
    if best is None:
        return None
    return int(round(min(MAX_DPI, max(MIN_DPI, best))))


def ocr_image(image: Any, dpi: float = DEFAULT_DPI, engine: Any = None) -> OcrPage:
    """OCR one page image (2-D uint8 numpy array, white paper) rendered at ``dpi``; page number 0."""
    import numpy as np

    engine = engine or _engine()
    gray = np.asarray(image)
    if gray.ndim == 3:
        gray = gray.mean(axis=2).astype(np.uint8)
    scale = 72.0 / dpi
    angle = skew_angle(gray, dpi)
    if abs(angle) >= MIN_DESKEW:
        gray = rotate(gray, -angle)  # upright: the rules of a table are straight, one grid per table
    grids = _find_grids(gray, dpi)
    outlines = [(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]) for g in grids]
    lines: List[OcrLine] = []
    boxes: List[OcrBox] = []
    for grid in grids:
        rows = _grid_rows(grid, gray, engine, dpi)
        lines.extend(rows)
        boxes.extend(b for row in rows for c in row.cells if c is not None for b in c.boxes)
    loose = [OcrBox(t, c, _scaled(b, scale)) for t, c, b in _detect_and_read(gray, engine, outlines)]
    boxes.extend(loose)
    lines.extend(_text_lines(loose))
    lines.sort(key=lambda line: line.top)
    h, w = gray.shape
    page = OcrPage(number=0, width=w * scale, height=h * scale, lines=lines, boxes=boxes, tables=len(grids),
                   skew=angle)
    if abs(angle) >= MIN_DESKEW:
        _boxes_on_the_page(page, angle, w, h, scale)
    return page


def _boxes_on_the_page(page: OcrPage, angle: float, w: int, h: int, scale: float) -> None:
    """Turn the boxes found on the deskewed image back onto the page as printed (the box around the
    turned rectangle), so that a cell's box points at the scan itself."""
    import math

    cx, cy = w * scale / 2.0, h * scale / 2.0
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def back(b: Tuple[float, float, float, float]) -> Tuple[float, float, float, float]:
        # the deskewed image is the page turned by -angle; turning by +angle (counter-clockwise on the
        # image, y down) takes (x, y) to (cx + c dx + s dy, cy - s dx + c dy)
        xs, ys = [], []
        for x, y in ((b[0], b[1]), (b[2], b[1]), (b[0], b[3]), (b[2], b[3])):
            dx, dy = x - cx, y - cy
            xs.append(cx + c * dx + s * dy)
            ys.append(cy - s * dx + c * dy)
        return (max(0.0, min(xs)), max(0.0, min(ys)), min(page.width, max(xs)), min(page.height, max(ys)))

    moved: Dict[int, OcrBox] = {}

    def box(b: OcrBox) -> OcrBox:
        if id(b) not in moved:
            moved[id(b)] = OcrBox(b.text, b.confidence, back(b.bbox))
        return moved[id(b)]

    for line in page.lines:
        for cell in line.cells:
            if cell is not None:
                cell.bbox = back(cell.bbox)
                cell.boxes = [box(b) for b in cell.boxes]
    page.boxes = [box(b) for b in page.boxes]


def _detect_and_read(gray: Any, engine: Any, skip: Sequence[Tuple[float, float, float, float]] = ()
                     ) -> List[Tuple[str, float, Tuple[float, float, float, float]]]:
    """Text boxes of a page image outside the ``skip`` rectangles (the ruled tables, read cell by cell):
    (text, confidence, (x0, top, x1, bottom) in pixels).

    Detection runs on the page scaled down to :data:`DETECT_SIDE` pixels (it finds 10 pt text as well
    there, in a third of the time); every box is then recognised from the full-resolution image.
    """
    import cv2

    h, w = gray.shape
    f = min(1.0, DETECT_SIDE / max(h, w))
    small = gray if f == 1.0 else cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))),
                                             interpolation=cv2.INTER_AREA)
    found, _ = engine(small, use_cls=False, use_rec=False)
    out = []
    for points in found or []:
        xs = [p[0] / f for p in points]
        ys = [p[1] / f for p in points]
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(w, int(round(max(xs)))), min(h, int(round(max(ys))))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if x1 - x0 < 2 or y1 - y0 < 2 or any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in skip):
            continue
        text, score = _recognise(engine, gray[y0:y1, x0:x1])
        if text and score >= MIN_SCORE:
            out.append((text, score, (float(x0), float(y0), float(x1), float(y1))))
    return out


def _recognise(engine: Any, crop: Any) -> Tuple[str, float]:
    """Text and confidence of one text-line image (no turning: a tall box is a narrow glyph here)."""
    import numpy as np

    result, _ = engine(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = str(result[0][0]).strip(), float(result[0][1])
    return _clean(text), (score if text else 0.0)


def render_page_text(page: OcrPage, writer: TextWriter) -> Dict[int, float]:
    """Write the page's lines to a :class:`~govreport.readers.TextWriter`, exactly
    like a text page: fields, a newline after each line. Returns {span start: confidence} for every span
    written with a confidence (absolute offsets, as the spans)."""
    confidences: Dict[int, float] = {}
    for line in page.lines:
        for i, cell in enumerate(line.cells):
            if i:
                writer.write(line.separator)
            if cell is None:  # the continuation of a merged cell
                continue
            start = writer.length
            writer.write(cell.text, page.number, cell.bbox)
            if cell.confidence is not None:
                confidences[start] = cell.confidence
        writer.write("\n")
    return confidences


def page_text(page: OcrPage) -> Tuple[str, List[Span], Dict[int, float]]:
    """The page as (text, spans, {span start: confidence}), offsets from the start of the page's text."""
    out = TextWriter()
    confidences = render_page_text(page, out)
    return out.text, out.spans, confidences


# ---------------------------------------------------------------------------------------------
# deskew


def skew_angle(gray: Any, dpi: float = DEFAULT_DPI) -> float:
    """The page's tilt in degrees (counter-clockwise positive, as :func:`rotate`), within
    ±:data:`MAX_SKEW`: the angle at which the dark pixels, projected onto the vertical axis, stack up into
    the sharpest rows (ruling lines and text lines are horizontal on an upright page). The shear of the
    ink's coordinates stands in for a rotation (the angles are small), coarse to fine: a few dozen
    histograms of one sample of the ink, no image is rotated."""
    import numpy as np

    g = np.asarray(gray)
    ys, xs = np.nonzero(g < 128)
    if len(ys) < 100:
        return 0.0
    step = max(1, len(ys) // SKEW_SAMPLE)
    ys = ys[::step].astype(np.float64)
    xs = xs[::step].astype(np.float64)
    xs -= g.shape[1] / 2.0
    bins = int(g.shape[0] + 2 * g.shape[1] * np.tan(np.radians(MAX_SKEW)) + 4)
    offset = bins / 2.0 - g.shape[0] / 2.0

    def sharpness(angle: float) -> float:
        # a point (x, y) of a line tilted by +angle (counter-clockwise on the image, y down) lies at
        # y = y0 - x tan(angle): y + x tan(angle) is constant along it
        # each point shared between its two nearest rows, the profile smoothed over a few pixels: else
        # the untilted angle, at which every point falls on a whole row, wins for being untilted
        pos = np.clip(ys + xs * np.tan(np.radians(angle)) + offset, 0, bins - 2)
        low = pos.astype(np.int64)
        frac = pos - low
        hist = np.bincount(low, 1.0 - frac, minlength=bins) + np.bincount(low + 1, frac, minlength=bins)
        hist = np.convolve(hist, _SMOOTH, mode="same")
        return float((hist * hist).sum())

    best = 0.0
    for span, step_deg in ((MAX_SKEW, 0.25), (0.25, 0.05), (0.05, 0.01)):
        n = int(round(span / step_deg))
        candidates = [best + k * step_deg for k in range(-n, n + 1)]
        candidates = [a for a in candidates if abs(a) <= MAX_SKEW + 1e-9]
        best = max(candidates, key=lambda a: (sharpness(a), -abs(a)))
    return round(best, 2)


def rotate(gray: Any, angle: float) -> Any:
    """The image turned by ``angle`` degrees counter-clockwise about its centre, white paper filled in
    at the corners, the same size."""
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=255)


# ---------------------------------------------------------------------------------------------
# lines outside ruled tables


def _scaled(b: Tuple[float, float, float, float], scale: float) -> Tuple[float, float, float, float]:
    return (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _rows_of(items: List[Any], bbox_of) -> List[List[Any]]:
    """Cluster items into rows: an item joins a row when it overlaps the row's vertical extent by at
    least half of the smaller height; rows in top-to-bottom order, items left to right."""
    rows: List[Tuple[float, float, List[Any]]] = []
    for item in sorted(items, key=lambda it: (bbox_of(it)[1] + bbox_of(it)[3]) / 2):
        b = bbox_of(item)
        h = b[3] - b[1]
        best = None
        for k in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom, members = rows[k]
            ov = _overlap(top, bottom, b[1], b[3])
            if ov < 0.5 * min(h, bottom - top):
                continue
            # a box that overlaps a member horizontally is on another line (two lines close together)
            if any(_overlap(bbox_of(m)[0], bbox_of(m)[2], b[0], b[2])
                   > 0.5 * min(b[2] - b[0], bbox_of(m)[2] - bbox_of(m)[0]) for m in members):
                continue
            best = k
            break
        if best is None:
            rows.append((b[1], b[3], [item]))
        else:
            top, bottom, members = rows[best]
            members.append(item)
            rows[best] = (min(top, b[1]), max(bottom, b[3]), members)
    out = [sorted(members, key=lambda it: bbox_of(it)[0]) for _, _, members in rows]
    out.sort(key=lambda members: min(bbox_of(m)[1] for m in members))
    return out


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.replace(" ", "")))


def _text_lines(boxes: List[OcrBox]) -> List[OcrLine]:
    lines = []
    for row in _rows_of(boxes, lambda b: b.bbox):
        cells = [OcrCell(b.text, b.confidence, b.bbox, [b]) for b in row]
        height = sorted(b.height for b in row)[len(row) // 2]
        gaps = [b.bbox[0] - a.bbox[2] for a, b in zip(row, row[1:])]
        numbers = sum(1 for b in row if _is_number(b.text))
        columns = len(row) >= 3 and numbers >= 2 and all(g > 1.0 * height for g in gaps)
        kind = "columns" if columns else "text"
        lines.append(OcrLine(cells=cells, kind=kind, top=min(b.bbox[1] for b in row)))
    return lines


# ---------------------------------------------------------------------------------------------
# ruled tables


@dataclass
class _Grid:
    xs: List[float]  # column rules (pixels)
    ys: List[float]  # row rules (pixels)
    # right[i][j]: a rule between atom (i, j) and (i, j + 1); down[i][j]: between (i, j) and (i + 1, j)
    right: List[List[bool]]
    down: List[List[bool]]


def _runs(mask_1d: Any, min_len: int, gap: int = 0) -> List[Tuple[int, int]]:
    """(start, end) of runs of True at least ``min_len`` long in a 1-D boolean array, runs separated by
    ``gap`` False values or fewer joined into one."""
    import numpy as np

    padded = np.concatenate(([False], mask_1d, [False]))
    diff = np.diff(padded.astype(np.int8))
    starts = np.flatnonzero(diff == 1).tolist()
    ends = np.flatnonzero(diff == -1).tolist()
    runs: List[List[int]] = []
    for a, b in zip(starts, ends):
        if runs and a - runs[-1][1] <= gap:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    return [(a, b) for a, b in runs if b - a >= min_len]


def _segments(ink: Any, min_len: int, max_thickness: int, gap: int = 0) -> List[Tuple[float, float, float]]:
    """Horizontal rule segments (y, x0, x1) of a boolean ink image: runs of ``min_len`` dark pixels (gaps
    of ``gap`` pixels bridged: where rules cross), merged over adjacent rows (a rule a few pixels thick is
    one segment)."""
    raw: List[Tuple[int, int, int]] = []
    for y in range(ink.shape[0]):
        row = ink[y]
        if row.sum() < min_len:
            continue
        for x0, x1 in _runs(row, min_len, gap):
            raw.append((y, x0, x1))
    segments: List[List[float]] = []  # y0, y1, x0, x1
    open_: List[List[float]] = []
    for y, x0, x1 in raw:
        match = None
        for s in open_:
            if y - s[1] <= 1 and _overlap(s[2], s[3], x0, x1) > 0.5 * min(s[3] - s[2], x1 - x0):
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


def _find_grids(gray: Any, dpi: float) -> List[_Grid]:
    """Ruled tables of a page image: horizontal and vertical rules joined into grids."""
    px = dpi / 72.0  # pixels per point
    h_min = int(24 * px)  # a rule is longer than two CJK characters (about 21 pt at 10.5 pt)
    v_min = int(10 * px)
    thick = max(2, int(3 * px))
    h_ink, v_ink = _rule_masks(gray, px)
    hs = _segments(h_ink, h_min, thick, 1)  # (y, x0, x1)
    vs = [(x, y0, y1) for x, y0, y1 in _segments(v_ink.T, v_min, thick, 1)]  # (x, y0, y1)
    tol = 3 * px
    end_tol = max(3.0, 1.2 * px)  # a rule runs into the rule it meets; a glyph's stroke stops short of it
    # a vertical rule reaches a horizontal rule at both ends, or meets two of them (a table cut by a page
    # break is open at one end); character strokes do neither, not even the tall strokes of a glyph in a
    # tight row
    def touches(y: float, x: float) -> bool:
        return any(abs(hy - y) <= end_tol and hx0 - tol <= x <= hx1 + tol for hy, hx0, hx1 in hs)

    def meets(v: Tuple[float, float, float]) -> int:
        return sum(1 for hy, hx0, hx1 in hs
                   if hx0 - tol <= v[0] <= hx1 + tol and v[1] - end_tol <= hy <= v[2] + end_tol)

    vs = [v for v in vs if (touches(v[1], v[0]) and touches(v[2], v[0])) or meets(v) >= 2]
    # horizontal rules must meet a vertical rule (underlines and strikes do not)
    hs = [h for h in hs
          if any(h[1] - tol <= vx <= h[2] + tol and vy0 - tol <= h[0] <= vy1 + tol for vx, vy0, vy1 in vs)]
    if len(hs) < 2 or len(vs) < 2:
        return []
    # connected groups of rules = tables
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
    grids = []
    for members in groups.values():
        gh = [m[1:] for m in members if m[0] == "h"]
        gv = [m[1:] for m in members if m[0] == "v"]
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
        if len(ys) < 2 or len(xs) < 2 or xs[-1] - xs[0] < h_min or ys[-1] - ys[0] < 1.5 * v_min:
            continue  # a box drawn by strokes of a glyph, not a table

        def v_covers(x: float, y0: float, y1: float) -> bool:
            need = 0.6 * (y1 - y0)
            return sum(max(0.0, _overlap(vy0, vy1, y0, y1)) for vx, vy0, vy1 in gv if abs(vx - x) <= tol) >= need

        def h_covers(y: float, x0: float, x1: float) -> bool:
            need = 0.6 * (x1 - x0)
            return sum(max(0.0, _overlap(hx0, hx1, x0, x1)) for hy, hx0, hx1 in gh if abs(hy - y) <= tol) >= need

        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        right = [[v_covers(xs[j + 1], ys[i], ys[i + 1]) for j in range(n_cols)] for i in range(n_rows)]
        down = [[h_covers(ys[i + 1], xs[j], xs[j + 1]) for j in range(n_cols)] for i in range(n_rows)]
        grids.append(_Grid(xs=xs, ys=ys, right=right, down=down))
    grids.sort(key=lambda g: g.ys[0])
    return grids


def _grid_cells(grid: _Grid) -> List[Tuple[int, int, int, int]]:
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


def _clean(text: str) -> str:
    """Undo the recogniser's habits: full-width digits, 丶 for 、, a dash for the 一 of "一、"."""
    return _EMPTY_PARENS.sub("（一）", _ENUM_ONE.sub(r"\1一", text.translate(_TRANSLATE)))


def _number_fix(text: str) -> str:
    """A table cell that is a number but for look-alike letters ("l" for 1, "O" or "。" for 0), or that
    has a stray dot after it ("9.")."""
    fixed = text.translate(_DIGIT_LOOKALIKES)
    if fixed != text and _NUMBER.match(fixed) and len(text) <= 12:
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
    if _is_number(fixed) or compact_text in _PLACEHOLDER_TEXTS:
        return fixed, confidence
    ideographs = sum(1 for ch in compact_text if "\u4e00" <= ch <= "\u9fff" and ch not in _STROKE_LOOKALIKES)
    digits = any(ch.isdigit() for ch in compact_text)
    if (digits and ideographs < 2) or (not digits and ideographs == 0 and len(compact_text) <= 3):
        confidence = min(confidence, DOUBT_CONFIDENCE)
    return fixed, confidence


def _grid_rows(grid: _Grid, gray: Any, engine: Any, dpi: float) -> List[OcrLine]:
    """The grid's rows as lines, pdfplumber-like: a field per column where some cell starts, None where a
    merged cell continues; every cell read from its own image."""
    scale = 72.0 / dpi
    cells = _grid_cells(grid)
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
            text, conf, boxes = _read_cell(gray, inks[c], engine, char_px, scale)
            text, conf = _judged(text, conf)
            row.append(OcrCell(text, conf, _scaled(rects[c], scale), boxes))
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
    runs = _runs(rows > 0, 1)
    # the strokes of 二 or 三 are separate runs: merge runs while the merged band stays one glyph high
    tallest = max(b - a for a, b in runs)
    limit = 1.3 * max(tallest, 7 * px)
    bands: List[List[int]] = []
    for a, b in runs:
        if bands and b - bands[-1][0] <= limit:
            bands[-1][1] = b
        else:
            bands.append([a, b])
    bands = [(a, b) for a, b in bands if (b - a) >= speck or ink[a:b].sum(axis=0).astype(bool).sum() >= speck]
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


def _read_cell(gray: Any, cell_ink, engine: Any, char_px: float, scale: float
               ) -> Tuple[str, Optional[float], List[OcrBox]]:
    """Text, confidence (min over its pieces; None without ink) and boxes of one cell. Each text line
    of the cell is cut where a gap wider than the line is high separates its glyphs (two numbers in one
    cell stay two pieces), and each piece is recognised on a white canvas about one text line high."""
    import numpy as np

    if cell_ink is None:
        return "", None, []
    (ox, oy), bands, ink, patch = cell_ink
    speck = max(2, int(round(char_px / 10)))
    parts: List[str] = []
    boxes: List[OcrBox] = []
    for a, b in bands:
        band = ink[a:b]
        cols = _runs(band.any(axis=0), 1)
        pieces: List[List[int]] = []
        for c0, c1 in cols:
            if pieces and c0 - pieces[-1][1] <= 1.5 * max(b - a, char_px):
                pieces[-1][1] = c1
            else:
                pieces.append([c0, c1])
        text_line = ""
        for c0, c1 in pieces:
            sub = band[:, c0:c1]
            if sub.sum() < speck and (c1 - c0) < speck:
                continue
            rr = np.flatnonzero(sub.any(axis=1))
            g0, g1 = a + int(rr[0]), a + int(rr[-1]) + 1
            glyphs = patch[g0:g1, c0:c1]
            drawn = _placeholder_shape(band[g0 - a:g1 - a, c0:c1], char_px)
            if drawn is not None:  # a dash or a slash, told by its shape (recognised, it reads as 一, 二, 口,
                text, score = drawn, SHAPE_CONFIDENCE  # ·, 1 or l as often as not)
            else:
                text, score = _recognise(engine, _canvas(glyphs, char_px))
            if drawn is None and text and text[-1] not in _DASHES and _ends_with_a_stroke(sub, char_px):
                # a flat stroke closing the piece (the 一 of "三安全一" at a line's end) is dropped by the
                # recogniser on some margins: look again with others, keep a reading that has it
                for side, above in ((0.4, 0.3), (2.0, 0.6)):
                    again = _recognise(engine, _canvas(glyphs, char_px, side, above))
                    if again[0][-1:] in _DASHES and again[0][:-1] == text:
                        text, score = again
                        break
            if drawn is None and score < LOW_CONFIDENCE:
                # more looks (narrower, tighter margins), as lone digits of some fonts are read surer so
                for variant in (_canvas(glyphs, char_px, squeeze=0.8), _canvas(glyphs, char_px, 0.2, 0.2)):
                    again = _recognise(engine, variant)
                    if again[1] > score:
                        text, score = again
                    if score >= LOW_CONFIDENCE:
                        break
            if not _width_fits(_number_fix(text), c1 - c0, g1 - g0):
                score = min(score, WIDTH_MISMATCH_CONFIDENCE)
            x0, y0, x1, y1 = ox + c0, oy + g0, ox + c1, oy + g1
            boxes.append(OcrBox(text, score, _scaled((x0, y0, x1, y1), scale)))
            if text_line and text and _is_number(text) and text_line[-1].isdigit():
                text_line += " "  # two numbers in one cell stay two numbers
            text_line += text
        parts.append(text_line)
    if not boxes:
        return "", None, []
    return "".join(parts), min(b.confidence for b in boxes), boxes


def _ends_with_a_stroke(ink: Any, char_px: float) -> bool:
    """Whether the last glyph of a piece of ink (after a gap of blank columns) is one flat stroke."""
    runs = _runs(ink.any(axis=0), 1)
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
