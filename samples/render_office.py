#!/usr/bin/env python3
"""Render the invented 2021-format sample report as a saved government web page and as a Word document.

The report comes from ``make_samples.py`` (same folder, loaded by path): ``make_report_2021()`` with its
default seed, i.e. the report of ``sample-2021.pdf`` and ``sample-2021.truth.json``.  Tables 二/三/四
follow the official merged-cell layout (TEMPLATE.md §2.2–2.4), as in ``render_pdf``.

Files written by ``main()`` (default OUTDIR: the folder of this script)::

    sample-2021.html   a county portal's article page (menus, breadcrumb, footer), the tables as
                       ``<table border="1">`` with rowspan/colspan, table 三 pasted from Word
                       (``<span>`` pieces, ``<o:p></o:p>``, ``&nbsp;``); GBK-encoded, ``<meta charset="gbk">``
    sample-2021.docx   a Word document written with python-docx: title, headings, prose, the three
                       tables with merged cells; only when python-docx is installed

Both are byte-identical on every run: no clock is read, the .docx core properties carry fixed dates and
every zip entry the date 2024-01-01 00:00:00 (the .docx bytes still depend on the python-docx version,
whose template goes into the file, and on zlib).

Importable API::

    render_html(report) -> str      # the page as text (encode it with HTML_ENCODING)
    render_docx(report) -> bytes    # needs python-docx (imported inside only)
    office_contents() -> dict       # file name -> bytes, for the default seed (.docx only with python-docx)
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import importlib.util
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
HTML_FILE = "sample-2021.html"
DOCX_FILE = "sample-2021.docx"
HTML_ENCODING = "gbk"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
DOC_DATE = _dt.datetime(2024, 1, 19, 9, 0, 0)


def _load_make_samples():
    name = "govreport_samples_make_samples"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, HERE / "make_samples.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module


ms = _load_make_samples()


# ---------------------------------------------------------------------------------------------
# the report's paragraphs, classified

_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）[^。，；]{1,16}$")


def _para_kinds(report: dict) -> List[Tuple[str, str]]:
    """(kind, payload) for every item: kind is heading / subheading / body / sign / table2..4."""
    paras = [i for i, (kind, _) in enumerate(report["items"]) if kind == "para"]
    signature = set(paras[-2:])
    out = []
    for i, (kind, payload) in enumerate(report["items"]):
        if kind != "para":
            out.append((kind, ""))
        elif i in signature:
            out.append(("sign", payload))
        elif payload in ms.SECTION_TITLES:
            out.append(("heading", payload))
        elif _SUBHEADING.match(payload):
            out.append(("subheading", payload))
        else:
            out.append(("body", payload))
    return out


def _issuer(report: dict) -> str:
    return report["truth"]["report"]["issuer"]


def _office(report: dict) -> str:
    """The issuing office (the first signature line)."""
    return [p for k, p in _para_kinds(report) if k == "sign"][0]


def _sign_date(report: dict) -> Tuple[int, int, int]:
    text = [p for k, p in _para_kinds(report) if k == "sign"][-1]
    m = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (2024, 1, 19)


# ---------------------------------------------------------------------------------------------
# HTML

def _e(text: str) -> str:
    return _html.escape(text, quote=False)


def _a(text: str) -> str:
    return _html.escape(text, quote=True)


_TD_STYLE = ("border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;"
             "padding:0cm 5.4pt 0cm 5.4pt")
_SPAN_STYLE = "font-size:9.0pt;font-family:宋体;mso-ascii-font-family:'Times New Roman'"
_NUM_STYLE = "font-size:9.0pt;font-family:'Times New Roman';mso-fareast-font-family:宋体"


def _word_p(pieces: Sequence[str], align: str = "center", nbsp_end: bool = False) -> str:
    """A Word-exported paragraph: each piece in its own <span>, an ``<o:p>`` at the end (a no-break
    space in it when ``nbsp_end``).  A piece may contain ``&nbsp;`` (already markup)."""
    spans = []
    for piece in pieces:
        if re.fullmatch(r"[0-9.]+", piece):
            spans.append('<span lang="EN-US" style="%s">%s</span>' % (_NUM_STYLE, piece))
        else:
            spans.append('<span style="%s">%s</span>' % (_SPAN_STYLE, piece))
    tail = "<o:p>&nbsp;</o:p>" if nbsp_end else "<o:p></o:p>"
    spans.append('<span lang="EN-US" style="%s">%s</span>' % (_NUM_STYLE, tail))
    return ('<p class="MsoNormal" align="%s" style="text-align:%s;line-height:12.0pt">%s</p>'
            % (align, align, "".join(spans)))


def _word_td(inner: str, width: int, colspan: int = 1, rowspan: int = 1) -> str:
    attrs = ' width="%d"' % width
    if colspan > 1:
        attrs += ' colspan="%d"' % colspan
    if rowspan > 1:
        attrs += ' rowspan="%d"' % rowspan
    return '<td%s valign="center" style="width:%.1fpt;%s">%s</td>' % (attrs, width * 0.75, _TD_STYLE, inner)


def _split_ascii(label: str) -> List[str]:
    """A label cut where Word starts a new run: at every change between ASCII and Chinese text."""
    return [m.group(0) for m in re.finditer(r"[\x00-\x7f]+|[^\x00-\x7f]+", label)]


def _html_table2(report: dict) -> List[str]:
    """Table 二 as a CMS editor keeps it: plain cells, captions spanning the four columns."""
    active = report["truth"]["tables"]["active_disclosure"]
    out = ['<table border="1" cellspacing="0" cellpadding="4" width="600" align="center" '
           'style="border-collapse:collapse">', "<tbody>"]
    for caption, columns, rows in ms.ACTIVE_BLOCKS[report["version"]]:
        out.append('<tr><td colspan="4" style="text-align:center"><strong>%s</strong></td></tr>' % _e(caption))
        span = ' colspan="%d"' % (4 - len(columns)) if len(columns) < 3 else ""
        head = ['<td width="180" style="text-align:center">信息内容</td>']
        for _, label in columns:
            head.append('<td%s style="text-align:center">%s</td>' % (span, _e(label)))
        out.append("<tr>%s</tr>" % "".join(head))
        for key, label in rows:
            cells = ['<td style="text-align:center">%s</td>' % _e(label)]
            for col, _ in columns:
                cells.append('<td%s style="text-align:center">%s</td>' % (span, _e(ms._fmt(active[key][col]))))
            out.append("<tr>%s</tr>" % "".join(cells))
    out += ["</tbody>", "</table>"]
    return out


# table 三 labels as pasted from Word: the label in several runs, some with a no-break space
_T3_PIECES = {
    "new_received": ["一、本年新收政府", "信息公开申请数量"],
    "carried_over": ["二、上年结转政府信息公开", "申请数量"],
    "partially_granted": ["（二）部分公开（区分处理的，只计这一情形，", "不计其他情形）"],
    "denied_three_safety_one_stability": ["3.", "危及“三安全一稳定”"],
    "not_processed_confirm_or_reissue": ["5.", "要求行政机关确认", "或重新出具已获取信息"],
    "other_no_correction": ["1.", "申请人无正当理由逾期不补正、", "行政机关不再处理其政府信息公开申请"],
    "other_fee_unpaid": ["2.", "申请人逾期未按收费通知要求缴纳费用、", "行政机关不再处理其政府信息公开申请"],
    "carried_forward": ["四、结转下年度", "&nbsp;", "继续办理"],
}
_T3_GROUP_PIECES = {
    "denied": ["（三）不予", "&nbsp;", "公开"],
    "unable": ["（四）无法", "提供"],
    "not_processed": ["（五）不予", "处理"],
    "other": ["（六）其他", "处理"],
}
_T3_RESULTS_PIECES = ["三、本年度", "&nbsp;", "办理结果"]


def _html_table3(report: dict) -> List[str]:
    """Table 三 as pasted from Word: MsoNormalTable, every cell a <p class=MsoNormal> of <span>s."""
    app = report["truth"]["tables"]["applications"]
    rows = ms.APPLICATION_ROWS[report["version"]]
    result_rows = [r for r in rows if r[2] == "result"]
    group_sizes = {g: sum(1 for r in rows if r[3] == g) for g in ms.GROUPS}
    num_w = 52
    out = ['<div align="center">',
           '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="640" '
           'style="width:480.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
           'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">', "<tbody>"]
    header = [
        [_word_td(_word_p(["（本列数据的勾稽关系为：第一项加第二项之和，", "等于第三项加第四项之和）"]), 276,
                  colspan=3, rowspan=3),
         _word_td(_word_p(["申请人情况"]), 7 * num_w, colspan=7)],
        [_word_td(_word_p(["自然人"]), num_w, rowspan=2),
         _word_td(_word_p(["法人或其他组织"]), 5 * num_w, colspan=5),
         _word_td(_word_p(["总计"]), num_w, rowspan=2)],
        [_word_td(_word_p([label[:2], label[2:]] if len(label) > 2 else [label]), num_w)
         for _, label in ms.APPLICANT_COLUMNS[1:]],
    ]
    for i, cells in enumerate(header):
        out.append('<tr style="mso-yfti-irow:%d;mso-yfti-firstrow:yes">%s</tr>' % (i, "".join(cells)))
    seen_groups = set()
    for n, (key, label, zone, group) in enumerate(rows):
        pieces = _T3_PIECES.get(key) or _split_ascii(label)
        assert "".join(p for p in pieces if p != "&nbsp;") == label, key
        cells = []
        if zone == "top":
            cells.append(_word_td(_word_p(pieces, align="left"), 276, colspan=3))
        else:
            if key == result_rows[0][0]:
                cells.append(_word_td(_word_p(_T3_RESULTS_PIECES), 42, rowspan=len(result_rows)))
            if group is None:
                cells.append(_word_td(_word_p(pieces, align="left", nbsp_end=key == "total_processed"), 234,
                                      colspan=2))
            else:
                if group not in seen_groups:
                    seen_groups.add(group)
                    cells.append(_word_td(_word_p(_T3_GROUP_PIECES[group]), 60, rowspan=group_sizes[group]))
                cells.append(_word_td(_word_p(pieces, align="left"), 174))
        for col in ms.APPLICATION_COLUMNS:
            cells.append(_word_td(_word_p([ms._fmt(app[key][col])]), num_w))
        last = ";mso-yfti-lastrow:yes" if n == len(rows) - 1 else ""
        out.append('<tr style="mso-yfti-irow:%d%s;height:20.0pt">%s</tr>' % (len(header) + n, last, "".join(cells)))
    out += ["</tbody>", "</table>", "</div>"]
    return out


def _html_table4(report: dict) -> List[str]:
    values = ms._table4_values(report)
    td = '<td%s style="text-align:center;vertical-align:middle">%s</td>'
    row0 = [td % (' colspan="5"', "行政复议"), td % (' colspan="10"', "行政诉讼")]
    row1 = [td % (' rowspan="2"', _e(label)) for label in ms.REVIEW_COLUMN_LABELS]
    row1 += [td % (' colspan="5"', "未经复议直接起诉"), td % (' colspan="5"', "复议后起诉")]
    row2 = [td % ("", _e(label)) for label in ms.REVIEW_COLUMN_LABELS] * 2
    row3 = [td % ("", v) for v in values]
    out = ['<table border="1" cellspacing="0" cellpadding="3" width="640" align="center" '
           'style="border-collapse:collapse;font-size:12px">', "<tbody>"]
    out += ["<tr>%s</tr>" % "".join(r) for r in (row0, row1, row2, row3)]
    out += ["</tbody>", "</table>"]
    return out


_MENU = [("首页", "/index.html"), ("走进云溪", "/zjyx/index.html"), ("政务公开", "/zwgk/index.html"),
         ("政务服务", "/zwfw/index.html"), ("办事服务", "/bsfw/index.html"), ("互动交流", "/hdjl/index.html"),
         ("专题专栏", "/ztzl/index.html")]
_TOP_LINKS = [("无障碍浏览", "javascript:void(0)"), ("长者模式", "javascript:void(0)"), ("繁體版", "javascript:void(0)"),
              ("移动版", "/wap/index.html"), ("微信", "javascript:void(0)")]
_SIDE_MENU = [("政府信息公开指南", "/zwgk/xxgkzn/index.html"), ("政府信息公开制度", "/zwgk/xxgkzd/index.html"),
              ("法定主动公开内容", "/zwgk/fdzdgknr/index.html"), ("政府信息公开年报", "/zwgk/xxgknb/index.html"),
              ("依申请公开", "/zwgk/ysqgk/index.html")]


def _links(items: Sequence[Tuple[str, str]], cls: str, current: Optional[str] = None) -> List[str]:
    out = ['<ul class="%s">' % cls]
    for text, href in items:
        on = ' class="on"' if text == current else ""
        out.append('<li%s><a href="%s" target="_self">%s</a></li>' % (on, _a(href), _e(text)))
    out.append("</ul>")
    return out


def render_html(report: dict) -> str:
    """The report as an article page of a county government portal (text; encode with HTML_ENCODING)."""
    issuer = _issuer(report)
    title = report["title"]
    office = _office(report)
    y, m, d = _sign_date(report)
    pubdate = "%04d-%02d-%02d" % (y, m, d)
    tables = {"table2": _html_table2, "table3": _html_table3, "table4": _html_table4}

    head = [
        "<!DOCTYPE html>",
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" lang="zh-CN">',
        "<head>",
        '<meta charset="gbk">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>%s_%s</title>" % (_e(title), _e(issuer)),
        '<meta name="SiteName" content="%s">' % _a(issuer),
        '<meta name="SiteDomain" content="www.yunxi.example.gov.cn">',
        '<meta name="SiteIDCode" content="0000000000">',
        '<meta name="ColumnName" content="政府信息公开年报">',
        '<meta name="ColumnType" content="政府信息公开年报">',
        '<meta name="ArticleTitle" content="%s">' % _a(title),
        '<meta name="PubDate" content="%s 16:30">' % pubdate,
        '<meta name="ContentSource" content="%s">' % _a(office),
        '<meta name="Keywords" content="政府信息公开,年度报告">',
        '<link rel="stylesheet" type="text/css" href="/images/common.css">',
        '<script type="text/javascript" src="/js/jquery.min.js"></script>',
        "<style>",
        ".TRS_Editor p{font-size:16px;line-height:2;margin:0 0 8px 0}",
        ".TRS_Editor table td{font-size:12px}",
        "</style>",
        "</head>",
    ]
    body = [
        '<body class="article-page">',
        '<div class="top-bar">',
        '<div class="w1200"><span class="welcome">欢迎访问%s门户网站！</span>' % _e(issuer),
    ]
    body += _links(_TOP_LINKS, "top-links")
    body += [
        "</div>",
        "</div>",
        '<div class="header">',
        '<div class="logo"><a href="/index.html"><img src="/images/logo.png" alt="%s"></a></div>' % _a(issuer),
        '<div class="search"><form action="/search/index.html" method="get">'
        '<input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button></form></div>',
        "</div>",
        '<div class="menu">',
    ]
    body += _links(_MENU, "menu-list", current="政务公开")
    body += [
        "</div>",
        '<div class="w1200 main">',
        '<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
        '<a href="/zwgk/index.html">政府信息公开</a> &gt; <a href="/zwgk/xxgknb/index.html">政府信息公开年报</a></div>',
        '<div class="left-col">',
        '<div class="col-title">政府信息公开</div>',
    ]
    body += _links(_SIDE_MENU, "side-menu", current="政府信息公开年报")
    body += [
        "</div>",
        '<div class="right-col">',
        '<div class="article">',
        "<h1>%s</h1>" % _e(title),
        '<div class="article-info"><span>发布时间：%s</span><span>来源：%s</span>'
        '<span>浏览次数：<em id="views"></em></span>'
        '<span class="font-size">【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> '
        '<a href="javascript:void(0)">小</a>】</span></div>' % (pubdate, _e(office)),
        '<div class="TRS_Editor" id="zoom">',
    ]
    for kind, payload in _para_kinds(report):
        if kind in tables:
            body += tables[kind](report)
        elif kind == "heading":
            body.append('<p style="text-indent:2em"><strong><span style="font-family:黑体">%s</span></strong></p>'
                        % _e(payload))
        elif kind == "subheading":
            body.append('<p style="text-indent:2em"><span style="font-family:楷体_GB2312">%s</span></p>' % _e(payload))
        elif kind == "sign":
            body.append('<p style="text-align:right">%s</p>' % _e(payload))
        else:
            body.append('<p style="text-indent:2em">%s</p>' % _e(payload))
    body += [
        "</div>",
        '<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>',
        "</div>",
        '<div class="related">',
        '<div class="col-title">相关链接</div>',
    ]
    body += _links([("%s%d年政府信息公开工作年度报告" % (issuer, year), "/zwgk/xxgknb/%d/index.html" % year)
                    for year in (2022, 2021)], "related-list")
    body += [
        "</div>",
        "</div>",
        "</div>",
        '<div class="footer">',
        '<div class="footer-links"><a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a> | '
        '<a href="/sybz/index.html">使用帮助</a></div>',
        "<p>主办单位：%s　承办单位：%s</p>" % (_e(issuer), _e(office)),
        "<p>版权所有：%s　网站标识码：0000000000　（本页为示例，单位、数字均为虚构）</p>" % _e(issuer),
        "</div>",
        '<script type="text/javascript">',
        "$(function(){ $('#views').text('1024'); });",
        "</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"


def html_bytes(report: dict) -> bytes:
    return render_html(report).encode(HTML_ENCODING)


# ---------------------------------------------------------------------------------------------
# DOCX (python-docx, imported inside render_docx only)

_FONT_BODY = "仿宋_GB2312"
_FONT_HEADING = "黑体"
_FONT_SUB = "楷体_GB2312"
_FONT_TITLE = "方正小标宋简体"
_FONT_TABLE = "宋体"


def render_docx(report: dict) -> bytes:
    """The report as a Word document: A4, title, headings, prose, tables 二/三/四 with merged cells.

    Byte-identical on every run with the same python-docx: fixed core-property dates, every zip entry
    dated 2024-01-01.  Raises ImportError when python-docx is not installed.
    """
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(3.17)
    section.top_margin = section.bottom_margin = Cm(2.54)
    text_width = section.page_width - section.left_margin - section.right_margin

    def east_asian(run, font: str) -> None:
        rpr = run._element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), font)

    def runs(paragraph, pieces: Sequence[str], font: str, size: float, bold: bool = False) -> None:
        for piece in pieces:
            run = paragraph.add_run(piece)
            run.font.size = Pt(size)
            run.bold = bold or None
            if re.fullmatch(r"[\x00-\x7f]+", piece):
                run.font.name = "Times New Roman"
            else:
                east_asian(run, font)

    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr()
    normal_fonts = normal.element.rPr.find(qn("w:rFonts"))
    if normal_fonts is None:
        normal_fonts = OxmlElement("w:rFonts")
        normal.element.rPr.insert(0, normal_fonts)
    normal_fonts.set(qn("w:eastAsia"), _FONT_BODY)

    def paragraph(text: str, kind: str) -> None:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(28)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(16)
            runs(p, _split_ascii(text), _FONT_TITLE, 22)
        elif kind == "sign":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            runs(p, _split_ascii(text), _FONT_BODY, 16)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = Pt(32)
            font = {"heading": _FONT_HEADING, "subheading": _FONT_SUB}.get(kind, _FONT_BODY)
            runs(p, _split_ascii(text), font, 16, bold=kind == "subheading")

    def new_table(n_rows: int, widths: Sequence[float]):
        table = doc.add_table(rows=n_rows, cols=len(widths))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(widths)
        emus = [int(text_width * w / total) for w in widths]
        for i, column in enumerate(table.columns):
            column.width = emus[i]
        for row in table.rows:
            for i, c in enumerate(row.cells):
                c.width = emus[i]
        return table

    def put(table, r: int, c: int, lines: Sequence[Sequence[str]], align: str = "center") -> None:
        """Text into the cell at grid position (r, c): one paragraph per entry of ``lines``, each made
        of runs."""
        cell = table.cell(r, c)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for i, pieces in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            runs(p, pieces, _FONT_TABLE, 9)

    def merge(table, r0: int, c0: int, r1: int, c1: int) -> None:
        table.cell(r0, c0).merge(table.cell(r1, c1))

    def repeat_header(table, n: int) -> None:
        for row in table.rows[:n]:
            trpr = row._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trpr.append(el)

    tables = report["truth"]["tables"]
    version = report["version"]

    def table2() -> None:
        active = tables["active_disclosure"]
        blocks = ms.ACTIVE_BLOCKS[version]
        n_rows = sum(2 + len(rows) for _, _, rows in blocks)
        t = new_table(n_rows, [31, 23, 23, 23])
        r = 0
        for caption, columns, rows in blocks:
            merge(t, r, 0, r, 3)
            put(t, r, 0, [[caption]])
            r += 1
            for key, label in [(None, "信息内容")] + list(rows):
                if len(columns) < 3:
                    merge(t, r, len(columns), r, 3)
                put(t, r, 0, [_split_ascii(label)])
                for c, (col, col_label) in enumerate(columns, start=1):
                    put(t, r, c, [[col_label if key is None else ms._fmt(active[key][col])]])
                r += 1

    def table3() -> None:
        app = tables["applications"]
        rows = ms.APPLICATION_ROWS[version]
        t = new_table(3 + len(rows), [5.5, 15, 31.4] + [8.3] * 7)
        merge(t, 0, 0, 2, 2)
        merge(t, 0, 3, 0, 9)
        merge(t, 1, 3, 2, 3)
        merge(t, 1, 4, 1, 8)
        merge(t, 1, 9, 2, 9)
        put(t, 0, 0, [[ms.CORNER_NOTE]])
        put(t, 0, 3, [["申请人情况"]])
        put(t, 1, 3, [["自然人"]])
        put(t, 1, 4, [["法人或其他组织"]])
        put(t, 1, 9, [["总计"]])
        for c, (_, label) in enumerate(ms.APPLICANT_COLUMNS[1:], start=4):
            put(t, 2, c, [[label]])
        result = [3 + i for i, r in enumerate(rows) if r[2] == "result"]
        merge(t, result[0], 0, result[-1], 0)
        put(t, result[0], 0, [[ms.RESULTS_HEADER]])
        for group, (group_label, pieces) in ms.GROUPS.items():
            members = [3 + i for i, r in enumerate(rows) if r[3] == group]
            if not members:
                continue
            merge(t, members[0], 1, members[-1], 1)
            # one group cell typed with a hard return inside, as in many authors' tables
            put(t, members[0], 1, [[p] for p in pieces] if group == "denied" else [[group_label]])
        for i, (key, label, zone, group) in enumerate(rows):
            r = 3 + i
            if zone == "top":
                merge(t, r, 0, r, 2)
                put(t, r, 0, [_split_ascii(label)], align="left")
            elif group is None:
                merge(t, r, 1, r, 2)
                put(t, r, 1, [_split_ascii(label)], align="left")
            else:
                put(t, r, 2, [_split_ascii(label)], align="left")
            for c, col in enumerate(ms.APPLICATION_COLUMNS, start=3):
                put(t, r, c, [[ms._fmt(app[key][col])]])
        repeat_header(t, 3)

    def table4() -> None:
        t = new_table(4, [1] * 15)
        merge(t, 0, 0, 0, 4)
        merge(t, 0, 5, 0, 14)
        merge(t, 1, 5, 1, 9)
        merge(t, 1, 10, 1, 14)
        for c in range(5):
            merge(t, 1, c, 2, c)
        put(t, 0, 0, [["行政复议"]])
        put(t, 0, 5, [["行政诉讼"]])
        put(t, 1, 5, [["未经复议直接起诉"]])
        put(t, 1, 10, [["复议后起诉"]])
        for c, label in enumerate(ms.REVIEW_COLUMN_LABELS):
            put(t, 1, c, [[label]])
            put(t, 2, 5 + c, [[label]])
            put(t, 2, 10 + c, [[label]])
        for c, v in enumerate(ms._table4_values(report)):
            put(t, 3, c, [[v]])

    makers = {"table2": table2, "table3": table3, "table4": table4}
    paragraph(report["title"], "title")
    for kind, payload in _para_kinds(report):
        if kind in makers:
            makers[kind]()
            doc.add_paragraph()  # the empty line Word leaves after a table
        else:
            paragraph(payload, kind)

    props = doc.core_properties
    props.title = report["title"]
    props.author = _office(report)
    props.last_modified_by = _office(report)
    props.subject = "invented sample report (samples/render_office.py)"
    props.keywords = "政府信息公开,年度报告"
    props.comments = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = DOC_DATE

    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The archive rewritten with every entry dated ZIP_DATE (same names, order and contents)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            dst.writestr(fixed, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------

def office_contents(docx: bool = True) -> Dict[str, bytes]:
    """File name -> exact bytes for the default seed; the .docx only when python-docx is installed."""
    report = ms.make_report_2021()
    out = {HTML_FILE: html_bytes(report)}
    if docx:
        try:
            out[DOCX_FILE] = render_docx(report)
        except ImportError as exc:
            print("render_office.py: %s not written: python-docx is not installed (%s); "
                  "pip install python-docx to write it" % (DOCX_FILE, exc), file=sys.stderr)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python samples/render_office.py [OUTDIR]", file=sys.stderr)
        return 2
    outdir = Path(args[0]) if args else HERE
    outdir.mkdir(parents=True, exist_ok=True)
    for name, data in office_contents().items():
        path = outdir / name
        path.write_bytes(data)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
