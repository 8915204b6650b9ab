"""Extraction damage, applied on purpose to the table-三 rows of a generated sample report.

Helper for ``tests/test_property.py``. A generated report (``samples/make_samples.py``) is rendered as a
tab grid or as run-together crawler text; its table 三 is rebuilt here as a list of :class:`Row` objects
(label fields + seven cells + the separators between them), damaged by a list of operations, and written
back into the rendered text. Operations are plain tuples so that hypothesis can generate and shrink them:

=====================  ============================================================================
``("drop", r, c)``      lose the c-th printed number of row r, with its separator (a lost cell)
``("glue", r, mask)``   delete the separators between the numbers of row r where ``mask`` has a bit
``("glue_all", r)``     delete every separator between the numbers of row r (cells run together)
``("split_tab", r, p)`` split row r's label over two tab cells at position p
``("split_line", r, p)`` split row r's label over two lines at position p
``("wrap", r, p)``      wrap row r's line between two cells (or between label and numbers)
``("page", r, f, n)``   insert a page-number line (format f, page n) before row r
``("blank_zero", r, k)`` print the k-th zero cell of row r as an empty cell
=====================  ============================================================================

Row and position arguments are taken modulo what the row offers, so any integers are valid. ``apply``
returns the damaged text and the cells printed as an empty grid field (``blank_zero`` in a grid): the
record must not show a number there unless it flags the cell (RECORD.md: an empty cell is never 0). In
run-together text a blanked zero simply vanishes, like a dropped number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import sample_scripts

ROOT = Path(__file__).resolve().parents[1]


gen = sample_scripts.load("make_samples")

PAGE_FORMATS = (
    "- {n} -",
    "— {n} —",
    "－{n}－",
    "第{n}页",
    "第 {n} 页 共 {m} 页",
    "{n}",  # a bare page number: a stray integer that no cleaning removes
    "\n- {n} -\n",  # with blank lines around it
    "\f{n}",
)

OPS = ("drop", "glue", "glue_all", "split_tab", "split_line", "wrap", "page", "blank_zero")


@dataclass
class Cell:
    text: str
    state: str = "printed"  # printed | dropped | blank


@dataclass
class Row:
    key: str
    label_fields: List[str]
    cells: List[Cell]
    seps: List[str]  # seps[i] lies between cells[i] and cells[i + 1]
    lead: str  # between the label fields and the first cell
    before: List[str] = field(default_factory=list)  # lines inserted before the row

    def present(self) -> List[int]:
        return [i for i, c in enumerate(self.cells) if c.state != "dropped"]


class Table3:
    """Table 三 of one rendered report, as rows that can be damaged and rendered back."""

    def __init__(self, report: dict, mode: str):
        assert mode in ("grid", "flat")
        self.mode = mode
        self.version = report["version"]
        app = report["truth"]["tables"]["applications"]
        keys = [k for k, _, _, _ in gen.APPLICATION_ROWS[self.version]]
        self.rows: List[Row] = []
        if mode == "grid":
            lines = gen._table3_grid(report)
            self.original = "\n".join(lines)
            self.header = "\n".join(lines[:3])
            body = lines[3:]
            assert len(body) == len(keys)
            for key, line in zip(keys, body):
                fields = line.split("\t")
                assert len(fields) == 10, line
                values = fields[3:]
                assert values == [gen._fmt(app[key][c]) for c in gen.APPLICATION_COLUMNS]
                self.rows.append(Row(key, fields[:3], [Cell(v) for v in values], ["\t"] * 6, "\t"))
        else:
            self.original = gen._table3_flat(report)
            self.header = gen._table3_header_flat()
            seen_results = False
            seen_groups: Set[str] = set()
            for key, label, zone, group in gen.APPLICATION_ROWS[self.version]:
                prefix = ""
                if zone == "result" and not seen_results:
                    prefix += gen.RESULTS_HEADER
                    seen_results = True
                if group is not None and group not in seen_groups:
                    prefix += gen.GROUPS[group][0]
                    seen_groups.add(group)
                values = [gen._fmt(app[key][c]) for c in gen.APPLICATION_COLUMNS]
                self.rows.append(Row(key, [prefix + label], [Cell(v) for v in values], [""] * 6, ""))
        assert self.render() == self.original, "mangle.py no longer mirrors make_samples.py's table 三"

    # -- rendering ------------------------------------------------------------------------------

    def _sep_between(self, row: Row, a: int, b: int) -> str:
        seps = row.seps[a:b]
        if any("\n" in s for s in seps):
            return "\n"
        if all(s == "" for s in seps):
            return ""
        return "\t" if self.mode == "grid" else " "

    def render_row(self, row: Row) -> str:
        label_sep = "\t" if self.mode == "grid" else ""
        out = label_sep.join(row.label_fields)
        present = row.present()
        if present:
            out += row.lead
            prev = None
            for i in present:
                if prev is not None:
                    out += self._sep_between(row, prev, i)
                out += row.cells[i].text
                prev = i
        return out

    def render(self) -> str:
        joiner = "\n" if self.mode == "grid" else ""
        parts = [self.header]
        for row in self.rows:
            for line in row.before:
                parts.append(("\n" + line + "\n") if self.mode == "flat" else line)
            parts.append(self.render_row(row))
        return joiner.join(parts)

    # -- damage ---------------------------------------------------------------------------------

    def apply_op(self, op: Sequence) -> None:
        kind = op[0]
        row = self.rows[op[1] % len(self.rows)]
        if kind == "drop":
            present = [i for i in row.present() if row.cells[i].state == "printed"]
            if len(present) > 1:
                row.cells[present[op[2] % len(present)]].state = "dropped"
        elif kind == "glue":
            mask = op[2]
            for i in range(6):
                if mask >> i & 1:
                    row.seps[i] = ""
        elif kind == "glue_all":
            row.seps = [""] * 6
        elif kind in ("split_tab", "split_line"):
            fi = max(range(len(row.label_fields)), key=lambda i: len(row.label_fields[i]))
            label = row.label_fields[fi]
            if len(label) >= 2:
                p = 1 + op[2] % (len(label) - 1)
                mark = "\t" if kind == "split_tab" else "\n"
                row.label_fields[fi] = label[:p] + mark + label[p:]
        elif kind == "wrap":
            p = op[2] % 7
            if p == 0:
                row.lead = "\n"
            else:
                row.seps[p - 1] = "\n"
        elif kind == "page":
            fmt = PAGE_FORMATS[op[2] % len(PAGE_FORMATS)]
            n = 1 + op[3] % 30
            row.before.append(fmt.format(n=n, m=n + 5))
        elif kind == "blank_zero":
            zeros = [i for i in row.present() if row.cells[i].text == "0" and row.cells[i].state == "printed"]
            if zeros:
                cell = row.cells[zeros[op[2] % len(zeros)]]
                cell.text, cell.state = "", "blank"
        else:
            raise ValueError(f"unknown operation {kind!r}")

    def unprinted(self) -> Set[str]:
        """Cells whose number the damaged text no longer prints (dropped, or printed empty)."""
        return {f"applications.{row.key}.{col}" for row in self.rows
                for col, cell in zip(gen.APPLICATION_COLUMNS, row.cells) if cell.state != "printed"}

    def empty_cells(self) -> Set[str]:
        """Cells printed as an empty grid field (run-together text has no empty fields: they vanish)."""
        if self.mode != "grid":
            return set()
        return {f"applications.{row.key}.{col}" for row in self.rows
                for col, cell in zip(gen.APPLICATION_COLUMNS, row.cells) if cell.state == "blank"}


def render(report: dict, mode: str) -> str:
    return gen.render_grid(report) if mode == "grid" else gen.render_runtogether(report)


def apply(report: dict, mode: str, ops: Sequence[Sequence]) -> Tuple[str, Set[str]]:
    """The report rendered in ``mode`` with table 三 damaged by ``ops``, and the cells printed empty."""
    text = render(report, mode)
    table = Table3(report, mode)
    assert text.count(table.original) == 1
    for op in ops:
        table.apply_op(op)
    return text.replace(table.original, table.render()), table.empty_cells()


def make_report(version: str, seed: int) -> dict:
    return gen.make_report_2021(seed) if version == "2021" else gen.make_report_2019(seed)


def truth_cells(truth: dict) -> Dict[str, object]:
    return {f"{t}.{r}.{c}": v for t, rows in truth["tables"].items() for r, cols in rows.items()
            for c, v in cols.items()}
