"""Training dynamics from the training logs: start-to-end changes of a logged quantity and its end value.

Trainer logs (one JSON row per logging step, with ``stage`` and ``method``) carry for preference stages
``logps/chosen``, ``logps/rejected``, ``rewards/margins`` and, where the method logs it, ``kl`` (KL to the
reference). A run's change in a quantity over its last stage is the mean of the last ``k`` logged values minus
the mean of the first ``k`` (``k`` = a tenth of the logged steps, at least 1).

Logged steps are not items: consecutive steps of one run are strongly autocorrelated (the same weights, moving
slowly), so treating them as independent draws would make a run's own trajectory look like many observations.
A change is therefore one number per run (a per-seed summary), and its interval comes from the spread between
seeds, pooled across the study's preference cells (``crossover.analysis.pooled``).
"""

from __future__ import annotations

import math

import numpy as np

from crossover.analysis.bootstrap import SEEDS_ONLY, Table
from crossover.analysis.items import cell_id
from crossover.analysis.load import Cell, StudyData

WINDOW = 0.1
"""Share of a stage's logged steps averaged at its start and at its end."""


def stage_values(log: list[dict], stage: int, key: str) -> list[float]:
    """The logged values of ``key`` in one stage, in step order (summary rows without ``key`` skipped)."""
    return [float(row[key]) for row in log if row.get("stage") == stage and key in row
            and isinstance(row[key], (int, float)) and math.isfinite(float(row[key]))]


def _window(n: int) -> int:
    return max(1, math.ceil(WINDOW * n))


def run_change(log: list[dict], stage: int, key: str) -> float:
    """End-minus-start of ``key`` over one run's ``stage``: mean of the last window minus mean of the first."""
    values = stage_values(log, stage, key)
    if len(values) < 2:
        return math.nan
    k = min(_window(len(values)), len(values) // 2)
    return float(np.mean(values[-k:]) - np.mean(values[:k]))


def change_table(data: StudyData, cell: Cell, key: str) -> Table | None:
    """One column of per-seed changes of ``key`` over the cell's last stage (a seeds-only table)."""
    stage = len(cell.stages)
    changes = [(run.seed, run_change(data.train_log(run.run_id), stage, key)) for run in cell.runs]
    changes = [(s, v) for s, v in changes if math.isfinite(v)]
    if not changes:
        return None
    return Table(np.array([[v] for _, v in changes]), tuple(s for s, _ in changes), (SEEDS_ONLY,),
                 terms=(((cell_id(cell), "train_log", key), 1.0),))


def end_values(data: StudyData, cell: Cell, key: str) -> dict[int, float]:
    """seed -> mean of the last window of ``key`` in the cell's last stage (runs that never log it left out)."""
    stage = len(cell.stages)
    out = {}
    for run in cell.runs:
        values = stage_values(data.train_log(run.run_id), stage, key)
        if values:
            out[run.seed] = float(np.mean(values[-_window(len(values)):]))
    return out
