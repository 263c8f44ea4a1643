"""Reference log-probs are computed once per (starting model, pairs) and read back by every stage that shares them."""

import dataclasses

import pytest
import torch

from crossover.methods import METHODS, StageInputs
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.world.bases import resolve_base


def build(name, rows, tmp_path, cache, **settings):
    base = resolve_base("default")
    method = METHODS[name]
    inputs = StageInputs(model=load_model(base.path), reference=load_model(base.path),
                         tokenizer=load_tokenizer(base.path), rows=rows,
                         settings=dataclasses.replace(method.settings(), **{"batch_size": 4, **settings}),
                         output_dir=tmp_path / name, seed=0, callbacks=[], reference_cache=cache)
    return method.build_trainer(inputs)


def reference_columns(trainer):
    data = trainer.train_dataset
    return torch.tensor(data["ref_chosen_logps"]), torch.tensor(data["ref_rejected_logps"])


def test_a_second_method_reads_the_first_ones_reference_pass(pairs, tmp_path, monkeypatch, one_thread):
    cache = tmp_path / "cache"
    first = reference_columns(build("dpo", pairs, tmp_path, cache))
    assert len(list(cache.glob("*.safetensors"))) == 1

    def no_second_pass(*args, **kwargs):
        raise AssertionError("the reference pass ran again")

    monkeypatch.setattr("trl.DPOTrainer.compute_ref_log_probs", no_second_pass)
    for name, settings in (("dpo", {"beta": 0.3}), ("rdpo", {"alpha": 0.2}), ("dpop", {})):
        again = reference_columns(build(name, pairs, tmp_path, cache, **settings))
        assert torch.equal(again[0], first[0]) and torch.equal(again[1], first[1])


def test_other_pairs_or_batch_size_get_their_own_entry(pairs, tmp_path, one_thread):
    cache = tmp_path / "cache"
    build("dpo", pairs, tmp_path, cache)
    build("dpo", pairs[:6], tmp_path, cache)
    build("dpo", pairs, tmp_path, cache, batch_size=8)
    assert len(list(cache.glob("*.safetensors"))) == 3


def test_cached_values_equal_a_fresh_pass(pairs, tmp_path, one_thread):
    cache = tmp_path / "cache"
    build("dpo", pairs, tmp_path, cache)
    cached = reference_columns(build("dpo", pairs, tmp_path, cache))
    fresh = reference_columns(build("dpo", pairs, tmp_path, None))
    assert torch.equal(cached[0], fresh[0]) and torch.equal(cached[1], fresh[1])
    assert not torch.allclose(fresh[0], fresh[1])  # real numbers, not a column of zeros
