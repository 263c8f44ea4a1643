"""Intervals over seeds and probe items: a multiplier bootstrap for a crossed (seed x item) design.

Every figure crossover reports is a mean over a table ``z[s, i]`` of linearised contributions: rows are training
seeds (one run per seed), columns are probe items, and the same items are asked of every run, so a contrast
between two arms is the table of paired differences. Seeds and items are both samples from larger populations
(training randomness and the space of prompts), so both must be resampled.

The method, in four steps:

1. **Components.** The table is split as ``z = m + r_s + c_i + e_si`` (row effects, column effects, double-centred
   residuals). Method-of-moments variance components of the two-way random-effects model are
   ``sigma_e^2 = sum(e^2) / ((S-1)(I-1))``, ``sigma_seed^2 = max(0, var(r) - sigma_e^2 / I)`` and
   ``sigma_item^2 = max(0, var(c) - sigma_e^2 / S)`` (e.g. Searle, Casella & McCulloch, *Variance Components*,
   1992, ch. 4), so that ``var(mean z) = sigma_seed^2/S + sigma_item^2/I + sigma_e^2/(SI)``.
2. **Reweighting bootstrap.** Each seed gets a random weight ``xi_s`` and each item ``eta_i`` (independent standard
   normal multipliers, the weighted bootstrap of Mammen 1993 applied to both factors of the array as in Owen &
   Eckles 2012, "Bootstrapping data arrays of arbitrary order"). A draw is
   ``m + sum_s xi_s a_s + sum_i eta_i b_i + sum_si xi_s eta_i g_si`` where ``a``, ``b``, ``g`` are the row effects,
   column effects and residuals rescaled so that each term has exactly the variance of its component. Resampling
   rows and columns naively (the pigeonhole bootstrap, Owen 2007) counts the interaction three times and gives
   intervals far too wide when item-level noise dominates, as it does for 0/1 grades.
3. **Few seeds.** With S = 3 seeds the seed component is estimated on 2 degrees of freedom; a normal interval
   would then cover far less often than stated. Draws are therefore widened about the point estimate by
   ``t_nu / z``. Where a seed component is present, ``nu = S - 1``, the degrees of freedom of the seed factor
   that contains the effect (the "containment" rule of mixed-model software, e.g. SAS PROC MIXED DDFM=CONTAIN);
   otherwise ``nu`` is the Satterthwaite (1946) value of the item and residual components. Satterthwaite's value
   over all three components was tried and rejected: with 3 seeds and seed noise dominating, it covered 89%
   instead of 95% (estimated components that come out small by chance also make ``nu`` large), while this rule
   covers 94-97% across regimes (tests/analysis/test_bootstrap.py).
4. **Percentile interval** of the draws (Efron & Tibshirani 1993, ch. 13).

Multipliers are fixed per seed and per item key for a whole analysis, so every estimate is drawn jointly with
every other: a ratio of two contrasts, or the budget where a curve crosses zero, is computed draw by draw.
With one seed only the item component is resampled (training randomness is then not in the interval); a metric
with no item-level records is resampled over seeds only; one run without records gives no interval at all.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

Resampled = Literal["seeds+items", "seeds", "items", "none"]
Verdict = Literal["increase", "decrease", "no detectable difference", "cannot tell"]
SEEDS_ONLY = "*"
"""Item key of a table with no item-level records: one column holding each run's score."""


@dataclass(frozen=True)
class BootstrapSettings:
    draws: int = 2000
    """Bootstrap draws per estimate."""
    confidence: float = 0.95
    """Coverage of every interval."""
    seed: int = 0
    """Seed of the multipliers; the same seed gives the same intervals."""


@dataclass(frozen=True)
class Table:
    """Linearised contributions ``values[s, i]`` whose mean is the estimate; rows are seeds, columns items.

    ``fixed`` marks a table that does not depend on the training seed (the untrained base model): it is
    broadcast to any seeds it is combined with instead of restricting them.
    """

    values: np.ndarray
    seeds: tuple[int, ...]
    items: tuple[str, ...]
    fixed: bool = False

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.seeds), len(self.items)):
            raise ValueError(f"values of shape {self.values.shape} for {len(self.seeds)} seeds x "
                             f"{len(self.items)} items")

    @property
    def estimate(self) -> float:
        return float(self.values.mean()) if self.values.size else math.nan

    def seed_means(self) -> Table:
        """The same estimate with items collapsed: one column of per-seed means (a seeds-only table)."""
        return Table(self.values.mean(axis=1, keepdims=True), self.seeds, (SEEDS_ONLY,), self.fixed)


def combine(terms: Sequence[tuple[float, Table]]) -> Table:
    """The table of ``sum_k coef_k * table_k``, its mean equal to ``sum_k coef_k * mean(table_k)``.

    Rows are paired by seed: the seeds common to every table that depends on the seed (a ``fixed`` table is
    broadcast). Columns are paired by item key over the union of keys. A table on a subset of the items adds its
    per-seed mean to every column and its deviations from that mean, scaled by ``I_union / I_k``, to its own
    columns: each row's mean is kept, and a table's level does not masquerade as variation between items (the
    linearisation of a stratified mean). On shared items this is plain addition. If any table has no item-level
    records, all are collapsed to per-seed means, since a per-seed score cannot be split over items.
    """
    if not terms:
        raise ValueError("nothing to combine")
    # Terms on the same table are summed first, so that terms which cancel (a parent entering two differences)
    # cancel exactly rather than leave rounding noise that an interval could read as a detectable effect.
    merged: dict[int, tuple[float, Table]] = {}
    for coef, table in terms:
        merged[id(table)] = (merged.get(id(table), (0.0, table))[0] + coef, table)
    terms = list(merged.values())
    varying = [t for _, t in terms if not t.fixed]
    if varying:
        seeds = tuple(s for s in varying[0].seeds if all(s in t.seeds for t in varying))
    else:
        seeds = terms[0][1].seeds[:1]
    if not seeds:
        raise ValueError("the tables share no seed")
    tables = [(c, t) for c, t in terms]
    if any(t.items == (SEEDS_ONLY,) for _, t in tables) and any(t.items != (SEEDS_ONLY,) for _, t in tables):
        tables = [(c, t.seed_means()) for c, t in tables]
    items: list[str] = []
    seen: set[str] = set()
    for _, t in tables:
        for key in t.items:
            if key not in seen:
                seen.add(key)
                items.append(key)
    column = {key: j for j, key in enumerate(items)}
    out = np.zeros((len(seeds), len(items)))
    for coef, t in tables:
        rows = [0] * len(seeds) if t.fixed else [t.seeds.index(s) for s in seeds]
        cols = [column[key] for key in t.items]
        values = t.values[rows, :]
        level = values.mean(axis=1, keepdims=True)
        out += coef * level
        out[:, cols] += coef * (len(items) / len(t.items)) * (values - level)
    return Table(out, seeds, tuple(items), fixed=all(t.fixed for _, t in tables))


@dataclass
class Multipliers:
    """Normal multipliers per seed and per item key, fixed for one analysis so all estimates are drawn jointly."""

    settings: BootstrapSettings = BootstrapSettings()
    _cache: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    _matrices: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    def _draw(self, kind: str, key: str) -> np.ndarray:
        if (kind, key) not in self._cache:
            digest = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest()[:8], "little")
            rng = np.random.default_rng([self.settings.seed, digest])
            self._cache[(kind, key)] = rng.standard_normal(self.settings.draws)
        return self._cache[(kind, key)]

    def seeds(self, seeds: Sequence[int]) -> np.ndarray:
        """Shape (draws, S)."""
        return np.stack([self._draw("seed", str(s)) for s in seeds], axis=1)

    def items(self, items: Sequence[str]) -> np.ndarray:
        """Shape (draws, I); the last few matrices are kept, since one item set serves many estimates."""
        key = tuple(items)
        if key not in self._matrices:
            if len(self._matrices) >= 8:
                self._matrices.pop(next(iter(self._matrices)))
            self._matrices[key] = np.stack([self._draw("item", k) for k in items], axis=1)
        return self._matrices[key]


@dataclass(frozen=True)
class Components:
    """Variance components of a table's mean and their degrees of freedom."""

    seed: float
    item: float
    residual: float
    df_seed: int
    df_item: int
    df_residual: int

    @property
    def variance(self) -> float:
        return self.seed + self.item + self.residual

    def satterthwaite_df(self) -> float:
        """Satterthwaite (1946): nu = V^2 / sum_j (V_j^2 / df_j) over the non-zero components."""
        parts = [(v, d) for v, d in ((self.seed, self.df_seed), (self.item, self.df_item),
                                     (self.residual, self.df_residual)) if v > 0 and d > 0]
        if not parts:
            return math.inf
        return sum(v for v, _ in parts) ** 2 / sum(v * v / d for v, d in parts)

    def degrees_of_freedom(self) -> float:
        """S - 1 where a seed component is present (containment rule), else Satterthwaite over the others."""
        if self.seed > 0 and self.df_seed > 0:
            return float(self.df_seed)
        return self.satterthwaite_df()


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its bootstrap draws and percentile interval."""

    point: float
    draws: np.ndarray
    lo: float
    hi: float
    se: float
    df: float
    n_seeds: int
    n_items: int
    resampled: Resampled

    @property
    def has_interval(self) -> bool:
        return self.resampled != "none" and math.isfinite(self.lo) and math.isfinite(self.hi)

    @property
    def verdict(self) -> Verdict:
        """``increase``/``decrease`` when the interval excludes zero, else ``no detectable difference``."""
        if not self.has_interval:
            return "cannot tell"
        if self.lo > 0:
            return "increase"
        if self.hi < 0:
            return "decrease"
        return "no detectable difference"


def decompose(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Components]:
    """Row effects, column effects, residuals and method-of-moments variance components of the mean.

    ``values`` has shape (S, I). With S = 1 the item component takes all the variance between items (seed
    randomness is then not identifiable); with I = 1 the seed component takes all the variance between seeds.
    """
    s, i = values.shape
    m = values.mean()
    r = values.mean(axis=1) - m
    c = values.mean(axis=0) - m
    e = values - m - r[:, None] - c[None, :]
    df_e = (s - 1) * (i - 1)
    ms_e = float((e ** 2).sum() / df_e) if df_e > 0 else 0.0
    var_r = float(r.var(ddof=1)) if s > 1 else 0.0
    var_c = float(c.var(ddof=1)) if i > 1 else 0.0
    sigma_seed = max(0.0, var_r - ms_e / i)
    sigma_item = max(0.0, var_c - ms_e / s)
    comps = Components(seed=sigma_seed / s, item=sigma_item / i, residual=ms_e / (s * i),
                       df_seed=s - 1, df_item=i - 1, df_residual=df_e)
    return r, c, e, comps


def _scaled(effects: np.ndarray, target_variance: float) -> np.ndarray:
    """``effects`` rescaled so that ``sum(effects^2)`` (the variance of a multiplier sum) is the target."""
    total = float((effects ** 2).sum())
    if total <= 0 or target_variance <= 0:
        return np.zeros_like(effects)
    return effects * math.sqrt(target_variance / total)


def estimate(table: Table, multipliers: Multipliers) -> Estimate:
    """Bootstrap draws and a percentile interval for the mean of ``table`` (see the module docstring)."""
    settings = multipliers.settings
    values = np.asarray(table.values, dtype=float)
    point = float(values.mean())
    s, i = values.shape
    seeds_vary = s > 1 and not table.fixed
    items_vary = i > 1
    resampled: Resampled = ("seeds+items" if seeds_vary and items_vary else "seeds" if seeds_vary
                            else "items" if items_vary else "none")
    if resampled == "none" or not np.isfinite(values).all():
        nan = math.nan if resampled != "none" else point
        return Estimate(point, np.full(settings.draws, point), nan, nan, math.nan, math.nan, s, i,
                        "none" if resampled == "none" else resampled)
    r, c, e, comps = decompose(values)
    deviation = np.zeros(settings.draws)
    xi = multipliers.seeds(table.seeds) if seeds_vary else None
    eta = multipliers.items(table.items) if items_vary else None
    if xi is not None:
        deviation += xi @ _scaled(r, comps.seed)
        if eta is not None:
            deviation += ((eta @ _scaled(e, comps.residual).T) * xi).sum(axis=1)
    if eta is not None:
        deviation += eta @ _scaled(c, comps.item)
    df = comps.degrees_of_freedom()
    alpha = 1.0 - settings.confidence
    widen = float(stats.t.ppf(1 - alpha / 2, df) / stats.norm.ppf(1 - alpha / 2)) if math.isfinite(df) else 1.0
    draws = point + widen * deviation
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    # The estimate is a mean of ``values``, so it cannot leave their range: a rate's interval stays within [0, 1]
    # even where the few-seed t widening would reach past it.
    lo, hi = max(lo, values.min()), min(hi, values.max())
    return Estimate(point, draws, float(lo), float(hi), float(widen * math.sqrt(comps.variance)), df, s, i,
                    resampled)


def percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of draws that may hold +-inf (censored values) or NaN (dropped)."""
    finite = draws[~np.isnan(draws)]
    if not finite.size:
        return math.nan, math.nan
    alpha = 1.0 - confidence
    lo, hi = np.quantile(finite, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return float(lo), float(hi)
