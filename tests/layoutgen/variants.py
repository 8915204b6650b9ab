"""Layout dimensions that real publishers' tools add on top of the official tables (the adversary's list).

Each function transforms the layout model (``model.Table`` / blocks) the way a tool or an author does, and
never the truth: what is printed under its own label stays the gold; what a transform hides (a blank
cell that vanished) is ``None`` in the gold, so that the parser must leave it empty or flag it. Every
choice comes from its own stream (``Drawer.sub``), so a seed keeps all its other choices.

* ``merged_cells``   — merged label/header cells as Word/WPS/Excel/HTML editors unmerge them: text in the
  first grid cell and the covered ones empty (``split_blank``), or the text filled into every covered
  cell (``split_repeat``, Excel's fill-down, pdfplumber/camelot tables republished);
* ``t3_extra_col``   — a 序号 column of row numbers before the labels, a 备注 column after 总计 (empty or
  a word), or a 法人或其他组织小计 column before 总计 (peers' "8-column" format);
* ``t3_column_order`` — the 总计 column first, before 自然人;
* ``t3_label_abbrev`` — table-三 labels shortened (``（二）部分公开``, ``1.申请人逾期不补正``);
* ``value_units``    — a unit printed in the cell (``251000元``, ``12件``, ``3项``);
* ``t3_notes``, ``t4_notes`` — a ``注：`` note with dates and numbers under table 三/四, as a paragraph or as the
  table's last merged row;
* ``t3_split``       — table 三 split into two tables (Word: a table split at a page break, ``续表``),
  the header repeated or not;
* ``t4_layout``      — table 四 as one grid, as two tables (复议 / 诉讼), transposed (one row per cell:
  group, result, number), or told in a sentence.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List

from .model import Cell, Para, Table


# ---------------------------------------------------------------------------------------------
# generic table edits

def insert_column(t: Table, at: int, width: float) -> None:
    """Make room for a new grid column at index ``at``: cells at or right of it move right, cells that
    span across it grow."""
    for c in t.cells:
        if c.col >= at:
            c.col += 1
        elif c.col + c.colspan > at:
            c.colspan += 1
    t.widths.insert(at, width)
    t.n_cols += 1


def split_merged(t: Table, style: str) -> None:
    """Unmerge the label, header and caption cells (value cells keep their spans: a number is printed
    once). ``split_blank``: the text in the top-left grid cell, the others empty; ``split_repeat``: the
    text (a short one: not the corner note) in every grid cell it covered. A vertical label becomes one line (a cell of its own row)."""
    out: List[Cell] = []
    for c in t.cells:
        if c.kind == "value" or (c.rowspan == 1 and c.colspan == 1):
            out.append(c)
            continue
        text = "".join(c.lines) if len(c.lines) > 2 and all(len(x) <= 2 for x in c.lines) else None
        lines = [text] if text else list(c.lines)
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                first = (r, k) == (c.row, c.col)
                repeat = style == "split_repeat" and len("".join(lines)) <= 10  # not a long corner note
                out.append(Cell(r, k, list(lines) if first or repeat else [], kind=c.kind,
                                align=c.align, shaded=c.shaded, bold=c.bold))
    t.cells = out


def split_rows(t: Table, at: int, repeat_header: bool, name: str) -> List[Table]:
    """Two tables: rows before ``at`` and rows from ``at`` on (the header copied on top when
    ``repeat_header``). A merged cell across the cut keeps its text in the upper part; its lower part is
    an empty cell (as Word splits a table)."""
    top, bottom = [], []
    h = t.header_rows if repeat_header else 0
    for c in t.cells:
        end = c.row + c.rowspan
        if end <= at:
            top.append(c)
            if repeat_header and c.row < t.header_rows:
                bottom.append(copy.deepcopy(c))
        elif c.row >= at:
            d = copy.deepcopy(c)
            d.row = c.row - at + h
            bottom.append(d)
        else:
            a = copy.deepcopy(c)
            a.rowspan = at - c.row
            top.append(a)
            b = Cell(h, c.col, [], rowspan=end - at, colspan=c.colspan, kind=c.kind, align=c.align)
            bottom.append(b)
    first = Table(n_rows=at, n_cols=t.n_cols, widths=list(t.widths), cells=top, header_rows=t.header_rows,
                  repeat_header=t.repeat_header, name=name, font_size=t.font_size)
    second = Table(n_rows=t.n_rows - at + h, n_cols=t.n_cols, widths=list(t.widths), cells=bottom,
                   header_rows=h, repeat_header=t.repeat_header and h > 0, name=name + ":cont",
                   font_size=t.font_size)
    return [first, second]


# ---------------------------------------------------------------------------------------------
# the dimensions

def merged_cells(d, tables: List[Table]) -> None:
    style = d.pick("merged_cells", ["merged", "split_blank", "split_repeat"], weights=[7, 2, 1])
    if style != "merged":
        for t in tables:
            split_merged(t, style)


def t3_extra_col(d, t: Table, pr, gold) -> None:
    kind = d.pick("t3_extra_col", ["none", "seq", "remark", "subtotal"], weights=[12, 3, 2, 1])
    rng = d.sub("t3_extra_col.values")
    if kind == "seq":
        insert_column(t, 0, 1.2)
        t.cells.append(Cell(0, 0, ["序号"], rowspan=t.header_rows, kind="header"))
        label_rows = sorted({c.row for c in t.cells if c.row >= t.header_rows})
        for n, r in enumerate(label_rows, 1):
            t.cells.append(Cell(r, 0, [str(n)], kind="label"))
    elif kind == "remark":
        word = rng.choice(["", "", "无", "—", "/"])
        d.v["t3_remark_word"] = word
        insert_column(t, t.n_cols, 2.0)
        t.cells.append(Cell(0, t.n_cols - 1, ["备注"], rowspan=t.header_rows, kind="header"))
        for r in range(t.header_rows, t.n_rows):
            text = word if rng.random() < 0.7 else ""
            t.cells.append(Cell(r, t.n_cols - 1, [text] if text else [], kind="label"))
    elif kind == "subtotal":
        nlab = t.label_cols
        at = nlab + 6  # before 总计, under 法人或其他组织
        insert_column(t, at, t.widths[-1])  # 申请人情况 grows over it
        for c in t.cells:  # and so does 法人或其他组织
            if c.row == 1 and c.col == nlab + 1 and c.colspan == 5:
                c.colspan = 6
        t.cells.append(Cell(2, at, ["小计"], kind="header"))
        saved, pr.rng = pr.rng, rng  # the printer's random choices from this dimension's stream
        try:
            for r in range(t.header_rows, t.n_rows):
                key = t.row_keys.get(r)
                orgs = [gold["applications"][key][c] for c in ORGS] if key else [None]
                text = "" if all(v is None for v in orgs) else pr.cell("t3", sum(v or 0 for v in orgs))[0]
                t.cells.append(Cell(r, at, [text] if text else [], kind="value"))
        finally:
            pr.rng = saved
    if kind != "none":
        t.cells.sort(key=lambda c: (c.row, c.col))  # drawn left to right, as a word processor exports a row


ORGS = ["commercial_enterprise", "research_institution", "public_welfare_org", "legal_service_org", "other_org"]
def t3_column_order(d, t: Table) -> None:
    """``total_first``: the 总计 column printed first, before 自然人 (a publisher's own order)."""
    order = d.pick("t3_column_order", ["official", "total_first"], weights=[14, 1])
    if order == "official":
        return
    tc = next(c.col for c in t.cells if c.kind == "header" and c.text == "总计")
    fc = next(c.col for c in t.cells if c.kind == "header" and c.text.startswith("自然"))
    for c in t.cells:
        if c.col == tc:
            c.col = fc
        elif fc <= c.col and c.col + c.colspan <= tc:
            c.col += 1
    t.cells.sort(key=lambda c: (c.row, c.col))  # drawn left to right, as a word processor exports a row


# table-三 labels as publishers shorten them (the official label's words dropped, its list number kept)
ABBREVIATED = {
    "new_received": "一、本年新收申请数量", "carried_over": "二、上年结转申请数量",
    "partially_granted": "（二）部分公开", "denied_state_secret": "1.国家秘密",
    "denied_law_prohibited": "2.法律行政法规禁止公开", "unable_not_held": "1.本机关不掌握相关信息",
    "not_processed_confirm_or_reissue": "5.要求确认或重新出具已获取信息",
    "other_no_correction": "1.申请人逾期不补正", "other_fee_unpaid": "2.申请人逾期未缴纳费用",
}


UNITS = {"count": ["件", "项", "个"], "amount": ["元", "万元"]}


def value_units(d) -> Dict[str, str]:
    """Which tables print a unit after each number: {"t2": "件", "amount": "元", ...} (empty: none)."""
    kind = d.pick("value_units", ["none", "t2", "amount", "all"], weights=[14, 2, 2, 1])
    rng = d.sub("value_units.which")
    out: Dict[str, str] = {}
    if kind in ("t2", "all"):
        out["t2"] = rng.choice(UNITS["count"])
    if kind in ("amount", "t2", "all"):
        out["amount"] = rng.choice(UNITS["amount"])
    if kind == "all":
        out["t3"] = out["t4"] = "件"
    d.v["value_units_printed"] = dict(out)
    return out


NOTES = [
    "注：1.本表统计时限为{y}年1月1日至{y}年12月31日；2.表中“0”表示无此类情况。",
    "注：本表数据截至{y}年12月31日，单位：件。",
    "说明：{y}年度共有{n}件申请因申请人撤回未予统计。",
    "注：“—”表示无此项数据。",
]


def table_note(d, year: int, table: Table, blocks: List[Any], which: str) -> None:
    where = d.pick(which + "_notes", ["none", "paragraph", "row"], weights=[6, 2, 1])
    if where == "none":
        return
    rng = d.sub(which + "_notes.text")
    text = rng.choice(NOTES).format(y=year, n=rng.randint(1, 30))
    if where == "paragraph" or not isinstance(table, Table):
        blocks.append(Para(text, kind="body"))
    else:
        table.cells.append(Cell(table.n_rows, 0, [text], colspan=table.n_cols, kind="note", align="left"))
        table.n_rows += 1


def t3_split(d, t: Table) -> List[Any]:
    style = d.pick("t3_split", ["none", "repeat", "bare", "continued"], weights=[8, 1, 1, 1])
    if style == "none":
        return [t]
    rng = d.sub("t3_split.at")
    at = rng.randint(t.header_rows + 2, t.n_rows - 2)
    d.v["t3_split_at"] = at
    first, second = split_rows(t, at, style in ("repeat", "continued"), t.name)
    gap: List[Any] = [Para("续表", kind="caption", align=rng.choice(["left", "right"]))] if style == "continued" else []
    return [first] + gap + [second]


def t4_layout(d, pr, numbers, gold, groups, cols, font: float) -> List[Any]:
    style = d.pick("t4_layout", ["grid", "two_tables", "transposed", "prose"], weights=[16, 2, 2, 1])
    names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    other = "其它" if "其它" in d.v["t3_label_variants"] else "其他"
    names = [n.replace("其他", other) for n in names]
    if style == "grid":
        return []
    if style == "prose":
        return [_t4_prose(numbers, gold, groups, cols)]
    saved, pr.rng = pr.rng, d.sub("t4_layout.printer")
    try:
        return _t4_tables(style, pr, numbers, gold, groups, cols, font, names)
    finally:
        pr.rng = saved


def _t4_prose(numbers, gold, groups, cols) -> Para:
    """Table 四 told in a sentence, every cell as a number (small bodies often write it so, zeros too)."""
    rl = numbers["review_litigation"]
    for g in groups:
        for c in cols:
            gold["review_litigation"][g][c] = rl[g][c]

    def part(g) -> str:
        r = rl[g]
        return ("%d件（结果维持%d件、结果纠正%d件、其他结果%d件、尚未审结%d件）"
                % (r["total"], r["upheld"], r["corrected"], r["other"], r["pending"]))

    return Para("本年度，本机关因政府信息公开被申请行政复议%s；被提起行政诉讼%d件，其中未经复议直接起诉%s，复议后起诉%s。"
                % (part(groups[0]), rl[groups[1]]["total"] + rl[groups[2]]["total"], part(groups[1]), part(groups[2])))


def _t4_tables(style, pr, numbers, gold, groups, cols, font, names) -> List[Any]:
    if style == "two_tables":
        out: List[Any] = []
        a = [Cell(0, 0, ["行政复议"], colspan=5, kind="header")]
        a += [Cell(1, j, [n], kind="header") for j, n in enumerate(names)]
        b = [Cell(0, 0, ["行政诉讼"], colspan=10, kind="header"),
             Cell(1, 0, ["未经复议直接起诉"], colspan=5, kind="header"),
             Cell(1, 5, ["复议后起诉"], colspan=5, kind="header")]
        b += [Cell(2, j, [names[j % 5]], kind="header") for j in range(10)]
        for gi, g in enumerate(groups):
            for ci, c in enumerate(cols):
                text, value = pr.cell("t4", numbers["review_litigation"][g][c])
                gold["review_litigation"][g][c] = value
                if gi == 0:
                    a.append(Cell(2, ci, [text] if text else [], kind="value"))
                else:
                    b.append(Cell(3, (gi - 1) * 5 + ci, [text] if text else [], kind="value"))
        out.append(Table(n_rows=3, n_cols=5, widths=[1.0] * 5, cells=a, header_rows=2, name="t4", font_size=font))
        out.append(Table(n_rows=4, n_cols=10, widths=[1.0] * 10, cells=b, header_rows=3, name="t4:lit",
                         font_size=font))
        return out
    if True:  # transposed
        cells = [Cell(0, 0, ["类别"], colspan=2, kind="header"), Cell(0, 2, ["办理结果"], kind="header"),
                 Cell(0, 3, ["数量"], kind="header")]
        r = 1
        cells.append(Cell(1, 0, ["行政复议"], rowspan=5, colspan=2))
        cells.append(Cell(6, 0, ["行政诉讼"], rowspan=10))
        for gi, g in enumerate(groups):
            if gi:
                cells.append(Cell(r, 1, ["未经复议直接起诉" if gi == 1 else "复议后起诉"], rowspan=5))
            for ci, c in enumerate(cols):
                text, value = pr.cell("t4", numbers["review_litigation"][g][c])
                gold["review_litigation"][g][c] = value
                cells.append(Cell(r, 2, [names[ci]]))
                cells.append(Cell(r, 3, [text] if text else [], kind="value"))
                r += 1
    return [Table(n_rows=r, n_cols=4, widths=[1.6, 2.6, 2.0, 1.4], cells=cells, header_rows=1, name="t4",
                  font_size=font)]
