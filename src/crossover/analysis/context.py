"""What every analysis step shares: the study data, its tables, the pooled seed variances, the joint-draw
multipliers and the cost model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crossover.analysis.bootstrap import (BootstrapSettings, Estimate, Multipliers, Series, Table, combine,
                                          estimate)
from crossover.analysis.cost import CostModel, cell_cost
from crossover.analysis.crossover import HEADLINE
from crossover.analysis.dynamics import run_change
from crossover.analysis.items import TableBuilder, cell_id
from crossover.analysis.load import Cell, StudyData
from crossover.analysis.pooled import SeedPools

UNBOUNDED = (-math.inf, math.inf)
SIGNED_SHARE = ("sensitivity", "gap")
"""Differences of two shares: between -1 and 1."""
UNBOUNDED_STEMS = ("mean_words", "filler_rate")
"""Counts per reply (``filler_rate`` is a mean count, not a share)."""


def natural_range(probe: str, metric: str) -> tuple[float, float]:
    """The range a metric cannot leave: shares, accuracies, utilities and win rates lie in [0, 1]; unknown
    metrics are unbounded, so nothing is clipped that need not be."""
    stem = metric.split(":", 1)[0]
    if probe in ("train_log", "reward") or stem in UNBOUNDED_STEMS:
        return UNBOUNDED
    if stem in SIGNED_SHARE:
        return (-1.0, 1.0)
    if (stem.endswith(("_rate", "accuracy", "utility", "compliance", "refusal", "baseline"))
            or stem in ("gold", "distinct_2") or stem.startswith(("fidelity", "claimed_", "measured_"))):
        return (0.0, 1.0)
    return UNBOUNDED


def term_bounds(terms: tuple[tuple[Series, float], ...]) -> tuple[float, float]:
    """The range of ``sum k * metric`` from each metric's natural range (unbounded without terms)."""
    if not terms:
        return UNBOUNDED
    lo = hi = 0.0
    for (_, probe, metric), k in terms:
        a, b = natural_range(probe, metric)
        lo += k * (a if k > 0 else b)
        hi += k * (b if k > 0 else a)
    return (lo, hi) if math.isfinite(lo) or math.isfinite(hi) else UNBOUNDED


@dataclass
class Context:
    data: StudyData
    cost: CostModel = CostModel()
    settings: BootstrapSettings = BootstrapSettings()
    tables: TableBuilder = field(init=False)
    multipliers: Multipliers = field(init=False)
    pools: SeedPools = field(init=False)

    def __post_init__(self) -> None:
        self.tables = TableBuilder(self.data)
        self.multipliers = Multipliers(self.settings)
        self.pools = SeedPools(self._run_values, {cell_id(c): c.fixed for c in self.data.cells.values()})
        self._cells = {cell_id(c): c for c in self.data.cells.values()}

    def _run_values(self, cell: str, probe: str, metric: str) -> dict[int, float]:
        """seed -> a run's value of a metric (or of a training-log change), finite values only."""
        found = self._cells[cell]
        out = {}
        for run in found.runs:
            if probe == "train_log":
                value = run_change(self.data.train_log(run.run_id), len(found.stages), metric)
            else:
                value = self.data.metric_values(run.run_id).get((probe, metric), math.nan)
            if math.isfinite(value):
                out[run.seed] = value
        return out

    def metrics(self) -> list[tuple[str, str]]:
        """Every (probe, metric) the study reported: the headline metrics first, then the rest by name."""
        present = set(zip(self.data.metrics["probe"], self.data.metrics["metric"]))
        head = [pm for pm in HEADLINE if pm in present]
        return head + sorted(present - set(head))

    def higher_is_better(self, probe: str, metric: str) -> bool | None:
        """As the runs recorded it; None for a metric no run described (it has no better direction to judge by)."""
        note = self.data.notes.get((probe, metric))
        return note.higher_is_better if note is not None else None

    def proxy_metric(self, annotator: str | None = None) -> str:
        """The proxy score's metric name as reported: the win rate by the judge that labelled the run's pairs
        (``win_rate:<annotator>``) where the study reports it, since that is the view the run was optimised for;
        else that of the first judge the study lists, else the first judged win rate, else plain ``win_rate``."""
        present = [m for p, m in self.metrics() if p == "eval" and m.split(":", 1)[0] == "win_rate"]
        if annotator and f"win_rate:{annotator}" in present:
            return f"win_rate:{annotator}"
        judges = [j.get("name") for j in (self.data.study.get("probes") or {}).get("judges") or []]
        preferred = [f"win_rate:{j}" for j in judges if f"win_rate:{j}" in present]
        return (preferred or present or ["win_rate"])[0]

    def table(self, cell: Cell | None, probe: str, metric: str) -> Table | None:
        return self.tables.metric(cell, probe, metric) if cell is not None else None

    def estimate(self, table: Table) -> Estimate:
        """The t interval of the table's mean, the seed variance pooled across the study's cells, clipped to the
        quantity's natural range (``crossover.analysis.bootstrap``)."""
        return estimate(table, self.multipliers, self.pools, term_bounds(table.terms))

    def contrast(self, a: Table | None, b: Table | None) -> Estimate | None:
        """a - b, paired by seed and item; None where either side is missing or they share no seed."""
        if a is None or b is None:
            return None
        try:
            return self.estimate(combine([(1.0, a), (-1.0, b)]))
        except ValueError:
            return None

    def cost_of(self, cell: Cell) -> float:
        logs = [self.data.train_log(r.run_id) for r in cell.runs] if self.cost.uses_tokens else []
        return cell_cost(self.cost, cell, logs)


def columns(prefix: str, est: Estimate | None, *, verdict: bool = True) -> dict[str, float | str]:
    """``prefix``, ``prefix_lo``, ``prefix_hi`` (and ``prefix_verdict`` with the test's p-value ``prefix_p``) of an
    estimate, NaN where missing."""
    if est is None:
        out: dict[str, float | str] = {prefix: math.nan, f"{prefix}_lo": math.nan, f"{prefix}_hi": math.nan}
        if verdict:
            out[f"{prefix}_verdict"] = "not measured"
            out[f"{prefix}_p"] = math.nan
        return out
    out = {prefix: est.point, f"{prefix}_lo": est.lo, f"{prefix}_hi": est.hi}
    if verdict:
        out[f"{prefix}_verdict"] = est.verdict
        out[f"{prefix}_p"] = est.p_value if est.has_interval else math.nan
    return out
