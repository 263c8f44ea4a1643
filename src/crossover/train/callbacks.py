"""Trainer callbacks: a JSONL training log and a guard that stops on NaN/inf losses."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from transformers import TrainerCallback

from crossover.errors import TrainingDiverged


class JsonlLog(TrainerCallback):
    """Appends every log event of the trainer to ``path`` as one JSON object per line."""

    def __init__(self, path: Path, stage: int, method: str, step_offset: int = 0):
        self.path, self.stage, self.method = path, stage, method
        self.step_offset = step_offset
        """Steps of earlier rounds of the same stage (iterative pair sources), so a stage's steps keep counting up."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        row = {"stage": self.stage, "method": self.method, "step": state.global_step + self.step_offset,
               **{k: _plain(v) for k, v in logs.items()}}
        with open(self.path, "a") as fh:
            fh.write(json.dumps(row) + "\n")


class NonFiniteLossGuard(TrainerCallback):
    """Raises ``TrainingDiverged`` as soon as a logged loss is NaN or infinite, when a step leaves the model's
    next-token probabilities non-finite (checked on a 16-token input after every step: a forward pass, cheap next
    to the step), or when training ends with non-finite weights, so such a model is never saved."""

    def __init__(self, where: str):
        self.where = where

    def on_log(self, args, state, control, logs=None, **kwargs):
        for key, loss in (logs or {}).items():
            if key.endswith("loss") and isinstance(loss, (int, float)) and not math.isfinite(float(loss)):
                self._stop(f"the training {key.replace('_', ' ')} became {loss} at step {state.global_step}")

    def on_step_end(self, args, state, control, model=None, **kwargs):
        # Before any other callback samples from the model (the dynamics watch): a step can leave finite weights
        # whose logits overflow, which the next logged loss would only show later, if at all.
        if model is not None and not _finite_next_token_distribution(model):
            self._stop(f"the training diverged: after step {state.global_step} the model's next-token "
                       "probabilities are not finite")

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if model is None:
            return
        bad = next((name for name, p in model.named_parameters() if not torch.isfinite(p).all()), None)
        if bad is not None:
            self._stop(f"the training loss diverged: weight {bad} became non-finite by step {state.global_step}")
        if not _finite_next_token_distribution(model):
            self._stop(f"the training diverged: after step {state.global_step} the weights are finite but the "
                       "model's next-token probabilities are not")

    def _stop(self, what: str) -> None:
        raise TrainingDiverged(f"{self.where}: {what}; the run was stopped and not recorded as finished "
                               "(lower the learning rate or check the data)")


@torch.no_grad()
def _finite_next_token_distribution(model: torch.nn.Module) -> bool:
    """Whether the model gives finite next-token probabilities on a short fixed input.

    Finite weights are not enough: a huge learning rate can leave weights large enough that the logits overflow,
    which generation would meet later as NaN probabilities.
    """
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        vocab = model.get_input_embeddings().num_embeddings
        ids = (torch.arange(16, device=device) % vocab).unsqueeze(0)
        logits = model(input_ids=ids).logits.float()
        return bool(torch.isfinite(torch.softmax(logits, dim=-1)).all())
    finally:
        model.train(was_training)


def _plain(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
