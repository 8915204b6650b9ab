"""What the markup readers (HTML, DOCX) share: text of a cell or a paragraph with its whitespace collapsed,
the lines of one table cell joined into one field, and their Document (whose tables mark an empty cell as
an empty field: ``empty_cells_blank``)."""

from __future__ import annotations

import re
from typing import Any, Iterable

from . import Document

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WS = re.compile(r"\s+")
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def collapse(s: str, join_wide: bool = True) -> str:
    """Whitespace runs (tabs, newlines, no-break and ideographic spaces) become one space; none is kept
    between two non-ASCII characters (markup line breaks inside Chinese text are not spaces)."""
    s = _WS.sub(" ", s.translate(_ZERO_WIDTH)).strip()
    return _SPACE_BETWEEN_WIDE.sub("", s) if join_wide else s


def without_spaces(s: str) -> str:
    """The text without any whitespace or zero-width character (to find a phrase however it is wrapped)."""
    return _WS.sub("", s.translate(_ZERO_WIDTH))


def join_pieces(pieces: Iterable[str]) -> str:
    """Lines of one table cell joined into one field: directly, but with a space between two ASCII
    letters or digits (so that two numbers on two lines never fuse into one)."""
    out = ""
    for p in pieces:
        p = p.replace("\t", " ").strip()
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


def make_document(**fields: Any) -> Document:
    """A Document from a reader whose tables write every cell, an empty one as an empty field."""
    return Document(empty_cells_blank=True, **fields)
