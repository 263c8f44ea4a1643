"""Faults inside a study and what a study file may name: a clear error, and nothing recorded as finished.

Diverging losses (a learning rate of 1e6), a disk that fills up while a run's results are written, an output
directory that cannot be created, a truncated or missing checkpoint, a study name that is a path; and the same
study run twice on CPU giving identical metrics.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from crossover.analysis.summary import analyze
from crossover.config import parse_study
from crossover.errors import CrossoverError, InputError
from crossover.report.markdown import write_markdown_report
from crossover.report.page import write_html_report
from crossover.report.terminal import arm_lines
from crossover.study import execute
from crossover.study.runner import run_study
from crossover.study.store import StudyStore

TINY = """
[study]
name = "tiny"
arms = ["sft(8)", "sft(8)>dpo(8)"]

[probes]
items = 2
ood_items = 1
max_new_tokens = 6
"""


def tiny(extra: str = ""):
    return parse_study(TINY + extra, "tiny.toml")


def run(config, root: Path):
    return run_study(config, root, progress=False, log=lambda _: None)


def finished(root: Path) -> list[str]:
    return [p.name for p in StudyStore(root).finished_runs()]


@pytest.fixture(scope="module")
def done(tmp_path_factory, one_thread):
    root = tmp_path_factory.mktemp("hardening") / "study"
    outcome = run(tiny(), root)
    assert not outcome.failures and len(finished(root)) == 2
    return root


def test_the_same_study_twice_gives_identical_metrics(done, tmp_path, one_thread):
    again = tmp_path / "again"
    assert not run(tiny(), again).failures
    first, second = (pd.read_csv(r / "metrics.csv").sort_values(["run_id", "probe", "metric"]).reset_index(drop=True)
                     for r in (done, again))
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_a_diverging_loss_stops_the_run_and_records_nothing(tmp_path, one_thread):
    root = tmp_path / "study"
    outcome = run(tiny("\n[method.sft]\nlearning_rate = 1e6\nepochs = 3\n"), root)
    assert len(outcome.failures) == 2 and finished(root) == []
    message = next(iter(outcome.failures.values()))
    assert re.search(r"the training (loss |train loss )?(became|diverged)", message) and "not recorded as finished" in message
    assert not list((root / "checkpoints").iterdir())
    # The summary and reports of a study with nothing finished say so instead of failing.
    analysis = analyze(root)
    assert arm_lines(StudyStore(root).metrics_frame()) == ["  (no finished run)"]
    assert write_html_report(root).exists() and write_markdown_report(root, analysis).exists()


def test_a_full_disk_while_writing_results_records_nothing(tmp_path, monkeypatch, one_thread):
    def full(path, payload):
        if path.name == "metrics.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        json_write(path, payload)

    json_write = execute.write_json
    monkeypatch.setattr(execute, "write_json", full)
    root = tmp_path / "study"
    outcome = run(tiny(), root)
    assert len(outcome.failures) == 2 and finished(root) == []
    assert all("No space left on device" in m for m in outcome.failures.values())
    assert pd.read_csv(root / "metrics.csv").empty


def test_an_output_directory_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CrossoverError, match=r"file/study: cannot create the study directory"):
        run(tiny(), blocker / "study")


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_damaged_checkpoint_is_a_clear_error_and_records_nothing(done, tmp_path, damage, one_thread):
    import shutil

    root = tmp_path / "study"
    shutil.copytree(done, root)
    child = next(p for p in (root / "runs").iterdir()
                 if not p.name.startswith(".") and ">" in json.loads((p / "config.json").read_text())["spec"]["arm"])
    shutil.rmtree(child)
    # Every stage-prefix checkpoint is damaged: the child would otherwise load whichever one it needs (its own
    # whole-arm checkpoint first), and which one a glob meets first depends on the hashes in the directory names.
    checkpoints = sorted((root / "checkpoints").glob("*/model.safetensors"))
    assert len(checkpoints) == 2
    for weights in checkpoints:
        if damage == "truncate":
            weights.write_bytes(weights.read_bytes()[:1000])
        else:
            weights.unlink()
            (weights.parent / "pytorch_model.bin").write_bytes(b"pickle")
    outcome = run(tiny(), root)
    if damage == "truncate":
        assert len(outcome.failures) == 1 and child.name not in finished(root)
        assert "cannot load the model checkpoint" in next(iter(outcome.failures.values()))
    else:  # an incomplete checkpoint is not used: the stage is trained again, never loaded from the pickle
        assert not outcome.failures and child.name in finished(root)
        for weights in checkpoints:
            assert weights.exists() and not (weights.parent / "pytorch_model.bin").exists()


@pytest.mark.parametrize("name", ["../escape", "/tmp/abs", "a/b", "..", ".", "a\\\\b", ""])
def test_a_study_name_cannot_be_a_path(name):
    with pytest.raises(InputError) as err:
        parse_study(TINY.replace('name = "tiny"', f'name = "{name}"'), "tiny.toml")
    assert err.value.problems[0].field == "study.name" and err.value.problems[0].line == 3
