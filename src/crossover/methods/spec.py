"""What a training method is, as the rest of crossover sees it.

The trainer code asks a method what it needs (a reference model? demonstrations, pairs, unpaired labels or
prompts? a scorer for its own samples?) and never branches on its name. Each method module builds its TRL trainer
from ``StageInputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase, SchedulerType, Trainer, TrainerCallback

from crossover.settings import Count, Fraction, NonNegative, Positive, Settings

SchedulerName = Literal[tuple(s.value for s in SchedulerType)]  # type: ignore[misc]
"""Learning-rate schedules transformers knows (``lr_scheduler_type``)."""

from crossover.data.records import DataKind, ResponseScorer

@dataclass(frozen=True)
class MethodSettings(Settings):
    """Hyperparameters every method has. Subclasses add their own, each with a default, a range (``Annotated``)
    or choices (``Literal``); construction rejects values outside them (``crossover.settings``)."""

    learning_rate: Positive = 5e-4
    """Peak learning rate of AdamW."""
    epochs: Positive = 3.0
    """Passes over the stage's budget (a fraction is allowed)."""
    batch_size: Count = 16
    """Examples per optimisation step."""
    max_length: Count = 128
    """Longest training sequence in tokens; longer ones are truncated."""
    warmup_ratio: Fraction = 0.0
    """Share of the training steps spent warming the learning rate up."""
    lr_scheduler: SchedulerName = "linear"
    """How the learning rate decays after warm-up (transformers' ``lr_scheduler_type``)."""
    weight_decay: NonNegative = 0.0
    """AdamW's decoupled weight decay."""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def field_types(cls) -> dict[str, type]:
        return {f.name: type(f.default) for f in fields(cls)}



@dataclass(frozen=True)
class StageInputs:
    """Everything a method needs to build its trainer for one stage of an arm."""

    model: PreTrainedModel
    reference: PreTrainedModel | None
    """A frozen copy of the stage's starting model when the method ``uses_reference`` (and the model is not a PEFT
    model, whose reference is itself with the adapter disabled), else ``None``."""
    tokenizer: PreTrainedTokenizerBase
    rows: list[dict[str, Any]]
    """Training rows in TRL's format for this method's data kind."""
    settings: MethodSettings
    output_dir: Path
    seed: int
    callbacks: list[TrainerCallback]
    scorer: ResponseScorer | None = None
    """Scores the method's own samples; given to ``online`` methods only."""
    reference_cache: Path | None = None
    """A directory of reference log-probs of the stage's starting model, shared with every stage that starts from
    it (``reference_cache.py``); ``None`` computes them afresh."""
    report_to: tuple[str, ...] = ()
    """Trackers the trainer reports to (TRL's ``report_to``; ``crossover.train.tracking``); empty: none."""
    run_name: str | None = None
    """The stage's name in those trackers."""


@dataclass(frozen=True)
class MethodSpec:
    name: str
    description: str
    data: DataKind
    needs_reference: bool | Callable[[Any], bool]
    """Whether the loss compares the policy with the stage's starting model: always (DPO, KTO), never (SFT, SimPO,
    ORPO), or as the stage's settings say (GRPO: only with a KL penalty, ``beta > 0``). Ask ``uses_reference``."""
    online: bool
    """Whether the method samples its own replies and needs a ``ResponseScorer`` to grade them (GRPO)."""
    settings: type[MethodSettings]
    build_trainer: Callable[[StageInputs], Trainer]

    def uses_reference(self, settings: MethodSettings) -> bool:
        """Whether a stage with these settings compares the policy with its starting model."""
        return self.needs_reference(settings) if callable(self.needs_reference) else self.needs_reference


def common_arguments(inputs: StageInputs) -> dict[str, Any]:
    """TrainingArguments shared by all TRL configs: CPU-safe precision, no checkpoints, our logging (plus the
    trackers the study reports to)."""
    s = inputs.settings
    return dict(
        output_dir=str(inputs.output_dir),
        num_train_epochs=s.epochs,
        per_device_train_batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        lr_scheduler_type=s.lr_scheduler,
        warmup_steps=s.warmup_ratio,
        weight_decay=s.weight_decay,
        max_length=s.max_length,
        logging_steps=1,
        save_strategy="no",
        report_to=list(inputs.report_to),
        run_name=inputs.run_name,
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        use_cpu=not torch.cuda.is_available(),
        gradient_checkpointing=False,
        seed=inputs.seed,
        data_seed=inputs.seed,
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
