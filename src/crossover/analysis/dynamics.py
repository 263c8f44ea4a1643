"""Training dynamics from the training logs: start-to-end changes of a logged quantity and its end value.

Trainer logs (one JSON row per logging step, with ``stage`` and ``method``) carry for preference stages
``logps/chosen``, ``logps/rejected``, ``rewards/margins`` and, where the method logs it, ``kl`` (KL to the
reference). A run's change in a quantity over its last stage is the mean of the last ``k`` logged values minus
the mean of the first ``k`` (``k`` = a tenth of the logged steps, at least 1); the logged steps play the part
of items in the interval, so a single seed still gets one.
"""

from __future__ import annotations

import math

import numpy as np

from crossover.analysis.bootstrap import Table, combine
from crossover.analysis.load import Cell, StudyData

WINDOW = 0.1
"""Share of a stage's logged steps averaged at its start and at its end."""


def stage_values(log: list[dict], stage: int, key: str) -> list[float]:
    """The logged values of ``key`` in one stage, in step order (summary rows without ``key`` skipped)."""
    return [float(row[key]) for row in log if row.get("stage") == stage and key in row
            and isinstance(row[key], (int, float)) and math.isfinite(float(row[key]))]


def _window(n: int) -> int:
    return max(1, math.ceil(WINDOW * n))


def change_table(data: StudyData, cell: Cell, key: str) -> Table | None:
    """(seed x logged step) contributions whose mean is end-minus-start of ``key`` over the cell's last stage."""
    stage = len(cell.stages)
    series = [(run.seed, stage_values(data.train_log(run.run_id), stage, key)) for run in cell.runs]
    series = [(s, v) for s, v in series if len(v) >= 2]
    if not series:
        return None
    k = min(_window(len(v)) for _, v in series)
    k = min(k, min(len(v) for _, v in series) // 2)
    seeds = tuple(s for s, _ in series)
    first = Table(np.array([v[:k] for _, v in series]), seeds, tuple(f"log:first{j}" for j in range(k)))
    last = Table(np.array([v[-k:] for _, v in series]), seeds, tuple(f"log:last{j}" for j in range(k)))
    return combine([(1.0, last), (-1.0, first)])


def end_values(data: StudyData, cell: Cell, key: str) -> dict[int, float]:
    """seed -> mean of the last window of ``key`` in the cell's last stage (runs that never log it left out)."""
    stage = len(cell.stages)
    out = {}
    for run in cell.runs:
        values = stage_values(data.train_log(run.run_id), stage, key)
        if values:
            out[run.seed] = float(np.mean(values[-_window(len(values)):]))
    return out
