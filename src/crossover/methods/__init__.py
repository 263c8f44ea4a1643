"""The method registry: name -> MethodSpec. Adding a method is one module and one line here."""

from __future__ import annotations

from crossover.methods.dpo import DPO
from crossover.methods.sft import SFT
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs

METHODS: dict[str, MethodSpec] = {m.name: m for m in (SFT, DPO)}

__all__ = ["METHODS", "MethodSettings", "MethodSpec", "StageInputs"]
