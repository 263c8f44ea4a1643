"""Runs launched as TRL users launch training: one ``accelerate launch --config_file CONFIG`` per run.

The config is the user's own accelerate file (DDP, FSDP, DeepSpeed, one machine or many), passed through
untouched; crossover only writes the run spec where the launched processes read it. Every process trains (the
trainers are accelerate-aware); only the main process writes checkpoints and probes the model
(``execute_run``). Runs launched this way go one at a time: each takes all the devices the config names.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from crossover.errors import CrossoverError
from crossover.study.execute import execute_run


def check_accelerate_config(path: str | Path) -> Path:
    """``path`` as an existing, readable accelerate config, or a ``CrossoverError`` naming what is wrong with it."""
    from accelerate.commands.config.config_args import load_config_from_file

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise CrossoverError(f"accelerate config {path}: no such file (write one with `accelerate config`)")
    try:
        load_config_from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - accelerate raises whatever its YAML/JSON parser and dataclass raise
        raise CrossoverError(f"accelerate config {path}: not a valid accelerate config ({exc})") from None
    return path


def launch_command(job_file: Path, config: Path) -> list[str]:
    """``accelerate launch`` with the user's config, running ``crossover.study.launch`` on one pickled run."""
    return [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config),
            "-m", "crossover.study.launch", str(job_file)]


def launch_run(spec, root: Path, study_name: str, config: Path) -> str:
    """Run ``spec`` under ``accelerate launch``; returns its run id, raises with the launch's last output lines."""
    job_file = Path(root) / "runs" / f".launch-{spec.run_id}.pkl"
    job_file.write_bytes(pickle.dumps((spec, Path(root), study_name)))
    try:
        result = subprocess.run(launch_command(job_file, config), capture_output=True, text=True)
    finally:
        job_file.unlink(missing_ok=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise CrossoverError(f"accelerate launch exited with status {result.returncode}:\n{tail}")
    return spec.run_id


def main(argv: list[str]) -> None:
    spec, root, study_name = pickle.loads(Path(argv[0]).read_bytes())
    execute_run(spec, root, study_name)


if __name__ == "__main__":
    main(sys.argv[1:])
