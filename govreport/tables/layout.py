"""From a table's region of document text to one observation per template row.

Labels anchor rows: a label *inline* with numbers (only separators between them) owns that group of
numbers. Number groups that no label owns are placed, in order, on the rows between two anchors when
their count matches exactly (markdown dumps whose labels drifted away from their cells).
"""

from __future__ import annotations

import bisect
import re
from itertools import pairwise
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from ..normalize import compact, match_form
from ..readers import COVERED
from ..template import ColumnDef, HeaderWords, RowDef, TableDef, strip_list_marker
from . import columns
from .labels import LabelMatch, best_monotone, find_labels
from .tokens import PLACEHOLDERS, Group, Token, field_token, grid_cells, groups_in

_SEPARATORS = " \t|:：\n\u2063"
_STARTS_NUMBER = re.compile(r"[+\-]?\d|——|--|[/／\-—－―]|无(?![\u4e00-\u9fff])")


@dataclass
class RowObs:
    row: RowDef
    tokens: List[Token] = field(default_factory=list)
    positional: bool = False  # one token per column, in order ('empty' tokens for empty cells)
    found: bool = False  # the label was found in the text
    placed_by_order: bool = False  # an unlabeled group placed by its order between two labelled rows
    # how the numbers were placed on this row when that took a guess (the trust rule: a guessed value is
    # ok only when the hard checks over it pass): "by_order", "off_line" (numbers on another line than
    # any part of the label), "wrapped" (a second group completed the row)
    guesses: List[str] = field(default_factory=list)


@dataclass
class TableObs:
    table: TableDef
    rows: Dict[str, RowObs]
    start: int
    end: int
    extra_rows: List[RowObs] = field(default_factory=list)  # rows of another template version
    notes: List[str] = field(default_factory=list)


_CELL = re.compile(r"[+\-]?\d+(?:\.\d+)?|[/／\-—－―]{1,2}|无")
_LAYOUT_WORD = re.compile(r"(?:(?<=  )|(?<=^ )|(?<=^))(\S+)(?=  |\s*$)", re.M)  # a word standing apart


def number_lines(text: str, start: int, end: int, group_labels: Sequence[str] = ()) -> List[Tuple[int, int]]:
    """The lines of ``text[start:end]`` that hold nothing but cells (numbers, placeholders) and, in
    layout-preserving text, pieces of the vertical group labels printed beside them (``本年``, ``无法提``)."""
    out: List[Tuple[int, int]] = []
    pos = start
    while pos < end:
        e = text.find("\n", pos, end)
        e = end if e < 0 else e
        line = text[pos:e]
        words = line.replace("\u2063", " ").replace("|", " ").split()
        if words and any(_CELL.fullmatch(w) for w in words):
            rest = [compact(w) for w in words if not _CELL.fullmatch(w)]
            # a piece of a group label, never a whole one (a row of its own, like 2019's （六）其他处理),
            # and never in a grid, whose fields say where each text belongs
            if not rest or ("\t" not in line and all(any(r in g and r != g for g in group_labels) for r in rest)):
                out.append((pos, e))
        pos = e + 1
    return out


def _inner_groups(text: str, a: int, b: int, lines: Sequence[Tuple[int, int]]) -> List[Group]:
    """Groups inside a label's span that wraps over lines (a label wrapped around its row's numbers): on
    its number lines, or standing apart at the end of one of its lines."""
    if "\n" not in text[a:b] or "\t" in text[a:b]:
        return []
    out: List[Group] = []
    pos = a
    while pos < b:
        e = text.find("\n", pos, b)
        e = b if e < 0 else e
        if any(x <= pos and e <= y for x, y in lines) and pos > a:
            out.extend(groups_in(text, pos, e))
        else:
            tail = re.search(r"(?:  +(?:[+\-]?\d+(?:\.\d+)?|[/／\-—－―]{1,2}|无))+\s*$", text[pos:e])
            if tail and e < b:
                out.extend(groups_in(text, pos + tail.start(), e))
        pos = e + 1
    return out


class _Region:
    def __init__(self, text: str, start: int, end: int, group_labels: Sequence[str] = (),
                 row_labels: Sequence[str] = ()):
        self.text = text
        self.start = start
        self.end = end
        # labels are matched with the number lines left out: a label wrapped in a narrow column may print
        # half above and half below its own row of numbers
        self.number_lines = number_lines(text, start, end, group_labels)
        blanked: List[Tuple[int, int]] = list(self.number_lines)  # spans left out of the labels' text
        # in layout text, the numbers and the pieces of vertical group labels printed between a wrapped
        # label's lines are not part of the label either
        layout = re.search(r"\d   +\d", text[start:end]) is not None  # columns kept apart by spaces
        line_end, tabbed = -1, False  # the current word's line: where it ends, whether it holds a tab
        for m in (_LAYOUT_WORD.finditer(text, start, end) if layout else ()):
            w = m.group(1)
            if m.start() > line_end:  # a new line (looked at once per line, not per word)
                line_start = text.rfind("\n", 0, m.start()) + 1
                nl = text.find("\n", m.end())
                line_end = len(text) if nl < 0 else nl
                tabbed = "\t" in text[line_start:nl if nl >= 0 else end]
            if tabbed:
                continue
            c = compact(w)
            if _CELL.fullmatch(w) or (c not in row_labels and any(c in g and c != g for g in group_labels)):
                blanked.append((m.start(1), m.end(1)))
        parts: List[str] = []
        pos = start
        for x, y in sorted(blanked):
            if y <= pos:
                continue
            x = max(x, pos)
            parts.append(text[pos:x])
            parts.append(" " * (y - x))
            pos = y
        parts.append(text[pos:end])
        self.compact, self.index = match_form("".join(parts))  # offsets from ``start``
        # a markdown rendering: cells sit in "| … |" rows, never on a line below their label
        self.markdown = bool(re.search(r"^[ \t]*\|.*\d.*\|", text[start:end], re.M))

    def orig_start(self, c: int) -> int:
        return self.start + self.index[c] if c < len(self.index) else self.end

    def orig_end(self, c_end: int) -> int:
        return self.start + self.index[c_end - 1] + 1 if c_end > 0 else self.start


_LIST_MARKER_AHEAD = re.compile(r"\d{1,2}\s*[.、．]\s*[\u4e00-\u9fff]")


_GLOSS = re.compile(r"[ \t]*[（(][^（()）\n]{1,40}[）)]")  # may run into the next grid field


def _inline_position(region: _Region, orig_end: int) -> Optional[int]:
    """Where numbers start right after a label (only separators between), or None.

    A list number opening the next label (``1.属于…``) is not a number, and a markdown table row on a
    later line belongs to its own label, not to text above it.
    """
    pos = orig_end
    text = region.text
    crossed_line = False
    gloss = _GLOSS.match(text, pos, region.end)
    if gloss:  # a gloss after the label: 规章（设区的市级以上人民政府填报）
        pos = gloss.end()
    while pos < region.end and text[pos] in _SEPARATORS:
        if text[pos] == "\n":
            crossed_line = True
        pos += 1
    if pos >= region.end or not _STARTS_NUMBER.match(text, pos) or _LIST_MARKER_AHEAD.match(text, pos):
        return None
    if crossed_line:
        line_start = text.rfind("\n", 0, pos) + 1
        if text[line_start:pos].lstrip(" \t").startswith("|") or region.markdown:
            return None
    return pos


def _positional(cells: Optional[List[Token]], n: int, allow_empty: bool = False) -> Optional[List[Token]]:
    """The row's n cells from the fields after its label, or None when the fields do not give them.

    Extra fields are empty label columns (a label merged over several columns, an empty third label
    column) before the data, or empty padding after it: leading ones go first.
    """
    if not cells:
        return None
    cells = list(cells)
    while len(cells) > n and cells[0].kind == "empty":
        cells.pop(0)
    while len(cells) > n and cells[-1].kind == "empty":
        cells.pop()
    if len(cells) != n or (not allow_empty and all(c.kind == "empty" for c in cells)):
        return None
    return cells


_HEADER_FORMS: Dict[int, Tuple[ColumnDef, frozenset, Tuple[str, ...]]] = {}


def _header_forms(col: ColumnDef) -> Tuple[frozenset, Tuple[str, ...]]:
    """A column's header label and its forms, compact; and the keywords (compact) that name it inside a
    longer header (worked out once per column object)."""
    got = _HEADER_FORMS.get(id(col))
    if got is None or got[0] is not col:
        forms = frozenset([compact(f) for f in col.forms] + [compact(col.label)])
        keys = tuple(compact(k) for k in col.header_keywords)
        if len(_HEADER_FORMS) > 4096:
            _HEADER_FORMS.clear()
        got = _HEADER_FORMS[id(col)] = (col, forms, keys)
    return got[1], got[2]


def _header_match(field: str, col: ColumnDef) -> bool:
    return _names(compact(field), col)


def _names(c: str, col: ColumnDef) -> bool:
    """The compact header field ``c`` names the column."""
    if not c:
        return False
    forms, keys = _header_forms(col)
    return c in forms or any(k in c for k in keys)


_NUMBER_FIELD = re.compile(r"\s*[+\-]?\d+(?:\.\d+)?\s*")


def _header_indices(text: str, start: int, line_start: int, columns: Sequence[ColumnDef],
                    cache: Dict[int, Optional[Tuple[List[int], Set[int], int]]],
                    reach: int = 40) -> Optional[Tuple[List[int], Set[int], int]]:
    """The grid field index of each column, from the header lines above ``line_start`` (a multi-line
    header names its columns on different lines), the indices of the fields the header names for
    something that is no column (``备注``, ``小计``, ``序号``: a column the publisher added) and the fields
    of its widest line: None unless every column is named once, at a field of its own (in the template's
    order or not: 总计 may come first)."""
    key = line_start
    if key in cache:
        return cache[key]
    found: Dict[int, int] = {}
    named: Dict[int, str] = {}  # field index -> header text printed there
    width = 0  # fields of the widest header line read
    pos = line_start
    after = 0  # header lines read once every column was found (an added column's name may stand higher)
    for _ in range(reach):
        if pos <= start:
            break
        prev = text.rfind("\n", start, pos - 1) + 1
        line = text[max(prev, start):pos - 1]
        pos = max(prev, start)
        fields = line.split("\t")
        if "\t" not in line or any(_NUMBER_FIELD.fullmatch(f) for f in fields):
            if len(found) == len(columns):
                break
            continue  # a header line names columns and prints no number
        width = max(width, len(fields))
        for i, f in enumerate(fields):
            if field_token(f, 0) is None:  # a name: not empty, covered, a number or a placeholder
                named.setdefault(i, f)
        compacts = [compact(f) for f in fields]
        for j, col in enumerate(columns):
            if j not in found:
                hits = [i for i, c in enumerate(compacts) if _names(c, col)]
                if len(hits) == 1:
                    found[j] = hits[0]
        if len(found) == len(columns):
            after += 1
            if after > 3:
                break
    # every column named at a field of its own; in the template's order or not (总计 printed first): the
    # fields are read under the names the header gives them
    idx = [found[j] for j in range(len(columns)) if j in found]
    if len(idx) != len(columns) or len(set(idx)) != len(idx):
        cache[key] = None
        return None
    added = {i for i, f in named.items() if i > min(idx) and i not in idx
             and not any(_header_match(f, col) for col in columns)}
    cache[key] = (idx, added, width)
    return cache[key]


def _under_header(text: str, start: int, b: int, line_end: int, columns: Sequence[ColumnDef],
                  cache: Dict[int, Optional[Tuple[List[int], Set[int], int]]]) -> Optional[List[Token]]:
    """A grid row's cells read from the fields under its header's column labels (a merged value's covered
    position, a padding field or an empty label column then cannot shift the numbers; what stands under
    a column the header names for something else, ``备注`` or ``小计``, is no cell)."""
    line_start = text.rfind("\n", 0, b) + 1
    line = text[line_start:line_end]
    if "\t" not in line:
        return None
    header = _header_indices(text, start, line_start, columns, cache)
    if header is None:
        return None
    idx, added, width = header
    fields = line.split("\t")
    if added and len(fields) > width:
        return None  # a row of more grid fields than its header: the two grids need not line up
    offsets = [line_start]
    for f in fields[:-1]:
        offsets.append(offsets[-1] + len(f) + 1)
    if max(idx) >= len(fields) or any(offsets[i] < b for i in idx):
        return None  # the label reaches into a data column
    cells: List[Token] = []
    for i in idx:
        tok = field_token(fields[i], offsets[i])
        if tok is None:
            return None
        cells.append(tok)
    # every printed field of the row after its label must be one of these cells or under an added column
    for i, f in enumerate(fields):
        if offsets[i] <= b or i in idx or i in added or not f.strip() or f.strip() == COVERED:
            continue  # the label's own field (the rest of it) is no cell
        return None
    return cells


def _spaced(word: str, gap: str) -> str:
    """A pattern for ``word`` with ``gap`` allowed between its characters (a header spaced out to a column's
    width: 总  计)."""
    return gap.join(re.escape(ch) for ch in word)


@lru_cache(maxsize=8)
def _header_patterns(words: HeaderWords) -> Tuple["re.Pattern[str]", "re.Pattern[str]", "re.Pattern[str]"]:
    """The names of columns a publisher adds to a statistics table (the template has none of them: a 备注
    column, row numbers, a subtotal) standing as words of their own; the total column's label; the start of
    the first column's label."""
    added = re.compile(r"(?<![\u4e00-\u9fff])(?:" + "|".join(_spaced(w, r"\s*") for w in words.added_columns)
                       + r")(?![\u4e00-\u9fff])")
    return added, re.compile(_spaced(words.total_label, r"[ \t]*")), re.compile(_spaced(words.first_label, r"[ \t]*"))


def _stacked(head: str, names: Sequence[str]) -> List[str]:
    """Two-character names printed one character above the other in layout-keeping text (a narrow column:
    ``备`` on one line, ``注`` at the same position a line or two below)."""
    lines = head.split("\n")
    found = []
    for name in names:
        a, b = name[0], name[1:]
        for i, line in enumerate(lines):
            for m in re.finditer(re.escape(a), line):
                col = m.start()
                for below in lines[i + 1:i + 4]:
                    near = below[max(0, col - 1):col + 2]
                    if b in near:
                        found.append(name)
                        break
                    if near.strip():
                        break  # something else stands under it
    return found


def _added_columns(text: str, start: int, end: int, words: HeaderWords) -> Tuple[List[str], bool]:
    """What in a table's header (``text[start:end]``, before its first row label) says that its columns
    are not the template's, in the template's order: the column names the template has not, and whether the
    total column's label is printed left of the first column's (总计 before 自然人). Then a row's numbers
    match the template's columns only by their count."""
    head = text[start:end]
    added, total_pattern, first_pattern = _header_patterns(words)
    found = [m.group() for m in added.finditer(head)] + _stacked(head, words.added_columns)
    if words.subtotal in head and words.total_label in head:
        found.append(words.subtotal)
    total, first = total_pattern.search(head), first_pattern.search(head)
    return found, bool(total and first and _left_of(head, total.start(), first.start()))


def _total_printed_first(obs: Dict[str, "RowObs"], total_column: str) -> bool:
    """Rows whose columns end in a 总计, printed complete, whose first number is the sum of the others,
    and none whose last is the sum of the others: the table prints its 总计 column first, whatever its
    header seemed to say (a header over several lines, in text that keeps no exact columns)."""
    first = last = 0
    for o in obs.values():
        cols = o.row.columns
        if len(cols) < 3 or cols[-1].key != total_column or len(o.tokens) != len(cols) \
                or not all(t.kind == "num" for t in o.tokens):
            continue
        try:
            v = [float(t.raw) for t in o.tokens]
        except ValueError:
            continue
        if v[0] and abs(v[0] - sum(v[1:])) < 0.005 and abs(v[-1] - sum(v[:-1])) >= 0.005:
            first += 1
        elif v[-1] and abs(v[-1] - sum(v[:-1])) < 0.005:
            last += 1
    return first > 0 and last == 0


def _left_of(text: str, a: int, b: int) -> bool:
    """Whether what stands at offset ``a`` is printed left of what stands at ``b``: on one line, or on
    lines of layout-keeping text by their columns (a CJK character two wide); where the columns do not
    tell (text that keeps no layout, each header cell on a line of its own), by reading order."""
    line_a, line_b = text.rfind("\n", 0, a) + 1, text.rfind("\n", 0, b) + 1
    if line_a == line_b:
        return a < b
    col_a, col_b = columns.display_width(text[line_a:a]), columns.display_width(text[line_b:b])
    if abs(col_a - col_b) > 2:
        return col_a < col_b
    return a < b


def _label_on_line(text: str, a: int, b: int, pos: int) -> bool:
    """Some part of the label text[a:b] is printed on the line where ``pos`` lies."""
    line_start = text.rfind("\n", 0, pos) + 1
    return a < pos and b > line_start and bool(text[max(a, line_start):min(b, pos)].strip())


# whether an empty grid field was printed empty (cells explicit: HTML, DOCX, a PDF's ruled tables) or may
# have lost its content (extracted text, OCR): for the whole document, or per text offset
EmptyBlank = Union[bool, Callable[[int], bool]]


def blank_at(empty_blank: EmptyBlank, offset: int) -> bool:
    return empty_blank(offset) if callable(empty_blank) else bool(empty_blank)


def _line_end(text: str, pos: int, end: int) -> int:
    e = text.find("\n", pos, end)
    return end if e < 0 else e


def _row_order(table: TableDef, extra: Sequence[RowDef]) -> Dict[str, int]:
    """Each row's place in the template (even numbers); a collapsed row of the other version sits just
    after its header row (same label), or after every row."""
    order: Dict[str, int] = {}
    for i, r in enumerate(table.rows):
        order[r.key] = i * 2
    for r in extra:
        anchor = next((x for x in table.rows if x.kind == "header" and compact(x.label) == compact(r.label)), None)
        order[r.key] = order[anchor.key] + 1 if anchor else len(table.rows) * 2
    return order


def _inline_matches(region: _Region, matches: Sequence[LabelMatch],
                    ncols: Dict[str, int]) -> List[Tuple[LabelMatch, int]]:
    """The label matches with numbers right after them (or around them, or on their own grid line), and
    where those start."""
    text, end = region.text, region.end
    inline: List[Tuple[LabelMatch, int]] = []
    for m in matches:
        b = region.orig_end(m.end)
        inner = _inner_groups(text, region.orig_start(m.start), b, region.number_lines)
        pos = inner[0].start if inner else _inline_position(region, b)
        if pos is None and _positional(grid_cells(text, b, _line_end(text, b, end)), ncols[m.row],
                                       allow_empty=True) is not None:
            pos = b  # its own grid line, printed empty or with placeholders
        if pos is not None:
            inline.append((m, pos))
    return inline


def _anchor_chain(table: TableDef, inline: Sequence[Tuple[LabelMatch, int]],
                  order: Dict[str, int]) -> List[LabelMatch]:
    """The labels that anchor rows: in template order for an ordered table, else each row's first."""
    if table.ordered:
        return best_monotone([m for m, _ in inline], order)
    chain = []
    seen: set = set()
    for m, _ in inline:
        if m.row not in seen:
            chain.append(m)
            seen.add(m.row)
    chain.sort(key=lambda m: m.start)
    return chain


def _label_cuts(region: _Region, chain: Sequence[LabelMatch], matches: Sequence[LabelMatch]) -> List[Tuple[int, int]]:
    """Every label's span: the anchors, and the floating labels that do not overlap one (the anchors of an
    unordered table may overlap each other; the labels added never do), sorted."""
    chosen = {id(m) for m in chain}
    cuts: List[Tuple[int, int]] = [(region.orig_start(m.start), region.orig_end(m.end)) for m in chain]
    # what the cuts cover, as sorted disjoint spans
    union: List[List[int]] = []
    for x, y in sorted(cuts):
        if union and x < union[-1][1]:
            union[-1][1] = max(union[-1][1], y)
        else:
            union.append([x, y])
    union_starts = [x for x, _ in union]
    for m in matches:
        if id(m) in chosen:
            continue
        a, b = region.orig_start(m.start), region.orig_end(m.end)
        i = bisect.bisect_left(union_starts, b)  # only the last span starting before b can overlap [a, b)
        if i == 0 or union[i - 1][1] <= a:
            cuts.append((a, b))
            union.insert(i, [a, b])
            union_starts.insert(i, a)
    cuts.sort()
    return cuts


def _unlabelled_groups(region: _Region, cuts: Sequence[Tuple[int, int]]) -> List[Group]:
    """The number groups of the region between the labels."""
    spans: List[Tuple[int, int]] = []
    pos = region.start
    for a, b in cuts:
        if a > pos:
            spans.append((pos, a))
        pos = max(pos, b)
    if pos < region.end:
        spans.append((pos, region.end))
    groups: List[Group] = []
    for a, b in spans:
        groups.extend(groups_in(region.text, a, b))
    return groups


@dataclass
class _Anchored:
    """The reading of the anchored rows: the region's number groups and which of them rows took."""

    region: _Region
    groups: List[Group]
    empty_blank: "EmptyBlank"
    inline: Sequence[Tuple[LabelMatch, int]]
    claimed: Set[int] = field(default_factory=set)
    anchor_pos: Dict[str, int] = field(default_factory=dict)
    # line start -> the header's fields above it
    headers: Dict[int, Optional[Tuple[List[int], Set[int], int]]] = field(default_factory=dict)
    by_header: Set[str] = field(default_factory=set)  # rows read from the fields under their header's names

    def __post_init__(self) -> None:
        self.group_starts = [g.start for g in self.groups]

    def read(self, o: RowObs, m: LabelMatch, bound: int) -> None:
        """The numbers of the row whose label ``m`` anchors it (up to ``bound``, the next anchor)."""
        region, text = self.region, self.region.text
        a, b = region.orig_start(m.start), region.orig_end(m.end)
        o.found = True
        if m.end - m.start <= 2 and any(x.row == m.row and x is not m for x, _ in self.inline):
            # a bare two-character label (其他 without its list number) is also a piece of other labels
            # (（六）其他处理 broken over lines, the 其他 column): another place with numbers was as good
            o.guesses.append("label_ambiguous")
        self.anchor_pos[m.row] = a
        inner = _inner_groups(text, a, b, region.number_lines)
        if inner:  # the label wraps around its own line of numbers
            o.tokens = [t for g in inner for t in g.tokens]
            o.guesses.append("split_label")
        elif not self._grid(o, m, b):
            self._group(o, a, b, bound)

    def _grid(self, o: RowObs, m: LabelMatch, b: int) -> bool:
        """The label's own grid line (tab or pipe fields): each field is a cell, printed empty or not; the
        columns are those of the header above it when it names them, else the fields after the label."""
        text, end = self.region.text, self.region.end
        line_end = _line_end(text, b, end)
        grid = _under_header(text, self.region.start, b, line_end, o.row.columns, self.headers)
        if grid is None:
            grid = _positional(grid_cells(text, b, line_end), len(o.row.columns), allow_empty=True)
        else:
            self.by_header.add(m.row)
        if grid is None:
            return False
        if blank_at(self.empty_blank, b):
            grid = [Token(t.raw, t.start, t.end, "blank") if t.kind == "empty" else t for t in grid]
        o.tokens, o.positional = grid, True
        for gi in range(bisect.bisect_left(self.group_starts, b), len(self.groups)):
            if self.groups[gi].start >= line_end:
                break
            self.claimed.add(gi)
        return True

    def _group(self, o: RowObs, a: int, b: int, bound: int) -> None:
        """The first free group after the label, never one past the next labelled row (a row printed empty
        keeps its emptiness); completed by the next group when the row's numbers wrapped."""
        text, groups = self.region.text, self.groups
        gi = bisect.bisect_left(self.group_starts, _inline_position(self.region, b) or b)
        if gi >= len(groups) or gi in self.claimed or groups[gi].start >= bound:
            return
        self.claimed.add(gi)
        g = groups[gi]
        if "\n" in text[b:g.start] and not _label_on_line(text, a, b, g.start):
            o.guesses.append("off_line")
        if "\n" in text[g.start:g.end]:
            o.guesses.append("multi_line")  # the row's numbers over several lines
        o.tokens = list(g.tokens)
        # a row whose numbers wrapped onto the next line: the next group completes it exactly
        nxt = gi + 1
        if len(g) < len(o.row.columns) and nxt < len(groups) and nxt not in self.claimed \
                and len(g) + len(groups[nxt]) == len(o.row.columns) and groups[nxt].start < bound \
                and not text[g.end:groups[nxt].start].strip(" \t\n|") and not groups[nxt].md_row:
            self.claimed.add(nxt)
            more = list(groups[nxt].tokens)
            if len(more) == 1:  # one number on the next line may as well be a page number
                more = [replace(more[0], alone=True)]
            o.tokens += more
            o.guesses.append("wrapped")


def observe_rows(text: str, start: int, end: int, table: TableDef,
                 extra: Sequence[RowDef] = (), empty_blank: "EmptyBlank" = False,
                 page_starts: Sequence[int] = ()) -> TableObs:
    """Observations for every data row of ``table`` in ``text[start:end]``.

    ``extra`` rows (from another template version) are matched too and reported separately.
    """
    region = _Region(text, start, end, [compact(r.label) for r in table.rows if r.kind == "header"],
                     [strip_list_marker(compact(f))[1] for r in table.data_rows for f in r.forms])
    rows = list(table.data_rows) + list(extra)
    order = _row_order(table, extra)
    matches = find_labels(region.compact, rows)
    inline = _inline_matches(region, matches, {r.key: len(r.columns) for r in rows})
    chain = _anchor_chain(table, inline, order)
    added, total_first = _added_columns(text, start, min((region.orig_start(m.start) for m in chain), default=start),
                                        table.header)
    groups = _unlabelled_groups(region, _label_cuts(region, chain, matches))
    obs: Dict[str, RowObs] = {r.key: RowObs(r) for r in rows}
    reader = _Anchored(region, groups, empty_blank, inline)
    for i, m in enumerate(chain):  # each anchored row up to the next anchor
        reader.read(obs[m.row], m, region.orig_start(chain[i + 1].start) if i + 1 < len(chain) else end)
    if table.ordered:
        _fill_gaps(table, obs, groups, reader.claimed, reader.anchor_pos)
    _printed_empty(region, table, obs, matches, groups, reader.claimed, reader.anchor_pos, order,
                   blank_at(empty_blank, start))
    _place_by_columns(text, table, obs, start, end, reader.anchor_pos, page_starts)
    reordered = total_first or _total_printed_first(obs, table.header.total_column)
    if added or reordered:  # the header names a column the template has not, or its columns in another
        for key, o in obs.items():  # order: numbers matched to the template's columns by their count or
            if key not in reader.by_header and o.tokens:  # order may hold another column's number
                o.guesses.append("columns_reordered" if reordered else "added_column")
    return TableObs(table, {r.key: obs[r.key] for r in table.data_rows}, start, end,
                    [obs[r.key] for r in extra if obs[r.key].found])


def _printed_empty(region: _Region, table: TableDef, obs: Dict[str, RowObs], matches: Sequence[LabelMatch],
                   groups: List[Group], claimed: set, anchor_pos: Dict[str, int], order: Dict[str, int],
                   explicit: bool) -> None:
    """A row whose label stands between two labelled rows with no number after it was printed empty (its
    cells vanished from extracted text): its cells are blank, a guess the checks must confirm."""
    data = [r.key for r in table.data_rows]
    anchored = sorted(anchor_pos.items(), key=lambda kv: kv[1])
    match_starts = [x.start for x in matches]
    free_starts = sorted(groups[i].start for i in range(len(groups)) if i not in claimed)
    for m in matches:
        o = obs.get(m.row)
        if o is None or o.tokens or o.row.key not in data:
            continue
        a, b = region.orig_start(m.start), region.orig_end(m.end)
        before = [k for k, p in anchored if p < a]
        after = [k for k, p in anchored if p >= b]
        if not before or not after:
            continue  # only between two rows read from the text
        if table.ordered and not order[before[-1]] < order[m.row] < order[after[0]]:
            continue
        nxt = anchor_pos[after[0]]
        # the first label after this one (matches are sorted by start, and offsets map monotonically)
        k = bisect.bisect_right(match_starts, m.start)
        while k < len(matches) and region.orig_start(matches[k].start) < b:
            k += 1
        stop = min(nxt, region.orig_start(matches[k].start)) if k < len(matches) else nxt
        i = bisect.bisect_left(free_starts, b)
        if i < len(free_starts) and free_starts[i] < stop:
            continue  # numbers follow before the next label: not empty
        line_end = region.text.find("\n", b, region.end)
        rest = region.text[b:line_end if line_end >= 0 else region.end]
        if re.search(r"\d", rest) or any(w in PLACEHOLDERS for w in rest.replace(COVERED, " ").split()):
            continue  # its own line prints cells
        kind = "blank"
        o.tokens = [Token("", b, b, kind) for _ in o.row.columns]
        o.positional = True
        o.found = True
        if not explicit:
            o.guesses.append("printed_empty")


def _place_by_columns(text: str, table: TableDef, obs: Dict[str, RowObs], start: int, end: int,
                      anchor_pos: Dict[str, int], page_starts: Sequence[int] = ()) -> None:
    """Rows of layout-preserving text that lost cells printed empty: read them by column position, measured
    on the table's complete rows, or failing those on the header printed above them on their page (the
    next page may be laid out at another scale, and repeats the header or not)."""
    widths = {len(r.columns) for r in table.data_rows}
    if len(widths) != 1 or "\t" in text[start:end]:
        return
    n = widths.pop()
    rows = [o for o in obs.values() if o.tokens and not o.positional]
    groups = columns.measure(text, [o.tokens for o in rows], n)
    if groups:
        plan = [(rows, groups, False)]
    else:
        bounds = [start] + [p for p in page_starts if start < p < end] + [end]
        plan = []
        for a, b in pairwise(bounds):
            first = min([p for p in anchor_pos.values() if a <= p < b], default=b)
            header = columns.from_header(text, a, first, table.data_rows[0].columns)
            if header is not None:
                plan.append(([o for o in rows if a <= o.tokens[0].start < b], [header], True))
    for members, centres, from_header in plan:
        for o in members:
            if 0 < len(o.tokens) < n:
                cells = columns.place(text, o.tokens, centres, from_header)
                if cells is not None:
                    o.tokens, o.positional = cells, True
                    o.guesses.append("by_column_offset")


def _fill_gaps(table: TableDef, obs: Dict[str, RowObs], groups: List[Group], claimed: set,
               anchor_pos: Dict[str, int]) -> None:
    data = [r.key for r in table.data_rows]
    anchored = [i for i, k in enumerate(data) if k in anchor_pos]
    bounds = [-1] + anchored + [len(data)]
    md = any(g.md_row for g in groups)
    for lo, hi in pairwise(bounds):
        gap_rows = [data[i] for i in range(lo + 1, hi) if not obs[data[i]].tokens]
        if not gap_rows:
            continue
        left = anchor_pos[data[lo]] if lo >= 0 else -1
        right = anchor_pos[data[hi]] if hi < len(data) else float("inf")
        if lo < 0:
            continue  # nothing before the first labelled row is a data row we can place
        free = [i for i, g in enumerate(groups) if i not in claimed and left < g.start < right]
        if md:
            free = [i for i in free if groups[i].md_row]
        if len(free) > len(gap_rows):
            free = [i for i in free if len(groups[i]) >= 2]  # drop stray single integers
        if len(free) != len(gap_rows):
            continue
        for key, gi in zip(gap_rows, free, strict=True):
            claimed.add(gi)
            o = obs[key]
            o.tokens = list(groups[gi].tokens)
            o.placed_by_order = True
            o.guesses.append("by_order")
