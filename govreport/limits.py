"""The default limits, in one place: what one input may cost before it is refused, and the defaults of the
command line's limit options. Read by ``api``, the readers, the CLI and ``batch``; nothing here imports.

The ``DEFAULT_*`` values are what ``extract(...)``, ``govreport extract`` and ``govreport batch`` use when
no option changes them; the others are fixed guards against hostile input (``BadInputError``, exit 3).
"""

from __future__ import annotations

# --- what the options start from -------------------------------------------------------------------------
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # --max-bytes: an annual report is a few MB; a scanned one rarely 50
DEFAULT_MAX_PAGES = 500  # --max-pages: PDFs with more pages are refused
DEFAULT_TIMEOUT = 300.0  # --timeout: seconds one input may take (0: no limit)
DEFAULT_PDF_ENGINE = "pdfium"  # --pdf-engine
DEFAULT_JOBS = 0  # batch --jobs: worker processes (0: all cores; 1: in-process)

# --- fixed guards ---------------------------------------------------------------------------------------
# the most characters of text a document may hold: a 500-page report prints about a million; a longer text
# (a line of megabytes, a file of repeated pages) is refused before the tables are searched (bounded work)
MAX_TEXT_CHARS = 10_000_000
# the most one PDF stream may inflate to: a page image of A4 at 600 dpi in RGB is about 105 MB
PDF_MAX_INFLATED = 256 * 1024 * 1024
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a .docx archive: all members together
DOCX_MAX_RATIO = 100  # uncompressed / compressed, for members over DOCX_RATIO_FLOOR bytes
DOCX_RATIO_FLOOR = 1024 * 1024
DOCX_MAX_MEMBERS = 10000
OFFICE_CONVERT_SECONDS = 120  # LibreOffice's conversion of a .doc (or .wps)
