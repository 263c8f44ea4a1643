"""Kahneman-Tversky optimisation (Ethayarajh et al. 2024; TRL ``KTOTrainer``) on unpaired, labelled replies.

The wind tunnel's unpaired rows are the two halves of its annotated pairs (chosen -> desirable, rejected ->
undesirable; see ``crossover.data.sources``), so ``kto(2m)`` learns from exactly the judgements ``dpo(m)`` sees.
Reference log-probabilities (and the KL anchor's) are computed once, before training, from the stage's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from datasets import Dataset
from trl import KTOConfig, KTOTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import Positive, at_least


@dataclass(frozen=True)
class KTOSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 0.1
    batch_size: Annotated[int, at_least(2)] = 16
    """KTO estimates its KL anchor from mismatched replies inside a batch, so at least 2."""
    loss_type: Literal["kto", "apo_zero_unpaired"] = "kto"
    desirable_weight: Positive = 1.0
    """Weight of the loss on desirable replies (KTO's lambda_D, Ethayarajh et al. 2024 eq. 8)."""
    undesirable_weight: Positive = 1.0



def build_kto(inputs: StageInputs) -> KTOTrainer:
    s: KTOSettings = inputs.settings  # type: ignore[assignment]
    config = KTOConfig(**common_arguments(inputs), beta=s.beta, loss_type=s.loss_type,
                       desirable_weight=s.desirable_weight, undesirable_weight=s.undesirable_weight,
                       precompute_ref_log_probs=True)
    return KTOTrainer(model=inputs.model, ref_model=inputs.reference, args=config,
                      train_dataset=Dataset.from_list(inputs.rows), processing_class=inputs.tokenizer,
                      callbacks=inputs.callbacks)


KTO = MethodSpec(
    name="kto",
    description="Kahneman-Tversky optimisation on thumbs-up/down replies (Ethayarajh et al. 2024)",
    data="unpaired",
    needs_reference=True,
    online=False,
    settings=KTOSettings,
    build_trainer=build_kto,
)
