"""The corpus database: one SQLite file, one row per report, cell, check, issue and section.

A report is keyed by its file's sha256 and the tool version, so ``--resume`` skips what is already
stored, and each report is written in one transaction: a batch killed midway and rerun with
``--resume`` ends with every input exactly once.

Schema (query it with SQL or ``pandas.read_sql``)::

    reports(id, sha256, tool_version, path, format, issuer, year, template, status, failed_checks,
            issues, missing_cells, ambiguous_cells, suspect_cells, error_code, error_message, record, created_at)      UNIQUE(sha256, tool_version)
    cells(report_id, table_key, row_key, col_key, value, status, raw, page)
    checks(report_id, check_id, severity, status, lhs, rhs, expr)
    issues(report_id, level, code, cell, message)
    sections(report_id, number, key, title, text)
    cross_year_checks(issuer, year, prev_year, check_id, severity, status, lhs, rhs, expr)
    derived(report_id, measure, value, numerator, denominator, null_because)         (--derived)
    year_on_year(issuer, unit_id, year, prev_year, measure, value, current, previous, null_because)
    dictionary(key, table_key, row_key, col_key, table_title, row_label, column_label, unit, type, version,
               in_other_version)                                  the labels of every cell (govreport fields)

Column names are plain SQL identifiers (no ``"table"``/``"row"``/``"column"`` to quote); a database of an
earlier version is migrated when opened.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, Optional, Set

from ..errors import RETRIED, OutputNotWritableError
from ..record import flagged_of, status_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, tool_version TEXT NOT NULL, path TEXT, format TEXT,
    issuer TEXT, year INTEGER, template TEXT, status TEXT NOT NULL, failed_checks INTEGER, issues INTEGER,
    missing_cells INTEGER, ambiguous_cells INTEGER, suspect_cells INTEGER, error_code TEXT, error_message TEXT, record TEXT, created_at TEXT,
    UNIQUE (sha256, tool_version));
CREATE TABLE IF NOT EXISTS cells (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, table_key TEXT NOT NULL,
    row_key TEXT NOT NULL, col_key TEXT NOT NULL, value NUMERIC, status TEXT, raw TEXT, page INTEGER,
    PRIMARY KEY (report_id, table_key, row_key, col_key));
CREATE TABLE IF NOT EXISTS checks (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, check_id TEXT, severity TEXT,
    status TEXT, lhs NUMERIC, rhs NUMERIC, expr TEXT);
CREATE TABLE IF NOT EXISTS issues (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, level TEXT, code TEXT,
    cell TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS sections (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, number INTEGER, key TEXT,
    title TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS cross_year_checks (
    issuer TEXT, year INTEGER, prev_year INTEGER, check_id TEXT, severity TEXT, status TEXT, lhs NUMERIC,
    rhs NUMERIC, expr TEXT, PRIMARY KEY (issuer, year, check_id));
CREATE TABLE IF NOT EXISTS derived (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, measure TEXT NOT NULL, value REAL,
    numerator NUMERIC, denominator NUMERIC, null_because TEXT, PRIMARY KEY (report_id, measure));
CREATE TABLE IF NOT EXISTS year_on_year (
    issuer TEXT, unit_id TEXT, year INTEGER, prev_year INTEGER, measure TEXT, value REAL, current NUMERIC,
    previous NUMERIC, null_because TEXT, PRIMARY KEY (issuer, year, measure));
CREATE TABLE IF NOT EXISTS dictionary (
    key TEXT NOT NULL, table_key TEXT, row_key TEXT, col_key TEXT, table_title TEXT, row_label TEXT,
    column_label TEXT, unit TEXT, type TEXT, version TEXT NOT NULL, in_other_version TEXT,
    PRIMARY KEY (key, version));
CREATE INDEX IF NOT EXISTS cells_by_key ON cells (table_key, row_key, col_key);
CREATE INDEX IF NOT EXISTS reports_by_issuer ON reports (issuer, year);
"""


BUSY_TIMEOUT_S = 300.0  # how long a write waits for another batch's transaction on the same database


class Store:
    def __init__(self, path: Path):
        try:
            # another batch may be writing the same database: wait for its transaction (WAL lets readers on)
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._rename_old_columns()
            self.db.executescript(SCHEMA)
            self._fill_dictionary()
            have = {r[1] for r in self.db.execute("PRAGMA table_info(reports)")}
            for col in ("missing_cells", "ambiguous_cells", "suspect_cells"):  # a database of an earlier version
                if col not in have:
                    self.db.execute(f"ALTER TABLE reports ADD COLUMN {col} INTEGER")
        except sqlite3.Error as exc:
            raise OutputNotWritableError(f"{path}: cannot open the database ({exc})") from None

    _RENAMED = {"cells": (("table", "table_key"), ("row", "row_key"), ("column", "col_key")),
                "checks": (("id", "check_id"),), "cross_year_checks": (("id", "check_id"),)}

    def _rename_old_columns(self) -> None:
        """A database written before the columns were renamed to plain identifiers: renamed in place."""
        for table, pairs in self._RENAMED.items():
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for old, new in pairs:
                if old in have and new not in have:
                    if table == "cells" and old == "table":
                        self.db.execute("DROP INDEX IF EXISTS cells_by_key")
                    self.db.execute(f'ALTER TABLE {table} RENAME COLUMN "{old}" TO {new}')

    def _fill_dictionary(self) -> None:
        """The data dictionary (``govreport fields``) as a table: the labels of every cell key."""
        from ..dictionary import COLUMNS, fields

        with self._transaction() as cur:
            cur.executemany("INSERT OR REPLACE INTO dictionary VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                            [tuple(f[c] for c in COLUMNS) for f in fields()])

    def close(self) -> None:
        self.db.close()

    def known(self, tool_version: str) -> Set[str]:
        """sha256 of every input this tool version settled: records, and errors that a rerun would repeat
        (a timeout or a crashed worker is tried again)."""
        rows = self.db.execute(
            f"SELECT sha256 FROM reports WHERE tool_version = ? AND (error_code IS NULL OR error_code NOT IN "
            f"({','.join('?' * len(RETRIED))}))", (tool_version, *RETRIED))
        return {r[0] for r in rows}

    def add_record(self, record: Dict, tool_version: str) -> None:
        src, meta = record["source"], record.get("report", {})
        failed = sum(1 for c in record.get("checks", []) if c["status"] == "fail")
        status, flagged = status_of(record), flagged_of(record)
        with self._transaction() as cur:
            cur.execute("DELETE FROM reports WHERE sha256 = ? AND tool_version = ?", (src["sha256"], tool_version))
            cur.execute(
                "INSERT INTO reports (sha256, tool_version, path, format, issuer, year, template, status, "
                "failed_checks, issues, missing_cells, ambiguous_cells, suspect_cells, record, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (src["sha256"], tool_version, src["path"], src.get("format"), meta.get("issuer"), meta.get("year"),
                 meta.get("template"), status, failed, len(record.get("issues", [])), flagged["missing"],
                 flagged["ambiguous"], flagged["suspect"], json.dumps(record, ensure_ascii=False), _now()))
            rid = cur.lastrowid
            rows = []
            for ref, cell in record.get("cells", {}).items():
                table, row, col = ref.split(".")
                value = record.get("tables", {}).get(table, {}).get(row, {}).get(col)
                rows.append((rid, table, row, col, value, cell.get("status"), cell.get("raw"), cell.get("page")))
            cur.executemany('INSERT INTO cells VALUES (?,?,?,?,?,?,?,?)', rows)
            cur.executemany("INSERT INTO checks VALUES (?,?,?,?,?,?,?)",
                            [(rid, c["id"], c["severity"], c["status"], c.get("lhs"), c.get("rhs"), c["expr"])
                             for c in record.get("checks", [])])
            cur.executemany("INSERT INTO issues VALUES (?,?,?,?,?)",
                            [(rid, i["level"], i["code"], i.get("cell"), i["message"])
                             for i in record.get("issues", [])])
            cur.executemany("INSERT INTO sections VALUES (?,?,?,?,?)",
                            [(rid, s["number"], s.get("key"), s["title"], s["text"])
                             for s in record.get("sections", [])])
            cur.executemany("INSERT INTO derived VALUES (?,?,?,?,?,?)",
                            [(rid, k, m["value"], m["numerator"], m["denominator"], m["null_because"])
                             for k, m in ((record.get("derived") or {}).get("measures") or {}).items()])

    def add_error(self, path: str, sha256: Optional[str], code: str, message: str, tool_version: str) -> None:
        if sha256 is None:
            return  # an unreadable file has no content to key it by: it is tried again next time
        with self._transaction() as cur:
            cur.execute("DELETE FROM reports WHERE sha256 = ? AND tool_version = ?", (sha256, tool_version))
            cur.execute("INSERT INTO reports (sha256, tool_version, path, status, error_code, error_message, "
                        "created_at) VALUES (?,?,?,?,?,?,?)",
                        (sha256, tool_version, path, "error", code, message, _now()))

    def records_of(self, index: Dict, by_unit: bool, tool_version: str) -> Iterable[Dict]:
        """The stored records whose (body, year) ``index`` holds (``crossyear.index_results``)."""
        from .crossyear import record_key

        for rec in list(self.records(tool_version)):
            if record_key(rec, by_unit) in index:
                yield rec

    def update_checks(self, record: Dict, tool_version: str) -> None:
        """Store a record's updated checks (its cross-year results): the record, its status, its checks rows."""
        sha = record["source"]["sha256"]
        failed = sum(1 for c in record.get("checks", []) if c["status"] == "fail")
        with self._transaction() as cur:
            row = cur.execute("SELECT id FROM reports WHERE sha256 = ? AND tool_version = ?",
                              (sha, tool_version)).fetchone()
            if row is None:
                return
            rid = row[0]
            cur.execute("UPDATE reports SET record = ?, status = ?, failed_checks = ? WHERE id = ?",
                        (json.dumps(record, ensure_ascii=False), status_of(record), failed, rid))
            cur.execute("DELETE FROM checks WHERE report_id = ?", (rid,))
            cur.executemany("INSERT INTO checks VALUES (?,?,?,?,?,?,?)",
                            [(rid, c["id"], c["severity"], c["status"], c.get("lhs"), c.get("rhs"), c["expr"])
                             for c in record.get("checks", [])])

    def set_cross_year(self, checks: Iterable[Dict]) -> None:
        with self._transaction() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO cross_year_checks VALUES (?,?,?,?,?,?,?,?,?)",
                [(c["issuer"], c["year"], c["prev_year"], c["id"], c["severity"], c["status"], c.get("lhs"),
                  c.get("rhs"), c["expr"]) for c in checks])

    def set_year_on_year(self, rows: Iterable[Dict]) -> None:
        with self._transaction() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO year_on_year VALUES (?,?,?,?,?,?,?,?,?)",
                [(r["issuer"], r.get("unit_id"), r["year"], r["prev_year"], r["measure"], r["value"], r["current"],
                  r["previous"], r["null_because"]) for r in rows])

    def records(self, tool_version: str) -> Iterable[Dict]:
        for (rec,) in self.db.execute("SELECT record FROM reports WHERE tool_version = ? AND record IS NOT NULL",
                                      (tool_version,)):
            yield json.loads(rec)

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self) -> sqlite3.Cursor:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db.cursor()

        def __exit__(self, exc_type, exc, tb) -> None:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")

    def _transaction(self) -> "Store._Tx":
        return Store._Tx(self.db)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
