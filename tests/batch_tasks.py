"""Helpers for the executor, Parquet and unit tests: generated reports written to a folder, and task
functions that kill their worker process (imported by the pool's and the Dask cluster's workers by name)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sample_scripts import load

PLANTED = "planted"  # a file whose name holds this kills the worker that reads it


def report(seed: int, issuer: str = "云溪县人民政府", year: int = 2023) -> Tuple[str, dict]:
    """A generated 2021-format report (``make_samples.build_2021``) for another issuer and year."""
    text, truth = load("make_samples").build_2021(seed)
    return text.replace("云溪县人民政府", issuer).replace("2023年", f"{year}年"), truth


def write_reports(folder: Path, specs: List[Tuple[str, int]], seed: int = 100) -> Dict[str, dict]:
    """``specs``: (issuer, year) per report; writes ``r00.txt``, … and returns file name -> truth."""
    folder.mkdir(parents=True, exist_ok=True)
    truths = {}
    for i, (issuer, year) in enumerate(specs):
        text, truth = report(seed + i, issuer, year)
        name = f"r{i:02d}.txt"
        (folder / name).write_text(text, "utf-8")
        truths[name] = truth
    return truths


def _work(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]):
    from govreport.batch.executors import _dask_task

    return _dask_task(path, strict, timeout, limits)


def dies_on_planted(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]):
    """Every attempt at a planted file kills its worker process."""
    if PLANTED in Path(path).name:
        os._exit(17)
    return _work(path, strict, timeout, limits)


def dies_once_on_planted(path: str, strict: bool, timeout: Optional[float], limits: Optional[Dict]):
    """The first attempt at a planted file kills its worker; the retry reads it (a marker file beside it)."""
    marker = Path(path + ".died")
    if PLANTED in Path(path).name and not marker.exists():
        marker.write_text("x")
        os._exit(17)
    return _work(path, strict, timeout, limits)
