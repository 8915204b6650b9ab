"""Which files a batch reads: folders walked recursively, '-' for paths on stdin, an optional glob."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import IO, Iterable, Iterator, List, Optional


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def collect(paths: Iterable[str], glob: Optional[str] = None, stdin: Optional[IO[str]] = None) -> List[Path]:
    """The input files in a stable order, each once. Paths that do not exist are kept (they fail later)."""
    out: List[Path] = []
    seen = set()

    def add(p: Path) -> None:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in paths:
        if raw == "-":
            for line in (stdin or []):
                line = line.strip()
                if line:
                    add(Path(line))
            continue
        p = Path(raw)
        if p.is_dir():
            for f in _walk(p):
                if glob is None or fnmatch.fnmatch(f.name, glob) or fnmatch.fnmatch(str(f), glob):
                    add(f)
        else:
            add(p)
    return out
