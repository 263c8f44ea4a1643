"""What training data costs: a price per SFT example, per preference pair, per unpaired label, per prompt, and
optionally per token.

Defaults are neutral unit prices (every example of any kind costs 1), so that out of the box the breakeven ratio
r* reads directly as "one pair is worth r* SFT examples" and the verdict at the configured prices is the verdict
at price parity. Set real prices in the study file (``[cost]``) or on the command line
(``crossover analyze DIR --price-sft 2 --price-pair 5``); prices are in any one currency unit.

Per-token prices use the mean tokens per training example of each stage, read from the training log as the
trainer's ``num_tokens`` at the end of the stage divided by epochs x budget.
"""

from __future__ import annotations

import math

from crossover.analysis.load import Cell, StageInfo
from crossover.pricing import CostModel

__all__ = ["CostModel", "cell_cost", "stage_cost", "tokens_per_example"]


def stage_cost(model: CostModel, stage: StageInfo, tokens_per_example: float = math.nan) -> float:
    return stage.budget * model.unit_price(stage.kind, tokens_per_example)


def tokens_per_example(log: list[dict], stage_number: int, stage: StageInfo) -> float:
    """Mean tokens per training example of one stage, from the trainer's cumulative ``num_tokens``."""
    counts = [row["num_tokens"] for row in log if row.get("stage") == stage_number and "num_tokens" in row]
    if not counts or stage.budget <= 0:
        return math.nan
    return float(max(counts)) / (max(stage.epochs, 1e-9) * stage.budget)


def cell_cost(model: CostModel, cell: Cell, logs: list[list[dict]]) -> float:
    """Data cost of an arm: the sum of its stages' costs (token counts averaged over the cell's runs)."""
    total = 0.0
    for k, stage in enumerate(cell.stages, start=1):
        tokens = math.nan
        if model.uses_tokens:
            per_run = [tokens_per_example(log, k, stage) for log in logs]
            per_run = [t for t in per_run if math.isfinite(t)]
            tokens = sum(per_run) / len(per_run) if per_run else math.nan
        total += stage_cost(model, stage, tokens)
    return total
