"""The three tables from a document's text: find their regions, detect each one's template version,
observe the rows and recover the cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..normalize import compact
from ..record import Check, Issue
from ..rules.engine import TableRules, compile_table, evaluate, values_of
from ..rules.values import Number
from ..sections import Heading, Layout
from ..template import RowDef, TableDef, Template, VersionDef
from . import budget
from .decide import decide
from .layout import EmptyBlank, _positional, blank_at, observe_rows
from .recover import CellResult, PrintedRow, Ranker, recover, rows_from_obs
from .tokens import Group, Token, groups_in, split_fields

@dataclass
class TableResult:
    table: TableDef
    cells: Dict[str, CellResult]
    found: bool
    rows_found: List[str]
    rules: TableRules  # the table's rules compiled for the rows it prints
    placed_by_order: List[str] = field(default_factory=list)
    extra_rows: List[Tuple[RowDef, str]] = field(default_factory=list)  # (row, version it belongs to)
    notes: List[Tuple[str, str]] = field(default_factory=list)  # (issue code, message)
    checks: List[Check] = field(default_factory=list)  # the table's checks, evaluated by the decision step
    trust_issues: List[Issue] = field(default_factory=list)  # the cells the trust rule turned suspect


def detect_version(template: Template, table_key: str, region_text: str) -> Tuple[Optional[str], List[str]]:
    """The template version a table region's own labels point to (the template's ``detect_markers``), and
    the labels that say so."""
    c = compact(region_text)
    hits: Dict[str, List[str]] = {}
    for version, vdef in template.versions.items():
        table = vdef.tables.get(table_key)
        if table is not None and table.detect_markers:
            hits[version] = [m for m in table.detect_markers if compact(m) in c]
    scored = sorted(hits.items(), key=lambda kv: len(kv[1]), reverse=True)
    if scored and scored[0][1] and (len(scored) < 2 or len(scored[0][1]) > len(scored[1][1])):
        return scored[0][0], scored[0][1]
    return None, []


def _first(pattern: str, text: str, start: int, end: int) -> Optional[int]:
    m = re.compile(pattern).search(text, start, end)
    return m.start() if m else None


def _phrases(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def regions(text: str, layout: Layout, template: Template) -> Dict[str, Tuple[int, int]]:
    """Where each table's text lies (possibly empty when a table is absent): from its section's heading,
    or failing that from the template's region anchors (``reading.regions``)."""
    n = len(text)
    h = layout.headings
    tables = template.versions[template.default_version].tables
    starts: Dict[str, Optional[int]] = {}
    previous: Optional[int] = None
    for key, table in tables.items():
        number = table.section_number
        region = template.regions[key]
        if number in h:
            starts[key] = h[number].end
        elif region.after_line:
            # after the line that ends the table before (only when that table was found)
            if previous is None:
                starts[key] = None
            else:
                m = re.compile(f"(?:{_phrases(region.after_line)})[^\n]*\n?").search(text, previous)
                starts[key] = _first(_phrases(region.starts_at), text, m.end() if m else previous, n)
        else:
            starts[key] = _first(_phrases(region.starts_at), text, previous or 0, n)
        previous = starts[key]
    return _spans(h, tables, starts, n)


def _spans(h: Dict[int, Heading], tables: Dict[str, TableDef], starts: Dict[str, Optional[int]],
           n: int) -> Dict[str, Tuple[int, int]]:
    """Each table's text runs from its start to the next table's heading or start; the last table's to the
    next section's heading."""
    keys = list(tables)
    out: Dict[str, Tuple[int, int]] = {}
    for i, key in enumerate(keys):
        s = starts[key]
        if s is None:
            continue
        if i + 1 < len(keys):
            number = tables[keys[i + 1]].section_number
            nxt = starts[keys[i + 1]]
            end = h[number].start if number in h else (nxt if nxt is not None else n)
        else:
            number = tables[key].section_number
            end = min([x.start for k, x in h.items() if k > number and x.start > s] or [n])
        out[key] = (s, end)
    return out


def _clean_line_groups(text: str, start: int, end: int) -> List[Group]:
    """Groups on lines that hold nothing but numbers, placeholders and separators."""
    out: List[Group] = []
    pos = start
    while pos < end:
        e = text.find("\n", pos, end)
        e = end if e < 0 else e
        line = text[pos:e]
        if (re.search(r"\d", line) or len(line.split()) >= 5) and re.fullmatch(r"[\s|\d.+\-/—－―／\\\u2063无]*", line):
            out.extend(groups_in(text, pos, e))
        pos = e + 1
    return out


def review_litigation_row(text: str, start: int, end: int, table: TableDef,
                          empty_blank: "EmptyBlank" = False) -> PrintedRow:
    """Table 四 prints its 15 cells as one row under a three-level header."""
    by_key = {r.key: r for r in table.data_rows}
    refs = tuple(f"{table.key}.{ref}" for ref in table.text_order)
    columns = tuple(next(c for c in by_key[ref.split(".")[0]].columns if c.key == ref.split(".")[1])
                    for ref in table.text_order)
    n = len(refs)
    clean = _clean_line_groups(text, start, end)
    # one grid line of exactly 15 fields: each number's column is known, empty fields included
    for g in reversed(clean):
        line_start = text.rfind("\n", 0, g.start) + 1
        line_end = text.find("\n", g.end, end)
        fields = _positional(split_fields(text, line_start, end if line_end < 0 else line_end), n)
        if fields is not None:
            kind = "blank" if blank_at(empty_blank, line_start) else "empty"
            return PrintedRow(refs, columns, [Token(t.raw, t.start, t.end, kind) if t.kind == "empty" else t
                                              for t in fields], True)
    tokens: List[Token] = []
    if clean:
        # the clean lines at the end of the region, as many as it takes to reach 15 cells
        chosen: List[Group] = []
        count = 0
        for g in reversed(clean):
            chosen.insert(0, g)
            count += len(g)
            if count >= n:
                break
        tokens = [t for g in chosen for t in g.tokens]
        lines = {text.count("\n", 0, t.start) for t in tokens}
    else:
        groups = groups_in(text, start, end)
        if groups:
            tokens = list(groups[-1].tokens)
        lines = set()
    # numbers read in order under the header, with no label of their own: as printed only when they are
    # exactly the 15 cells on one line
    exact = len(tokens) == n and len(lines) == 1
    return PrintedRow(refs, columns, tokens, guesses=() if exact else ("by_order",))


@dataclass
class TextTables:
    results: Dict[str, TableResult]
    versions: Dict[str, str]
    evidence: List[str]


def _other_version_rows(template: Template, version: str, table_key: str) -> List[Tuple[RowDef, str]]:
    """Rows that exist only in the other template version (the collapsed （六）其他处理 of 2019)."""
    out = []
    mine = {r.key for r in template.versions[version].tables[table_key].rows}
    for vkey, v in template.versions.items():
        if vkey == version:
            continue
        for r in v.tables[table_key].data_rows:
            if r.key not in mine:
                out.append((r, vkey))
    return out


def extract_tables(text: str, layout: Layout, template: Template, fallback_version: str,
                   empty_blank: "EmptyBlank" = False, page_starts: Sequence[int] = ()) -> TextTables:
    spans = regions(text, layout, template)
    versions: Dict[str, str] = {}
    evidence: List[str] = []
    keys = template.table_keys
    for key in keys:
        if key in spans:
            v, ev = detect_version(template, key, text[spans[key][0]:spans[key][1]])
            if v:
                versions[key] = v
                evidence.extend(ev)
    # a table whose labels do not tell takes the version of the others (the later table's first)
    default = next((versions[k] for k in reversed(keys) if k in versions), fallback_version)
    results: Dict[str, TableResult] = {}
    for key in keys:
        version = versions.setdefault(key, default)
        vdef: VersionDef = template.versions[version]
        table = vdef.tables[key]
        if key not in spans:
            results[key] = TableResult(table, {}, False, [], compile_table(template, table))
            decide(results[key])
            continue
        results[key] = _table_result(text, spans, template, vdef, table, empty_blank, page_starts)
        decide(results[key])
    return TextTables(results, versions, evidence)


def _table_result(text: str, spans: Dict[str, Tuple[int, int]], template: Template, vdef: VersionDef,
                  table: TableDef, empty_blank: "EmptyBlank", page_starts: Sequence[int]) -> TableResult:
    key = table.key
    a, b = spans[key]
    extra: List[Tuple[RowDef, str]] = []
    rules = compile_table(template, table)
    if table.one_row:
        rows = [review_litigation_row(text, a, b, table, empty_blank)]
        found_rows = [r.key for r in table.data_rows] if rows[0].tokens else []
        placed: List[str] = []
    else:
        others = _other_version_rows(template, vdef.key, key) if table.ordered else []
        obs = observe_rows(text, a, b, table, extra=[r for r, _ in others], empty_blank=empty_blank,
                           page_starts=page_starts)
        extra = [(o.row, next(v for r, v in others if r.key == o.row.key)) for o in obs.extra_rows]
        found_rows = [k for k, o in obs.rows.items() if o.tokens]
        rules = compile_table(template, table, extra, found_rows)
        rows = rows_from_obs(rules, obs.rows)
        for o in obs.extra_rows:
            rows += rows_from_obs(rules, {o.row.key: o})
        placed = [k for k, o in obs.rows.items() if o.placed_by_order]
    present = {ref for r in rows for ref in r.refs}
    ev = narrative_evidence(text, spans, table, template.narrative_units) if not table.ordered else None
    cells, notes = recover(rows, rules.equations(present), rank=_soft_ranker(rules), evidence=ev)
    notes = _too_long_runs(text, a, b) + notes
    return TableResult(table, cells, bool(found_rows), found_rows, rules, placed, extra, notes)


def _too_long_runs(text: str, start: int, end: int) -> List[Tuple[str, str]]:
    """An issue for the digit runs of a table's text too long for any row of cells (read as text)."""
    longest = budget.longest_run()
    runs = [m.end() - m.start() for m in re.compile(r"\d{%d,}" % (longest + 1)).finditer(text, start, end)]
    if not runs:
        return []
    return [(budget.TOO_LONG_ISSUE, f"{len(runs)} digit run(s) of up to {max(runs)} digits, longer than any "
                                    f"printed row of cells can hold together (at most {longest}): read as text")]


def _soft_ranker(rules: TableRules) -> Optional[Ranker]:
    """Rank ambiguous readings: a reading that breaks an in-report soft check is less plausible."""
    soft = rules.soft_order_rules()
    if not soft:
        return None

    def rank(values: Dict[str, Optional[Number]]) -> float:
        return 20.0 * sum(1 for c in soft if evaluate(c, values_of(values)).status == "fail")

    return rank


_CLAUSE_END = "，。；,;：:\n"


def narrative_evidence(text: str, spans: Dict[str, Tuple[int, int]], table: TableDef,
                       units: Sequence[str]) -> Dict[str, List]:
    """Values the prose states for table-二 cells, e.g. 制发行政规范性文件69件 → normative_documents.issued."""
    prose_parts = []
    pos = 0
    for a, b in sorted(spans.values()):
        prose_parts.append(text[pos:a])
        pos = max(pos, b)
    prose_parts.append(text[pos:])
    prose = "".join(prose_parts)
    out: Dict[str, List] = {}
    unit = "(?:" + "|".join(re.escape(u) for u in units) + ")"
    for row in table.data_rows:
        row_kws = sorted({compact(k) for k in row.keywords} | {compact(row.label)}, key=len, reverse=True)
        for col in row.columns:
            col_kws = [compact(k) for k in col.keywords if len(compact(k)) >= 2]
            if not col_kws:
                continue
            pat = re.compile(
                "(?:" + "|".join(map(re.escape, col_kws)) + ")[^" + _CLAUSE_END + r"\d]{0,8}?(?:"
                + "|".join(map(re.escape, row_kws)) + ")[^" + _CLAUSE_END + r"\d]{0,4}?(\d+(?:\.\d+)?)\s*" + unit
            )
            for m in pat.finditer(prose):
                raw = m.group(1)
                if not budget.fits(raw, "decimal" if "." in raw else "int"):
                    continue  # longer than the cell prints: text, not its number
                value = float(raw) if "." in raw else int(raw)
                out.setdefault(f"{table.key}.{row.key}.{col.key}", []).append((value, m.group(0)))
    return out
