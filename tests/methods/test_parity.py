"""Where TRL implements the same loss, our trainers agree with it on the same batch.

R-DPO with alpha = 0, DPO-Positive with lambda = 0 and ICR with lambda = 0 (or rows without a counterfactual) are
all DPO's sigmoid loss, so on one batch of wind-tunnel pairs they must give TRL's DPOTrainer loss and metrics (see
conftest.py for the batch and the perturbed policy).
"""

import math

import pytest


@pytest.mark.parametrize("name, settings", [("rdpo", {"alpha": 0.0}), ("dpop", {"lam": 0.0}), ("icr", {"lam": 0.0}),
                                            ("icr", {"lam": 1.0})])
def test_variant_reduces_to_trl_sigmoid_dpo(name, settings, pairs, trl_sigmoid, batch_loss, tmp_path):
    trl_loss, trl_metrics = trl_sigmoid
    loss, metrics = batch_loss(name, pairs, tmp_path, **settings)
    assert abs(trl_loss - math.log(2)) > 0.05 and abs(trl_metrics["rewards/margins"]) > 0.05
    assert loss == pytest.approx(trl_loss, abs=1e-5)
    for key in ("logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies"):
        assert metrics[key] == pytest.approx(trl_metrics[key], abs=1e-4), key


def test_rdpo_with_alpha_differs_from_dpo(pairs, trl_sigmoid, batch_loss, tmp_path):
    loss, _ = batch_loss("rdpo", pairs, tmp_path, alpha=0.05)
    assert abs(loss - trl_sigmoid[0]) > 1e-3  # the length-biased pairs have longer chosen replies
