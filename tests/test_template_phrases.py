"""The phrases label matching maps (其它 -> 其他, ...) are template data: conventions.label_phrases."""

from __future__ import annotations

import copy

import pytest

from govreport.normalize import compact
from govreport.template import TemplateError, _packaged_raw, label_phrases, load_template, template_from_dict


def test_label_phrases_come_from_the_template():
    assert dict(label_phrases()) == {"檔案": "文件", "資訊": "信息", "其它": "其他"}
    assert load_template().label_phrases == label_phrases()
    assert compact("（六）其它处理") == compact("（六）其他处理")


def test_a_bad_label_phrase_names_its_key():
    raw = copy.deepcopy(_packaged_raw())
    raw["conventions"]["label_phrases"]["其它"] = 1
    with pytest.raises(TemplateError, match=r"conventions\.label_phrases\.其它 must be str"):
        template_from_dict(raw)


def test_the_narrative_phrases_are_template_data():
    t = load_template()
    assert t.narrative_sections == ("overall", "other_matters")
    by_name = {p.name: p for p in t.narrative_phrases}
    assert by_name["上年结转"].cells == "applications.carried_over.total"
    from govreport.review.findings import narrative_numbers

    assert ("applications.carried_over.total", "上年结转", 12, "上年结转12件") in [
        (a, b, n, s) for a, b, n, s in narrative_numbers("上年结转12件")]


@pytest.mark.parametrize("field, value, named", [
    ("cells", "applications.no_such_row.total", "reading.narrative_phrases.phrases[0].cells names "
                                                "'applications.no_such_row.total'"),
    ("pattern", "上年结转(\\d+", "reading.narrative_phrases.phrases[0].pattern is no regular expression"),
    ("pattern", "上年结转\\d+件", "reading.narrative_phrases.phrases[0].pattern must have one group"),
])
def test_a_bad_narrative_phrase_names_its_key(field, value, named):
    raw = copy.deepcopy(_packaged_raw())
    raw["reading"]["narrative_phrases"]["phrases"][0][field] = value
    with pytest.raises(TemplateError, match=named.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        template_from_dict(raw)


def test_the_page_markers_are_template_data():
    t = load_template()
    assert "收到和处理政府信息公开申请情况" in t.page_headings and "本年新收" in t.page_table_words


@pytest.mark.parametrize("key, value, named", [
    ("headings", "总体情况之外", "reading.page_markers.headings: '总体情况之外' is part of no section title"),
    ("table_words", "不是标签", "reading.page_markers.table_words: '不是标签' is part of no table label"),
])
def test_a_page_marker_outside_the_template_names_its_key(key, value, named):
    raw = copy.deepcopy(_packaged_raw())
    raw["reading"]["page_markers"][key].append(value)
    with pytest.raises(TemplateError, match=named):
        template_from_dict(raw)
