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

    def __init__(self, path: Path, stage: int, method: str):
        self.path, self.stage, self.method = path, stage, method

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        row = {"stage": self.stage, "method": self.method, "step": state.global_step,
               **{k: _plain(v) for k, v in logs.items()}}
        with open(self.path, "a") as fh:
            fh.write(json.dumps(row) + "\n")


class NonFiniteLossGuard(TrainerCallback):
    """Raises ``TrainingDiverged`` as soon as a logged loss is NaN or infinite, or when training ends with
    non-finite weights (a loss can diverge between two logging steps), so such a model is never saved."""

    def __init__(self, where: str):
        self.where = where

    def on_log(self, args, state, control, logs=None, **kwargs):
        for key, loss in (logs or {}).items():
            if key.endswith("loss") and isinstance(loss, (int, float)) and not math.isfinite(float(loss)):
                self._stop(f"the training {key.replace('_', ' ')} became {loss} at step {state.global_step}")

    def on_train_end(self, args, state, control, model=None, **kwargs):
        bad = next((name for name, p in model.named_parameters() if not torch.isfinite(p).all()), None) \
            if model is not None else None
        if bad is not None:
            self._stop(f"the training loss diverged: weight {bad} became non-finite by step {state.global_step}")

    def _stop(self, what: str) -> None:
        raise TrainingDiverged(f"{self.where}: {what}; the run was stopped and not recorded as finished "
                               "(lower the learning rate or check the data)")


def _plain(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
