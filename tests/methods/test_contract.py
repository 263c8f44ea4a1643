"""Every registered method trains the shipped base a few steps: the weights move and every logged loss is finite."""

import dataclasses
import json
import math

import pytest

from crossover.data.sources import WorldSource
from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.callbacks import JsonlLog, NonFiniteLossGuard
from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base

FEW_STEPS = {"epochs": 1.0, "batch_size": 8, "learning_rate": 1e-3}


def few_step_settings(name):
    settings = METHODS[name].settings()
    extra = {"num_generations": 4, "max_completion_length": 16} if hasattr(settings, "num_generations") else {}
    return dataclasses.replace(settings, **FEW_STEPS, **extra)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_trains_the_shipped_base(name, kb, tmp_path):
    method, base = METHODS[name], resolve_base("default")
    model, tokenizer = load_model(base.path), load_tokenizer(base.path)
    source, annotator = WorldSource(kb), PRESETS["length"]
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    log = tmp_path / "log.jsonl"
    settings = few_step_settings(name)
    inputs = StageInputs(
        model=model, reference=load_model(base.path) if method.uses_reference(settings) else None, tokenizer=tokenizer,
        rows=source.rows(method.data, 8 if method.online else 16, 0, annotator), settings=settings,
        output_dir=tmp_path / "out", seed=0, callbacks=[JsonlLog(log, 1, name), NonFiniteLossGuard(name)],
        scorer=source.scorer(annotator) if method.online else None)
    assert not inputs.settings.problems()
    trainer = method.build_trainer(inputs)
    trainer.train()

    losses = [row["loss"] for row in map(json.loads, log.read_text().splitlines()) if "loss" in row]
    assert len(losses) >= 2 and all(math.isfinite(x) for x in losses)
    trained = dict(trainer.accelerator.unwrap_model(trainer.model).named_parameters())
    # Embedding rows of words absent from the batch get no gradient; every other tensor must have moved.
    unmoved = [n for n, p in trained.items() if "embed_tokens" not in n and (p.detach() - before[n]).abs().max() == 0]
    assert not unmoved


@pytest.mark.parametrize("name", sorted(METHODS))
def test_capabilities_are_consistent(name):
    method = METHODS[name]
    assert method.data in ("demonstrations", "pairs", "unpaired", "prompts")
    assert method.online == (method.data == "prompts")  # the world's online data is prompts plus a scorer
    assert not method.settings().problems(), "the default settings must be usable"
