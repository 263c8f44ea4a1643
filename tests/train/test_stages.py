"""A stage loads one frozen copy of its starting model, whatever needs it, and GRPO's KL reference is that model."""

import json

import pytest

from crossover.data.sources import WorldData
from crossover.methods import METHODS
from crossover.models.checkpoints import load_tokenizer
from crossover.train import stages
from crossover.train.arms import parse_arm
from crossover.train.dynamics import DynamicsSettings
from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base

pytestmark = pytest.mark.usefixtures("one_thread")
QUICK = {"epochs": 1.0, "batch_size": 8, "learning_rate": 1e-3}


def run_arm(arm: str, settings, tmp_path, monkeypatch, dynamics=DynamicsSettings(prompts=2, points=1,
                                                                                  max_new_tokens=8)):
    """The arm's training log, and how many times a model was loaded from disk while training it."""
    loads = []
    plain = stages.load_model
    monkeypatch.setattr(stages, "load_model", lambda *a, **k: loads.append(a[0]) or plain(*a, **k))
    base = resolve_base("default")
    job = stages.ArmJob(parse_arm(arm), settings, 0, PRESETS["clean"], base.path, lambda k: tmp_path / f"stage{k}",
                        dynamics=dynamics)
    stages.train_arm(job, load_tokenizer(base.path), WorldData(base.world_seed).source(), tmp_path / "log.jsonl")
    return [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()], loads


def test_the_loss_reference_and_the_dynamics_reference_are_one_copy(tmp_path, monkeypatch):
    log, loads = run_arm("dpo(8)", (METHODS["dpo"].settings(**QUICK),), tmp_path, monkeypatch)
    assert len(loads) == 2  # the policy and one frozen copy of the base (not one for DPO and one for the KL watch)
    assert any(row.get("event") == "dynamics" and row["step"] == 0 and row["watch/kl"] == 0.0 for row in log)
    assert any("rewards/chosen" in row for row in log)


def test_grpo_with_a_kl_penalty_is_given_the_stage_starting_model_as_reference(tmp_path, monkeypatch):
    grpo = METHODS["grpo"]
    assert not grpo.uses_reference(grpo.settings()) and grpo.uses_reference(grpo.settings(beta=0.1))
    settings = (METHODS["sft"].settings(**QUICK),
                grpo.settings(**QUICK, beta=0.1, num_generations=4, max_completion_length=8))
    log, loads = run_arm("sft(8)>grpo(8)", settings, tmp_path, monkeypatch, DynamicsSettings(prompts=0))
    assert [str(p) for p in loads] == [str(resolve_base("default").path), str(tmp_path / "stage1")]
    kl = [row["kl"] for row in log if row.get("method") == "grpo" and "kl" in row]
    # The first step's KL is measured before any update: zero only if the reference is the SFT parent the stage
    # starts from (the base, which TRL would load from the policy's recorded path, is far from it).
    assert kl and kl[0] == pytest.approx(0.0, abs=1e-6)
