"""The official tables as typed data, loaded from the package's copy of ``template.json``.

A template version is a definition, not code: sections, tables (rows, columns, labels, variants) and the
arithmetic rules (勾稽关系) all come from ``data/template.json``.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Set, Tuple, Union, cast

if TYPE_CHECKING:
    from .rules.engine import CollapsedRow
    from .rules.values import NullPolicy

SCHEMA_VERSION = "1"  # the template layout this loader reads
VERSIONS = ("2021", "2019")
TABLE_KEYS = ("active_disclosure", "applications", "review_litigation")

# list markers that start a label: "1." "（一）" "一、"
_LIST_MARKER = re.compile(r"^(?:\d{1,2}[.、．]|[（(][一二三四五六七八九十][）)]|[一二三四五六七八九十][、.])")


@dataclass(frozen=True)
class ColumnDef:
    key: str
    label: str
    type: str  # int | signed_int | decimal
    keywords: Tuple[str, ...] = ()
    # how likely a row that printed fewer numbers than cells printed this one (template "lost_cell_prior"):
    # ranks readings that assume lost cells, never decides them
    fill_prior: float = 0.5
    forms: Tuple[str, ...] = ()  # the header label and its variants, as printed (wrapped: with line breaks)
    header_keywords: Tuple[str, ...] = ()  # the keywords that name it inside a longer header (no generic word)
    group: Optional[str] = None  # the header cell above it that spans several columns (法人或其他组织)
    note: str = ""
    unit: str = ""  # a column whose unit is not its block's (万元)

    @property
    def allows_decimal(self) -> bool:
        return self.type == "decimal"

    @property
    def allows_negative(self) -> bool:
        return self.type == "signed_int"


@dataclass(frozen=True)
class RowDef:
    key: str
    label: str
    kind: str  # data | header
    columns: Tuple[ColumnDef, ...]
    forms: Tuple[str, ...]  # label and variants, as printed in the template
    keywords: Tuple[str, ...] = ()
    parent: Optional[str] = None
    block: Optional[str] = None  # table 二: the 第二十条 item the row belongs to
    level: int = 0  # its indent in the printed stub
    note: str = ""

    @property
    def is_data(self) -> bool:
        return self.kind == "data"


@dataclass(frozen=True)
class HeaderWords:
    """Words of a printed table header that tell its columns from the template's (``reading.header``)."""

    added_columns: Tuple[str, ...] = ()  # columns a publisher adds: 备注, 序号, 小计
    subtotal: str = ""  # 合计 beside the table's own total
    total_column: str = ""  # the key of the total column
    total_label: str = ""  # its label
    first_label: str = ""  # the start of the first column's label
    note: str = ""


@dataclass(frozen=True)
class HeaderCell:
    """A cell of a table's printed header (``header.level1`` .. ``level3``)."""

    label: str
    forms: Tuple[str, ...] = ()  # the label and its variants
    key: Optional[str] = None  # the column it names, when it names one
    spans: Tuple[str, ...] = ()  # the columns under it
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class PrintedHeader:
    """A table's printed header: its levels of cells, top first, and the note printed in its corner."""

    levels: Tuple[Tuple[HeaderCell, ...], ...] = ()
    corner_note: Tuple[str, ...] = ()  # the note and its variants (table 三's 勾稽关系)


@dataclass(frozen=True)
class BlockDef:
    """A block of table 二: one 第二十条 item, its own columns."""

    caption: str
    forms: Tuple[str, ...]  # the caption and its variants
    stub_header: str
    article_item: str
    unit: str
    rows: Tuple[str, ...]  # its row keys
    notes: Tuple[str, ...] = ()  # normally_blank: the cells often left blank


@dataclass(frozen=True)
class VirtualRow:
    """A row the printed table has not (a subtotal), defined by its cells' sums: column -> expression."""

    key: str
    label: str
    kind: str
    exprs: Tuple[Tuple[str, str], ...]


@dataclass(frozen=True)
class TableDef:
    key: str
    version: str
    section: str
    title: str
    rows: Tuple[RowDef, ...]
    ordered: bool  # rows are printed in template order (table 三), or each row stands alone (table 二)
    text_order: Tuple[str, ...] = ()  # table 四: printed order of its cells (row.column), all as one row
    detect_markers: Tuple[str, ...] = ()  # labels that tell the table's version
    sheet_title: str = ""
    header_words: HeaderWords = HeaderWords()
    header: PrintedHeader = PrintedHeader()
    blocks: Tuple[BlockDef, ...] = ()
    virtual_rows: Tuple[VirtualRow, ...] = ()
    unit: str = ""
    normally_blank: Tuple[str, ...] = ()  # prose: the cells reports often leave blank
    note: str = ""

    @property
    def section_number(self) -> int:
        return _NUMERALS.index(self.section) + 1

    @property
    def one_row(self) -> bool:
        """The table prints all its cells as one row (table 四), in ``text_order``."""
        return bool(self.text_order)

    @property
    def data_rows(self) -> Tuple[RowDef, ...]:
        return tuple(r for r in self.rows if r.is_data)

    def row(self, key: str) -> RowDef:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def cell_refs(self) -> List[str]:
        return [f"{self.key}.{r.key}.{c.key}" for r in self.data_rows for c in r.columns]


@dataclass(frozen=True)
class Term:
    sign: int
    ref: str  # table.row.column, or prev.table.row.column


class RuleSides:
    """What a rule's sides tell (shared by the template's rules and the rules engine's compiled ones)."""

    scope: str
    lhs: Tuple[Term, ...]
    rhs: Tuple[Term, ...]

    @property
    def cross_year(self) -> bool:
        return self.scope == "cross_year"

    @property
    def refs(self) -> List[str]:
        return [t.ref for t in self.lhs + self.rhs]


@dataclass(frozen=True)
class CheckDef(RuleSides):
    """One expanded rule: ``lhs op rhs`` over cells, or a per-cell rule."""

    id: str
    base_id: str
    severity: str
    scope: str
    expr: str
    op: str  # == >= <= or 'cells' for per-cell rules
    lhs: Tuple[Term, ...] = ()
    rhs: Tuple[Term, ...] = ()
    table: str = ""
    note: Optional[str] = None
    kind: str = ""  # official (printed in the format) or derived (follows from its structure)
    source: str = ""  # where the format states it


@dataclass(frozen=True)
class SectionDef:
    number: int
    numeral: str
    key: str
    title: str
    forms: Tuple[str, ...]
    has_table: bool
    note: str = ""


@dataclass(frozen=True)
class VersionDef:
    key: str
    doc_number: str
    markers: Tuple[str, ...]  # every table's detect_markers
    sections: Tuple[SectionDef, ...]
    tables: Dict[str, TableDef] = field(default_factory=dict)
    checks: Tuple[CheckDef, ...] = ()
    name: str = ""
    issuing_document: str = ""
    dated: str = ""
    first_year: Optional[int] = None  # report_years: the years whose reports follow this version
    last_year: Optional[int] = None
    years_note: str = ""
    changes: Tuple[str, ...] = ()  # what changed from the version before (differences_from_2019)

    def checks_for(self, table: str) -> List[CheckDef]:
        return [c for c in self.checks if c.table == table]

    def covers(self, year: int) -> bool:
        """The report year falls in the version's ``report_years``."""
        return (self.first_year is None or year >= self.first_year) and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Region:
    """Where a table's text starts when its section heading is not found (``reading.regions``)."""

    starts_at: Tuple[str, ...]  # the first of these phrases after the previous table's start
    after_line: Tuple[str, ...] = ()  # ... after the line that holds the first of these (the end of the table before)


@dataclass(frozen=True)
class NarrativePhrase:
    """A phrase the prose states a cell's number in (``reading.narrative_phrases``): ``cells`` one cell, a sum
    ``a+b`` or alternatives ``x|y``; ``pattern`` a regular expression over the compact text, its one group the
    number."""

    cells: str
    name: str
    pattern: str


@dataclass(frozen=True)
class Pre2019:
    """Reports under the 2007 条例, before the fixed tables (``versions.pre2019``)."""

    markers: Tuple[str, ...]
    min_hits: int
    last_year: Optional[int]
    sections: Tuple[str, ...]
    key: str = "pre2019"
    name: str = ""
    first_year: Optional[int] = None
    years_note: str = ""
    parser_action: str = ""


@dataclass(frozen=True)
class Template:
    versions: Dict[str, VersionDef]
    pre2019: Pre2019
    # conventions.null_policy: what an empty cell means (rules/values.py's NullPolicy, parsed when loaded)
    null_policy: "NullPolicy"
    # the most digits a cell of each column type prints (conventions.cell_digits; tables/budget.py)
    cell_digits: Tuple[Tuple[str, int], ...] = ()
    # conventions.collapsed_rows: rows another version prints for a group of rows (rules/engine.py)
    collapsed_rows: Tuple["CollapsedRow", ...] = ()
    default_version: str = "2021"
    regions: Dict[str, Region] = field(default_factory=dict)
    narrative_units: Tuple[str, ...] = ()  # units after a number the prose states for a cell (件, 万元)
    # conventions.label_phrases: phrases label matching maps after the character map (normalize.match_form)
    label_phrases: Tuple[Tuple[str, str], ...] = ()
    # reading.narrative_phrases: the sections whose prose states the year's numbers and its phrases per cell
    narrative_sections: Tuple[str, ...] = ()
    narrative_phrases: Tuple[NarrativePhrase, ...] = ()
    # reading.page_markers: the section-heading parts and table words that mark a web page holding the report
    page_headings: Tuple[str, ...] = ()
    page_table_words: Tuple[str, ...] = ()
    title: str = ""
    schema_version: str = ""
    # the conventions' prose (cell_reference, for_each, label_matching, ...) and the vocabularies of the
    # rules' kinds and severities, each with what it means
    conventions: Dict[str, str] = field(default_factory=dict)
    kinds: Dict[str, str] = field(default_factory=dict)
    severities: Dict[str, str] = field(default_factory=dict)
    reading_note: str = ""
    # conventions.hierarchy_sums: table -> the column whose cells a region-wide report sums over its children
    hierarchy_sums: Tuple[Tuple[str, str], ...] = ()

    @property
    def pre2019_markers(self) -> Tuple[str, ...]:
        return self.pre2019.markers

    @property
    def table_keys(self) -> Tuple[str, ...]:
        return tuple(self.versions[self.default_version].tables)

    @property
    def sheet_titles(self) -> Dict[str, str]:
        return {k: t.sheet_title for k, t in self.versions[self.default_version].tables.items()}

    def version_for_year(self, year: Optional[int]) -> str:
        """The version whose ``report_years`` hold ``year``; the default version when none does."""
        if year is not None:
            for key, v in self.versions.items():
                if v.covers(year):
                    return key
        return self.default_version

    def year_expects(self, year: int) -> str:
        """The version a report of ``year`` is expected to follow: the latest one issued by then (the first
        one for an earlier year)."""
        begun = [v for v in self.versions.values() if v.first_year is None or v.first_year <= year]
        pick = max(begun, key=lambda v: v.first_year or 0) if begun else \
            min(self.versions.values(), key=lambda v: v.first_year or 0)
        return pick.key

    def is_pre2019_year(self, year: Optional[int]) -> bool:
        return year is not None and self.pre2019.last_year is not None and year <= self.pre2019.last_year


class TemplateError(ValueError):
    """A template file that does not hold what the loader needs: the message names the key."""


def strip_list_marker(label: str) -> Tuple[str, str]:
    """Split ``"1.属于国家秘密"`` into ``("1.", "属于国家秘密")``."""
    m = _LIST_MARKER.match(label)
    if not m:
        return "", label
    return m.group(0), label[m.end():]


_MISSING = object()


class _Node:
    """A JSON object of the template and its path, for errors that name the bad key. ``trace`` collects the
    paths of the keys read (tests: no key of the packaged template is left unread)."""

    def __init__(self, raw: object, path: str, trace: Optional[Set[str]] = None):
        if not isinstance(raw, dict):
            raise TemplateError(f"template: {path or '(top)'} must be an object, not {type(raw).__name__}")
        self.raw: Dict[str, Any] = raw
        self.path = path
        self.trace = trace

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: Union[type, Tuple[type, ...]], default: Any = _MISSING) -> Any:
        if self.trace is not None:
            self.trace.add(self._at(key))
        if key not in self.raw:
            if default is _MISSING:
                raise TemplateError(f"template: {self._at(key)} is missing")
            return default
        value = self.raw[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):  # true is no number
            want = " or ".join(k.__name__ for k in kinds)
            raise TemplateError(f"template: {self._at(key)} must be {want}, not {type(value).__name__}")
        return value

    def strings(self, key: str, default: Any = _MISSING) -> Tuple[str, ...]:
        """A list of strings (the key may be absent when a default is given)."""
        value = self.get(key, list, default)
        for i, x in enumerate(value):
            if not isinstance(x, str):
                raise TemplateError(f"template: {self._at(key)}[{i}] must be a string, not {type(x).__name__}")
        return tuple(value)

    def texts(self) -> Dict[str, str]:
        """Every entry of the object, each a string (a vocabulary: word -> what it means)."""
        return {k: self.get(k, str) for k in self.raw}

    def node(self, key: str) -> "_Node":
        return _Node(self.get(key, dict), self._at(key), self.trace)

    def nodes(self, key: str, default: Any = _MISSING) -> List["_Node"]:
        return [_Node(x, f"{self._at(key)}[{i}]", self.trace) for i, x in enumerate(self.get(key, list, default))]

    def year(self, key: str) -> Optional[int]:
        return self.get(key, (int, type(None)))


def _parse_side(side: str) -> Tuple[Term, ...]:
    terms: List[Term] = []
    sign = 1
    for tok in side.replace("+", " + ").replace(" - ", " - ").split():
        if tok == "+":
            sign = 1
        elif tok == "-":
            sign = -1
        else:
            terms.append(Term(sign, tok))
            sign = 1
    return tuple(terms)


def _expansions(c: _Node) -> List[Tuple[str, str]]:
    """(expanded id, expression) of a rule or virtual row: one, or one per value of its ``for_each``."""
    base, expr = c.get("id" if "id" in c.raw else "key", str), c.get("expr", str)
    if not c.get("for_each", dict, None):
        return [(base, expr)]
    each = c.node("for_each")
    if len(each.raw) != 1:
        raise TemplateError(f"template: {each.path} must name one placeholder")
    (var,) = each.raw
    return [(f"{base}[{v}]", expr.replace("{" + var + "}", v)) for v in each.strings(var)]


def _check_word(node: _Node, key: str, vocabulary: Dict[str, str]) -> str:
    word = node.get(key, str)
    if vocabulary and word not in vocabulary:
        raise TemplateError(f"template: {node.path}.{key} {word!r} is none of {', '.join(vocabulary)}")
    return word


def _expand_checks(raw: List[_Node], tables: Sequence[str], conventions: "_Conventions") -> Tuple[CheckDef, ...]:
    out: List[CheckDef] = []
    for c in raw:
        base = c.get("id", str)
        table = next((t for t in tables if base.startswith(t)), None)
        if table is None:
            raise TemplateError(f"template: {c.path}.id {base!r} does not start with a table's key")
        scope = c.get("scope", str)
        severity = _check_word(c, "severity", conventions.severities)
        kind = _check_word(c, "kind", conventions.kinds)
        for cid, expr in _expansions(c):
            op = "cells"
            lhs: Tuple[Term, ...] = ()
            rhs: Tuple[Term, ...] = ()
            if scope != "per_cell":
                op = next((x for x in ("==", ">=", "<=") if x in expr), "")
                if not op:
                    raise TemplateError(f"template: {c.path}.expr {expr!r} has no ==, >= or <=")
                left, right = expr.split(op)
                lhs, rhs = _parse_side(left), _parse_side(right)
            out.append(CheckDef(cid, base, severity, scope, expr, op, lhs, rhs, table, c.get("note", str, None),
                                kind, c.get("source", str, "")))
    return tuple(out)


def _columns(raw: List[_Node], generic: Sequence[str]) -> Tuple[ColumnDef, ...]:
    from .normalize import compact

    out = []
    for c in raw:
        keywords = c.strings("match_keywords", ())
        out.append(ColumnDef(
            c.get("key", str), c.get("label", str), c.get("type", str, "int"), keywords,
            float(c.get("fill_prior", (int, float), 0.5)), (c.get("label", str),) + c.strings("variants", ()),
            tuple(k for k in keywords if len(k) >= 2 and compact(k) not in generic), c.get("group", str, None),
            c.get("note", str, ""), c.get("unit", str, "")))
    return tuple(out)


def _row(raw: _Node, columns: Tuple[ColumnDef, ...], block: Optional[str] = None) -> RowDef:
    label = raw.get("label", str)
    return RowDef(
        key=raw.get("key", str), label=label, kind=raw.get("kind", str, "data"), columns=columns,
        forms=(label,) + raw.strings("variants", ()), keywords=raw.strings("match_keywords", ()),
        parent=raw.get("parent", str, None), block=block, level=raw.get("level", int, 0),
        note=raw.get("note", str, ""),
    )


def _header_words(reading: _Node) -> Tuple[HeaderWords, Tuple[str, ...]]:
    h = reading.node("header")
    words = HeaderWords(h.strings("added_columns"), h.get("subtotal", str), h.get("total_column", str),
                        h.get("total_label", str), h.get("first_label", str), h.get("note", str, ""))
    return words, h.strings("generic_keywords")


def _header_cell(x: object, path: str, trace: Optional[Set[str]]) -> HeaderCell:
    if isinstance(x, str):  # level3: labels only
        return HeaderCell(x, (x,))
    c = _Node(x, path, trace)
    label = c.get("label", str)
    return HeaderCell(label, (label,) + c.strings("variants", ()), c.get("key", str, None), c.strings("spans", ()),
                      c.get("rowspan", int, 1), c.get("colspan", int, 1))


def _printed_header(t: _Node) -> PrintedHeader:
    if t.get("header", dict, None) is None:
        return PrintedHeader()
    h = t.node("header")
    levels = []
    for name in ("level1", "level2", "level3"):
        cells = h.get(name, list, [])
        levels.append(tuple(_header_cell(x, f"{h.path}.{name}[{i}]", h.trace) for i, x in enumerate(cells)))
    corner = h.get("corner_note", str, None)
    return PrintedHeader(tuple(levels), ((corner,) + h.strings("corner_note_variants", ())) if corner else ())


def _blocks(t: _Node, generic: Sequence[str]) -> Tuple[Tuple[BlockDef, ...], List[RowDef]]:
    blocks: List[BlockDef] = []
    rows: List[RowDef] = []
    for block in t.nodes("blocks", []):
        cols = _columns(block.nodes("columns"), generic)
        caption = block.get("caption", str)
        mine = [_row(r, cols, block=caption) for r in block.nodes("rows")]
        rows.extend(mine)
        _count(block, "cell_count", len(mine) * len(cols))
        blocks.append(BlockDef(caption, (caption,) + block.strings("caption_variants", ()),
                               block.get("stub_header", str), block.get("article_item", str), block.get("unit", str),
                               tuple(r.key for r in mine), block.strings("normally_blank", ())))
    return tuple(blocks), rows


def _count(node: _Node, key: str, actual: int) -> None:
    """A count the template states (``cell_count``, ``data_row_count``) must be what its rows give."""
    stated = node.get(key, int, None)
    if stated is not None and stated != actual:
        raise TemplateError(f"template: {node.path}.{key} is {stated}, but its rows give {actual}")


def _virtual_rows(t: _Node) -> Tuple[VirtualRow, ...]:
    out = []
    for v in t.nodes("virtual_rows", []):
        exprs = tuple((cid[cid.index("[") + 1:-1] if "[" in cid else "", e) for cid, e in _expansions(v))
        out.append(VirtualRow(v.get("key", str), v.get("label", str), v.get("kind", str), exprs))
    return tuple(out)


def _table(version: str, key: str, t: _Node, reading: _Node) -> TableDef:
    """A table: its rows in blocks (table 二: each block its own columns, each row standing alone) or one
    list of rows under one list of columns (printed in template order)."""
    header, generic = _header_words(reading)
    blocks, rows = _blocks(t, generic)
    if not blocks:
        cols = _columns(t.nodes("columns"), generic)
        rows.extend(_row(r, cols) for r in t.nodes("rows"))
    table = TableDef(key, version, t.get("section", str), t.get("title", str), tuple(rows), not blocks,
                     text_order=t.strings("text_order", ()), detect_markers=t.strings("detect_markers", ()),
                     sheet_title=t.get("sheet_title", str), header_words=header, header=_printed_header(t),
                     blocks=blocks, virtual_rows=_virtual_rows(t), unit=t.get("unit", str, ""),
                     normally_blank=t.strings("normally_blank", ()), note=t.get("note", str, ""))
    refs = set(table.cell_refs())
    for ref in table.text_order:
        if f"{key}.{ref}" not in refs:
            raise TemplateError(f"template: {t.path}.text_order names {ref!r}, no cell of the table")
    _count(t, "cell_count", len(refs))
    _count(t, "data_row_count", len(table.data_rows))
    return table


_NUMERALS = "一二三四五六七八九十"


def _sections(v: _Node) -> Tuple[SectionDef, ...]:
    out = []
    for s in v.nodes("sections"):
        numeral = s.get("number", str)
        if numeral not in _NUMERALS:
            raise TemplateError(f"template: {s.path}.number {numeral!r} is not a numeral 一 to 十")
        title = s.get("title", str)
        out.append(SectionDef(_NUMERALS.index(numeral) + 1, numeral, s.get("key", str), title,
                              (title,) + s.strings("variants", ()), bool(s.get("has_table", bool, False)),
                              s.get("note", str, "")))
    return tuple(out)


@dataclass(frozen=True)
class _Conventions:
    kinds: Dict[str, str]
    severities: Dict[str, str]


def _load_version(key: str, v: _Node, reading: _Node, conventions: _Conventions) -> VersionDef:
    tables_node = v.node("tables")
    tables = {k: _table(key, k, tables_node.node(k), reading) for k in tables_node.raw}
    years = v.node("report_years")
    markers = tuple(m for t in tables.values() for m in t.detect_markers)
    return VersionDef(key, v.get("doc_number", str), markers, _sections(v), tables,
                      _expand_checks(v.nodes("constraints"), tuple(tables), conventions), name=v.get("name", str),
                      issuing_document=v.get("issuing_document", str), dated=v.get("dated", str, ""),
                      first_year=years.year("first"), last_year=years.year("last"),
                      years_note=years.get("note", str, ""), changes=v.strings("differences_from_2019", ()))


def _pre2019(key: str, v: _Node) -> Pre2019:
    years = v.node("report_years")
    if v.get("tables", (dict, list), None):
        raise TemplateError(f"template: versions.{key}.tables: the reports before 2019 have no tables")
    return Pre2019(v.strings("detect_markers"), v.get("detect_min_hits", int), years.year("last"),
                   v.strings("typical_sections", ()), key, v.get("name", str, ""), years.year("first"),
                   years.get("note", str, ""), v.get("parser_action", str, ""))


def _reading(raw: _Node, versions: Dict[str, VersionDef]) -> Tuple[str, Dict[str, Region]]:
    reading = raw.node("reading")
    default = reading.get("default_version", str)
    if default not in versions:
        raise TemplateError(f"template: reading.default_version {default!r} is no version with tables")
    regions_node = reading.node("regions")
    regions = {}
    for key in versions[default].tables:
        r = regions_node.node(key)
        regions[key] = Region(r.strings("starts_at"), r.strings("after_line", ()))
    return default, regions


def _hierarchy_sums(conventions: _Node, versions: Dict[str, VersionDef]) -> Tuple[Tuple[str, str], ...]:
    """``conventions.hierarchy_sums``: table -> a column key of that table in every version that has it."""
    sums = conventions.node("hierarchy_sums")
    sums.get("note", str, "")
    out = []
    for table in sums.raw:
        if table == "note":
            continue
        column = sums.get(table, str)
        defs = [v.tables[table] for v in versions.values() if table in v.tables]
        if not defs or any(column not in {c.key for r in t.data_rows for c in r.columns} for t in defs):
            raise TemplateError(f"template: conventions.hierarchy_sums.{table}: {column!r} is no column of that table")
        out.append((table, column))
    return tuple(out)


def _label_phrases(conventions: _Node) -> Tuple[Tuple[str, str], ...]:
    """``conventions.label_phrases``: phrase -> its form in the labels (its ``note`` is prose)."""
    phrases = conventions.node("label_phrases")
    phrases.get("note", str, "")
    return tuple((k, phrases.get(k, str)) for k in phrases.raw if k != "note")


@lru_cache(maxsize=1)
def label_phrases() -> Tuple[Tuple[str, str], ...]:
    """The packaged template's ``conventions.label_phrases`` (read by the label matching of every text)."""
    return _label_phrases(_Node(_packaged_raw(), "").node("conventions"))


def _narrative(reading: _Node, versions: Dict[str, VersionDef]) -> Tuple[Tuple[str, ...], Tuple[NarrativePhrase, ...]]:
    """``reading.narrative_phrases``, validated: each pattern compiles with one group, each cell and section
    is one of a version's."""
    n = reading.node("narrative_phrases")
    n.get("note", str, "")
    sections = n.strings("sections")
    known = {s.key for v in versions.values() for s in v.sections}
    for key in sections:
        if key not in known:
            raise TemplateError(f"template: {n.path}.sections names {key!r}, no section of a version")
    refs = {r for v in versions.values() for t in v.tables.values() for r in t.cell_refs()}
    out = []
    for p in n.nodes("phrases"):
        phrase = NarrativePhrase(p.get("cells", str), p.get("name", str), p.get("pattern", str))
        bad = [r for alt in phrase.cells.split("|") for r in alt.split("+") if r not in refs]
        if bad:
            raise TemplateError(f"template: {p.path}.cells names {bad[0]!r}, no cell of a version")
        try:
            groups = re.compile(phrase.pattern).groups
        except re.error as exc:
            raise TemplateError(f"template: {p.path}.pattern is no regular expression ({exc})") from None
        if groups != 1:
            raise TemplateError(f"template: {p.path}.pattern must have one group (the number), not {groups}")
        out.append(phrase)
    return sections, tuple(out)


def _table_texts(table: TableDef) -> List[str]:
    """Every label the table prints: rows, columns, header cells, block captions and stub headers, markers."""
    out = [f for r in table.rows for f in r.forms + tuple(f for c in r.columns for f in c.forms)]
    out += [f for level in table.header.levels for c in level for f in c.forms]
    out += [f for b in table.blocks for f in b.forms + (b.stub_header,)]
    return out + list(table.detect_markers)


def _page_markers(reading: _Node, versions: Dict[str, VersionDef]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """``reading.page_markers``, validated: each heading is part of a section title, each table word part of
    a table's label."""
    m = reading.node("page_markers")
    m.get("note", str, "")
    headings, words = m.strings("headings"), m.strings("table_words")
    titles = [f for v in versions.values() for s in v.sections for f in s.forms]
    labels = [x for v in versions.values() for t in v.tables.values() for x in _table_texts(t)]
    for key, mine, where, what in (("headings", headings, titles, "section title"),
                                   ("table_words", words, labels, "table label")):
        for w in mine:
            if not any(w in x for x in where):
                raise TemplateError(f"template: {m.path}.{key}: {w!r} is part of no {what}")
    return headings, words


def _conventions(top: _Node) -> Tuple[Dict[str, str], _Conventions, Tuple[Tuple[str, int], ...]]:
    conventions = top.node("conventions")
    digits = conventions.node("cell_digits")
    cell_digits = tuple((k, digits.get(k, int)) for k in digits.raw if k != "note")
    prose_digits = digits.get("note", str, "")
    vocab = _Conventions(conventions.node("kinds").texts(), conventions.node("severity").texts())
    prose = {k: conventions.get(k, str) for k, v in conventions.raw.items() if isinstance(v, str)}
    if prose_digits:
        prose["cell_digits"] = prose_digits
    return prose, vocab, cell_digits


def _rules_data(conventions: _Node) -> Tuple["NullPolicy", Tuple["CollapsedRow", ...]]:
    """The null policy and the collapsed rows, parsed once here by the rules engine's own types (a bad one
    is refused when the template is loaded, naming its key)."""
    from .rules.engine import CollapsedRow
    from .rules.values import NullPolicy

    try:
        policy = NullPolicy.from_data(conventions.get("null_policy", dict))
    except (KeyError, TypeError, ValueError) as e:
        raise TemplateError(f"template: conventions.null_policy: {e}") from None
    try:
        rows = conventions.get("collapsed_rows", dict, {}).get("rows", [])
        collapsed = tuple(CollapsedRow.from_data(c) for c in rows)
    except (KeyError, TypeError, AttributeError) as e:
        raise TemplateError(f"template: conventions.collapsed_rows: {e}") from None
    return policy, collapsed


def template_from_dict(raw: object, trace: Optional[Set[str]] = None) -> Template:
    """A template from its JSON data, validated: a :class:`TemplateError` names the key that is wrong."""
    top = _Node(raw, "", trace)
    schema = top.get("schema_version", str)
    if schema != SCHEMA_VERSION:
        raise TemplateError(f"template: schema_version {schema!r}: this govreport reads {SCHEMA_VERSION!r}")
    prose, vocab, cell_digits = _conventions(top)
    versions_node = top.node("versions")
    versions: Dict[str, VersionDef] = {}
    pre: Optional[Pre2019] = None
    for key in versions_node.raw:
        v = versions_node.node(key)
        if v.raw.get("tables"):  # the reports before 2019 have no tables
            versions[key] = _load_version(key, v, top.node("reading"), vocab)
            continue
        if pre is not None:
            raise TemplateError(f"template: versions.{key}: a second version without tables")
        pre = _pre2019(key, v)
    if pre is None:
        raise TemplateError("template: versions: no version without tables (the reports before 2019)")
    if not versions:
        raise TemplateError("template: versions: no version with tables")
    default, regions = _reading(top, versions)
    reading = top.node("reading")
    narrative_sections, narrative_phrases = _narrative(reading, versions)
    page_headings, page_table_words = _page_markers(reading, versions)
    conventions = top.node("conventions")
    policy, collapsed = _rules_data(conventions)
    return Template(versions, pre, policy, cell_digits, collapsed, default,
                    regions, reading.strings("narrative_units"), _label_phrases(conventions), narrative_sections,
                    narrative_phrases, page_headings, page_table_words,
                    title=top.get("title", str, ""),
                    schema_version=schema, conventions=prose, kinds=vocab.kinds, severities=vocab.severities,
                    reading_note=reading.get("note", str, ""),
                    hierarchy_sums=_hierarchy_sums(conventions, versions))


def read_template(source: "TemplateSource" = None) -> Template:
    """``None`` (the packaged template), a :class:`Template`, or the path of a template JSON file."""
    if source is None:
        return load_template()
    if isinstance(source, Template):
        return source
    path = Path(os.fspath(source))
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise TemplateError(f"template {path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise TemplateError(f"template {path}: not JSON ({exc})") from None
    try:
        return template_from_dict(raw)
    except TemplateError as exc:
        raise TemplateError(f"{path}: {exc}") from None


TemplateSource = Union[None, Template, str, "os.PathLike[str]"]


@lru_cache(maxsize=1)
def _packaged_raw() -> Dict[str, Any]:
    raw = json.loads(resources.files("govreport").joinpath("data/template.json").read_text("utf-8"))
    return cast(Dict[str, Any], raw)


def packaged_section(key: str) -> Any:
    """A top-level section of the packaged template's data that its own module parses (``derived_measures``:
    govreport.derived); the file is read here and nowhere else."""
    raw = _packaged_raw()
    if key not in raw:
        raise TemplateError(f"template: {key} is missing")
    return raw[key]


@lru_cache(maxsize=1)
def load_template() -> Template:
    """The packaged template (a copy of the shared ``spec/template.json``, with govreport's own additions)."""
    return template_from_dict(_packaged_raw())


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def traditional_to_simplified() -> Dict[str, str]:
    """A character map learnt from the template: each traditional variant aligned with its label.

    Only characters that never occur in a simplified label are mapped, so typo variants such as
    上年转结 (for 上年结转) teach nothing.
    """
    raw = _packaged_raw()
    pairs: List[Tuple[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            label = node.get("label") or node.get("title") or node.get("caption")
            variants = node.get("variants") or node.get("caption_variants") or []
            if isinstance(label, str):
                for v in variants:
                    if isinstance(v, str):
                        pairs.append((label, v))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(raw["versions"])
    simplified = {ch for label, _ in pairs for ch in label}
    table: Dict[str, str] = {}
    for label, variant in pairs:
        a = "".join(ch for ch in unicodedata.normalize("NFKC", label) if not ch.isspace())
        b = "".join(ch for ch in unicodedata.normalize("NFKC", variant) if not ch.isspace())
        if len(a) != len(b):
            continue
        for s, t in zip(a, b, strict=True):
            if s != t and _is_cjk(s) and _is_cjk(t) and t not in simplified:
                table.setdefault(t, s)
    return table
