"""Plain text and Markdown: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030, detected."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Tuple

from ..errors import BadInputError
from . import Document


def decode(data: bytes, path: Path) -> Tuple[str, str]:
    """The text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # mostly UTF-8 with a few broken bytes (a truncated download): keep it readable
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 200):
        return text, "utf-8"
    raise BadInputError(f"{path}: not readable as UTF-8 or GB18030 text ({utf8_error.reason} at byte {utf8_error.start})")


def read(data: bytes, path: Path, fmt: str) -> Document:
    text, encoding = decode(data, path)
    # pdftotext ends every page with a form feed: keep where the pages start
    breaks = [m.end() for m in re.finditer("\f", text)]
    pages = [0] + [b for b in breaks if b < len(text)] if breaks else []
    return Document(text=text, format=fmt, encoding=encoding, page_offsets=pages,
                    pages=len(pages) or None)
