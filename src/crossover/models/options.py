"""How a real model is trained and loaded: full fine-tuning or LoRA, remote code, chat template.

These options are part of what defines a trained model, so (except ``trust_remote_code``, which changes no
weights) they enter the run spec; left at their defaults they add nothing, so wind-tunnel run ids are unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from peft import LoraConfig

from crossover.settings import Count, Fraction, Key, Settings


@dataclass(frozen=True)
class LoraSettings(Settings):
    """LoRA adapters (Hu et al. 2021) trained in each stage, then merged into the weights the next stage starts from."""

    r: Annotated[Count, Key("lora_r")] = 16
    """Rank of the adapter matrices."""
    alpha: Annotated[Count, Key("lora_alpha")] = 32
    """Scale of the adapters' update (alpha / r)."""
    dropout: Annotated[Fraction, Key("lora_dropout")] = 0.05
    target_modules: tuple[str, ...] = ("all-linear",)
    """Module names to adapt; ``all-linear`` is PEFT's shorthand for every linear layer but the output head."""

    def problems(self) -> list[str | tuple[str, str]]:
        if not self.target_modules or not all(self.target_modules):
            return [("target_modules", "must name at least one module, and no empty name")]
        return []

    def peft_config(self) -> LoraConfig:
        targets: str | list[str] = "all-linear" if self.target_modules == ("all-linear",) else list(self.target_modules)
        return LoraConfig(r=self.r, lora_alpha=self.alpha, lora_dropout=self.dropout, target_modules=targets,
                          task_type="CAUSAL_LM")


@dataclass(frozen=True)
class ModelOptions:
    lora: LoraSettings | None = None
    """None: full fine-tuning."""
    trust_remote_code: bool = False
    """Run Python code shipped with a model (``auto_map``); off unless asked for."""
    chat_template: str | None = None
    """A Jinja chat template that replaces the tokenizer's own (for models that ship none)."""

    def identity(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.lora is not None:
            out["lora"] = asdict(self.lora)
        if self.chat_template is not None:
            out["chat_template_sha256"] = hashlib.sha256(self.chat_template.encode()).hexdigest()
        return {"model_options": out} if out else {}
