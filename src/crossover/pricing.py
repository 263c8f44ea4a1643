"""What a study prices and where: the value types the study file sets and the analysis reads.

``CostModel`` holds the price of each kind of training data; ``CrossoverPoint`` the margin at which the breakeven
ratio is measured. Both are plain values, read by ``config`` from the study file and used by ``analysis``, so they
live here below both rather than in either. How a stage's price is computed from them is in
``crossover.analysis.cost``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class CrossoverPoint:
    """The margin at which the breakeven is measured: SFT(n0) plus m pairs vs SFT(n0 + n)."""

    n0: int
    n: int
    m: int
    method: str = "dpo"

    def arms(self) -> tuple[str, str, str]:
        """Labels of the parent, the more-SFT arm and the preference arm."""
        return f"sft({self.n0})", f"sft({self.n0 + self.n})", f"sft({self.n0})>{self.method}({self.m})"


@dataclass(frozen=True)
class CostModel:
    """Prices of training data in one currency unit; the defaults are neutral unit prices (see analysis.cost)."""

    price_sft: float = 1.0
    """Price of one SFT example (a written demonstration)."""
    price_pair: float = 1.0
    """Price of one preference pair (a comparison label on two responses)."""
    price_label: float = 1.0
    """Price of one unpaired label (a thumbs up or down, as KTO uses)."""
    price_prompt: float = 1.0
    """Price of one prompt for an online method (GRPO)."""
    price_sft_token: float = 0.0
    """Extra price per token of an SFT example."""
    price_pair_token: float = 0.0
    """Extra price per token of a preference example (pair, label or prompt)."""
    currency: str = "units"

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
