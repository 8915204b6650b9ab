"""Random choices from a seed: an invented, consistent report and the layout its publisher gave it.

``draw(seed)`` returns a :class:`model.Document` whose ``truth`` is in the corpus gold format and whose
``variant`` names every layout choice (the dimensions of corpus-synth's ``variant`` column). The numbers
satisfy every hard check of template.json (``checks.failing_checks`` is empty) unless a planted error was
drawn: then exactly the failing checks are listed in ``truth["source_check_failures"]``. Only the standard
library; deterministic per seed (one ``random.Random(seed)``, no clock, no hash order).
"""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional, Tuple

from . import checks
from .geometry import text_width
from . import variants
from .model import Cell, Document, PageBreak, Para, Table

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
              "legal_service_org", "other_org"]
T3_COLS = APPLICANTS + ["total"]
T4_GROUPS = ["review", "lit_direct", "lit_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
PLACEHOLDERS = ["/", "-", "—", "无"]
ZERO_STYLES = ["0", "blank", "/", "-", "—", "无"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FULLWIDTH_PUNCT = str.maketrans(",.", "，．")

PROVINCES = ["江川省", "东岭省", "云溪省", "北洲省"]
CITIES = ["临川市", "望海市", "青石市", "白云市", "安平市", "龙泉市", "柳河市", "松岗市"]
COUNTIES = ["平陵县", "清河县", "石桥区", "东湖区", "长宁县", "桂阳县", "玉泉县", "河西区"]
TOWNS = ["青山镇", "石门乡", "白沙镇", "南岗街道", "柳林镇", "双河乡"]
DEPTS = ["交通运输局", "水利局", "自然资源和规划局", "生态环境局", "市场监督管理局", "教育局", "民政局",
         "卫生健康委员会", "住房和城乡建设局", "农业农村局"]
PROV_DEPTS = ["交通运输厅", "水利厅", "生态环境厅", "教育厅", "民政厅"]

ROW_WEIGHT = {
    "granted": 0.45, "partially_granted": 0.08, "unable_not_held": 0.18, "unable_needs_creation": 0.03,
    "unable_unclear_after_correction": 0.03, "not_processed_repeat": 0.03, "not_processed_petition": 0.02,
    "other_other": 0.04, "other_processing": 0.06, "other_no_correction": 0.03,
}
COL_WEIGHT = [1.0, 0.15, 0.02, 0.02, 0.06, 0.05]


class Drawer:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.v: Dict[str, Any] = {}  # the variant

    def sub(self, name: str) -> random.Random:
        """A generator of its own for one layout dimension (seeded from the seed and the name), so that a
        dimension added later leaves every other choice of a seed as it was."""
        return random.Random("%d:%s" % (self.seed, name))

    def pick(self, name: str, options, weights=None):
        value = self.sub(name).choices(list(options), weights=weights)[0]
        self.v[name] = value
        return value

    def flag(self, name: str, p: float) -> bool:
        value = self.sub(name).random() < p
        self.v[name] = value
        return value


# ---------------------------------------------------------------------------------------------
# numbers

def _count(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if rng.random() < 0.25:
        return 0
    return max(0, int(round(rng.expovariate(1.0 / mean))))


def _numbers(d: Drawer, version: str, level: str) -> Dict[str, Dict[str, Dict[str, Any]]]:
    rng = d.rng
    scale = d.pick("scale", [0, 3, 25, 250, 3000],
                   weights={"township": [3, 5, 2, 0, 0], "county_dept": [1, 4, 4, 1, 0],
                            "county_gov": [0, 1, 4, 3, 0], "city_dept": [0, 2, 4, 3, 1],
                            "city_gov": [0, 0, 2, 4, 2], "provincial_dept": [0, 1, 3, 4, 2],
                            "provincial_gov": [0, 0, 1, 3, 4]}[level])
    app: Dict[str, Dict[str, Any]] = {}
    result_rows = [r["key"] for r in checks.data_rows(version, "applications")
                   if r["key"] not in checks.MAIN_ROWS]
    for key in result_rows:
        w = ROW_WEIGHT.get(key, 0.006)
        app[key] = {c: _count(rng, scale * w * COL_WEIGHT[j]) for j, c in enumerate(APPLICANTS)}
    app["total_processed"] = {c: sum(app[k][c] for k in result_rows) for c in APPLICANTS}
    app["carried_forward"] = {c: _count(rng, app["total_processed"][c] * 0.08) for c in APPLICANTS}
    app["carried_over"] = {}
    app["new_received"] = {}
    for c in APPLICANTS:
        room = app["total_processed"][c] + app["carried_forward"][c]
        co = min(room, _count(rng, scale * 0.04 * COL_WEIGHT[APPLICANTS.index(c)]))
        app["carried_over"][c] = co
        app["new_received"][c] = room - co
    for cols in app.values():
        cols["total"] = sum(cols[c] for c in APPLICANTS)
    rows = [r["key"] for r in checks.data_rows(version, "applications")]
    app = {k: app[k] for k in rows}

    rl = {}
    for g in T4_GROUPS:
        m = {"review": 0.01, "lit_direct": 0.006, "lit_after_review": 0.003}[g] * scale
        vals = {c: _count(rng, m * w) for c, w in zip(T4_COLS[:4], [1.0, 0.2, 0.2, 0.3])}
        vals["total"] = sum(vals.values())
        rl[g] = vals

    ad: Dict[str, Dict[str, Any]] = {}
    big = level in ("city_gov", "provincial_gov", "provincial_dept")
    if version == "2021":
        ri = rng.randint(0, 6) if big else 0
        ad["rules"] = {"issued_this_year": ri, "repealed_this_year": rng.randint(0, 3) if big else 0,
                       "in_force": ri + (rng.randint(0, 150) if big else 0)}
        ni = _count(rng, 3 + scale * 0.02)
        ad["normative_documents"] = {"issued_this_year": ni, "repealed_this_year": _count(rng, 2 + ni * 0.3),
                                     "in_force": ni + _count(rng, 10 + scale * 0.1)}
        ad["admin_licensing"] = {"decisions_this_year": _count(rng, 30 + scale * 40)}
        ad["admin_penalty"] = {"decisions_this_year": _count(rng, 10 + scale * 30)}
        ad["admin_coercion"] = {"decisions_this_year": _count(rng, 2 + scale)}
        fee = 0 if rng.random() < 0.4 else round(rng.uniform(0, 50 + scale * 5), rng.choice([0, 1, 2, 2]))
        if isinstance(fee, float) and fee == int(fee):
            fee = int(fee)
        ad["admin_fees"] = {"fee_amount": fee}
    else:
        for key, allowed in (("rules", big), ("normative_documents", True)):
            made = _count(rng, 3 + scale * 0.02) if allowed else 0
            pub = min(made, _count(rng, made + 1)) if made else 0
            ad[key] = {"newly_made": made, "newly_published": pub,
                       "total_published": pub + (_count(rng, 20 + scale * 0.2) if allowed else 0)}
        for key in ("admin_licensing", "other_external_services", "admin_penalty", "admin_coercion"):
            prev = _count(rng, 20 + scale * 0.3)
            change = rng.randint(-min(prev, 30), 40) if rng.random() < 0.7 else 0
            ad[key] = {"prev_year_items": prev, "change_this_year": change,
                       "decisions": _count(rng, 20 + scale * 30)}
        prev = _count(rng, 5)
        ad["admin_fees"] = {"prev_year_items": prev, "change_this_year": rng.randint(-prev, 3)}
        amount = 0 if rng.random() < 0.3 else round(rng.uniform(1, 5000 + scale * 10), rng.choice([0, 0, 1, 2]))
        if isinstance(amount, float) and amount == int(amount):
            amount = int(amount)
        ad["government_centralized_procurement"] = {"procurement_items": _count(rng, 5 + scale * 0.05),
                                                    "procurement_total_amount": amount}
    return {"active_disclosure": ad, "applications": app, "review_litigation": rl}


def _plant_error(d: Drawer, numbers) -> Optional[str]:
    rng = d.rng
    if rng.random() >= 0.1:
        return None
    if rng.random() < 0.7:
        rows = [r for r in numbers["applications"] if r not in checks.MAIN_ROWS]
        table, row = "applications", rng.choice(rows)
        col = rng.choice(T3_COLS if rng.random() < 0.2 else APPLICANTS)
    else:
        table, row = "review_litigation", rng.choice(T4_GROUPS)
        col = rng.choice(T4_COLS)
    value = numbers[table][row][col]
    delta = rng.choice([1, 2, 10, 100])
    numbers[table][row][col] = value - delta if value >= delta and rng.random() < 0.5 else value + delta
    return "%s.%s.%s" % (table, row, col)


# ---------------------------------------------------------------------------------------------
# how a value is printed

class Printer:
    """Per document: how zeros are printed per table, digit style, signs, separators."""

    def __init__(self, d: Drawer):
        rng = d.rng
        self.rng = rng
        base = d.pick("zeros", ["0", "0", "blank", "/", "-", "—", "无", "mixed"])
        self.zero = {}
        z = d.sub("zeros_per_table")
        for t in ("t2", "t3", "t4"):
            self.zero[t] = base if z.random() < 0.6 else z.choice(ZERO_STYLES + ["mixed"])
        d.v["zeros_per_table"] = dict(self.zero)
        self.mixed = z.sample(ZERO_STYLES, 3)
        self.few_blank = d.flag("zeros_a_few_blank", 0.15)  # "0 (a few blank)"
        self.fullwidth = d.pick("fullwidth_digits", ["none", "none", "none", "some", "all"])
        self.fullwidth_punct = d.flag("fullwidth_separators", 0.3 if self.fullwidth != "none" else 0.0)
        self.thousands = d.flag("thousands_sep", 0.3)
        self.plus = d.pick("plus_sign", ["none", "+", "＋"])
        self.minus = d.pick("minus_sign", ["-", "-", "－", "−"])
        self.printed = set()  # separators actually printed: "int" (1,234), "decimal" (1,234.5), "fullwidth" (１，２３４)
        self.units: Dict[str, str] = {}  # table (or "amount") -> unit printed after each number (variants.value_units)

    def zero_text(self, table: str) -> str:
        style = self.zero[table]
        if style == "mixed":
            style = self.rng.choice(self.mixed)
        if style == "0" and self.few_blank and self.rng.random() < 0.1:
            style = "blank"
        return {"0": "0", "blank": ""}.get(style, style)

    def number(self, value, signed: bool = False) -> str:
        neg = value < 0
        a = abs(value)
        text = ("{:,}" if self.thousands else "{}").format(a)
        if "," in text:
            self.printed.add("decimal" if "." in text else "int")
        if self.fullwidth == "all" or (self.fullwidth == "some" and self.rng.random() < 0.3):
            text = text.translate(FULLWIDTH)
            if self.fullwidth_punct:
                if "," in text or "." in text:
                    self.printed.add("fullwidth")
                text = text.translate(FULLWIDTH_PUNCT)
        if neg:
            text = self.minus + text
        elif signed and value > 0 and self.plus != "none":
            text = self.plus + text
        return text

    def cell(self, table: str, value, signed: bool = False, amount: bool = False) -> Tuple[str, Any]:
        """(printed text, gold value); gold is None when the cell is printed empty or as a placeholder."""
        unit = self.units.get("amount" if amount else table, "")
        if value == 0 and not isinstance(value, float):
            z = self.zero_text(table)
            if z == "0":
                return ("0".translate(FULLWIDTH) if self.fullwidth == "all" else "0") + unit, 0
            return z, None
        return self.number(value, signed) + unit, value


# ---------------------------------------------------------------------------------------------
# labels

def _t2_label(d: Drawer, row: Dict[str, Any], version: str) -> str:
    label = row["label"]
    if row["key"] == "normative_documents" and version == "2021" and d.v.get("label_no_xingzheng"):
        label = "规范性文件"
    if d.v.get("glossed_labels"):
        gloss = {"rules": "（设区的市级以上人民政府填报）", "normative_documents": "（含部门规范性文件）",
                 "other_external_services": "（指行政许可以外的政务服务事项）"}.get(row["key"])
        if gloss:
            label += gloss
    return label


def _t2_header(d: Drawer, col: Dict[str, Any], year: int) -> str:
    label = col["label"]
    if d.v.get("glossed_labels"):
        label += {"prev_year_items": "（指%d年事项数）" % (year - 1),
                  "change_this_year": "（减用负值表示，如-8）",
                  "decisions": "（指%d年办件量）" % year}.get(col["key"], "")
    if col["key"] == "procurement_total_amount" and d.v.get("procurement_unit"):
        label += "（%s）" % d.v["procurement_unit"]
    return label


def _caption(d: Drawer, item: str) -> str:
    style = d.v["caption_style"]
    num = {"1": "一", "5": "五", "6": "六", "8": "八", "9": "九"}[item]
    return {"official": "第二十条第（%s）项", "space": "第二十条 第（%s）项", "half": "第二十条第(%s)项",
            "half_2space": "第二十条  第(%s)项"}[style] % num


def _t3_label(d: Drawer, row: Dict[str, Any]) -> str:
    label = row["label"]
    key = row["key"]
    if d.v.get("t3_label_abbrev"):  # the publisher's own short forms (variants.ABBREVIATED)
        label = variants.ABBREVIATED.get(key, label)
    var = d.v["t3_label_variants"]
    if "上年转结" in var and key == "carried_over":
        label = label.replace("上年结转", "上年转结")
    if "结转下一年度" in var and key == "carried_forward":
        label = "四、结转下一年度继续办理"
    if "其它" in var:
        label = label.replace("其他", "其它")
    if "half_brackets" in var:
        label = label.replace("（", "(").replace("）", ")")
    if "straight_quotes" in var:
        label = label.replace("“", '"').replace("”", '"')
    style = d.v["t3_list_numbers"]
    if style != "1." and label[:1].isdigit() and label[1:2] == ".":
        label = label[2:] if style == "none" else label[0] + style[1] + label[2:]
    return label


def _group_label(d: Drawer, label: str) -> str:
    var = d.v["t3_label_variants"]
    if "其它" in var:
        label = label.replace("其他", "其它")
    if "half_brackets" in var:
        label = label.replace("（", "(").replace("）", ")")
    return label


# ---------------------------------------------------------------------------------------------
# tables

def _value_cell(row: int, col: int, text: str, colspan: int = 1) -> Cell:
    return Cell(row, col, [text] if text else [], colspan=colspan, kind="value")


def table2(d: Drawer, version: str, year: int, pr: Printer, numbers, gold) -> List[Any]:
    """Table 二: one table of 4 grid columns, or one table per block (captions in the table or above)."""
    rng = d.rng
    tdef = checks.template()["versions"][version]["tables"]["active_disclosure"]
    per_block = d.pick("t2_layout", ["one", "one", "per_block"]) == "per_block"
    caption_where = d.pick("t2_caption", ["row", "row", "paragraph"]) if per_block else "row"
    shaded = d.flag("t2_shaded_captions", 0.5)
    unmerged = d.flag("t2_single_unmerged", 0.3)
    extra_row = d.flag("t2_extra_row", 0.15)
    font = rng.choice([9.0, 10.0, 10.5])
    widths = [rng.uniform(2.2, 3.2), 1, 1, 1]
    out: List[Any] = []
    cells: List[Cell] = []
    r = 0

    def flush(name: str):
        nonlocal cells, r
        if cells:
            out.append(Table(n_rows=r, n_cols=4, widths=list(widths), cells=cells, name=name, font_size=font))
        cells, r = [], 0

    for block in tdef["blocks"]:
        item = block["article_item"]
        cap = _caption(d, item)
        if per_block and caption_where == "paragraph":
            out.append(Para(cap, kind="caption", align=rng.choice(["left", "center"])))
        else:
            cells.append(Cell(r, 0, [cap], colspan=4, kind="caption", shaded=shaded,
                              align=rng.choice(["left", "center"])))
            r += 1
        cols = block["columns"]
        cells.append(Cell(r, 0, [block["stub_header"]], kind="header"))
        spans = _value_spans(len(cols), unmerged)
        c = 1
        for col, span in zip(cols, spans):
            cells.append(Cell(r, c, [_t2_header(d, col, year)], colspan=span, kind="header"))
            c += span
        while c < 4:
            cells.append(Cell(r, c, [], kind="header"))
            c += 1
        r += 1
        rows = [row for row in block["rows"] if row.get("kind", "data") == "data"]
        for row in rows:
            cells.append(Cell(r, 0, [_t2_label(d, row, version)], align=rng.choice(["left", "center"])))
            c = 1
            for col, span in zip(cols, spans):
                value = numbers["active_disclosure"][row["key"]][col["key"]]
                text, g = pr.cell("t2", value, signed=col["key"] == "change_this_year",
                                  amount=col["key"] in ("fee_amount", "procurement_total_amount"))
                gold["active_disclosure"][row["key"]][col["key"]] = g
                cells.append(_value_cell(r, c, text, span))
                c += span
            while c < 4:
                cells.append(_value_cell(r, c, ""))
                c += 1
            r += 1
        if extra_row and item == "1":
            cells.append(Cell(r, 0, ["其他主动公开文件"]))
            for c in range(1, 4):
                cells.append(_value_cell(r, c, pr.cell("t2", _count(rng, 40))[0]))
            r += 1
        if per_block:
            flush("t2:" + item)
    flush("t2")
    return out


def _value_spans(n: int, unmerged: bool) -> List[int]:
    if n == 3:
        return [1, 1, 1]
    if unmerged:
        return [1] * n
    return {1: [3], 2: [1, 2]}[n]


def table3(d: Drawer, version: str, pr: Printer, numbers, gold, width_em: float) -> Table:
    rng = d.rng
    tdef = checks.template()["versions"][version]["tables"]["applications"]
    shape = d.pick("t3_shape", ["official3", "official3", "grouprows", "flat"])
    results_style = d.pick("t3_results_label", ["vertical", "wrapped", "spaced", "one_line"]) \
        if shape != "flat" else "row"
    group_style = d.pick("t3_group_label", ["vertical", "wrapped"]) if shape == "official3" else "row"
    d.v["t3_results_label"], d.v["t3_group_label"] = results_style, group_style
    header_break = d.pick("t3_header_breaks", ["none", "hard", "narrow"])
    d.flag("t3_header_repeat", 0.5)
    header_fill = d.pick("t3_header_row_values", ["empty_cells", "merged"]) if shape != "official3" else None
    total_fill = d.pick("t3_total_fill", ["all", "all", "main_rows"])
    only_total = d.flag("t3_only_total_rows", 0.2)
    font = rng.choice([8.0, 9.0, 10.0])
    d.v["t3_font"] = font

    nlab = {"official3": 3, "grouprows": 2, "flat": 1}[shape]
    val_w = {"none": rng.uniform(3.6, 5.0), "hard": rng.uniform(3.0, 4.5), "narrow": rng.uniform(2.6, 3.3)}[header_break]
    lab_w = {"official3": [rng.uniform(1.2, 2.6), rng.uniform(2.2, 4.0)], "grouprows": [rng.uniform(1.2, 2.6)],
             "flat": []}[shape]
    if results_style == "one_line":
        lab_w[0] = rng.uniform(9.5, 11.0)
    cells: List[Cell] = []
    row_keys: Dict[int, str] = {}  # grid row -> template row key (for variants.t3_extra_col)

    def head(text: str) -> List[str]:
        if header_break == "hard":
            return {"商业企业": ["商业", "企业"], "科研机构": ["科研", "机构"], "社会公益组织": ["社会公益", "组织"],
                    "法律服务机构": ["法律服务", "机构"], "法人或其他组织": ["法人或其他组织"]}.get(text, [text])
        return [text]

    other = "其它" if "其它" in d.v["t3_label_variants"] else "其他"
    corner = tdef["header"]["corner_note"]
    cells.append(Cell(0, 0, [corner], rowspan=3, colspan=nlab, kind="header"))
    cells.append(Cell(0, nlab, ["申请人情况"], colspan=7, kind="header"))
    cells.append(Cell(1, nlab, head("自然人"), rowspan=2, kind="header"))
    cells.append(Cell(1, nlab + 1, head("法人或%s组织" % other), colspan=5, kind="header"))
    cells.append(Cell(1, nlab + 6, head("总计"), rowspan=2, kind="header"))
    for j, label in enumerate(tdef["header"]["level3"]):
        cells.append(Cell(2, nlab + 1 + j, head(label.replace("其他", other)), kind="header"))
    r = 3
    rows = tdef["rows"]
    children: Dict[str, int] = {}
    for row in rows:
        if row.get("parent"):
            children[row["parent"]] = children.get(row["parent"], 0) + 1

    def results_lines() -> List[str]:
        text = _group_label(d, "三、本年度办理结果")
        if results_style == "vertical":
            return list(text)
        if results_style == "spaced":
            return [" ".join(text)]
        return [text]

    def values(r: int, key: str):
        vals = numbers["applications"][key]
        blank_row = only_total and all(vals[c] == 0 for c in APPLICANTS) and rng.random() < 0.6
        for j, c in enumerate(T3_COLS):
            if blank_row and c != "total":
                text, g = "", None
            elif c == "total" and total_fill == "main_rows" and key not in checks.MAIN_ROWS:
                text, g = "", None
            else:
                text, g = pr.cell("t3", vals[c])
            gold["applications"][key][c] = g
            cells.append(_value_cell(r, nlab + j, text))
        row_keys[r] = key

    def empty_values(r: int):
        if header_fill == "merged":
            cells.append(Cell(r, nlab, [], colspan=7, kind="value"))
        else:
            for j in range(7):
                cells.append(_value_cell(r, nlab + j, ""))

    if shape == "official3":
        result_rows = [x for x in rows if x["kind"] == "data" and x.get("parent")]
        for row in rows:
            if row["kind"] == "header":
                continue
            parent = row.get("parent")
            label = _t3_label(d, row)
            if parent is None:
                cells.append(Cell(r, 0, [label], colspan=3, align="left"))
            elif parent == "results_header":
                if row is result_rows[0]:
                    cells.append(Cell(r, 0, results_lines(), rowspan=len(result_rows)))
                cells.append(Cell(r, 1, [label], colspan=2, align="left"))
            else:
                siblings = [x for x in rows if x.get("parent") == parent]
                if row is siblings[0]:
                    glabel = _group_label(d, next(x["label"] for x in rows if x["key"] == parent))
                    glines = list(glabel) if group_style == "vertical" else [glabel]
                    cells.append(Cell(r, 1, glines, rowspan=len(siblings)))
                cells.append(Cell(r, 2, [label], align="left"))
            values(r, row["key"])
            r += 1
    else:
        zone_start = None
        for row in rows:
            parent = row.get("parent")
            label = _t3_label(d, row) if row["kind"] == "data" else _group_label(d, row["label"])
            if row["key"] == "results_header":
                if shape == "flat":
                    cells.append(Cell(r, 0, [label], align="left"))
                    empty_values(r)
                    r += 1
                else:
                    zone_start = r
                continue
            if shape == "flat" or parent is None:
                cells.append(Cell(r, 0, [label], colspan=nlab if parent is None else 1, align="left"))
            else:
                cells.append(Cell(r, 1, [label], align="left"))
            if row["kind"] == "header":
                empty_values(r)
            else:
                values(r, row["key"])
            r += 1
            if shape == "grouprows" and row["key"] == "total_processed":
                cells.append(Cell(zone_start, 0, results_lines(), rowspan=r - zone_start))
    # the value columns hold the widest printed value (a cell never breaks a number)
    widest = max(text_width(c.text, 1.0) for c in cells if c.kind == "value") + 0.8
    width_em = width_em * 9.0 / font
    val_w = max(min(val_w, (width_em - sum(lab_w) - 9.0) / 7), widest)
    rest = width_em - 7 * val_w - sum(lab_w)
    widths = lab_w + [max(rest, 9.0)] + [val_w] * 7
    t = Table(n_rows=r, n_cols=nlab + 7, widths=widths, cells=cells,
              header_rows=3, repeat_header=d.v["t3_header_repeat"], name="t3", font_size=font)
    t.row_keys = row_keys
    t.label_cols = nlab
    return t


def table4(d: Drawer, pr: Printer, numbers, gold) -> Table:
    rng = d.rng
    brk = d.pick("t4_header_breaks", ["none", "hard"])
    other = "其它" if "其它" in d.v["t3_label_variants"] else "其他"

    def lab(text: str) -> List[str]:
        text = text.replace("其他", other)
        return [text[:2], text[2:]] if brk == "hard" and len(text) == 4 else [text]

    cells = [Cell(0, 0, ["行政复议"], colspan=5, kind="header"), Cell(0, 5, ["行政诉讼"], colspan=10, kind="header")]
    names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for j, n in enumerate(names):
        cells.append(Cell(1, j, lab(n), rowspan=2, kind="header"))
    cells.append(Cell(1, 5, ["未经复议直接起诉"], colspan=5, kind="header"))
    cells.append(Cell(1, 10, ["复议后起诉"], colspan=5, kind="header"))
    for j in range(10):
        cells.append(Cell(2, 5 + j, lab(names[j % 5]), kind="header"))
    j = 0
    for g in T4_GROUPS:
        for c in T4_COLS:
            text, value = pr.cell("t4", numbers["review_litigation"][g][c])
            gold["review_litigation"][g][c] = value
            cells.append(_value_cell(3, j, text))
            j += 1
    return Table(n_rows=4, n_cols=15, widths=[1.0] * 15, cells=cells, header_rows=3, name="t4",
                 font_size=rng.choice([8.0, 9.0, 10.0]))


# ---------------------------------------------------------------------------------------------
# the document

def _issuer(d: Drawer) -> Tuple[str, str]:
    rng = d.rng
    level = d.pick("level", ["township", "county_dept", "county_gov", "city_dept", "city_gov",
                             "provincial_dept", "provincial_gov"])
    prov, city, county, town = rng.choice(PROVINCES), rng.choice(CITIES), rng.choice(COUNTIES), rng.choice(TOWNS)
    issuer = {"township": county + town + "人民政府", "county_dept": county + rng.choice(DEPTS),
              "county_gov": county + "人民政府", "city_dept": city + rng.choice(DEPTS),
              "city_gov": city + "人民政府", "provincial_dept": prov + rng.choice(PROV_DEPTS),
              "provincial_gov": prov + "人民政府"}[level]
    if level == "township" and "街道" in town:
        issuer = county + town + "办事处"
    return level, issuer


def _title(d: Drawer, issuer: str, year: int) -> List[str]:
    style = d.pick("title", ["plain", "plain", "guanyu", "year_first", "niandu", "short"])
    text = {"plain": "%s%d年政府信息公开工作年度报告" % (issuer, year),
            "guanyu": "%s关于%d年度政府信息公开工作的年度报告" % (issuer, year),
            "year_first": "%d年%s政府信息公开工作年度报告" % (year, issuer),
            "niandu": "%s%d年度政府信息公开工作年度报告" % (issuer, year),
            "short": "%s%d年政府信息公开年报" % (issuer, year)}[style]
    split = d.pick("title_lines", ["one", "one", "two", "two_blank"])
    if split == "one":
        return [text]
    cut = text.index(str(year)) if style != "year_first" else text.index(issuer) + len(issuer)
    if cut <= 0:
        cut = len(issuer)
    return [text[:cut], text[cut:]] if split == "two" else [text[:cut], "", text[cut:]]


def _headings(d: Drawer, version: str) -> List[str]:
    sections = checks.template()["versions"][version]["sections"]
    alt = d.flag("alt_headings", 0.4)
    out = []
    for s in sections:
        options = [s["title"]] + [v for v in s.get("variants", []) if _simplified(v)]
        out.append(d.rng.choice(options) if alt else s["title"])
    d.v["headings"] = [h for h, s in zip(out, sections) if h != s["title"]]
    return out


def _simplified(text: str) -> bool:
    return not any(ch in text for ch in "開況處複議訴訟資訊問題進報須項體動")


PROSE = [
    "本年度，{issuer}坚持以公开为常态、不公开为例外，全年主动公开政府信息{n1}条，其中通过政府网站发布{n2}条。",
    "围绕重点领域信息公开，发布政策解读{n3}篇，回应社会关切{n4}次，召开新闻发布会{n5}场。",
    "依申请公开方面，严格落实受理、审查、答复等环节要求，全部在法定期限内办结。",
    "政府信息管理方面，开展规范性文件清理，完成{n6}件文件的公开属性审查。",
    "平台建设方面，持续优化门户网站栏目设置，全年网站访问量达{n7}万人次。",
    "监督保障方面，将政务公开纳入年度绩效考核，组织业务培训{n5}次，参训人员{n8}人次。",
]
PROBLEMS = [
    "一是公开内容的针对性仍需加强；二是政策解读形式较为单一；三是工作人员业务水平有待提高。",
    "下一步，将进一步完善工作机制，加强培训指导，提升公开质量和实效。",
]
OTHER = [
    "本年度未收取信息处理费。",
    "本年度共收取信息处理费{n9}元。",
    "无其他需要报告的事项。",
]


def _fill(d: Drawer, text: str, issuer: str) -> str:
    r = d.rng
    return text.format(issuer=issuer, n1=r.randint(50, 9000), n2=r.randint(20, 5000), n3=r.randint(1, 90),
                       n4=r.randint(1, 60), n5=r.randint(1, 12), n6=r.randint(1, 80), n7=r.randint(1, 900),
                       n8=r.randint(10, 600), n9=r.randint(10, 900))


def draw(seed: int) -> Document:
    d = Drawer(seed)
    rng = d.rng
    version = d.pick("template", ["2021", "2021", "2019"])
    year = rng.choice([2019, 2020]) if version == "2019" else rng.randint(2021, 2025)
    d.v["year"] = year
    level, issuer = _issuer(d)
    numbers = _numbers(d, version, level)
    planted = _plant_error(d, numbers)
    d.v["planted"] = planted
    pr = Printer(d)
    pr.units = variants.value_units(d)
    d.v["label_no_xingzheng"] = version == "2021" and d.sub("label_no_xingzheng").random() < 0.15
    d.flag("glossed_labels", 0.15)
    d.v["procurement_unit"] = d.sub("procurement_unit").choice([None, "万元", "元"]) if version == "2019" else None
    d.pick("caption_style", ["official", "official", "space", "half", "half_2space"])
    lv = d.sub("t3_label_variants")
    var = [x for x in ["上年转结", "结转下一年度", "其它", "half_brackets", "straight_quotes"] if lv.random() < 0.12]
    d.v["t3_label_variants"] = var
    d.pick("t3_list_numbers", ["1.", "1.", "1.", "1、", "1．", "none"])
    d.flag("t3_label_abbrev", 0.15)

    gold = {t: {r: dict.fromkeys(c) for r, c in numbers[t].items()} for t in numbers}
    for t in numbers:
        for r, cols in numbers[t].items():
            for c in cols:
                gold[t][r][c] = None

    landscape = d.flag("landscape_t3_t4", 0.25)
    t3_new_page = d.flag("t3_new_page", 0.3)
    width_em = (842 - 2 * 60) / 9.0 if landscape else (595 - 2 * 60) / 9.0

    title = _title(d, issuer, year)
    heads = _headings(d, version)
    blocks: List[Any] = [Para("\n".join(title), kind="title", align="center")]
    blocks.append(Para(_fill(d, "根据《中华人民共和国政府信息公开条例》规定，现公布{issuer}%d年政府信息公开工作年度报告。"
                              "本报告中所列数据的统计期限自%d年1月1日起至%d年12月31日止。" % (year, year, year), issuer)))
    blocks.append(Para(heads[0], kind="heading"))
    for i, sub in enumerate(["（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）平台建设", "（五）监督保障"]):
        if rng.random() < 0.5:
            blocks.append(Para(sub, kind="subheading"))
        blocks.append(Para(_fill(d, PROSE[min(i, len(PROSE) - 1)] + PROSE[(i + 1) % len(PROSE)], issuer)))
    lead = d.flag("table_lead_in", 0.2)
    blocks.append(Para(heads[1], kind="heading"))
    if lead:
        blocks.append(Para("该部分以表格形式报告。表格如下："))
    blocks.extend(table2(d, version, year, pr, numbers, gold))
    if landscape:
        blocks.append(PageBreak(landscape=True))
    elif t3_new_page:
        blocks.append(PageBreak())
    blocks.append(Para(heads[2], kind="heading"))
    if lead:
        blocks.append(Para("该部分以表格形式报告。表格如下："))
    t3 = table3(d, version, pr, numbers, gold, width_em)
    variants.t3_extra_col(d, t3, pr, gold)
    variants.t3_column_order(d, t3)
    t3_blocks = variants.t3_split(d, t3)
    blocks.extend(t3_blocks)
    variants.table_note(d, year, t3_blocks[-1], blocks, "t3")
    blocks.append(Para(heads[3], kind="heading"))
    t4 = table4(d, pr, numbers, gold)
    t4_blocks = variants.t4_layout(d, pr, numbers, gold, T4_GROUPS, T4_COLS, t4.font_size) or [t4]
    blocks.extend(t4_blocks)
    variants.table_note(d, year, t4_blocks[-1], blocks, "t4")
    variants.merged_cells(d, [b for b in blocks if isinstance(b, Table)])
    if landscape:
        blocks.append(PageBreak(landscape=False))
    blocks.append(Para(heads[4], kind="heading"))
    for p in PROBLEMS:
        blocks.append(Para(p))
    blocks.append(Para(heads[5], kind="heading"))
    blocks.append(Para(_fill(d, rng.choice(OTHER), issuer)))
    blocks.append(Para(issuer, kind="sign", align="right"))
    blocks.append(Para("%d年%d月%d日" % (year + 1, rng.randint(1, 3), rng.randint(1, 28)), kind="sign", align="right"))

    d.v["separators_printed"] = sorted(pr.printed) or ["none"]
    running = d.pick("running_header", ["none", "none", "title", "issuer"])
    page_numbers = d.pick("page_numbers", ["none", "dash", "dash", "dash_tight", "of", "plain", "slash"])
    failures = checks.failing_checks(gold, version)
    assert bool(failures) == bool(planted) or planted, (seed, failures)
    truth = {"file": None, "report": {"issuer": issuer, "year": year, "template": version},
             "tables": gold, "source_check_failures": failures}
    return Document(blocks=blocks, truth=truth, variant=d.v,
                    running_header={"none": None, "title": "".join(title), "issuer": issuer}[running],
                    page_numbers=page_numbers, seed=seed, body_font_size=rng.choice([10.5, 12.0, 12.0]))
