"""Trainer callbacks: a JSONL training log and a guard that stops on NaN/inf losses."""

from __future__ import annotations

import json
import math
from pathlib import Path

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
    """Raises ``TrainingDiverged`` as soon as a logged loss is NaN or infinite."""

    def __init__(self, where: str):
        self.where = where

    def on_log(self, args, state, control, logs=None, **kwargs):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise TrainingDiverged(
                f"{self.where}: the training loss became {loss} at step {state.global_step}; the run was stopped "
                "and not recorded as finished (lower the learning rate or check the data)"
            )


def _plain(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
