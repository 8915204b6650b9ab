"""The official tables as typed data, loaded from the package's copy of ``template.json``.

A template version is a definition, not code: sections, tables (rows, columns, labels, variants) and the
arithmetic rules (勾稽关系) all come from ``data/template.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, List, Mapping, Optional, Tuple

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
class TableDef:
    key: str
    version: str
    section: str
    title: str
    rows: Tuple[RowDef, ...]
    ordered: bool  # rows are printed in template order (table 三), or each row stands alone (table 二)
    text_order: Tuple[str, ...] = ()  # table 四: printed order of its cells (row.column)

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
    markers: Tuple[str, ...]
    sections: Tuple[SectionDef, ...]
    tables: Dict[str, TableDef] = field(default_factory=dict)
    checks: Tuple[CheckDef, ...] = ()

    def checks_for(self, table: str) -> List[CheckDef]:
        return [c for c in self.checks if c.table == table]


@dataclass(frozen=True)
class Template:
    versions: Dict[str, VersionDef]
    pre2019_markers: Tuple[str, ...]
    pre2019_sections: Tuple[str, ...]
    # conventions.null_policy: what an empty cell means, as data (parsed by rules/values.py's NullPolicy)
    null_policy: Mapping[str, Any]
    # the most digits a cell of each column type prints (conventions.cell_digits; tables/budget.py)
    cell_digits: Tuple[Tuple[str, int], ...] = ()
    # conventions.collapsed_rows: rows another version prints for a group of rows (rules/engine.py)
    collapsed_rows: Tuple[Mapping[str, Any], ...] = ()


def strip_list_marker(label: str) -> Tuple[str, str]:
    """Split ``"1.属于国家秘密"`` into ``("1.", "属于国家秘密")``."""
    m = _LIST_MARKER.match(label)
    if not m:
        return "", label
    return m.group(0), label[m.end():]


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


def _expand_checks(version: str, raw: List[dict]) -> Tuple[CheckDef, ...]:
    out: List[CheckDef] = []
    for c in raw:
        base = c["id"]
        table = next(t for t in TABLE_KEYS if base.startswith(t))
        expansions: List[Tuple[str, str]] = []
        if c.get("for_each"):
            (var, values), = c["for_each"].items()
            for v in values:
                expansions.append((f"{base}[{v}]", c["expr"].replace("{" + var + "}", v)))
        else:
            expansions.append((base, c["expr"]))
        for cid, expr in expansions:
            op = "cells"
            lhs: Tuple[Term, ...] = ()
            rhs: Tuple[Term, ...] = ()
            if c["scope"] != "per_cell":
                for candidate in ("==", ">=", "<="):
                    if candidate in expr:
                        op = candidate
                        left, right = expr.split(candidate)
                        lhs, rhs = _parse_side(left), _parse_side(right)
                        break
            out.append(CheckDef(cid, base, c["severity"], c["scope"], expr, op, lhs, rhs, table, c.get("note")))
    return tuple(out)


def _columns(raw: List[dict]) -> Tuple[ColumnDef, ...]:
    return tuple(
        ColumnDef(c["key"], c["label"], c.get("type", "int"), tuple(c.get("match_keywords", ())),
                  float(c.get("fill_prior", 0.5)), (c["label"],) + tuple(c.get("variants", ()))) for c in raw
    )


def _row(raw: dict, columns: Tuple[ColumnDef, ...], block: Optional[str] = None) -> RowDef:
    forms = (raw["label"],) + tuple(raw.get("variants", ()))
    return RowDef(
        key=raw["key"], label=raw["label"], kind=raw.get("kind", "data"), columns=columns, forms=forms,
        keywords=tuple(raw.get("match_keywords", ())), parent=raw.get("parent"), block=block,
    )


def _load_version(key: str, raw: dict) -> VersionDef:
    numerals = "一二三四五六"
    sections = tuple(
        SectionDef(numerals.index(s["number"]) + 1, s["number"], s["key"], s["title"],
                   (s["title"],) + tuple(s.get("variants", ())), bool(s.get("has_table")))
        for s in raw["sections"]
    )
    tables: Dict[str, TableDef] = {}
    t = raw["tables"]
    ad = t["active_disclosure"]
    rows: List[RowDef] = []
    for block in ad["blocks"]:
        cols = _columns(block["columns"])
        for r in block["rows"]:
            rows.append(_row(r, cols, block=block["caption"]))
    tables["active_disclosure"] = TableDef("active_disclosure", key, ad["section"], ad["title"], tuple(rows), False)
    ap = t["applications"]
    cols = _columns(ap["columns"])
    tables["applications"] = TableDef(
        "applications", key, ap["section"], ap["title"], tuple(_row(r, cols) for r in ap["rows"]), True
    )
    rl = t["review_litigation"]
    cols = _columns(rl["columns"])
    tables["review_litigation"] = TableDef(
        "review_litigation", key, rl["section"], rl["title"], tuple(_row(r, cols) for r in rl["rows"]), True,
        text_order=tuple(rl["text_order"]),
    )
    return VersionDef(key, raw.get("doc_number", ""), tuple(raw.get("detect_markers", ())), sections, tables,
                      _expand_checks(key, raw.get("constraints", [])))


@lru_cache(maxsize=1)
def load_template() -> Template:
    """The packaged template (a copy of the shared ``spec/template.json``)."""
    raw = json.loads(resources.files("govreport").joinpath("data/template.json").read_text("utf-8"))
    versions = {k: _load_version(k, raw["versions"][k]) for k in VERSIONS}
    pre = raw["versions"]["pre2019"]
    digits = tuple((k, int(v)) for k, v in raw["conventions"].get("cell_digits", {}).items() if k != "note")
    return Template(versions, tuple(pre.get("detect_markers", ())), tuple(pre.get("typical_sections", ())),
                    raw["conventions"].get("null_policy", {}), digits,
                    tuple(raw["conventions"].get("collapsed_rows", {}).get("rows", ())))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def traditional_to_simplified() -> Dict[str, str]:
    """A character map learnt from the template: each traditional variant aligned with its label.

    Only characters that never occur in a simplified label are mapped, so typo variants such as
    上年转结 (for 上年结转) teach nothing.
    """
    raw = json.loads(resources.files("govreport").joinpath("data/template.json").read_text("utf-8"))
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
        for s, t in zip(a, b):
            if s != t and _is_cjk(s) and _is_cjk(t) and t not in simplified:
                table.setdefault(t, s)
    return table
