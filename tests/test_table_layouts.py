"""Table layouts that used to move numbers silently: each read at its cause, in the text the readers write."""

from __future__ import annotations

from typing import Dict, List

from govreport.normalize import clean_text
from govreport.readers import COVERED
from govreport.tables.from_text import review_litigation_row
from govreport.tables.layout import observe_rows
from govreport.template import load_template

T = load_template()
T2 = T.versions["2021"].tables["active_disclosure"]
T3 = T.versions["2021"].tables["applications"]
T4 = T.versions["2021"].tables["review_litigation"]


def _rows(text: str, table=T3, **kw) -> Dict[str, object]:
    text = clean_text(text)
    return observe_rows(text, 0, len(text), table, **kw).rows


def _cells(obs) -> List[str]:
    return [t.raw if t.kind != "blank" else "" for t in obs.tokens]


def test_a_row_of_placeholders_keeps_them_and_the_next_row_its_numbers() -> None:
    for sep in ("\t", "  "):
        rows = _rows(f"信息内容{sep}本年制发件数{sep}本年废止件数{sep}现行有效件数\n规章{sep}/{sep}/{sep}/\n"
                     f"行政规范性文件{sep}13{sep}5{sep}89\n", T2)
        assert [(t.raw, t.kind) for t in rows["rules"].tokens] == [("/", "placeholder")] * 3, sep
        assert _cells(rows["normative_documents"]) == ["13", "5", "89"], sep


def test_an_empty_grid_row_is_blank_and_claims_nothing() -> None:
    text = ("\t\t1.属于国家秘密\t\t\t\t\t\t\t\n"
            "\t\t2.其他法律行政法规禁止公开\t3\t1\t\t\t\t\t4\n")
    rows = _rows(text, empty_blank=True)
    assert [t.kind for t in rows["denied_state_secret"].tokens] == ["blank"] * 7
    assert _cells(rows["denied_law_prohibited"]) == ["3", "1", "", "", "", "", "4"]


def test_label_columns_and_merged_positions_are_not_cells() -> None:
    # an empty third label column before the numbers and a blank 总计 after them (FINDINGS E), and a
    # 商业企业 value merged over two grid positions
    text = (f"三、本年度办理结果\t(一)予以公开\t\t160\t9\t0\t0\t8\t3\t\n"
            f"{COVERED}\t(二)部分公开\t\t18\t1{COVERED}\t\t0\t0\t1\t1\t\n")
    rows = _rows(text.replace(f"1{COVERED}\t", f"1\t{COVERED}\t"), empty_blank=True)
    assert _cells(rows["granted"]) == ["160", "9", "0", "0", "8", "3", ""]
    assert _cells(rows["partially_granted"]) == ["18", "1", "", "0", "0", "1", "1"][:7]


def test_table_four_grid_with_a_merged_position() -> None:
    values = ["10", "4", "3", "5", "22", "0", "0", "1", "0", "1", "2", "1", "2", "1", "6"]
    line = "\t".join(values[:5] + [COVERED] + values[5:])
    row = review_litigation_row(line + "\n", 0, len(line) + 1, T4, empty_blank=True)
    assert row.positional and [t.raw for t in row.tokens] == values


LAYOUT = """\
                                        申请人情况
                              自然    商业   科研   社会   法律   其他   总计
一、本年新收政府信息公开申请数量        12     3      0      1      0      2      18
二、上年结转政府信息公开申请数量        1                                         1
     （一）予以公开                     6      2      0      1      0      1      10
     （二）部分公开                     3                                         3
"""


def test_layout_text_cells_go_under_their_columns() -> None:
    rows = _rows(LAYOUT)
    assert _cells(rows["carried_over"]) == ["1", "", "", "", "", "", "1"]
    assert rows["carried_over"].positional and "by_column_offset" in rows["carried_over"].guesses
    assert _cells(rows["partially_granted"]) == ["3", "", "", "", "", "", "3"]
    assert _cells(rows["new_received"]) == ["12", "3", "0", "1", "0", "2", "18"]


def test_raw_text_is_not_read_by_position() -> None:
    raw = "\n".join(" ".join(line.split()) for line in LAYOUT.splitlines()) + "\n"
    rows = _rows(raw)
    assert not rows["carried_over"].positional and _cells(rows["carried_over"]) == ["1", "1"]


def _at(items) -> str:
    """A line of ``-layout`` text: each string at its character position (a CJK character counts one)."""
    out = ""
    for col, s in items:
        out = out.ljust(col) + s
    return out


def test_columns_from_the_header_when_no_row_is_complete() -> None:
    text = "\n".join([
        _at([(30, "自然"), (40, "商业"), (50, "科研"), (60, "社会"), (70, "法律"), (80, "其他"), (90, "总计")]),
        _at([(31, "人"), (40, "企业"), (50, "机构"), (60, "公益"), (70, "服务")]),
        _at([(0, "一、本年新收政府信息公开申请数量"), (32, "5"), (42, "2"), (92, "7")]),
        _at([(0, "二、上年结转政府信息公开申请数量"), (42, "1"), (92, "1")]),
    ]) + "\n"
    rows = _rows(text)
    assert _cells(rows["new_received"]) == ["5", "2", "", "", "", "", "7"]
    assert _cells(rows["carried_over"]) == ["", "1", "", "", "", "", "1"]
    # the same rows as -raw prints them: no position to go by
    rows = _rows("\n".join(" ".join(ln.split()) for ln in text.splitlines()) + "\n")
    assert not rows["carried_over"].positional


def test_a_label_wrapped_around_its_numbers_owns_them() -> None:
    text = """\
             1.属于国家秘密                  0     0     0     0     0     0     0
            2.其他法律行政法规禁
                                            1     0     0     0     0     0     1
                 止公开
             3.危及“三安全一稳定”            0     0     0     0     0     0     0
"""
    rows = _rows(text)
    assert _cells(rows["denied_law_prohibited"]) == ["1", "0", "0", "0", "0", "0", "1"]
    assert "split_label" in rows["denied_law_prohibited"].guesses
    assert _cells(rows["denied_three_safety_one_stability"]) == ["0"] * 7


def test_a_gloss_after_the_label() -> None:
    rows = _rows("规章（设区的市级以上人民政府填报）  5  1  7\n行政规范性文件  13  5  89\n", T2)
    assert _cells(rows["rules"]) == ["5", "1", "7"] and not rows["rules"].guesses


def test_a_row_printed_empty_in_text_is_blank_by_a_guess() -> None:
    text = "规章  1  0  4\n行政规范性文件\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可  5\n"
    rows = _rows(text, T2)
    assert [t.kind for t in rows["normative_documents"].tokens] == ["blank"] * 3
    assert rows["normative_documents"].guesses == ["printed_empty"]


def test_a_running_header_year_is_not_a_cell_and_a_row_over_lines_is_a_guess() -> None:
    text = ("第二十条第（八）项\n信息内容  上一年项目数量  本年增/减\n行政事业性收费            2\n\n"
            "2020年某省人民政府政府信息公开工作年度报告\n第二十条第（九）项\n")
    rows = _rows(text, T.versions["2019"].tables["active_disclosure"])
    assert [t.raw for t in rows["admin_fees"].tokens] == ["2"]
    rows = _rows("规章  1\n   0\n   4\n行政规范性文件  13  5  89\n", T2)
    assert _cells(rows["rules"]) == ["1", "0", "4"] and "multi_line" in rows["rules"].guesses


# ---------------------------------------------------------------------------------------------
# columns and labels the template does not have (tests/layoutgen/variants.py: the adversary's dimensions)

T3_HEAD = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\t\t\t\t\t\t\t{extra}\n"
           "\t\t自然人\t法人或其他组织\t\t\t\t\t{sub_head}总计\t\n"
           "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t{sub}\t\n")


def test_a_remark_column_after_the_total_is_no_cell() -> None:
    # a 备注 column holding "/" or "无": the row is read under its header's column names, not by
    # dropping a "leading empty label column" (which moved every number one column left)
    head = T3_HEAD.format(extra="备注", sub_head="", sub="").replace("\t\t\n", "\t\n")
    text = head + ("\t1.属于国家秘密\t\t1\t\t\t3\t\t\t/\n"
                   "\t2.其他法律行政法规禁止公开\t2\t\t\t\t\t\t2\t无\n")
    rows = _rows(text, empty_blank=True)
    assert _cells(rows["denied_state_secret"]) == ["", "1", "", "", "3", "", ""]
    assert not rows["denied_state_secret"].guesses
    assert _cells(rows["denied_law_prohibited"]) == ["2", "", "", "", "", "", "2"]


def test_a_subtotal_column_is_no_cell_under_its_header_and_a_guess_without_it() -> None:
    head = T3_HEAD.format(extra="", sub_head="\t", sub="小计")
    grid = head + "\t（一）予以公开\t5\t1\t\t\t2\t\t3\t\n"  # 总计 not filled; 3 is the 小计
    rows = _rows(grid, empty_blank=True)
    assert _cells(rows["granted"]) == ["5", "1", "", "", "2", "", ""] and not rows["granted"].guesses
    # the same table as -raw text: seven numbers for seven columns only by their count
    raw = ("申请人情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他 小计\n"
           "（一）予以公开 1 2 0 4 0 7 7\n")
    rows = _rows(raw)
    assert "added_column" in rows["granted"].guesses


def test_a_subtotal_column_in_text_is_flagged_not_read_as_cells(tmp_path) -> None:
    """Through the real entry point: a -raw text whose table 三 has a 小计 column and a blank 自然人 cell
    prints seven numbers in a row of eight columns; no cell of that row may come out ``ok`` and wrong."""
    import govreport

    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况",
             "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他 小计"]
    labels = [r for r in T3.data_rows]
    truth = {}
    for r in labels:  # every row: 自然人 2, 商业企业 1, others 0, 小计 1, 总计 3
        vals = ["2", "1", "0", "0", "0", "0", "1", "3"]
        if r.key == "not_processed_petition":
            vals = ["1", "0", "0", "0", "0", "1", "1"]  # 自然人 printed empty: seven numbers
        truth[r.key] = vals
        lines.append(r.label + " " + " ".join(vals))
    text = "\n".join(lines) + "\n四、政府信息公开行政复议、行政诉讼情况\n"
    path = tmp_path / "subtotal.txt"
    path.write_text(text, "utf-8")
    rec = govreport.extract(path).to_dict()
    for col, want in zip(["natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
                          "legal_service_org", "other_org", "total"], [None, 1, 0, 0, 0, 0, 1]):
        ref = "applications.not_processed_petition." + col
        got, status = rec["tables"]["applications"]["not_processed_petition"][col], rec["cells"][ref]["status"]
        assert got == want or status not in ("ok", "blank", "placeholder"), (ref, got, status)


def test_a_bare_two_character_label_with_a_rival_place_is_a_guess() -> None:
    # 其他 (3.其他 without its list number) is also the middle piece of （六）其他处理 broken over lines;
    # whichever place is chosen, the choice is a guess
    text = ("\t（六）\n"
            "\t其他\t32\t3\t1\t5\t/\t0\t41\n"
            "\t处理\n"
            "\t其他\t188\t26\t1\t2\t\t5\t222\n"
            "\t（七）总计\t300\t40\t5\t10\t1\t9\t365\n")
    rows = _rows(text, empty_blank=True)
    assert "label_ambiguous" in rows["other_other"].guesses


def test_an_html_row_that_lacks_cells_is_not_padded_with_empty_ones() -> None:
    from govreport.readers.html import grid_lines

    lines = grid_lines([[("一、本年新收", 1, 1), ("3", 1, 1), ("", 1, 1), ("", 1, 1), ("3", 1, 1)],
                        [("二、上年结转", 1, 1), ("1", 1, 1), ("1", 1, 1)]])  # its empty cells not written
    assert lines == ["一、本年新收\t3\t\t\t3", "二、上年结转\t1\t1"]


def test_a_total_column_printed_first_is_read_under_its_header() -> None:
    head = ("\t\t申请人情况\t\t\t\t\t\t\n"
            "\t\t总计\t自然人\t法人或其他组织\t\t\t\t\n"
            "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n")
    rows = _rows(head + "\t（一）予以公开\t9\t5\t1\t\t\t3\t\n", empty_blank=True)
    assert _cells(rows["granted"]) == ["5", "1", "", "", "3", "", "9"] and not rows["granted"].guesses


def test_a_total_column_printed_first_in_text_makes_every_row_read_by_count_a_guess() -> None:
    # -raw: the header cells in the order they were drawn; -layout: 总计 left of 自然人 on the page
    raw = "申请人情况\n总计 自然人\n法人或其他组织\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n（一）予以公开 9 5 1 0 3 0 0\n"
    layout = ("                                申请人情况\n"
              "                       自然人      商业企业  科研机构  社会公益组织  法律服务机构  其他\n"
              "                 总计\n"
              "（一）予以公开     9     5     1     0     3     0     0\n")
    for text in (raw, layout):
        assert "columns_reordered" in _rows(text)["granted"].guesses, text


def test_placeholder_rows_between_a_header_and_a_row_name_no_column() -> None:
    # a row of placeholders only (no digit) above is no header naming extra columns: the fields past the
    # header's columns (another page's grid, wider) keep the row from being read under that header
    head = ("\t申请人情况\t\t\t\t\t\t\n\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
            "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n")
    text = head + ("（二）部分公开\t\t\t/\t/\t/\t/\t/\t/\t/\n"
                   "四、结转下年度继续办理\t\t\t/\t4\t/\t/\t/\t/\t4\n")
    rows = _rows(text, empty_blank=True)
    assert [t.raw for t in rows["carried_forward"].tokens] == ["/", "4", "/", "/", "/", "/", "4"]


def test_rows_whose_first_number_is_the_sum_of_the_others_make_every_row_a_guess() -> None:
    # the header over several lines does not tell 总计 from 自然人 by position; the numbers do
    text = ("一、本年新收政府信息公开申请数量  2662  1642  574  82  47  190  127\n"
            "二、上年结转政府信息公开申请数量  264  228  20  2  0  7  7\n")
    rows = _rows(text)
    assert "columns_reordered" in rows["new_received"].guesses and "columns_reordered" in rows["carried_over"].guesses
    normal = text.replace("2662  1642  574  82  47  190  127", "1642  574  82  47  190  127  2662") \
        .replace("264  228  20  2  0  7  7", "228  20  2  0  7  7  264")
    assert not _rows(normal)["new_received"].guesses


def test_a_remark_column_named_in_a_narrow_column_of_layout_text_makes_a_column_guess() -> None:
    # 备 above 注 in the header (-layout keeps the narrow column's characters one per line); the row
    # prints 7 fields (自然人, four placeholders, 总计, the 备注 "/") for 8 columns, one printed empty
    lines = [" " * 21 + "申请人情况",
             " （本列数据的勾稽关系为：" + " " * 11 + "法人或其他组织",
             " 第一项加第二项之和，等于",
             " " * 13 + "自然人" + " " * 37 + "总计",
             "   （七）总计     5     -     —     -     -          5      /"]
    col = len(lines[3]) + 6
    lines[1] = lines[1].ljust(col) + "备"
    lines[3] = lines[3].ljust(col) + "注"
    text = "\n".join(lines) + "\n"
    rows = _rows(text)
    assert "added_column" in rows["total_processed"].guesses


def test_a_row_wider_than_its_header_is_not_read_under_the_header_columns() -> None:
    # a PDF grid that splits the label columns differently from row to row: the (二) row has one field
    # more than the header, so its 总计 would stand under the header's 备注 and be lost
    head = T3_HEAD.format(extra="备注", sub_head="", sub="").replace("\t\t\n", "\t\n")
    text = head + f"\t（二）部分公开\t{COVERED}\t4\t1\t/\t/\t/\t/\t5\t\n"
    rows = _rows(text, empty_blank=True)
    assert [t.raw for t in rows["partially_granted"].tokens] == ["4", "1", "/", "/", "/", "/", "5"]
