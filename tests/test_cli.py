"""The command line, run as users run it: a subprocess of ``python -m govreport`` (or of ``cli.main``).

Tests marked ``pipeline`` run the real extraction on ``samples/sample-2021.txt``. The others replace
``govreport.api`` with a stand-in (see ``run_fake``) so that they test only the CLI: options, exit codes,
stdout hygiene, atomic output.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES

SAMPLE = SAMPLES / "sample-2021.txt"
ERROR_LINE = re.compile(r"govreport: error: \S.*\n")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run(*args: str, stdin: Optional[bytes] = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m govreport ARGS``; stdout and stderr as bytes."""
    return subprocess.run([sys.executable, "-m", "govreport", *args], input=stdin, capture_output=True,
                          cwd=cwd, env=_env(), timeout=300)


# A stand-in for govreport.api: its extract() logs a warning (which must not reach stdout), then runs BODY.
_FAKE = """
import logging, sys, types
from pathlib import Path
from govreport import errors
from govreport.record import Report

def extract(path, *, strict=False):
    logging.getLogger("govreport.api").warning("a warning for stderr")
    path = Path(path)
{body}

fake = types.ModuleType("govreport.api")
fake.extract = extract
sys.modules["govreport.api"] = fake
from govreport.cli import main
sys.argv[0] = "govreport"
main()
"""
_RETURN_REPORT = """
    return Report(source={"path": str(path), "sha256": "0" * 64, "format": "txt"},
                  report={"issuer": "云溪县人民政府", "year": 2021, "template": "2021",
                          "template_evidence": [path.suffix or "no-suffix", str(strict)]},
                  tables={"applications": {"new_received": {"total": 12}}})
"""


def run_fake(*args: str, body: str = _RETURN_REPORT, stdin: Optional[bytes] = None,
             cwd: Path = ROOT) -> subprocess.CompletedProcess:
    script = _FAKE.format(body="\n".join("    " + line for line in body.strip().splitlines()))
    return subprocess.run([sys.executable, "-c", script, *args], input=stdin, capture_output=True, cwd=cwd,
                          env=_env(), timeout=300)


def assert_one_error_line(proc: subprocess.CompletedProcess, code: int) -> str:
    """Exit ``code``, nothing on stdout, exactly one ``govreport: error:`` line on stderr."""
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == code, stderr
    assert proc.stdout == b""
    lines = [line for line in stderr.splitlines() if not line.startswith("govreport.api: warning:")]
    assert len(lines) == 1 and ERROR_LINE.fullmatch(lines[0] + "\n"), stderr
    return lines[0]


@pytest.fixture
def some_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("二〇二一年政府信息公开工作年度报告\n", encoding="utf-8")
    return path


# --- help and schema ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], ["-h"]])
def test_help_teaches_and_lists_exit_codes(args: list) -> None:
    proc = run(*args)
    assert proc.returncode == 0 and proc.stderr == b""
    text = proc.stdout.decode("utf-8")
    assert "Exit codes" in text and "jq" in text
    for code in (0, 1, 2, 3, 4, 5, 130):
        assert re.search(rf"^\s+{code}\s+\S", text, re.M), f"exit code {code} not listed"


def test_help_lists_the_extract_options() -> None:
    text = run("extract", "--help").stdout.decode("utf-8")
    for option in ("--out", "--format", "--no-bom", "--strict", "--verbose", "--quiet", "csv-long"):
        assert option in text


def test_schema_prints_the_record_json_schema() -> None:
    proc = run("schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema["title"] == "govreport.record/1"
    report = schema["$defs"]["Report"]
    assert {"schema", "source", "report", "tables", "cells", "checks", "issues", "status"} <= set(report["properties"])
    assert {"status", "source", "error", "checks", "cells"} <= set(schema["$defs"]["ErrorRecord"]["properties"])


# --- usage errors (2) ---------------------------------------------------------------------------------

def test_bad_format_is_a_usage_error(some_file: Path) -> None:
    proc = run("extract", str(some_file), "--format", "xlsx")
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"xlsx" in proc.stderr


def test_verbose_and_quiet_together_is_a_usage_error(some_file: Path) -> None:
    proc = run("extract", str(some_file), "-v", "-q")
    assert proc.returncode == 2 and proc.stdout == b""


def test_unknown_command_is_a_usage_error() -> None:
    proc = run("frobnicate")
    assert proc.returncode == 2 and proc.stdout == b""


# --- bad input (3) ------------------------------------------------------------------------------------

def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    line = assert_one_error_line(run("extract", str(tmp_path / "nope.txt")), 3)
    assert "nope.txt" in line and "no such file" in line


def test_directory_is_bad_input(tmp_path: Path) -> None:
    line = assert_one_error_line(run("extract", str(tmp_path)), 3)
    assert "directory" in line


def test_library_errors_keep_their_exit_codes(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), body='raise errors.NotAReportError(f"{path.name}: 不是年度报告")')
    assert assert_one_error_line(proc, 3) == "govreport: error: report.txt: 不是年度报告"
    proc = run_fake("extract", str(some_file),
                    body='raise errors.MissingDependencyError("PDF needs pdfplumber", hint="pip install x")')
    assert assert_one_error_line(proc, 4) == "govreport: error: PDF needs pdfplumber (pip install x)"


# --- output not writable (5) --------------------------------------------------------------------------

def test_output_into_missing_directory(some_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    line = assert_one_error_line(run("extract", str(some_file), "-o", str(target)), 5)
    assert "does not exist" in line
    assert not (tmp_path / "no").exists()


def test_output_under_a_file(some_file: Path) -> None:
    assert_one_error_line(run("extract", str(some_file), "-o", str(some_file / "out.json")), 5)


def test_output_onto_a_directory(some_file: Path, tmp_path: Path) -> None:
    assert_one_error_line(run("extract", str(some_file), "-o", str(tmp_path)), 5)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_into_read_only_directory(some_file: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert_one_error_line(run("extract", str(some_file), "-o", str(locked / "out.json")), 5)
    finally:
        locked.chmod(0o755)


# --- unexpected errors (1) and interrupts (130) -------------------------------------------------------

def test_internal_error_is_one_line_with_a_hint(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), body='raise RuntimeError("boom")')
    line = assert_one_error_line(proc, 1)
    assert "RuntimeError: boom" in line and line.endswith("(run with -v for the traceback)")


def test_verbose_shows_the_traceback(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), "-v", body='raise RuntimeError("boom")')
    assert proc.returncode == 1 and proc.stdout == b""
    stderr = proc.stderr.decode("utf-8")
    assert "Traceback (most recent call last)" in stderr and stderr.rstrip().endswith("RuntimeError: boom")


def test_interrupt_exits_130(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), body="raise KeyboardInterrupt")
    assert proc.returncode == 130 and proc.stdout == b""


# --- what gets written (stand-in pipeline) ------------------------------------------------------------

def test_stdout_holds_only_the_record(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)  # the logged warning went to stderr
    assert record["report"]["issuer"] == "云溪县人民政府"
    assert b"a warning for stderr" in proc.stderr


def test_quiet_silences_warnings(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), "-q")
    assert proc.returncode == 0 and proc.stderr == b""


def test_strict_reaches_the_library(some_file: Path) -> None:
    record = json.loads(run_fake("extract", str(some_file), "--strict").stdout)
    assert record["report"]["template_evidence"][1] == "True"


def test_output_file_is_written_atomically(some_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "r.csv"
    out.parent.mkdir()
    proc = run_fake("extract", str(some_file), "--format", "csv", "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == b""
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(out, encoding="utf-8-sig").loc[0, "applications.new_received.total"] == 12
    assert [p.name for p in out.parent.iterdir()] == ["r.csv"]  # no temporary file left


def test_failed_extraction_leaves_the_old_output(some_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    proc = run_fake("extract", str(some_file), "-o", str(out), body='raise errors.EmptyInputError("empty")')
    assert_one_error_line(proc, 3)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "report.txt"]


def test_no_bom_and_dash_output(some_file: Path) -> None:
    proc = run_fake("extract", str(some_file), "--format", "csv-long", "--no-bom", "-o", "-")
    assert proc.returncode == 0 and proc.stdout.startswith(b"path,issuer,year,template,table,row,column,")


def test_stdin_goes_through_a_file_without_extension() -> None:
    proc = run_fake("extract", "-", stdin="报告".encode())
    record = json.loads(proc.stdout)
    assert record["source"]["path"] == "<stdin>"
    assert record["report"]["template_evidence"][0] == "no-suffix"


@pytest.mark.pipeline
def test_empty_stdin_is_bad_input_named_stdin() -> None:
    line = assert_one_error_line(run("extract", "-", stdin=b""), 3)
    assert line.startswith("govreport: error: <stdin>:") and "govreport-stdin" not in line


# --- the real pipeline on the bundled sample ----------------------------------------------------------

@pytest.mark.pipeline
def test_extract_sample() -> None:
    proc = run("extract", str(SAMPLE.relative_to(ROOT)))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    record = json.loads(proc.stdout)
    assert record["schema"] == "govreport.record/1"
    assert record["report"]["template"] == "2021"
    assert set(record["tables"]) == {"active_disclosure", "applications", "review_litigation"}


@pytest.mark.pipeline
def test_extract_sample_from_stdin_gives_the_same_tables() -> None:
    from_file = json.loads(run("extract", str(SAMPLE)).stdout)
    proc = run("extract", "-", stdin=SAMPLE.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    from_stdin = json.loads(proc.stdout)
    assert from_stdin["tables"] == from_file["tables"]
    assert from_stdin["source"]["path"] == "<stdin>"


@pytest.mark.pipeline
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "csv-long"])
def test_extract_sample_other_formats(fmt: str) -> None:
    proc = run("extract", str(SAMPLE), "--format", fmt)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    if fmt == "jsonl":
        assert len(proc.stdout.splitlines()) == 1 and json.loads(proc.stdout)["schema"] == "govreport.record/1"
    else:
        df = pd.read_csv(io.BytesIO(proc.stdout), encoding="utf-8-sig")
        assert len(df) == (1 if fmt == "csv" else 200)  # 200 cells in the 2021 template


# --- README and CI ------------------------------------------------------------------------------------

def readme_first_block() -> list:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no code block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_starts_with_the_two_commands() -> None:
    assert readme_first_block() == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/govreport extract samples/sample-2021.pdf",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q",
    ]


def test_readme_documents_every_command_and_exit_code() -> None:
    import typer.main

    from govreport.cli import EXIT_CODES, app

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f"govreport {name}" in text
    for code in EXIT_CODES:
        assert re.search(rf"^\|\s*{int(code)}\s*\|", text, re.M), f"exit code {int(code)} not in README"


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in script
    assert "README.md" in script  # it runs the commands of the README's first code block
