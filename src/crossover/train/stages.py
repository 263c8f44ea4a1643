"""Train one arm stage by stage from a base model, reusing any stage prefix already trained.

After each stage the model is saved (atomically) under the prefix's training key, so ``sft(200)>dpo(200)``
starts from the checkpoint its parent ``sft(200)`` left, and a killed study re-trains nothing it finished.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transformers import PreTrainedModel, PreTrainedTokenizerBase, PrinterCallback

from crossover.data.sources import DataSource
from crossover.methods import METHODS, MethodSettings, StageInputs
from crossover.train.arms import Arm
from crossover.train.callbacks import JsonlLog, NonFiniteLossGuard
from crossover.train.checkpoints import load_model, save_atomically
from crossover.train.dynamics import DynamicsSettings, TrainingDynamics
from crossover.world.annotator import Annotator

STAGE_LOG = "train_log.jsonl"


@dataclass(frozen=True)
class ArmJob:
    arm: Arm
    settings: tuple[MethodSettings, ...]
    seed: int
    annotator: Annotator | None
    base_path: Path
    checkpoint_for: Callable[[int], Path]
    """Where the model after the first k stages lives (shared between runs); k = 0 is not asked for."""
    dynamics: DynamicsSettings = DynamicsSettings()


def train_arm(job: ArmJob, tokenizer: PreTrainedTokenizerBase, source: DataSource, log_path: Path,
              on_stage: Callable[[str], None] | None = None) -> PreTrainedModel:
    """The model after all stages of ``job.arm``; appends every stage's training log to ``log_path``."""
    log_path.touch()
    done = 0
    for k in range(len(job.arm.stages), 0, -1):
        if (job.checkpoint_for(k) / "model.safetensors").exists():
            done = k
            break
    model = load_model(job.checkpoint_for(done) if done else job.base_path)
    for k in range(1, done + 1):
        _append(job.checkpoint_for(k) / STAGE_LOG, log_path)
    for k in range(done + 1, len(job.arm.stages) + 1):
        stage, settings = job.arm.stages[k - 1], job.settings[k - 1]
        if on_stage:
            on_stage(stage.label)
        model = _train_stage(job, k, model, tokenizer, source, settings)
        _append(job.checkpoint_for(k) / STAGE_LOG, log_path)
    return model


def _train_stage(job: ArmJob, k: int, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                 source: DataSource, settings: MethodSettings) -> PreTrainedModel:
    stage = job.arm.stages[k - 1]
    method = METHODS[stage.method]
    rows = source.rows(method.data, stage.budget, job.seed, job.annotator)
    start = job.checkpoint_for(k - 1) if k > 1 else job.base_path
    # A trainer that builds its own reference (GRPO with beta > 0) loads it from the model's name: point that at
    # the stage's starting weights, not at wherever the model object was first loaded from.
    model.config._name_or_path = str(start)
    work = Path(tempfile.mkdtemp(prefix="crossover-stage-"))
    try:
        stage_log = work / STAGE_LOG
        callbacks = [JsonlLog(stage_log, k, stage.method), NonFiniteLossGuard(f"{job.arm.label}, stage {stage.label}")]
        if job.dynamics.prompts:
            callbacks.append(TrainingDynamics(load_model(start), tokenizer, source.watch_prompts(job.dynamics.prompts),
                                              stage_log, k, stage.method, job.dynamics, seed=job.seed))
        inputs = StageInputs(model=model, reference=load_model(start) if method.needs_reference else None,
                             tokenizer=tokenizer, rows=rows, settings=settings, output_dir=work / "trainer",
                             seed=job.seed, callbacks=callbacks,
                             scorer=source.scorer(job.annotator) if method.online else None)
        started = time.time()
        trainer = method.build_trainer(inputs)
        trainer.remove_callback(PrinterCallback)  # our JsonlLog records every step; keep stdout for the study
        trainer.train()
        trained = trainer.accelerator.unwrap_model(trainer.model)
        with open(stage_log, "a") as fh:
            fh.write(f'{{"stage": {k}, "method": "{stage.method}", "event": "stage_end", '
                     f'"examples": {len(rows)}, "seconds": {time.time() - started:.2f}}}\n')
        save_atomically(trained, tokenizer, job.checkpoint_for(k), {STAGE_LOG: stage_log.read_text()})
        return trained
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _append(src: Path, dst: Path) -> None:
    if src.exists():
        with open(dst, "a") as out:
            out.write(src.read_text())
