from govreport.template import load_template, strip_list_marker, traditional_to_simplified


def test_cell_counts_per_version():
    t = load_template()
    counts = {v: sum(len(tb.cell_refs()) for tb in t.versions[v].tables.values()) for v in ("2021", "2019")}
    assert counts == {"2021": 200, "2019": 198}


def test_checks_expanded_from_for_each():
    checks = load_template().versions["2021"].checks
    ids = [c.id for c in checks]
    assert "applications_balance[total]" in ids
    assert sum(1 for i in ids if i.startswith("applications_column_total[")) == 25
    balance = next(c for c in checks if c.id == "applications_balance[natural_person]")
    assert balance.op == "==" and len(balance.lhs) == 2 and len(balance.rhs) == 2
    chain = next(c for c in checks if c.id == "active_disclosure_rules_in_force_chain")
    assert chain.cross_year and any(t.sign == -1 for t in chain.rhs)


def test_2019_has_the_single_other_processing_row():
    t = load_template().versions["2019"].tables["applications"]
    assert "other_processing" in [r.key for r in t.data_rows]
    assert len(t.data_rows) == 23


def test_list_marker_split():
    assert strip_list_marker("1.属于国家秘密") == ("1.", "属于国家秘密")
    assert strip_list_marker("（七）总计") == ("（七）", "总计")
    assert strip_list_marker("规章") == ("", "规章")


def test_traditional_map_learnt_from_variants_skips_typo_variants():
    m = traditional_to_simplified()
    assert m["開"] == "开" and m["規"] == "规"
    assert "转" not in m and "结" not in m  # 上年转结 is a typo variant, not a traditional form
