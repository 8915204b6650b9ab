"""Saved web pages (HTML), read with lxml: the report's own content, its tables as tab grids.

The page is decoded (BOM, then the declared charset, then UTF-8, then GB18030), parsed with a parser that
loads nothing (no network, no DTD, no external entities), stripped of scripts, styles, navigation, page
headers and footers and hidden elements, and narrowed to the element that holds the report (the smallest
container holding its section headings and statistics tables; failing that, the one holding most of the
page's text). Paragraphs become lines; every data table becomes one line per row with its cells separated
by tabs, ``rowspan``/``colspan`` expanded into a grid whose covered positions are empty fields, as the PDF
reader writes them.
"""

from __future__ import annotations

import bisect
import codecs
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import BadInputError, MissingDependencyError
from ..template import load_template
from . import COVERED, Document
from .markup import collapse, join_pieces, make_document, without_spaces

# ---------------------------------------------------------------------------------------------------------
# decoding

_BOMS = ((b"\xef\xbb\xbf", "utf-8", "utf-8-sig"), (b"\xff\xfe", "utf-16-le", "utf-16"),
         (b"\xfe\xff", "utf-16-be", "utf-16"))  # the mark, the codec after it, the name reported
_DECLARED = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]{1,40})""", re.I)
# every Chinese national encoding is decoded as its superset GB18030
_GB = {"gbk", "gb2312", "gb_2312", "gb_2312-80", "gb-2312", "x-gbk", "cp936", "ms936", "windows-936", "936",
       "csgb2312", "chinese", "euc-cn", "euccn", "x-euc-cn", "iso-ir-58", "gb18030", "gb-18030", "hz-gb-2312"}
_HEAD_BYTES = 64 * 1024


def _codec(label: str) -> Optional[str]:
    """The Python codec for a declared charset label, or None if unknown or not ASCII-compatible."""
    name = label.strip().lower()
    if name in _GB:
        return "gb18030"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if info.name.startswith(("utf-16", "utf-32")) or info.name in ("utf-7",):
        return "utf-8"  # a UTF-16 label on a byte stream that reached here is a mislabel (the HTML rule)
    return info.name


def declared_charset(data: bytes) -> Optional[str]:
    """The charset a page declares in its head (``<meta charset>``, ``http-equiv`` or XML declaration)."""
    head = data[:_HEAD_BYTES]
    for rx in (_XML_DECL, _DECLARED):
        m = rx.search(head)
        if m:
            codec = _codec(m.group(1).decode("ascii", "replace"))
            if codec:
                return codec
    return None


def decode(data: bytes, path: Path) -> Tuple[str, str]:
    """The page's text and the encoding it was read with."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), name
    declared = declared_charset(data)
    tried: List[str] = []
    for enc in (declared, "utf-8", "gb18030"):
        if not enc or enc in tried:
            continue
        tried.append(enc)
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    # mostly right with a few broken bytes (a truncated download): keep it readable
    enc = declared or "utf-8"
    text = data.decode(enc, errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 200):
        return text, enc
    raise BadInputError(f"{path}: the web page is not readable as {' or '.join(tried)} text")


def grid_lines(rows: Sequence[Sequence[Tuple[str, int, int]]], max_colspan: int = 100) -> List[str]:
    """Tab-separated lines for table rows given as ``(text, colspan, rowspan)`` cells.

    A merged cell's text goes to its first grid position; the positions it covers hold ``COVERED`` (no
    cell of their own, unlike a cell printed empty).
    ``rowspan`` 0 means "to the end of the table". A row with fewer cells than the grid is wide is left
    short, never padded: the cells it lacks were not written (an editor that drops empty cells), so which
    of the row's columns are missing is unknown, and an empty field would say "printed empty" at a guessed
    position. Spans that would blow the grid up far beyond its cells (hostile markup) are ignored.
    """
    cells = sum(len(r) for r in rows)
    grid = _grid(rows, max_colspan, budget=64 * cells + 10000)
    if grid is None:  # over the budget: every span ignored, each cell one position
        grid = [[t for t, _, _ in r] for r in rows]
    return ["\t".join(g) for g in grid]


def _grid(rows: Sequence[Sequence[Tuple[str, int, int]]], max_colspan: int,
          budget: Optional[int]) -> Optional[List[List[str]]]:
    n = len(rows)
    carry: Dict[int, int] = {}  # column -> rows still covered, this one included, by a rowspan from above
    grid: List[List[str]] = []
    used = 0
    for r, cells in enumerate(rows):
        line: Dict[int, str] = {}
        covered = {c for c, left in carry.items() if left > 0}
        for k in covered:
            line[k] = COVERED  # a cell from a row above spans this position
        c = 0
        for text, colspan, rowspan in cells:
            while c in covered:
                c += 1
            colspan = max(1, min(colspan, max_colspan))
            rowspan = n - r if rowspan <= 0 else min(rowspan, n - r)
            line[c] = text
            for k in range(c + 1, c + colspan):
                line[k] = COVERED  # the positions a merged cell covers are no cells of their own
            for k in range(c, c + colspan):
                covered.add(k)
                if rowspan > 1:
                    carry[k] = max(carry.get(k, 0), rowspan)
            c += colspan
        width = max(max(covered, default=-1) + 1, max(line, default=-1) + 1)
        used += width + len(carry)
        if budget is not None and used > budget:
            return None
        grid.append([line.get(k, "") for k in range(width)])
        for k in list(carry):
            carry[k] -= 1
            if carry[k] <= 0:
                del carry[k]
    return grid


# ---------------------------------------------------------------------------------------------------------
# the page

_DROP = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "iframe", "frame",
    "frameset", "object", "embed", "applet", "svg", "math", "canvas", "audio", "video", "map", "select",
    "button", "input", "textarea", "dialog", "head", "title", "meta", "link", "base", "option", "datalist",
}
_BLOCK = {
    "html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "section", "article", "main", "blockquote", "pre", "form", "fieldset", "legend", "address", "figure",
    "figcaption", "center", "hr", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "details",
    "summary", "table", "menu", "dir", "xmp", "listing", "plaintext",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]{0,500}\[.*?\]\s*>", re.I | re.S)


def _headings() -> Tuple[str, ...]:
    """The report's fixed section headings, the part that does not vary between templates and years (the
    template's ``reading.page_markers.headings``)."""
    return load_template().page_headings


def _table_words() -> Tuple[str, ...]:
    """Words a data table of the report holds (``reading.page_markers.table_words``)."""
    return load_template().page_table_words


_TITLE = re.compile(r"(政府信息公开|政务公开|信息公开)\S{0,20}(年度报告|年报)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_LAYOUT_CELL_CHARS = 300  # a table of a few cells, one holding more text than this, frames the page
_LAYOUT_MAX_CELLS = 3


def _lxml():
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingDependencyError("reading HTML needs lxml", hint="pip install lxml") from None
    return lxml.html, etree


def _parse(text: str, path: Path):
    lhtml, etree = _lxml()
    # an internal DTD subset would show as text ("]>"); the parser never expands its entities anyway
    head = _DOCTYPE_SUBSET.sub("", text[:_HEAD_BYTES], count=1)
    text = head + text[_HEAD_BYTES:]
    data = text.encode("utf-8", errors="replace")
    for huge in (False, True):  # over 256 levels deep (unclosed tags): libxml2 stops unless told otherwise
        parser = lhtml.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                                  recover=True, huge_tree=huge, default_doctype=False)
        try:
            root = lhtml.document_fromstring(data, parser=parser)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
            raise BadInputError(f"{path}: not a readable web page "
                                f"({' '.join(str(exc).split()) or type(exc).__name__})") from None
        if not any("Excessive depth" in e.message for e in parser.error_log):
            break
    else:
        raise BadInputError(f"{path}: not a readable web page (elements nested too deeply)")
    return root


def _tag(el) -> Optional[str]:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _hidden(el) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


_CHROME = {"nav", "header", "footer", "aside"}


def _report_headings(text: str) -> Tuple[int, int]:
    """How many of the report's section headings a text holds: distinct ones, and occurrences."""
    c = without_spaces(text)
    counts = [c.count(h) for h in _headings()]
    return sum(1 for n in counts if n), sum(counts)


def _clean(root) -> None:
    """Drop what is never content (scripts, menus, page headers/footers, hidden elements), keeping tails.

    A page header/footer/aside or hidden element that holds the report itself (an unclosed ``<header>``
    swallowing the page, a report shown by script) is kept when the rest of the page does not hold it.
    """
    doomed = []
    for el in root.iter():
        tag = _tag(el)
        if tag is not None and (tag in _DROP or _hidden(el)):
            doomed.append(el)
    body = root.find("body")
    everywhere = _report_headings((body if body is not None else root).text_content())[1]
    dropped: set = set()
    for el in doomed:
        if el.getparent() is None or any(a in dropped for a in el.iterancestors()):
            continue
        tag = _tag(el)
        if everywhere >= 2 and (tag in _CHROME or tag not in _DROP):
            distinct, occurrences = _report_headings(el.text_content())
            if distinct >= 2 and everywhere - occurrences < 2:
                continue
        dropped.add(el)
        el.drop_tree()  # keeps the tail text


class _Index:
    """The page's text without whitespace, and where each element's text lies in it (one pass)."""

    def __init__(self, body) -> None:
        parts: List[str] = []
        # lxml elements (Any: lxml has no type information)
        self.span: Dict[Any, Tuple[int, int]] = {}
        self.links: Dict[Any, Tuple[int, int]] = {}  # cumulative characters inside links at start/end
        self.depth: Dict[Any, int] = {}
        self.chunks: List[int] = []  # start of each non-empty piece of text, and the element it belongs to
        self.owners: List[Any] = []
        length = 0
        in_link = 0
        linked = 0
        stack: List[Tuple[Any, bool, int]] = [(body, True, 0)]
        while stack:
            el, opening, depth = stack.pop()
            tag = _tag(el)
            if opening and tag is not None:
                self.span[el] = (length, -1)
                self.links[el] = (linked, -1)
                self.depth[el] = depth
                if tag == "a":
                    in_link += 1
                s = without_spaces(el.text or "")
                if s:
                    self.chunks.append(length)
                    self.owners.append(el)
                parts.append(s)
                length += len(s)
                linked += len(s) if in_link else 0
                stack.append((el, False, depth))
                for child in reversed(list(el)):
                    stack.append((child, True, depth + 1))
                continue
            if tag is not None:  # closing
                self.span[el] = (self.span[el][0], length)
                self.links[el] = (self.links[el][0], linked)
                if tag == "a":
                    in_link -= 1
            if el is not body:  # the text after the element belongs to its parent
                s = without_spaces(el.tail or "")
                if s:
                    self.chunks.append(length)
                    self.owners.append(el.getparent())
                parts.append(s)
                length += len(s)
                linked += len(s) if in_link else 0
        self.text = "".join(parts)
        self.elements = list(self.span)

    def length(self, el) -> int:
        a, b = self.span.get(el, (0, 0))
        return b - a

    def own(self, el) -> int:
        """Characters of ``el``'s text outside links."""
        a, b = self.links.get(el, (0, 0))
        return self.length(el) - (b - a)

    def holders(self, phrase: str) -> List:
        """For each occurrence of ``phrase``, the innermost element whose text holds all of it."""
        out: List[Any] = []
        pos = self.text.find(phrase)
        while pos >= 0 and len(out) < 50:
            end = pos + len(phrase)
            el = self.owners[bisect.bisect_right(self.chunks, pos) - 1]
            while el is not None and not (el in self.span and self.span[el][1] >= end):
                el = el.getparent()
            if el is not None:
                out.append(el)
            pos = self.text.find(phrase, end)
        return out

    def contains(self, el, words: Sequence[str]) -> bool:
        a, b = self.span.get(el, (0, 0))
        seg = self.text[a:b]
        return any(w in seg for w in words)


def _common_ancestor(elements: Sequence):
    paths = []
    for el in elements:
        chain = [el] + list(el.iterancestors())
        paths.append(chain[::-1])
    common = None
    for level in zip(*paths, strict=False):  # down to the shortest path
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _in_link(el) -> bool:
    return _tag(el) == "a" or any(_tag(a) == "a" for a in el.iterancestors())


def _is_layout_table(table, index: Optional[_Index] = None) -> bool:
    """A table that lays out the page, not data: a table inside it, or a frame of one to three cells
    around running text (a data table with a long footnote cell stays a data table)."""
    cells = 0
    longest = 0
    for el in table.iterdescendants():
        tag = _tag(el)
        if tag == "table":
            return True
        if tag in ("td", "th"):
            cells += 1
            n = index.length(el) if index is not None and el in index.span else len(without_spaces(el.text_content()))
            longest = max(longest, n)
    return cells <= _LAYOUT_MAX_CELLS and longest > _LAYOUT_CELL_CHARS


def _content_root(body, index: _Index):
    """The element holding the report: the smallest one with its section headings and tables."""
    targets = []
    for phrase in _headings():
        targets += [el for el in index.holders(phrase) if not _in_link(el)]
    for t in body.iter("table"):
        if index.contains(t, _table_words()) and not _is_layout_table(t, index):
            targets.append(t)
    if len(targets) >= 2:
        root = _common_ancestor(targets)
        # out of a data table's inside; a page-layout table holding the report is a fine container
        while root is not None and root.getparent() is not None and (
                _tag(root) in ("thead", "tbody", "tfoot", "tr", "caption")
                or (_tag(root) == "table" and not _is_layout_table(root, index))):
            root = root.getparent()
        if root is not None:
            return root
    # no report structure: the innermost element holding most of the page's text outside links
    total = index.own(body)
    best = body
    if total <= 0:
        return best
    for el in index.elements:
        if _tag(el) in ("p", "span", "a", "table", "tr", "td", "th", "tbody", "thead", "li"):
            continue
        if index.own(el) >= 0.7 * total and index.depth[el] > index.depth.get(best, 0):
            best = el
    return best


def _short_text(el, limit: int = 200) -> Optional[str]:
    out: List[str] = []
    n = 0
    for s in el.itertext():
        out.append(s)
        n += len(s)
        if n > limit:
            return None
    return collapse("".join(out))


def _title(root) -> Optional[str]:
    """The report's title as the page names it (article metadata, a heading, the window title)."""
    for name in ("articletitle", "og:title", "title"):
        for meta in root.iter("meta"):
            if (meta.get("name") or meta.get("property") or "").lower() == name:
                content = collapse(meta.get("content") or "")
                if len(content) <= 80 and _TITLE.search(content) and _YEAR.search(content):
                    return content
    seen = 0
    for el in root.iter():
        tag = _tag(el)
        if tag is None:
            continue
        cls = ((el.get("class") or "") + " " + (el.get("id") or "")).lower()
        if not (tag in ("h1", "h2", "h3", "title") or "title" in cls) or (tag != "title" and _in_link(el)):
            continue
        seen += 1
        if seen > 200:
            break
        t = _short_text(el)
        if not t or len(t) > 80 or not (_TITLE.search(t) and _YEAR.search(t)):
            continue
        if tag == "title":  # "报告名_栏目_网站" / "报告名-单位": the part naming the report
            parts = [p for p in re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+|-(?=[^-]*$)", t) if p]
            t = next((p for p in parts if _TITLE.search(p)), t)
        return t
    return None


class _Lines:
    def __init__(self, join_wide: bool = True) -> None:
        self.lines: List[str] = []
        self.cur: List[str] = []
        self.join_wide = join_wide

    def add(self, s: Optional[str]) -> None:
        if s:
            self.cur.append(s)

    def flush(self) -> None:
        if self.cur:
            line = collapse("".join(self.cur), self.join_wide)
            if line:
                self.lines.append(line)
            self.cur = []

    def raw(self, line: str) -> None:
        self.flush()
        self.lines.append(line)


def _rows(table) -> List:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if _tag(r) == "tr")
    return rows


def _span(el, name: str, default: int = 1) -> int:
    m = re.match(r"\s*(\d{1,6})", el.get(name) or "")
    return int(m.group(1)) if m else default


def _cell_text(cell) -> str:
    out = _Lines()
    _walk(cell, out, inside_cell=True)
    out.flush()
    return join_pieces(out.lines)


def _write_table(table, out: _Lines) -> None:
    out.flush()
    for child in table:
        if _tag(child) == "caption":
            cap = collapse(child.text_content())
            if cap:
                out.raw(cap)
    rows = []
    for tr in _rows(table):
        cells = [c for c in tr if _tag(c) in ("td", "th")]
        rows.append([(_cell_text(c), _span(c, "colspan"), _span(c, "rowspan")) for c in cells])
    for line in grid_lines(rows):
        out.raw(line)


def _walk(top, out: _Lines, inside_cell: bool = False, index: Optional[_Index] = None) -> None:
    """Text of ``top`` in reading order: block elements and ``<br>`` end lines, tables become grids."""
    stack: List[Tuple[Any, bool]] = [(top, True)]
    while stack:
        el, opening = stack.pop()
        tag = _tag(el)
        if not opening:  # closing: end the block, then the text after the element
            if tag in _BLOCK:
                out.flush()
            if el is not top:
                out.add(el.tail)
            continue
        if tag is None:  # a comment or processing instruction left by the parser: only its tail counts
            if el is not top:
                out.add(el.tail)
            continue
        if tag == "br":
            out.flush()
            if el is not top:
                out.add(el.tail)
            continue
        if tag == "table" and el is not top and (inside_cell or not _is_layout_table(el, index)):
            if inside_cell:  # a table inside a data cell: its text, flattened
                out.add(" ".join(_cell_text(c) for tr in _rows(el) for c in tr if _tag(c) in ("td", "th")))
            else:
                _write_table(el, out)
            out.add(el.tail)
            continue
        if tag in _BLOCK:
            out.flush()
        out.add(el.text)
        stack.append((el, False))
        for child in reversed(list(el)):
            stack.append((child, True))


def render(root) -> str:
    """The report's text from a parsed page."""
    title = _title(root)
    _clean(root)
    body = root.find("body")
    if body is None:
        body = root
    index = _Index(body)
    content = _content_root(body, index)
    out = _Lines()
    if _tag(content) == "table" and not _is_layout_table(content, index):
        _write_table(content, out)
    else:
        _walk(content, out, index=index)
    out.flush()
    lines = out.lines
    if title and without_spaces(title) not in without_spaces("".join(lines[:8])):
        lines.insert(0, title)
    return "\n".join(lines) + ("\n" if lines else "")


def read(path: Path, data: bytes) -> Document:
    text, encoding = decode(data, path)
    root = _parse(text, path)
    return make_document(text=render(root), format="html", encoding=encoding, spans=[], reader_notes=[])
