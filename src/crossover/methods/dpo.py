"""Direct preference optimisation (TRL ``DPOTrainer``) with any of TRL's loss variants, alone or mixed.

``loss_type`` names one TRL loss (``sigmoid`` is the DPO paper's, ``ipo``, ``hinge``, ``robust``, ``sigmoid_norm``,
``apo_zero``, ...) or a ``+``-mixture of them with ``loss_weights``: ``loss_type="sigmoid+sft", loss_weights="1+1"``
is the RPO recipe (DPO plus the NLL of the chosen reply, Pang et al. 2024).

Reference log-probabilities are computed once, before training, from the stage's starting model, which is the DPO
reference by definition (the SFT parent for ``sft(n)>dpo(m)``, the base for ``dpo(m)``), and shared with every other
stage that starts from that model on the same pairs (``reference_cache.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from datasets import Dataset
from trl import DPOConfig, DPOTrainer

from crossover.methods.reference_cache import ReferenceLogpsCache
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import Positive, between

TRL_DPO_LOSSES = ("sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
                  "aot_unpaired", "apo_zero", "apo_down", "discopop", "sft", "sigmoid_norm")
SMOOTHED_LOSSES = ("robust", "exo_pair", "aot", "aot_unpaired")
"""The losses TRL applies ``label_smoothing`` to (its plain ``sigmoid`` ignores it)."""


@dataclass(frozen=True)
class DPOSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 0.1
    """Strength of the implicit KL penalty towards the reference (DPO's beta, Rafailov et al. 2023 eq. 7)."""
    loss_type: str = "sigmoid"
    """One of TRL's DPO losses, or several joined by '+' (e.g. "sigmoid+sft")."""
    loss_weights: str = ""
    """Weights of a '+'-mixture, joined by '+' (e.g. "1+0.5"); empty means 1 for every loss."""
    label_smoothing: Annotated[float, between(0, 0.5, high_open=True)] = 0.0
    """Probability that a label is flipped, for robust (rDPO) and aot; EXO's epsilon for exo_pair."""

    def losses(self) -> list[str]:
        return [t.strip() for t in self.loss_type.split("+")]

    def weights(self) -> list[float] | None:
        return [float(w) for w in self.loss_weights.split("+")] if self.loss_weights.strip() else None

    def problems(self) -> list[str]:
        out = super().problems()
        unknown = [t for t in self.losses() if t not in TRL_DPO_LOSSES]
        if unknown:
            out.append(f"unknown loss_type {'+'.join(unknown)!r}; TRL's DPO losses: {', '.join(TRL_DPO_LOSSES)}")
        try:
            weights = self.weights()
        except ValueError:
            return [*out, f"loss_weights must be numbers joined by '+', e.g. '1+0.5'; got {self.loss_weights!r}"]
        if weights is not None and len(weights) != len(self.losses()):
            out.append(f"loss_weights has {len(weights)} weight(s) for {len(self.losses())} loss(es)")
        if self.label_smoothing and not set(self.losses()) & set(SMOOTHED_LOSSES):
            out.append(f"label_smoothing only acts on TRL's {', '.join(SMOOTHED_LOSSES)} losses, not {self.loss_type}")
        if "exo_pair" in self.losses() and not self.label_smoothing:
            out.append("exo_pair needs label_smoothing > 0 (EXO's epsilon; its paper suggests 1e-3)")
        return out


class CachedDPOTrainer(ReferenceLogpsCache, DPOTrainer):
    """TRL's ``DPOTrainer``, its reference pass shared with every stage on the same starting model and pairs."""


def build_dpo(inputs: StageInputs) -> DPOTrainer:
    s: DPOSettings = inputs.settings  # type: ignore[assignment]
    config = DPOConfig(
        **common_arguments(inputs),
        beta=s.beta,
        loss_type=s.losses(),
        loss_weights=s.weights(),
        label_smoothing=s.label_smoothing,
        precompute_ref_log_probs=True,
    )
    return CachedDPOTrainer(model=inputs.model, ref_model=inputs.reference, args=config,
                            reference_cache=inputs.reference_cache,
                      train_dataset=Dataset.from_list(inputs.rows), processing_class=inputs.tokenizer,
                      callbacks=inputs.callbacks)


DPO = MethodSpec(
    name="dpo",
    description="direct preference optimisation (Rafailov et al. 2023) and TRL's loss variants and mixtures",
    data="pairs",
    needs_reference=True,
    online=False,
    settings=DPOSettings,
    build_trainer=build_dpo,
)
