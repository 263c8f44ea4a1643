"""The benchmarks compare like with like: the plain loops' losses are the trainers' own on the same batch, and the
scripts run end to end on tiny sizes. (Their timings are never asserted.)"""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generation, train_step  # noqa: E402
from bench.common import world_rows  # noqa: E402


@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_the_plain_loop_minimises_the_trainers_loss(method, tmp_path, one_thread):
    trainer, _ = train_step.our_trainer(method, world_rows(train_step.KIND[method], 8), tmp_path)
    batch = next(iter(train_step.plain_loader(trainer, method)))
    trainer.model.train()
    with torch.no_grad():
        ours = trainer.compute_loss(trainer.model, batch)
        plain = train_step.LOSSES[method](trainer.model, batch)
    assert plain.item() == pytest.approx(ours.item(), rel=1e-4)


def test_the_plain_loop_takes_one_step_per_batch(tmp_path, one_thread):
    trainer, _ = train_step.our_trainer("sft", world_rows("demonstrations", 20), tmp_path)
    before = [p.detach().clone() for p in trainer.model.parameters()]
    steps = train_step.plain_loop(trainer.model, train_step.plain_loader(trainer, "sft"), "sft", 5e-4)
    assert steps == 2  # 20 rows in batches of 16
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.model.parameters()))


def test_generation_benchmark_runs_on_a_few_prompts(monkeypatch, capsys, one_thread):
    monkeypatch.setattr(sys, "argv", ["generation", "--prompts", "3"])
    generation.main()
    assert "3 probe prompts" in capsys.readouterr().out
