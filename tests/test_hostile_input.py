"""Hostile inputs end within bounded time and memory, as a record or one documented error line.

The cases of the issue "Bounded work" (digit runs of thousands of digits, thousands of run-together rows,
a line of 150 MB, deeply nested HTML, 10⁵ tables or cells, a PDF claiming 10⁶ pages, a flate bomb,
recursive PDF references), each made by a few lines of Python from the project's own samples
(``tests/hostile.py``) and run through the real entry point with the bad-input suite's measure: exit
code, one stderr line or a valid record, no traceback, under 60 s and 1 GiB (generous: they hold on a
loaded 2-core machine). A record never holds a number longer than a template cell prints.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import pytest

import hostile
from test_bad_input import MAX_RSS_KIB, assert_one_line_error, assert_within_limits, cli_env, ocr_absent, run_cli

LONGEST_CELL = 12  # template.json conventions.cell_digits


def _numbers(rec: dict) -> List[float]:
    return [v for rows in rec["tables"].values() for cols in rows.values() for v in cols.values() if v is not None]


def _record(run) -> dict:
    assert run.returncode == 0, (run.summary(), run.stderr)
    assert "Traceback" not in run.stderr and "error" not in run.stderr, run.stderr
    rec = json.loads(run.stdout)
    assert rec["report"]["year"] == 2023
    for v in _numbers(rec):  # nothing longer than a cell prints became a number
        assert len(str(int(abs(v)))) <= LONGEST_CELL, v
    for ref, cell in rec["cells"].items():
        for c in cell.get("candidates") or []:
            assert c is None or len(str(int(abs(c)))) <= LONGEST_CELL, (ref, c)
    return rec


def _codes(rec: dict) -> List[str]:
    return [i["code"] for i in rec["issues"]]


def _too_long(table: str) -> Callable[[dict], None]:
    def check(rec: dict) -> None:
        assert any(i["code"] == "number_too_long" and i["message"].startswith(table) for i in rec["issues"]), \
            _codes(rec)
    return check


def _fee_is_text(rec: dict) -> None:
    assert rec["tables"]["active_disclosure"]["admin_fees"]["fee_amount"] is None
    assert rec["cells"]["active_disclosure.admin_fees.fee_amount"]["status"] == "missing"
    _too_long("active_disclosure")(rec)


LONG_ROWS = 6  # rows of table 三 printed as 45-digit runs: 30 000 readings each, past the table's 100 000


def _budget_reached(rec: dict) -> None:
    assert "budget_reached" in _codes(rec)
    keys = [k.split(".")[1] for k in rec["cells"] if k.startswith("applications.")]
    long_rows = list(dict.fromkeys(keys))[:LONG_ROWS]
    cells = {k: v for k, v in rec["cells"].items() if k.split(".")[:2] in (["applications", r] for r in long_rows)}
    # past the budget nothing is a guess marked ok: the rows cut short are missing
    assert cells and all(c["status"] == "missing" for c in cells.values()), {k: c["status"] for k, c in cells.items()}
    rest = [v for k, v in rec["cells"].items() if k.startswith("applications.") and k not in cells]
    assert all(c["status"] in ("ok", "ambiguous", "missing", "suspect") for c in rest)


def _runtogether_read(rec: dict) -> None:
    cells = [c for k, c in rec["cells"].items() if k.startswith("applications.")]
    assert cells and all(c["status"] in ("ok", "inferred", "suspect", "ambiguous", "missing") for c in cells)


def _prose_kept(rec: dict) -> None:
    assert rec["tables"]["applications"]["new_received"]["total"] == 563


@dataclass
class Case:
    id: str
    build: Callable[[], bytes]
    suffix: str
    code: int
    words: Sequence[str] = ()
    check: Optional[Callable[[dict], None]] = None
    ocr_absent: bool = False


def _text(f: Callable[[], str]) -> Callable[[], bytes]:
    return lambda: f().encode("utf-8")


def _budget_rows() -> str:
    text = hostile.sample_text()
    rows = hostile.table3_lines(text)
    long = [hostile.run_together(r).split(" ")[0] + " " + hostile.digits(45, i) for i, r in enumerate(rows[:LONG_ROWS])]
    return text.replace("\n".join(rows), "\n".join(long + rows[LONG_ROWS:]))


def _prose_received() -> str:
    return hostile.sample_text().replace("新收政府信息公开申请563件", "收到" + hostile.digits(5000, 9) + "件申请")


CASES = [
    Case("row-of-4000-digits", _text(lambda: hostile.row_of_digits(4000)), ".txt", 0,
         check=_too_long("applications")),
    Case("row-of-100000-digits", _text(lambda: hostile.row_of_digits(100_000)), ".txt", 0,
         check=_too_long("applications")),
    Case("cell-of-5000-digits", _text(lambda: hostile.cell_of_digits(5000)), ".txt", 0,
         check=_too_long("applications")),
    Case("400-runtogether-rows", _text(hostile.TEXT_CASES["400-runtogether-rows"]), ".txt", 0,
         check=_runtogether_read),
    Case("10000-runtogether-rows", _text(hostile.TEXT_CASES["10000-runtogether-rows"]), ".txt", 0,
         check=_runtogether_read),
    Case("100000-numbers-in-two-rows", _text(lambda: hostile.many_numbers(100_000)), ".txt", 0, check=_runtogether_read),
    Case("50000-labels-on-one-line", _text(lambda: hostile.labels_on_one_line(50_000)), ".txt", 0,
         check=_runtogether_read),
    Case("rows-of-45-digits-past-the-budget", _text(_budget_rows), ".txt", 0, check=_budget_reached),
    Case("decimal-of-3000-digits", _text(lambda: hostile.long_decimal(3000)), ".txt", 0, check=_fee_is_text),
    Case("prose-number-of-5000-digits", _text(lambda: hostile.prose_number(5000)), ".txt", 0, check=_prose_kept),
    Case("narrative-number-of-5000-digits", _text(_prose_received), ".txt", 0),
    Case("line-of-150-mb", lambda: hostile.long_line(150 * 1024 * 1024), ".txt", 3, ["characters long", "limit"]),
    Case("html-nested-100000-levels", lambda: hostile.nested_html(100_000), ".html", 3, ["nested too deeply"]),
    Case("html-100000-tables", lambda: hostile.html_many_tables(100_000), ".html", 0, check=_prose_kept),
    Case("html-100000-cells", lambda: hostile.html_many_cells(100_000), ".html", 0, check=_prose_kept),
    Case("docx-100000-tables", lambda: hostile.docx_many_tables(100_000), ".docx", 0, check=_prose_kept),
    Case("docx-100000-cells", lambda: hostile.docx_many_cells(100_000), ".docx", 0, check=_prose_kept),
    Case("pdf-claiming-1000000-pages", lambda: hostile.pdf_claiming_pages(1_000_000), ".pdf", 3,
         ["1000000 pages", "--max-pages"]),
    Case("pdf-flate-bomb", hostile.pdf_flate_bomb, ".pdf", 3, ["flate bomb"]),
    # a page tree that holds itself, resources that hold themselves: read as one page without text
    Case("pdf-recursive-references", hostile.pdf_recursive_refs, ".pdf", 4, ["OCR"], ocr_absent=True),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def _path(folder: Path, case: Case) -> Path:
    """The case's file, built in a child process: a child forked from a process that held the 150 MB
    line would report that memory as its own peak."""
    p = folder / f"{case.id}{case.suffix}"
    if not p.exists():
        code = ("import sys; from pathlib import Path; sys.path[:0] = sys.argv[1:2]; import test_hostile_input as t; "
                "c = next(c for c in t.CASES if c.id == sys.argv[2]); Path(sys.argv[3]).write_bytes(c.build())")
        subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), case.id, str(p)], check=True,
                       cwd=hostile.ROOT, env=cli_env(), timeout=600)
    return p


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(folder: Path, case: Case) -> None:
    path = _path(folder, case)
    env = cli_env(ocr_absent(folder)) if case.ocr_absent else None
    run = run_cli("extract", str(path), env=env)
    assert_within_limits(run, MAX_RSS_KIB)
    try:
        if case.code == 0:
            rec = _record(run)
            if case.check is not None:
                case.check(rec)
            return
        assert_one_line_error(run, case.code, str(path), *case.words)
    finally:
        if path.stat().st_size > 10 * 1024 * 1024:
            path.unlink()  # the 150 MB line: not kept for the rest of the session


def test_extract_timeout_is_an_error_not_a_partial_record(tmp_path: Path) -> None:
    """``extract --timeout``: past the limit, exit 3 with a ``timeout`` line and nothing on stdout or in -o."""
    out = tmp_path / "record.json"
    run = run_cli("extract", str(hostile.ROOT / "samples" / "sample-2021.pdf"), "--timeout", "0.001", "-o", str(out))
    assert_one_line_error(run, 3, "gave up after 0.001 s", "--timeout")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    run = run_cli("extract", str(hostile.ROOT / "samples" / "sample-2021.txt"), "--timeout", "300")
    _record(run)


def test_time_limit_catches_a_swallowed_interruption() -> None:
    """A library that swallows the interruption (a broken page is skipped, not fatal) must not turn a
    time limit into a degraded record: ``fired`` tells, and batch's worker reports a timeout."""
    import time

    from govreport.timelimit import FileTimeout, time_limit

    limit = time_limit(0.05)
    try:
        with limit:
            deadline = time.monotonic() + 120  # only a backstop: the limit fires after 0.05 s, however loaded
            try:
                while not limit.fired and time.monotonic() < deadline:
                    time.sleep(0.01)
            except FileTimeout:
                pass  # swallowed, as pdf.read does with a page's error
    except FileTimeout:
        pass  # the repeat (every second until the block ends) came before the block ended: a slow machine
    assert limit.fired


def test_budgets_are_far_from_real_rows() -> None:
    """The digit budget holds every number of the samples and the corpus gold (the largest: 9 digits)."""
    from govreport.tables import budget

    assert budget.int_digits("int") >= 9 and budget.longest_run() >= 15 * 9
    assert budget.fits("24252.311082", "decimal") and budget.fits("122562000")
    assert not budget.fits("1" * 13) and budget.plain_number("9" * 5000) is None
    assert re.fullmatch(r"\d+", str(budget.READINGS_PER_ROW))
