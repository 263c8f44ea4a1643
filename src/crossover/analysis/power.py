"""What a study could have detected, equivalence verdicts, and the seeds and items a study needs.

**Minimum detectable change** (``Estimate.mdc``): the true change found with 80% power by a two-sided test at
the interval's level, ``(t_{1-alpha/2} + t_{0.8}) * se``.

For a share the variance the change itself brings is added (``share_mdc``): the smallest ``d`` with
``d >= (t + t_0.8) * sqrt(se^2 + g(p0, d) / (S I))``, ``g(p0, d) = max(0, p1 (1 - p1) - p0 (1 - p0))`` with
``p1 = p0 +- d`` toward 1/2: a rate near 0 in the study shows almost no variance, and a change away from it
brings its own. Where the rate is already near 1/2, ``g`` is 0 and the paired design keeps its precision.

**Equivalence** (two one-sided tests, Schuirmann 1987): "pairs and more SFT agree within +-d" when the
``1 - 2 alpha`` interval of their head-to-head difference lies inside (-d, d). The margins ``d`` are the smallest
changes a team would act on, the same as the failure flags' thresholds: 0.02 of gold utility, 5 points of a
share. A metric with no margin gets no equivalence verdict.

**Planning** (``plan_study``): from a finished pilot, the variance of a head-to-head contrast (SFT(n0) > PO(m)
against SFT(n0 + n)) is split into what more seeds shrink and what more items shrink::

    Var(S, I) = sigma_seed^2 / S + sigma_item^2 / I + sigma_e^2 / (S I)

with ``sigma_e^2`` the residual mean square of the pilot's (seed x item) table, ``sigma_item^2`` its column
variance less ``sigma_e^2 / S``, and ``sigma_seed^2`` the pooled per-seed variance (``crossover.analysis.pooled``)
less ``sigma_e^2 / I_pilot``. Power at a true change ``delta`` is that of a two-sided t test with the pooled
seed stratum's degrees of freedom, ``(C - 1)(S - 1)`` for C cells, read from the noncentral t distribution. The
components come from the pilot's few seeds, so the answers are orders of magnitude, as any pilot-based plan is.

A share (a per-item 0/1 outcome such as a flip or a refusal) is planned with the variance its change brings added
to the residual: ``sigma_e^2 + g(p0, delta)`` (``g`` as above, ``p0`` the pilot's rate in the more-SFT arm). A
pilot where a share is 0 nearly everywhere shows almost no variance, and read alone it would claim that two items
detect any change. A metric whose pilot showed no variation and that is not a share cannot be planned from that
pilot, and the plan says so.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from crossover.analysis.bootstrap import Estimate, Table, combine, decompose, t_quantile
from crossover.analysis.context import Context, natural_range

UTILITY_MARGIN = 0.02
"""Gold utility (0-1 scale): the gold-satisfaction flag's threshold."""
RATE_MARGIN = 0.05
"""Shares: five percentage points, the behaviour flags' threshold."""
POWER = 0.8
MAX_SEEDS = 200
ITEM_FACTORS = (1, 2, 4, 8)
SEED_COUNTS = (3, 5, 10, 20)


def margin(probe: str, metric: str) -> float | None:
    """The equivalence margin of a metric, None where no change is agreed to be negligible."""
    stem = metric.split(":", 1)[0]
    if stem in ("gold", "utility"):
        return UTILITY_MARGIN
    if natural_range(probe, metric) == (0.0, 1.0):
        return RATE_MARGIN
    return None


def share_increment(p0: float, delta: float) -> float:
    """``g(p0, delta)``: how much a 0/1 outcome's variance grows when its rate moves from ``p0`` by ``delta``
    toward 1/2 (the module docstring); 0 when the rate is already at least as variable."""
    p0 = min(1.0, max(0.0, p0))
    p1 = max((min(1.0, p0 + delta), max(0.0, p0 - delta)), key=lambda p: p * (1 - p))
    return max(0.0, p1 * (1 - p1) - p0 * (1 - p0))


def share_mdc(est: Estimate, p0: float, confidence: float) -> float:
    """The minimum detectable change of a share whose reference rate is ``p0``: ``est.mdc`` with the variance each
    candidate change brings added to the standard error (the module docstring); bisection on (0, 1]."""
    plain = est.mdc(confidence)
    observations = est.n_seeds * est.n_items
    if not math.isfinite(plain) or est.n_items <= 1 or not math.isfinite(p0):
        return plain
    factor = t_quantile(0.5 + confidence / 2, est.df) + t_quantile(0.8, est.df)

    def short(d: float) -> bool:  # d is below what the design detects at d
        return d < factor * math.sqrt(est.se ** 2 + share_increment(p0, d) / observations)

    if not short(plain):  # the change adds no variance at the plain answer (a rate near 1/2)
        return plain
    if short(1.0):
        return math.inf
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if short(mid) else (lo, mid)
    return hi


def equivalence_words(est: Estimate | None, d: float | None, confidence: float) -> str:
    """"equivalent within +-d", "not shown equivalent within +-d", or "" (no margin, no interval, or a
    detectable difference, which the verdict already says)."""
    if d is None or est is None or not est.has_interval or est.verdict in ("increase", "decrease"):
        return ""
    alpha = 1.0 - confidence
    q = float(stats.t.ppf(1 - alpha, est.df)) if math.isfinite(est.df) else float(stats.norm.ppf(1 - alpha))
    if -d < est.point - q * est.se and est.point + q * est.se < d:
        return f"equivalent within +-{d:g}"
    return f"not shown equivalent within +-{d:g}"


@dataclass(frozen=True)
class VarianceParts:
    """Per-observation variance components of a contrast and the pilot's design."""

    seed: float
    item: float
    residual: float
    seeds: int
    items: int
    df_per_seed: float
    """Degrees of freedom of the seed stratum per seed beyond the first: (C - 1) when pooled over C cells."""
    item_records: bool

    @property
    def degenerate(self) -> bool:
        """True when the pilot showed no variation at all (e.g. a rate that was 0 in every run and item): its
        variance, and so the seeds and items needed, cannot be read from it."""
        return self.seed == 0 and self.item == 0 and self.residual == 0

    def with_share_change(self, p0: float, delta: float) -> VarianceParts:
        """The parts with the variance a share's change from ``p0`` by ``delta`` brings added to the residual
        (see the module docstring); unchanged where the rate is already at least as variable."""
        grow = share_increment(p0, delta)
        return dataclasses.replace(self, residual=self.residual + grow) if grow > 0 else self

    def se(self, seeds: int, items: float) -> float:
        return math.sqrt(self.seed / seeds + self.item / items + self.residual / (seeds * items))

    def power(self, delta: float, seeds: int, items: float, confidence: float) -> float:
        """Power of the two-sided t test at ``delta`` (noncentral t with the pooled seed stratum's df)."""
        se = self.se(seeds, items)
        if se <= 0:
            return 1.0
        df = max(1.0, self.df_per_seed * (seeds - 1))
        crit = stats.t.ppf(0.5 + confidence / 2, df)
        nc = abs(delta) / se
        # scipy's noncentral t returns NaN in the far tails at large nc (1.17: cdf(-2.4, 6, 10) is NaN): the lower
        # tail there is below 1e-20, and the upper tail falls back to the normal approximation.
        upper, lower = stats.nct.sf(crit, df, nc), stats.nct.cdf(-crit, df, nc)
        upper = upper if math.isfinite(upper) else stats.norm.sf(crit - nc)
        return float(upper + (lower if math.isfinite(lower) else 0.0))

    def seeds_needed(self, delta: float, items: float, confidence: float) -> int | None:
        for s in range(2, MAX_SEEDS + 1):
            if self.power(delta, s, items, confidence) >= POWER:
                return s
        return None


def variance_parts(ctx: Context, table: Table) -> VarianceParts | None:
    """The components of a contrast table, its seed part pooled across the study where the pool knows it."""
    values = np.asarray(table.values, dtype=float)
    s, i = values.shape
    _, c, e, comps = decompose(values)
    ms_e = comps.residual * s * i
    sigma_item = comps.item * i
    pooled = ctx.pools(table.terms) if table.terms else None
    if pooled is not None and pooled.df > 0 and s > 1:
        per_seed, df_per_seed = pooled.variance, pooled.df / (s - 1)
    elif s > 1:
        per_seed, df_per_seed = float(values.mean(axis=1).var(ddof=1)), 1.0
    else:
        return None
    return VarianceParts(seed=max(0.0, per_seed - ms_e / i), item=sigma_item, residual=ms_e, seeds=s, items=i,
                         df_per_seed=df_per_seed, item_records=i > 1)


@dataclass(frozen=True)
class PlanRow:
    annotator: str
    probe: str
    metric: str
    delta: float
    pilot_seeds: int
    items_per_probe: int
    pilot_power: float
    seeds_at: dict[int, int | None]
    """items factor -> seeds needed at that many times the pilot's items."""
    items_at: dict[int, int | None]
    """seeds -> items per probe needed at that many seeds (None: out of reach at any number of items)."""
    item_records: bool
    degenerate: bool = False
    """The pilot showed no variation in this contrast (``VarianceParts.degenerate``): nothing to plan from."""


@dataclass(frozen=True)
class Plan:
    study: str
    confidence: float
    rows: list[PlanRow]

    def lines(self) -> list[str]:
        """The plan as a few lines of text for the terminal."""
        if not self.rows:
            return [f"{self.study}: no crossover point with both arms finished, so nothing to plan from"]
        out = [f"Seeds and items for {POWER:.0%} power (two-sided, {self.confidence:.0%}), pilot '{self.study}': "
               "pairs vs more SFT at equal cost, per primary metric"]
        for r in self.rows:
            seeds = ", ".join(f"{f}x items ({f * r.items_per_probe}/probe): {_count(n)}" for f, n in r.seeds_at.items())
            if r.degenerate:
                out.append(f"[{r.annotator}] {r.probe}.{r.metric} +-{r.delta:g}: no variation in the pilot (every "
                           "seed and item gave the same difference), so its power and the seeds and items needed "
                           "cannot be estimated from it")
                continue
            head = (f"[{r.annotator}] {r.probe}.{r.metric} +-{r.delta:g}: power now {r.pilot_power:.0%} "
                    f"({r.pilot_seeds} seeds, {r.items_per_probe} items/probe)")
            if not r.item_records:
                out += [head, f"    seeds needed: {_count(r.seeds_at[1])} (no item records: items not estimable)"]
                continue
            items = ", ".join(f"{s} seeds: {_count(n, 'items/probe')}" for s, n in r.items_at.items())
            out += [head, f"    seeds needed at {seeds}", f"    items needed at {items}"]
        out.append("Components come from the pilot's few seeds: read these as orders of magnitude.")
        return out


def _count(n: int | None, unit: str = "seeds") -> str:
    return f"{n} {unit}" if n is not None else f"out of reach ({unit} alone cannot)"


def plan_rows(ctx: Context, point, primary: list[tuple[str, str]], changes: dict[tuple[str, str], float],
              items_per_probe: int) -> list[PlanRow]:
    """One row per annotator and primary metric: power now, seeds needed at 1-8x the items, items at 3-20 seeds
    (``items_per_probe`` 0: the study did not record it, and the metric's own item count stands in)."""
    parent_arm, more_arm, pref_arm = point.arms()
    rows = []
    for annotator in ctx.data.annotators:
        more, child = ctx.data.cell(annotator, more_arm), ctx.data.cell(annotator, pref_arm)
        if more is None or child is None or child.annotator != annotator:
            continue
        for probe, metric in primary:
            delta = changes.get((probe, metric)) or margin(probe, metric)
            a, b = ctx.table(child, probe, metric), ctx.table(more, probe, metric)
            if delta is None or a is None or b is None:
                continue
            try:
                parts = variance_parts(ctx, combine([(1.0, a), (-1.0, b)]))
            except ValueError:
                continue
            if parts is None:
                continue
            if margin(probe, metric) == RATE_MARGIN and parts.item_records:
                parts = parts.with_share_change(float(np.nanmean(np.asarray(b.values, dtype=float))), delta)
            conf = ctx.settings.confidence
            per_probe = items_per_probe or parts.items  # a study that does not record its items: the table's
            rows.append(PlanRow(
                annotator, probe, metric, delta, parts.seeds, per_probe,
                parts.power(delta, parts.seeds, parts.items, conf),
                {f: parts.seeds_needed(delta, parts.items * f, conf) for f in ITEM_FACTORS},
                {s: _items_needed(parts, delta, s, per_probe, conf) for s in SEED_COUNTS},
                parts.item_records, parts.degenerate))
    return rows


def _items_needed(parts: VarianceParts, delta: float, seeds: int, per_probe: int, confidence: float) -> int | None:
    """Items per probe needed at ``seeds`` (doubling search, then bisection); None when seeds alone limit."""
    ratio = parts.items / max(per_probe, 1)
    if parts.power(delta, seeds, 1e9, confidence) < POWER:
        return None
    lo, hi = 1, max(per_probe, 1)
    while parts.power(delta, seeds, hi * ratio, confidence) < POWER:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if parts.power(delta, seeds, mid * ratio, confidence) < POWER else (lo, mid)
    return hi
