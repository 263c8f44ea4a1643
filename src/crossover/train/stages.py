"""Train one arm stage by stage from a base model, reusing any stage prefix already trained.

After each stage the model is saved (atomically) under the prefix's training key, so ``sft(200)>dpo(200)``
starts from the checkpoint its parent ``sft(200)`` left, and a killed study re-trains nothing it finished.

With LoRA, each stage trains a fresh adapter on the model its parent left and saves only the adapter; the next
stage starts from the adapter merged into the weights, so a DPO stage's reference (the adapter-disabled model)
is exactly its SFT parent. Loading a checkpoint replays the merges from the last full-weight checkpoint.
"""

from __future__ import annotations

import gc
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peft import PeftModel, get_peft_model
from transformers import PreTrainedModel, PreTrainedTokenizerBase, PrinterCallback, Trainer

from crossover.data.sources import Chat, DataSource, Sampler
from crossover.errors import CrossoverError
from crossover.methods import METHODS, MethodSettings, StageInputs
from crossover.models.checkpoints import has_full_weights, is_complete, load_model, save_atomically
from crossover.models.generation import generate
from crossover.models.options import ModelOptions
from crossover.train.arms import Arm
from crossover.train.callbacks import JsonlLog, NonFiniteLossGuard
from crossover.train.dynamics import DynamicsSettings, TrainingDynamics
from crossover.train.tracking import RunTracking, StageTracking, tracked
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
    options: ModelOptions = ModelOptions()
    dynamics: DynamicsSettings = DynamicsSettings()
    reference_cache_for: Callable[[int], Path] | None = None
    """Where reference log-probs of the model after the first k stages (k = 0: the base) are kept, shared between
    runs; ``None`` computes them afresh in every stage."""
    tracking: RunTracking | None = None
    """The trackers (TensorBoard, wandb) each trained stage reports to, one tracker run per stage."""


def train_arm(job: ArmJob, tokenizer: PreTrainedTokenizerBase, source: DataSource, log_path: Path,
              on_stage: Callable[[str], None] | None = None) -> PreTrainedModel:
    """The model after all stages of ``job.arm``; appends every stage's training log to ``log_path``."""
    log_path.touch()
    check_pair_sources(job, source)
    done = next((k for k in range(len(job.arm.stages), 0, -1) if is_complete(job.checkpoint_for(k))), 0)
    model = _load_prefix(job, done)
    for k in range(1, done + 1):
        _append(job.checkpoint_for(k) / STAGE_LOG, log_path)
    for k in range(done + 1, len(job.arm.stages) + 1):
        stage, settings = job.arm.stages[k - 1], job.settings[k - 1]
        if on_stage:
            on_stage(stage.label)
        tracking = job.tracking.stage(log_path.parent, k, stage.method) if job.tracking else None
        model = _train_stage(job, k, model, tokenizer, source, settings, tracking)
        _append(job.checkpoint_for(k) / STAGE_LOG, log_path)
    return model


def _load_prefix(job: ArmJob, k: int) -> PreTrainedModel:
    """The model after the first ``k`` stages: the last full checkpoint, then any later adapters merged in."""
    full = next((j for j in range(k, 0, -1) if has_full_weights(job.checkpoint_for(j))), 0)
    model = load_model(job.checkpoint_for(full) if full else job.base_path, job.options.trust_remote_code)
    for j in range(full + 1, k + 1):
        model = PeftModel.from_pretrained(model, job.checkpoint_for(j)).merge_and_unload()
    return model


def freeze_long_lived_objects() -> None:
    """Move everything alive now (imported modules, loaded libraries) out of the garbage collector's view, once
    per process.

    ``Trainer.train`` starts with a full ``gc.collect()`` (accelerate's ``free_memory``), which on CPU costs about
    0.25 s per stage walking torch's, transformers' and TRL's import-time objects; frozen, they are skipped. One
    full collection first, so no garbage is frozen with them.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def check_pair_sources(job: ArmJob, source: DataSource) -> None:
    """Refuse, before any stage trains, a sampled pair source the run cannot serve (no annotator, user data, or
    iterative rounds under LoRA, whose per-stage adapter must apply to the stage's starting model)."""
    for stage in job.arm.stages:
        if not stage.pairs.samples:
            continue
        if job.options.lora is not None and stage.pairs.rounds > 1:
            raise CrossoverError(f"{job.arm.label}: {stage.label} trains in {stage.pairs.rounds} rounds, which needs "
                                 "full fine-tuning (a LoRA stage saves one adapter on its starting model)")
        source.sampled_pairs(job.seed, job.annotator, stage.pairs)  # raises where no annotator can label


def _train_stage(job: ArmJob, k: int, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                 source: DataSource, settings: MethodSettings, tracking: StageTracking | None = None
                 ) -> PreTrainedModel:
    """Train stage ``k`` from ``model`` and save it; a sampled pair source trains in its rounds, each on replies the
    model sampled after the round before (the reference stays the stage's starting model throughout, the KL anchor
    of iterative DPO in Xiong et al. 2024)."""
    stage = job.arm.stages[k - 1]
    method = METHODS[stage.method]
    lora = job.options.lora
    sampled = source.sampled_pairs(job.seed, job.annotator, stage.pairs) if stage.pairs.samples else None
    budgets = stage.pairs.round_budgets(stage.budget) if sampled else [stage.budget]
    # Scratch space beside the checkpoints, where a study sweeps ``.tmp-*`` on its next start: a killed stage
    # leaves nothing behind in the system's temporary directory.
    store = job.checkpoint_for(k).parent
    store.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-stage-", dir=store))
    try:
        stage_log = work / STAGE_LOG
        # One frozen copy of the stage's starting model serves as the loss's reference and as the dynamics
        # callback's KL reference. Under LoRA, TRL's trainers take the adapter-disabled model as the loss's
        # reference: that is the starting model already, so the copy is loaded only if the callback watches.
        reference = method.uses_reference(settings) and lora is None
        frozen = _load_prefix(job, k - 1) if reference or job.dynamics.prompts else None
        watcher = (TrainingDynamics(frozen, tokenizer, source.watch_prompts(job.dynamics.prompts), stage_log, k,
                                    stage.method, job.dynamics, seed=job.seed) if job.dynamics.prompts else None)
        seconds, examples, steps = 0.0, 0, 0
        for round_no, budget in enumerate(budgets, 1):
            if sampled is None:
                rows = source.rows(method.data, stage.budget, job.seed, job.annotator)
            else:
                began = time.time()
                rows = sampled.rows(method.data, budget, _sampler(model, tokenizer))
                _log(stage_log, {"stage": k, "method": stage.method, "step": steps, "event": "pair_source",
                                 "round": round_no, "source": stage.pairs.origin, **sampled.log[-1],
                                 "seconds": round(time.time() - began, 2)})
            if lora is not None:
                model = get_peft_model(model, lora.peft_config())
            began = time.time()
            trainer = _fit(job, k, model, tokenizer, source, settings, rows, frozen if reference else None,
                           watcher, work, steps, tracking)
            seconds += time.time() - began
            model = trainer.accelerator.unwrap_model(trainer.model)
            examples, steps = examples + len(rows), steps + trainer.state.global_step
        _log(stage_log, {"stage": k, "method": stage.method, "event": "stage_end", "examples": examples,
                         "seconds": round(seconds, 2)})
        if lora is not None:
            if "ref" in model.peft_config:
                model.delete_adapter("ref")  # TRL's DPO adds a frozen copy as its reference; it is not the result
            # The adapter applies to the model this stage started from, so `crossover probe` (or PEFT) can rebuild
            # the stage's model from the checkpoint alone by merging down the chain of parents.
            parent = job.checkpoint_for(k - 1) if k > 1 else job.base_path
            model.peft_config["default"].base_model_name_or_path = str(Path(parent).resolve())
        _save_stage(trainer, model, tokenizer, job.checkpoint_for(k), stage_log)
        if holds_shards(trainer):  # each process holds a shard: continue from the whole model just saved
            return _load_prefix(job, k)
        return model.merge_and_unload() if lora is not None else model
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fit(job: ArmJob, k: int, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, source: DataSource,
         settings: MethodSettings, rows: list[dict], reference: PreTrainedModel | None,
         watcher: TrainingDynamics | None, work: Path, steps: int, tracking: StageTracking | None) -> Trainer:
    """One trainer run over ``rows`` (a stage, or one round of it after ``steps`` earlier steps); returns the trainer."""
    stage = job.arm.stages[k - 1]
    method = METHODS[stage.method]
    callbacks = [JsonlLog(work / STAGE_LOG, k, stage.method, step_offset=steps),
                 NonFiniteLossGuard(f"{job.arm.label}, stage {stage.label}")]
    if watcher is not None:
        watcher.step_offset = steps
        callbacks.append(watcher)
    inputs = StageInputs(model=model, reference=reference,
                         tokenizer=tokenizer, rows=rows, settings=settings, output_dir=work / "trainer",
                         seed=job.seed, callbacks=callbacks,
                         scorer=source.scorer(job.annotator) if method.online else None,
                         reference_cache=job.reference_cache_for(k - 1) if job.reference_cache_for else None,
                         report_to=tracking.report_to if tracking else (),
                         run_name=tracking.run_name if tracking else None)
    freeze_long_lived_objects()
    trainer = method.build_trainer(inputs)
    trainer.remove_callback(PrinterCallback)  # our JsonlLog records every step; keep stdout for the study
    with tracked(trainer, tracking):
        trainer.train()
    return trainer


SAMPLE_TOKENS = 48
"""Longest on-policy reply sampled, in tokens: the probes' default generation length."""


def _sampler(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> Sampler:
    """``model`` as a ``Sampler``: replies at temperature 1 with no truncation (its own distribution), each drawn
    on its own noise key (``models.generation``), so a reply does not depend on how prompts were batched."""
    def sample(chats: list[Chat], keys: list[int]) -> list[str]:
        return generate(model, tokenizer, chats, max_new_tokens=SAMPLE_TOKENS, temperature=1.0, keys=keys)
    return sample


def _log(path: Path, row: dict) -> None:
    with open(path, "a") as fh:
        fh.write(json.dumps(row) + "\n")


def _save_stage(trainer: Trainer, trained: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, target: Path,
                stage_log: Path) -> None:
    """Save the stage's model from its gathered state dict: under ``accelerate launch`` every process takes part
    in gathering the weights (each holds only a shard under FSDP or DeepSpeed ZeRO-3, whole weights otherwise);
    the main process writes them."""
    state = trainer.accelerator.get_state_dict(trainer.model)
    if trainer.accelerator.is_main_process:
        save_atomically(trained, tokenizer, target, {STAGE_LOG: stage_log.read_text()}, state_dict=state)
    trainer.accelerator.wait_for_everyone()


def holds_shards(trainer: Trainer) -> bool:
    """Whether each process holds only a shard of the trained weights (FSDP, DeepSpeed ZeRO-3)."""
    plugin = trainer.accelerator.state.deepspeed_plugin
    return bool(trainer.is_fsdp_enabled or (plugin is not None and plugin.zero_stage == 3))


def _append(src: Path, dst: Path) -> None:
    if src.exists():
        with open(dst, "a") as out:
            out.write(src.read_text())
