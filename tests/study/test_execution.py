"""Where runs execute: local workers sized to the cores, `accelerate launch` with a user's config, Ray tasks.

Each executor must leave the same study directory as the in-process runner: the smoke study's run ids and
metrics are compared with the session's smoke run.
"""

import dataclasses
import json

import pandas as pd
import pytest

from crossover.errors import CrossoverError
from crossover.study import runner
from crossover.study.launch import check_accelerate_config
from crossover.study.runner import Execution, resolve_workers, run_study

CPU_CONFIG = """compute_environment: LOCAL_MACHINE
distributed_type: 'NO'
num_machines: 1
num_processes: 1
mixed_precision: 'no'
use_cpu: true
"""


def metrics_by_run(root):
    return {p.name: json.loads((p / "metrics.json").read_text())["rows"] for p in (root / "runs").iterdir()
            if not p.name.startswith(".")}


def test_auto_workers_is_one_per_core_on_cpu_at_most_one_per_run(monkeypatch):
    monkeypatch.setattr(runner.torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(runner, "usable_cores", lambda: 8)
    assert resolve_workers("auto", 20) == 8
    assert resolve_workers("auto", 3) == 3
    assert resolve_workers(2, 20) == 2
    monkeypatch.setattr(runner.torch.cuda, "is_available", lambda: True)
    assert resolve_workers("auto", 20) == 1


def test_an_accelerate_config_is_checked_before_anything_runs(tmp_path):
    with pytest.raises(CrossoverError, match="no such file"):
        check_accelerate_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("distributed_type: [unclosed\n")
    with pytest.raises(CrossoverError, match="not a valid accelerate config"):
        check_accelerate_config(bad)
    good = tmp_path / "cpu.yaml"
    good.write_text(CPU_CONFIG)
    assert check_accelerate_config(good) == good.resolve()


def test_runs_launched_by_accelerate_match_the_in_process_runner(smoke_study, tmp_path):
    root, config, _ = smoke_study
    accelerate_config = tmp_path / "cpu.yaml"
    accelerate_config.write_text(CPU_CONFIG)
    out = tmp_path / "launched"
    trained_arm = dataclasses.replace(config, arms=tuple(a for a in config.arms if a.stages))  # one launch: seconds
    outcome = run_study(trained_arm, out, progress=False, log=lambda _: None,
                        execution=Execution(accelerate_config=accelerate_config))
    assert not outcome.failures
    launched, in_process = metrics_by_run(out), metrics_by_run(root)
    assert launched and all(launched[run] == in_process[run] for run in launched)


def test_a_failing_launch_is_a_failed_run_with_its_output(smoke_study, tmp_path, monkeypatch):
    _, config, _ = smoke_study
    accelerate_config = tmp_path / "cpu.yaml"
    accelerate_config.write_text(CPU_CONFIG)
    monkeypatch.setattr("crossover.study.launch.launch_command",
                        lambda job, cfg: ["python3", "-c", "import sys; sys.exit('launch broke')"])
    one_arm = dataclasses.replace(config, arms=config.arms[:1])
    outcome = run_study(one_arm, tmp_path / "s", progress=False, log=lambda _: None,
                        execution=Execution(accelerate_config=accelerate_config))
    assert len(outcome.failures) == 1 and "launch broke" in next(iter(outcome.failures.values()))


RAY_MISSING = ("ray is not installed, so the Ray executor is untested here: `make test` installs it "
               "(scripts/setup-test.sh), or pip install -e '.[ray]'")


@pytest.fixture
def ray_module():
    """Ray, or a skip that says why (before the smoke study is run for nothing)."""
    return pytest.importorskip("ray", reason=RAY_MISSING)


def test_ray_tasks_on_a_local_instance_match_the_in_process_runner(ray_module, smoke_study, tmp_path):
    """The whole smoke study as Ray tasks on a local instance leaves the same study table, row for row, as the
    in-process runner with the same seeds: the same run ids, and every metric equal."""
    ray = ray_module
    root, config, _ = smoke_study
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        outcome = run_study(config, tmp_path / "ray", progress=False, log=lambda _: None,
                            execution=Execution(executor="ray", workers=2))
    finally:
        ray.shutdown()
    assert not outcome.failures
    assert metrics_by_run(tmp_path / "ray") == metrics_by_run(root)
    by_ray, in_process = (sorted_metrics(d / "metrics.csv") for d in (tmp_path / "ray", root))
    assert len(by_ray) == len(in_process) > 0 and by_ray["run_id"].nunique() == len(config.arms)
    pd.testing.assert_frame_equal(by_ray, in_process)


def sorted_metrics(path):
    return pd.read_csv(path).sort_values(["run_id", "probe", "metric"]).reset_index(drop=True)


def test_a_child_waits_only_for_the_run_that_trains_its_prefix():
    from crossover.cli import PRESETS_DIR
    from crossover.config import load_study
    from crossover.study.spec import expand
    from crossover.world.bases import resolve_base

    config = load_study(PRESETS_DIR / "quick.toml")
    runs = expand(config, [resolve_base(b) for b in config.bases])
    deps = runner.dependencies(runs)
    by_id = {r.run_id: r for r in runs}
    for run in runs:
        parents = [by_id[i] for i in deps[run.run_id]]
        if run.arm.label == "sft(250)>dpo(250)":
            assert [(p.arm.label, p.seed) for p in parents] == [("sft(250)", run.seed)]
        else:
            assert parents == []


def test_a_local_pool_runs_children_after_their_parents(smoke_study, tmp_path):
    """Two workers, one pool: the child is submitted only once its parent has finished, and starts from the
    parent's checkpoint. The smoke study's finished runs are copied in, so only the parent and child train."""
    import shutil

    root, config, _ = smoke_study
    shutil.copytree(root, tmp_path / "s")
    study = dataclasses.replace(config, arms=(*config.arms, *_arms("sft(8)", "sft(8)>dpo(8)")))
    outcome = run_study(study, tmp_path / "s", workers=2, progress=False, log=lambda _: None)
    assert not outcome.failures and outcome.skipped == len(config.arms)
    parent, child = (next(r for r in outcome.runs if r.arm.label == label) for label in ("sft(8)", "sft(8)>dpo(8)"))

    def stage_ends(run):
        rows = (tmp_path / "s" / "runs" / run.run_id / "train_log.jsonl").read_text().splitlines()
        return [json.loads(r) for r in rows if '"stage_end"' in r]

    # The child started from the parent's checkpoint: its first stage is the parent's, wall seconds and all.
    assert stage_ends(child)[0] == stage_ends(parent)[0] and len(stage_ends(child)) == 2


def _arms(*labels):
    from crossover.train.arms import parse_arm

    return [parse_arm(label) for label in labels]
