"""Run a study: expand it to runs, run only what is missing (in parallel if asked), then analyse and report.

A parent (``sft(200)``) must have written its checkpoint before a child (``sft(200)>dpo(200)``) that starts from it
is scheduled. Runs go to one of:

- a pool of worker processes on this machine whose torch thread counts add up to its cores, so they do not
  fight (``workers="auto"``: one single-threaded worker per core on CPU, one worker on a GPU machine). One pool
  serves the whole study and a run is submitted as soon as the runs that train its stage prefixes have finished
  (``dependencies``), longest first among those ready: workers import torch once, and no core idles at a wave's
  end while unrelated runs wait;
- ``accelerate launch`` with the user's accelerate config, one run at a time (``launch.py``);
- Ray tasks on a cluster (``ray_executor.py``), in waves by number of stages.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Literal

import torch
from tqdm.auto import tqdm

from crossover.config import OwnModelStudy, StudyConfig, WindTunnelStudy
from crossover.errors import CrossoverError
from crossover.provenance import provenance
from crossover.study import ray_executor
from crossover.study.execute import execute_run
from crossover.study.inputs import resolve_inputs
from crossover.study.launch import check_accelerate_config, launch_run
from crossover.study.spec import RunSpec, StudyInputs, expand
from crossover.study.store import RESULT_SCHEMA, StudyStore, write_json
from crossover.train.tracking import check_trackers


@dataclass
class StudyOutcome:
    root: Path
    runs: list[RunSpec]
    skipped: int
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


Workers = int | Literal["auto"]


@dataclass(frozen=True)
class Execution:
    """How a study's runs are executed; nothing here changes a result, so none of it is part of a run's id."""

    workers: Workers = 1
    """Runs at once on this machine (or Ray tasks' share of its cores); "auto" sizes it (``resolve_workers``)."""
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    """The Ray cluster to join (``None``: RAY_ADDRESS, or a new local instance)."""
    accelerate_config: Path | None = None
    """An accelerate config file: every run is started by ``accelerate launch --config_file`` with it."""


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def resolve_workers(workers: Workers, largest_wave: int) -> int:
    """``auto``: on CPU one worker per core (at most one per run of the largest wave), each on one thread; small
    models train faster as independent single-threaded runs than as one run on two contended threads. On a GPU
    machine one worker, which holds the device."""
    if workers != "auto":
        return max(1, int(workers))
    if torch.cuda.is_available():
        return 1
    return max(1, min(usable_cores(), largest_wave))


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def run_study(config: StudyConfig, root: Path, *, workers: Workers = 1, progress: bool = True,
              log: Callable[[str], None] = print, execution: Execution | None = None) -> StudyOutcome:
    """Run every missing run of ``config`` into ``root``. ``execution`` (default: ``workers`` local processes)
    says where the runs go."""
    started = time.time()
    execution = execution or Execution(workers=workers)
    if execution.accelerate_config is not None:
        execution = dataclasses.replace(execution, accelerate_config=check_accelerate_config(
            execution.accelerate_config))
    check_trackers(config.report_to)
    inputs = resolve_inputs(config)  # reads and validates user data and checks budgets: before any directory
    store = StudyStore(root)
    store.prepare()
    bases = [getattr(i.base, "describe", i.base.identity)() for i in inputs]  # a wind-tunnel base: its identity
    specs = expand(config, inputs)
    write_json(root / "study.json", study_record(config, bases, inputs[0]) | {"runs": sorted(s.run_id for s in specs)})
    pending = [s for s in specs if not store.finished(s.run_id)]
    outcome = StudyOutcome(root, specs, skipped=len(specs) - len(pending))
    store.superseded()  # a directory whose repeated runs are ambiguous is refused before anything trains
    waves = [[s for s in pending if len(s.arm.stages) == depth] for depth in sorted({len(s.arm.stages)
                                                                                       for s in pending})]
    n = 1 if execution.accelerate_config else resolve_workers(execution.workers, max(map(len, waves), default=1))
    log(f"study {config.name!r}: {len(specs)} runs, {outcome.skipped} already finished, {len(pending)} to run "
        f"({_describe(execution, n)})")
    if execution.executor == "ray":
        ray_executor.connect(execution.ray_address)
    bar = tqdm(total=len(pending), desc="runs", unit="run", disable=not progress, file=sys.stderr)
    done = _reporter(root, bar, outcome.failures)
    if execution.executor == "local" and n > 1 and not execution.accelerate_config:
        _run_pool(pending, root, config.name, n, done)
    else:
        for wave in waves:
            _run_wave(wave, root, config.name, execution, n, done)
    bar.close()
    if superseded := len(store.superseded()):
        log(f"{root}: {superseded} finished run(s) there repeat an arm and seed of this study under earlier settings "
            f"(probes, judges or methods); they stay on disk and are left out of its results and analysis")
    store.write_metrics_table()
    outcome.seconds = time.time() - started
    return outcome


def _describe(execution: Execution, workers: int) -> str:
    if execution.accelerate_config:
        return f"accelerate launch --config_file {execution.accelerate_config}"
    where = "Ray tasks" if execution.executor == "ray" else f"worker{'s' * (workers > 1)}"
    return f"{workers} {where}, {max(1, usable_cores() // workers)} thread(s) each"


Done = Callable[[RunSpec, BaseException | None], None]


def _reporter(root: Path, bar: tqdm, failures: dict[str, str]) -> Done:
    """What happens when a run ends: a failure is recorded (and its traceback kept); the bar moves on."""
    def done(spec: RunSpec, error: BaseException | None) -> None:
        if error is not None:
            failures[spec.run_id] = f"{spec.arm.label} (seed {spec.seed}{', ' + spec.annotator_name if spec.annotator_name else ''}): {error}"
            detail = "".join(traceback.format_exception(error)) if not isinstance(error, CrossoverError) else str(error)
            (root / "runs" / f".failed-{spec.run_id}.txt").write_text(detail)
        bar.set_postfix_str(f"{spec.arm.label} s{spec.seed} {spec.annotator_name}".strip())
        bar.update(1)

    return done


def dependencies(runs: list[RunSpec]) -> dict[str, set[str]]:
    """run id -> ids of the runs (among ``runs``) whose finished model is one of its stage prefixes.

    ``sft(250)>dpo(250)`` at seed 0 depends on ``sft(250)`` at seed 0 (the same training key after one stage), so
    it starts from that run's checkpoint instead of training the prefix again.
    """
    producer = {r.training_key(len(r.arm.stages)): r.run_id for r in runs if r.arm.stages}
    return {r.run_id: {producer[key] for k in range(1, len(r.arm.stages))
                       if (key := r.training_key(k)) in producer} for r in runs}


def _cost(spec: RunSpec) -> int:
    """A rough size of a run for scheduling: the examples its stages train on (probing costs every run alike)."""
    return sum(stage.budget for stage in spec.arm.stages)


def _run_pool(runs: list[RunSpec], root: Path, name: str, workers: int, done: Done) -> None:
    """Every run in one pool of ``workers`` processes, each submitted once its prefix runs have finished."""
    waiting = dependencies(runs)
    by_id = {r.run_id: r for r in runs}
    threads = max(1, usable_cores() // workers)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker,
                             initargs=(threads,)) as pool:
        futures: dict[Future, RunSpec] = {}

        def submit_ready() -> None:
            ready = [by_id[i] for i, deps in waiting.items() if not deps]
            # Runs others wait on first, then the longest: the pool's tail stays short.
            ready.sort(key=lambda r: (-sum(r.run_id in deps for deps in waiting.values()), -_cost(r)))
            for spec in ready:
                del waiting[spec.run_id]
                futures[pool.submit(execute_run, spec, root, name)] = spec

        submit_ready()
        while futures:
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            for fut in finished:
                spec = futures.pop(fut)
                done(spec, fut.exception())
                for deps in waiting.values():  # a failed parent frees its children too: they train the prefix
                    deps.discard(spec.run_id)
            submit_ready()


def _run_wave(wave: list[RunSpec], root: Path, name: str, execution: Execution, workers: int, done: Done) -> None:
    threads = max(1, usable_cores() // workers)
    if execution.executor == "ray":
        ray_executor.run_wave(wave, root, name, threads, float(torch.cuda.is_available()), done)
        return
    config = execution.accelerate_config
    for spec in wave:
        try:
            launch_run(spec, root, name, config) if config else execute_run(spec, root, name)
            done(spec, None)
        except Exception as exc:  # noqa: BLE001 - one failed run must not lose the others
            done(spec, exc)


def study_record(config: StudyConfig, bases: list[dict], inputs: StudyInputs | None = None) -> dict:
    """The resolved study settings, as written to ``study.json`` (the report reads this, not the TOML).

    ``inputs`` (what the runs of a base share) names the labellers and the probe suite; without it, the config's
    annotators and wind-tunnel probe settings are recorded.
    """
    real = inputs is not None and isinstance(config, OwnModelStudy)
    labellers = inputs.labellers if inputs else config.annotators if isinstance(config, WindTunnelStudy) else ()
    return {
        "schema": RESULT_SCHEMA,
        "name": config.name,
        "description": config.description,
        "source": config.source,
        "bases": bases,
        "seeds": list(config.seeds),
        "arms": [a.label for a in config.arms],
        "annotators": [a.settings() for a in labellers],
        "methods": {k: dataclasses.asdict(v) for k, v in config.methods.items()},
        "probes": inputs.probes.describe() if inputs else dataclasses.asdict(config.probes),
        "dynamics": dataclasses.asdict(config.dynamics),
        "crossover": dataclasses.asdict(config.crossover) if config.crossover else None,
        "cost": config.cost.as_dict(),
        "analysis": {"primary": list(config.analysis.primary)},
        **({"data": dataclasses.asdict(inputs.data), "model_options": dataclasses.asdict(inputs.options)}
           if real else {}),
        "provenance": provenance(),
    }
