"""The data dictionary: every cell of the packaged template with its Chinese labels, unit and versions.

Built from ``data/template.json`` alone (``govreport fields``, the ``dictionary`` sheet of a workbook and
the ``dictionary`` table of a corpus database).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

from .template import TABLE_KEYS, VERSIONS, load_template

COLUMNS = ("key", "table", "row", "column", "table_title", "row_label", "column_label", "unit", "type",
           "version", "in_other_version")


@lru_cache(maxsize=1)
def _units() -> Dict[str, Dict[str, str]]:
    """version -> (table or table-二 block caption) -> unit, as the template states it (its first word)."""
    template = load_template()
    out: Dict[str, Dict[str, str]] = {}
    for v in VERSIONS:
        units = out.setdefault(v, {})
        for table in template.versions[v].tables.values():
            units[table.key] = table.unit.split(" ")[0]
            units.update({b.caption: b.unit.split(" ")[0] for b in table.blocks})
    return out


def fields(versions: Optional[Sequence[str]] = None) -> List[Dict[str, str]]:
    """One entry per cell (``table.row.column``) and template version, in template order."""
    template = load_template()
    versions = list(versions or VERSIONS)
    keys = {v: set(r for t in template.versions[v].tables.values() for r in t.cell_refs()) for v in VERSIONS}
    out: List[Dict[str, str]] = []
    for v in versions:
        units = _units()[v]
        for tkey in TABLE_KEYS:
            table = template.versions[v].tables[tkey]
            for row in table.data_rows:
                for col in row.columns:
                    key = f"{tkey}.{row.key}.{col.key}"
                    unit = col.unit or units.get(row.block or tkey, "")  # a column's own unit (万元) first
                    other = [o for o in VERSIONS if o != v and key in keys[o]]
                    out.append({"key": key, "table": tkey, "row": row.key, "column": col.key,
                                "table_title": table.title, "row_label": row.label, "column_label": col.label,
                                "unit": unit, "type": col.type, "version": v,
                                "in_other_version": ",".join(other)})
    return out


def labels(version: Optional[str] = None) -> Dict[str, str]:
    """``table.row.column`` -> its Chinese label as printed (row label / column label); ``version`` None:
    the template's default version."""
    return {f["key"]: f"{f['row_label']} / {f['column_label']}"
            for f in fields([version or load_template().default_version])}


def render(entries: List[Dict[str, str]], fmt: str) -> str:
    """``md`` (a table), ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps(entries, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(entries)
        return buf.getvalue()
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for e in entries:
        lines.append("| " + " | ".join(str(e[c]).replace("|", "\\|").replace("\n", " ") for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"
