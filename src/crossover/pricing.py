"""What a study prices and where: the value types the study file sets and the analysis reads.

``CostModel`` holds the price of each kind of training data; ``CrossoverPoint`` the margin at which the breakeven
ratio is measured. Both are settings read by ``config`` from the study file (``[cost]``, ``[crossover]``) and used
by ``analysis``, so they live here, beside ``config`` and below ``analysis``, rather than in either. How a stage's
price is computed from them is in ``crossover.analysis.cost``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from crossover.methods import METHODS
from crossover.settings import Count, NonNegative, Positive, Settings


@dataclass(frozen=True)
class CrossoverPoint(Settings):
    """``[crossover]``: the margin at which the breakeven is measured, SFT(n0) plus m pairs vs SFT(n0 + n)."""

    n0: Count
    """Demonstrations of the starting point SFT(n0)."""
    n: Count
    """More demonstrations: the SFT side of the margin."""
    m: Count
    """Preference examples on top of SFT(n0): the preference side of the margin."""
    method: str = "dpo"
    """The preference method of the m examples."""

    def arms(self) -> tuple[str, str, str]:
        """Labels of the parent, the more-SFT arm and the preference arm."""
        return f"sft({self.n0})", f"sft({self.n0 + self.n})", f"sft({self.n0})>{self.method}({self.m})"

    def problems(self) -> list[str | tuple[str, str]]:
        if self.method not in METHODS or METHODS[self.method].data == "demonstrations":
            return [("method", f"must name a preference method, got {self.method!r}")]
        return []


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
        base = {"demonstrations": self.price_sft, "pairs": self.price_pair, "unpaired": self.price_label,
                "prompts": self.price_prompt}.get(kind, self.price_pair)
        per_token = self.price_sft_token if kind == "demonstrations" else self.price_pair_token
        if per_token == 0:
            return base
        return base + per_token * tokens_per_example
