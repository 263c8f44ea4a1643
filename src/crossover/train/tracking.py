"""Training curves in the tracker a TRL user already has: ``report_to`` passed through to the TRL trainers.

Every stage a run trains is one tracker run, so a sweep's curves sit side by side in the tracker as they do in
``train_log.jsonl`` (which is always written):

- its name is the run's arm, seed and annotator, its run id and the stage, e.g.
  ``sft(16)>dpo(16) seed 0 clean [3fa2c1d9e0ab] stage 2 dpo``;
- its files live in the run's own directory, beside ``train_log.jsonl``: TensorBoard's event files in
  ``runs/<run_id>/tensorboard/stage<k>-<method>/``, Weights & Biases' run in ``runs/<run_id>/wandb/stage<k>-<method>/``
  (``WANDB_MODE=offline`` is respected as wandb itself reads it; ``WANDB_PROJECT`` names the project, default
  ``crossover``).

A stage that an earlier run already trained (the shared prefix ``sft(200)`` of ``sft(200)>dpo(200)``) is not trained
again, so its curve is in the run that trained it. ``tensorboard --logdir DIR/runs`` shows every stage of a study.

Only the trackers named in ``TRACKERS`` are accepted; one that is not installed is an error before anything trains.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossover.errors import CrossoverError

TRACKERS: dict[str, str] = {
    "tensorboard": "tensorboard",
    "wandb": "wandb",
}
"""Tracker name (as TRL's ``report_to`` spells it) -> the package it needs."""


def parse_report_to(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``report_to`` as given in a study file or on the command line: ``"none"``, a tracker name, a comma-separated
    list or a list of names; returns the trackers, in order, without ``none``. Unknown names are an error."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise CrossoverError(f"report_to must be a tracker name or a list of them, got {value!r}")
    names = [part.strip() for v in value for part in v.split(",") if part.strip()]
    if "none" in names:
        if len(names) > 1:
            raise CrossoverError(f"report_to: 'none' cannot be combined with trackers ({', '.join(names)})")
        return ()
    unknown = [n for n in names if n not in TRACKERS]
    if unknown:
        raise CrossoverError(f"report_to: unknown tracker(s) {', '.join(map(repr, unknown))}; known: none, "
                             f"{', '.join(TRACKERS)}")
    return tuple(dict.fromkeys(names))


def check_trackers(report_to: Sequence[str]) -> None:
    """Raise, before anything trains, if a tracker's package is not installed here."""
    missing = [n for n in report_to if importlib.util.find_spec(TRACKERS[n]) is None]
    if missing:
        packages = " ".join(TRACKERS[n] for n in missing)
        raise CrossoverError(f"report_to {', '.join(missing)}: not installed here (pip install {packages}), "
                             f"or leave report_to at 'none'")


@dataclass(frozen=True)
class StageTracking:
    """Where one stage's tracker run goes and what it is called."""

    report_to: tuple[str, ...]
    run_name: str
    run_id: str
    """The run the stage was trained for: a wandb group gathers its stages."""
    run_dir: Path
    """The run's directory (where ``train_log.jsonl`` is written); each tracker gets a folder per stage in it."""
    stage: str
    """``stage<k>-<method>``: the stage's folder name under each tracker's directory."""

    def logging_dir(self, tracker: str) -> Path:
        return self.run_dir / tracker / self.stage


@dataclass(frozen=True)
class RunTracking:
    """The trackers a run reports to and how it is named there; nothing here changes a result."""

    report_to: tuple[str, ...]
    run_id: str
    label: str
    """The run as a tracker lists it: ``sft(16)>dpo(16) seed 0 clean [3fa2c1d9e0ab]`` (``run_label``)."""

    def stage(self, run_dir: Path, k: int, method: str) -> StageTracking | None:
        """Stage ``k``'s tracking, its folders under ``run_dir``; ``None`` when the run reports to no tracker."""
        if not self.report_to:
            return None
        return StageTracking(self.report_to, f"{self.label} stage {k} {method}", self.run_id, run_dir,
                             f"stage{k}-{method}")


def run_label(arm: str, seed: int, annotator: str, run_id: str) -> str:
    """A run as a tracker lists it: ``sft(16)>dpo(16) seed 0 clean [3fa2c1d9e0ab]``."""
    return re.sub(r"\s+", " ", f"{arm} seed {seed} {annotator} [{run_id}]")


@contextmanager
def tracked(trainer: Any, tracking: StageTracking | None) -> Iterator[None]:
    """Train inside this: points the trainer's TensorBoard writer at the stage's folder and opens (then closes) the
    stage's own wandb run, so consecutive stages in one process never share a tracker run."""
    if tracking is None:
        yield
        return
    from transformers.integrations import TensorBoardCallback

    for callback in trainer.callback_handler.callbacks:
        if isinstance(callback, TensorBoardCallback):
            # transformers 5 reads the folder from TENSORBOARD_LOGGING_DIR or puts it under output_dir (a scratch
            # folder here); the callback's own attribute is the per-trainer way to say where.
            callback.logging_dir = str(tracking.logging_dir("tensorboard"))
    # Under `accelerate launch` every process trains; only the main one reports (as transformers' callbacks do).
    main = trainer.accelerator.is_main_process
    run = _start_wandb(tracking) if "wandb" in tracking.report_to and main else None
    try:
        yield
    finally:
        if run is not None:
            run.finish()


def _start_wandb(tracking: StageTracking) -> Any:
    """The stage's wandb run, opened before the trainer's callback looks for one (it then logs into it)."""
    import wandb

    folder = tracking.logging_dir("wandb")
    folder.mkdir(parents=True, exist_ok=True)
    return wandb.init(project=os.environ.get("WANDB_PROJECT", "crossover"), name=tracking.run_name, dir=folder,
                      group=tracking.run_id, reinit="finish_previous")
