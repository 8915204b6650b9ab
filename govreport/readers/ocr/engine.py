"""The OCR engine: RapidOCR, created once per process, and what it reads from a text-line image (the
recogniser's habits undone: full-width digits, 丶 for 、, a dash for the 一 of "一、")."""

from __future__ import annotations

import re
import threading
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...errors import MissingDependencyError

# engine settings: RapidOCR's defaults (48 x 320 recogniser input, which reads lone digits on a canvas
# with the most confidence); the direction classifier is off at every call (on upright scans it turns and
# drops lines)
ENGINE_SETTINGS: Dict[str, Any] = {"rec_img_shape": [3, 48, 320]}
MIN_SCORE = 0.3  # boxes read with less are dropped (kept above it, and flagged below LOW_CONFIDENCE)
DETECT_SIDE = 1280  # text detection runs on the page scaled to this longer side (pixels)
# 一 at the start of an enumeration ("一、", "（一）") read as a dash or a dot
_ENUM_ONE = re.compile(r"(^|[（(])\s*[-—–·•.~_]\s*(?=[、）)])")
_EMPTY_PARENS = re.compile(r"[（(]\s*[)）](?=[\u4e00-\u9fff])")  # "（）予以公开": the 一 was lost
_TRANSLATE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "丶": "、"})

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()
_AVAILABLE: Optional[bool] = None


def missing_extra() -> MissingDependencyError:
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


def get_engine():
    """The process-wide RapidOCR engine (created on first use)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except Exception:
                raise missing_extra() from None
            _ENGINE = RapidOCR(**ENGINE_SETTINGS)
        return _ENGINE


def detect_and_read(gray: Any, engine: Any, skip: Sequence[Tuple[float, float, float, float]] = ()
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
        text, score = recognise(engine, gray[y0:y1, x0:x1])
        if text and score >= MIN_SCORE:
            out.append((text, score, (float(x0), float(y0), float(x1), float(y1))))
    return out


def recognise(engine: Any, crop: Any) -> Tuple[str, float]:
    """Text and confidence of one text-line image (no turning: a tall box is a narrow glyph here)."""
    import numpy as np

    result, _ = engine(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = str(result[0][0]).strip(), float(result[0][1])
    return _clean(text), (score if text else 0.0)


def _clean(text: str) -> str:
    """Undo the recogniser's habits: full-width digits, 丶 for 、, a dash for the 一 of "一、"."""
    return _EMPTY_PARENS.sub("（一）", _ENUM_ONE.sub(r"\1一", text.translate(_TRANSLATE)))
