"""``govreport summarize``: one offline HTML page of a corpus's figures, and the same figures as CSV beside it.

The corpus is a SQLite database (``batch --db``), a Parquet dataset folder (``batch --format parquet``) or a
JSON Lines file; see ``corpus`` (reading), ``figures`` (the tables) and ``page`` (the plots and the HTML).
matplotlib is an optional extra (``pip install 'govreport[summary]'``; without it: exit 4).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from ..errors import OutputNotWritableError


@dataclass
class SummaryResult:
    page: Path
    csv: Dict[str, Path]  # figure table -> its CSV file
    reports: int
    errors: int
    cjk_font: str = ""


def summarize(corpus: Path, out: Path) -> SummaryResult:
    """Read ``corpus``, write the page to ``out`` and each figure's table to ``<out stem>.<table>.csv`` beside
    it (UTF-8 with a BOM, for Excel). Raises BadInputError (not a corpus), MissingDependencyError (no
    matplotlib), OutputNotWritableError."""
    from . import page
    from .corpus import read
    from .figures import compute

    page.matplotlib()  # exit 4 before any work
    out = Path(out)
    if out.is_dir():
        raise OutputNotWritableError(f"{out}: is a directory")
    if not out.parent.is_dir():
        raise OutputNotWritableError(f"{out}: directory {str(out.parent)!r} does not exist")
    figs = compute(read(Path(corpus)))
    cjk = page.cjk_font()
    if cjk:
        import matplotlib as mpl

        mpl.rcParams["font.sans-serif"] = [cjk, *mpl.rcParams["font.sans-serif"]]
    images = page.plots(figs.tables, cjk=bool(cjk))
    csv_paths = {name: out.with_name(f"{out.stem}.{name}.csv") for name in figs.tables}
    written: List[Path] = []
    try:
        for name, path in csv_paths.items():
            _write(path, lambda f, name=name: f.write(
                "\ufeff" + figs.tables[name].to_csv(index=False, lineterminator="\n")))
            written.append(path)
        text = page.render(figs, images, {k: v.name for k, v in csv_paths.items()}, str(corpus), cjk)
        _write(out, lambda f: f.write(text))
    except OSError as e:
        raise OutputNotWritableError(f"{out}: cannot write ({e.strerror or e})") from e
    return SummaryResult(out, csv_paths, figs.reports, figs.errors, cjk or "")


def _write(path: Path, fill) -> None:
    """Write a text file atomically (a temporary file beside it, renamed)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            fill(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
