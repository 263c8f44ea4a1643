"""What every benchmark shares: the shipped wind-tunnel base, its data, the machine's load, one printed line."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.stages import freeze_long_lived_objects
from crossover.world.annotator import annotator_from
from crossover.world.bases import resolve_base


def base_and_source(name: str = "default"):
    """The shipped base (path, tokenizer) and the world data source it was pretrained on."""
    from crossover.data.sources import WorldData

    base = resolve_base(name)
    return base.path, load_tokenizer(base.path), WorldData(base.world_seed).source()


def world_rows(kind: str, budget: int, seed: int = 0) -> list[dict[str, Any]]:
    _, _, source = base_and_source()
    return source.rows(kind, budget, seed, annotator_from("clean") if kind != "demonstrations" else None)


def build_trainer(method: str, rows: list[dict[str, Any]], out: Path, *, batch_size: int = 16, epochs: float = 1.0,
                  callbacks: list | None = None, reference_cache: Path | None = None, **settings: Any):
    """A crossover stage's trainer for ``method`` on the shipped base (reference = the base, as for ``dpo(m)``)."""
    path, tokenizer, _ = base_and_source()
    spec = METHODS[method]
    values = spec.settings(batch_size=batch_size, epochs=epochs, **settings)
    inputs = StageInputs(model=load_model(path), reference=load_model(path) if spec.uses_reference(values) else None,
                         tokenizer=tokenizer, rows=rows, settings=values, output_dir=out / method, seed=0,
                         callbacks=callbacks or [], reference_cache=reference_cache)
    freeze_long_lived_objects()  # as a study's stage does before building its trainer
    return spec.build_trainer(inputs)


def timed(fn: Callable[[], Any], repeats: int = 1) -> float:
    """The best wall time of ``repeats`` calls (the least disturbed by other jobs on a shared machine)."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def machine_line() -> str:
    """Where and under what load a figure was taken, printed beside it."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch "
            f"{torch.__version__} with {torch.get_num_threads()} threads, load average {load}")


def row(label: str, value: str) -> str:
    """One Markdown table row, pasted into BENCHMARKS.md as printed."""
    return f"| {label} | {value} |"
