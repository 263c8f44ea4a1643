"""GRPO (Shao et al. 2024; TRL ``GRPOTrainer``): sample a group of replies per prompt, score them, push up the
better-than-group-average ones. The score is the run's annotator's proxy utility (``reward="proxy"``) or, as a
control, the world's gold utility (``reward="gold"``); both are computed and logged every step, only the chosen one
drives the update, so every run shows proxy and gold rising (or parting) side by side.

Advantages and loss aggregation map onto TRL's settings:
- ``grpo`` (default): A = (r - mean_group) / std_group, loss averaged per sequence then over sequences
  (``scale_rewards="group"``, ``loss_type="grpo"``), as in DeepSeekMath.
- ``lite_ppo=True``: Lite PPO of "Tricks or Traps? A Deep Dive into RL for LLM Reasoning" (Liu et al. 2025,
  arXiv 2508.08221): group-level mean, batch-level std (``scale_rewards="batch"``) and token-level loss aggregation
  over the batch (``loss_type="dapo"``), on the critic-free clipped objective.
``beta > 0`` adds TRL's KL penalty to the stage's starting model, given as the stage's reference like DPO's
(``ReferencedGRPOTrainer``); under LoRA TRL takes the adapter-disabled model, as for DPO.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from accelerate.utils import is_peft_model
from datasets import Dataset
from transformers import PreTrainedModel
from trl import GRPOConfig, GRPOTrainer
from trl.models import prepare_deepspeed, prepare_fsdp
from trl.trainer.utils import add_fused_lm_head, disable_dropout_in_model

from crossover.data.records import ResponseScorer
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import Count, NonNegative, Positive, at_least


@dataclass(frozen=True)
class GRPOSettings(MethodSettings):
    learning_rate: Positive = 1e-4
    epochs: Positive = 1.0
    batch_size: Count = 16
    """Sampled replies per optimisation step: batch_size / num_generations prompts."""
    reward: Literal["proxy", "gold"] = "proxy"
    num_generations: Annotated[int, at_least(2)] = 8
    """Replies sampled per prompt; advantages compare the replies within a group, so at least 2."""
    max_completion_length: Count = 48
    temperature: Positive = 1.0
    """Sampling temperature of the replies."""
    beta: NonNegative = 0.0
    """Weight of the KL penalty towards the reference; 0 (TRL's default) drops it."""
    epsilon: Positive = 0.2
    """Clipping range of the policy ratio."""
    num_iterations: Count = 1
    scale_rewards: Literal["group", "batch", "none"] = "group"
    loss_type: Literal["grpo", "dapo", "bnpo", "dr_grpo"] = "grpo"
    lite_ppo: bool = False
    """Lite PPO: batch-level std and token-level aggregation (sets scale_rewards and loss_type itself)."""

    def problems(self) -> list[str]:
        out = super().problems()
        if self.batch_size % self.num_generations:
            out.append(f"batch_size ({self.batch_size}) must be a multiple of num_generations ({self.num_generations})")
        if self.lite_ppo and (self.scale_rewards, self.loss_type) != ("group", "grpo"):
            out.append("lite_ppo sets scale_rewards and loss_type itself; leave those at their defaults")
        return out

    def advantage_settings(self) -> tuple[str, str]:
        """TRL's (scale_rewards, loss_type) for these settings."""
        return ("batch", "dapo") if self.lite_ppo else (self.scale_rewards, self.loss_type)


def reward_function(scorer: ResponseScorer, signal: str) -> Callable[..., list[float]]:
    """A TRL reward function returning ``signal`` of ``scorer`` for each sampled reply (named after the signal)."""

    def reward(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float]:
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        return scorer(texts, **{k: columns[k] for k in scorer.columns})[signal]

    reward.__name__ = signal  # TRL logs rewards/<name>/mean
    return reward


def build_grpo(inputs: StageInputs) -> GRPOTrainer:
    s: GRPOSettings = inputs.settings  # type: ignore[assignment]
    if inputs.scorer is None or s.reward not in inputs.scorer.signals:
        raise ValueError(f"grpo(reward={s.reward}) needs a scorer that provides {s.reward!r}")
    scale_rewards, loss_type = s.advantage_settings()
    arguments = common_arguments(inputs)
    arguments.pop("max_length")  # GRPO bounds the reply instead
    config = GRPOConfig(**arguments, num_generations=s.num_generations, max_completion_length=s.max_completion_length,
                        temperature=s.temperature, beta=s.beta, epsilon=s.epsilon, num_iterations=s.num_iterations,
                        scale_rewards=scale_rewards, loss_type=loss_type,
                        reward_weights=[float(signal == s.reward) for signal in inputs.scorer.signals])
    rewards = [reward_function(inputs.scorer, signal) for signal in inputs.scorer.signals]
    common = dict(model=inputs.model, reward_funcs=rewards, args=config, train_dataset=Dataset.from_list(inputs.rows),
                  processing_class=inputs.tokenizer, callbacks=inputs.callbacks)
    if s.beta == 0 or is_peft_model(inputs.model):
        return GRPOTrainer(**common)
    if inputs.reference is None:
        raise ValueError("grpo with beta > 0 needs the stage's starting model as its reference")
    return ReferencedGRPOTrainer(**common, ref_model=inputs.reference)


class ReferencedGRPOTrainer(GRPOTrainer):
    """TRL's ``GRPOTrainer`` with its KL reference given, as ``DPOTrainer`` takes one.

    TRL would load the reference itself from the path in the policy's config (``_name_or_path``), which records
    where the weights were first read, not the model the stage starts from. TRL builds its reference only when
    ``beta > 0``, so this trainer is built with ``beta = 0`` and then given the reference, set up as TRL sets up its
    own (``GRPOTrainer.__init__``, TRL 1.16): dropout off, the fused log-prob head, placed by accelerate (or sharded
    by DeepSpeed / FSDP like the policy).
    """

    def __init__(self, *, ref_model: PreTrainedModel, args: GRPOConfig, **kwargs: Any):
        beta, args.beta = args.beta, 0.0
        super().__init__(args=args, **kwargs)
        if args.cast_lm_head_to_fp32:
            raise ValueError("cast_lm_head_to_fp32 is not supported with a given GRPO reference")
        self.beta = args.beta = beta
        if args.disable_dropout:
            disable_dropout_in_model(ref_model)
        add_fused_lm_head(ref_model, temperature=self.temperature, cast_lm_head_to_fp32=False)
        if self.is_deepspeed_enabled:
            self.ref_model = prepare_deepspeed(ref_model, self.accelerator)
        elif self.is_fsdp_enabled:
            self.ref_model = prepare_fsdp(ref_model, self.accelerator)
        else:
            self.ref_model = self.accelerator.prepare_model(ref_model, evaluation_mode=True)


GRPO = MethodSpec(
    name="grpo",
    description="group relative policy optimisation on the annotator's proxy (or the gold) utility; Lite PPO option",
    data="prompts",
    needs_reference=lambda settings: settings.beta > 0,
    online=True,
    settings=GRPOSettings,
    build_trainer=build_grpo,
)
