"""The lint and type gate: ruff and mypy (configured in pyproject.toml) clean, no long function in govreport/.

The README's test command runs it, so CI (``.ci/run``) runs the gate with the tests. Without ruff or mypy
installed (the test extra brings both) the two tool tests skip with a message; under ``CI=true`` they fail.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "govreport"

#: The longest function (decorators, signature and body) allowed in govreport/.
MAX_FUNCTION_LINES = 80


def _require(module: str) -> None:
    """Skip (fail under CI=true) when the tool ``module`` is not importable."""
    if importlib.util.find_spec(module) is not None:
        return
    message = f"{module} is not installed (pip install -e '.[test]'): the lint and type gate did not run"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", check=False)


def test_ruff_is_clean() -> None:
    """ruff check over the package, the tests, bench/ and samples/ (per-file ignores from pyproject.toml)."""
    _require("ruff")
    paths = [p for p in ("govreport", "tests", "bench", "samples") if (ROOT / p).is_dir()]
    result = _run(["ruff", "check", "--no-cache", "--output-format", "concise", *paths])
    assert result.returncode == 0, f"ruff findings:\n{result.stdout}{result.stderr}"


def test_mypy_is_clean() -> None:
    """mypy over govreport/ with the configuration of pyproject.toml ([tool.mypy])."""
    _require("mypy")
    result = _run(["mypy", "--no-incremental", "--cache-dir", os.devnull])
    assert result.returncode == 0, f"mypy findings:\n{result.stdout}{result.stderr}"


def _long_functions(root: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                if length > limit:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_function_is_too_long() -> None:
    long = _long_functions(PACKAGE, MAX_FUNCTION_LINES)
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_length_rule_counts_decorators_and_body(tmp_path: Path) -> None:
    """The counter itself: an 81-line function is found, an 80-line one is not, nested ones are seen."""
    body = "    x = 1\n"
    short = "@decorator\ndef short():\n" + body * 78            # 80 lines with the decorator
    long = "class C:\n    def long(self):\n" + ("    " + body) * 80  # 81 lines
    (tmp_path / "m.py").write_text(short + "\n" + long, encoding="utf-8")
    found = _long_functions(tmp_path, 80)
    assert [f.split()[1] for f in found] == ["long:"]
