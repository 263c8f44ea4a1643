"""Gradient accumulation is invariant: one batch of 8 and two accumulated micro-batches of 4 give the same update.

The accumulated gradient is compared where the optimizer receives it (after clipping), not the weights after the
step: Adam's first step moves every weight by about ``lr * sign(g)``, so a gradient off by a constant factor (a loss
averaged per micro-batch instead of per token, the classic accumulation bug) would hide in the weights, while
elements whose gradient is near Adam's epsilon move by amounts that float rounding of ``g`` alone changes.
"""

import dataclasses

import pytest
import torch
from transformers import TrainerCallback

from crossover.data.sources import WorldSource
from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base


class GradientAtStep(TrainerCallback):
    """Every parameter's gradient as the optimizer is about to step (accumulated and clipped)."""

    def __init__(self):
        self.grads: dict[str, torch.Tensor] = {}

    def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
        self.grads = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}


def one_update(name: str, rows: list[dict], tmp_path, batch_size: int, accumulation: int, monkeypatch):
    """The gradient of one optimizer step of method ``name`` on ``rows``, by parameter name."""
    module = METHODS[name].build_trainer.__module__
    plain = __import__(module, fromlist=["common_arguments"]).common_arguments
    monkeypatch.setattr(f"{module}.common_arguments",
                        lambda inputs: {**plain(inputs), "gradient_accumulation_steps": accumulation})
    base = resolve_base("default")
    method = METHODS[name]
    settings = dataclasses.replace(method.settings(), batch_size=batch_size, epochs=1.0, learning_rate=1e-3)
    probe = GradientAtStep()
    inputs = StageInputs(model=load_model(base.path), tokenizer=load_tokenizer(base.path), rows=rows,
                         reference=load_model(base.path) if method.uses_reference(settings) else None, settings=settings,
                         output_dir=tmp_path / f"{name}-{batch_size}x{accumulation}", seed=0, callbacks=[probe])
    trainer = method.build_trainer(inputs)
    trainer.train()
    assert trainer.state.global_step == 1
    return probe.grads


@pytest.mark.parametrize("name, kind", [("sft", "demonstrations"), ("dpo", "pairs")])
def test_batch_8_and_two_accumulated_batches_of_4_give_the_same_update(name, kind, kb, tmp_path, monkeypatch):
    rows = WorldSource(kb).rows(kind, 8, 0, PRESETS["clean"])
    whole = one_update(name, rows, tmp_path, 8, 1, monkeypatch)
    split = one_update(name, rows, tmp_path, 4, 2, monkeypatch)
    assert whole and whole.keys() == split.keys()
    for n in whole:
        # Summation order (thread count, micro-batch split) moves near-zero elements by rounding of the largest
        # ones, so the absolute slack scales with the tensor; a per-micro-batch normalisation bug is a factor ~2.
        scale = whole[n].abs().max().item()
        torch.testing.assert_close(split[n], whole[n], rtol=1e-4, atol=max(1e-7, 1e-5 * scale), msg=n)
    assert any(g.abs().max() > 0 for g in whole.values())
