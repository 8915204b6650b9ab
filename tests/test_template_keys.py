"""Every key of the packaged template is read by the loader (into the typed Template), except the sections
whose own types parse them; and what the template states about itself holds."""

from __future__ import annotations

import copy
from typing import Iterator, Set

import pytest

from govreport.template import TemplateError, _packaged_raw, load_template, template_from_dict

# not read through the loader's key tracing: govreport.derived parses derived_measures; the null policy and
# the collapsed rows are parsed when the template loads, by the rules engine's types (rules/values.py, engine.py)
READ_ELSEWHERE = ("derived_measures", "conventions.null_policy.", "conventions.collapsed_rows.")


def _paths(node: object, path: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            yield p
            yield from _paths(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, f"{path}[{i}]")


def test_no_template_key_is_left_unread():
    raw = _packaged_raw()
    trace: Set[str] = set()
    template_from_dict(raw, trace)
    unread = sorted(p for p in _paths(raw) if p not in trace and not p.startswith(READ_ELSEWHERE)
                    and ".for_each." not in p)  # a for_each names its placeholder: read as the expansion's
    assert unread == []


def test_the_typed_template_holds_what_was_unread():
    t = load_template()
    v21 = t.versions["2021"]
    assert v21.name.startswith("中华人民共和国政府信息公开工作年度报告格式") and v21.years_note == "2021 onward"
    assert any("（六）其他处理 split into 3 sub-rows" in c for c in v21.changes)
    ap = v21.tables["applications"]
    assert ap.header.corner_note[0].startswith("（本列数据的勾稽关系为")
    assert [c.label for c in ap.header.levels[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert ap.header.levels[1][1].spans == tuple(c.key for c in ap.data_rows[0].columns if c.group)
    assert [v.key for v in ap.virtual_rows][:2] == ["denied_total", "unable_total"]
    assert dict(ap.virtual_rows[0].exprs)["total"].startswith("applications.denied_state_secret.total + ")
    ad = v21.tables["active_disclosure"]
    assert [b.article_item for b in ad.blocks] == ["1", "5", "6", "8"]
    assert ad.blocks[0].stub_header == "信息内容" and "第二十条第(一)项" in ad.blocks[0].forms
    assert {c.kind for c in v21.checks} == {"official", "derived"} == set(t.kinds)
    assert {c.severity for c in v21.checks} == set(t.severities)
    assert t.pre2019.first_year is None and t.pre2019.parser_action.startswith("flag as pre-2019")
    assert t.schema_version == "1" and "label_matching" in t.conventions


@pytest.mark.parametrize("edit, named", [
    (lambda r: r["versions"]["2021"]["tables"]["applications"].__setitem__("cell_count", 170),
     "versions.2021.tables.applications.cell_count is 170, but its rows give 175"),
    (lambda r: r["versions"]["2019"]["tables"]["active_disclosure"]["blocks"][0].__setitem__("cell_count", 5),
     "versions.2019.tables.active_disclosure.blocks[0].cell_count is 5"),
    (lambda r: r["versions"]["2021"]["constraints"][0].__setitem__("severity", "fatal"),
     "versions.2021.constraints[0].severity 'fatal' is none of hard, soft"),
    (lambda r: r.__setitem__("schema_version", "2"), "schema_version '2'"),
])
def test_stated_counts_and_words_are_checked(edit, named):
    raw = copy.deepcopy(_packaged_raw())
    edit(raw)
    with pytest.raises(TemplateError, match=named.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        template_from_dict(raw)
