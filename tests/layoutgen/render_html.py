"""HTML as LibreOffice writes it when a Word report is saved as a web page, optionally inside portal chrome.

Tables keep the model's cells: ``rowspan``/``colspan``, covered positions not written, an empty cell as
``<p><br/></p>``, the author's line breaks as ``<br/>`` or as separate paragraphs, shaded captions as
``bgcolor``. The page is encoded as UTF-8 or GBK (characters outside GBK as character references) and
says so in its ``<meta>``.
"""

from __future__ import annotations

import html
import random
import re

from .model import Document, PageBreak, Para, Table


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _cell_html(lines, align: str, style: str) -> str:
    if not lines or not any(s.strip() for s in lines):
        return '<p align="%s"><br/></p>' % align
    if style == "br":
        return '<p align="%s">%s</p>' % (align, "<br/>".join(_e(s) for s in lines))
    return "".join('<p align="%s">%s</p>' % (align, _e(s)) for s in lines)


def _word_cell(lines, align: str) -> str:
    """A cell as Word's "save as web page" writes it: MsoNormal paragraphs, digits in a span of their own."""
    if not lines or not any(x.strip() for x in lines):
        return "<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
    out = []
    for line in lines:
        parts = re.findall(r"[0-9０-９,.+\-－−]+|[^0-9０-９,.+\-－−]+", line)
        spans = "".join(("<span lang=EN-US style='font-size:10.5pt'>%s</span>" if re.match(r"[0-9０-９]", p)
                         else "<span style='font-size:10.5pt;font-family:宋体'>%s</span>") % _e(p) for p in parts)
        out.append("<p class=MsoNormal align=%s style='text-align:%s'>%s<span lang=EN-US><o:p></o:p></span></p>"
                   % (align, align, spans))
    return "\n  ".join(out)


def _table_word(t: Table) -> str:
    total = sum(t.widths)
    out = ["<div align=center><table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 "
           "style='border-collapse:collapse;border:none;mso-yfti-tbllook:1184'>"]
    for r in range(t.n_rows):
        out.append(" <tr style='mso-yfti-irow:%d;height:19.85pt'>" % r)
        for c in t.starting_in(r):
            attrs = " width=%d" % round(sum(t.widths[c.col:c.col + c.colspan]) / total * 568)
            if c.colspan > 1:
                attrs += " colspan=%d" % c.colspan
            if c.rowspan > 1:
                attrs += " rowspan=%d" % c.rowspan
            out.append("  <td%s valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'>\n  %s\n  </td>"
                       % (attrs, _word_cell(c.lines, c.align)))
        out.append(" </tr>")
    out.append("</table></div>")
    return "\n".join(out)


def _table_cms(t: Table, drop_empty: bool) -> str:
    """A table as a web CMS editor keeps it: bare cells, ``&nbsp;`` for an empty one, ``<br>`` between lines;
    ``drop_empty``: empty value cells are not written at all (the row is short, as some editors leave it)."""
    out = ['<table border="1" cellspacing="0" style="width:100%;"><tbody>']
    for r in range(t.n_rows):
        out.append("<tr>")
        for c in t.starting_in(r):
            empty = not any(x.strip() for x in c.lines)
            if empty and drop_empty and c.kind == "value":
                continue
            attrs = (' colspan="%d"' % c.colspan if c.colspan > 1 else "") + \
                    (' rowspan="%d"' % c.rowspan if c.rowspan > 1 else "")
            out.append("<td%s>%s</td>" % (attrs, "&nbsp;" if empty else "<br>".join(_e(x) for x in c.lines)))
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _table(t: Table, rng: random.Random, style: str) -> str:
    total = sum(t.widths)
    out = ['<table width="100%" cellpadding="7" cellspacing="0">']
    for w in t.widths:
        out.append('\t<col width="%d"/>' % round(w / total * 640))
    for r in range(t.n_rows):
        out.append('\t<tr valign="top">')
        for c in t.starting_in(r):
            attrs = ""
            if c.rowspan > 1:
                attrs += ' rowspan="%d"' % c.rowspan
            if c.colspan > 1:
                attrs += ' colspan="%d"' % c.colspan
            if c.shaded:
                attrs += ' bgcolor="#d9d9d9"'
            width = round(sum(t.widths[c.col:c.col + c.colspan]) / total * 640)
            out.append('\t\t<td%s width="%d" style="border: 1px solid #000000; padding: 0in 0.08in">%s</td>'
                       % (attrs, width, _cell_html(c.lines, c.align, style)))
        out.append("\t</tr>")
    out.append("</table>")
    return "\n".join(out)


def _para(p: Para, pending_break: bool) -> str:
    style = ' style="page-break-before: always"' if pending_break else ""
    out = []
    for k, line in enumerate(p.text.split("\n")):
        s = style if k == 0 else ""
        if not line:
            out.append("<p%s><br/></p>" % s)
        elif p.kind == "title":
            out.append('<p align="center"%s><font size="5" style="font-size: 18pt"><b>%s</b></font></p>' % (s, _e(line)))
        elif p.kind in ("heading", "subheading"):
            out.append('<p%s><font face="黑体"><b>%s</b></font></p>' % (s, _e(line)))
        elif p.kind == "body":
            out.append('<p style="text-indent: 0.29in%s">%s</p>' % ("; page-break-before: always" if s else "", _e(line)))
        else:
            out.append('<p align="%s"%s>%s</p>' % (p.align if p.align != "left" else "left", s, _e(line)))
    return "\n".join(out)


CHROME_TOP = """<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a> | <a href="/bsfw/">办事服务</a></div>
<div class="weather">今天是 {date} 星期三</div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="info">发布时间：{date} 来源：{issuer} 浏览次数：{views} 【字体：大 中 小】</div>
<div class="article">"""
CHROME_BOTTOM = """</div>
<div class="share">分享到： 微信 微博 【打印本页】 【关闭窗口】</div>
<div class="footer"><p>主办：{issuer} 联系电话：0{tel1}-{tel2}</p><p>网站标识码：{code} 备案号：{icp}号</p>
<p>版权所有 © {year} 技术支持：某某信息技术有限公司</p></div>"""


def render_html(doc: Document, rng: random.Random = None) -> str:
    rng = rng or random.Random(doc.seed * 7 + 1)
    style = rng.choice(["br", "paragraphs"])
    chrome = rng.random() < 0.5
    doc.variant["html_chrome"] = chrome
    doc.variant["html_cell_lines"] = style
    flavour = random.Random("%d:html_flavour" % doc.seed).choices(
        ["libreoffice", "word", "cms", "cms_drop_empty"], weights=[12, 5, 2, 1])[0]
    doc.variant["html_flavour"] = flavour
    body = []
    pending = False
    for b in doc.blocks:
        if isinstance(b, PageBreak):
            pending = True
        elif isinstance(b, Para):
            body.append(_para(b, pending))
            pending = False
        elif isinstance(b, Table):
            if flavour == "word":
                body.append(_table_word(b))
            elif flavour.startswith("cms"):
                body.append(_table_cms(b, flavour == "cms_drop_empty"))
            else:
                body.append(_table(b, rng, style))
            body.append("<p><br/></p>")
    year = doc.truth["report"]["year"]
    issuer = doc.truth["report"]["issuer"]
    fields = dict(date="%d-01-%02d" % (year + 1, rng.randint(10, 28)), issuer=issuer, views=rng.randint(10, 9999),
                  tel1=rng.randint(300, 999), tel2=rng.randint(1000000, 9999999), code=rng.randint(10 ** 9, 10 ** 10 - 1),
                  icp="X ICP备%08d" % rng.randint(0, 10 ** 8 - 1), year=year + 1)
    title = doc.blocks[0].text.replace("\n", "") if isinstance(doc.blocks[0], Para) else ""
    head = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">\n<html>\n<head>\n'
            '\t<meta http-equiv="content-type" content="text/html; charset={charset}"/>\n'
            "\t<title>%s</title>\n\t<meta name=\"generator\" content=\"LibreOffice 7.3.7.2 (Linux)\"/>\n"
            "\t<style type=\"text/css\">p { margin-bottom: 0.1in; line-height: 115%% }</style>\n</head>\n"
            "<body lang=\"zh-CN\" dir=\"ltr\">\n" % _e(title))
    parts = [head]
    if chrome:
        parts.append(CHROME_TOP.format(**fields))
    # an old CMS template: the article inside a layout table (title row, then one cell holding the body)
    framed = random.Random("%d:html_layout_table" % doc.seed).random() < 0.15
    doc.variant["html_layout_table"] = framed
    if framed:
        parts.append('<table width="960" border="0" cellspacing="0" cellpadding="0" align="center">'
                     '<tr><td class="title" align="center">%s</td></tr><tr><td class="content">' % _e(title))
    parts.append("\n".join(body))
    if framed:
        parts.append("</td></tr><tr><td class=\"foot\">【打印】 【关闭】</td></tr></table>")
    if chrome:
        parts.append(CHROME_BOTTOM.format(**fields))
    parts.append("\n</body>\n</html>\n")
    return "\n".join(parts)


def html_bytes(doc: Document) -> bytes:
    rng = random.Random(doc.seed * 7 + 1)
    encoding = rng.choice(["utf-8", "utf-8", "gbk"])
    doc.variant["html_encoding"] = encoding
    text = render_html(doc, rng)
    text = text.replace("{charset}", encoding)
    return text.encode(encoding, errors="xmlcharrefreplace")
