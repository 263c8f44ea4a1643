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
from dataclasses import asdict, dataclass, fields

from crossover.analysis.load import DEMONSTRATIONS, Cell, StageInfo
from crossover.settings import NonNegative, Positive, Settings


@dataclass(frozen=True)
class CostModel(Settings):
    """Prices of training data (a study's ``[cost]`` table, ``study.json``'s ``cost``)."""

    price_sft: Positive = 1.0
    """Price of one SFT example (a written demonstration)."""
    price_pair: Positive = 1.0
    """Price of one preference pair (a comparison label on two responses)."""
    price_label: NonNegative = 1.0
    """Price of one unpaired label (a thumbs up or down, as KTO uses)."""
    price_prompt: NonNegative = 1.0
    """Price of one prompt for an online method (GRPO)."""
    price_sft_token: NonNegative = 0.0
    """Extra price per token of an SFT example."""
    price_pair_token: NonNegative = 0.0
    """Extra price per token of a preference example (pair, label or prompt)."""
    currency: str = "units"
    """The unit the prices are in; only printed."""

    def problems(self) -> list[str | tuple[str, str]]:
        return [("currency", "must not be empty")] if not self.currency.strip() else []

    @classmethod
    def field_types(cls) -> dict[str, type]:
        return {f.name: type(f.default) for f in fields(cls)}

    def with_overrides(self, **overrides: float | None) -> CostModel:
        values = asdict(self) | {k: v for k, v in overrides.items() if v is not None}
        return CostModel(**values)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def uses_tokens(self) -> bool:
        return self.price_sft_token > 0 or self.price_pair_token > 0

    def unit_price(self, kind: str, tokens_per_example: float = math.nan) -> float:
        """Price of one training example of a data kind, tokens included where token prices are set."""
        base = {DEMONSTRATIONS: self.price_sft, "pairs": self.price_pair, "unpaired": self.price_label,
                "prompts": self.price_prompt}.get(kind, self.price_pair)
        per_token = self.price_sft_token if kind == DEMONSTRATIONS else self.price_pair_token
        if per_token == 0:
            return base
        return base + per_token * tokens_per_example

    def stage_cost(self, stage: StageInfo, tokens_per_example: float = math.nan) -> float:
        return stage.budget * self.unit_price(stage.kind, tokens_per_example)


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
        total += model.stage_cost(stage, tokens)
    return total
