"""A scanned page: rendered, deskewed, its ruled tables read cell by cell (:mod:`.grid`, :mod:`.cells`), the
text outside them detected, read and laid out in lines (a line whose boxes stand apart like the columns of
an unruled table gets TAB between them); boxes turned back onto the page as printed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...errors import BadInputError
from .cells import grid_rows
from .engine import available, detect_and_read, get_engine, missing_extra
from .geometry import overlap, scaled
from .grid import find_grids
from .model import OcrBox, OcrCell, OcrLine, OcrPage, is_number

DEFAULT_DPI = 200
MIN_DPI, MAX_DPI = 150, 300  # a bilevel scan is rendered at its own resolution within these
MAX_SKEW = 2.0  # degrees: the most tilt a scan is searched for
MIN_DESKEW = 0.1  # degrees: a page tilted less is read as it is (2 px over a table's width: in the tolerance)
SKEW_SAMPLE = 200_000  # dark pixels sampled for the tilt estimate
_SMOOTH = (0.0625, 0.25, 0.375, 0.25, 0.0625)  # the row profile's smoothing kernel


def ocr_pages(path: Path, page_numbers: Sequence[int], dpi: Optional[int] = None, pdf=None) -> List[OcrPage]:
    """Render and OCR the given 1-based pages of the PDF at ``path``. ``dpi``: the resolution to render
    at; None: a page that is one bilevel scanned image is rendered at the image's own resolution (within
    :data:`MIN_DPI`..:data:`MAX_DPI`: resampling it breaks its thin strokes), any other at
    :data:`DEFAULT_DPI`. ``pdf``: the file already open as a ``pypdfium2.PdfDocument`` (the PDF reader's
    own), rendered from without a second parse and left open; None: the file is opened here, and closed."""
    if not available():
        raise missing_extra()
    import numpy as np
    import pypdfium2 as pdfium

    engine = get_engine()
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

    engine = engine or get_engine()
    gray = np.asarray(image)
    if gray.ndim == 3:
        gray = gray.mean(axis=2).astype(np.uint8)
    scale = 72.0 / dpi
    angle = skew_angle(gray, dpi)
    if abs(angle) >= MIN_DESKEW:
        gray = rotate(gray, -angle)  # upright: the rules of a table are straight, one grid per table
    grids = find_grids(gray, dpi)
    outlines = [(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]) for g in grids]
    lines: List[OcrLine] = []
    boxes: List[OcrBox] = []
    for grid in grids:
        rows = grid_rows(grid, gray, engine, dpi)
        lines.extend(rows)
        boxes.extend(b for row in rows for c in row.cells if c is not None for b in c.boxes)
    loose = [OcrBox(t, c, scaled(b, scale)) for t, c, b in detect_and_read(gray, engine, outlines)]
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
            ov = overlap(top, bottom, b[1], b[3])
            if ov < 0.5 * min(h, bottom - top):
                continue
            # a box that overlaps a member horizontally is on another line (two lines close together)
            if any(overlap(bbox_of(m)[0], bbox_of(m)[2], b[0], b[2])
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


def _text_lines(boxes: List[OcrBox]) -> List[OcrLine]:
    lines = []
    for row in _rows_of(boxes, lambda b: b.bbox):
        cells: List[Optional[OcrCell]] = [OcrCell(b.text, b.confidence, b.bbox, [b]) for b in row]
        height = sorted(b.height for b in row)[len(row) // 2]
        gaps = [b.bbox[0] - a.bbox[2] for a, b in zip(row, row[1:], strict=False)]
        numbers = sum(1 for b in row if is_number(b.text))
        columns = len(row) >= 3 and numbers >= 2 and all(g > 1.0 * height for g in gaps)
        kind = "columns" if columns else "text"
        lines.append(OcrLine(cells=cells, kind=kind, top=min(b.bbox[1] for b in row)))
    return lines
