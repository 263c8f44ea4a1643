"""Supervised fine-tuning on demonstrations (TRL ``SFTTrainer``, loss on the completion only)."""

from __future__ import annotations

from dataclasses import dataclass

from datasets import Dataset
from trl import SFTConfig, SFTTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import Positive


@dataclass(frozen=True)
class SFTSettings(MethodSettings):
    learning_rate: Positive = 5e-4
    epochs: Positive = 3.0


def build_sft(inputs: StageInputs) -> SFTTrainer:
    config = SFTConfig(**common_arguments(inputs), completion_only_loss=True)
    return SFTTrainer(model=inputs.model, args=config, train_dataset=Dataset.from_list(inputs.rows),
                      processing_class=inputs.tokenizer, callbacks=inputs.callbacks)


SFT = MethodSpec(
    name="sft",
    description="supervised fine-tuning on demonstrations",
    data="demonstrations",
    needs_reference=False,
    online=False,
    settings=SFTSettings,
    build_trainer=build_sft,
)
