"""Fault injection: ``crossover run`` is killed with SIGKILL at chosen moments, then resumed.

Each kill is triggered by watching the study directory: the test polls it and sends SIGKILL when a given file
appears (a run's temporary directory, a checkpoint being written, a probe file being written, a run committed,
the metrics table), optionally after a short delay that lands the kill inside the step that follows. After every
kill the directory must hold no run that looks finished but is incomplete; after the last resume, every finished
run must be the one written before the kills, and ``metrics.csv`` must equal an uninterrupted run's exactly.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from safetensors import safe_open

TINY_STUDY = """
[study]
name = "tiny"
seeds = [0]
arms = ["sft(16)", "sft(16)>dpo(16)"]
annotators = ["clean"]

[probes]
items = 2
ood_items = 1
max_new_tokens = 8

[dynamics]
prompts = 2
points = 1
max_new_tokens = 4
"""
RUNS = 2


@dataclass(frozen=True)
class KillPoint:
    name: str
    pattern: str
    """A glob, relative to the study directory, of a file the study opens for writing."""
    nth: int = 1
    """The kill fires when the study opens the ``nth`` such file ..."""
    delay_s: float = 0.0
    """... or this long after it, to land inside the step that follows."""
    finished: int = 0
    """Runs finished when it fires (the first run is finished once the chain reaches the second)."""


# A study process started through this wrapper kills itself with SIGKILL (no cleanup, no finally blocks run) at
# the chosen file open; Python's audit hook sees every open() with its path and mode before the file is touched.
WRAPPER = """
import fnmatch, os, signal, sys, threading
pattern, nth, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
seen = []
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def hook(event, args):
    path = os.fspath(args[0]) if event == "open" and isinstance(args[0], (str, os.PathLike)) else None
    if not isinstance(path, str) or not fnmatch.fnmatch(path, pattern):
        return
    if not (isinstance(args[1], str) and set(args[1]) & set("wax")) and not (isinstance(args[2], int) and args[2] & 3):
        return
    seen.append(path)
    if len(seen) == nth:
        die() if delay == 0 else threading.Timer(delay, die).start()
sys.addaudithook(hook)
sys.argv = ["crossover", *sys.argv[4:]]
from crossover.cli import main
sys.exit(main())
"""

# In the order a study reaches them, so that each run of the chain meets its trigger anew.
CHAIN = (
    KillPoint("mid-training (sft stage)", "*/runs/.tmp-*/train_log.jsonl", delay_s=0.3),
    KillPoint("mid-checkpoint-write", "*/checkpoints/.tmp-*/tokenizer*.json"),
    KillPoint("mid-probe", "*/runs/.tmp-*/train_log.jsonl", nth=2, delay_s=0.2),
    KillPoint("mid-result-write", "*/runs/.tmp-*/probes/*.jsonl", nth=3),
    KillPoint("mid-metrics-write", "*/runs/.tmp-*/.metrics.json.*.tmp"),
    KillPoint("between runs", "*/runs/.tmp-*/.config.json.*", nth=2, finished=1),
    KillPoint("mid-training (dpo stage)", "*/runs/.tmp-*/train_log.jsonl", nth=2, delay_s=0.5, finished=1),
    KillPoint("mid-table-write", "*/.metrics.csv.tmp", finished=2),
    KillPoint("mid-analysis", "*/analysis/*", finished=2),
)
QUICK_CHAIN = tuple(CHAIN[i] for i in (0, 1, 2, 3, 5, 6))
"""The default test's kills; the whole chain runs with ``-m slow``."""


def _command(study: Path, out: Path) -> list[str]:
    return ["run", "--study", str(study), "--out", str(out), "--quiet"]


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def run_to_end(study: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "crossover.cli", *_command(study, out)], env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def run_and_kill(study: Path, out: Path, point: KillPoint) -> bool:
    """Run the study until ``point`` kills it; False if it finished first."""
    args = [sys.executable, "-c", WRAPPER, point.pattern, str(point.nth), str(point.delay_s), *_command(study, out)]
    done = subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=300)
    return done.returncode == -signal.SIGKILL


def run_and_kill_after(study: Path, out: Path, seconds: float) -> bool:
    proc = subprocess.Popen([sys.executable, "-m", "crossover.cli", *_command(study, out)], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def finished_runs(out: Path) -> dict[str, bytes]:
    """run id -> metrics.json bytes of every run the store counts as finished, each checked to be complete."""
    runs = {}
    for run in sorted((out / "runs").glob("[0-9a-f]*")):
        metrics = json.loads((run / "metrics.json").read_text())
        config = json.loads((run / "config.json").read_text())
        assert metrics["run_id"] == config["run_id"] == run.name and metrics["rows"], run
        probe_files = sorted((run / "probes").glob("*.jsonl"))
        assert probe_files, run
        for probe_file in probe_files:
            records = [json.loads(x) for x in probe_file.read_text().splitlines()]
            assert records and all("label" in r for r in records), probe_file
        runs[run.name] = (run / "metrics.json").read_bytes()
    return runs


def assert_consistent(out: Path) -> dict[str, bytes]:
    """Nothing half-written looks finished: runs complete, checkpoints loadable, metrics.csv only of finished runs."""
    runs = finished_runs(out) if (out / "runs").exists() else {}
    for checkpoint in sorted((out / "checkpoints").glob("[0-9a-f]*")) if (out / "checkpoints").exists() else []:
        with safe_open(checkpoint / "model.safetensors", "pt") as weights:
            assert list(weights.keys()), checkpoint
        assert (checkpoint / "train_log.jsonl").exists() and (checkpoint / "tokenizer.json").exists(), checkpoint
    if (out / "metrics.csv").exists():
        assert set(pd.read_csv(out / "metrics.csv").run_id) <= set(runs)
    return runs


def metrics_table(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / "metrics.csv", keep_default_na=False)
    return frame.sort_values(["run_id", "probe", "metric"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny study file and its uninterrupted result."""
    base = tmp_path_factory.mktemp("faults")
    study = base / "tiny.toml"
    study.write_text(TINY_STUDY)
    reference = base / "reference"
    run_to_end(study, reference)
    assert len(assert_consistent(reference)) == RUNS
    return study, reference


def kill_chain(study: Path, out: Path, chain: tuple[KillPoint, ...]) -> None:
    """Kill the study at every point of ``chain`` in turn, checking the directory after each kill."""
    kept: dict[str, bytes] = {}
    fired = 0
    for point in chain:
        if not run_and_kill(study, out, point):
            # A kill timed by a delay can land after the step it aimed at on a fast machine; the chain then runs
            # one run ahead and a later point may never come. What was killed so far must still be sound.
            assert fired >= 3, f"{point.name}: the study finished before the kill fired ({fired} kills so far)"
            break
        fired += 1
        runs = assert_consistent(out)
        assert point.finished <= len(runs) <= point.finished + 1, f"{point.name}: {len(runs)} finished runs"
        assert all(runs.get(run_id) == body for run_id, body in kept.items()), f"{point.name}: a finished run changed"
        kept = runs
    run_to_end(study, out)
    runs = assert_consistent(out)
    assert len(runs) == RUNS and all(runs[run_id] == body for run_id, body in kept.items())
    assert not list((out / "runs").glob(".tmp-*")) and not list((out / "checkpoints").glob(".tmp-*"))


def test_killed_at_six_points_resumes_to_the_uninterrupted_result(tiny, tmp_path):
    study, reference = tiny
    kill_chain(study, tmp_path / "killed", QUICK_CHAIN)
    pd.testing.assert_frame_equal(metrics_table(tmp_path / "killed"), metrics_table(reference), check_exact=True)


@pytest.mark.slow
def test_killed_at_nine_points_resumes_to_the_uninterrupted_result(tiny, tmp_path):
    study, reference = tiny
    kill_chain(study, tmp_path / "killed", CHAIN)
    pd.testing.assert_frame_equal(metrics_table(tmp_path / "killed"), metrics_table(reference), check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_killed_at_random_moments_resumes_to_the_uninterrupted_result(tiny, tmp_path, seed):
    study, reference = tiny
    rng = random.Random(seed)
    out = tmp_path / "killed"
    kept: dict[str, bytes] = {}
    for _ in range(4):
        if not run_and_kill_after(study, out, rng.uniform(4.0, 14.0)):
            break
        runs = assert_consistent(out)
        assert all(runs.get(run_id) == body for run_id, body in kept.items())
        kept = runs
    run_to_end(study, out)
    assert_consistent(out)
    pd.testing.assert_frame_equal(metrics_table(out), metrics_table(reference), check_exact=True)
