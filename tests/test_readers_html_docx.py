"""HTML and DOCX readers: tables as tab grids, the report's content without portal chrome, safe parsing."""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import List, Optional

import pytest

from govreport.errors import BadInputError
from govreport.readers import COVERED as C
from govreport.readers import html as html_reader

HTML_DOCS = ["shuyang-fgj-2023.html", "pingtan-2021.html", "pingtan-2019.html", "pingtan-2023.html"]
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
              "legal_service_org", "other_org", "total"]
REVIEW = [(row, col) for row in ("review", "lit_direct", "lit_after_review")
          for col in ("upheld", "corrected", "other", "pending", "total")]
CHROME = ["友情链接", "网站标识码", "闽政通APP", "使用帮助", "联系我们", "繁體版", "无障碍", "适老化",
          "当前位置", "公安备案号", "QQ空间", "主办单位"]


def _html(path_name: str, data: bytes):
    return html_reader.read(Path(path_name), data)


def _line(text: str, label: str) -> Optional[List[str]]:
    """The fields of the first grid line whose first field that is neither empty nor covered by a merged
    cell is ``label``."""
    for line in text.splitlines():
        fields = line.split("\t")
        first = next((f for f in fields if f and f != C), "")
        if "\t" in line and first == label:
            return fields
    return None


def _gold(corpus_dir: Path, name: str) -> dict:
    return json.loads((corpus_dir / "gold" / f"{name}.json").read_text("utf-8"))


def _field(v: object) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v) == int(v) else str(v)  # type: ignore[arg-type]


# --- the corpus -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_docs(corpus_dir: Path):
    return {name: _html(name, (corpus_dir / "docs" / name).read_bytes()) for name in HTML_DOCS}


@pytest.mark.corpus
@pytest.mark.parametrize("name", HTML_DOCS)
def test_corpus_html_rows_are_tab_grids(corpus_dir: Path, html_docs, name: str) -> None:
    doc = html_docs[name]
    gold = _gold(corpus_dir, name)["tables"]
    assert doc.format == "html" and doc.encoding == "utf-8" and doc.spans == []
    assert all("\n" not in f for line in doc.text.splitlines() for f in line.split("\t"))
    # table 三: the label spans three grid columns (two empty fields), then the seven applicant columns
    for label, key in (("一、本年新收政府信息公开申请数量", "new_received"),
                       ("二、上年结转政府信息公开申请数量", "carried_over"),
                       ("四、结转下年度继续办理", "carried_forward")):
        fields = _line(doc.text, label)
        assert fields is not None, label
        values = [f for f in fields[3:]]
        if name == "pingtan-2021.html":  # 商业企业 is a two-column merged cell in that page's grid
            assert values[2] == C
            del values[2]
        assert fields[1:3] == [C, C]  # covered by the label's colspan: no cells of their own
        assert values == [_field(gold["applications"][key][c]) for c in APPLICANTS], label
    # sub-rows of 三: the rowspan of the group label covers their first field
    fields = _line(doc.text, "（七）总计")
    assert fields is not None and fields[0] == C and fields[1] == "（七）总计"
    # table 四: one line of fifteen numbers
    lines = [ln.split("\t") for ln in doc.text.splitlines() if ln.count("\t") == 14]
    numbers = [f for f in lines if all(x.isdigit() for x in f)]
    assert numbers == [[_field(gold["review_litigation"][r][c]) for r, c in REVIEW]]
    # table 二
    for label, key in (("行政许可", "admin_licensing"), ("行政处罚", "admin_penalty")):
        fields = _line(doc.text, label)
        expected = [_field(v) for v in gold["active_disclosure"][key].values()]
        assert fields is not None and fields[1:1 + len(expected)] == expected, label


@pytest.mark.corpus
def test_corpus_shuyang_empty_cells_stay_empty(html_docs) -> None:
    text = html_docs["shuyang-fgj-2023.html"].text
    fields = _line(text, "一、本年新收政府信息公开申请数量")
    assert fields == ["一、本年新收政府信息公开申请数量", C, C, "26", "", "", "", "", "", "26"]
    # Word-pasted labels split over <span>s and <o:p> come out joined
    assert _line(text, "三、本年度办理结果")[1] == "（一）予以公开"
    assert _line(text, "规范性文件") == ["规范性文件", "8", "0", "18"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", HTML_DOCS)
def test_corpus_html_portal_chrome_is_gone(html_docs, name: str) -> None:
    text = html_docs[name].text
    assert [c for c in CHROME if c in text] == []
    first = text.splitlines()[0]
    assert "年" in first and "报告" in first and "\t" not in first  # the report's title comes first
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "六、其他需要报告的事项"):
        assert heading in text.splitlines(), heading


@pytest.mark.corpus
def test_corpus_blank_form_docx_renders_its_tables(corpus_dir: Path) -> None:
    pytest.importorskip("lxml")
    from govreport.readers import docx as docx_reader

    path = corpus_dir / "docs" / "blank-form-2021.docx"
    doc = docx_reader.read(path, path.read_bytes())
    assert doc.format == "docx" and doc.spans == []
    lines = doc.text.splitlines()
    assert lines[0] == "政府信息公开工作年度报告格式模板"
    assert "三、收到和处理政府信息公开申请情况" in lines
    assert _line(doc.text, "一、本年新收政府信息公开申请数量") == ["一、本年新收政府信息公开申请数量", C, C] + [""] * 7
    assert _line(doc.text, "信息内容") == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert _line(doc.text, "（七）总计") == [C, "（七）总计", C] + [""] * 7
    review_header = [ln for ln in lines if ln.startswith(f"{C}\t" * 5 + "结果维持")]
    assert len(review_header) == 1 and review_header[0].count("\t") == 14
    assert not any(ch.isdigit() for ln in lines if "\t" in ln for f in ln.split("\t")[1:] for ch in f
                   if f and f[0].isdigit() and f.isdigit())


@pytest.fixture
def routed():
    """``govreport.extract`` itself: HTML and DOCX go to these readers."""
    import govreport

    return govreport.extract


@pytest.mark.corpus
@pytest.mark.pipeline
@pytest.mark.parametrize("name", HTML_DOCS)
def test_corpus_html_through_the_pipeline(corpus_dir: Path, routed, name: str) -> None:
    """The numbers the pipeline reads from these pages match the gold."""
    from scoring import score

    record = routed(corpus_dir / "docs" / name).to_dict()
    s = score(record, _gold(corpus_dir, name))
    assert s.silent == []
    assert s.right == s.total, s.wrong_flagged  # shuyang's empty cells: blank through empty_cells_blank
    assert _gold(corpus_dir, name)["report"]["issuer"] in record["report"]["issuer"]


@pytest.mark.corpus
@pytest.mark.pipeline
def test_corpus_blank_form_through_the_pipeline_has_no_numbers(corpus_dir: Path, routed) -> None:
    record = routed(corpus_dir / "docs" / "blank-form-2021.docx").to_dict()
    assert record["source"]["format"] == "docx"
    values = [v for rows in record["tables"].values() for cols in rows.values() for v in cols.values()]
    assert all(v is None for v in values)


def test_readers_mark_empty_cells_as_blank() -> None:
    doc = _html("e.html", b"<html><body><table><tr><td>a</td><td></td></tr></table></body></html>")
    assert doc.text == "a\t\n" and doc.reader_notes == []
    assert doc.empty_cells_blank is True


# --- synthetic HTML -------------------------------------------------------------------------------------


def test_rowspan_and_colspan_become_a_grid_with_marked_covered_positions() -> None:
    page = """<html><body><table>
      <tr><td rowspan="2" colspan="2">申请人</td><td colspan="2">法人</td><td>总计</td></tr>
      <tr><td>商业</td><td>其他</td><td></td></tr>
      <tr><td rowspan="3">三、结果</td><td>（一）公开</td><td>1</td><td>  </td><td>1</td></tr>
      <tr><td>（二）部分</td><td>2</td><td>&nbsp;</td><td>2</td></tr>
      <tr><td>（三）总计</td><td colspan="2">3</td><td>3</td></tr>
    </table></body></html>"""
    doc = _html("t.html", page.encode())
    assert doc.text.splitlines() == [
        f"申请人\t{C}\t法人\t{C}\t总计",
        f"{C}\t{C}\t商业\t其他\t",  # the cells printed empty stay empty fields
        "三、结果\t（一）公开\t1\t\t1",
        f"{C}\t（二）部分\t2\t\t2",
        f"{C}\t（三）总计\t3\t{C}\t3",
    ]


def test_grid_lines_leaves_ragged_rows_short_and_clamps_spans() -> None:
    rows = [[("a", 1, 1), ("b", 1, 1), ("c", 1, 1)], [("d", 1, 1)], [("e", 5000, 0)]]
    lines = html_reader.grid_lines(rows)
    assert lines[:2] == ["a\tb\tc", "d"]  # the cells a row lacks were not written: no empty fields invented
    assert lines[2].startswith("e\t") and lines[2].count("\t") == 99  # colspan clamped to 100


def test_word_pasted_markup_joins_split_labels_and_drops_hidden_text() -> None:
    page = """<html><body><div class="content">
    <p class=MsoNormal><span lang=EN-US>一、</span><span style='font-family:宋体'>总体
    情况</span><o:p>&nbsp;</o:p></p>
    <table class=MsoNormalTable><tr>
      <td><p class=MsoNormal><span>一、本年新收</span><span>政府信息<o:p></o:p></span></p>
          <p class=MsoNormal><span>公开申请数量</span></p></td>
      <td><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span></p><p>2</p></td>
      <td><span style="display:none">99</span><span style='mso-spacerun:yes'>&nbsp;&nbsp;</span>7</td>
      <td><span style="mso-hide:all">88</span></td>
    </tr></table>
    </div></body></html>"""
    doc = _html("w.html", page.encode())
    lines = doc.text.splitlines()
    assert lines[0] == "一、总体情况"
    # a line break inside a cell is removed; two numbers on two lines never fuse into one
    assert lines[1] == "一、本年新收政府信息公开申请数量\t1 2\t7\t"


def test_portal_chrome_is_dropped_and_the_report_body_kept() -> None:
    page = """<!DOCTYPE html><html><head><title>某县2023年政府信息公开工作年度报告_年报_某县人民政府</title>
    <script>var menu = "首页 政务公开";</script><style>.x{}</style></head><body>
    <div class="top"><a href="/">首页</a> <a href="/a">政务公开</a> <a href="/b">办事服务</a> 繁體版 无障碍</div>
    <nav><ul><li>机构概况</li><li>政策文件</li></ul></nav>
    <div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/n">年报</a></div>
    <div class="main"><h1 class="title">某县2023年政府信息公开工作年度报告</h1>
      <div class="share">分享到：<a>微信</a><a>微博</a></div>
      <div id="zoom"><p>一、总体情况</p><p>本年度工作概述。</p><p>二、主动公开政府信息情况</p>
        <table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>1</td></tr></table>
        <p>三、收到和处理政府信息公开申请情况</p>
        <table><tr><td>一、本年新收政府信息公开申请数量</td><td>5</td></tr></table>
        <p hidden>隐藏的文字</p><p style="display: none">也隐藏</p>
        <p>六、其他需要报告的事项</p><p>无。</p></div></div>
    <footer>网站标识码 1234 主办单位：某县办公室</footer>
    <div class="links">友情链接 <a>国务院</a></div></body></html>"""
    doc = _html("p.html", page.encode())
    lines = doc.text.splitlines()
    assert lines[0] == "某县2023年政府信息公开工作年度报告"
    assert lines[1:] == ["一、总体情况", "本年度工作概述。", "二、主动公开政府信息情况", "信息内容\t本年制发件数",
                         "规章\t1", "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量\t5",
                         "六、其他需要报告的事项", "无。"]


def test_layout_table_holding_the_report_is_read_as_blocks() -> None:
    page = """<html><body><table width="100%"><tr><td>网站导航</td></tr><tr><td>
      <p>一、总体情况</p><p>正文。</p><p>三、收到和处理政府信息公开申请情况</p>
      <table border=1><tr><td>二、上年结转政府信息公开申请数量</td><td>0</td><td>3</td></tr></table>
      <p>六、其他需要报告的事项</p></td></tr></table></body></html>"""
    lines = _html("l.html", page.encode()).text.splitlines()
    assert "二、上年结转政府信息公开申请数量\t0\t3" in lines
    assert "一、总体情况" in lines and "网站导航" not in lines


def test_page_without_report_structure_keeps_its_main_text() -> None:
    body = "".join(f"<p>第{i}段正文内容，足够长的一段话。</p>" for i in range(20))
    page = f"""<html><body><div class="menu"><a>首页</a><a>新闻</a><a>公开</a></div>
      <div class="article">{body}</div><div class="foot">版权所有</div></body></html>"""
    lines = _html("n.html", page.encode()).text.splitlines()
    assert lines[0] == "第0段正文内容，足够长的一段话。" and len(lines) == 20


@pytest.mark.parametrize("meta", ['<meta charset="gbk">', '<meta charset=GB2312>',
                                  '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'])
def test_gbk_page_with_declared_charset(meta: str) -> None:
    page = f"""<html><head>{meta}<title>年报</title></head><body>
      <p>平潭综合实验区2021年度政府信息公开工作年度报告</p>
      <table><tr><td>一、本年新收政府信息公开申请数量</td><td>64</td><td></td></tr></table></body></html>"""
    doc = _html("g.html", page.encode("gbk"))
    assert doc.encoding == "gb18030"
    assert "平潭综合实验区2021年度政府信息公开工作年度报告" in doc.text
    assert "一、本年新收政府信息公开申请数量\t64\t" in doc.text.splitlines()


def test_encoding_detection_order() -> None:
    text = "<html><body><p>政府信息公开工作年度报告</p></body></html>"
    assert html_reader.decode(b"\xef\xbb\xbf" + text.encode(), Path("x"))[1] == "utf-8-sig"
    assert html_reader.decode(b"\xff\xfe" + text.encode("utf-16-le"), Path("x")) == (text, "utf-16")
    assert html_reader.decode(text.encode("gbk"), Path("x")) == (text, "gb18030")  # no declaration
    assert html_reader.decode(text.encode(), Path("x")) == (text, "utf-8")
    # declared UTF-8 but written in GBK (a common mislabel): the declaration fails, GB18030 reads it
    mislabelled = ('<meta charset="utf-8">' + text).encode("gbk")
    assert html_reader.decode(mislabelled, Path("x"))[1] == "gb18030"
    # the XML declaration of an XHTML page counts as a declaration
    xhtml = ('<?xml version="1.0" encoding="gb2312"?>' + text).encode("gbk")
    assert html_reader.decode(xhtml, Path("x"))[1] == "gb18030"
    doc = _html("x.xhtml", xhtml)
    assert "政府信息公开工作年度报告" in doc.text


def test_xxe_and_billion_laughs_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    page = f"""<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY sec SYSTEM "file://{secret}">
  <!ENTITY l0 "lol">{laughs}
  <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;
]>
<html><body><p>a&xxe;b&sec;c&l9;d</p>
<table><tr><td>规章&xxe;</td><td>1</td></tr></table></body></html>"""
    start = time.process_time()  # CPU time: a guard against an expansion, which a loaded machine cannot trip
    doc = _html("xxe.html", page.encode())
    assert time.process_time() - start < 30
    assert "root:" not in doc.text and "TOP-SECRET" not in doc.text
    assert "lollol" not in doc.text and len(doc.text) < 500
    assert "]>" not in doc.text


@pytest.mark.parametrize("data", [b"", b"  \n ", b"<!-- only a comment -->"])
def test_page_with_nothing_to_parse_is_bad_input(data: bytes) -> None:
    with pytest.raises(BadInputError, match="not a readable web page") as err:
        _html("e.html", data)
    assert "\n" not in str(err.value)


# --- DOCX -----------------------------------------------------------------------------------------------


def _docx_bytes(build) -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _read_docx(data: bytes, name: str = "t.docx"):
    from govreport.readers import docx as docx_reader

    return docx_reader.read(Path(name), data)


def test_docx_paragraphs_and_merged_table_cells() -> None:
    def build(d) -> None:
        d.add_paragraph("某县2023年政府信息公开工作年度报告")
        d.add_paragraph("三、收到和处理政府信息公开申请情况")
        t = d.add_table(rows=5, cols=4)
        t.cell(0, 1).merge(t.cell(0, 3)).text = "申请人情况"  # gridSpan
        t.cell(0, 0).text = "（本列数据的勾稽关系）"
        a = t.cell(2, 0).merge(t.cell(4, 0))  # vMerge
        a.text = "三、本年度办理结果"
        for r, (label, x, y) in enumerate([("自然人", "法人", "总计"), ("（一）予以公开", "3", ""),
                                           ("（二）部分公开", "", "2"), ("（七）总计", "3", "2")], start=1):
            if r == 1:
                t.cell(1, 1).text, t.cell(1, 2).text, t.cell(1, 3).text = label, x, y
            else:
                t.cell(r, 1).text, t.cell(r, 2).text, t.cell(r, 3).text = label, x, y
        t.cell(1, 0).text = "一、本年新收\n政府信息公开申请数量"  # a line break inside a cell
        hidden = d.add_paragraph("可见")
        run = hidden.add_run("隐藏")
        run.font.hidden = True
        d.add_paragraph("六、其他需要报告的事项")

    doc = _read_docx(_docx_bytes(build))
    assert doc.format == "docx" and doc.spans == []
    assert doc.text.splitlines() == [
        "某县2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        f"（本列数据的勾稽关系）\t申请人情况\t{C}\t{C}",
        "一、本年新收政府信息公开申请数量\t自然人\t法人\t总计",
        "三、本年度办理结果\t（一）予以公开\t3\t",
        f"{C}\t（二）部分公开\t\t2",
        f"{C}\t（七）总计\t3\t2",
        "可见",
        "六、其他需要报告的事项",
    ]


def test_docx_automatic_list_numbers_are_kept() -> None:
    def build(d) -> None:
        d.add_paragraph("总体情况", style="List Number")
        d.add_paragraph("主动公开政府信息情况", style="List Number")

    lines = _read_docx(_docx_bytes(build)).text.splitlines()
    assert lines == ["1.总体情况", "2.主动公开政府信息情况"]


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


_DOC_XML = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>')


def test_docx_zip_bomb_with_a_huge_declared_size_is_refused_before_extracting() -> None:
    data = bytearray(_zip({"word/document.xml": _DOC_XML.format("x")}))
    # declare ~4 GB uncompressed in the central directory (what zipfile trusts) and the local header
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        pos = data.find(sig)
        struct.pack_into("<I", data, pos + offset, 0xF0000000)
    tracemalloc.start()
    start = time.process_time()  # CPU time, generous: the guard is against unpacking 4 GB
    with pytest.raises(BadInputError, match="zip bomb"):
        _read_docx(bytes(data))
    elapsed = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 30 and peak < 5 * 1024 * 1024


def test_docx_absurd_compression_ratio_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", _DOC_XML.format("x"))
        with zf.open("word/media/zeros.bin", "w") as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(20):
                f.write(chunk)
    tracemalloc.start()
    with pytest.raises(BadInputError, match="zip bomb"):
        _read_docx(buf.getvalue())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_docx_total_size_over_the_limit_is_refused() -> None:
    from govreport.readers import docx as docx_reader

    infos = []
    for i in range(3):
        info = zipfile.ZipInfo(f"word/media/p{i}.png")
        info.file_size, info.compress_size = 80 * 1024 * 1024, 79 * 1024 * 1024
        infos.append(info)
    with pytest.raises(BadInputError, match="limit"):
        docx_reader.check_archive(Path("big.docx"), infos)


@pytest.mark.parametrize("data, message", [
    (b"not a zip at all", "not a zip"),
    (b"PK\x03\x04 broken", "zip"),
])
def test_non_zip_is_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message) as err:
        _read_docx(data)
    assert "\n" not in str(err.value)


def test_zip_without_document_xml_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="word/document.xml") as err:
        _read_docx(_zip({"xl/workbook.xml": "<workbook/>"}))
    assert "\n" not in str(err.value)


def test_docx_xml_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    head = '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{}]>'
    body = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>')
    xxe = (head.format(f'<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY sec SYSTEM "file://{secret}">'
                       '<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;')
           + body.format("a&xxe;b&sec;c"))
    doc = _read_docx(_zip({"word/document.xml": xxe}))
    assert doc.text == "abc\n"
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    start = time.process_time()  # CPU time: a guard against an expansion, which a loaded machine cannot trip
    try:
        doc = _read_docx(_zip({"word/document.xml": head.format(laughs) + body.format("a&l9;b")}))
        assert doc.text == "ab\n"
    except BadInputError as err:  # libxml2 may refuse the amplification outright: as good
        assert "\n" not in str(err)
    assert time.process_time() - start < 30


def test_docx_chinese_list_numbers_grid_before_and_layout_tables() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    level = ('<w:lvl w:ilvl="{}"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
             '<w:lvlText w:val="{}"/></w:lvl>')
    numbering = (f'<w:numbering {w}><w:abstractNum w:abstractNumId="7">'
                 + level.format(0, "%1、") + level.format(1, "（%2）")
                 + '</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num></w:numbering>')

    def para(text: str, level: Optional[int] = None) -> str:
        npr = (f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr></w:pPr>'
               if level is not None else "")
        return f'<w:p>{npr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    def cell(text: str, props: str = "") -> str:
        return f'<w:tc><w:tcPr>{props}</w:tcPr>{para(text)}</w:tc>'

    data_table = ('<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>'
                  f'<w:tr>{cell("规章")}{cell("1")}{cell("2")}</w:tr>'
                  f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{cell("3")}{cell("4")}</w:tr></w:tbl>')
    layout = f'<w:tbl><w:tr><w:tc>{para("版面里的段落")}{data_table}</w:tc></w:tr></w:tbl>'
    body = (para("总体情况", 0) + para("主动公开", 1) + para("依申请公开", 1) + para("主动公开政府信息情况", 0)
            + para("收到和处理政府信息公开申请情况", 0) + layout)
    document = f'<w:document {w}><w:body>{body}</w:body></w:document>'
    doc = _read_docx(_zip({"word/document.xml": document, "word/numbering.xml": numbering}))
    assert doc.text.splitlines() == ["一、总体情况", "（一）主动公开", "（二）依申请公开", "二、主动公开政府信息情况",
                                     "三、收到和处理政府信息公开申请情况", "版面里的段落", "规章\t1\t2", "\t3\t4"]


def test_hostile_spans_do_not_blow_up_the_grid() -> None:
    page = "<html><body><table>" + "<tr><td colspan=99999 rowspan=99999>x</td></tr>" * 2000 + "</table></body></html>"
    start = time.process_time()  # CPU time, generous: the blow-up would be 10^10 cells
    doc = _html("spans.html", page.encode())
    assert time.process_time() - start < 30 and len(doc.text) < 10000


def test_deeply_nested_markup() -> None:
    before, after = "前文" * 20, "后文" * 20
    page = f"<html><body><p>{before}</p>" + "<div>" * 300 + "<p>中间</p>" + "</div>" * 300 + f"<p>{after}</p>"
    assert _html("deep.html", page.encode()).text.splitlines() == [before, "中间", after]
    with pytest.raises(BadInputError, match="nested too deeply"):
        _html("deeper.html", ("<html><body>" + "<div>" * 20000 + "x").encode())


def test_chrome_or_hidden_element_holding_the_only_copy_of_the_report_is_kept() -> None:
    report = ("<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
              "<table><tr><td>一、本年新收政府信息公开申请数量</td><td>5</td></tr></table>")
    unclosed = f"<html><body><header><a>首页</a>{report}</body></html>"
    assert "一、本年新收政府信息公开申请数量\t5" in _html("h.html", unclosed.encode()).text.splitlines()
    hidden = f'<html><body><div style="display:none">{report}</div></body></html>'
    assert "一、本年新收政府信息公开申请数量\t5" in _html("d.html", hidden.encode()).text.splitlines()
    twice = f'<html><body><div style="display:none">{report}</div><div>{report.replace("5", "6")}</div></body></html>'
    lines = _html("t.html", twice.encode()).text.splitlines()
    assert "一、本年新收政府信息公开申请数量\t6" in lines and "一、本年新收政府信息公开申请数量\t5" not in lines


def test_long_footnote_cell_keeps_a_data_table_and_a_text_frame_is_read_as_blocks() -> None:
    note = "注：" + "本表数据统计口径说明。" * 40
    page = f"""<html><body><table><tr><td>规章</td><td>1</td><td>2</td></tr>
      <tr><td colspan="3">{note}</td></tr></table>
      <table><tr><td><p>{"正文段落一。" * 60}</p><p>正文段落二。</p></td></tr></table></body></html>"""
    lines = _html("f.html", page.encode()).text.splitlines()
    assert lines[:2] == ["规章\t1\t2", note + f"\t{C}\t{C}"]
    assert lines[2:] == ["正文段落一。" * 60, "正文段落二。"]
