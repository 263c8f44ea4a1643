"""Where TRL implements the same loss, our trainers agree with it on the same batch.

R-DPO with alpha = 0, DPO-Positive with lambda = 0 and ICR with lambda = 0 (or rows without a counterfactual) are
all DPO's sigmoid loss, so on one batch of wind-tunnel pairs they must give TRL's DPOTrainer loss and metrics. The
policy is the base with fixed noise added and the reference is the base, so the log-ratios are not zero (at zero
every sigmoid-shaped loss would read log 2 whatever its formula).
"""

import math

import dataclasses

import pytest
import torch

from crossover.data.sources import WorldSource
from crossover.methods import METHODS, StageInputs
from crossover.train.checkpoints import load_model, load_tokenizer
from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base

REFERENCE_SETTINGS = {"beta": 0.2, "batch_size": 8}


def perturbed(model):
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=generator))
    return model


def first_batch_loss(name, rows, tmp_path, **settings):
    base = resolve_base("default")
    method = METHODS[name]
    inputs = StageInputs(model=perturbed(load_model(base.path)), reference=load_model(base.path),
                         tokenizer=load_tokenizer(base.path), rows=rows,
                         settings=dataclasses.replace(method.settings(), **REFERENCE_SETTINGS, **settings),
                         output_dir=tmp_path / name, seed=0, callbacks=[])
    trainer = method.build_trainer(inputs)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(8)])
    trainer.model.train()
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, batch)
    metrics = {k: v[-1] for k, v in trainer._metrics["train"].items()}
    return loss.item(), metrics


@pytest.fixture(scope="module")
def pairs(kb):
    return WorldSource(kb).rows("pairs", 8, 0, PRESETS["length"])


@pytest.fixture(scope="module")
def trl_sigmoid(pairs, tmp_path_factory):
    return first_batch_loss("dpo", pairs, tmp_path_factory.mktemp("trl"), loss_type="sigmoid")


@pytest.mark.parametrize("name, settings", [("rdpo", {"alpha": 0.0}), ("dpop", {"lam": 0.0}), ("icr", {"lam": 0.0}),
                                            ("icr", {"lam": 1.0})])
def test_variant_reduces_to_trl_sigmoid_dpo(name, settings, pairs, trl_sigmoid, tmp_path):
    trl_loss, trl_metrics = trl_sigmoid
    loss, metrics = first_batch_loss(name, pairs, tmp_path, **settings)
    assert abs(trl_loss - math.log(2)) > 0.05 and abs(trl_metrics["rewards/margins"]) > 0.05
    assert loss == pytest.approx(trl_loss, abs=1e-5)
    for key in ("logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies"):
        assert metrics[key] == pytest.approx(trl_metrics[key], abs=1e-4), key


def test_rdpo_with_alpha_differs_from_dpo(pairs, trl_sigmoid, tmp_path):
    trl_loss, _ = trl_sigmoid
    loss, _ = first_batch_loss("rdpo", pairs, tmp_path, alpha=0.05)
    assert abs(loss - trl_loss) > 1e-3  # the length-biased pairs have longer chosen replies
