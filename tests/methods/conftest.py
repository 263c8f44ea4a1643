"""Shared by the loss tests: one batch of wind-tunnel pairs, and the first-batch loss of any pairwise method on it.

The policy is the base with fixed noise added and the reference is the base, so the log-ratios are not zero (at zero
every sigmoid-shaped loss would read log 2 whatever its formula).
"""

import dataclasses

import pytest
import torch

from crossover.data.sources import WorldSource
from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
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
    """Loss and logged metrics of method ``name`` on the first 8 rows, policy perturbed, reference the base."""
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


@pytest.fixture(scope="session")
def pairs(kb):
    return WorldSource(kb).rows("pairs", 8, 0, PRESETS["length"])


@pytest.fixture(scope="session")
def batch_loss():
    return first_batch_loss


@pytest.fixture(scope="session")
def trl_sigmoid(pairs, tmp_path_factory):
    """TRL's own sigmoid DPO loss and metrics on the batch."""
    return first_batch_loss("dpo", pairs, tmp_path_factory.mktemp("trl"), loss_type="sigmoid")
