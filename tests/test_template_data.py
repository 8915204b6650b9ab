"""The template is data: another template given to ``extract`` changes what it does, with no code change;
a template that lacks or mistypes a key is refused with the key named."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import govreport
from govreport.template import Template, TemplateError, _packaged_raw, load_template, read_template, \
    template_from_dict

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _raw() -> dict:
    return copy.deepcopy(_packaged_raw())


def _filled(report, table: str) -> int:
    return sum(v is not None for row in report.tables[table].values() for v in row.values())


@pytest.fixture(scope="module")
def headless(tmp_path_factory) -> Path:
    """The 2021 sample without the headings of sections 三 and 四: its tables 三 and 四 are found by the
    template's region anchors alone."""
    lines = (SAMPLES / "sample-2021.txt").read_text("utf-8").splitlines(keepends=True)
    p = tmp_path_factory.mktemp("headless") / "report.txt"
    p.write_text("".join(x for x in lines if not x.startswith(("三、收到和处理", "四、政府信息公开行政复议"))), "utf-8")
    return p


def test_region_anchor_is_a_template_change(headless: Path, tmp_path: Path):
    packaged = govreport.extract(headless)
    assert _filled(packaged, "applications") == 175 and _filled(packaged, "review_litigation") == 15
    assert not [i for i in packaged.issues if i.code == "table_not_found"]
    raw = _raw()
    raw["reading"]["regions"]["applications"]["starts_at"] = ["这一短语不在报告里"]
    path = tmp_path / "template.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    changed = govreport.extract(headless, template=path)  # a path to a template file
    assert _filled(changed, "applications") == 0
    assert {i.message.split(" ")[2] for i in changed.issues if i.code == "table_not_found"} == \
        {"(applications)", "(review_litigation)"}
    # the same template as an object, and the packaged one again: nothing was cached in between
    assert _filled(govreport.extract(headless, template=template_from_dict(raw)), "applications") == 0
    assert _filled(govreport.extract(headless), "applications") == 175


def test_detect_marker_is_a_template_change():
    sample = SAMPLES / "sample-2019.txt"
    packaged = govreport.extract(sample)
    assert packaged.report.template == "2019"
    assert "本年新制作数量" in packaged.report.template_evidence
    raw = _raw()
    markers = raw["versions"]["2019"]["tables"]["active_disclosure"]["detect_markers"]
    markers.remove("本年新制作数量")
    changed = govreport.extract(sample, template=template_from_dict(raw))
    assert "本年新制作数量" not in changed.report.template_evidence
    assert changed.report.template_evidence == [m for m in packaged.report.template_evidence if m != "本年新制作数量"]


def test_year_rule_is_data():
    t = load_template()
    assert [t.version_for_year(y) for y in (None, 2015, 2019, 2020, 2021, 2030)] == \
        ["2021", "2021", "2019", "2019", "2021", "2021"]
    assert [t.year_expects(y) for y in (2015, 2019, 2020, 2021, 2030)] == ["2019", "2019", "2019", "2021", "2021"]
    assert t.is_pre2019_year(2018) and not t.is_pre2019_year(2019) and not t.is_pre2019_year(None)
    raw = _raw()
    raw["versions"]["2019"]["report_years"]["last"] = 2021
    raw["versions"]["2021"]["report_years"]["first"] = 2022
    later = template_from_dict(raw)
    assert later.version_for_year(2021) == "2019" and later.year_expects(2021) == "2019"


def test_table_facts_are_read_from_the_template():
    t = load_template()
    v = t.versions["2021"]
    assert t.sheet_titles == {"active_disclosure": "二 主动公开", "applications": "三 申请办理",
                              "review_litigation": "四 复议诉讼"}
    assert [k for k, tb in v.tables.items() if tb.one_row] == ["review_litigation"]
    assert v.doc_number == "国办公开办函〔2021〕30号" and v.issuing_document.endswith("的通知")
    assert set(v.markers) >= {"逾期不补正", "本年制发件数"}
    assert t.regions["applications"].starts_at == ("勾稽", "申请人情况", "本年新收")
    assert t.pre2019.min_hits == 2 and t.pre2019.last_year == 2018


def test_read_template_accepts_none_object_and_path(tmp_path: Path):
    t = load_template()
    assert read_template(None) is t and read_template(t) is t
    path = tmp_path / "t.json"
    path.write_text(json.dumps(_packaged_raw(), ensure_ascii=False), "utf-8")
    other = read_template(str(path))
    assert isinstance(other, Template) and other == t


@pytest.mark.parametrize("edit, named", [
    (lambda r: r["reading"].pop("regions"), "reading.regions is missing"),
    (lambda r: r["reading"].__setitem__("default_version", "2030"), "reading.default_version '2030'"),
    (lambda r: r["versions"]["2021"]["tables"]["applications"]["rows"][3].pop("key"),
     "versions.2021.tables.applications.rows[3].key is missing"),
    (lambda r: r["versions"]["2019"]["tables"]["active_disclosure"].__setitem__("detect_markers", "本年"),
     "versions.2019.tables.active_disclosure.detect_markers must be list"),
    (lambda r: r["versions"]["2021"]["report_years"].__setitem__("first", "2021"),
     "versions.2021.report_years.first must be int or NoneType"),
    (lambda r: r["versions"]["pre2019"]["detect_markers"].append(7), "versions.pre2019.detect_markers[8] must be a string"),
    (lambda r: r["versions"]["2021"]["tables"]["review_litigation"]["text_order"].append("review.nothing"),
     "text_order names 'review.nothing'"),
    # the rules engine's data is parsed when the template is loaded, not at the first extraction
    (lambda r: r["conventions"]["null_policy"].__setitem__("empty_means", "sometimes"), "conventions.null_policy: "),
    (lambda r: r["conventions"]["collapsed_rows"]["rows"][0].pop("stands_for"), "conventions.collapsed_rows: "),
])
def test_a_bad_template_names_its_key(edit, named, tmp_path: Path):
    raw = _raw()
    edit(raw)
    with pytest.raises(TemplateError, match=named.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        template_from_dict(raw)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    with pytest.raises(TemplateError, match="bad.json"):  # before the document is read
        govreport.extract(SAMPLES / "sample-2021.txt", template=path)
