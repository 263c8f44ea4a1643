"""Trackers: ``report_to`` reaches the TRL trainers, one tracker run per stage, checked before anything trains.

The end-to-end test trains a two-stage arm of the smoke study with ``report_to = "tensorboard"`` and reads the event
files back with TensorBoard's own reader: each stage's loss curve must be there, step for step, with the values
``train_log.jsonl`` holds.
"""

import dataclasses
import json
from pathlib import Path

import pytest

from crossover.api import load_study
from crossover.config import parse_study
from crossover.errors import CrossoverError, InputError
from crossover.study.runner import run_study
from crossover.train.arms import parse_arm
from crossover.train.tracking import RunTracking, check_trackers, parse_report_to, run_label


@pytest.fixture(scope="module")
def smoke_config():
    return load_study(preset="smoke")


def test_report_to_reads_as_trl_spells_it():
    assert parse_report_to(None) == ()
    assert parse_report_to("none") == ()
    assert parse_report_to("tensorboard") == ("tensorboard",)
    assert parse_report_to("tensorboard, wandb") == ("tensorboard", "wandb")
    assert parse_report_to(["wandb", "tensorboard", "wandb"]) == ("wandb", "tensorboard")
    with pytest.raises(CrossoverError, match="unknown tracker.*'mlfow'.*known: none, tensorboard, wandb"):
        parse_report_to("mlfow")
    with pytest.raises(CrossoverError, match="'none' cannot be combined"):
        parse_report_to("none,tensorboard")


def test_an_unknown_tracker_in_a_study_file_names_file_line_and_field():
    text = '[study]\nname = "t"\narms = ["sft(8)"]\nreport_to = ["tensorboard", "tensorbored"]\n'
    with pytest.raises(InputError) as info:
        parse_study(text, "t.toml")
    assert "t.toml:4: field 'study.report_to': unknown tracker(s) 'tensorbored'" in str(info.value)
    assert parse_study(text.replace("tensorbored", "wandb")).report_to == ("tensorboard", "wandb")
    assert parse_study(text.replace('["tensorboard", "tensorbored"]', '"none"')).report_to == ()


def test_an_uninstalled_tracker_stops_the_study_before_anything_is_written(smoke_config, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "wandb" else real(name, *a))
    with pytest.raises(CrossoverError, match=r"report_to wandb: not installed here \(pip install wandb\)"):
        check_trackers(("tensorboard", "wandb"))
    with pytest.raises(CrossoverError, match="not installed"):
        run_study(dataclasses.replace(smoke_config, report_to=("wandb",)), tmp_path / "s", progress=False,
                  log=lambda _: None)
    assert not (tmp_path / "s").exists()


def test_a_stage_is_named_by_its_run_and_arm():
    tracking = RunTracking(("tensorboard",), "abc123", run_label("sft(16)>dpo(16)", 0, "clean", "abc123"))
    stage = tracking.stage(Path("/r"), 2, "dpo")
    assert stage.run_name == "sft(16)>dpo(16) seed 0 clean [abc123] stage 2 dpo"
    assert stage.logging_dir("tensorboard") == Path("/r/tensorboard/stage2-dpo")
    assert RunTracking((), "abc123", "x").stage(Path("/r"), 1, "sft") is None


def test_each_trained_stage_writes_its_loss_curve_to_tensorboard(smoke_config, tmp_path, one_thread):
    pytest.importorskip("tensorboard", reason="tensorboard is not installed (it is in the dev extra)")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    arm = parse_arm("sft(32, batch_size=8)>dpo(16, batch_size=4)")  # 4 optimiser steps per stage
    study = dataclasses.replace(smoke_config, arms=(arm,), crossover=None, report_to=("tensorboard",))
    outcome = run_study(study, tmp_path / "tb", progress=False, log=lambda _: None)
    assert not outcome.failures
    run_dir = tmp_path / "tb" / "runs" / outcome.runs[0].run_id
    log = [json.loads(line) for line in (run_dir / "train_log.jsonl").read_text().splitlines()]
    for k, method in ((1, "sft"), (2, "dpo")):
        folder = run_dir / "tensorboard" / f"stage{k}-{method}"
        assert len(list(folder.glob("events.out.tfevents.*"))) == 1, f"one tracker run per stage: {folder}"
        events = EventAccumulator(str(folder))
        events.Reload()
        scalars = events.Tags()["scalars"]
        assert "train/loss" in scalars and "train/learning_rate" in scalars
        if method == "dpo":
            assert {"train/rewards/margins", "train/logps/chosen", "train/logps/rejected"} <= set(scalars)
        curve = [(e.step, e.value) for e in events.Scalars("train/loss")]
        print(f"{folder.relative_to(tmp_path)}: {len(curve)} steps of train/loss; scalars: {', '.join(scalars)}")
        logged = [(row["step"], row["loss"]) for row in log if row["stage"] == k and "loss" in row]
        assert [s for s, _ in curve] == [1, 2, 3, 4] == [s for s, _ in logged]
        assert [v for _, v in curve] == pytest.approx([v for _, v in logged], rel=1e-6)
        assert f"[{outcome.runs[0].run_id}] stage {k} {method}" in events.Tensors("args/text_summary")[0] \
            .tensor_proto.string_val[0].decode()
