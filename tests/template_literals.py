"""Template facts written into Python: the string literals of ``govreport/`` that spell a template label,
variant, keyword, row or column key, version marker or region anchor (tests/test_template_is_data.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

from govreport.template import _packaged_raw

PACKAGE = Path(__file__).resolve().parent.parent / "govreport"
# keys whose string values are template text printed in reports
TEXT_KEYS = {"label", "variants", "title", "caption", "caption_variants", "stub_header", "match_keywords",
             "detect_markers", "starts_at", "after_line", "sheet_title", "corner_note", "corner_note_variants"}
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_SPACE = re.compile(r"\s+")
# regex spellings that split a word: 总[ \t]*计, 自\s*然
_REGEX_GAPS = re.compile(r"\[ ?\\t\]\*|\\s[*+]|\[ \\t\]\+")


def _walk(node: object, key: str, words: Set[str], keys: Set[str]) -> None:
    if isinstance(node, dict):
        if key in ("rows", "columns") and isinstance(node.get("key"), str):
            keys.add(node["key"])
        for k, v in node.items():
            _walk(v, k, words, keys)
    elif isinstance(node, list):
        for v in node:
            _walk(v, key, words, keys)
    elif isinstance(node, str) and key in TEXT_KEYS:
        # as label matching reads it (conventions.label_matching: all whitespace deleted): a variant spaced or
        # wrapped as printed ("三、本年 度办理 结果") is one word, not fragments ("本年") that prose reuses
        words.update(_CJK_RUN.findall(_SPACE.sub("", node)))


def template_facts() -> Tuple[Set[str], Set[str]]:
    """The template's words (CJK runs of its labels, variants, keywords, markers, anchors) and its row and
    column keys."""
    words: Set[str] = set()
    keys: Set[str] = set()
    raw = _packaged_raw()
    _walk(raw["versions"], "", words, keys)
    _walk(raw["reading"], "", words, keys)
    return words, keys


def _docstrings(tree: ast.AST) -> Set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def literals(path: Path) -> Iterator[Tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


# row and column keys that are also plain names in code: the CLI's ``review`` command, the --fail-on
# category ``review`` and the ``govreport.review`` package share the name of table 四's row ``review``
NOT_KEYS = {"review"}


def findings(path: Path, words: Set[str], keys: Set[str]) -> List[str]:
    """Each literal of ``path`` that spells a template word (a CJK run equal to one, or holding one of four
    characters or more) or is a row or column key."""
    long_words = [w for w in words if len(w) >= 4]
    out = []
    for line, value in literals(path):
        if value in keys and value not in NOT_KEYS:
            out.append(f"{line}: key {value!r}")
            continue
        for run in _CJK_RUN.findall(_REGEX_GAPS.sub("", value)):
            hit = run if run in words else next((w for w in long_words if w in run), None)
            if hit:
                out.append(f"{line}: {hit!r} in {value[:60]!r}")
                break
    return out


def scan(exclude: Set[str]) -> Dict[str, List[str]]:
    words, keys = template_facts()
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if rel in exclude:
            continue
        found = findings(path, words, keys)
        if found:
            out[rel] = found
    return out
