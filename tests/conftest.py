"""Shared fixtures: the repository's paths, the corpus location, and a small hand-built record."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from govreport.record import Cell, CellStatus, Check, Issue, Level, Report, ReportMeta, Section, Source
from govreport.template import load_template

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# Hypothesis's timing checks depend on the machine, not on the code: a test example that takes longer than
# the 200 ms deadline, or data generation that is "too slow", on a loaded machine is not a failure. Every
# test's @settings inherits this profile (``--hypothesis-profile`` still chooses another).
settings.register_profile("govreport", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("govreport")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pipeline: runs the real extraction pipeline (govreport.api) on a sample")


def _shared_dir(env: str, name: str) -> Path:
    """``$env`` (default ``../shared/<name>``): skipped when absent, a failure under CI=true."""
    path = Path(os.environ.get(env) or ROOT.parent / "shared" / name)
    if not path.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} not found at {path}: set {env} (CI must run the corpus tests)")
        pytest.skip(f"{name} not found at {path} (set {env})")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``$GOVREPORT_CORPUS`` (default ``../shared/corpus``)."""
    return _shared_dir("GOVREPORT_CORPUS", "corpus")


@pytest.fixture(scope="session")
def synth_dir() -> Path:
    """``$GOVREPORT_SYNTH`` (default ``../shared/corpus-synth``)."""
    return _shared_dir("GOVREPORT_SYNTH", "corpus-synth")


def make_report(version: str = "2021", path: str = "samples/example.txt") -> Report:
    """A small valid record of template ``version``: every template cell, a few of each status."""
    tables: dict = {}
    cells: dict = {}
    for tdef in load_template().versions[version].tables.values():
        for i, ref in enumerate(tdef.cell_refs()):
            table, row, col = ref.split(".")
            value: object = i % 7
            cell = Cell(raw=str(value), status=CellStatus.ok, page=2)
            if tdef.row(row).columns[0].key == col and i % 5 == 1:
                value, cell = None, Cell(raw="", status=CellStatus.blank, page=2)
            elif i % 11 == 3:
                value, cell = None, Cell(raw="/", status=CellStatus.placeholder, page=3)
            tables.setdefault(table, {}).setdefault(row, {})[col] = value
            cells[ref] = cell
    if version == "2021":
        tables["active_disclosure"]["admin_fees"]["fee_amount"] = 1.5
        cells["active_disclosure.admin_fees.fee_amount"] = Cell(raw="1.5", status=CellStatus.ok, page=2)
    tables["applications"]["new_received"]["total"] = 12
    cells["applications.new_received.total"] = Cell(raw="12", status=CellStatus.ambiguous, page=3, candidates=[12, 21])
    return Report(
        source=Source(path=path, sha256="0" * 64, format="txt", encoding="utf-8"),
        report=ReportMeta(title="云溪县人民政府2021年政府信息公开工作年度报告", issuer="云溪县人民政府",
                          year=2021, template=version),
        sections=[Section(number=1, key="overall", title="一、总体情况", text="第一行\n第二行\u2028同一段")],
        tables=tables,
        cells=cells,
        checks=[
            Check(id="applications_balance[total]", expr="a == b", severity="hard", status="fail", lhs=12, rhs=11),
            Check(id="review_total", expr="c == d", severity="hard", status="pass", lhs=0, rhs=0),
        ],
        issues=[Issue(level=Level.warning, code="cell_ambiguous", cell="applications.new_received.total",
                      message="两种读法：12 或 21")],
    )


@pytest.fixture
def small_report() -> Report:
    return make_report("2021")
