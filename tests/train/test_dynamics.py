"""The training-dynamics callback: its KL estimate, and that watching never changes what is trained."""

import dataclasses
import json

import torch

from crossover.data.sources import WorldSource
from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.dynamics import DynamicsSettings, TrainingDynamics, sampled_kl
from crossover.world.bases import resolve_base


def test_kl_estimate_is_zero_against_itself_and_positive_after_a_change(kb):
    base = resolve_base("default")
    policy, reference, tokenizer = load_model(base.path), load_model(base.path), load_tokenizer(base.path)
    prompts = WorldSource(kb).watch_prompts(6)
    torch.manual_seed(0)
    same, words = sampled_kl(policy, reference, tokenizer, prompts, 16)
    assert max(abs(x) for x in same) < 1e-5 and all(0 <= w <= 16 for w in words)
    with torch.no_grad():
        # Flatter next-token distributions: sharpening would barely move a reply the base is already sure of
        # (a one-word reply to a prompt it reads as finished: KL 0.001 on the default base)
        policy.lm_head.weight.mul_(0.5)
    moved, _ = sampled_kl(policy, reference, tokenizer, prompts, 16)
    assert all(x > 0.01 for x in moved)


def train_sft(kb, tmp_path, callbacks):
    base = resolve_base("default")
    model = load_model(base.path)
    settings = dataclasses.replace(METHODS["sft"].settings(), epochs=1.0, batch_size=4)
    inputs = StageInputs(model=model, reference=None, tokenizer=load_tokenizer(base.path),
                         rows=WorldSource(kb).rows("demonstrations", 8, 0, None), settings=settings,
                         output_dir=tmp_path / "out", seed=0, callbacks=callbacks)
    METHODS["sft"].build_trainer(inputs).train()
    return model


def test_watching_logs_step_zero_and_the_end_and_leaves_training_unchanged(kb, tmp_path):
    base = resolve_base("default")
    log = tmp_path / "log.jsonl"
    watch = TrainingDynamics(load_model(base.path), load_tokenizer(base.path), WorldSource(kb).watch_prompts(4),
                             log, 1, "sft", DynamicsSettings(prompts=4, points=2, max_new_tokens=12), seed=0)
    watched = train_sft(kb, tmp_path, [watch])
    unwatched = train_sft(kb, tmp_path, [])
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]  # 2 steps, measured at 0 and at 1/2 and 2/2 of them
    assert rows[0]["watch/kl"] == 0.0 and rows[-1]["watch/kl"] > 0
    for (name, a), b in zip(watched.named_parameters(), unwatched.parameters(), strict=True):
        assert torch.equal(a, b), name
