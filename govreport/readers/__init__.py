"""Readers turn an input file into a :class:`Document`: text with line structure (and, for PDFs, pages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class Document:
    text: str
    format: str  # txt | md | pdf | docx | html | doc
    encoding: Optional[str] = None
    pages: Optional[int] = None
    text_layer: str = "ok"
    ocr: bool = False
    page_offsets: List[int] = field(default_factory=list)  # start offset of each page in ``text``
