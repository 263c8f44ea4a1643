"""Intervals over seeds and probe items: t intervals whose seed variance is pooled across the study.

Every figure crossover reports is a mean over a table ``z[s, i]`` of linearised contributions: rows are training
seeds (one run per seed), columns are probe items, and the same items are asked of every run, so a contrast
between two arms is the table of paired differences. Seeds and items are both samples from larger populations
(training randomness and the space of prompts), so both enter the interval.

The method, in four steps:

1. **Two strata.** The variance of the mean of a contrast table is split as ``V = V_seed + V_item``:
   ``V_seed = Var(dbar_s) / S``, the spread of the per-seed means ``dbar_s`` (training randomness plus the
   within-run noise of the items' replies), and ``V_item = sigma_item^2 / I`` with
   ``sigma_item^2 = max(0, var(c) - ms_e / S)``, the column effects' variance less what the residual explains
   (method of moments for the crossed two-way random-effects model, Searle, Casella & McCulloch, *Variance
   Components*, 1992, ch. 4). Nothing is truncated in ``V_seed``.
2. **Pooling the seed stratum across the study.** With three seeds, ``Var(dbar_s)`` of one contrast has 2 degrees
   of freedom and the t multiplier is 4.30. Every arm of a study is run on the same seeds, so a metric's per-seed
   scores ``y[c, s]`` over all its trained cells ``c`` (arm x annotator) follow the randomized-block model
   ``y = mu_c + b_s + e_cs`` (Cochran & Cox 1957, ch. 4): ``b_s`` what a seed does to every arm alike (data
   order, initialisation), ``e_cs`` what it does to one arm, with one variance across arms. For a linear
   combination ``sum_c k_c y[c, s]`` of varying cells, ``Var = (sum k)^2 sigma_b^2 + (sum k^2) sigma_e^2``. The
   two-way residual mean square estimates ``sigma_e^2`` on ``(C - 1)(S - 1)`` degrees of freedom and the pooled
   within-cell variance estimates ``sigma_b^2 + sigma_e^2`` on ``C(S - 1)``, so a contrast (``sum k = 0``) of a
   study with 7 cells and 3 seeds has 12 degrees of freedom instead of 2. A table of several metrics (proxy minus
   gold) is pooled on the run-level combination of those metrics. A table that is not a combination of cells
   (length-matched gold, training-log changes) uses its own per-seed means on ``S - 1`` degrees of freedom.
3. **Interval.** ``point +- t_nu sqrt(V)``, ``nu`` the Satterthwaite (1946) degrees of freedom of the two
   strata (``V^2 / (V_seed^2 / nu_seed + V_item^2 / (I - 1))``), clipped only to the natural range of the
   quantity (a rate to [0, 1], a difference of two rates to [-1, 1]); never to the values averaged. The p-value
   of "no change" is the same t test, so intervals, verdicts and the multiplicity corrections agree.
4. **Joint draws.** Estimates built from the same seeds and items also get draws from normal multipliers fixed per
   seed and per item key for a whole analysis (Mammen 1993; Owen & Eckles 2012), rescaled so that their
   percentile interval is the t interval. Quantities that are not linear (the best arm at each budget, the
   budget where an advantage crosses zero) are computed draw by draw from them.

Alternatives rejected. The previous percentile interval of a Gaussian multiplier bootstrap was, for these linear
statistics, a Wald interval plus Monte Carlo noise; its t(S - 1) widening switched off whenever the seed
component was estimated at zero (13-21% of planted nulls at 3 seeds x 64 items, where coverage fell to
0.60-0.81), and its intervals were clipped to the range of the values averaged, which for one value per seed
made a 3-seed sign test (25% false positives). A REML mixed model over all cells at once would pool the same
way but needs an iterative fit per metric and per contrast for little gain over the balanced moment estimators.

Coverage measured: tests/analysis/test_bootstrap.py (400 planted nulls per regime, 3 seeds x 64 items, seed
noise small, mixed and dominant: 95% within binomial error, no pooling) and tests/analysis/test_null_pipeline.py
(whole synthetic studies through ``analyze`` with a shared seed effect and each run's own: the family-wise flag
rate and the false-decision rate, seeds-only metrics included, at or below 5%; the slow version runs 200 studies,
enough to tell 5% from 10%). No interval is exact conditionally on the seed-variance estimate (a t interval
under-covers when the estimate is small by chance); pooling makes that estimate rest on many degrees of freedom,
so it is rarely small by chance, and nothing switches off when it is.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import special

Resampled = Literal["seeds+items", "seeds", "items", "none"]
Verdict = Literal["increase", "decrease", "no detectable difference", "cannot tell"]
SEEDS_ONLY = "*"
"""Item key of a table with no item-level records: one column holding each run's score."""

Series = tuple[str, str, str]
"""(cell id, probe, metric): one cell's scores on one metric, the unit the seed variance is pooled over."""


def t_quantile(p: float, df: float) -> float:
    """Student t quantile (normal where df is infinite); scipy.special's ufunc, far faster than stats.t.ppf in the
    price scans that call it thousands of times."""
    return float(special.stdtrit(df, p)) if math.isfinite(df) else float(special.ndtri(p))


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic."""
    tail = special.stdtr(df, -abs(t)) if math.isfinite(df) else special.ndtr(-abs(t))
    return float(2 * tail)


@dataclass(frozen=True)
class BootstrapSettings:
    draws: int = 2000
    """Joint draws per estimate (for the quantities computed draw by draw)."""
    confidence: float = 0.95
    """Coverage of every interval."""
    seed: int = 0
    """Seed of the multipliers; the same seed gives the same draws."""


@dataclass(frozen=True)
class Table:
    """Linearised contributions ``values[s, i]`` whose mean is the estimate; rows are seeds, columns items.

    ``fixed`` marks a table that does not depend on the training seed (the untrained base model): it is
    broadcast to any seeds it is combined with instead of restricting them. ``terms`` says which cells' scores the
    table combines, with what coefficients (empty for a table that is not such a combination); it is what the
    seed variance is pooled by.
    """

    values: np.ndarray
    seeds: tuple[int, ...]
    items: tuple[str, ...]
    fixed: bool = False
    terms: tuple[tuple[Series, float], ...] = ()

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.seeds), len(self.items)):
            raise ValueError(f"values of shape {self.values.shape} for {len(self.seeds)} seeds x "
                             f"{len(self.items)} items")

    @property
    def estimate(self) -> float:
        return float(self.values.mean()) if self.values.size else math.nan

    def seed_means(self) -> Table:
        """The same estimate with items collapsed: one column of per-seed means (a seeds-only table)."""
        return Table(self.values.mean(axis=1, keepdims=True), self.seeds, (SEEDS_ONLY,), self.fixed, self.terms)


def _merge_terms(terms: Sequence[tuple[float, Table]]) -> tuple[tuple[Series, float], ...]:
    """The cell terms of ``sum coef * table``; empty when any table is not a combination of cells."""
    if any(not t.terms for _, t in terms):
        return ()
    out: dict[Series, float] = {}
    for coef, table in terms:
        for series, k in table.terms:
            out[series] = out.get(series, 0.0) + coef * k
    return tuple((s, k) for s, k in out.items() if abs(k) > 1e-12)


def align(tables: Sequence[Table]) -> list[Table]:
    """The tables on one frame: the seeds common to every table that depends on the seed (a ``fixed`` table is
    broadcast) and the union of item keys, so that ``sum_k coef_k * aligned_k`` is ``combine``.

    A table on a subset of the items adds its per-seed mean to every column and its deviations from that mean,
    scaled by ``I_union / I_k``, to its own columns: each row's mean is kept, and a table's level does not
    masquerade as variation between items (the linearisation of a stratified mean). If any table has no
    item-level records, all are collapsed to per-seed means, since a per-seed score cannot be split over items.
    """
    varying = [t for t in tables if not t.fixed]
    seeds = tuple(s for s in varying[0].seeds if all(s in t.seeds for t in varying)) if varying else tables[0].seeds[:1]
    if not seeds:
        raise ValueError("the tables share no seed")
    if any(t.items == (SEEDS_ONLY,) for t in tables) and any(t.items != (SEEDS_ONLY,) for t in tables):
        tables = [t.seed_means() for t in tables]
    items: list[str] = list(dict.fromkeys(key for t in tables for key in t.items))
    column = {key: j for j, key in enumerate(items)}
    out = []
    for t in tables:
        rows = [0] * len(seeds) if t.fixed else [t.seeds.index(s) for s in seeds]
        values = t.values[rows, :]
        level = values.mean(axis=1, keepdims=True)
        frame = np.repeat(level, len(items), axis=1)
        frame[:, [column[key] for key in t.items]] += (len(items) / len(t.items)) * (values - level)
        out.append(Table(frame, seeds, tuple(items), t.fixed, t.terms))
    return out


def combine(terms: Sequence[tuple[float, Table]]) -> Table:
    """The table of ``sum_k coef_k * table_k``, its mean equal to ``sum_k coef_k * mean(table_k)``.

    Rows are paired by seed and columns by item key (see ``align``).
    """
    if not terms:
        raise ValueError("nothing to combine")
    # Terms on the same table are summed first, so that terms which cancel (a parent entering two differences)
    # cancel exactly rather than leave rounding noise that an interval could read as a detectable effect.
    merged: dict[int, tuple[float, Table]] = {}
    for coef, table in terms:
        merged[id(table)] = (merged.get(id(table), (0.0, table))[0] + coef, table)
    pairs = list(merged.values())
    aligned = align([t for _, t in pairs])
    out = np.zeros_like(aligned[0].values)
    for (coef, _), t in zip(pairs, aligned):
        out += coef * t.values
    return Table(out, aligned[0].seeds, aligned[0].items, fixed=all(t.fixed for _, t in pairs),
                 terms=_merge_terms(pairs))


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
class SeedVariance:
    """The variance of one seed's value of a cell combination, and its degrees of freedom."""

    variance: float
    df: float


SeedPool = Callable[[tuple[tuple[Series, float], ...]], SeedVariance | None]
"""Cell terms -> the pooled variance of one seed's value of that combination (None where it cannot be pooled)."""


@dataclass(frozen=True)
class Components:
    """Variance components of a table's mean (method of moments) and their degrees of freedom."""

    seed: float
    item: float
    residual: float
    df_seed: int
    df_item: int
    df_residual: int

    @property
    def variance(self) -> float:
        return self.seed + self.item + self.residual


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its t interval, its p-value of "no change", and joint draws."""

    point: float
    draws: np.ndarray
    lo: float
    hi: float
    se: float
    df: float
    n_seeds: int
    n_items: int
    resampled: Resampled
    p_value: float = math.nan
    """Two-sided p-value of the t test of a zero mean (NaN where there is no interval)."""

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

    def mdc(self, confidence: float, power: float = 0.8) -> float:
        """Minimum detectable change: the true change this design finds with probability ``power`` at the
        interval's level, ``(t_{1-alpha/2} + t_power) * se`` (the normal-approximation power formula with t
        quantiles, e.g. Julious 2004)."""
        if not self.has_interval or not math.isfinite(self.df):
            return math.nan
        return float((t_quantile(0.5 + confidence / 2, self.df) + t_quantile(power, self.df)) * self.se)


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


@dataclass(frozen=True)
class Strata:
    """The two strata of a table's variance: ``V_seed`` with its degrees of freedom and ``V_item`` with I - 1."""

    seed: float
    df_seed: float
    item: float
    df_item: float
    pooled: bool

    @property
    def variance(self) -> float:
        return self.seed + self.item

    def satterthwaite_df(self) -> float:
        """nu = V^2 / sum_j (V_j^2 / nu_j) over the non-zero strata (Satterthwaite 1946); inf when V = 0."""
        parts = [(v, d) for v, d in ((self.seed, self.df_seed), (self.item, self.df_item)) if v > 0 and d > 0]
        if not parts:
            return math.inf
        return sum(v for v, _ in parts) ** 2 / sum(v * v / d for v, d in parts)


def strata(table: Table, pool: SeedPool | None = None) -> Strata:
    """``V_seed`` (pooled where ``pool`` knows the table's cells, else from its own per-seed means) and
    ``V_item`` of the mean of ``table`` (see the module docstring, steps 1-2)."""
    values = np.asarray(table.values, dtype=float)
    s, i = values.shape
    item, df_item = 0.0, math.inf
    if i > 1:
        _, c, _, comps = decompose(values)
        item, df_item = comps.item, float(i - 1)
    if table.fixed:
        return Strata(0.0, math.inf, item, df_item, False)
    pooled = pool(table.terms) if pool is not None and table.terms else None
    if pooled is not None and pooled.df > 0:
        return Strata(pooled.variance / s, pooled.df, item, df_item, True)
    if s > 1:
        return Strata(float(values.mean(axis=1).var(ddof=1)) / s, float(s - 1), item, df_item, False)
    return Strata(0.0, math.inf, item, df_item, False)


def _deviation(table: Table, multipliers: Multipliers) -> np.ndarray:
    """Zero-mean joint draws of the table's mean from the seed and item multipliers (unit scale not yet set)."""
    values = np.asarray(table.values, dtype=float)
    s, i = values.shape
    r, c, e, _ = decompose(values)
    out = np.zeros(multipliers.settings.draws)
    xi = multipliers.seeds(table.seeds) if s > 1 and not table.fixed else None
    eta = multipliers.items(table.items) if i > 1 else None
    if xi is not None:
        out += xi @ r / s
        if eta is not None:
            out += ((eta @ (e / (s * i)).T) * xi).sum(axis=1)
    if eta is not None:
        out += eta @ c / i
    if not out.any():  # nothing varies in the table itself: one seed's multiplier carries the pooled spread
        out = multipliers.seeds(table.seeds[:1])[:, 0]
    return out


def estimate(table: Table, multipliers: Multipliers, pool: SeedPool | None = None,
             bounds: tuple[float, float] = (-math.inf, math.inf)) -> Estimate:
    """The t interval of the mean of ``table`` (see the module docstring), clipped to ``bounds``, the quantity's
    natural range, with joint draws and the p-value of a zero mean."""
    settings = multipliers.settings
    values = np.asarray(table.values, dtype=float)
    point = float(values.mean())
    s, i = values.shape
    seeds_vary = s > 1 and not table.fixed
    if not np.isfinite(values).all():
        return Estimate(point, np.full(settings.draws, point), math.nan, math.nan, math.nan, math.nan, s, i, "none")
    parts = strata(table, pool)
    resampled: Resampled = ("seeds+items" if (seeds_vary or parts.pooled) and i > 1 else
                            "seeds" if seeds_vary or parts.pooled else "items" if i > 1 else "none")
    if resampled == "none":
        return Estimate(point, np.full(settings.draws, point), point, point, math.nan, math.nan, s, i, "none")
    se = math.sqrt(parts.variance)
    df = parts.satterthwaite_df()
    alpha = 1.0 - settings.confidence
    quantile = t_quantile(1 - alpha / 2, df)
    lo, hi = max(point - quantile * se, bounds[0]), min(point + quantile * se, bounds[1])
    p = t_two_sided_p(point / se, df) if se > 0 else 1.0 if point == 0 else 0.0
    deviation = _deviation(table, multipliers)
    spread = float(deviation.std())
    # Draws whose percentile interval is the t interval: the multiplier draws rescaled to quantile * se / z.
    scale = quantile * se / float(special.ndtri(1 - alpha / 2)) / spread if spread > 0 else 0.0
    draws = np.clip(point + scale * deviation, bounds[0], bounds[1])
    return Estimate(point, draws, float(lo), float(hi), se, df, s, i, resampled, p)


def percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of draws that may hold +-inf (censored values) or NaN (dropped)."""
    finite = draws[~np.isnan(draws)]
    if not finite.size:
        return math.nan, math.nan
    alpha = 1.0 - confidence
    lo, hi = np.quantile(finite, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return float(lo), float(hi)


@dataclass(frozen=True)
class Test:
    """A t test of one linear combination: point, standard error, degrees of freedom."""

    point: float
    se: float
    df: float

    def interval(self, confidence: float) -> tuple[float, float]:
        q = t_quantile(0.5 + confidence / 2, self.df)
        return self.point - q * self.se, self.point + q * self.se

    @property
    def p_value(self) -> float:
        if not self.se > 0:
            return 1.0 if self.point == 0 else 0.0
        return t_two_sided_p(self.point / self.se, self.df)


@dataclass
class Family:
    """Every linear combination ``sum_k w_k table_k`` of a few tables, tested in O(1) per combination.

    Each variance the interval uses (per-seed means, column effects, residuals, the pooled seed variance) is a
    quadratic form in ``w``, so the Gram matrices are computed once; ``test(w)`` equals
    ``estimate(combine(w . tables))`` without building the table. A test inversion over a price (breakeven.py)
    evaluates hundreds of combinations this way.
    """

    tables: list[Table]
    pool: SeedPool | None = None

    def __post_init__(self) -> None:
        self.aligned = align(self.tables)
        values = np.stack([t.values for t in self.aligned])  # (K, S, I)
        self.s, self.i = values.shape[1:]
        self.points = values.mean(axis=(1, 2))
        means = values.mean(axis=2)
        centred = means - means.mean(axis=1, keepdims=True)
        self.seed_gram = centred @ centred.T / (self.s - 1) if self.s > 1 else np.zeros((len(values),) * 2)
        cols = values.mean(axis=1) - self.points[:, None]
        self.col_gram = cols @ cols.T / (self.i - 1) if self.i > 1 else np.zeros((len(values),) * 2)
        resid = values - means[:, :, None] - cols[:, None, :]
        flat = resid.reshape(len(values), -1)
        df_e = (self.s - 1) * (self.i - 1)
        self.res_gram = flat @ flat.T / df_e if df_e > 0 else np.zeros((len(values),) * 2)
        self.fixed = all(t.fixed for t in self.aligned)

    def test(self, w: Sequence[float]) -> Test:
        w = np.asarray(w, dtype=float)
        item, df_item = 0.0, math.inf
        if self.i > 1:
            item = max(0.0, float(w @ self.col_gram @ w) - float(w @ self.res_gram @ w) / self.s) / self.i
            df_item = float(self.i - 1)
        seed, df_seed = 0.0, math.inf
        if not self.fixed:
            terms = _merge_terms([(float(k), t) for k, t in zip(w, self.aligned)])
            pooled = self.pool(terms) if self.pool is not None and terms else None
            if pooled is not None and pooled.df > 0:
                seed, df_seed = pooled.variance / self.s, pooled.df
            elif self.s > 1:
                seed, df_seed = float(w @ self.seed_gram @ w) / self.s, float(self.s - 1)
        parts = Strata(seed, df_seed, item, df_item, False)
        return Test(float(w @ self.points), math.sqrt(parts.variance), parts.satterthwaite_df())
