"""The comparison of two years as a plain-text table, for ``govreport compare`` on a terminal.

This module is the command line's: it renders with rich, which the library never imports (ruff's TID251
allows rich only in ``govreport/cli*.py`` and here). Only the CLI imports it.
"""

from __future__ import annotations

from typing import Any, Dict

from . import comparison
from . import render_comparison as _render_data


def render_comparison(old_path, new_path, fmt: str = "json") -> str:
    """``govreport compare``: json, html, or (``table``) the rich tables of :func:`comparison_table` as text."""
    if fmt in ("json", "html"):
        return _render_data(old_path, new_path, fmt)
    return comparison_table(comparison(old_path, new_path))


def comparison_table(data: Dict[str, Any]) -> str:
    """The comparison as rich tables rendered to text (changed cells, chain checks, sections)."""
    import io

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=False, color_system=None)
    o, n = data["old"], data["new"]
    console.print(escape(f"{n.get('issuer')}: {o.get('year')} ({o.get('path')}) → {n.get('year')} ({n.get('path')})"))
    for m in data["metadata"]:
        if m["changed"]:
            console.print(escape(f"  {m['field']}: {m['old']} → {m['new']}"))
    cells = Table(title="cells", show_lines=False)
    for name in ("cell", "label", str(o.get("year")), str(n.get("year")), "change", "%"):
        cells.add_column(name, overflow="fold")
    for c in data["cells"]:
        rel = "" if c["relative"] is None else f"{c['relative']:+.0%}"
        cells.add_row(escape(c["ref"]), escape(c["label"]), _s(c["old"]), _s(c["new"]), _s(c["change"]), rel)
    console.print(cells)
    chain = Table(title="cross-year checks")
    for name in ("check", "status", "lhs", "rhs", "note"):
        chain.add_column(name, overflow="fold")
    for c in data["chain_checks"]:
        chain.add_row(escape(c["id"]), c["status"], _s(c["lhs"]), _s(c["rhs"]), escape(c["note"] or ""))
    console.print(chain)
    sims = Table(title="section similarity")
    for name in ("section", "similarity", "copied"):
        sims.add_column(name)
    for s in data["sections"]:
        sims.add_row(escape(s["title"]), "—" if s["similarity"] is None else f"{s['similarity']:.0%}",
                     "yes" if s["copied"] else "")
    console.print(sims)
    for f in data["findings"]:
        console.print(escape(f"{f['severity']}: {f['code']}: {f['message']}"))
    return buf.getvalue()


def _s(v) -> str:
    return "" if v is None else str(v)
