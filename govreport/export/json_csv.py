"""Write records as JSON, JSON Lines, or CSV (wide: one row per report; long: one row per cell).

The shapes are those of ``docs/RECORD.md``. Cell columns follow the template order of
``govreport.template`` (``versions[v].tables[t].data_rows`` and each row's ``columns``), for the template
version detected per table (``report.table_templates``, else ``report.template``). Rows a record holds
outside its template (for example a 2019 ``other_processing`` row in a 2021 table) follow the template's
rows of that table, so no printed value is dropped.

``write`` accepts a text stream (``str`` is written) or a binary stream (UTF-8 bytes are written).
"""

from __future__ import annotations

import io
import json
from typing import IO, TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ..record import ErrorRecord, Report
from ..template import TABLE_KEYS, load_template

if TYPE_CHECKING:
    import pandas as pd

Record = Union[Report, ErrorRecord]
CellKey = Tuple[str, str, str]  # (table, row, column)

FORMATS = ("json", "jsonl", "csv", "csv-long")
WIDE_HEAD = ("path", "sha256", "issuer", "year", "template", "status")
WIDE_TAIL = ("failed_checks", "issues", "missing_cells", "ambiguous_cells", "suspect_cells")
LONG_COLUMNS = ("path", "issuer", "year", "template", "table", "row", "column", "value", "status", "raw", "page")

_BOM = "\ufeff"


def write(
    records: Union[Record, Iterable[Record]], stream: IO[Any], fmt: str = "json", bom: bool = True,
    labels: str = "key",
) -> None:
    """Write one record or several to ``stream`` in format ``fmt`` (one of ``FORMATS``).

    ``json`` writes one pretty object for a single record and an array for several; ``jsonl`` writes one
    compact line per record, consuming an iterable lazily. CSV starts with a UTF-8 BOM unless ``bom`` is
    False; ``labels="zh"`` names the wide CSV's cell columns by their Chinese labels as printed
    (``zh_headers``). Raises ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items: Iterable[Record]
    if isinstance(records, (Report, ErrorRecord)):
        if fmt == "json":
            _emit(stream, json.dumps(_as_dict(records), ensure_ascii=False, indent=2) + "\n")
            return
        items = [records]
    else:
        items = records
    if fmt == "jsonl":
        for record in items:
            _emit(stream, _json_line(record))
        return
    if fmt == "json":
        _emit(stream, json.dumps([_as_dict(r) for r in items], ensure_ascii=False, indent=2) + "\n")
        return
    batch = list(items)
    frame = wide_frame(batch) if fmt == "csv" else long_frame(batch)
    if labels == "zh" and fmt == "csv":
        frame.columns = zh_headers(list(frame.columns))
    text = frame.to_csv(index=False, lineterminator="\n")
    _emit(stream, (_BOM if bom else "") + text)


def zh_headers(names: List[str]) -> List[str]:
    """Column names with each ``table.row.column`` replaced by its Chinese labels (table section, row,
    column: ``三·一、本年新收政府信息公开申请数量·总计``); a cell outside the template keeps its key, and a
    label two keys share gets its key appended."""
    from ..dictionary import fields

    by_key: Dict[str, str] = {}
    for f in fields():
        section = f["table_title"].split("、")[0]
        by_key.setdefault(f["key"], f"{section}·{f['row_label']}·{f['column_label']}")
    out = [by_key.get(n, n) for n in names]
    seen: Dict[str, int] = {}
    for label in out:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} ({n})" if seen[label] > 1 else label for label, n in zip(out, names, strict=True)]


def cell_keys(record: Record) -> List[CellKey]:
    """The ``(table, row, column)`` keys of a record: template order, then any extra keys it holds."""
    if isinstance(record, ErrorRecord):
        return []
    versions = load_template().versions
    keys: Dict[CellKey, None] = {}
    extra_tables = [t for t in record.tables if t not in TABLE_KEYS]
    for table in list(TABLE_KEYS) + extra_tables:
        version = versions.get(_table_template(record, table))
        tdef = version.tables.get(table) if version else None
        if tdef is not None:
            keys.update(((table, r.key, c.key), None) for r in tdef.data_rows for c in r.columns)
        for row, columns in record.tables.get(table, {}).items():
            keys.update(((table, row, col), None) for col in columns)
        for ref in record.cells:
            parts = ref.split(".")
            if len(parts) == 3 and parts[0] == table:
                keys[(table, parts[1], parts[2])] = None
    return list(keys)


def wide_frame(records: Sequence[Record]) -> pd.DataFrame:
    """One row per record: ``path, sha256, issuer, year, template, status``, the cells, then the counts.

    Cell columns are ``table.row.column`` in template order; with several templates, their union in
    first-seen order. ``status`` is the record's (``Report.status``: ``ok``, ``needs_review``,
    ``failed_checks``; ``error`` for a failed input); the tail counts the failed checks, the issues and the
    missing, ambiguous and suspect cells. When a record carries its derived measures (``--derived``), one
    column ``derived.<key>`` per ratio follows the counts.
    """
    import pandas as pd

    columns: Dict[CellKey, None] = {}
    for record in records:
        columns.update((k, None) for k in cell_keys(record))
    derived = derived_keys(records)
    rows = []
    for record in records:
        head = _head(record)
        row: List[Any] = [head["path"], head["sha256"], head["issuer"], head["year"], head["template"]]
        if isinstance(record, ErrorRecord):
            rows.append(row + [record.status] + [None] * len(columns) + [None] * len(WIDE_TAIL)
                        + [None] * len(derived))
            continue
        values = [record.tables.get(t, {}).get(r, {}).get(c) for t, r, c in columns]
        flagged = record.flagged_cells
        measures = record.derived.measures if record.derived is not None else {}
        rows.append(row + [record.status] + values + [len(record.failed_checks), len(record.issues),
                                                      flagged["missing"], flagged["ambiguous"], flagged["suspect"]]
                    + [measures[k].value if k in measures else None for k in derived])
    names = (list(WIDE_HEAD) + [".".join(k) for k in columns] + list(WIDE_TAIL)
             + [f"derived.{k}" for k in derived])
    return pd.DataFrame(rows, columns=names, dtype=object)


def derived_keys(records: Sequence[Record]) -> List[str]:
    """The derived ratios' keys when any record carries its derived block, else none."""
    if not any(isinstance(r, Report) and r.derived is not None for r in records):
        return []
    from ..derived import definitions

    return [m.key for m in definitions().ratios]


def long_frame(records: Sequence[Record]) -> pd.DataFrame:
    """One row per cell: ``path, issuer, year, template, table, row, column, value, status, raw, page``.

    ``template`` is the version of that cell's table (a report may mix them). A failed input
    (``ErrorRecord``) gives one row with status ``error`` and the message in ``raw``.
    """
    import pandas as pd

    rows: List[List[Any]] = []
    for record in records:
        head = _head(record)
        if isinstance(record, ErrorRecord):
            rows.append([head["path"], None, None, None, None, None, None, None, "error",
                         record.error.message, None])
            continue
        for table, row, col in cell_keys(record):
            cell = record.cells.get(f"{table}.{row}.{col}")
            value = record.tables.get(table, {}).get(row, {}).get(col)
            rows.append([
                head["path"], head["issuer"], head["year"], _table_template(record, table), table, row, col,
                value, _enum_value(cell.status) if cell else None, cell.raw if cell else None,
                cell.page if cell else None,
            ])
    return pd.DataFrame(rows, columns=list(LONG_COLUMNS), dtype=object)


def _table_template(record: Report, table: str) -> str:
    return record.report.table_templates.get(table) or record.report.template


def _head(record: Record) -> Dict[str, Optional[Any]]:
    if isinstance(record, ErrorRecord):
        src = record.source
        return {"path": src.get("path"), "sha256": src.get("sha256"), "issuer": None, "year": None,
                "template": None}
    return {"path": record.source.path, "sha256": record.source.sha256, "issuer": record.report.issuer,
            "year": record.report.year, "template": record.report.template}


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _as_dict(record: Record) -> Dict[str, Any]:
    return record.model_dump(mode="json", by_alias=True)


def _json_line(record: Record) -> str:
    line = json.dumps(_as_dict(record), ensure_ascii=False, separators=(",", ":"))
    # U+2028/U+2029 are line breaks to some readers (str.splitlines, JavaScript): keep one record per line.
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def _is_binary(stream: IO[Any]) -> bool:
    if isinstance(stream, io.TextIOBase):
        return False
    return isinstance(stream, (io.RawIOBase, io.BufferedIOBase)) or "b" in getattr(stream, "mode", "")


def _emit(stream: IO[Any], text: str) -> None:
    stream.write(text.encode("utf-8") if _is_binary(stream) else text)
