"""What every analysis step shares: the study data, its tables, the bootstrap multipliers and the cost model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crossover.analysis.bootstrap import BootstrapSettings, Estimate, Multipliers, Table, combine, estimate
from crossover.analysis.cost import CostModel, cell_cost
from crossover.analysis.crossover import HEADLINE
from crossover.analysis.items import TableBuilder
from crossover.analysis.load import Cell, StudyData


@dataclass
class Context:
    data: StudyData
    cost: CostModel = CostModel()
    settings: BootstrapSettings = BootstrapSettings()
    tables: TableBuilder = field(init=False)
    multipliers: Multipliers = field(init=False)

    def __post_init__(self) -> None:
        self.tables = TableBuilder(self.data)
        self.multipliers = Multipliers(self.settings)

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
        return estimate(table, self.multipliers)

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
    """``prefix``, ``prefix_lo``, ``prefix_hi`` (and ``prefix_verdict``) of an estimate, NaN where missing."""
    if est is None:
        out: dict[str, float | str] = {prefix: math.nan, f"{prefix}_lo": math.nan, f"{prefix}_hi": math.nan}
        if verdict:
            out[f"{prefix}_verdict"] = "not measured"
        return out
    out = {prefix: est.point, f"{prefix}_lo": est.lo, f"{prefix}_hi": est.hi}
    if verdict:
        out[f"{prefix}_verdict"] = est.verdict
    return out
