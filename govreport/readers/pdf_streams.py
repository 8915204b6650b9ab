"""A PDF's compressed streams, checked before a PDF engine opens the file: a flate bomb is refused.

A stream of a few hundred kilobytes can inflate to gigabytes (a content stream of a billion spaces), and
a PDF engine inflates a page's streams whole, in memory, when it reads the page. Every ``/FlateDecode``
stream of the file is inflated here in bounded chunks, keeping nothing, and one that would inflate past
``limits.PDF_MAX_INFLATED`` bytes refuses the file (``BadInputError``, exit 3). Streams this scan cannot inflate
(encrypted, another filter, damaged) are left to the engine, which reports them as it does today.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from ..errors import BadInputError
from ..limits import PDF_MAX_INFLATED

_CHUNK = 4 * 1024 * 1024
_MAX_RATIO = 1100  # deflate's greatest expansion is 1032 to 1

_STREAM = re.compile(rb"stream\r?\n")
_DICT_BEFORE = 4096  # how far before the ``stream`` keyword its dictionary may start


def refuse_flate_bombs(data: bytes, path: Path, limit: int = PDF_MAX_INFLATED) -> None:
    """Raise ``BadInputError`` when a ``/FlateDecode`` stream of ``data`` inflates past ``limit`` bytes."""
    pos = 0
    while True:
        m = _STREAM.search(data, pos)
        if m is None:
            return
        pos = m.end()
        head = data[max(0, m.start() - _DICT_BEFORE):m.start()]
        dict_start = head.rfind(b"obj")
        if b"FlateDecode" not in head[dict_start if dict_start >= 0 else 0:] or data[m.start() - 3:m.start()] == b"end":
            continue
        end = data.find(b"endstream", pos)
        end = len(data) if end < 0 else end
        if (end - pos) * _MAX_RATIO <= limit:
            pos = end
            continue  # too short to inflate past the limit: deflate expands at most ~1032 to 1
        inflated = _inflated_size(data, pos, end, limit)
        if inflated > limit:
            raise BadInputError(f"{path}: a compressed stream at byte {m.start()} inflates to more than "
                                f"{limit // (1024 * 1024)} MiB: refused as a possible flate bomb")
        pos = end


def _inflated_size(data: bytes, start: int, end: int, limit: int) -> int:
    """How many bytes ``data[start:end]`` inflates to, counted up to just past ``limit`` (0 when it is not
    a zlib stream this scan can read)."""
    z = zlib.decompressobj()
    total = 0
    pos = start
    try:
        while pos < end:
            block = data[pos:min(end, pos + _CHUNK)]
            pos += len(block)
            out = z.decompress(block, _CHUNK)
            total += len(out)
            while z.unconsumed_tail and total <= limit:
                out = z.decompress(z.unconsumed_tail, _CHUNK)
                total += len(out)
            if total > limit or z.eof:
                return total
    except zlib.error:
        return total
    return total
