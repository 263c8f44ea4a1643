"""The seed variance of a metric pooled over every trained cell of a study (the randomized-block model).

``crossover.analysis.bootstrap`` explains why: with three seeds one contrast's own seed variance has 2 degrees of
freedom. Every arm runs on the same seeds, so a metric's run-level scores ``y[c, s]`` (cell c = arm x annotator,
seed s) are read as ``y = mu_c + b_s + e_cs`` with one variance of ``e`` across cells (Cochran & Cox 1957,
ch. 4, seeds as blocks). Two mean squares are pooled:

- ``within``: the pooled within-cell variance, ``sum_c sum_s (y - ybar_c)^2 / sum_c (S_c - 1)``, which estimates
  ``sigma_b^2 + sigma_e^2`` (the variance of one cell's score from seed to seed);
- ``residual``: the residual mean square of the additive (cell + seed) least-squares fit, which estimates
  ``sigma_e^2`` on ``n - C - S + 1`` degrees of freedom (unbalanced cells are fine).

A combination ``sum_c k_c y[c, s]`` of varying cells then has per-seed variance
``(sum k)^2 sigma_b^2 + (sum k^2) sigma_e^2 = (sum k)^2 within + (sum k^2 - (sum k)^2) residual``: a contrast
(``sum k = 0``) uses the residual alone, one cell the within-cell variance alone. The untrained base model does
not vary with the seed and takes no part. A combination of several metrics (proxy minus gold) is pooled on the
run-level combination of those metrics when its cells share the metric weights; otherwise it is not pooled.

The model's assumption, one residual variance for every arm, is checked by the planted studies in
``tests/analysis/test_planted.py``, including arms whose seed noise differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crossover.analysis.bootstrap import SeedVariance, Series

RunValue = Callable[[str, str, str], dict[int, float]]
"""(cell id, probe, metric) -> seed -> the run's value (finite values only)."""

Weights = tuple[tuple[tuple[str, str], float], ...]


@dataclass(frozen=True)
class BlockFit:
    within: float
    df_within: int
    residual: float
    df_residual: int
    cells: int


def block_fit(scores: dict[str, dict[int, float]]) -> BlockFit | None:
    """Pooled within-cell and two-way residual mean squares of cell -> seed -> value; None with no replication."""
    cells = {c: v for c, v in scores.items() if len(v) >= 2}
    if not cells:
        return None
    df_within = sum(len(v) - 1 for v in cells.values())
    within = sum(float(((np.array(list(v.values())) - np.mean(list(v.values()))) ** 2).sum())
                 for v in cells.values()) / df_within
    names, seeds = sorted(cells), sorted({s for v in cells.values() for s in v})
    rows = [(names.index(c), seeds.index(s), y) for c, v in cells.items() for s, y in v.items()]
    design = np.zeros((len(rows), len(names) + len(seeds) - 1))
    for r, (ci, si, _) in enumerate(rows):
        design[r, ci] = 1.0
        if si > 0:
            design[r, len(names) + si - 1] = 1.0
    y = np.array([v for _, _, v in rows])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    rank = int(np.linalg.matrix_rank(design))
    df_residual = len(rows) - rank
    residual = float(((y - design @ coef) ** 2).sum() / df_residual) if df_residual > 0 else math.nan
    return BlockFit(within, df_within, residual, df_residual, len(names))


@dataclass
class SeedPools:
    """``SeedPool`` for a study: cell terms -> the pooled per-seed variance of that combination."""

    run_values: RunValue
    cells: dict[str, bool]
    """Every cell id of the study and whether it is fixed (does not depend on the seed)."""
    _fits: dict[Weights, BlockFit | None] = field(default_factory=dict)

    def __call__(self, terms: tuple[tuple[Series, float], ...]) -> SeedVariance | None:
        split = _factor(terms, self.cells)
        if split is None:
            return None
        weights, coefs = split
        if not coefs:
            return None
        fit = self.fit(weights)
        if fit is None:
            return None
        total = sum(coefs.values())
        squares = sum(k * k for k in coefs.values())
        return combination_variance(fit, total, squares)

    def fit(self, weights: Weights) -> BlockFit | None:
        if weights not in self._fits:
            scores: dict[str, dict[int, float]] = {}
            for cell, fixed in self.cells.items():
                if fixed:
                    continue
                parts = [(self.run_values(cell, probe, metric), w) for (probe, metric), w in weights]
                seeds = set.intersection(*(set(v) for v, _ in parts)) if parts else set()
                if seeds:
                    scores[cell] = {s: sum(w * v[s] for v, w in parts) for s in seeds}
            self._fits[weights] = block_fit(scores)
        return self._fits[weights]


def combination_variance(fit: BlockFit, total: float, squares: float) -> SeedVariance | None:
    """Per-seed variance of a combination with ``sum k = total`` and ``sum k^2 = squares`` (module docstring),
    with Satterthwaite degrees of freedom where both mean squares enter."""
    a, b = total * total, squares - total * total
    if abs(total) < 1e-9 * max(1.0, math.sqrt(squares)):
        a, b = 0.0, squares
    parts = [(a * fit.within, fit.df_within), (b * fit.residual, fit.df_residual)]
    parts = [(v, d) for v, d in parts if v != 0]
    if any(d <= 0 or not math.isfinite(v) for v, d in parts):
        return None
    variance = sum(v for v, _ in parts)
    if not parts or variance <= 0:
        if a > 0 and fit.df_within > 0:  # a residual larger than the within-cell variance: keep the direct term
            return SeedVariance(a * fit.within, fit.df_within)
        return SeedVariance(0.0, math.inf) if not parts else None
    return SeedVariance(variance, variance ** 2 / sum(v * v / d for v, d in parts))


def _factor(terms: tuple[tuple[Series, float], ...], cells: dict[str, bool]
            ) -> tuple[Weights, dict[str, float]] | None:
    """Terms as (metric weights, cell coefficients) with ``k[cell, metric] = coef[cell] * weight[metric]``;
    fixed cells dropped; None where the terms do not factor so."""
    by_cell: dict[str, dict[tuple[str, str], float]] = {}
    for (cell, probe, metric), k in terms:
        if cells.get(cell, True):
            continue
        by_cell.setdefault(cell, {})[(probe, metric)] = by_cell.get(cell, {}).get((probe, metric), 0.0) + k
    if not by_cell:
        return (), {}
    first = next(iter(by_cell.values()))
    metrics = sorted(first)
    anchor = first[metrics[0]]
    weights = tuple((m, first[m] / anchor) for m in metrics)
    coefs: dict[str, float] = {}
    for cell, vector in by_cell.items():
        if sorted(vector) != metrics:
            return None
        scale = vector[metrics[0]] / weights[0][1]
        if any(abs(vector[m] - scale * w) > 1e-9 * max(1.0, abs(vector[m])) for m, w in weights):
            return None
        coefs[cell] = scale
    return weights, coefs
