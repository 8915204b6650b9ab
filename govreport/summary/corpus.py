"""Read a corpus for the summary: a SQLite database (``batch --db``), a Parquet dataset folder (``batch
--format parquet``) or a JSON Lines file (``batch`` / ``extract --format jsonl``).

Each is read as a stream of *light* records: the record's ``source`` (path, sha256), ``report`` (issuer,
year, template, table_templates), ``unit`` (unit_id, unit_type), ``status`` (the record's ``Report.status``, as
the corpus stores it: never recomputed from the light part), ``checks`` (id, severity, status), and of its
cells only those the summary reads (the derived measures' and the cross-year checks'), with their values in
``tables`` and their statuses in ``cells``; a failed input as ``{"source": …, "error": …, "status": "error"}``.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from ..errors import BadInputError
from ..record import ReportStatus, status_of


@lru_cache(maxsize=1)
def needed_refs() -> frozenset:
    """The cells the summary reads: those of the derived measures and of the template's cross-year checks."""
    from ..derived import definitions
    from ..template import load_template

    refs: set[str] = set()
    for m in definitions().ratios:
        refs.update(m.numerator + m.denominator)
    for c in definitions().changes:
        refs.update(c.cells)
    for version in load_template().versions.values():
        for check in version.checks:
            if check.cross_year:
                refs.update(t.ref[5:] if t.ref.startswith("prev.") else t.ref for t in (*check.lhs, *check.rhs))
    return frozenset(refs)


def kind_of(path: Path) -> str:
    """``sqlite``, ``parquet`` or ``jsonl``, from what the path holds (BadInputError when none)."""
    path = Path(path)
    if not path.exists():
        raise BadInputError(f"{path}: no such file or folder")
    if path.is_dir():
        if (path / "reports").is_dir():
            return "parquet"
        raise BadInputError(f"{path}: a folder that is not a Parquet dataset of govreport batch (no reports/)")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as e:
        raise BadInputError(f"{path}: cannot read ({e.strerror or e})") from None
    if head.startswith(b"SQLite format 3"):
        return "sqlite"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    if not head:
        raise BadInputError(f"{path}: empty")
    raise BadInputError(f"{path}: neither a SQLite database, a Parquet dataset nor JSON Lines")


def light(record: Dict) -> Dict:
    """The part of a full record the summary reads."""
    if "error" in record:
        return {"source": record.get("source") or {}, "error": record["error"], "status": ReportStatus.error.value}
    refs = needed_refs()
    tables: Dict = {}
    for ref in refs:
        t, r, c = ref.split(".")
        row = (record.get("tables") or {}).get(t, {}).get(r)
        if row is not None and c in row:
            tables.setdefault(t, {}).setdefault(r, {})[c] = row[c]
    meta = record.get("report") or {}
    return {"source": {k: (record.get("source") or {}).get(k) for k in ("path", "sha256")},
            "report": {k: meta.get(k) for k in ("issuer", "year", "template", "table_templates")},
            "unit": record.get("unit"),
            "status": record.get("status") or status_of(record),  # the record's own word (Report.status)
            "tables": tables,
            "cells": {ref: {"status": c.get("status")} for ref, c in (record.get("cells") or {}).items() if ref in refs},
            "checks": [{k: c.get(k) for k in ("id", "severity", "status")} for c in record.get("checks") or ()]}


def read(path: Path) -> Iterator[Dict]:
    """The corpus at ``path`` as light records (see the module's docstring)."""
    kind = kind_of(path)
    if kind == "jsonl":
        yield from _jsonl(Path(path))
    elif kind == "sqlite":
        yield from _sqlite(Path(path))
    else:
        yield from _parquet(Path(path))


def _jsonl(path: Path) -> Iterator[Dict]:
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise BadInputError(f"{path}, line {lineno}: not JSON") from None
            if not isinstance(rec, dict) or "source" not in rec:
                raise BadInputError(f"{path}, line {lineno}: not a govreport record")
            yield light(rec)


def _sqlite(path: Path) -> Iterator[Dict]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = db.execute("SELECT path, sha256, status, error_code, error_message, record FROM reports "
                          "ORDER BY id")
    except sqlite3.Error as e:
        raise BadInputError(f"{path}: not a govreport corpus database ({e})") from None
    try:
        for p, sha, status, code, message, record in rows:
            if record is None:
                yield {"source": {"path": p, "sha256": sha}, "error": {"code": code, "message": message},
                       "status": status}
            else:
                yield {**light(json.loads(record)), "status": status}  # the database's word, as its users read it
    finally:
        db.close()


def _parquet(folder: Path) -> Iterator[Dict]:
    try:
        import pyarrow.compute as pc
        import pyarrow.dataset as ds
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError("reading a Parquet dataset needs pyarrow", hint="pip install pyarrow") from None

    def table(name: str, columns, flt=None):
        where = folder / name
        if not where.is_dir():
            return None
        return ds.dataset(str(where), format="parquet", partitioning="hive").to_table(columns=columns, filter=flt)

    reports = table("reports", ["sha256", "path", "issuer", "year", "template", "status", "error_code",
                                "error_message", "unit_id", "unit_type"])
    refs = needed_refs()
    cells = table("cells", ["sha256", "table", "row", "column", "template", "value", "status"],
                  pc.field("row").isin(sorted({r.split(".")[1] for r in refs})))
    checks = table("checks", ["sha256", "id", "severity", "status"])
    by_sha: Dict[Optional[str], Dict[str, Any]] = {}
    out: List[Dict[str, Any]] = []
    for r in reports.to_pylist() if reports is not None else ():
        if r["status"] == "error":
            out.append({"source": {"path": r["path"], "sha256": r["sha256"]},
                        "error": {"code": r["error_code"], "message": r["error_message"]}, "status": r["status"]})
            continue
        rec: Dict[str, Any] = {"source": {"path": r["path"], "sha256": r["sha256"]},
               "report": {"issuer": r["issuer"], "year": r["year"] or None, "template": r["template"],
                          "table_templates": {}},
               "unit": {"unit_id": r["unit_id"], "unit_type": r["unit_type"]}, "status": r["status"],
               "tables": {}, "cells": {}, "checks": []}
        by_sha[r["sha256"]] = rec
        out.append(rec)
    if cells is not None:
        cols = cells.to_pydict()
        for sha, t, row, col, tpl, value, status in zip(cols["sha256"], cols["table"], cols["row"], cols["column"],
                                                        cols["template"], cols["value"], cols["status"],
                                                        strict=True):  # the columns of one table
            found = by_sha.get(sha)
            ref = f"{t}.{row}.{col}"
            if found is None or ref not in refs:
                continue
            if value is not None and float(value).is_integer():
                value = int(value)
            found["tables"].setdefault(t, {}).setdefault(row, {})[col] = value
            found["cells"][ref] = {"status": status}
            if tpl:
                found["report"]["table_templates"][t] = tpl
    if checks is not None:
        cols = checks.to_pydict()
        for sha, cid, sev, status in zip(cols["sha256"], cols["id"], cols["severity"], cols["status"],
                                     strict=True):  # the columns of one table
            found = by_sha.get(sha)
            if found is not None:
                found["checks"].append({"id": cid, "severity": sev, "status": status})
    yield from out
