"""Runs of a study as Ray tasks, for a cluster (``pip install crossover[ray]``; ``crossover run --executor ray``).

Each run is one task asking for the CPUs (and GPU, where the cluster has them) its torch threads will use, so Ray's
scheduler, not crossover, packs runs onto nodes. The study directory must be on a file system every node sees
(checkpoints are shared between runs, and a run writes its results there).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from crossover.errors import CrossoverError
from crossover.study.execute import execute_run, quiet_libraries


def require_ray():
    try:
        import ray
    except ImportError:
        raise CrossoverError("the Ray executor needs ray: pip install 'crossover[ray]'") from None
    return ray


def connect(address: str | None) -> None:
    """Join the cluster at ``address`` (``None``: Ray's own default, RAY_ADDRESS or a new local instance), unless
    this process is already connected."""
    ray = require_ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)


def run_wave(wave: list, root: Path, study_name: str, threads: int, gpus: float,
             done: Callable[[object, BaseException | None], None]) -> None:
    """Submit every run of ``wave`` at once and report each as it finishes (``done(spec, error)``)."""
    ray = require_ray()
    task = ray.remote(num_cpus=threads, num_gpus=gpus, max_retries=0)(_execute)
    pending = {task.remote(spec, str(root), study_name, threads): spec for spec in wave}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            spec = pending.pop(ref)
            try:
                ray.get(ref)
                done(spec, None)
            except Exception as exc:  # noqa: BLE001 - one failed run must not lose the others
                done(spec, exc)


def _execute(spec, root: str, study_name: str, threads: int) -> str:
    import torch

    torch.set_num_threads(threads)
    quiet_libraries()
    return execute_run(spec, Path(root), study_name)
