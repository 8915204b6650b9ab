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
