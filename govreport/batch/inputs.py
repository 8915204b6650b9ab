"""Which files a batch reads: folders walked recursively, '-' for paths on stdin, optional globs.

A folder is walked for report files only (``REPORT_EXTENSIONS``); a file named explicitly is read
whatever its name (its format is sniffed from its bytes). Whatever cannot be an input is skipped and
counted by reason, never read and never fatal to the walk: the batch's own outputs (``exclude``), files
of other kinds, anything that is not a regular file (a FIFO would block the reader, a socket cannot be
read), broken links and link loops, folders that cannot be listed, and names that are not valid UTF-8
(a record could not name them faithfully).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator, List, Optional, Sequence, Union

# the extensions a folder walk takes (a report as published: PDF, web page, Word, WPS, text, Markdown)
REPORT_EXTENSIONS = frozenset({".pdf", ".htm", ".html", ".shtml", ".docx", ".doc", ".wps", ".txt", ".md"})

# why an input was skipped (the keys of ``Inputs.skipped``)
SKIP_NOT_REPORT = "not a report file (extension)"
SKIP_OUTPUT = "the batch's own output"
SKIP_SPECIAL = "not a regular file (FIFO, socket, device)"
SKIP_BROKEN = "broken link or link loop"
SKIP_UNREADABLE_DIR = "folder that cannot be read"
SKIP_BAD_NAME = "name not valid UTF-8"
SKIP_GLOB = "not matching --glob"


@dataclass
class Inputs:
    paths: List[Path] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    examples: dict = field(default_factory=dict)  # reason -> the first path skipped for it

    def skip(self, reason: str, path: Union[str, Path]) -> None:
        self.skipped[reason] += 1
        self.examples.setdefault(reason, _printable(str(path)))

    @property
    def n_skipped(self) -> int:
        return sum(v for k, v in self.skipped.items() if k != SKIP_GLOB)


def _printable(name: str) -> str:
    """A path as text that can be written anywhere (undecodable bytes as \\xNN, control characters escaped)."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.encode("unicode_escape").decode("ascii") if any(ord(c) < 32 for c in text) else text


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes became lone surrogates (surrogateescape)
        return False
    return True


def _kind(path: Path) -> Optional[str]:
    """None for a regular file (links followed), else the reason to skip it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return SKIP_BROKEN if os.path.islink(path) else None  # missing: kept, it fails as an error line
    except OSError as exc:  # ELOOP, EACCES on the way
        import errno

        return SKIP_BROKEN if exc.errno == errno.ELOOP else None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "dir"
    return SKIP_SPECIAL


def _walk(folder: Path, found: Inputs) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        found.skip(SKIP_UNREADABLE_DIR, exc.filename or folder)

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in list(dirs):
            if not _valid_name(d):
                dirs.remove(d)
                found.skip(SKIP_BAD_NAME, Path(root) / d)
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if not _valid_name(name):
                found.skip(SKIP_BAD_NAME, path)
                continue
            if path.suffix.lower() not in REPORT_EXTENSIONS:
                found.skip(SKIP_NOT_REPORT, path)
                continue
            yield path


def matches(path: Path, globs: Sequence[str]) -> bool:
    """Whether ``path`` matches any of ``globs`` (case-insensitive; on the name or the whole path)."""
    if not globs:
        return True
    name, full = path.name.lower(), str(path).lower()
    return any(fnmatch.fnmatchcase(name, g.lower()) or fnmatch.fnmatchcase(full, g.lower()) for g in globs)


def read_path_list(stdin: IO, nul: bool = False) -> List[str]:
    """The paths given on stdin: one per line, or NUL-separated with ``nul`` (``find -print0``). Without
    ``nul`` a NUL byte is an error (``ValueError``): such input needs ``-0``."""
    data = stdin.read()
    if isinstance(data, bytes):
        data = os.fsdecode(data)
    if nul:
        return [p for p in data.split("\0") if p]
    if "\0" in data:
        raise ValueError("the paths on stdin are NUL-separated: use -0 (find -print0 | govreport batch -0 -)")
    return [line.strip() for line in data.splitlines() if line.strip()]


def collect_inputs(paths: Iterable[str], globs: Union[None, str, Sequence[str]] = None,
                   stdin: Optional[IO] = None, exclude: Iterable[Union[str, Path]] = (),
                   nul: bool = False) -> Inputs:
    """The input files in a stable order, each once, and what was skipped (by reason). Paths that do not
    exist are kept (they fail later, each with its error line)."""
    if isinstance(globs, str):
        globs = [globs]
    globs = list(globs or [])
    found = Inputs()
    excluded = {os.path.realpath(p) for p in exclude if p}
    seen = set()

    def add(p: Path, walked: bool) -> None:
        if not _valid_name(str(p)):
            found.skip(SKIP_BAD_NAME, p)
            return
        key = os.path.realpath(p)
        if key in excluded:
            found.skip(SKIP_OUTPUT, p)
            return
        kind = _kind(p)
        if kind is not None and kind != "dir":
            found.skip(kind, p)
            return
        if walked and not matches(p, globs):
            found.skip(SKIP_GLOB, p)
            return
        if key not in seen:
            seen.add(key)
            found.paths.append(p)

    def given(raw: str) -> None:
        p = Path(raw)
        if p.is_dir():
            for f in _walk(p, found):
                add(f, walked=True)
        else:
            add(p, walked=False)

    for raw in paths:
        if raw == "-":
            for line in read_path_list(stdin, nul) if stdin is not None else []:
                given(line)
            continue
        given(raw)
    return found


def collect(paths: Iterable[str], glob: Union[None, str, Sequence[str]] = None, stdin: Optional[IO] = None,
            exclude: Iterable[Union[str, Path]] = ()) -> List[Path]:
    """``collect_inputs(...).paths``."""
    return collect_inputs(paths, glob, stdin, exclude).paths
