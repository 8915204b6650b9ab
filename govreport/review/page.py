"""The review page: one self-contained, offline HTML file (inline CSS and script, images as data: URIs,
a Content-Security-Policy that forbids every network request), readable on screen and printed on A4.

The three tables are laid out as the official form (from the template), each cell coloured by its status;
its raw text, page and checks show on hover (title) and on click (the detail panel). Failed checks are
listed with their formula, both sides and their cells highlighted; the findings follow; for a PDF, the
page region of each flagged cell is rendered with PDFium (``pypdfium2``; skipped, saying so, where it is absent).
"""

from __future__ import annotations

import base64
import html
import logging
import struct
import zlib
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..template import TableDef, load_template

log = logging.getLogger(__name__)

STATUSES = ("ok", "inferred", "suspect", "ambiguous", "missing", "blank", "placeholder")
STATUS_ZH = {"ok": "读取无误", "inferred": "由校验推定", "suspect": "存疑", "ambiguous": "多种读法",
             "missing": "未能读取", "blank": "空白", "placeholder": "占位符"}
MARK = {"inferred": "推", "suspect": "疑", "ambiguous": "歧", "missing": "缺", "blank": "空", "placeholder": "占"}
FLAGGED = ("inferred", "suspect", "ambiguous", "missing")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
TABLE_ORDER = ("active_disclosure", "applications", "review_litigation")
MAX_IMAGES = 60
IMAGE_SCALE = 2.0  # pixels per PDF point (144 dpi)
IMAGE_MARGIN = (90.0, 16.0)  # points of context around the cell, horizontally and vertically

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",
 "SimSun",sans-serif;font-size:13px;color:#111;margin:16px auto;max-width:1180px;padding:0 12px;line-height:1.45}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px;border-bottom:2px solid #333;padding-bottom:2px}
.meta{color:#444;margin:2px 0}.meta code{font-size:11px}
.summary span{display:inline-block;margin:2px 10px 2px 0}
.legend span{display:inline-block;margin:2px 8px 2px 0;padding:1px 6px;border:1px solid #999}
table.form{border-collapse:collapse;width:100%;margin:6px 0 12px;table-layout:auto}
table.form th,table.form td{border:1px solid #555;padding:2px 4px;vertical-align:middle}
table.form th{font-weight:normal;background:#fafafa;text-align:left}
table.form thead th,table.form th.colhead{text-align:center;font-weight:bold}
table.form th.caption{background:#eee;font-weight:bold;text-align:left}
table.form th.vlabel{writing-mode:vertical-rl;text-align:center;letter-spacing:2px;width:1.8em}
table.form th.corner{font-size:11px;font-weight:normal;color:#333;max-width:260px}
td.v{text-align:right;min-width:3.2em;position:relative;cursor:pointer;font-variant-numeric:tabular-nums}
td.v[data-mark]::after{content:attr(data-mark);position:absolute;left:2px;top:0;font-size:9px;color:#333}
.st-ok{background:#fff}.st-inferred{background:#cfe3ff}.st-suspect{background:#ffc98a}
.st-ambiguous{background:#fff07a}.st-missing{background:#d5d5d5;color:#555}.st-blank{background:#f1f1f1}
.st-placeholder{background:#e6dcff}
td.v.chk{outline:3px solid #d10000;outline-offset:-3px;font-weight:bold}
td.v.flag{box-shadow:inset 0 -3px 0 #7a00c2}
td.v.hl{outline:3px solid #0060df;outline-offset:-3px}
ol.checks li{margin:4px 0 10px}ol.checks code{font-size:11px;word-break:break-all;color:#333}
.side{font-weight:bold;color:#b00000}
a.ref{font-family:monospace;font-size:11px;text-decoration:none;color:#0645ad;border-bottom:1px dotted}
table.list{border-collapse:collapse;width:100%}table.list td:first-child{white-space:nowrap}
table.list tr{break-inside:avoid}table.list th,table.list td{border:1px solid #bbb;padding:3px 5px;
 vertical-align:top;text-align:left}table.list th{background:#eee}
.sev-error{color:#b00000;font-weight:bold}.sev-warning{color:#9a5b00;font-weight:bold}.sev-info{color:#345}
figure.crop{display:inline-block;margin:4px 8px 8px 0;border:1px solid #aaa;padding:3px;vertical-align:top;
 break-inside:avoid}
figure.crop img{display:block;max-width:100%}figure.crop figcaption{font-size:11px;max-width:230px;word-break:break-all}
#detail{position:fixed;right:12px;bottom:12px;width:330px;max-height:60vh;overflow:auto;background:#fff;
 border:2px solid #333;padding:8px;box-shadow:0 2px 10px rgba(0,0,0,.3);font-size:12px;display:none}
#detail.open{display:block}#detail button{float:right}
.note{color:#555;font-size:12px}
@page{size:A4 portrait;margin:10mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}#detail{display:none!important}
 table.form{font-size:8pt;page-break-inside:auto}table.form tr{page-break-inside:avoid}
 h2{page-break-after:avoid}a.ref{color:#000;border:0}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

_SCRIPT = """
(function(){
  var panel=document.getElementById('detail'), body=document.getElementById('detail-body');
  var ESC={'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'};
  function esc(s){return String(s).replace(/[&<>"]/g,function(c){return ESC[c];});}
  function show(td){
    var d=td.dataset, h='<b>'+esc(d.label||d.ref)+'</b><br><code>'+esc(d.ref)+'</code>';
    h+='<br>值 value: '+esc(d.value||'—')+'<br>状态 status: '+esc(d.status);
    h+='<br>原文 raw: '+(d.raw!==undefined?'<code>'+esc(JSON.stringify(d.raw))+'</code>':'—');
    h+='<br>页码 page: '+esc(d.page||'—');
    if(d.candidates){h+='<br>候选 candidates: '+esc(d.candidates);}
    if(d.checks){h+='<br>校验 checks: '+esc(d.checks);}
    if(d.issues){h+='<br>问题 issues: '+esc(d.issues);}
    var img=document.getElementById('img-'+d.ref);
    if(img){h+='<br><img style="max-width:100%" src="'+img.querySelector('img').src+'">';}
    body.innerHTML=h; panel.className='open';
  }
  document.querySelectorAll('td.v').forEach(function(td){td.addEventListener('click',function(){show(td);});});
  document.getElementById('detail-close').addEventListener('click',function(){panel.className='';});
  document.querySelectorAll('[data-cells]').forEach(function(el){
    var refs=el.getAttribute('data-cells').split(' ');
    function set(on){refs.forEach(function(r){var c=document.getElementById('cell-'+r);
      if(c){c.classList.toggle('hl',on);}});}
    el.addEventListener('mouseenter',function(){set(true);});
    el.addEventListener('mouseleave',function(){set(false);});
  });
  if(location.hash.indexOf('#detail=')===0){  // a link to one cell's details: review.html#detail=<ref>
    var td=document.getElementById('cell-'+decodeURIComponent(location.hash.slice(8)));
    if(td){show(td);}
  }
  document.body.setAttribute('data-ready','1');
})();
"""


def _e(s: Any) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class _Context:
    def __init__(self, report, findings: Sequence[Dict[str, Any]], images: Dict[str, str]):
        self.report = report
        self.images = images
        self.failed = [c for c in report.checks if c.status == "fail"]
        self.hard_cells = {r for c in self.failed if c.severity == "hard" for r in c.cells}
        self.checks_of: Dict[str, List[str]] = {}
        for c in self.failed:
            for r in c.cells:
                self.checks_of.setdefault(r, []).append(c.id)
        self.finding_cells = {r for f in findings for r in f.get("cells", []) if r.count(".") == 2
                              and f["code"] not in ("cells_blank", "cells_placeholder")}
        self.issues_of: Dict[str, List[str]] = {}
        for i in report.issues:
            if i.cell:
                self.issues_of.setdefault(i.cell, []).append(i.code)
        t = load_template()
        self.version = t.versions.get(report.report.template) or t.versions[t.default_version]

    def label(self, ref: str) -> str:
        return cell_label(ref, self.report.report.template)

    def td(self, ref: str, colspan: int = 1) -> str:
        cell = self.report.cells.get(ref)
        status = cell.status if cell is not None else "missing"
        value = self.report.value(ref)
        shown = _fmt(value)
        if status == "placeholder" and cell is not None and cell.raw:
            shown = cell.raw
        elif status == "missing":
            shown = "?"
        classes = ["v", f"st-{status}"]
        if ref in self.hard_cells:
            classes.append("chk")
        if ref in self.finding_cells:
            classes.append("flag")
        raw = cell.raw if cell is not None else None
        page = cell.page if cell is not None else None
        title = [self.label(ref), f"状态 {STATUS_ZH.get(status, status)} ({status})",
                 f"原文 {raw!r}" if raw is not None else "原文 —", f"第 {page} 页" if page else "页码 —"]
        attrs = {"id": f"cell-{ref}", "class": " ".join(classes), "data-ref": ref, "data-status": status,
                 "data-value": _fmt(value), "data-label": self.label(ref), "data-page": page or ""}
        if raw is not None:
            attrs["data-raw"] = raw
        if cell is not None and cell.candidates:
            attrs["data-candidates"] = ", ".join("null" if c is None else _fmt(c) for c in cell.candidates)
            title.append("候选 " + attrs["data-candidates"])
        if ref in self.checks_of:
            attrs["data-checks"] = " ".join(self.checks_of[ref])
            title.append("未通过 " + attrs["data-checks"])
        if ref in self.issues_of:
            attrs["data-issues"] = " ".join(self.issues_of[ref])
        if status in MARK:
            attrs["data-mark"] = MARK[status]
        attrs["title"] = " · ".join(title)
        span = f' colspan="{colspan}"' if colspan > 1 else ""
        return "<td" + span + "".join(f' {k}="{_e(v)}"' for k, v in attrs.items()) + f">{_e(shown)}</td>"


def cell_label(ref: str, version: str) -> str:
    """``行 · 列`` as printed on the form (the ref itself when the template has no such cell)."""
    table, row, col = (ref.split(".") + ["", ""])[:3]
    versions = load_template().versions
    for v in ([versions[version]] if version in versions else []) + list(versions.values()):
        t = v.tables.get(table)
        if t is None:
            continue
        for r in t.rows:
            if r.key == row:
                for c in r.columns:
                    if c.key == col:
                        return f"{r.label} · {c.label}"
                if not col:
                    return r.label
    return ref


# --- the three tables ----------------------------------------------------------------------------------

def _table2(ctx: _Context, t: TableDef) -> str:
    blocks: List[Tuple[str, list]] = []
    for r in t.data_rows:
        if not blocks or blocks[-1][0] != r.block:
            blocks.append((r.block or "", []))
        blocks[-1][1].append(r)
    width = max(len(r.columns) for r in t.data_rows)
    out = ['<table class="form" id="table-active_disclosure">']
    for caption, rows in blocks:
        cols = rows[0].columns
        spans = [1] * len(cols)
        spans[-1] += width - len(cols)
        out.append(f'<tr><th class="caption" colspan="{width + 1}">{_e(caption)}</th></tr>')
        stub = next((b.stub_header for b in t.blocks if b.caption == caption), "")
        out.append(f'<tr><th class="colhead">{_e(stub)}</th>' + "".join(
            f'<th class="colhead"{_colspan(s)}>{_e(c.label)}</th>' for c, s in zip(cols, spans, strict=True)) + "</tr>")
        for r in rows:
            out.append(f'<tr><th>{_e(r.label)}</th>' + "".join(
                ctx.td(f"{t.key}.{r.key}.{c.key}", s) for c, s in zip(r.columns, spans, strict=False)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _colspan(n: int) -> str:
    return f' colspan="{n}"' if n > 1 else ""


def _rowspan(n: int) -> str:
    return f' rowspan="{n}"' if n > 1 else ""


def _table3_header(t: TableDef) -> List[str]:
    """Table 三's printed header (the template's ``header``): the corner note, then the applicant header
    over the columns, with the group (法人或其他组织) over its columns."""
    cols = t.data_rows[0].columns
    corner = _e(t.header.corner_note[0] if t.header.corner_note else "")
    levels = t.header.levels
    group = next((c for c in levels[1] if c.spans), None) if len(levels) > 1 and levels[0] else None
    if group is None or len(cols) != 7:
        return [f'<tr><th class="corner" colspan="3">{corner}</th>'
                + "".join(f"<th>{_e(c.label)}</th>" for c in cols) + "</tr>"]
    top = levels[0][0]
    return [f'<tr><th class="corner" colspan="3" rowspan="3">{corner}</th>'
            f'<th colspan="{len(top.spans)}">{_e(top.label)}</th></tr>',
            f'<tr><th rowspan="2">{_e(cols[0].label)}</th><th colspan="{len(group.spans)}">{_e(group.label)}</th>'
            f'<th rowspan="2">{_e(cols[-1].label)}</th></tr>',
            "<tr>" + "".join(f"<th>{_e(c.label)}</th>" for c in cols[1:6]) + "</tr>"]


def _other_row_at(rows: List[Tuple[str, str, List[str]]], t: TableDef, key: str) -> int:
    """Where a row of another template version goes: before the first of this table's rows that follows it
    in that version (（六）其他处理 of 2019: before （七）总计); at the end when none does."""
    for v in load_template().versions.values():
        other = [r.key for r in v.tables[t.key].rows] if t.key in v.tables and v.key != t.version else []
        if key in other:
            after = set(other[other.index(key) + 1:])
            return next((i for i, (k, _, _) in enumerate(rows) if k in after), len(rows))
    return len(rows)


def _table3(ctx: _Context, t: TableDef) -> str:
    cols = t.data_rows[0].columns
    out = ['<table class="form" id="table-applications"><thead>']
    out += _table3_header(t)
    out.append("</thead><tbody>")
    by_key = {r.key: r for r in t.rows}

    def ancestors(parent: Optional[str]) -> List[str]:
        chain: List[str] = []
        while parent:
            chain.insert(0, parent)
            parent = by_key[parent].parent if parent in by_key else None
        return chain

    rows: List[Tuple[str, str, List[str]]] = [(r.key, r.label, ancestors(r.parent)) for r in t.data_rows]
    known = {r.key for r in t.rows}
    extra = [k for k in ctx.report.tables.get(t.key, {}) if k not in known]
    for k in extra:  # a row of the other template (e.g. one （六）其他处理 row): inside the results, before （七）
        at = _other_row_at(rows, t, k)
        results = next((a[0] for _, _, a in rows if a), None)
        rows.insert(at, (k, cell_label(f"{t.key}.{k}", "") + "（另一版本的行）", [results] if results else []))
    seen: set = set()
    for key, label, chain in rows:
        cells = []
        for a in chain:
            if a in seen:
                continue
            seen.add(a)
            n = sum(1 for _, _, c in rows if a in c)
            cls = "vlabel" if by_key.get(a) is not None and by_key[a].parent is None else ""
            cells.append(f'<th{_rowspan(n)} class="{cls}">{_e(by_key[a].label if a in by_key else a)}</th>')
        cells.append(f"<th{_colspan(3 - len(chain))}>{_e(label)}</th>")
        row_cols = by_key[key].columns if key in by_key else cols
        out.append("<tr>" + "".join(cells) + "".join(ctx.td(f"{t.key}.{key}.{c.key}") for c in row_cols) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _table4(ctx: _Context, t: TableDef) -> str:
    rows = t.data_rows
    first, rest = rows[0], rows[1:]
    n = len(first.columns)
    out = ['<table class="form" id="table-review_litigation"><thead>']
    out.append(f'<tr><th colspan="{n}">{_e(first.label)}</th>'
               + (f'<th colspan="{n * len(rest)}">{_e(rest[0].label.split("·")[0])}</th>' if rest else "")
               + "</tr>")
    out.append("<tr>" + "".join(f'<th rowspan="2">{_e(c.label)}</th>' for c in first.columns)
               + "".join(f'<th colspan="{len(r.columns)}">{_e(r.label.split("·")[-1])}</th>' for r in rest)
               + "</tr>")
    out.append("<tr>" + "".join(f"<th>{_e(c.label)}</th>" for r in rest for c in r.columns) + "</tr>")
    out.append("</thead><tbody><tr>")
    order = list(t.text_order) or [f"{r.key}.{c.key}" for r in rows for c in r.columns]
    out.append("".join(ctx.td(f"{t.key}.{rc}") for rc in order))
    out.append("</tr></tbody></table>")
    return "\n".join(out)


def _tables(ctx: _Context) -> str:
    out = []
    for key, render in (("active_disclosure", _table2), ("applications", _table3),
                        ("review_litigation", _table4)):
        t = ctx.version.tables[key]
        version = ctx.report.report.table_templates.get(key)
        if version and version != ctx.version.key and version in load_template().versions:
            t = load_template().versions[version].tables[key]
        out.append(f'<h2 id="h-{key}">{_e(t.title)}</h2>')
        out.append(render(ctx, t))
    return "\n".join(out)


# --- checks, findings, images ----------------------------------------------------------------------------

def _checks(ctx: _Context) -> str:
    if not ctx.failed:
        return '<h2 id="checks">未通过的校验 Failed checks</h2><p id="no-failed-checks">所有可评估的校验均通过。</p>'
    out = ['<h2 id="checks">未通过的校验 Failed checks</h2><ol class="checks">']
    for c in sorted(ctx.failed, key=lambda c: c.severity != "hard"):
        kind = "硬性校验 hard" if c.severity == "hard" else "合理性校验 soft"
        diff = None if c.lhs is None or c.rhs is None else c.lhs - c.rhs
        cells = "；".join(f'<a class="ref" href="#cell-{_e(r)}" title="{_e(r)}">{_e(ctx.label(r))}</a> = '
                          f"<b>{_e(_fmt(ctx.report.value(r)) or '空')}</b>" for r in c.cells)
        out.append(
            f'<li class="check" id="check-{_e(c.id)}" data-check="{_e(c.id)}" data-cells="{_e(" ".join(c.cells))}">'
            f"<b>{_e(c.id)}</b> ({kind})<br><code>{_e(c.expr)}</code><br>"
            f'左边 <span class="side lhs">{_e(_fmt(c.lhs))}</span> ≠ 右边 <span class="side rhs">{_e(_fmt(c.rhs))}</span>'
            + (f"（差 {_e(_fmt(diff))}）" if diff is not None else "")
            + (f'<br><span class="note">{_e(c.note)}</span>' if c.note else "")
            + f"<br>{cells}</li>")
    out.append("</ol>")
    return "\n".join(out)


def _findings(findings: Sequence[Dict[str, Any]], ctx: _Context) -> str:
    out = ['<h2 id="findings">审阅发现 Findings</h2>']
    if not findings:
        out.append('<p id="no-findings">没有发现。</p>')
        return "\n".join(out)
    out.append('<table class="list" id="findings-table"><tr><th>级别</th><th>代码 code</th><th>说明</th>'
               "<th>涉及单元格</th></tr>")
    for f in findings:
        refs = f.get("cells", [])
        links = " ".join(f'<a class="ref" href="#cell-{_e(r)}">{_e(r)}</a>' for r in refs[:8]
                         if r.count(".") == 2) + (" …" if len(refs) > 8 else "")
        sev = f["severity"]
        out.append(f'<tr class="finding" data-code="{_e(f["code"])}" data-cells="{_e(" ".join(refs))}">'
                   f'<td class="sev-{_e(sev)}">{_e(SEVERITY_ZH.get(sev, sev))}</td><td><code>{_e(f["code"])}'
                   f"</code></td><td>{_e(f['message'])}</td><td>{links}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _issues(report) -> str:
    codes = ("cell_inferred", "cell_ambiguous", "cell_missing", "cell_suspect", "row_placed_by_order",
             "ocr_low_confidence", "recovery_note", "reader_note", "table_not_found", "ocr_needed", "ocr_page",
             "budget_reached", "number_too_long")
    rows = [i for i in report.issues if i.code in codes]
    if not rows:
        return ""
    out = ['<h2 id="extraction">读取说明 How the cells were read</h2>'
           '<table class="list" id="issues-table"><tr><th>级别</th><th>代码</th><th>单元格</th><th>说明</th></tr>']
    for i in rows:
        link = f'<a class="ref" href="#cell-{_e(i.cell)}">{_e(i.cell)}</a>' if i.cell else ""
        out.append(f'<tr><td class="sev-{_e(i.level)}">{_e(SEVERITY_ZH.get(i.level, i.level))}</td>'
                   f"<td><code>{_e(i.code)}</code></td><td>{link}</td><td>{_e(i.message)}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def flagged_cells(report, findings: Sequence[Dict[str, Any]]) -> List[str]:
    """Cells a reviewer should see printed: not read with certainty, in a failed hard check, or named by a
    finding (in the order of the form)."""
    failed = [r for c in report.checks if c.status == "fail" and c.severity == "hard" for r in c.cells]
    named = [r for f in findings for r in f.get("cells", []) if f["code"] not in ("cells_blank", "cells_placeholder")]
    rest = [ref for ref, c in report.cells.items() if c.status in FLAGGED]
    out: List[str] = []
    for ref in failed + named + rest:  # the failed checks' cells first
        if ref in report.cells and ref not in out:
            out.append(ref)
    return out


def _png(rgb) -> bytes:
    """A PNG of an H×W×3 uint8 array (stdlib zlib; no imaging library needed)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def page_images(path: str, report, refs: Iterable[str], limit: int = MAX_IMAGES) -> Dict[str, str]:
    """``ref -> data:image/png`` of the page region around each cell that has a page and a box (PDF input),
    the cell outlined in red. Empty without pypdfium2, or when the PDF cannot be opened."""
    try:
        import numpy as np
        import pypdfium2 as pdfium
    except ImportError:
        return {}
    wanted = [(r, report.cells[r]) for r in refs if r in report.cells and report.cells[r].page
              and report.cells[r].bbox][:limit]
    if not wanted:
        return {}
    out: Dict[str, str] = {}
    try:
        pdf = pdfium.PdfDocument(path)
    except Exception:  # noqa: BLE001 - no images is better than no page
        log.debug("cannot open %s for page images", path, exc_info=True)
        return {}
    try:
        pages: Dict[int, Any] = {}
        for ref, cell in wanted:
            try:
                if cell.page not in pages:
                    page = pdf[cell.page - 1]
                    w, h = page.get_size()
                    bitmap = page.render(scale=IMAGE_SCALE)
                    arr = bitmap.to_numpy()
                    if arr.ndim == 3 and arr.shape[2] >= 3:
                        arr = arr[:, :, 2::-1] if bitmap.mode in ("BGR", "BGRA", "BGRX") else arr[:, :, :3]
                    else:
                        arr = np.repeat(arr.reshape(arr.shape[0], arr.shape[1], 1), 3, axis=2)
                    pages[cell.page] = (np.ascontiguousarray(arr), w, h)
                arr, w, h = pages[cell.page]
                x0, top, x1, bottom = cell.bbox
                mx, my = IMAGE_MARGIN
                s = IMAGE_SCALE
                L, T = int(max(0, x0 - mx) * s), int(max(0, top - my) * s)
                R, B = int(min(w, x1 + mx) * s), int(min(h, bottom + my) * s)
                crop = arr[T:B, L:R].copy()
                bx0, by0 = int(x0 * s) - L, int(top * s) - T
                bx1, by1 = int(x1 * s) - L, int(bottom * s) - T
                red = np.array([220, 0, 0], dtype=crop.dtype)
                for d in range(3):  # a 3-pixel red frame around the cell
                    crop[max(0, by0 + d), max(0, bx0):bx1] = red
                    crop[min(crop.shape[0] - 1, by1 - d), max(0, bx0):bx1] = red
                    crop[max(0, by0):by1, max(0, bx0 + d)] = red
                    crop[max(0, by0):by1, min(crop.shape[1] - 1, bx1 - d)] = red
                out[ref] = "data:image/png;base64," + base64.b64encode(_png(crop)).decode("ascii")
            except Exception:  # noqa: BLE001
                log.debug("page image of %s failed", ref, exc_info=True)
    finally:
        pdf.close()
    return out


def _images(ctx: _Context, refs: Sequence[str], note: Optional[str]) -> str:
    out = ['<h2 id="images">页面截图 The printed cells</h2>']
    if note:
        out.append(f'<p class="note" id="images-note">{_e(note)}</p>')
    for ref in refs:
        uri = ctx.images.get(ref)
        if not uri:
            continue
        cell = ctx.report.cells[ref]
        out.append(f'<figure class="crop" id="img-{_e(ref)}" data-ref="{_e(ref)}"><img alt="{_e(ref)}" '
                   f'src="{uri}" style="width:{_e(_img_width(uri))}px"><figcaption><a class="ref" '
                   f'href="#cell-{_e(ref)}">{_e(ref)}</a><br>{_e(ctx.label(ref))}<br>第 {cell.page} 页 · 读作 '
                   f"{_e(_fmt(ctx.report.value(ref)) or '—')} · {_e(STATUS_ZH.get(cell.status, cell.status))}"
                   "</figcaption></figure>")
    return "\n".join(out)


def _img_width(uri: str) -> int:
    data = base64.b64decode(uri.split(",", 1)[1][:44])
    return int(struct.unpack(">I", data[16:20])[0] / IMAGE_SCALE)


# --- compare -------------------------------------------------------------------------------------------

def compare_html(comparison: Dict[str, Any]) -> str:
    """The comparison's chain checks, section similarity and changed cells (a section of either page)."""
    o, n = comparison["old"], comparison["new"]
    out = [f'<h2 id="compare">与上年比较 {_e(o.get("year"))} → {_e(n.get("year"))}</h2>',
           f'<p class="meta">上年 previous: <code>{_e(o.get("path"))}</code> ({_e(o.get("issuer"))})</p>']
    meta = [m for m in comparison["metadata"] if m["changed"]]
    if meta:
        out.append("<p>" + "; ".join(f"{_e(m['field'])}: {_e(m['old'])} → {_e(m['new'])}" for m in meta) + "</p>")
    out.append('<h3>跨年度校验 Cross-year checks</h3><table class="list" id="chain-checks"><tr><th>check</th>'
               "<th>status</th><th>lhs</th><th>rhs</th><th>note</th></tr>")
    for c in comparison["chain_checks"]:
        out.append(f'<tr class="chain st-{_e(c["status"])}" data-check="{_e(c["id"])}"><td><code>{_e(c["id"])}'
                   f'</code></td><td>{_e(c["status"])}</td><td>{_e(_fmt(c["lhs"]))}</td><td>{_e(_fmt(c["rhs"]))}</td>'
                   f'<td>{_e(c["note"] or "")}</td></tr>')
    out.append("</table><h3>文字相似度 Section similarity</h3><table class=\"list\" id=\"similarity\"><tr><th>"
               "section</th><th>similarity</th><th>copied</th><th>note</th></tr>")
    for s in comparison["sections"]:
        sim = "—" if s["similarity"] is None else f"{s['similarity']:.0%}"
        out.append(f'<tr data-section="{s["number"]}"><td>{_e(s["title"])}</td><td>{sim}</td>'
                   f'<td>{"是 yes" if s["copied"] else ""}</td><td>{_e(s["note"] or "")}</td></tr>')
    out.append("</table>")
    changed = [c for c in comparison["cells"] if c["old"] != c["new"]]
    out.append(f"<details><summary>单元格变化 {len(changed)} changed cells of {len(comparison['cells'])}</summary>"
               '<table class="list" id="cell-changes"><tr><th>cell</th><th>上年</th><th>本年</th><th>变化</th>'
               "<th>%</th></tr>")
    for c in changed:
        rel = "" if c["relative"] is None else f"{c['relative']:+.0%}"
        out.append(f'<tr data-ref="{_e(c["ref"])}"><td title="{_e(c["ref"])}">{_e(c["label"])}</td>'
                   f'<td>{_e(_fmt(c["old"]))}</td><td>{_e(_fmt(c["new"]))}</td>'
                   f'<td>{_e(_fmt(c["change"]))}</td><td>{rel}</td></tr>')
    out.append("</table></details>")
    return "\n".join(out)


# --- the page ------------------------------------------------------------------------------------------

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def render(report, review: Dict[str, Any], *, images: bool = True) -> str:
    """The review page of ``report`` (``review``: :func:`govreport.review.review`'s data) as HTML text."""
    findings = review["findings"]
    refs = flagged_cells(report, findings)
    pics: Dict[str, str] = {}
    note = None
    if report.source.format == "pdf" and images:
        pics = page_images(report.source.path, report, refs)
        if not pics and refs:
            try:
                import pypdfium2  # noqa: F401
            except ImportError:
                note = "页面截图需要 pypdfium2（page images need pypdfium2: pip install pypdfium2）"
    ctx = _Context(report, findings, pics)
    meta = report.report
    counts: Dict[str, int] = {}
    for c in report.cells.values():
        counts[c.status] = counts.get(c.status, 0) + 1
    hard_failed = sum(1 for c in ctx.failed if c.severity == "hard")
    title = meta.title or report.source.path
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>审阅 · {_e(title)}</title><style>{_CSS}</style></head><body>",
        f'<header><h1 id="title">{_e(title)}</h1>',
        f'<p class="meta">{_e(meta.issuer or "—")} · {_e(meta.year or "—")} 年 · 模板 {_e(meta.template)} · '
        f"{_e(report.source.format)}{f' · {report.source.pages} 页' if report.source.pages else ''} · "
        f"<code>{_e(report.source.path)}</code> · sha256 <code>{_e(report.source.sha256[:12])}</code></p>",
        '<p class="summary" id="summary">'
        f'<span>未通过的硬性校验 <b id="n-failed">{hard_failed}</b></span>'
        f'<span>审阅发现 <b id="n-findings">{len(findings)}</b></span>'
        + "".join(f'<span class="st-{s}">{_e(STATUS_ZH[s])} {counts[s]}</span>' for s in STATUSES if counts.get(s))
        + "</p>",
        '<p class="legend">' + "".join(f'<span class="st-{s}">{MARK.get(s, "")} {_e(STATUS_ZH[s])} {s}</span>'
                                       for s in STATUSES)
        + '<span style="outline:3px solid #d10000;outline-offset:-3px">未通过校验的单元格</span>'
          '<span style="box-shadow:inset 0 -3px 0 #7a00c2">审阅发现涉及</span></p></header>',
    ]
    if report.cells:
        parts.append(_tables(ctx))
    else:
        parts.append('<p class="note">此报告没有固定表格（2019 年以前的格式或无表格）。</p>')
    parts.append(_checks(ctx))
    parts.append(_findings(findings, ctx))
    if review.get("compare"):
        parts.append(compare_html(review["compare"]))
    if report.source.format == "pdf":
        parts.append(_images(ctx, refs, note))
    parts.append(_issues(report))
    parts.append('<aside id="detail"><button id="detail-close" type="button">×</button><div id="detail-body">'
                 "</div></aside>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts) + "\n"


def render_compare(comparison: Dict[str, Any]) -> str:
    """``govreport compare -o compare.html``: the comparison alone, in the review page's style."""
    o, n = comparison["old"], comparison["new"]
    title = f"{n.get('issuer') or ''} {o.get('year')} → {n.get('year')}"
    findings = comparison.get("findings", [])
    body = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>比较 · {_e(title)}</title><style>{_CSS}</style></head><body>",
        f'<h1 id="title">{_e(title)}</h1>',
        compare_html(comparison).replace("<details>", "<details open>"),
        '<h2 id="findings">审阅发现 Findings</h2><table class="list" id="findings-table"><tr><th>级别</th>'
        "<th>code</th><th>说明</th></tr>"
        + "".join(f'<tr class="finding" data-code="{_e(f["code"])}"><td class="sev-{_e(f["severity"])}">'
                  f'{_e(SEVERITY_ZH.get(f["severity"], f["severity"]))}</td><td><code>{_e(f["code"])}</code></td>'
                  f'<td>{_e(f["message"])}</td></tr>' for f in findings) + "</table>",
        "</body></html>",
    ]
    return "\n".join(body) + "\n"
