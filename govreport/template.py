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
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

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
    header: HeaderWords = HeaderWords()

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


@dataclass(frozen=True)
class CheckDef:
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

    @property
    def cross_year(self) -> bool:
        return self.scope == "cross_year"

    @property
    def refs(self) -> List[str]:
        return [t.ref for t in self.lhs + self.rhs]


@dataclass(frozen=True)
class SectionDef:
    number: int
    numeral: str
    key: str
    title: str
    forms: Tuple[str, ...]
    has_table: bool


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
class Pre2019:
    """Reports under the 2007 条例, before the fixed tables (``versions.pre2019``)."""

    markers: Tuple[str, ...]
    min_hits: int
    last_year: Optional[int]
    sections: Tuple[str, ...]


@dataclass(frozen=True)
class Template:
    versions: Dict[str, VersionDef]
    pre2019: Pre2019
    # conventions.null_policy: what an empty cell means, as data (parsed by rules/values.py's NullPolicy)
    null_policy: Mapping[str, Any]
    # the most digits a cell of each column type prints (conventions.cell_digits; tables/budget.py)
    cell_digits: Tuple[Tuple[str, int], ...] = ()
    # conventions.collapsed_rows: rows another version prints for a group of rows (rules/engine.py)
    collapsed_rows: Tuple[Mapping[str, Any], ...] = ()
    default_version: str = "2021"
    regions: Dict[str, Region] = field(default_factory=dict)
    narrative_units: Tuple[str, ...] = ()  # units after a number the prose states for a cell (件, 万元)

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
    """A JSON object of the template and its path, for errors that name the bad key."""

    def __init__(self, raw: object, path: str):
        if not isinstance(raw, dict):
            raise TemplateError(f"template: {path or '(top)'} must be an object, not {type(raw).__name__}")
        self.raw: Dict[str, Any] = raw
        self.path = path

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: Union[type, Tuple[type, ...]], default: Any = _MISSING) -> Any:
        if key not in self.raw:
            if default is _MISSING:
                raise TemplateError(f"template: {self._at(key)} is missing")
            return default
        value = self.raw[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise TemplateError(f"template: {self._at(key)} must be {want}, not {type(value).__name__}")
        return value

    def strings(self, key: str, default: Any = _MISSING) -> Tuple[str, ...]:
        """A list of strings (the key may be absent when a default is given)."""
        value = self.get(key, list, default)
        for i, x in enumerate(value):
            if not isinstance(x, str):
                raise TemplateError(f"template: {self._at(key)}[{i}] must be a string, not {type(x).__name__}")
        return tuple(value)

    def node(self, key: str) -> "_Node":
        return _Node(self.get(key, dict), self._at(key))

    def nodes(self, key: str) -> List["_Node"]:
        return [_Node(x, f"{self._at(key)}[{i}]") for i, x in enumerate(self.get(key, list))]

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
    base, expr = c.get("id", str), c.get("expr", str)
    if not c.get("for_each", dict, None):
        return [(base, expr)]
    each = c.node("for_each")
    if len(each.raw) != 1:
        raise TemplateError(f"template: {each.path} must name one placeholder")
    (var,) = each.raw
    return [(f"{base}[{v}]", expr.replace("{" + var + "}", v)) for v in each.strings(var)]


def _expand_checks(raw: List[_Node], tables: Sequence[str]) -> Tuple[CheckDef, ...]:
    out: List[CheckDef] = []
    for c in raw:
        base = c.get("id", str)
        table = next((t for t in tables if base.startswith(t)), None)
        if table is None:
            raise TemplateError(f"template: {c.path}.id {base!r} does not start with a table's key")
        scope, severity = c.get("scope", str), c.get("severity", str)
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
            out.append(CheckDef(cid, base, severity, scope, expr, op, lhs, rhs, table, c.get("note", str, None)))
    return tuple(out)


def _columns(raw: List[_Node], generic: Sequence[str]) -> Tuple[ColumnDef, ...]:
    from .normalize import compact

    out = []
    for c in raw:
        keywords = c.strings("match_keywords", ())
        out.append(ColumnDef(
            c.get("key", str), c.get("label", str), c.get("type", str, "int"), keywords,
            float(c.get("fill_prior", (int, float), 0.5)), (c.get("label", str),) + c.strings("variants", ()),
            tuple(k for k in keywords if len(k) >= 2 and compact(k) not in generic)))
    return tuple(out)


def _row(raw: _Node, columns: Tuple[ColumnDef, ...], block: Optional[str] = None) -> RowDef:
    label = raw.get("label", str)
    return RowDef(
        key=raw.get("key", str), label=label, kind=raw.get("kind", str, "data"), columns=columns,
        forms=(label,) + raw.strings("variants", ()), keywords=raw.strings("match_keywords", ()),
        parent=raw.get("parent", str, None), block=block,
    )


def _header_words(reading: _Node) -> Tuple[HeaderWords, Tuple[str, ...]]:
    h = reading.node("header")
    words = HeaderWords(h.strings("added_columns"), h.get("subtotal", str), h.get("total_column", str),
                        h.get("total_label", str), h.get("first_label", str))
    return words, h.strings("generic_keywords")


def _table(version: str, key: str, t: _Node, reading: _Node) -> TableDef:
    """A table: its rows in blocks (table 二: each block its own columns, each row standing alone) or one
    list of rows under one list of columns (printed in template order)."""
    header, generic = _header_words(reading)
    rows: List[RowDef] = []
    blocks = t.get("blocks", list, None)
    if blocks is not None:
        for block in t.nodes("blocks"):
            cols = _columns(block.nodes("columns"), generic)
            rows.extend(_row(r, cols, block=block.get("caption", str)) for r in block.nodes("rows"))
    else:
        cols = _columns(t.nodes("columns"), generic)
        rows.extend(_row(r, cols) for r in t.nodes("rows"))
    table = TableDef(key, version, t.get("section", str), t.get("title", str), tuple(rows), blocks is None,
                     text_order=t.strings("text_order", ()), detect_markers=t.strings("detect_markers", ()),
                     sheet_title=t.get("sheet_title", str), header=header)
    refs = set(table.cell_refs())
    for ref in table.text_order:
        if f"{key}.{ref}" not in refs:
            raise TemplateError(f"template: {t.path}.text_order names {ref!r}, no cell of the table")
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
                              (title,) + s.strings("variants", ()), bool(s.get("has_table", bool, False))))
    return tuple(out)


def _load_version(key: str, v: _Node, reading: _Node) -> VersionDef:
    tables_node = v.node("tables")
    tables = {k: _table(key, k, tables_node.node(k), reading) for k in tables_node.raw}
    years = v.node("report_years")
    markers = tuple(m for t in tables.values() for m in t.detect_markers)
    return VersionDef(key, v.get("doc_number", str), markers, _sections(v), tables,
                      _expand_checks(v.nodes("constraints"), tuple(tables)), name=v.get("name", str),
                      issuing_document=v.get("issuing_document", str), dated=v.get("dated", str, ""),
                      first_year=years.year("first"), last_year=years.year("last"))


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


def template_from_dict(raw: object) -> Template:
    """A template from its JSON data, validated: a :class:`TemplateError` names the key that is wrong."""
    top = _Node(raw, "")
    versions_node = top.node("versions")
    versions: Dict[str, VersionDef] = {}
    pre: Optional[Pre2019] = None
    for key in versions_node.raw:
        v = versions_node.node(key)
        if v.raw.get("tables"):  # the reports before 2019 have no tables
            versions[key] = _load_version(key, v, top.node("reading"))
            continue
        if pre is not None:
            raise TemplateError(f"template: versions.{key}: a second version without tables")
        pre = Pre2019(v.strings("detect_markers"), v.get("detect_min_hits", int),
                      v.node("report_years").year("last"), v.strings("typical_sections", ()))
    if pre is None:
        raise TemplateError("template: versions: no version without tables (the reports before 2019)")
    if not versions:
        raise TemplateError("template: versions: no version with tables")
    conventions = top.node("conventions")
    digits = conventions.node("cell_digits")
    cell_digits = tuple((k, digits.get(k, int)) for k in digits.raw if k != "note")
    default, regions = _reading(top, versions)
    collapsed = conventions.get("collapsed_rows", dict, {}).get("rows", [])
    return Template(versions, pre, conventions.get("null_policy", dict), cell_digits,
                    tuple(collapsed), default, regions, top.node("reading").strings("narrative_units"))


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
