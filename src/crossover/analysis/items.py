"""Per-item contributions of a metric, so intervals can resample probe items as well as seeds.

A probe metric is a statistic of a run's per-item records. Most are means over a subset of items (a rate over
the harmless look-alikes, a mean utility), or a weighted mean of such means over task families (gold
satisfaction). For those, each item's value ``y_i`` is found by scoring the item alone with the probe's own
grader (``NaN`` when the item is outside the metric's subset), and the metric is linearised: its influence
function (Hampel 1974; for a ratio mean, ``(y_i - theta) / p_subset``) gives contributions ``u_i`` with
``mean(u) = theta`` whose spread over items is the metric's sampling spread.

The reconstruction is checked against the stored metric for every run; a metric it does not reproduce to
``1e-6`` (a corpus-level statistic such as distinct-n, a fitted win rate, a probe this version does not know)
is resampled over seeds only, and the tables say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crossover.analysis.bootstrap import SEEDS_ONLY, Table
from crossover.analysis.load import Cell, StudyData

TOLERANCE = 1e-6

Aggregator = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
"""(values y, strata) -> (theta, contributions u)."""


def pooled(y: np.ndarray, strata: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over the items where ``y`` is defined; u_i = theta + (I / n)(y_i - theta) there, theta elsewhere."""
    inside = ~np.isnan(y)
    n = int(inside.sum())
    if n == 0:
        return math.nan, np.full(y.shape, math.nan)
    theta = float(y[inside].mean())
    u = np.full(y.shape, theta)
    u[inside] = theta + (len(y) / n) * (y[inside] - theta)
    return theta, u


def stratified(y: np.ndarray, strata: np.ndarray) -> tuple[float, np.ndarray]:
    """Equal-weight mean of stratum means (e.g. families); u_i = theta + w (I / n_f)(y_i - theta_f) in stratum f."""
    inside = ~np.isnan(y)
    groups = [g for g in dict.fromkeys(strata[inside].tolist())]
    if not groups:
        return math.nan, np.full(y.shape, math.nan)
    weight = 1.0 / len(groups)
    means = {g: float(y[inside & (strata == g)].mean()) for g in groups}
    theta = float(sum(means.values()) * weight)
    u = np.full(y.shape, theta)
    for g in groups:
        mask = inside & (strata == g)
        u[mask] = theta + weight * (len(y) / mask.sum()) * (y[mask] - means[g])
    return theta, u


AGGREGATORS: dict[str, Aggregator] = {"pooled": pooled, "stratified": stratified}


@dataclass(frozen=True)
class ItemValues:
    """One run's per-item values of one metric: item keys, values y (NaN outside the subset), strata."""

    keys: tuple[str, ...]
    values: np.ndarray
    strata: np.ndarray


def _scorers(study: dict) -> dict[str, Callable[[list[dict]], dict[str, float]]]:
    """probe -> a function scoring any list of records, as the probe scored the run (mix and judges included)."""
    from crossover.probes import DERIVED_PROBES, WORLD_PROBES
    from crossover.probes.base import probe_output
    from crossover.probes.run import DEFAULT_SATISFACTION_MIX

    settings = study.get("probes") or {}
    if settings.get("suite") == "text":  # real data: the text probes share names but not records with the world's
        from crossover.probes.text import TEXT_PROBES

        return {n: (lambda records, p=p: p.score(records, {})) for n, p in TEXT_PROBES.items()}
    mix = settings.get("satisfaction_mix") or DEFAULT_SATISFACTION_MIX
    judges = tuple(j["name"] for j in settings.get("judges") or [])
    scorers: dict[str, Callable[[list[dict]], dict[str, float]]] = {n: p.score for n, p in WORLD_PROBES.items()}
    for name, derived in DERIVED_PROBES.items():
        scorers[name] = lambda records, d=derived: d.score(probe_output(records, mix, judges))
    return scorers


def _singletons(score: Callable[[list[dict]], dict[str, float]], records: list[dict]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for record in records:
        try:
            scored = score([record])
        except Exception:  # noqa: BLE001 - a grader that cannot score one item alone: no item-level values
            return {}
        for metric, value in scored.items():
            out.setdefault(metric, []).append(float(value) if value is not None else math.nan)
    return out if all(len(v) == len(records) for v in out.values()) else {}


def run_item_values(data: StudyData, run_id: str) -> dict[tuple[str, str], ItemValues]:
    """(probe, metric) -> per-item values of one run, for every metric a grader can score item by item.

    A probe with its own records file is scored on those records; a derived probe (length, satisfaction) on
    the records of all probes together.
    """
    records = data.records(run_id)
    if not records:
        return {}
    scorers = _scorers(data.study)
    everything = [(probe, r) for probe, rs in records.items() for r in rs]
    out: dict[tuple[str, str], ItemValues] = {}
    stored = data.metric_values(run_id)
    for probe in {p for p, _ in stored}:
        if probe not in scorers:
            continue
        pool = [(probe, r) for r in records[probe]] if probe in records else everything
        if not pool:
            continue
        keys = tuple(f"{p}/{r.get('item_id', j)}" for j, (p, r) in enumerate(pool))
        strata = np.array([str(r.get("family", p)) for p, r in pool])
        for metric, values in _singletons(scorers[probe], [r for _, r in pool]).items():
            out[(probe, metric)] = ItemValues(keys, np.array(values, dtype=float), strata)
    return out


def contributions(item_values: ItemValues, stored: float) -> np.ndarray | None:
    """Linearised contributions reproducing ``stored``, or None when no known aggregator reproduces it."""
    for aggregate in AGGREGATORS.values():
        theta, u = aggregate(item_values.values, item_values.strata)
        if math.isfinite(theta) and math.isfinite(stored) and abs(theta - stored) <= TOLERANCE:
            return u
    return None


def cell_id(cell: Cell) -> str:
    """The name a cell's tables carry in their terms (``crossover.analysis.bootstrap.Series``)."""
    return f"{cell.annotator}|{cell.arm}"


@dataclass
class TableBuilder:
    """Builds (seed x item) tables of any metric for any cell, caching each run's item values."""

    data: StudyData
    _values: dict[str, dict[tuple[str, str], ItemValues]] = field(default_factory=dict)

    def item_values(self, run_id: str) -> dict[tuple[str, str], ItemValues]:
        if run_id not in self._values:
            self._values[run_id] = run_item_values(self.data, run_id)
        return self._values[run_id]

    def metric(self, cell: Cell, probe: str, metric: str) -> Table | None:
        """The cell's table for (probe, metric): per-item contributions where every run has them, else one column
        of per-run scores; None where no run of the cell reported the metric."""
        scores = [self.data.metric_values(r.run_id).get((probe, metric), math.nan) for r in cell.runs]
        runs = [(r, s) for r, s in zip(cell.runs, scores) if math.isfinite(s)]
        if not runs:
            return None
        seeds = tuple(r.seed for r, _ in runs)
        rows, keys = [], None
        for run, score in runs:
            values = self.item_values(run.run_id).get((probe, metric))
            u = contributions(values, score) if values is not None else None
            if u is None or (keys is not None and values.keys != keys):
                rows = None
                break
            keys = values.keys
            rows.append(u)
        terms = (((cell_id(cell), probe, metric), 1.0),)
        if rows:
            return Table(np.vstack(rows), seeds, keys, fixed=cell.fixed, terms=terms)
        return Table(np.array([[s] for _, s in runs]), seeds, (SEEDS_ONLY,), fixed=cell.fixed, terms=terms)
