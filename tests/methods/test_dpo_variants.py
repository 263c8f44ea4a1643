"""TRL's DPO loss variants and weighted mixtures reach the trainer through our settings."""

import math

import pytest


@pytest.mark.parametrize("settings", [
    {"loss_type": "ipo"}, {"loss_type": "hinge"}, {"loss_type": "robust", "label_smoothing": 0.1},
    {"loss_type": "sigmoid_norm"}, {"loss_type": "apo_zero"}, {"loss_type": "exo_pair", "label_smoothing": 1e-3},
])
def test_each_variant_gives_its_own_finite_loss(settings, pairs, trl_sigmoid, batch_loss, tmp_path):
    loss, _ = batch_loss("dpo", pairs, tmp_path, **settings)
    assert math.isfinite(loss) and abs(loss - trl_sigmoid[0]) > 1e-3


def test_a_weighted_mixture_is_the_weighted_sum_of_its_parts(pairs, trl_sigmoid, batch_loss, tmp_path):
    sft, _ = batch_loss("dpo", pairs, tmp_path, loss_type="sft")
    rpo, _ = batch_loss("dpo", pairs, tmp_path, loss_type="sigmoid+sft", loss_weights="1+0.5")
    assert rpo == pytest.approx(trl_sigmoid[0] + 0.5 * sft, abs=1e-5)
