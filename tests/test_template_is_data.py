"""Issue 11's done-when: no template label, variant, keyword, row or column key, version marker or region
anchor written as a string literal in the package's Python, outside the template loader (the scan is
tests/template_literals.py; the planted-label test below proves it finds them).
"""

from __future__ import annotations

from pathlib import Path

from template_literals import findings, scan, template_facts

LOADER = {"govreport/template.py"}


def test_no_template_fact_written_in_python():
    found = scan(LOADER)
    assert found == {}, "template facts written as literals (read them from the template):\n" + "\n".join(
        f"{f}: {h}" for f, hits in found.items() for h in hits)


def test_the_scan_finds_a_planted_label(tmp_path: Path):
    words, keys = template_facts()
    assert {"本年新收", "第二十条", "勾稽", "结转下年度", "本年制发件数"} <= words
    assert {"new_received", "natural_person", "other_processing"} <= keys
    planted = tmp_path / "planted.py"
    planted.write_text('"""本年新收 in a docstring is prose."""\n'
                       'A = "本年新收政府信息公开申请数量"\n'
                       'B = ("其他", "other")\n'
                       'C = r"总[ \\t]*计"\n'
                       'D = "new_received"\n'
                       'E = "review"\n', "utf-8")
    got = findings(planted, words, keys)
    assert sorted({int(g.split(":")[0]) for g in got}) == [2, 3, 4, 5], got


def test_a_spaced_variant_is_one_word():
    """The template's words are read as label matching reads them, whitespace deleted: the variant
    "三、本年 度办理 结果" gives 本年度办理结果, not the fragment 本年 that prose ("上年 / 本年") reuses."""
    words, _ = template_facts()
    assert "本年度办理结果" in words and "本年" not in words
