"""Training dynamics: how far the policy has moved from its reference, and how long its replies are, during training.

Per logging step the trainers log their own pair statistics into ``train_log.jsonl`` (TRL's ``logps/chosen``,
``logps/rejected``, ``rewards/margins``, ``rewards/accuracies``; summed log-probs for DPO and its variants and for
KTO, per-token means for SimPO and ORPO; GRPO logs ``rewards/proxy/mean``, ``rewards/gold/mean`` and its sampled
``completions/mean_length``). What needs generation is measured here, at step 0 and ``points`` evenly spaced steps
after it, on a fixed slice of held-out prompts, and logged as ``event: "dynamics"`` rows:

- ``watch/mean_words``: mean length in words of one reply sampled per prompt at temperature 1 with no top-k/top-p
  (the policy's own distribution, as the probes read it at their default temperature);
- ``watch/kl``: KL(pi || pi_ref) to the stage's starting model, mean over prompts, estimated from the same replies
  y ~ pi as

      sum_t KL( pi(. | x, y_<t) || pi_ref(. | x, y_<t) )      (exact over the vocabulary at each position)

  By the chain rule its expectation is the sequence-level KL(pi(.|x) || pi_ref(.|x)); summing exact per-position
  KLs has lower variance than the single-sample log pi(y|x) - log pi_ref(y|x) and is never negative.

Sampling runs under a forked RNG with a fixed seed, so watching does not change what the stage trains.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel, PreTrainedTokenizerBase, TrainerCallback

from crossover.models.batch import chat_ids, pad_token_id, padded_batch
from crossover.settings import Count, NonNegativeInt, Settings

Chat = list[dict[str, str]]


@dataclass(frozen=True)
class DynamicsSettings(Settings):
    """What the training-dynamics callback watches (a study's ``[dynamics]`` table); it never changes training."""

    prompts: NonNegativeInt = 16
    """Held-out prompts generated on at each measurement; 0 turns the measurements off."""
    points: Count = 4
    """Measurements after step 0, evenly spaced over the stage's steps (fewer if the stage is shorter)."""
    max_new_tokens: Count = 48
    """Longest greedy reply generated at a measurement."""


class TrainingDynamics(TrainerCallback):
    """Logs KL to the reference and greedy reply length on ``prompts`` at a few evenly spaced steps."""

    def __init__(self, reference: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[Chat],
                 log_path: Path, stage: int, method: str, settings: DynamicsSettings = DynamicsSettings(),
                 seed: int = 0, step_offset: int = 0):
        self.reference, self.tokenizer, self.prompts = reference.eval(), tokenizer, prompts
        self.step_offset = step_offset  # steps of the stage's earlier rounds (iterative pair sources)
        self.log_path, self.stage, self.method = log_path, stage, method
        self.points, self.max_new_tokens, self.seed = settings.points, settings.max_new_tokens, seed
        self.schedule: set[int] = set()
        self.measured: set[int] = set()

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.schedule = {round(state.max_steps * i / self.points) for i in range(1, self.points + 1)}
        self.reference.to(next(model.parameters()).device)
        self._measure(model, 0)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step in self.schedule:
            self._measure(model, state.global_step)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self._measure(model, state.global_step)

    def _measure(self, model: PreTrainedModel, step: int) -> None:
        step += self.step_offset
        if step in self.measured or not self.prompts:
            return
        self.measured.add(step)
        was_training = model.training
        with torch.random.fork_rng():
            torch.manual_seed(self.seed)
            kl, words = sampled_kl(model, self.reference, self.tokenizer, self.prompts, self.max_new_tokens)
        model.train(was_training)
        row = {"stage": self.stage, "method": self.method, "step": step, "event": "dynamics",
               "watch/mean_words": fmean(words), "watch/kl": fmean(kl), "watch/prompts": len(self.prompts)}
        with open(self.log_path, "a") as fh:
            fh.write(json.dumps(row) + "\n")


@torch.inference_mode()
def sampled_kl(policy: PreTrainedModel, reference: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
               chats: list[Chat], max_new_tokens: int) -> tuple[list[float], list[int]]:
    """Per prompt: the sum over one sampled reply of the exact per-position KL(policy || reference) (see the module
    docstring), and that reply's length in words."""
    policy.eval()
    prompts = [chat_ids(tokenizer, c) for c in chats]
    replies = _sample(policy, tokenizer, prompts, max_new_tokens)
    sequences = [p + r for p, r in zip(prompts, replies, strict=True)]
    device = next(policy.parameters()).device
    ids, attention = padded_batch(sequences, pad_token_id(tokenizer), "right", device)
    reply_mask = torch.zeros(ids.shape, device=device)
    for row, (p, s) in enumerate(zip(prompts, sequences, strict=True)):
        reply_mask[row, len(p) - 1 : len(s) - 1] = 1.0  # positions whose next token is a reply token
    log_p = F.log_softmax(policy(input_ids=ids, attention_mask=attention, use_cache=False).logits.float(), -1)
    log_q = F.log_softmax(reference(input_ids=ids, attention_mask=attention, use_cache=False).logits.float(), -1)
    per_position = (log_p.exp() * (log_p - log_q)).sum(-1)
    words = [len(tokenizer.decode(r, skip_special_tokens=True).split()) for r in replies]
    return (per_position * reply_mask).sum(-1).tolist(), words


def _sample(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[list[int]],
            max_new_tokens: int) -> list[list[int]]:
    """One reply per prompt sampled from the model's own distribution, cut after its end-of-turn token."""
    pad_id = pad_token_id(tokenizer)
    ids, mask = padded_batch(prompts, pad_id, "left", next(model.parameters()).device)
    width = ids.shape[1]
    out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                         do_sample=True, temperature=1.0, top_k=0, top_p=1.0, pad_token_id=pad_id,
                         eos_token_id=tokenizer.eos_token_id, use_cache=True)
    replies = []
    for row in out[:, width:].tolist():
        end = row.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in row else len(row)
        replies.append(row[:end])
    return replies
