"""Which body a report belongs to: a unit registry (``--units units.csv``), or a guess from the issuer's name.

The registry is a CSV file (UTF-8, a BOM is allowed), one row per name or file a unit is known by:

    column           required  holds
    unit_id          yes       the unit's stable identifier (any text: an adcode, a 统一社会信用代码, ...)
    name             one of    the issuer as the report names it (report.issuer; white space ignored)
    file             these     a file name or a glob over the input's path (``*/yunxi/2023-*.pdf``); a file
                               match wins over a name match
    unit_type        yes       province | city | county | department | town_street | zone
    adcode           no        the 行政区划代码 (6 or 12 digits)
    parent_id        no        the unit_id of the unit above (a county's city, a department's government)
    covers_children  no        yes | no: the unit's report is region-wide (it sums its children's);
                               empty: decided from the report's text (汇总, 全县, 全市, ...)

A unit may have several rows (aliases, renamed bodies); its unit_type, adcode, parent_id and
covers_children must agree where given.

Each batch record gets ``unit``: ``{unit_id, name, adcode, unit_type, parent_id, matched_by, guessed}``
(``matched_by``: ``file``, ``name`` or null). Without a registry, or for an issuer it does not list,
``unit_type`` is guessed from the name (省/自治区 → province; 市/州/盟/地区 → city; 县/旗/区 → county;
乡/镇/街道 → town_street; 开发区/园区/管委会 → zone; 局/委/办/厅/中心 … → department), ``unit_id`` is
null and ``guessed`` is true.

With a registry, cross-year checks chain a unit's years by ``unit_id`` (a renamed body keeps its chain),
and ``hierarchy_checks`` compares a parent's region-wide report with the sum of its children's.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import pickle
import re
import tempfile
import zlib
from sys import intern
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..errors import BadInputError, OutputNotWritableError
from ..rules.values import TOLERANCE
from ..template import load_template

UNIT_TYPES = ("province", "city", "county", "department", "town_street", "zone")
COLUMNS = ("unit_id", "name", "file", "unit_type", "adcode", "parent_id", "covers_children")



@dataclass
class Unit:
    unit_id: str
    unit_type: str
    name: Optional[str] = None
    adcode: Optional[str] = None
    parent_id: Optional[str] = None
    covers_children: Optional[bool] = None


@dataclass
class Registry:
    units: Dict[str, Unit] = field(default_factory=dict)
    by_name: Dict[str, str] = field(default_factory=dict)  # normalised name -> unit_id
    by_file: List[Tuple[str, str]] = field(default_factory=list)  # (pattern, unit_id)

    def children(self, unit_id: str) -> List[str]:
        return sorted(u.unit_id for u in self.units.values() if u.parent_id == unit_id)

    def match(self, path: Optional[str], issuer: Optional[str]) -> Tuple[Optional[Unit], Optional[str]]:
        """The unit of an input (by its path first, then by the issuer's name) and how it was matched."""
        if path:
            name = Path(path).name
            for pattern, uid in self.by_file:
                if name == pattern or fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(path, pattern):
                    return self.units[uid], "file"
        key = normalise(issuer)
        if key and key in self.by_name:
            return self.units[self.by_name[key]], "name"
        return None, None


def normalise(name: Optional[str]) -> Optional[str]:
    return re.sub(r"\s+", "", name) if name else None


def load_registry(path: Path) -> Registry:
    """Read ``units.csv``; a malformed file is a ``BadInputError`` (exit 3) naming the line."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file (--units)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read the unit registry ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("unit_id", "unit_type") if c not in header]
    if missing or not ({"name", "file"} & set(header)):
        raise BadInputError(f"{path}: the unit registry needs the columns unit_id, unit_type and name or file "
                            f"(has: {', '.join(header) or 'none'})")
    reg = Registry()
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        _add_row(reg, row, f"{path}, line {lineno}")
    for u in reg.units.values():
        if u.parent_id is not None and u.parent_id not in reg.units:
            raise BadInputError(f"{path}: unit {u.unit_id}: parent_id {u.parent_id!r} is not a unit_id of the registry")
    return reg


_COVERS_CHILDREN = {"yes": True, "no": False, "": None}


def _unit_of_row(row: Dict[str, str], where: str) -> Unit:
    """The unit a registry row describes; ``where`` (file and line) names it in the error of a bad row."""
    uid, utype = row.get("unit_id", ""), row.get("unit_type", "")
    if not uid:
        raise BadInputError(f"{where}: unit_id is empty")
    if utype not in UNIT_TYPES:
        raise BadInputError(f"{where}: unit_type {utype!r} is not one of {', '.join(UNIT_TYPES)}")
    covers = row.get("covers_children", "").lower()
    if covers not in _COVERS_CHILDREN:
        raise BadInputError(f"{where}: covers_children must be yes, no or empty")
    if not row.get("name") and not row.get("file"):
        raise BadInputError(f"{where}: a row needs a name or a file")
    return Unit(uid, utype, row.get("name") or None, row.get("adcode") or None, row.get("parent_id") or None,
                _COVERS_CHILDREN[covers])


def _add_row(reg: Registry, row: Dict[str, str], where: str) -> None:
    """One row of the registry: a new unit, or another name or file of a known one (whose unit_type,
    adcode, parent_id and covers_children must agree where both give them)."""
    unit = _unit_of_row(row, where)
    uid = unit.unit_id
    known = reg.units.get(uid)
    if known is None:
        reg.units[uid] = unit
    else:
        for attr in ("unit_type", "adcode", "parent_id", "covers_children"):
            new, old = getattr(unit, attr), getattr(known, attr)
            if new is not None and old is not None and new != old:
                raise BadInputError(f"{where}: unit {uid}: {attr} {new!r} differs from {old!r} on an earlier line")
            if old is None:
                setattr(known, attr, new)
        known.name = known.name or unit.name
    key = normalise(row.get("name"))
    if key:
        if reg.by_name.get(key, uid) != uid:
            raise BadInputError(f"{where}: the name {row.get('name')!r} is already unit {reg.by_name[key]}")
        reg.by_name[key] = uid
    if row.get("file"):
        reg.by_file.append((row["file"], uid))


# --------------------------------------------------------------------------------------------------------
# the level from the name

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_GOVERNMENT = re.compile(r"(人民政府|政府|行政公署|公署)$")
_ZONE = re.compile(r"(开发区|高新区|园区|保税区|试验区|示范区|合作区|管理区|新城|港区)(管理委员会|管委会|工作委员会|工委)?$"
                   r"|(管理委员会|管委会)$")
_TOWN = re.compile(r"(街道办事处|街道|乡|镇|苏木|民族乡)(人民政府|政府)?$")
_DEPARTMENT = re.compile(r"(局|厅|委员会|委|办公室|办公厅|办|中心|署|院|所|站|队|部|处|会|社|馆|公司|集团)$")


def guess_unit_type(issuer: Optional[str]) -> Optional[str]:
    """The level a body's name suggests (``UNIT_TYPES``), or None when the name says nothing. A 县级市
    reads as a city and a 新区 with a government as a county: the registry exists for such cases."""
    name = normalise(issuer)
    if not name:
        return None
    if _TOWN.search(name):
        return "town_street"
    if _ZONE.search(name):
        return "zone"
    region = _GOVERNMENT.sub("", name)
    if region == name and _DEPARTMENT.search(name):
        return "department"
    if region in _MUNICIPALITIES or region.endswith(("省", "自治区", "特别行政区")):
        return "province"
    if region.endswith(("自治州", "州", "盟", "地区", "市")):
        return "city"
    if region.endswith(("县", "旗", "区", "林区", "特区")):
        return "county"
    return None


def unit_of(record: Dict, registry: Optional[Registry]) -> Dict:
    """The ``unit`` object of a record: the registry's unit, else the level guessed from the issuer."""
    issuer = record.get("report", {}).get("issuer")
    unit, how = registry.match(record.get("source", {}).get("path"), issuer) if registry else (None, None)
    if unit is None:
        return {"unit_id": None, "name": issuer, "adcode": None, "unit_type": guess_unit_type(issuer),
                "parent_id": None, "matched_by": None, "guessed": True}
    return {"unit_id": unit.unit_id, "name": unit.name, "adcode": unit.adcode, "unit_type": unit.unit_type,
            "parent_id": unit.parent_id, "matched_by": how, "guessed": False}


# --------------------------------------------------------------------------------------------------------
# what the checks across reports keep of each record

_COVERS = re.compile(r"汇总|全(省|市|州|盟|县|旗|区|镇|乡)(范围内|各级|各|共|政府信息公开|行政机关)")


def says_it_covers(record: Dict) -> bool:
    """The report presents region-wide figures (汇总 …, 全县共 …): its title or 总体情况 says so."""
    text = record.get("report", {}).get("title") or ""
    for s in record.get("sections", []):
        if s.get("number") == 1 or s.get("key") == "overall":
            text += "\n" + (s.get("text") or "")
    return bool(_COVERS.search(text))


@lru_cache(maxsize=1)
def _hierarchy_sums() -> Dict[str, str]:
    """The cells a region-wide report sums over its children (the template's ``conventions.hierarchy_sums``:
    every 申请 row's total, the 复议/诉讼 totals)."""
    return dict(load_template().hierarchy_sums)


@lru_cache(maxsize=1)
def _cross_year_refs() -> frozenset:
    refs: Set[str] = set()
    for version in load_template().versions.values():
        for c in version.checks:
            if c.cross_year:
                refs.update(t.ref[5:] if t.ref.startswith("prev.") else t.ref for t in (*c.lhs, *c.rhs))
    return frozenset(refs)


def _kept(table: str, row: str, col: str) -> bool:
    return _hierarchy_sums().get(table) == col or f"{table}.{row}.{col}" in _cross_year_refs()


def compact(record: Dict, registry: Optional[Registry] = None) -> Dict:
    """What the cross-year and hierarchy checks need of a record, small enough to keep for a whole corpus:
    the report's metadata, the numbers those checks read, which of them are not to be trusted, the unit
    (joined again when a registry is given or the record has none), whether it says it covers its children,
    and the prose sections' sketches (``review.findings.prose_sketches``) for the copied-text check."""
    from ..review.findings import prose_sketches

    unit = record.get("unit")
    if registry is not None or unit is None:
        unit = unit_of(record, registry)
    meta = record.get("report", {})
    tables = {intern(t): {intern(r): {intern(c): v for c, v in cols.items() if _kept(t, r, c)}
                          for r, cols in rows.items()}
              for t, rows in record.get("tables", {}).items()}  # interned: one copy of each name per corpus
    return {"report": {k: meta.get(k) for k in ("title", "issuer", "year", "template")},
            "tables": {t: {r: cols for r, cols in rows.items() if cols} for t, rows in tables.items()},
            "cells": {ref: {"status": c.get("status")} for ref, c in record.get("cells", {}).items()
                      if c.get("status") in ("missing", "ambiguous") and _kept(*ref.split(".", 2))},
            "unit": unit, "covers_children": says_it_covers(record),
            "quantities": (record.get("derived") or {}).get("quantities"),  # --derived: for the year-on-year changes
            "prose": prose_sketches(record)}  # the copied-text cross-year check reads these sketches


_SHARED_TEXT = ("id", "severity", "status", "expr")  # a cross-year result's texts that repeat across bodies


class _Spill:
    """An append-only temporary file of packed objects (pickle + zlib): memory keeps only where each one
    lies (offset, length). Created at the first ``put``, deleted when closed (or when the process ends)."""

    def __init__(self) -> None:
        self.file: Optional[IO[bytes]] = None

    def put(self, obj: object) -> Tuple[int, int]:
        """Append ``obj``; a temporary directory that cannot be written (full, read-only) is
        ``OutputNotWritableError`` (exit 5), naming it."""
        data = zlib.compress(pickle.dumps(obj, protocol=5), 1)
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile(prefix="govreport-batch-")
            offset = self.file.seek(0, 2)
            self.file.write(data)
        except OSError as exc:
            raise OutputNotWritableError(f"{tempfile.gettempdir()}: cannot write the batch's temporary file "
                                         f"({exc.strerror or exc}; set TMPDIR to another directory)") from exc
        return offset, len(data)

    def get(self, where: Tuple[int, int]) -> Any:
        if self.file is None:
            raise LookupError("nothing was spilled")
        self.file.seek(where[0])
        return pickle.loads(zlib.decompress(self.file.read(where[1])))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Across:
    """A batch's compact records, kept for the checks across reports, one per body and year (the last one,
    as the checks themselves would keep). Each is packed into a temporary file (``_Spill``); memory holds
    only where it lies, so that the parent's memory stays flat however many files a batch has (a few
    hundred bytes per body and year), and the cross-year checks read one body's years at a time."""

    def __init__(self, by_unit: bool = False, prefer: Sequence[str] = ()):
        self.by_unit = by_unit
        self.prefer = [f.lower() for f in prefer]  # formats, best first: which of a duplicate is kept
        self.spill = _Spill()
        self.groups: Dict[str, Dict[int, Tuple[int, int]]] = {}  # body -> year -> the compact record's place
        # (body, year) -> the place of (path, format, tables) of the record kept, for the duplicates
        self.kept: Dict[Tuple[str, int], Tuple[int, int]] = {}
        self.duplicates: List[Dict] = []

    def _rank(self, fmt: Optional[str]) -> int:
        fmt = (fmt or "").lower()
        return self.prefer.index(fmt) if fmt in self.prefer else len(self.prefer)

    def add(self, compact_record: Dict, record: Optional[Dict] = None) -> None:
        """Keep a compact record for its body and year. ``record`` (the full one, optional) lets a second
        record of the same body and year be reported as a duplicate, with the cells where they differ; of
        the two, the one whose format ``prefer`` ranks first is kept (the later one when neither is)."""
        key = unit_key(compact_record) if self.by_unit else normalise(compact_record["report"].get("issuer"))
        year = compact_record["report"].get("year")
        if not (key and year):  # the checks across reports skip a record without either
            return
        key = intern(key)
        if record is not None and not self._keep(key, year, compact_record, record):
            return
        self.groups.setdefault(key, {})[year] = self.spill.put(compact_record)

    def _keep(self, key: str, year: int, compact_record: Dict, record: Dict) -> bool:
        """Whether ``record`` is the one kept for its body and year (a duplicate of an earlier one is noted)."""
        src = record.get("source", {})
        path, fmt, tables = src.get("path"), src.get("format"), record.get("tables", {})
        earlier_at = self.kept.get((key, year))
        if earlier_at is not None:
            earlier_path, earlier_fmt, earlier_tables = self.spill.get(earlier_at)
            if earlier_path != path:
                keep_new = self._rank(fmt) <= self._rank(earlier_fmt)
                self.duplicates.append({"issuer": compact_record["report"].get("issuer"), "year": year,
                                        "paths": [earlier_path, path], "kept": path if keep_new else earlier_path,
                                        "differing_cells": _differing_cells(earlier_tables, tables)})
                if not keep_new:
                    return False
        self.kept[(key, year)] = self.spill.put((path, fmt, tables))
        return True

    def close(self) -> None:
        """Delete the temporary file (the records are gone: call it after the checks)."""
        self.spill.close()

    def dropped(self) -> set:
        """The paths of the duplicates that were not kept."""
        return {p for d in self.duplicates for p in d["paths"] if p != d["kept"]}

    def __len__(self) -> int:
        return sum(len(g) for g in self.groups.values())

    def records(self) -> Iterator[Dict]:
        for group in self.groups.values():
            for at in group.values():
                yield self.spill.get(at)

    def year_on_year(self) -> List[Dict]:
        """``derived.year_on_year`` over the kept records that carry their derived quantities (--derived)."""
        from ..derived import year_on_year

        rows = []
        for body, group in self.groups.items():
            for year, at in group.items():
                r = self.spill.get(at)
                rows.append({"body": body, "year": year, "issuer": r["report"].get("issuer"),
                             "unit_id": (r.get("unit") or {}).get("unit_id"), "quantities": r.get("quantities")})
        return year_on_year(rows)

    def cross_year(self) -> List[Dict]:
        """``crossyear.cross_year_checks`` body by body (in the order it would give over all of them)."""
        from .crossyear import cross_year_checks

        out: List[Dict] = []
        for _, group in sorted(self.groups.items()):
            if len(group) > 1:
                for check in cross_year_checks([self.spill.get(at) for at in group.values()],
                                               key=unit_key if self.by_unit else None):
                    for k in _SHARED_TEXT:  # one copy of each such text per corpus, not one per check
                        if isinstance(check.get(k), str):
                            check[k] = intern(check[k])
                    out.append(check)
        return out


def _differing_cells(a: Dict, b: Dict) -> List[str]:
    """``table.row.column`` of every cell two records' tables give different values (a missing one is None)."""
    refs: Set[str] = set()
    for tables in (a, b):
        for t, rows in tables.items():
            for r, cols in rows.items():
                refs.update(f"{t}.{r}.{c}" for c in cols)
    out = []
    for ref in sorted(refs):
        t, r, c = ref.split(".")
        if a.get(t, {}).get(r, {}).get(c) != b.get(t, {}).get(r, {}).get(c):
            out.append(intern(ref))  # one copy of each name however many duplicates a corpus has
    return out


def unit_key(record: Dict) -> Optional[str]:
    """The body a (compact) record belongs to: its unit_id, or its issuer's name where none is registered."""
    uid = (record.get("unit") or {}).get("unit_id")
    if uid:
        return f"unit:{uid}"
    name = normalise(record.get("report", {}).get("issuer"))
    return f"name:{name}" if name else None


def json_line(record: Dict) -> str:
    """A record as one JSON line (compact, Chinese unescaped, U+2028/U+2029 escaped as in export)."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# --------------------------------------------------------------------------------------------------------
# the hierarchy check


def _value(record: Dict, ref: str) -> Optional[float]:
    table, row, col = ref.split(".")
    if record.get("cells", {}).get(ref, {}).get("status") in ("missing", "ambiguous"):
        return None
    return record.get("tables", {}).get(table, {}).get(row, {}).get(col)


def hierarchy_refs(record: Dict) -> List[str]:
    return [f"{t}.{row}.{col}" for t, col in _hierarchy_sums().items()
            for row, cols in record.get("tables", {}).get(t, {}).items() if col in cols]


def hierarchy_checks(records: Iterable[Dict], registry: Registry) -> List[Dict]:
    """For each parent unit and year whose report is region-wide (``covers_children`` in the registry,
    else its text says so) and at least one child of which has a report that year: per total cell
    (the template's ``conventions.hierarchy_sums``), the parent's value (lhs) against the sum of its children's (rhs).

    Soft findings: ``pass`` when equal, ``fail`` otherwise, ``not_assessable`` when a child of the
    registry has no report that year (the sum would be partial) or a value is unknown."""
    by_unit: Dict[Tuple[str, int], Dict] = {}
    for r in records:
        uid, year = (r.get("unit") or {}).get("unit_id"), r.get("report", {}).get("year")
        if uid and year:
            by_unit[(uid, year)] = r
    out: List[Dict] = []
    for (uid, year), parent in sorted(by_unit.items()):
        unit = registry.units.get(uid)
        children = registry.children(uid)
        if unit is None or not children:
            continue
        covers = unit.covers_children if unit.covers_children is not None else parent.get("covers_children")
        if not covers:
            continue
        present = [c for c in children if (c, year) in by_unit]
        if not present:
            continue
        absent = [c for c in children if (c, year) not in by_unit]
        for ref in hierarchy_refs(parent):
            lhs = _value(parent, ref)
            parts = [_value(by_unit[(c, year)], ref) for c in present]
            rhs = None if any(v is None for v in parts) else sum(parts)  # type: ignore[arg-type]
            if absent or lhs is None or rhs is None:
                status = "not_assessable"
            else:
                status = "pass" if abs(lhs - rhs) <= TOLERANCE else "fail"
            out.append({"unit_id": uid, "issuer": parent["report"].get("issuer"), "year": year,
                        "id": f"hierarchy_sum[{ref}]", "severity": "soft", "status": status,
                        "lhs": _num(lhs), "rhs": _num(rhs), "children": present, "missing_children": absent,
                        "covers_by": "registry" if unit.covers_children is not None else "text",
                        "expr": f"{ref} = sum of the children's {ref}"})
    return out


def _num(v: Optional[float]):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v
