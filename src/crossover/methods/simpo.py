"""SimPO (Meng et al. 2024): reference-free, length-normalised preference optimisation, on TRL's ``CPOTrainer``.

TRL ships SimPO as ``CPOTrainer(loss_type="simpo")``; with ``cpo_alpha = 0`` it is the paper's loss

    L = -log sigmoid( beta/|y_w| * log pi(y_w|x) - beta/|y_l| * log pi(y_l|x) - gamma )

(``simpo_gamma`` is gamma, the target reward margin). A positive ``cpo_alpha`` adds CPO's NLL term on the chosen reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from datasets import Dataset
from trl.experimental.cpo import CPOConfig, CPOTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import NonNegative, Positive, between


@dataclass(frozen=True)
class SimPOSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 2.0
    simpo_gamma: NonNegative = 1.0
    """Target reward margin (SimPO's gamma)."""
    cpo_alpha: NonNegative = 0.0
    """Weight of CPO's NLL term on the chosen reply; 0 is the paper's SimPO."""
    label_smoothing: Annotated[float, between(0, 0.5, high_open=True)] = 0.0


def build_simpo(inputs: StageInputs) -> CPOTrainer:
    s: SimPOSettings = inputs.settings  # type: ignore[assignment]
    config = CPOConfig(**common_arguments(inputs), loss_type="simpo", beta=s.beta, simpo_gamma=s.simpo_gamma,
                       cpo_alpha=s.cpo_alpha, label_smoothing=s.label_smoothing)
    return CPOTrainer(model=inputs.model, args=config, train_dataset=Dataset.from_list(inputs.rows),
                      processing_class=inputs.tokenizer, callbacks=inputs.callbacks)


SIMPO = MethodSpec(
    name="simpo",
    description="simple preference optimisation: length-normalised, reference-free (Meng et al. 2024)",
    data="pairs",
    needs_reference=False,
    online=False,
    settings=SimPOSettings,
    build_trainer=build_simpo,
)
