"""The method registry: name -> MethodSpec. Adding a method is one module and one line here."""

from __future__ import annotations

from crossover.methods.dpo import DPO
from crossover.methods.dpop import DPOP
from crossover.methods.grpo import GRPO
from crossover.methods.icr import ICR
from crossover.methods.kto import KTO
from crossover.methods.orpo import ORPO
from crossover.methods.rdpo import RDPO
from crossover.methods.sft import SFT
from crossover.methods.simpo import SIMPO
from crossover.methods.spec import MethodSettings, MethodSpec, ResponseScorer, StageInputs

METHODS: dict[str, MethodSpec] = {m.name: m for m in (SFT, DPO, KTO, SIMPO, ORPO, GRPO, RDPO, DPOP, ICR)}

__all__ = ["METHODS", "MethodSettings", "MethodSpec", "ResponseScorer", "StageInputs"]
