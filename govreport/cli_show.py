"""``govreport show``: a record as the official form in the terminal (rich tables on stdout).

Part of the command line (it prints): each table laid out as the template prints it, with its Chinese
labels, every cell coloured by its status, and the failed checks of that table under it.
"""

from __future__ import annotations

from typing import IO, List, Optional

from .record import Report
from .template import TABLE_KEYS, load_template

STYLES = {"ok": "", "blank": "dim", "placeholder": "dim", "inferred": "cyan", "ambiguous": "bold yellow",
          "suspect": "bold magenta", "missing": "bold red"}
MARKS = {"inferred": "ⁱ", "ambiguous": "?", "suspect": "!", "missing": "✗"}


def _text(report: Report, ref: str) -> tuple:
    cell = report.cells.get(ref)
    t, r, c = ref.split(".")
    value = report.tables.get(t, {}).get(r, {}).get(c)
    status = cell.status if cell is not None else "missing"
    if value is None:
        shown = "/" if status == "placeholder" else ("" if status == "blank" else "—")
    else:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
    return shown + MARKS.get(status, ""), STYLES.get(status, "")


def render(report: Report, stream: IO[str], tables: Optional[List[str]] = None, color: Optional[bool] = None,
           width: Optional[int] = None) -> None:
    """Print ``report``'s tables (``tables``: some of ``TABLE_KEYS``) to ``stream``."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, force_terminal=color, no_color=color is False, width=width,
                      highlight=False, soft_wrap=False)
    meta = report.report
    console.print(Text(f"{meta.title or report.source.path}", style="bold"))
    console.print(f"{meta.issuer or '?'} · {meta.year or '?'} · template {meta.template} · status "
                  f"{report.status} · {report.source.format} {report.source.path}")
    console.print(Text("legend: ", style="dim") + Text(" ".join(
        f"{m} {s}" for s, m in MARKS.items()), style="dim") + Text(" · — not read · / placeholder", style="dim"))
    template = load_template()
    for key in tables or TABLE_KEYS:
        version = report.report.table_templates.get(key) or report.report.template
        tdef = template.versions[version].tables.get(key) if version in template.versions else None
        if tdef is None:
            continue
        groups: List[tuple] = []  # (caption, rows) with one column set each
        for row in tdef.rows:
            caption = row.block or ""
            if not groups or groups[-1][0] != caption or groups[-1][1][0].columns != row.columns:
                groups.append((caption, []))
            groups[-1][1].append(row)
        console.print()
        console.print(Text(tdef.title, style="bold underline"))
        for caption, rows in groups:
            columns = next((r.columns for r in rows if r.is_data), rows[0].columns)
            table = Table(title=caption or None, title_justify="left", show_lines=False, header_style="bold")
            table.add_column("", min_width=14, overflow="fold")
            for col in columns:
                table.add_column(col.label, justify="right", max_width=12, overflow="fold")
            for row in rows:
                if not row.is_data:
                    table.add_row(Text(row.label, style="bold"), *[""] * len(columns))
                    continue
                cells = [Text(*_text(report, f"{key}.{row.key}.{c.key}")) for c in row.columns]
                table.add_row(row.label, *cells)
            console.print(table)
        failed = [c for c in report.checks if c.status == "fail" and (
            any(x.startswith(key + ".") for x in c.cells) or c.id.startswith(key) or f"{key}." in c.expr)]
        for c in failed:
            console.print(Text(f"✗ {c.severity} check {c.id}: {c.lhs} ≠ {c.rhs}   {c.expr}", style="red"))
