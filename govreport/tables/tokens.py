"""Number tokens and groups in a span of document text.

A *group* is a run of number tokens separated only by cell separators (spaces, tabs, ``|``, line breaks
inside plain text). Any other text ends a group, and so does the start of a markdown table row, which is a
row of its own.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..readers import COVERED  # a grid position a merged cell covers: not a cell of its own
from .budget import longest_run

PLACEHOLDERS = frozenset({"/", "-", "—", "——", "--", "－", "－－", "―", "／", "无", "\\", "…"})

_TOKEN = re.compile(
    r"(?P<num>[+\-]?\d+(?:\.\d+)?)|(?P<ph>——|--|－－|[/／\\\-—－―…]|无)|(?P<sep>[ \t|\u2063]+)|(?P<nl>\n)"
)


# a number followed by one of these is a date or a page number, never a table cell
_CJK_AFTER = re.compile(r"[年月日号页期届]")


@dataclass(frozen=True)
class Token:
    raw: str
    start: int
    end: int
    kind: str  # num | placeholder | empty (a grid cell printed empty)
    alone: bool = False  # the only thing on its line, in a row printed over several lines (maybe a page number)

    @property
    def is_number(self) -> bool:
        return self.kind == "num"


@dataclass(frozen=True)
class Group:
    tokens: Tuple[Token, ...]
    start: int
    end: int
    md_row: bool = False  # came from one markdown table row

    def __len__(self) -> int:
        return len(self.tokens)


def _standalone_placeholder(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before in " \t|\n\u2063" and after in " \t|\n\u2063"


def _mark_alone(text: str, tokens: List[Token]) -> Tuple[Token, ...]:
    """Flag tokens alone on their line when the group's other lines print several numbers or a run."""
    lines = []  # each token's line, counted from the group's first (only which tokens share a line matters)
    line, pos = 0, tokens[0].start
    for t in tokens:  # in order: the newlines between neighbours, not from the start each time
        line += text.count("\n", pos, t.start)
        pos = t.start
        lines.append(line)
    if len(set(lines)) < 2:
        return tuple(tokens)
    per_line = Counter(lines)
    if all(c == 1 for c in per_line.values()) and all(len(t.raw) <= 4 for t in tokens):
        return tuple(tokens)  # a column dump: one number a line is the layout, not a stray
    out = []
    for t, ln in zip(tokens, lines, strict=True):
        out.append(Token(t.raw, t.start, t.end, t.kind, True) if per_line[ln] == 1 else t)
    return tuple(out)


_PIPE_AHEAD = re.compile(r"[ \t]*\|")
_NEWLINES: Tuple[Optional[str], "array[int]"] = (None, array("q"))  # the last text's newline offsets


def line_start_of(text: str, pos: int) -> int:
    """Where the line holding ``pos`` starts: a binary search in the text's newline offsets (found once per
    text), not a search back along a line that may be megabytes long."""
    global _NEWLINES
    cached, newlines = _NEWLINES
    if cached is not text:
        newlines = array("q", (m.start() for m in re.finditer("\n", text)))
        _NEWLINES = (text, newlines)
    i = bisect.bisect_left(newlines, pos)
    return newlines[i - 1] + 1 if i else 0


def _not_a_cell(text: str, start: int, end: int) -> bool:
    """The number ``text[start:end]`` is part of a text ("A1", "(cid:12", "2020年…", "第5页"), or longer than
    any printed row of cells can hold together: not a cell."""
    prev = text[start - 1] if start > 0 else " "
    nxt = text[end] if end < len(text) else " "
    return (prev.isascii() and prev.isalpha()) or bool(_CJK_AFTER.match(nxt)) or end - start > longest_run()


def groups_in(text: str, start: int, end: int) -> List[Group]:
    """The number groups in ``text[start:end]`` (one pass: linear in the span, however many lines and
    numbers it holds)."""
    out: List[Group] = []
    current: List[Token] = []
    first_in_pipe_row = False  # the current group's first token sits on a markdown table row

    def close() -> None:
        nonlocal current
        if current:  # a run of placeholders is a group too: its row's printed cells
            first = current[0].start
            out.append(Group(_mark_alone(text, current), first, current[-1].end, first_in_pipe_row))
        current = []

    def add(tok: Token) -> None:
        nonlocal first_in_pipe_row
        if not current:  # its line starts at line_start, known here (no search back along a long line)
            first_in_pipe_row = _PIPE_AHEAD.match(text, line_start, tok.start + 1) is not None
        current.append(tok)

    line_start = line_start_of(text, start)
    pos = start
    while pos < end:
        m = _TOKEN.match(text, pos, end)
        if not m:
            close()
            pos += 1
            continue
        kind = m.lastgroup
        if kind == "num":
            if _not_a_cell(text, m.start(), m.end()):
                close()
            else:
                add(Token(m.group(), m.start(), m.end(), "num"))
        elif kind == "ph":
            if _standalone_placeholder(text, m.start(), m.end()):
                add(Token(m.group(), m.start(), m.end(), "placeholder"))
            else:
                close()
        elif kind == "nl":
            on_line = 0  # the group's tokens on the line this newline ends (a suffix of the group)
            while on_line < len(current) and current[-1 - on_line].start >= line_start:
                on_line += 1
            if _PIPE_AHEAD.match(text, m.end(), end) or (current and first_in_pipe_row):
                close()  # a markdown table row is a row of its own
            elif on_line >= 2:
                close()  # a line of several numbers is a printed row; one number a line is a column dump
            line_start = m.end()
        pos = m.end()
    close()
    return out


def split_fields(text: str, start: int, end: int) -> Optional[List[Token]]:
    """Every tab- or pipe-separated field of the line segment ``text[start:end]`` as a token.

    Returns None unless every field is a number, a placeholder or empty ('empty' tokens).
    """
    seg = text[start:end]
    line_end = seg.find("\n")
    if line_end >= 0:
        if seg[line_end:].strip():
            return None
        seg = seg[:line_end]
    sep = "\t" if "\t" in seg else ("|" if "|" in seg else None)
    if sep is None:
        return None
    fields: List[Tuple[str, int]] = []
    offset = start
    for part in seg.split(sep):
        fields.append((part, offset))
        offset += len(part) + 1
    if sep == "|":
        if seg.lstrip().startswith("|"):
            fields = fields[1:]
        if seg.rstrip().endswith("|"):
            fields = fields[:-1]
    cells: List[Token] = []
    for part, off in fields:
        if part.strip() == COVERED:
            continue  # a merged cell's covered position: no cell of its own
        tok = field_token(part, off)
        if tok is None:
            return None
        cells.append(tok)
    return cells


def field_token(part: str, off: int) -> Optional[Token]:
    """The grid field ``part`` (at text offset ``off``) as a cell: a number, a placeholder, or empty (a
    covered position counts as empty); None when it holds text."""
    s = part.strip()
    lead = len(part) - len(part.lstrip())
    if not s or s == COVERED:
        return Token("", off, off, "empty")
    if re.fullmatch(r"[+\-]?\d+(?:\.\d+)?", s):
        return Token(s, off + lead, off + lead + len(s), "num")
    if s in PLACEHOLDERS:
        return Token(s, off + lead, off + lead + len(s), "placeholder")
    return None


def grid_cells(text: str, start: int, end: int) -> Optional[List[Token]]:
    """The cells of a tab- or pipe-separated line segment ``text[start:end]`` whose label was consumed:
    the first field is the rest of the label's own field and is left out."""
    seg = text[start:end].split("\n", 1)[0]
    sep = "\t" if "\t" in seg else ("|" if "|" in seg else None)
    if sep is None:
        return None
    first = seg.find(sep)
    if sep == "|" and not seg[first + 1:].strip():
        return None
    rest = seg[:first].split()
    if rest and (re.fullmatch(r"[+\-]?\d+(?:\.\d+)?", rest[-1]) or rest[-1] in PLACEHOLDERS):
        return None  # the label's own field ends in a number: the fields after it are not its cells
    return split_fields(text, start + first + 1, end)
