"""Direct preference optimisation (TRL ``DPOTrainer``) with any of TRL's loss variants.

Reference log-probabilities are precomputed from the stage's starting model, which is the DPO reference by
definition (the SFT parent for ``sft(n)>dpo(m)``, the base for ``dpo(m)``); this avoids holding a second model.
"""

from __future__ import annotations

from dataclasses import dataclass

from datasets import Dataset
from trl import DPOConfig, DPOTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments


@dataclass(frozen=True)
class DPOSettings(MethodSettings):
    learning_rate: float = 2e-4
    epochs: float = 2.0
    beta: float = 0.1
    loss_type: str = "sigmoid"
    label_smoothing: float = 0.0


def build_dpo(inputs: StageInputs) -> DPOTrainer:
    s: DPOSettings = inputs.settings  # type: ignore[assignment]
    config = DPOConfig(
        **common_arguments(inputs),
        beta=s.beta,
        loss_type=[t.strip() for t in s.loss_type.split("+")],
        label_smoothing=s.label_smoothing,
        precompute_ref_log_probs=inputs.reference is None,
    )
    return DPOTrainer(model=inputs.model, ref_model=inputs.reference, args=config,
                      train_dataset=Dataset.from_list(inputs.rows), processing_class=inputs.tokenizer,
                      callbacks=inputs.callbacks)


DPO = MethodSpec(
    name="dpo",
    description="direct preference optimisation (Rafailov et al. 2023)",
    data="pairs",
    needs_reference=True,
    online=False,
    settings=DPOSettings,
    build_trainer=build_dpo,
)
