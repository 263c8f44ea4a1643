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
``beta > 0`` adds TRL's KL penalty to the stage's starting model, which TRL loads from the path the stage sets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

from crossover.methods.spec import MethodSettings, MethodSpec, ResponseScorer, StageInputs, common_arguments
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
    return GRPOTrainer(model=inputs.model, reward_funcs=rewards, args=config,
                       train_dataset=Dataset.from_list(inputs.rows), processing_class=inputs.tokenizer,
                       callbacks=inputs.callbacks)


GRPO = MethodSpec(
    name="grpo",
    description="group relative policy optimisation on the annotator's proxy (or the gold) utility; Lite PPO option",
    data="prompts",
    needs_reference=False,
    online=True,
    settings=GRPOSettings,
    build_trainer=build_grpo,
)
