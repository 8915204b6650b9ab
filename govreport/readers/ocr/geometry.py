"""Boxes and runs of pixels: the small geometry the page layout, the grid finder and the cell reader share."""

from __future__ import annotations

from typing import Any, List, Tuple


def scaled(b: Tuple[float, float, float, float], scale: float) -> Tuple[float, float, float, float]:
    return (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def true_runs(mask_1d: Any, min_len: int, gap: int = 0) -> List[Tuple[int, int]]:
    """(start, end) of runs of True at least ``min_len`` long in a 1-D boolean array, runs separated by
    ``gap`` False values or fewer joined into one."""
    import numpy as np

    padded = np.concatenate(([False], mask_1d, [False]))
    diff = np.diff(padded.astype(np.int8))
    starts = np.flatnonzero(diff == 1).tolist()
    ends = np.flatnonzero(diff == -1).tolist()
    runs: List[List[int]] = []
    for a, b in zip(starts, ends, strict=True):  # every run that starts ends (padded)
        if runs and a - runs[-1][1] <= gap:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    return [(a, b) for a, b in runs if b - a >= min_len]
