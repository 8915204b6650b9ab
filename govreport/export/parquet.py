"""A batch as a Parquet dataset (``govreport batch --format parquet -o DIR``), for pandas, pyarrow, DuckDB, Spark.

One folder per table, Hive-partitioned by the report's year (``DIR/cells/year=2023/part-<run>.parquet``;
``year=0`` holds inputs whose year is unknown, failed inputs included). Records are written as they
arrive: rows are buffered per table and year and written as one row group every ``chunk`` records, so
memory stays flat however large the batch. Files are written under hidden names (``.part-….tmp``, which
readers skip) and renamed when the batch ends; ``--resume`` adds the files of a new run beside the
earlier ones and skips the inputs they hold. Without ``--resume`` an earlier dataset in DIR is replaced.

Tables and columns (``year`` is the partition column of each, from the folder name)::

    reports            one row per input: sha256, tool_version, path, format, title, issuer, template,
                       status (ok | needs_review | failed_checks | error: record.status_of), error_code, error_message,
                       unit_id, unit_type, adcode, parent_id, unit_guessed,
                       checks, failed_checks, failed_hard_checks, issues (counts),
                       then every template cell as a column ``<table>__<row>__<column>`` (DOUBLE, null
                       when blank, missing or not in the report's template), 2021 cells then 2019 ones,
                       then each derived ratio as ``derived__<key>`` (DOUBLE; null without --derived)
    cells              one row per cell: sha256, table, row, column, template, value (DOUBLE), status,
                       raw, page (cells outside the template are here only)
    checks             sha256, id, severity, status (pass | fail | not_assessable), lhs, rhs, expr
    issues             sha256, level, code, cell, message
    sections           sha256, number, key, title, text
    cross_year_checks  issuer, unit_id, prev_year, id, severity, status, lhs, rhs, expr
    hierarchy_checks   unit_id, issuer, id, severity, status, lhs, rhs, children, missing_children,
                       covers_by, expr          (--check-hierarchy)
    derived            sha256, measure, value, numerator, denominator, null_because   (--derived)
    year_on_year       issuer, unit_id, prev_year, measure, value, current, previous, null_because
                                                (--derived)

``sha256`` joins a row to its report (with ``year``). ``DIR/_govreport.json`` records the tool version and
the runs (readers ignore files whose name starts with ``_`` or ``.``).
"""

from __future__ import annotations

import json
import shutil
import uuid
from sys import intern
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from .. import __version__
from ..record import status_of
from ..errors import MissingDependencyError, OutputNotWritableError
from ..template import TABLE_KEYS, load_template

TABLES = ("reports", "cells", "checks", "issues", "sections", "cross_year_checks", "hierarchy_checks", "derived",
          "year_on_year")
MARKER = "_govreport.json"
UNKNOWN_YEAR = 0
HINT = "pip install pyarrow"

REPORT_HEAD = [("sha256", "string"), ("tool_version", "string"), ("path", "string"), ("format", "string"),
               ("title", "string"), ("issuer", "string"), ("template", "string"), ("status", "string"),
               ("error_code", "string"), ("error_message", "string"), ("unit_id", "string"),
               ("unit_type", "string"), ("adcode", "string"), ("parent_id", "string"), ("unit_guessed", "bool"),
               ("checks", "int32"), ("failed_checks", "int32"), ("failed_hard_checks", "int32"),
               ("issues", "int32")]
COLUMNS = {
    "cells": [("sha256", "string"), ("table", "string"), ("row", "string"), ("column", "string"),
              ("template", "string"), ("value", "float64"), ("status", "string"), ("raw", "string"),
              ("page", "int32")],
    "checks": [("sha256", "string"), ("id", "string"), ("severity", "string"), ("status", "string"),
               ("lhs", "float64"), ("rhs", "float64"), ("expr", "string")],
    "issues": [("sha256", "string"), ("level", "string"), ("code", "string"), ("cell", "string"),
               ("message", "string")],
    "sections": [("sha256", "string"), ("number", "int32"), ("key", "string"), ("title", "string"),
                 ("text", "string")],
    "cross_year_checks": [("issuer", "string"), ("unit_id", "string"), ("prev_year", "int32"), ("id", "string"),
                          ("severity", "string"), ("status", "string"), ("lhs", "float64"), ("rhs", "float64"),
                          ("expr", "string")],
    "hierarchy_checks": [("unit_id", "string"), ("issuer", "string"), ("id", "string"), ("severity", "string"),
                         ("status", "string"), ("lhs", "float64"), ("rhs", "float64"),
                         ("children", "list<string>"), ("missing_children", "list<string>"),
                         ("covers_by", "string"), ("expr", "string")],
    "derived": [("sha256", "string"), ("measure", "string"), ("value", "float64"), ("numerator", "float64"),
                ("denominator", "float64"), ("null_because", "string")],
    "year_on_year": [("issuer", "string"), ("unit_id", "string"), ("prev_year", "int32"), ("measure", "string"),
                     ("value", "float64"), ("current", "float64"), ("previous", "float64"),
                     ("null_because", "string")],
}


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("--format parquet needs pyarrow", hint=HINT) from None
    return pa, pq


def cell_column(table: str, row: str, column: str) -> str:
    return f"{table}__{row}__{column}"


def derived_columns() -> List[Tuple[str, str]]:
    """``(key, column)`` of each derived ratio in the ``reports`` table."""
    from ..derived import definitions

    return [(r.key, f"derived__{r.key}") for r in definitions().ratios]


def wide_cells() -> List[Tuple[str, str, str]]:
    """Every template cell, 2021 then 2019 (the first-seen order), as ``(table, row, column)``."""
    keys: Dict[Tuple[str, str, str], None] = {}
    for version in load_template().versions.values():
        for table in TABLE_KEYS:
            tdef = version.tables.get(table)
            if tdef is not None:
                keys.update(((table, r.key, c.key), None) for r in tdef.data_rows for c in r.columns)
    return list(keys)


def schemas() -> Dict[str, Any]:
    """The pyarrow schema of each table (the partition column ``year`` is not stored in the files)."""
    pa, _ = _pyarrow()
    types = {"string": pa.string(), "float64": pa.float64(), "int32": pa.int32(), "bool": pa.bool_(),
             "list<string>": pa.list_(pa.string())}
    out = {"reports": pa.schema([(n, types[t]) for n, t in REPORT_HEAD]
                                + [(cell_column(*k), pa.float64()) for k in wide_cells()]
                                + [(col, pa.float64()) for _, col in derived_columns()])}
    for name, cols in COLUMNS.items():
        out[name] = pa.schema([(n, types[t]) for n, t in cols])
    return out


def done_in(folder: Path) -> Set[str]:
    """sha256 of the inputs an earlier run wrote to the dataset in ``folder`` with a record (for --resume)."""
    if not (Path(folder) / MARKER).is_file() or not (Path(folder) / "reports").is_dir():
        return set()
    _pyarrow()
    import pyarrow.dataset as ds

    table = ds.dataset(str(Path(folder) / "reports"), format="parquet", partitioning="hive").to_table(
        columns=["sha256", "status"])
    return {s for s, st in zip(table.column("sha256").to_pylist(), table.column("status").to_pylist(), strict=True)
            if s and st != "error"}


class ParquetDataset:
    """Write records (``dict``s as in JSON Lines, error lines included) to a Parquet dataset in ``folder``."""

    def __init__(self, folder: Path, chunk: int = 200, resume: bool = False):
        self.pa, self.pq = _pyarrow()
        self.folder = Path(folder)
        self.chunk = max(1, chunk)
        self.run = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
        self.schemas = schemas()
        self.cells = wide_cells()
        self.buffers: Dict[Tuple[str, int], Dict[str, List]] = {}  # (table, year) -> column -> values
        self.writers: Dict[Tuple[str, int], Any] = {}
        self.files: List[Tuple[Path, Path]] = []  # (temporary, final)
        self.pending = 0
        self.rows = 0
        self.previous: List[Path] = []
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputNotWritableError(f"{folder}: is a file, not a folder (--format parquet writes a folder)")
        if self.folder.is_dir() and any(self.folder.iterdir()):
            if not (self.folder / MARKER).is_file():
                raise OutputNotWritableError(f"{folder}: not empty and not a govreport Parquet dataset")
            if not resume:  # replaced once this run is complete
                self.previous = [p for p in self.folder.rglob("*.parquet")]
        self.created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=False, exist_ok=True)
        except OSError as e:
            raise OutputNotWritableError(f"{folder}: cannot create the folder ({e.strerror or e})") from e

    # -- rows -------------------------------------------------------------------------------------------

    def add(self, record: Dict) -> None:
        """Buffer one record's rows; every ``chunk`` records they are written as row groups."""
        src = record.get("source", {})
        sha = src.get("sha256")
        row: Dict[str, Any]
        if "error" in record:
            row = {n: None for n, _ in REPORT_HEAD}
            row.update(sha256=sha, tool_version=__version__, path=src.get("path"), format=src.get("format"),
                       status="error", error_code=record["error"].get("code"),
                       error_message=record["error"].get("message"))
            self._put("reports", UNKNOWN_YEAR, row)
            self._count()
            return
        meta, unit = record.get("report", {}), record.get("unit") or {}
        year = meta.get("year") or UNKNOWN_YEAR
        checks, tables, cells = record.get("checks", []), record.get("tables", {}), record.get("cells", {})
        hard = sum(1 for c in checks if c["status"] == "fail" and c["severity"] == "hard")
        row = {"sha256": sha, "tool_version": record.get("tool_version") or __version__, "path": src.get("path"),
               "format": src.get("format"), "title": meta.get("title"), "issuer": meta.get("issuer"),
               "template": meta.get("template"), "status": status_of(record),
               "error_code": None, "error_message": None, "unit_id": unit.get("unit_id"),
               "unit_type": unit.get("unit_type"), "adcode": unit.get("adcode"), "parent_id": unit.get("parent_id"),
               "unit_guessed": unit.get("guessed") if unit else None, "checks": len(checks),
               "failed_checks": sum(1 for c in checks if c["status"] == "fail"), "failed_hard_checks": hard,
               "issues": len(record.get("issues", []))}
        for t, r, c in self.cells:
            row[cell_column(t, r, c)] = _float(tables.get(t, {}).get(r, {}).get(c))
        measures = (record.get("derived") or {}).get("measures") or {}
        for key, col in derived_columns():
            row[col] = _float((measures.get(key) or {}).get("value"))
        self._put("reports", year, row)
        for key, m in measures.items():
            self._put("derived", year, {"sha256": sha, "measure": key, "value": _float(m.get("value")),
                                        "numerator": _float(m.get("numerator")),
                                        "denominator": _float(m.get("denominator")),
                                        "null_because": m.get("null_because")})
        templates = meta.get("table_templates") or {}
        for ref, cell in cells.items():
            parts = ref.split(".")
            if len(parts) != 3:
                continue
            t, r, c = map(intern, parts)  # one copy of each name, however many rows hold it
            self._put("cells", year, {"sha256": sha, "table": t, "row": r, "column": c,
                                      "template": templates.get(t) or meta.get("template"),
                                      "value": _float(tables.get(t, {}).get(r, {}).get(c)),
                                      "status": intern(cell.get("status") or ""), "raw": cell.get("raw"),
                                      "page": cell.get("page")})
        for c in checks:
            self._put("checks", year, {"sha256": sha, "id": c["id"], "severity": c["severity"], "status": c["status"],
                                       "lhs": _float(c.get("lhs")), "rhs": _float(c.get("rhs")), "expr": c["expr"]})
        for i in record.get("issues", []):
            self._put("issues", year, {"sha256": sha, "level": i["level"], "code": i["code"], "cell": i.get("cell"),
                                       "message": i["message"]})
        for s in record.get("sections", []):
            self._put("sections", year, {"sha256": sha, "number": s["number"], "key": s.get("key"),
                                         "title": s["title"], "text": s["text"]})
        self._count()

    def _put(self, table: str, year: int, row: Dict) -> None:
        columns = self.buffers.get((table, int(year)))
        if columns is None:
            columns = self.buffers[(table, int(year))] = {n: [] for n in self.schemas[table].names}
        for name, values in columns.items():
            values.append(row.get(name))

    def _count(self) -> None:
        self.pending += 1
        if self.pending >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Write every buffer as one row group of its table's file for that year."""
        for key, columns in self.buffers.items():
            n = len(next(iter(columns.values())))
            if n:
                self._writer(*key).write_table(self.pa.Table.from_pydict(columns, schema=self.schemas[key[0]]))
                self.rows += n
        self.buffers.clear()
        self.pending = 0

    def _writer(self, table: str, year: int):
        w = self.writers.get((table, year))
        if w is None:
            folder = self.folder / table / f"year={year}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp, final = folder / f".part-{self.run}.parquet.tmp", folder / f"part-{self.run}.parquet"
                w = self.pq.ParquetWriter(str(tmp), self.schemas[table], compression="zstd")
            except OSError as e:
                raise OutputNotWritableError(f"{self.folder}: cannot write ({e.strerror or e})") from e
            self.writers[(table, year)] = w
            self.files.append((tmp, final))
        return w

    # -- the end ----------------------------------------------------------------------------------------

    def close(self, cross_year: Iterable[Dict] = (), hierarchy: Iterable[Dict] = (),
              year_on_year: Iterable[Dict] = (), cross_year_index: Optional[Dict] = None,
              by_unit: bool = False) -> None:
        """Write what is buffered and the checks and changes across reports, then publish the files.

        ``cross_year_index`` (``crossyear.index_results``): the cross-year results go into the reports' own
        rows too (their ``checks`` rows, ``failed_checks`` counts and ``status``), as into the JSON Lines and
        the database, so that every output gives a report one status."""
        for table, checks in (("cross_year_checks", cross_year), ("hierarchy_checks", hierarchy)):
            for c in checks:
                self._put(table, c["year"], {**c, "lhs": _float(c.get("lhs")), "rhs": _float(c.get("rhs"))})
        for c in year_on_year:
            self._put("year_on_year", c["year"], {**c, **{k: _float(c.get(k)) for k in ("value", "current",
                                                                                        "previous")}})
        self.flush()
        for w in self.writers.values():
            w.close()
        self.writers.clear()
        if cross_year_index:
            self._cross_year_into_rows(cross_year_index, by_unit)
        for tmp, final in self.files:
            tmp.replace(final)
        for old in self.previous:
            old.unlink(missing_ok=True)
        for folder in sorted((p for p in self.folder.rglob("year=*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        marker = self.folder / MARKER
        runs = []
        if marker.is_file() and not self.previous:
            try:
                runs = json.loads(marker.read_text("utf-8")).get("runs", [])
            except ValueError:
                runs = []
        runs.append({"run": self.run, "tool_version": __version__, "rows": self.rows})
        marker.write_text(json.dumps({"format": "govreport.parquet/1", "tables": list(TABLES), "runs": runs},
                                     ensure_ascii=False, indent=2) + "\n", "utf-8")

    def _files_of(self, table: str, year: int) -> List[Path]:
        """The files holding ``table``'s rows of ``year``: this run's, and an earlier run's kept by --resume."""
        mine = [tmp for tmp, _ in self.files if tmp.parent == self.folder / table / f"year={year}"]
        replaced = set(self.previous)
        earlier = [p for p in sorted((self.folder / table / f"year={year}").glob("part-*.parquet"))
                   if p not in replaced]
        return mine + earlier

    def _cross_year_into_rows(self, index: Dict, by_unit: bool) -> None:
        """Rewrite, a row group at a time (memory stays flat), the ``checks`` and ``reports`` rows of the
        reports whose cross-year checks the batch could assess (they said ``not_assessable`` when written)."""
        from ..batch.crossyear import record_key

        for year in sorted({y for _, y in index if isinstance(y, int)}):
            found: Dict[str, Dict[str, Dict]] = {}  # sha256 -> check id -> result
            for path in self._files_of("reports", year):
                pf = self.pq.ParquetFile(str(path))
                for i in range(pf.num_row_groups):
                    cols = pf.read_row_group(i, columns=["sha256", "issuer", "unit_id"]).to_pydict()
                    for sha, issuer, uid in zip(cols["sha256"], cols["issuer"], cols["unit_id"], strict=True):
                        mini = {"report": {"issuer": issuer, "year": year}, "unit": {"unit_id": uid}}
                        hit = index.get(record_key(mini, by_unit))
                        if hit and sha:
                            found[sha] = hit
            if not found:
                continue
            failed: Dict[str, List[str]] = {}  # sha256 -> severities of the checks that now fail
            for path in self._files_of("checks", year):
                self._rewrite(path, partial(_checks_rows, found=found, failed=failed))
            if failed:
                for path in self._files_of("reports", year):
                    self._rewrite(path, partial(_reports_rows, failed=failed))

    def _rewrite(self, path: Path, change: Any) -> None:
        pf = self.pq.ParquetFile(str(path))
        schema = pf.schema_arrow
        tmp = path.with_name(path.name + ".rewrite")
        writer = self.pq.ParquetWriter(str(tmp), schema, compression="zstd")
        try:
            for i in range(pf.num_row_groups):
                data = pf.read_row_group(i).to_pydict()
                change(data)
                writer.write_table(self.pa.Table.from_pydict(data, schema=schema))
        finally:
            writer.close()
        tmp.replace(path)

    def discard(self) -> None:
        """Drop this run's files (an error stopped the batch); an earlier dataset stays as it was."""
        for w in self.writers.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        self.writers.clear()
        for tmp, _ in self.files:
            tmp.unlink(missing_ok=True)
        if self.created and not any(self.folder.rglob("*.parquet")):
            shutil.rmtree(self.folder, ignore_errors=True)


_STATUS_RANK = {"ok": 0, "needs_review": 1, "failed_checks": 2}


def _checks_rows(data: Dict[str, List], found: Dict[str, Dict[str, Dict]], failed: Dict[str, List[str]]) -> None:
    """A row group of ``checks``: the cross-year results into the rows of the same report and check id
    (as ``crossyear.apply_results`` puts them into a record); the severities that now fail, per report."""
    for i, (sha, cid) in enumerate(zip(data["sha256"], data["id"], strict=True)):
        res = found.get(sha, {}).get(cid)
        if res is None:
            continue
        was = data["status"][i]
        data["status"][i], data["lhs"][i], data["rhs"][i] = res["status"], _float(res.get("lhs")), \
            _float(res.get("rhs"))
        if res["status"] == "fail" and was != "fail":
            failed.setdefault(sha, []).append(data["severity"][i])


def _reports_rows(data: Dict[str, List], failed: Dict[str, List[str]]) -> None:
    """A row group of ``reports``: the counts and the status (``record.report_status``: a failed hard check
    makes it failed_checks, a failed soft one needs_review at least) of the reports whose checks now fail."""
    for i, sha in enumerate(data["sha256"]):
        severities = failed.get(sha)
        if not severities or data["status"][i] not in _STATUS_RANK:
            continue
        hard = sum(1 for s in severities if s == "hard")
        data["failed_checks"][i] += len(severities)
        data["failed_hard_checks"][i] += hard
        now = "failed_checks" if hard else "needs_review"
        if _STATUS_RANK[now] > _STATUS_RANK[data["status"][i]]:
            data["status"][i] = now


def _float(v: Any) -> Optional[float]:
    return None if v is None or isinstance(v, bool) else float(v)
