"""Findings about one report, as a reviewer would note them: each with a code, a severity and its evidence.

Kinds (``code``):

- ``check_failed`` / ``soft_check_failed``: the report's own arithmetic, as ``checks`` recomputed it.
- template conformance: ``template_year_mismatch`` and ``template_mismatch`` (from extraction),
  ``section_missing``, ``section_out_of_order``, ``heading_variant``, ``row_absent``, ``row_from_other_template``.
- ``cells_blank`` / ``cells_placeholder``: cells the form wants a number in, printed empty or as ``/`` ``—``.
- ``narrative_mismatch``: a number the prose (总体情况, 其他需要报告的事项) gives for a table cell that the
  cell does not hold. A number the prose gives that no cell has is not a finding.
- ``text_copied`` (needs the previous year's report): see :func:`section_similarity`.

:func:`report_findings` is cheap (a few milliseconds) and is what extraction adds to the record's ``issues``.
"""

from __future__ import annotations

import re
import zlib
from array import array
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..normalize import compact
from ..rules.engine import compile_table
from ..tables.budget import plain_number
from ..template import TableDef, load_template

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    code: str
    severity: str  # error | warning | info (the Issue levels)
    message: str
    cells: List[str] = field(default_factory=list)  # table.row.column refs (or table.row) it concerns
    evidence: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def to_issue(self):
        from ..record import Issue

        cell = self.cells[0] if len(self.cells) == 1 else None
        return Issue(level=self.severity, code=self.code, cell=cell, message=self.message)


# --- the report's own arithmetic ----------------------------------------------------------------------

def check_findings(report) -> List[Finding]:
    out = []
    for c in report.checks:
        if c.status != "fail":
            continue
        hard = c.severity == "hard"
        out.append(Finding(
            "check_failed" if hard else "soft_check_failed", "error" if hard else "info",
            f"{c.id}: {_n(c.lhs)} ≠ {_n(c.rhs)} as printed" + ("" if hard else " (plausibility check)"),
            list(c.cells), {"check": c.id, "expr": c.expr, "lhs": c.lhs, "rhs": c.rhs, "severity": c.severity,
                            "difference": _diff(c.lhs, c.rhs)}))
    return out


def _n(v) -> str:
    return "null" if v is None else str(v)


def _diff(a, b):
    if a is None or b is None:
        return None
    d = a - b
    return round(d, 4) if isinstance(d, float) else d


# --- template conformance -----------------------------------------------------------------------------

_LIFTED = {"template_year_mismatch": "warning", "template_mismatch": "warning", "row_from_other_template": "warning"}


def lifted_findings(report) -> List[Finding]:
    """Extraction's own template issues, as findings (they are in ``issues`` already)."""
    return [Finding(i.code, _LIFTED[i.code], i.message, [i.cell] if i.cell else [])
            for i in report.issues if i.code in _LIFTED]


def _version(report):
    t = report.report.template
    return load_template().versions.get(t)  # None: no version with tables (before 2019, unknown)


def section_findings(report) -> List[Finding]:
    version = _version(report)
    if version is None:
        return []
    out: List[Finding] = []
    found = {s.number: s for s in report.sections}
    whole = compact("".join(s.title + s.text for s in report.sections))
    for sec in version.sections:
        s = found.get(sec.number)
        if s is None:
            forms = [compact(f) for f in sec.forms]
            bare = [re.sub(r"^[一二三四五六七八九十]{1,2}[.、]", "", f) for f in forms]
            if any(b and b in whole for b in bare):
                out.append(Finding("section_out_of_order", "warning",
                                   f"section {sec.title} is printed, but not in its place (一 to 六 in order)",
                                   evidence={"section": sec.number, "title": sec.title}))
            else:
                out.append(Finding("section_missing", "warning", f"section {sec.title} is not in the report",
                                   evidence={"section": sec.number, "title": sec.title}))
            continue
        printed = compact(s.title)
        if printed != compact(sec.title):
            known = printed in {compact(f) for f in sec.forms}
            out.append(Finding("heading_variant", "info",
                               f"heading printed as {s.title!r} instead of the standard {sec.title!r}"
                               + ("" if known else " (not a known variant)"),
                               evidence={"section": sec.number, "printed": s.title, "standard": sec.title,
                                         "known_variant": known}))
    return out


def _table_found(report, table: str) -> bool:
    return not any(i.code == "table_not_found" and f"({table})" in i.message for i in report.issues)


def _collapsed(report, tdef: TableDef) -> set:
    """Rows of this template the report prints collapsed into one row of another version: the rules
    engine's decision (``conventions.collapsed_rows``), for the other version's rows the report prints."""
    template = load_template()
    mine = {r.key for r in tdef.rows}
    extra = []
    for k in report.tables.get(tdef.key, {}):
        if k in mine:
            continue
        for v, vdef in template.versions.items():
            row = next((r for r in vdef.tables[tdef.key].rows if r.key == k), None) if v != tdef.version else None
            if row is not None:
                extra.append((row, v))
                break
    if not extra:
        return set()
    printed = [r.key for r in tdef.data_rows
               if any((c := report.cells.get(f"{tdef.key}.{r.key}.{col.key}")) is not None and c.raw is not None
                      for col in r.columns)]
    return set(compile_table(template, tdef, extra, printed).collapsed)


def row_findings(report) -> List[Finding]:
    """Rows of the form the report does not print (every cell unprinted: missing, or inferred by a check)."""
    version = _version(report)
    if version is None:
        return []
    out: List[Finding] = []
    for key in ("active_disclosure", "applications"):  # table 四 has no row labels
        tdef = version.tables[key]
        if not _table_found(report, key):
            continue
        collapsed = _collapsed(report, tdef)
        for row in tdef.data_rows:
            if row.key in collapsed:
                continue
            cells = [report.cells.get(f"{key}.{row.key}.{c.key}") for c in row.columns]
            if all(c is not None and c.raw is None and c.status in ("missing", "inferred") for c in cells):
                how = ("the hard checks force its values" if all(c.status == "inferred" for c in cells)
                       else "its cells are missing")
                out.append(Finding("row_absent", "warning", f"row {row.label} is not printed; {how}",
                                   [f"{key}.{row.key}"], {"table": key, "row": row.key, "label": row.label}))
    return out


def blank_findings(report) -> List[Finding]:
    """One finding per table and kind: the cells printed empty or as placeholders."""
    out: List[Finding] = []
    for status, code, what in (("blank", "cells_blank", "printed empty"),
                               ("placeholder", "cells_placeholder", "printed as a placeholder")):
        by_table: Dict[str, List[str]] = {}
        for ref, c in report.cells.items():
            if c.status == status:
                by_table.setdefault(ref.split(".")[0], []).append(ref)
        for table, refs in by_table.items():
            raws = sorted({(report.cells[r].raw or "") for r in refs})
            out.append(Finding(code, "info",
                               f"{len(refs)} cell(s) of {table} {what} where the form wants a number "
                               f"(null, not 0): " + ", ".join(r.split(".", 1)[1] for r in refs[:12])
                               + (" …" if len(refs) > 12 else ""),
                               refs, {"table": table, "count": len(refs), "raw": raws}))
    return out


# --- narrative vs tables ------------------------------------------------------------------------------

# The phrases the prose states a cell's number in are template data (``reading.narrative_phrases``): per
# phrase its target (one cell, a sum of cells "a+b", or alternatives "x|y"), its name and its pattern over
# the compact text (normalize.compact), whose group is the number.
# A number is tried only from the start of its digit run, and never longer than a cell prints: a text
# whose cells ran together into a run of 10⁵ digits made each pattern quadratic (minutes)
_NUMBER = r"(?<!\d)(\d{1,12})(?!\d)"


@lru_cache(maxsize=1)
def _compiled() -> Tuple[Tuple[str, str, "re.Pattern[str]"], ...]:
    return tuple((p.cells, p.name, re.compile(p.pattern.replace(r"(\d+)", _NUMBER)))
                 for p in load_template().narrative_phrases)


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def narrative_numbers(text: str) -> List[Tuple[str, str, int, str]]:
    """(target, pattern name, number, snippet) for every number the text gives for a table cell."""
    c = _THOUSANDS.sub("", compact(text))
    out = []
    for target, name, rx in _compiled():
        for m in rx.finditer(c):
            a, b = max(0, m.start() - 8), min(len(c), m.end() + 4)
            number = plain_number(m.group(1))
            if number is not None:  # a run longer than any cell holds is text, not a figure
                out.append((target, name, number, c[a:b]))
    return out


def _target_values(report, target: str) -> List[float]:
    """The values ``target`` may mean (its alternatives whose cells are all read)."""
    out = []
    for alt in target.split("|"):
        v = _target_value(report, alt)
        if v is not None:
            out.append(v)
    return out


def _target_value(report, target: str) -> Optional[float]:
    total = 0.0
    for ref in target.split("+"):
        cell = report.cells.get(ref)
        v = report.value(ref)
        if cell is None or v is None or cell.status in ("missing", "ambiguous"):
            return None
        total += v
    return total


def narrative_findings(report) -> List[Finding]:
    where = load_template().narrative_sections  # the sections whose prose gives the year's numbers
    texts = [s.text for s in report.sections if s.key in where]
    if not texts:
        return []
    by_target: Dict[str, List[Tuple[str, int, str]]] = {}
    for text in texts:
        for target, name, number, snippet in narrative_numbers(text):
            by_target.setdefault(target, []).append((name, number, snippet))
    out = []
    for target, said in by_target.items():
        values = _target_values(report, target)
        if not values or any(abs(n - v) < 1e-9 for _, n, _ in said for v in values):
            continue
        value = values[0]
        name, number, snippet = said[0]
        cells = target.split("|")[0].split("+")
        value_s = _n(int(value) if float(value).is_integer() else value)
        out.append(Finding("narrative_mismatch", "warning",
                           f"the text gives {number} ({name}: …{snippet}…) but the table has {value_s} "
                           f"in {' + '.join(cells)}", cells,
                           {"text_value": number, "table_value": value, "snippet": snippet, "pattern": name,
                            "all_text_values": [n for _, n, _ in said]}))
    return out


# --- copied text --------------------------------------------------------------------------------------

SHINGLE = 5  # characters per shingle
COPY_THRESHOLD = 0.8  # Jaccard similarity of a section to last year's at or above which it is "copied"
MIN_CHARS = 60  # sections shorter than this (after normalising) are not compared: boilerplate is short
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def normalise_for_similarity(text: str) -> str:
    """Compact text, digit runs as one ``#`` (a copy with this year's numbers put in is still a copy),
    no punctuation or spaces."""
    return _NOT_TEXT.sub("", _DIGITS.sub("#", compact(text)))


def shingles(text: str, k: int = SHINGLE) -> set:
    t = normalise_for_similarity(text)
    return {t[i:i + k] for i in range(max(0, len(t) - k + 1))}


def jaccard(a: set, b: set) -> Optional[float]:
    if not a or not b:
        return None
    return len(a & b) / len(a | b)


TABLE_SECTIONS = ("proactive_disclosure", "applications", "review_litigation")


def section_similarity(report, previous) -> List[Dict[str, Any]]:
    """Per prose section (those without a table) present in both: the shingled Jaccard similarity.
    ``report`` and ``previous`` are :class:`govreport.Report` (or anything with ``sections``)."""
    return _similarity([(s.number, s.key, s.title, s.text) for s in report.sections],
                       [(s.number, s.key, s.title, s.text) for s in previous.sections])


def _similarity(current, previous) -> List[Dict[str, Any]]:
    prev = {number: text for number, _, _, text in previous}
    out = []
    for number, key, title, text in current:
        p = prev.get(number)
        if p is None or key in TABLE_SECTIONS:
            continue
        a, b = normalise_for_similarity(text), normalise_for_similarity(p)
        short = min(len(a), len(b)) < MIN_CHARS
        sim = None if short else jaccard(shingles(text), shingles(p))
        out.append({"number": number, "key": key, "title": title,
                    "similarity": None if sim is None else round(sim, 3), "chars": [len(b), len(a)],
                    "copied": sim is not None and sim >= COPY_THRESHOLD,
                    "note": "too short to compare" if short else None})
    return out


SKETCH = 64  # hashes kept per section in a sketch (bottom-k of the shingles' CRC-32): ~±0.05 at J = 0.8


def prose_sketches(record: Dict[str, Any]) -> Dict[str, Any]:
    """What the copied-text check needs of a record dict, small enough to keep for a whole corpus: per prose
    section (by key), its normalised length and the ``SKETCH`` smallest CRC-32 of its shingles. For a
    batch's compact records: ``text_similarity_checks`` estimates the Jaccard similarity from them."""
    out: Dict[str, Any] = {}
    for sec in record.get("sections") or ():
        key = sec.get("key")
        if not key or key in TABLE_SECTIONS:
            continue
        text = sec.get("text") or ""
        hashes = sorted({zlib.crc32(x.encode("utf-8")) for x in shingles(text)})[:SKETCH]
        out[key] = {"title": sec.get("title"), "chars": len(normalise_for_similarity(text)),
                    "sketch": array("I", hashes).tobytes()}
    return out


def _sketch_similarity(a: Dict[str, Any], b: Dict[str, Any]) -> Optional[float]:
    x, y = set(array("I", a["sketch"])), set(array("I", b["sketch"]))
    if not x or not y:
        return None
    union = sorted(x | y)[:SKETCH]
    return sum(1 for h in union if h in x and h in y) / len(union)


def text_similarity_checks(previous: Dict[str, Any], record: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The copied-text comparison as cross-year checks of two record dicts: one soft check
    ``text_similarity[<section key>]`` per prose section in both, ``fail`` when copied. From the records'
    ``sections`` (exact), else from their ``prose`` sketches (:func:`prose_sketches`, estimated); empty when
    a record has neither."""
    def sections(r):
        return [(s.get("number"), s.get("key"), s.get("title"), s.get("text") or "") for s in r.get("sections") or ()]

    cur, prev = sections(record), sections(previous)
    if cur and prev:
        sims = [(s["key"] or s["number"], s["title"], s["similarity"], s["copied"], "")
                for s in _similarity(cur, prev)]
    elif record.get("prose") and previous.get("prose"):
        sims = []
        for key, a in record["prose"].items():
            b = previous["prose"].get(key)
            if b is None:
                continue
            sim = None if min(a["chars"], b["chars"]) < MIN_CHARS else _sketch_similarity(a, b)
            sim = None if sim is None else round(sim, 3)
            sims.append((key, a["title"], sim, sim is not None and sim >= COPY_THRESHOLD,
                         f", estimated from {SKETCH}-hash sketches"))
    else:
        return []
    return [{"id": f"text_similarity[{key}]", "severity": "soft",
             "status": "not_assessable" if sim is None else ("fail" if copied else "pass"),
             "lhs": sim, "rhs": COPY_THRESHOLD,
             "expr": f"jaccard({SHINGLE}-character shingles of {title}, last year's{how}) < {COPY_THRESHOLD}"}
            for key, title, sim, copied, how in sims]


def copy_findings(similarities: Iterable[Dict[str, Any]], prev_year: Optional[int]) -> List[Finding]:
    out = []
    for s in similarities:
        if s["copied"]:
            out.append(Finding("text_copied", "warning",
                               f"section {s['title']} is {s['similarity']:.0%} the same as in the "
                               f"{prev_year or 'previous'} report (Jaccard of {SHINGLE}-character shingles, "
                               f"numbers ignored; threshold {COPY_THRESHOLD:.0%})",
                               evidence={"section": s["number"], "similarity": s["similarity"],
                                         "threshold": COPY_THRESHOLD, "shingle": SHINGLE}))
    return out


# --- all together -------------------------------------------------------------------------------------

REPORT_FINDERS: Sequence[Callable[[Any], List[Finding]]] = (
    section_findings, row_findings, blank_findings, narrative_findings)


def report_findings(report) -> List[Finding]:
    """The findings about one report that extraction does not already give (cheap; no previous year)."""
    if report.report.template not in load_template().versions:  # the versions with tables
        return []
    out: List[Finding] = []
    for find in REPORT_FINDERS:
        out.extend(find(report))
    return out


def all_findings(report) -> List[Finding]:
    """Everything a reviewer looks at for one report: failed checks, extraction's template issues, and
    :func:`report_findings`."""
    return check_findings(report) + lifted_findings(report) + report_findings(report)


def severity_rank(f: Finding) -> int:
    return SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES)
