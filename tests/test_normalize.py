from govreport.normalize import clean_text, compact, fold_chars, match_form, tidy


def test_kangxi_radicals_and_compatibility_ideographs_become_unified():
    # ⼀ (U+2F00 KANGXI RADICAL ONE), ⻓ (radicals supplement), 金 (U+F90A compatibility ideograph)
    assert fold_chars("⼀、总体情况 ⻓期 \uf90a") == "一、总体情况 长期 金"


def test_full_width_digits_and_punctuation():
    text = fold_chars("（一）予以公开　１２３")
    assert "123" in text
    assert "（一）" in text  # full-width punctuation is kept in the text


def test_thousands_separators_removed_only_in_numbers():
    assert clean_text("收费 1,234,567 元").split() == ["收费", "1234567", "元"]
    assert clean_text("0,0,0") == "0,0,0"


def test_spaces_inside_chinese_runs_removed():
    assert tidy(clean_text("海 原 县 高 崖 乡 2023 年")) == "海原县高崖乡 2023 年"


def test_fake_bold_doubled_characters_undoubled():
    assert clean_text("二二、、主主动动公公开开").strip() == "二、主动公开"
    assert clean_text("000000000000000") == "000000000000000"  # digits are never undoubled


def test_page_number_lines_and_markdown_rules_dropped():
    out = clean_text("a\n- 4 -\nb\n第 3 页 共 6 页\n|---|---|\nc")
    assert out.split() == ["a", "b", "c"]
    assert clean_text("行政许可\t4\n") == "行政许可\t4\n"  # a number after a label is not a page number


def test_clean_text_keeps_every_offset():
    text = "二二、、主主动动公公开开 1,234\n- 4 -\n|---|\r\n海 原"
    assert len(clean_text(text)) == len(text)


def test_match_form_compacts_and_maps_back():
    text = "二、上年結轉 政府信息公開申請數量"
    c, index = match_form(text)
    assert c == "二.上年结转政府信息公开申请数量"
    assert text[index[c.index("政")]] == "政"


def test_match_form_quotes_and_other():
    assert compact("3.危及“三安全一稳定”") == compact('3.危及"三安全一稳定"')
    assert compact("3.其它") == compact("3.其他")
    assert compact("1、属于国家秘密") == compact("1.属于国家秘密")


def test_signs_and_separators_keep_the_number_whole() -> None:
    from govreport.normalize import clean_text

    for raw, expected in [("2,344.6", "2344.6"), ("行政许可\t４１，８０６\t", "41806"), ("本年增/减 －4", "-4"),
                          ("＋21", "+21"), ("−3", "-3"), ("1,234,567 元", "1234567")]:
        out = clean_text(raw)
        assert len(out) == len(raw) and expected in out.split() + out.split("\t"), (raw, out)
    assert clean_text("规章\t－\t－") == "规章\t－\t－"  # a dash alone stays a placeholder
