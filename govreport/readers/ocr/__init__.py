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

from .cells import DOUBT_CONFIDENCE, GUESS_CONFIDENCE
from .engine import available
from .model import LOW_CONFIDENCE, OcrBox, OcrCell, OcrLine, OcrPage, page_text, render_page_text
from .page import DEFAULT_DPI, MAX_DPI, MIN_DPI, ocr_image, ocr_pages, rotate, skew_angle

__all__ = ["DEFAULT_DPI", "DOUBT_CONFIDENCE", "GUESS_CONFIDENCE", "LOW_CONFIDENCE", "MAX_DPI", "MIN_DPI", "OcrBox",
           "OcrCell", "OcrLine", "OcrPage", "available", "ocr_image", "ocr_pages", "page_text", "render_page_text",
           "rotate", "skew_angle"]
