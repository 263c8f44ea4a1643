"""ORPO (Hong et al. 2024): SFT loss plus an odds-ratio preference term, no reference model; TRL ``ORPOTrainer``.

    L = NLL(y_w | x) - lambda * log sigmoid( log odds(y_w|x) - log odds(y_l|x) ),  odds(y|x) = p / (1 - p)

with p the length-normalised likelihood; ``beta`` is TRL's name for lambda. Meant to run straight on a base model
(``orpo(m)``), replacing the SFT stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from datasets import Dataset
from trl.experimental.orpo import ORPOConfig, ORPOTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import NonNegative, Positive


@dataclass(frozen=True)
class ORPOSettings(MethodSettings):
    learning_rate: Positive = 5e-4
    epochs: Positive = 3.0
    beta: NonNegative = 0.1
    """Weight of the odds-ratio term on top of the SFT loss (ORPO's lambda, Hong et al. 2024 eq. 6); 0 is SFT."""


def build_orpo(inputs: StageInputs) -> ORPOTrainer:
    s: ORPOSettings = inputs.settings  # type: ignore[assignment]
    config = ORPOConfig(**common_arguments(inputs), beta=s.beta)
    return ORPOTrainer(model=inputs.model, args=config, train_dataset=Dataset.from_list(inputs.rows),
                       processing_class=inputs.tokenizer, callbacks=inputs.callbacks)


ORPO = MethodSpec(
    name="orpo",
    description="odds-ratio preference optimisation: SFT and preference in one reference-free stage (Hong et al. 2024)",
    data="pairs",
    needs_reference=False,
    online=False,
    settings=ORPOSettings,
    build_trainer=build_orpo,
)
