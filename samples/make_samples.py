#!/usr/bin/env python3
"""Generate invented sample 政府信息公开工作年度报告 texts with their truth files.

Everything here is made up: the bodies (云溪县人民政府, 云溪县交通运输局), the prose and the
numbers.  Only the table labels follow the official formats (国办公开办函〔2021〕30号 and
〔2019〕60号, keys as in ``template.json``).  Standard library only (plus reportlab for the optional
PDF), deterministic: a fixed seed per report and no clock, so ``python samples/make_samples.py
[OUTDIR]`` writes byte-identical files on every run.

Files written (default OUTDIR: the folder of this script)::

    sample-2021.txt               2021 format, clean tab-grid text (UTF-8)
    sample-2021.gb18030.txt       the same text encoded in GB18030
    sample-2021-runtogether.txt   the same report flattened like a crawler dump (cells run together)
    sample-2021.truth.json        truth for the three 2021 files (corpus gold format)
    sample-2019.txt               2019 format, clean tab-grid text (UTF-8)
    sample-2019.truth.json        truth for sample-2019.txt
    sample-2021.pdf               the 2021 report as a WPS/Word-style PDF export (ruled tables, merged
                                  cells, table 三 over a page break); only when reportlab is installed

The PDF is the one optional part: reportlab is imported inside ``render_pdf`` only, and without it the
other files are still written (a note on stderr says the PDF was skipped).

Importable API (seeds other than the defaults give other, equally consistent reports)::

    make_report_2021(seed=DEFAULT_SEED_2021) -> dict     # structured report ("items", "truth", ...)
    make_report_2019(seed=DEFAULT_SEED_2019) -> dict
    render_grid(report) -> str                           # clean tab-separated grid text
    render_runtogether(report) -> str                    # crawler-style flattened text
    render_pdf(report) -> bytes                          # PDF export (needs reportlab)
    build_2021(seed=DEFAULT_SEED_2021) -> (text, truth)  # grid text
    build_2021_runtogether(seed=DEFAULT_SEED_2021) -> (text, truth)
    build_2019(seed=DEFAULT_SEED_2019) -> (text, truth)  # grid text
    check_truth(truth) -> list[str]                      # hard-check failures (empty when consistent)
    write_samples(outdir, pdf=True) -> list[pathlib.Path]
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

DEFAULT_SEED_2021 = 20231
DEFAULT_SEED_2019 = 20201

SECTION_NUMBERS = ["一", "二", "三", "四", "五", "六"]
SECTION_TITLES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

# ---------------------------------------------------------------------------------------------
# table layouts (labels verbatim from template.json)

# table 二: (caption, [(column key, header label)], [(row key, row label)])
ACTIVE_BLOCKS = {
    "2021": [
        ("第二十条第（一）项",
         [("issued_this_year", "本年制发件数"), ("repealed_this_year", "本年废止件数"), ("in_force", "现行有效件数")],
         [("rules", "规章"), ("normative_documents", "行政规范性文件")]),
        ("第二十条第（五）项", [("decisions_this_year", "本年处理决定数量")], [("admin_licensing", "行政许可")]),
        ("第二十条第（六）项", [("decisions_this_year", "本年处理决定数量")],
         [("admin_penalty", "行政处罚"), ("admin_coercion", "行政强制")]),
        ("第二十条第（八）项", [("fee_amount", "本年收费金额（单位：万元）")], [("admin_fees", "行政事业性收费")]),
    ],
    "2019": [
        ("第二十条第（一）项",
         [("newly_made", "本年新制作数量"), ("newly_published", "本年新公开数量"), ("total_published", "对外公开总数量")],
         [("rules", "规章"), ("normative_documents", "规范性文件")]),
        ("第二十条第（五）项",
         [("prev_year_items", "上一年项目数量"), ("change_this_year", "本年增/减"), ("decisions", "处理决定数量")],
         [("admin_licensing", "行政许可"), ("other_external_services", "其他对外管理服务事项")]),
        ("第二十条第（六）项",
         [("prev_year_items", "上一年项目数量"), ("change_this_year", "本年增/减"), ("decisions", "处理决定数量")],
         [("admin_penalty", "行政处罚"), ("admin_coercion", "行政强制")]),
        ("第二十条第（八）项", [("prev_year_items", "上一年项目数量"), ("change_this_year", "本年增/减")],
         [("admin_fees", "行政事业性收费")]),
        ("第二十条第（九）项", [("procurement_items", "采购项目数量"), ("procurement_total_amount", "采购总金额")],
         [("government_centralized_procurement", "政府集中采购")]),
    ],
}

APPLICANT_COLUMNS = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("public_welfare_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
]
APPLICANT_KEYS = [k for k, _ in APPLICANT_COLUMNS]
APPLICATION_COLUMNS = APPLICANT_KEYS + ["total"]

CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_HEADER = "三、本年度办理结果"
RESULTS_HEADER_PIECES = ["三、本年", "度办理", "结果"]  # the vertical cell, one piece per row

# group key -> (group header label, pieces of the vertical cell as rendered, one per row)
GROUPS = {
    "denied": ("（三）不予公开", ["（三）不予", "公开"]),
    "unable": ("（四）无法提供", ["（四）无法提供"]),
    "not_processed": ("（五）不予处理", ["（五）不予处理"]),
    "other": ("（六）其他处理", ["（六）其他处理"]),
}

# (row key, label, zone, group); zone: "top" (spans 3 label columns) or "result" (under 三、本年度办理结果)
_ROWS_HEAD = [
    ("new_received", "一、本年新收政府信息公开申请数量", "top", None),
    ("carried_over", "二、上年结转政府信息公开申请数量", "top", None),
    ("granted", "（一）予以公开", "result", None),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result", None),
    ("denied_state_secret", "1.属于国家秘密", "result", "denied"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开", "result", "denied"),
    ("denied_three_safety_one_stability", "3.危及“三安全一稳定”", "result", "denied"),
    ("denied_third_party_rights", "4.保护第三方合法权益", "result", "denied"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", "result", "denied"),
    ("denied_process_info", "6.属于四类过程性信息", "result", "denied"),
    ("denied_enforcement_case_file", "7.属于行政执法案卷", "result", "denied"),
    ("denied_admin_query", "8.属于行政查询事项", "result", "denied"),
    ("unable_not_held", "1.本机关不掌握相关政府信息", "result", "unable"),
    ("unable_needs_creation", "2.没有现成信息需要另行制作", "result", "unable"),
    ("unable_unclear_after_correction", "3.补正后申请内容仍不明确", "result", "unable"),
    ("not_processed_petition", "1.信访举报投诉类申请", "result", "not_processed"),
    ("not_processed_repeat", "2.重复申请", "result", "not_processed"),
    ("not_processed_publication", "3.要求提供公开出版物", "result", "not_processed"),
    ("not_processed_excessive", "4.无正当理由大量反复申请", "result", "not_processed"),
    ("not_processed_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息", "result", "not_processed"),
]
_ROWS_TAIL = [
    ("total_processed", "（七）总计", "result", None),
    ("carried_forward", "四、结转下年度继续办理", "top", None),
]
APPLICATION_ROWS = {
    "2021": _ROWS_HEAD + [
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "result", "other"),
        ("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "result", "other"),
        ("other_other", "3.其他", "result", "other"),
    ] + _ROWS_TAIL,
    "2019": _ROWS_HEAD + [("other_processing", "（六）其他处理", "result", None)] + _ROWS_TAIL,
}

# long labels wrapped across two tab cells in the grid rendering (pieces must join to the label)
WRAPPED_LABELS = {
    "new_received": ("一、本年", "新收政府信息公开申请数量"),
    "partially_granted": ("（二）部分公开（区分处理的，只计这一情形，", "不计其他情形）"),
    "carried_forward": ("四、结转", "下年度继续办理"),
}

REVIEW_GROUPS = ["review", "lit_direct", "lit_after_review"]
REVIEW_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_COLUMN_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

# expected count per natural person at scale 1.0 (other applicant types are scaled down)
_RESULT_BASES = {
    "granted": 260, "partially_granted": 38,
    "denied_state_secret": 1, "denied_law_prohibited": 3, "denied_three_safety_one_stability": 2,
    "denied_third_party_rights": 4, "denied_internal_affairs": 2, "denied_process_info": 5,
    "denied_enforcement_case_file": 3, "denied_admin_query": 7,
    "unable_not_held": 96, "unable_needs_creation": 11, "unable_unclear_after_correction": 4,
    "not_processed_petition": 12, "not_processed_repeat": 8, "not_processed_publication": 2,
    "not_processed_excessive": 1, "not_processed_confirm_or_reissue": 3,
    "other_no_correction": 9, "other_fee_unpaid": 1, "other_other": 6,
    "other_processing": 14,
}
_APPLICANT_SCALES = {
    "natural_person": 1.0, "commercial_enterprise": 0.2, "research_institution": 0.012,
    "public_welfare_org": 0.02, "legal_service_org": 0.07, "other_org": 0.04,
}


# ---------------------------------------------------------------------------------------------
# numbers

def _draw(rng: random.Random, mean: float) -> int:
    return int(mean * rng.uniform(0.5, 1.5) + rng.random())


def _cents(rng: random.Random, lo: int, hi: int) -> float:
    """A money amount with two decimals whose last digit is not 0 (so it prints as ``12.35``)."""
    value = rng.randint(lo, hi)
    if value % 10 == 0:
        value += rng.randint(1, 9)
    return value / 100


def _make_applications(rng: random.Random, version: str, size: float) -> Dict[str, Dict[str, int]]:
    """Result rows first, then totals derived from them, so every hard check holds by construction."""
    rows = APPLICATION_ROWS[version]
    result_keys = [k for k, _, zone, _ in rows if zone == "result" and k != "total_processed"]
    table: Dict[str, Dict[str, int]] = {k: {} for k, _, _, _ in rows}
    for col in APPLICANT_KEYS:
        scale = _APPLICANT_SCALES[col] * size
        for key in result_keys:
            table[key][col] = _draw(rng, _RESULT_BASES[key] * scale)
        processed = sum(table[key][col] for key in result_keys)
        forward = _draw(rng, 18 * scale)
        over = min(_draw(rng, 11 * scale), processed + forward)
        table["total_processed"][col] = processed
        table["carried_forward"][col] = forward
        table["carried_over"][col] = over
        table["new_received"][col] = processed + forward - over
    for key in table:
        table[key]["total"] = sum(table[key][col] for col in APPLICANT_KEYS)
    # key order as in the template, columns in template order
    return {k: {c: table[k][c] for c in APPLICATION_COLUMNS} for k, _, _, _ in rows}


def _make_review(rng: random.Random, ranges: Dict[str, Sequence[Tuple[int, int]]]) -> Dict[str, Dict[str, int]]:
    out: Dict[str, Dict[str, int]] = {}
    for group in REVIEW_GROUPS:
        parts = [rng.randint(lo, hi) for lo, hi in ranges[group]]
        out[group] = dict(zip(REVIEW_COLUMNS[:4], parts, strict=False))
        out[group]["total"] = sum(parts)
    return out


def _truth(file: str, issuer: str, year: int, version: str, tables: dict, seed: int) -> dict:
    return {
        "file": file,
        "report": {"issuer": issuer, "year": year, "template": version},
        "tables": tables,
        "unreadable": [],
        "source_check_failures": [],
        "sections_present": list(SECTION_NUMBERS),
        "notes": ("Invented sample written by samples/make_samples.py (seed %d): fictional body, prose and "
                  "numbers; tables in the %s format; every hard check of template.json holds." % (seed, version)),
    }


def check_truth(truth: dict) -> List[str]:
    """Hard checks of template.json, hand-coded (the tests evaluate the template's own expressions)."""
    version = truth["report"]["template"]
    tables = truth["tables"]
    app = tables["applications"]
    rows = APPLICATION_ROWS[version]
    result_keys = [k for k, _, zone, _ in rows if zone == "result" and k != "total_processed"]
    failures = []
    for col in APPLICATION_COLUMNS:
        if app["new_received"][col] + app["carried_over"][col] != app["total_processed"][col] + app["carried_forward"][col]:
            failures.append("applications_balance.%s" % col)
        if app["total_processed"][col] != sum(app[k][col] for k in result_keys):
            failures.append("applications_results_sum.%s" % col)
    for key, values in app.items():
        if values["total"] != sum(values[c] for c in APPLICANT_KEYS):
            failures.append("applications_column_total.%s" % key)
        if any(not isinstance(v, int) or v < 0 for v in values.values()):
            failures.append("applications_nonnegative_integer.%s" % key)
    for group, values in tables["review_litigation"].items():
        if values["total"] != sum(values[c] for c in REVIEW_COLUMNS[:4]):
            failures.append("review_litigation_%s_total" % group)
        if any(not isinstance(v, int) or v < 0 for v in values.values()):
            failures.append("review_litigation_nonnegative_integer.%s" % group)
    for key, values in tables["active_disclosure"].items():
        for col, v in values.items():
            if col != "change_this_year" and v < 0:
                failures.append("active_disclosure_nonnegative.%s.%s" % (key, col))
    return failures


# ---------------------------------------------------------------------------------------------
# report model: {"version", "title", "truth", "items": [(kind, payload), ...]}
# kinds: "para" (one paragraph or heading line), "table2", "table3", "table4"

def _report(version: str, title: str, truth: dict, items: list) -> dict:
    failures = check_truth(truth)
    if failures:  # cannot happen by construction; guard against edits of this file
        raise AssertionError("inconsistent sample numbers: %s" % failures)
    return {"version": version, "title": title, "truth": truth, "items": items}


def make_report_2021(seed: int = DEFAULT_SEED_2021) -> dict:
    """云溪县人民政府, report year 2023, 2021 format."""
    rng = random.Random(seed)
    issuer, year = "云溪县人民政府", 2023
    issued = rng.randint(6, 15)
    repealed = rng.randint(2, 7)
    active = {
        "rules": {"issued_this_year": 0, "repealed_this_year": 0, "in_force": 0},
        "normative_documents": {"issued_this_year": issued, "repealed_this_year": repealed,
                                "in_force": issued + rng.randint(38, 85)},
        "admin_licensing": {"decisions_this_year": rng.randint(3200, 8800)},
        "admin_penalty": {"decisions_this_year": rng.randint(420, 1500)},
        "admin_coercion": {"decisions_this_year": rng.randint(12, 80)},
        "admin_fees": {"fee_amount": _cents(rng, 501, 4999)},
    }
    app = _make_applications(rng, "2021", 1.0)
    review = _make_review(rng, {
        "review": [(2, 6), (1, 2), (0, 2), (1, 2)],
        "lit_direct": [(1, 3), (0, 1), (0, 1), (1, 2)],
        "lit_after_review": [(1, 2), (0, 1), (0, 1), (0, 1)],
    })
    tables = {"active_disclosure": active, "applications": app, "review_litigation": review}
    truth = _truth("sample-2021.txt", issuer, year, "2021", tables, seed)

    web_items = rng.randint(3100, 4800)
    finance_items = rng.randint(60, 140)
    key_items = rng.randint(700, 1300)
    readings = rng.randint(30, 60)
    visual_readings = rng.randint(8, readings // 2)
    reviewed = rng.randint(2600, 3900)
    media_posts = rng.randint(1500, 2600)
    business_policies = rng.randint(60, 150)
    visitors = rng.randint(120, 400)
    patrols = rng.randint(4, 6)
    problems = rng.randint(9, 30)
    trainings = rng.randint(2, 5)
    trainees = trainings * rng.randint(40, 70)
    spot_checks = rng.randint(10, 12)
    fee_yuan = rng.randint(2, 9) * 50
    proposals_npc = rng.randint(20, 45)
    proposals_cppcc = rng.randint(25, 60)
    org_received = app["new_received"]["total"] - app["new_received"]["natural_person"]
    lawsuits = review["lit_direct"]["total"] + review["lit_after_review"]["total"]

    items = [
        ("para", "本报告由云溪县人民政府办公室编写，编写依据为《中华人民共和国政府信息公开条例》第五十条，"
                 "表格沿用国办公开办函〔2021〕30号所附格式。报告汇总了县政府各组成部门和各乡镇报送的材料，"
                 "所涉数据均截至2023年12月31日，统计起点为当年1月1日。对本报告内容有疑问的，"
                 "可向县政府办公室政务公开股咨询（地址：云溪县溪口大道88号，联系电话：0000-8123456）。"),
        ("para", SECTION_TITLES[0]),
        ("para", "2023年，云溪县人民政府把政务公开作为转变政府职能、提升治理效能的日常抓手，"
                 "坚持公开为常态、不公开为例外，各项工作按年初计划推进，全年未出现重大公开失误。"),
        ("para", "（一）主动公开"),
        ("para", "全年在县政府门户网站主动发布各类信息%d条，其中财政预决算和“三公”经费信息%d条，"
                 "重点领域信息%d条。县政府本年制发行政规范性文件%d件，全部在签发后按期上网；"
                 "结合专项清理废止%d件，清理后现行有效%d件。围绕稻田综合种养补贴、学前教育资助等事项，"
                 "发布政策解读%d篇，其中采用图解和短视频方式的%d篇。"
                 % (web_items, finance_items, key_items, issued, repealed,
                    active["normative_documents"]["in_force"], readings, visual_readings)),
        ("para", "（二）依申请公开"),
        ("para", "本年度新收政府信息公开申请%d件，其中自然人提出%d件，企业和其他组织提出%d件；"
                 "上年度结转%d件。全年答复办结%d件，其中予以公开%d件、部分公开%d件，"
                 "尚有%d件处于法定答复期限内，结转下年度继续办理。申请内容主要涉及土地征收补偿、"
                 "集体林权流转和建设项目审批。"
                 % (app["new_received"]["total"], app["new_received"]["natural_person"], org_received,
                    app["carried_over"]["total"], app["total_processed"]["total"], app["granted"]["total"],
                    app["partially_granted"]["total"], app["carried_forward"]["total"])),
        ("para", "（三）政府信息管理"),
        ("para", "落实公文公开属性前置审查，拟稿单位在起草阶段即标注公开方式，办公室在核稿环节复核，"
                 "全年审查待发布信息%d条。对涉及个人信息和商业秘密的内容逐项做去标识化处理，"
                 "未发生因发布不当引发的纠纷。政府信息公开指南和目录随机构调整同步修订。" % reviewed),
        ("para", "（四）政府信息公开平台建设"),
        ("para", "门户网站作为公开第一平台，与“云溪发布”微信公众号、视频号联动运行，新媒体全年推送信息%d条。"
                 "网站新开设“涉企政策集中查”栏目，归集涉企政策%d项；县便民服务中心设置公开查阅台，"
                 "全年接待查阅群众%d人次。" % (media_posts, business_policies, visitors)),
        ("para", "（五）监督保障"),
        ("para", "县政府常务会议年内两次听取政务公开工作汇报，各部门明确一名分管负责人和一名联络员。"
                 "县政府办公室开展网站和新媒体专项检查%d轮，发现并督促整改错链、栏目空白等问题%d个；"
                 "举办业务培训%d期，培训%d人次。政务公开工作继续纳入部门年度目标考评，本年度未启动责任追究。"
                 % (patrols, problems, trainings, trainees)),
        ("para", SECTION_TITLES[1]),
        ("table2", None),
        ("para", SECTION_TITLES[2]),
        ("table3", None),
        ("para", SECTION_TITLES[3]),
        ("table4", None),
        ("para", SECTION_TITLES[4]),
        ("para", "上年度报告指出乡镇公开栏更新滞后，本年度建立乡镇栏目按月抽查制度，全年抽查%d次，"
                 "发现的问题均已限期整改。" % spot_checks),
        ("para", "目前仍存在以下不足：一是个别部门答复文书的格式和援引依据不够统一；"
                 "二是政策解读以文字稿为主，面向群众的通俗解读偏少；三是乡镇经办人员调整频繁，业务交接不够顺畅。"),
        ("para", "下一步将采取以下措施：一是编印依申请公开答复范本，每半年组织一次案例讲评；"
                 "二是推行政策文件与解读材料同步起草、同步报审、同步上网；三是建立经办人员交接清单，"
                 "新任人员上岗前完成集中培训。"),
        ("para", SECTION_TITLES[5]),
        ("para", "（一）信息处理费收取情况。本年度依照信息处理费有关规定，对一名申请人超出合理数量的申请"
                 "收取信息处理费%d元，其余申请均未收费。" % fee_yuan),
        ("para", "（二）建议提案办理结果公开情况。本年度县政府系统承办县人大代表建议%d件、县政协委员提案%d件，"
                 "办理复文已在门户网站专栏公开。" % (proposals_npc, proposals_cppcc)),
        ("para", "（三）行政复议和诉讼情况说明。本年度因政府信息公开被申请行政复议%d件、被提起行政诉讼%d件，"
                 "具体结果见第四部分表格。" % (review["review"]["total"], lawsuits)),
        ("para", "云溪县人民政府办公室"),
        ("para", "2024年1月19日"),
    ]
    return _report("2021", "%s%d年政府信息公开工作年度报告" % (issuer, year), truth, items)


def make_report_2019(seed: int = DEFAULT_SEED_2019) -> dict:
    """云溪县交通运输局, report year 2020, 2019 format."""
    rng = random.Random(seed)
    issuer, year = "云溪县交通运输局", 2020
    made = rng.randint(1, 4)
    published = made
    active = {
        "rules": {"newly_made": 0, "newly_published": 0, "total_published": 0},
        "normative_documents": {"newly_made": made, "newly_published": published,
                                "total_published": published + rng.randint(6, 18)},
        "admin_licensing": {"prev_year_items": rng.randint(30, 55), "change_this_year": -rng.randint(2, 6),
                            "decisions": rng.randint(900, 2600)},
        "other_external_services": {"prev_year_items": rng.randint(8, 20), "change_this_year": rng.randint(1, 4),
                                    "decisions": rng.randint(150, 600)},
        "admin_penalty": {"prev_year_items": rng.randint(260, 420), "change_this_year": rng.randint(-15, 15),
                          "decisions": rng.randint(300, 900)},
        "admin_coercion": {"prev_year_items": rng.randint(6, 14), "change_this_year": 0,
                           "decisions": rng.randint(10, 60)},
        "admin_fees": {"prev_year_items": rng.randint(2, 5), "change_this_year": -1},
        "government_centralized_procurement": {"procurement_items": rng.randint(8, 30),
                                               "procurement_total_amount": _cents(rng, 20001, 89999)},
    }
    app = _make_applications(rng, "2019", 0.25)
    review = _make_review(rng, {
        "review": [(1, 3), (0, 1), (0, 1), (0, 1)],
        "lit_direct": [(0, 2), (0, 1), (0, 0), (1, 1)],
        "lit_after_review": [(1, 1), (0, 0), (0, 1), (0, 0)],
    })
    tables = {"active_disclosure": active, "applications": app, "review_litigation": review}
    truth = _truth("sample-2019.txt", issuer, year, "2019", tables, seed)

    posts = rng.randint(400, 900)
    road_km = rng.randint(60, 180)
    checks = rng.randint(20, 40)
    hotline = rng.randint(300, 800)
    trainings = rng.randint(2, 3)
    lic = active["admin_licensing"]
    proc = active["government_centralized_procurement"]

    items = [
        ("para", "依据《中华人民共和国政府信息公开条例》，云溪县交通运输局按国办公开办函〔2019〕60号印发的报告格式，"
                 "编制本局2020年度政府信息公开工作年度报告。报告所称本年度指2020年全年，"
                 "文中数字由局办公室根据各股室和执法大队的台账汇总。本报告电子文本同步登载于"
                 "云溪县人民政府门户网站本局信息公开专栏。"),
        ("para", SECTION_TITLES[0]),
        ("para", "2020年，本局结合农村公路建设、道路运输管理和交通综合执法等业务，持续推进政务信息公开，"
                 "在做好疫情期间客运调度信息发布的同时，完成了年度公开任务。"),
        ("para", "（一）主动公开"),
        ("para", "全年通过局信息公开专栏发布信息%d条，内容涵盖农村公路提档升级、客运班线调整、"
                 "超限超载治理等。本年新制作并公开规范性文件%d件；全年新改建农村公路%d公里，"
                 "项目招标和验收结果均按规定公示。"
                 % (posts, made, road_km)),
        ("para", "（二）依申请公开"),
        ("para", "本年度共收到政府信息公开申请%d件，上年结转%d件，全部依法办理，已答复%d件，"
                 "结转下年度%d件。申请主要涉及道路建设征地和运输经营许可。"
                 % (app["new_received"]["total"], app["carried_over"]["total"], app["total_processed"]["total"],
                    app["carried_forward"]["total"])),
        ("para", "（三）政府信息管理"),
        ("para", "本局对拟公开信息实行股室初审、办公室复审、分管领导审签的三级审核，全年开展公开前审查%d批次，"
                 "同步核对发布内容中的个人信息，未发现泄露个人隐私的情况。"
                 % checks),
        ("para", "（四）政府信息公开平台建设"),
        ("para", "依托县政府门户网站开设的本局专栏集中发布信息，并通过“云溪交通”公众号推送出行提示；"
                 "交通服务热线全年受理群众咨询%d件次，对咨询中反映集中的问题在专栏统一答复。" % hotline),
        ("para", "（五）监督保障"),
        ("para", "本局成立由局长任组长的政务公开领导小组，办公室配备专人负责日常工作；全年组织业务学习%d次，"
                 "并将公开工作完成情况纳入股室年终考核。" % trainings),
        ("para", SECTION_TITLES[1]),
        ("table2", None),
        ("para", SECTION_TITLES[2]),
        ("table3", None),
        ("para", SECTION_TITLES[3]),
        ("table4", None),
        ("para", SECTION_TITLES[4]),
        ("para", "本年度工作仍有不足：专栏部分栏目内容更新间隔较长；依申请公开答复中对法律依据的援引不够规范。"
                 "下一步，本局将建立栏目责任清单，明确各栏目更新时限；组织学习复议纠错案例，"
                 "规范答复文书的说理部分。"),
        ("para", SECTION_TITLES[5]),
        ("para", "本年度行政许可事项因部分事项下放乡镇而减少%d项；全年实施政府集中采购项目%d个，"
                 "采购总金额%.2f万元。本年度未收取信息处理费。"
                 % (-lic["change_this_year"], proc["procurement_items"], proc["procurement_total_amount"])),
        ("para", "云溪县交通运输局"),
        ("para", "2021年1月22日"),
    ]
    return _report("2019", "%s%d年政府信息公开工作年度报告" % (issuer, year), truth, items)


# ---------------------------------------------------------------------------------------------
# rendering

def _fmt(value) -> str:
    if isinstance(value, float):
        return "%.2f" % value
    return str(value)


def _table2_grid(report: dict) -> List[str]:
    active = report["truth"]["tables"]["active_disclosure"]
    lines = []
    for caption, columns, rows in ACTIVE_BLOCKS[report["version"]]:
        lines.append(caption)
        lines.append("\t".join(["信息内容"] + [label for _, label in columns]))
        for key, label in rows:
            lines.append("\t".join([label] + [_fmt(active[key][c]) for c, _ in columns]))
    return lines


def _table2_flat(report: dict) -> str:
    active = report["truth"]["tables"]["active_disclosure"]
    out = []
    for caption, columns, rows in ACTIVE_BLOCKS[report["version"]]:
        out.append(caption + "信息内容" + "".join(label for _, label in columns))
        for key, label in rows:
            out.append(label + "".join(_fmt(active[key][c]) for c, _ in columns))
    return "".join(out)


def _table3_header_grid() -> List[str]:
    return [
        CORNER_NOTE + "\t\t\t申请人情况",
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t\t" + "\t".join(label for _, label in APPLICANT_COLUMNS[1:]),
    ]


def _table3_header_flat() -> str:
    return (CORNER_NOTE + "申请人情况自然人法人或其他组织总计"
            + "".join(label for _, label in APPLICANT_COLUMNS[1:]))


def _vertical_pieces(n_rows: int, pieces: Sequence[str]) -> List[str]:
    """Spread a vertical merged cell over ``n_rows`` rows, its text centred as in PDF extracts."""
    cells = [""] * n_rows
    start = (n_rows - len(pieces)) // 2
    for i, piece in enumerate(pieces):
        cells[start + i] = piece
    return cells


def _table3_grid(report: dict) -> List[str]:
    app = report["truth"]["tables"]["applications"]
    rows = APPLICATION_ROWS[report["version"]]
    result_rows = [r for r in rows if r[2] == "result"]
    results_col = dict(zip([r[0] for r in result_rows],
                           _vertical_pieces(len(result_rows), RESULTS_HEADER_PIECES), strict=False))
    group_col: Dict[str, str] = {}
    for group, (_, pieces) in GROUPS.items():
        members = [r[0] for r in rows if r[3] == group]
        if members:
            group_col.update(zip(members, _vertical_pieces(len(members), pieces), strict=False))
    lines = _table3_header_grid()
    for key, label, zone, group in rows:
        wrapped = WRAPPED_LABELS.get(key)
        if wrapped is not None:
            assert "".join(wrapped) == label, key
        if zone == "top":
            pieces = list(wrapped) if wrapped else [label]
            label_cells = pieces + [""] * (3 - len(pieces))
        elif group is None:
            pieces = list(wrapped) if wrapped else [label, ""]
            label_cells = [results_col[key]] + pieces
        else:
            label_cells = [results_col[key], group_col[key], label]
        assert len(label_cells) == 3, key
        lines.append("\t".join(label_cells + [_fmt(app[key][c]) for c in APPLICATION_COLUMNS]))
    return lines


def _table3_flat(report: dict) -> str:
    """HTML reading order: a merged cell's text comes once, before the first row it spans."""
    app = report["truth"]["tables"]["applications"]
    rows = APPLICATION_ROWS[report["version"]]
    out = [_table3_header_flat()]
    seen_results = False
    seen_groups = set()
    for key, label, zone, group in rows:
        prefix = ""
        if zone == "result" and not seen_results:
            prefix += RESULTS_HEADER
            seen_results = True
        if group is not None and group not in seen_groups:
            prefix += GROUPS[group][0]
            seen_groups.add(group)
        out.append(prefix + label + "".join(_fmt(app[key][c]) for c in APPLICATION_COLUMNS))
    return "".join(out)


def _table4_values(report: dict) -> List[str]:
    review = report["truth"]["tables"]["review_litigation"]
    return [_fmt(review[g][c]) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]


def _table4_grid(report: dict) -> List[str]:
    sub = "\t".join(REVIEW_COLUMN_LABELS)
    return [
        "行政复议\t\t\t\t\t行政诉讼",
        sub + "\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        "\t\t\t\t\t" + sub + "\t" + sub,
        "\t".join(_table4_values(report)),
    ]


def _table4_flat(report: dict) -> str:
    sub = "".join(REVIEW_COLUMN_LABELS)
    return ("行政复议行政诉讼" + sub + "未经复议直接起诉复议后起诉" + sub + sub
            + "".join(_table4_values(report)))


_GRID = {"table2": _table2_grid, "table3": _table3_grid, "table4": _table4_grid}
_FLAT = {"table2": _table2_flat, "table3": _table3_flat, "table4": _table4_flat}


def render_grid(report: dict) -> str:
    """Clean extracted text: paragraphs separated by blank lines, tables as tab-separated grids."""
    chunks = [report["title"]]
    for kind, payload in report["items"]:
        if kind == "para":
            chunks.append(payload)
        else:
            chunks.append("\n".join(_GRID[kind](report)))
    return "\n\n".join(chunks) + "\n"


def render_runtogether(report: dict) -> str:
    """Crawler-dump text: title, a breadcrumb line, then the whole body on one line, cells unseparated."""
    body = "".join(payload if kind == "para" else _FLAT[kind](report) for kind, payload in report["items"])
    breadcrumb = "当前位置：首页 > 政务公开 > 政府信息公开年报 > " + report["title"]
    return "\n".join([report["title"], breadcrumb, report["title"] + body]) + "\n"


# ---------------------------------------------------------------------------------------------
# PDF rendering (optional: needs reportlab, imported inside render_pdf only)

PDF_FILE = "sample-2021.pdf"
# the reportlab version goes into the PDF's Creator: another version may lay the bytes out differently
PDF_CREATOR = "samples/make_samples.py (reportlab %s)"
PDF_FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 CID font: no font file, not embedded

# table 三 column headers as wrapped in the Word table (narrow columns)
_APPLICANT_HEADER_LINES = {
    "natural_person": ["自然人"],
    "commercial_enterprise": ["商业", "企业"],
    "research_institution": ["科研", "机构"],
    "public_welfare_org": ["社会", "公益", "组织"],
    "legal_service_org": ["法律", "服务", "机构"],
    "other_org": ["其他"],
    "total": ["总计"],
}


def render_pdf(report: dict) -> bytes:
    """The report as a WPS/Word-style PDF export: A4, prose, ruled tables with merged cells.

    Tables 二/三/四 follow the physical layout of the official format (TEMPLATE.md §2.2–2.4); table 三
    continues over a page break with its three header rows repeated.  Byte-identical on every run
    (``invariant=1``).  Raises ImportError when reportlab is not installed.
    """
    from reportlab import Version as reportlab_version
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))

    def style(name, size, leading, align=TA_LEFT, indent=0.0, before=0.0, after=0.0):
        return ParagraphStyle(name, fontName=PDF_FONT, fontSize=size, leading=leading, alignment=align,
                              firstLineIndent=indent, spaceBefore=before, spaceAfter=after, wordWrap="CJK")

    title_style = style("title", 18, 26, TA_CENTER, after=14)
    body_style = style("body", 12, 20, TA_LEFT, indent=24, after=2)
    heading_style = style("heading", 12, 20, TA_LEFT, indent=24, before=6, after=2)
    sign_style = style("sign", 12, 20, TA_RIGHT)
    cell_style = style("cell", 9, 11.5, TA_CENTER)
    label_style = style("label", 9, 11.5, TA_LEFT)

    def cell(text, st=cell_style):
        return Paragraph(text, st)

    def lines(pieces, st=cell_style):
        return Paragraph("<br/>".join(pieces), st)

    base_commands = [
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]

    class RuledTable(Table):
        """A ruled table that splits between rows like a Word table: the header rows are repeated on the
        new page and a merged cell crossing the break is cut in two, its text going to the part that holds
        the middle of the merged cell (where vertically centred text would be printed)."""

        def __init__(self, data, col_widths, spans, header_rows):
            self._parts = (data, col_widths, spans, header_rows)
            Table.__init__(self, data, colWidths=col_widths, style=TableStyle(base_commands + spans),
                           repeatRows=header_rows)

        def split(self, availWidth, availHeight):
            data, col_widths, spans, header = self._parts
            self._calc(availWidth, 1e6)  # every row height (long tables stop measuring at availHeight)
            heights = list(self._rowHeights)
            used, k = sum(heights[:header]), header
            while k < len(data) and used + heights[k] <= availHeight:
                used += heights[k]
                k += 1
            if k == len(data):
                return [self]
            while k > header:
                first, rest = self._cut(k, heights)
                if first.wrap(availWidth, availHeight)[1] <= availHeight:
                    return [first, rest]
                k -= 1
            return []

        def _cut(self, k, heights):
            data, col_widths, spans, header = self._parts
            top = [list(row) for row in data[:k]]
            bottom = [list(row) for row in data[:header]] + [list(row) for row in data[k:]]
            shift = header - k
            top_spans, bottom_spans = [], []
            for cmd, (c0, r0), (c1, r1) in spans:
                if r1 < header:
                    top_spans.append((cmd, (c0, r0), (c1, r1)))
                    bottom_spans.append((cmd, (c0, r0), (c1, r1)))
                elif r1 < k:
                    top_spans.append((cmd, (c0, r0), (c1, r1)))
                elif r0 >= k:
                    bottom_spans.append((cmd, (c0, r0 + shift), (c1, r1 + shift)))
                else:  # crosses the page break
                    top_spans.append((cmd, (c0, r0), (c1, k - 1)))
                    bottom_spans.append((cmd, (c0, header), (c1, r1 + shift)))
                    if 2 * sum(heights[r0:k]) < sum(heights[r0:r1 + 1]):
                        bottom[header][c0], top[r0][c0] = top[r0][c0], ""
            return (RuledTable(top, col_widths, top_spans, header),
                    RuledTable(bottom, col_widths, bottom_spans, header))

    page_width, _ = A4
    margin_x, margin_y = 3.17 * cm, 2.54 * cm  # Word's default page margins
    width = page_width - 2 * margin_x
    tables = report["truth"]["tables"]
    version = report["version"]

    def table2():
        active = tables["active_disclosure"]
        stub = 0.31 * width
        col_widths = [stub] + [(width - stub) / 3] * 3
        data, commands = [], []
        for caption, columns, rows in ACTIVE_BLOCKS[version]:
            r = len(data)
            data.append([cell(caption), "", "", ""])
            commands.append(("SPAN", (0, r), (3, r)))
            header = [cell("信息内容")] + [cell(label) for _, label in columns]
            data.append(header + [""] * (4 - len(header)))
            for key, label in rows:
                values = [cell(_fmt(active[key][c])) for c, _ in columns]
                data.append([cell(label)] + values + [""] * (3 - len(values)))
            if len(columns) < 3:  # the value header and cells span the remaining grid columns
                for rr in range(r + 1, len(data)):
                    commands.append(("SPAN", (len(columns), rr), (3, rr)))
            commands.append(("NOSPLIT", (0, r), (3, len(data) - 1)))  # a page break falls between blocks
        return Table(data, colWidths=col_widths, style=TableStyle(base_commands + commands))

    def table3():
        app = tables["applications"]
        rows = APPLICATION_ROWS[version]
        numbers = 7
        num_w = 0.083 * width
        col_widths = [0.055 * width, 0.15 * width]
        col_widths.append(width - sum(col_widths) - numbers * num_w)
        col_widths += [num_w] * numbers
        data = [
            [cell(CORNER_NOTE), "", "", cell("申请人情况")] + [""] * 6,
            ["", "", "", lines(_APPLICANT_HEADER_LINES["natural_person"]), cell("法人或其他组织"), "", "", "", "",
             lines(_APPLICANT_HEADER_LINES["total"])],
            ["", "", "", ""] + [lines(_APPLICANT_HEADER_LINES[k]) for k in APPLICANT_KEYS[1:]] + [""],
        ]
        commands = [
            ("SPAN", (0, 0), (2, 2)), ("SPAN", (3, 0), (9, 0)), ("SPAN", (3, 1), (3, 2)),
            ("SPAN", (4, 1), (8, 1)), ("SPAN", (9, 1), (9, 2)),
        ]
        first = len(data)
        result_rows = [i for i, r in enumerate(rows) if r[2] == "result"]
        for key, label, zone, group in rows:
            r = len(data)
            values = [cell(_fmt(app[key][c])) for c in APPLICATION_COLUMNS]
            if zone == "top":
                data.append([cell(label, label_style), "", ""] + values)
                commands.append(("SPAN", (0, r), (2, r)))
            elif group is None:
                data.append(["", cell(label, label_style), ""] + values)
                commands.append(("SPAN", (1, r), (2, r)))
            else:
                data.append(["", "", cell(label, label_style)] + values)
        # the vertical 三、本年度办理结果 cell, one character per line
        top, bottom = first + result_rows[0], first + result_rows[-1]
        data[top][0] = lines(list(RESULTS_HEADER))
        commands.append(("SPAN", (0, top), (0, bottom)))
        for group, (_, pieces) in GROUPS.items():
            members = [first + i for i, r in enumerate(rows) if r[3] == group]
            if members:
                data[members[0]][1] = lines(pieces)
                commands.append(("SPAN", (1, members[0]), (1, members[-1])))
        return RuledTable(data, col_widths, commands, header_rows=3)

    def table4():
        n = len(REVIEW_GROUPS) * len(REVIEW_COLUMNS)
        col_widths = [width / n] * n
        sub = [lines([label[:2], label[2:]]) if len(label) > 2 else cell(label) for label in REVIEW_COLUMN_LABELS]
        data = [
            [cell("行政复议")] + [""] * 4 + [cell("行政诉讼")] + [""] * 9,
            list(sub) + [cell("未经复议直接起诉")] + [""] * 4 + [cell("复议后起诉")] + [""] * 4,
            [""] * 5 + list(sub) + list(sub),
            [cell(v) for v in _table4_values(report)],
        ]
        commands = [("SPAN", (0, 0), (4, 0)), ("SPAN", (5, 0), (14, 0)),
                    ("SPAN", (5, 1), (9, 1)), ("SPAN", (10, 1), (14, 1))]
        commands += [("SPAN", (c, 1), (c, 2)) for c in range(5)]
        return Table(data, colWidths=col_widths, style=TableStyle(base_commands + commands))

    makers = {"table2": table2, "table3": table3, "table4": table4}
    paras = [i for i, (kind, _) in enumerate(report["items"]) if kind == "para"]
    signature = set(paras[-2:])  # issuing office and date, right-aligned
    headings = set(SECTION_TITLES)
    story = [Paragraph(report["title"], title_style)]
    for i, (kind, payload) in enumerate(report["items"]):
        if kind == "table4":  # a short table: kept on one page with its heading
            story[-1] = KeepTogether([story[-1], makers[kind]()])
            story.append(Spacer(1, 8))
        elif kind != "para":
            story += [makers[kind](), Spacer(1, 8)]
        elif i in signature:
            story.append(Paragraph(payload, sign_style))
        else:
            story.append(Paragraph(payload, heading_style if payload in headings else body_style))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(PDF_FONT, 10.5)
        canvas.drawCentredString(page_width / 2, margin_y / 2, "- %d -" % doc.page)
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=margin_x, rightMargin=margin_x, topMargin=margin_y,
                            bottomMargin=margin_y, title=report["title"], author=report["truth"]["report"]["issuer"],
                            subject="invented sample report (samples/make_samples.py)",
                            creator=PDF_CREATOR % reportlab_version, invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# the scanned PDF (optional: needs pypdfium2 and Pillow, imported inside render_scanned_pdf only)

SCANNED_PDF_FILE = "sample-2021-scanned.pdf"
SCANNED_DPI = 150
SCANNED_JPEG_QUALITY = 60
# the toolchain goes into the Creator: other versions (or another CJK font) may give other pixels
SCANNED_CREATOR = "samples/make_samples.py (pypdfium2 %s, pdfium %s, Pillow %s)"


def render_scanned_pdf(pdf: bytes, dpi: int = SCANNED_DPI, quality: int = SCANNED_JPEG_QUALITY) -> bytes:
    """``pdf`` (the bytes of sample-2021.pdf) as a scan: every page rasterised in grayscale at ``dpi``
    and saved as a JPEG image on a page of its own, with no text layer (a test input for OCR).

    Byte-identical on every run with the same pypdfium2/pdfium, Pillow and CJK font (no timestamps are
    written). sample-2021.pdf does not embed its font (STSong-Light): pdfium draws its Chinese text with
    a CJK font installed on the machine (e.g. Debian's fonts-arphic-uming), and without one it would draw
    none; that is checked, and RuntimeError raised. ImportError without pypdfium2 or Pillow.
    """
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            image = page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")
            if index == 0 and not _cjk_drawn(page, image, dpi):
                raise RuntimeError("no CJK font for pdfium to draw the Chinese text of the non-embedded "
                                   "%s font (install one, e.g. apt-get install fonts-arphic-uming)" % PDF_FONT)
            images.append(image)
    finally:
        doc.close()
    versions = (getattr(pdfium, "PYPDFIUM_INFO", None) or getattr(pdfium, "V_PYPDFIUM2", "?"),
                getattr(pdfium, "PDFIUM_INFO", None) or getattr(pdfium, "V_LIBPDFIUM", "?"),
                getattr(Image, "__version__", "?"))
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi),
                   quality=quality, title="invented sample report, scanned (samples/make_samples.py)",
                   creator=SCANNED_CREATOR % tuple(str(v) for v in versions), producer=None,
                   creationDate=None, modDate=None)
    return buf.getvalue()


def _cjk_drawn(page, image, dpi: int) -> bool:
    """Whether the first Chinese characters of the page's text layer left ink on its rendered image."""
    text = page.get_textpage()
    try:
        height = page.get_height()
        seen = 0
        for i in range(text.count_chars()):
            if not "\u4e00" <= text.get_text_range(i, 1) <= "\u9fff":
                continue
            left, bottom, right, top = text.get_charbox(i)
            box = tuple(int(round(v * dpi / 72.0)) for v in (left, height - top, right, height - bottom))
            if box[2] > box[0] and box[3] > box[1] and image.crop(box).getextrema()[0] < 128:
                return True
            seen += 1
            if seen >= 20:
                break
        return False
    finally:
        text.close()


def build_2021(seed: int = DEFAULT_SEED_2021) -> Tuple[str, dict]:
    report = make_report_2021(seed)
    return render_grid(report), report["truth"]


def build_2021_runtogether(seed: int = DEFAULT_SEED_2021) -> Tuple[str, dict]:
    report = make_report_2021(seed)
    return render_runtogether(report), report["truth"]


def build_2019(seed: int = DEFAULT_SEED_2019) -> Tuple[str, dict]:
    report = make_report_2019(seed)
    return render_grid(report), report["truth"]


def truth_json(truth: dict) -> str:
    return json.dumps(truth, ensure_ascii=False, indent=1) + "\n"


SAMPLE_FILES = (
    "sample-2021.txt",
    "sample-2021.gb18030.txt",
    "sample-2021-runtogether.txt",
    "sample-2021.truth.json",
    "sample-2019.txt",
    "sample-2019.truth.json",
)


def sample_contents() -> Dict[str, bytes]:
    """File name -> exact bytes, for the default seeds."""
    r2021 = make_report_2021()
    r2019 = make_report_2019()
    grid2021 = render_grid(r2021)
    return {
        "sample-2021.txt": grid2021.encode("utf-8"),
        "sample-2021.gb18030.txt": grid2021.encode("gb18030"),
        "sample-2021-runtogether.txt": render_runtogether(r2021).encode("utf-8"),
        "sample-2021.truth.json": truth_json(r2021["truth"]).encode("utf-8"),
        "sample-2019.txt": render_grid(r2019).encode("utf-8"),
        "sample-2019.truth.json": truth_json(r2019["truth"]).encode("utf-8"),
    }


def write_samples(outdir, pdf: bool = True) -> List[Path]:
    """Write the sample files; with ``pdf`` also sample-2021.pdf when reportlab is installed (else a note
    goes to stderr and the PDF is skipped)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sample_contents().items():
        path = outdir / name
        path.write_bytes(data)
        written.append(path)
    if pdf:
        try:
            data = render_pdf(make_report_2021())
        except ImportError as exc:
            print("make_samples.py: %s not written: reportlab is not installed (%s); "
                  "pip install reportlab to write it" % (PDF_FILE, exc), file=sys.stderr)
        else:
            path = outdir / PDF_FILE
            path.write_bytes(data)
            written.append(path)
            try:
                scanned = render_scanned_pdf(data)
            except ImportError as exc:
                print("make_samples.py: %s not written: pypdfium2 and Pillow are needed (%s); "
                      "pip install pypdfium2 pillow to write it" % (SCANNED_PDF_FILE, exc), file=sys.stderr)
            except RuntimeError as exc:
                print("make_samples.py: %s not written: %s" % (SCANNED_PDF_FILE, exc), file=sys.stderr)
            else:
                path = outdir / SCANNED_PDF_FILE
                path.write_bytes(scanned)
                written.append(path)
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python samples/make_samples.py [OUTDIR]", file=sys.stderr)
        return 2
    outdir = Path(args[0]) if args else Path(__file__).resolve().parent
    for path in write_samples(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
