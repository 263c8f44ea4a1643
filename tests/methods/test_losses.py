"""Hand-computed values for the losses crossover adds to TRL (R-DPO, DPO-Positive, intervention consistency).

Every number below was worked out on paper from the equation in the loss's docstring:
softplus(-z) = -log sigmoid(z), e.g. -log sigmoid(0.7) = log(1 + e^-0.7) = 0.403186.
"""

import math

import torch

from crossover.methods.dpop import dpop_loss
from crossover.methods.icr import icr_loss, intervention_consistency
from crossover.methods.pair_loss import PairLogps
from crossover.methods.rdpo import rdpo_loss


def pair(chosen, rejected, ref_chosen, ref_rejected, chosen_length=(1.0, 1.0), rejected_length=(1.0, 1.0)):
    t = lambda xs: torch.tensor(xs, dtype=torch.float32)  # noqa: E731
    return PairLogps(t(chosen), t(rejected), t(ref_chosen), t(ref_rejected), t(chosen_length), t(rejected_length))


# Two pairs: log-ratios (chosen, rejected) = (+2, -1) and (-1, -2).
PAIRS = pair(chosen=[-10.0, -13.0], rejected=[-8.0, -9.0], ref_chosen=[-12.0, -12.0], ref_rejected=[-7.0, -7.0],
             chosen_length=[5.0, 3.0], rejected_length=[3.0, 5.0])


def test_rdpo_adds_the_length_difference_inside_the_logit():
    # pair 1: 0.1*2 - 0.1*(-1) + 0.2*(5-3) = 0.7;  pair 2: 0.1*(-1) - 0.1*(-2) + 0.2*(3-5) = -0.3
    out = rdpo_loss(PAIRS, beta=0.1, alpha=0.2)
    expected = [0.4031860, math.log1p(math.exp(0.3))]  # log(1 + e^0.3) = 0.854355
    assert torch.allclose(out.losses, torch.tensor(expected), atol=1e-6)
    assert torch.allclose(out.chosen_rewards, torch.tensor([0.2, -0.1]))
    assert torch.allclose(out.rejected_rewards, torch.tensor([-0.1, -0.2]))


def test_rdpo_with_alpha_zero_is_the_dpo_sigmoid_loss():
    # logits 0.1*(2+1) = 0.3 and 0.1*(-1+2) = 0.1
    out = rdpo_loss(PAIRS, beta=0.1, alpha=0.0)
    assert torch.allclose(out.losses, torch.tensor([0.5543552, math.log1p(math.exp(-0.1))]), atol=1e-6)


def test_dpop_penalises_only_a_chosen_reply_that_lost_likelihood():
    # pair 1: chosen gained (-10 > -12), no penalty: 0.1*(2+1) = 0.3
    # pair 2: chosen lost 1 nat (-13 < -12): 0.1*((-1) - (-2) - 5*1) = -0.4
    out = dpop_loss(PAIRS, beta=0.1, lam=5.0)
    assert torch.allclose(out.losses, torch.tensor([0.5543552, 0.9130153]), atol=1e-6)
    assert torch.allclose(dpop_loss(PAIRS, beta=0.1, lam=0.0).losses, rdpo_loss(PAIRS, beta=0.1, alpha=0.0).losses)


def test_dpop_gradient_pushes_the_chosen_log_prob_up_harder():
    chosen = torch.tensor([-13.0], requires_grad=True)
    p = PairLogps(chosen, torch.tensor([-9.0]), torch.tensor([-12.0]), torch.tensor([-7.0]), torch.ones(1),
                  torch.ones(1))
    dpop_loss(p, beta=0.1, lam=5.0).losses.sum().backward()
    with_penalty = chosen.grad.item()
    chosen.grad = None
    dpop_loss(p, beta=0.1, lam=0.0).losses.sum().backward()
    # d/dchosen of -log sigmoid(z): -(1 - sigmoid(z)) * dz; dz = 0.1*(1 + 5) with the penalty, 0.1 without
    assert math.isclose(with_penalty, -(1 - 1 / (1 + math.exp(0.4))) * 0.6, rel_tol=1e-5)
    assert math.isclose(chosen.grad.item(), -(1 - 1 / (1 + math.exp(-0.1))) * 0.1, rel_tol=1e-5)


def test_intervention_consistency_is_the_masked_kl_to_the_counterfactual():
    # row 0, position 0: KL([.5,.5] || [.25,.75]) = .5 ln 2 + .5 ln(2/3) = 0.1438410; position 1 is masked out
    # row 1: identical distributions, KL 0
    p = torch.tensor([[[0.5, 0.5], [0.9, 0.1]], [[0.3, 0.7], [0.6, 0.4]]]).log()
    q = torch.tensor([[[0.25, 0.75], [0.1, 0.9]], [[0.3, 0.7], [0.6, 0.4]]]).log()
    mask = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert torch.allclose(intervention_consistency(p, q, mask), torch.tensor([0.1438410, 0.0]), atol=1e-6)


def test_no_gradient_flows_through_the_counterfactual_side():
    p = torch.tensor([[[0.5, 0.5]]]).log().requires_grad_()
    q = torch.tensor([[[0.25, 0.75]]]).log().requires_grad_()
    intervention_consistency(p, q, torch.ones(1, 1)).sum().backward()
    assert q.grad is None and p.grad is not None


def test_icr_adds_the_weighted_consistency_only_where_a_counterfactual_exists():
    one = pair(chosen=[-10.0, -10.0], rejected=[-8.0, -8.0], ref_chosen=[-12.0, -12.0], ref_rejected=[-7.0, -7.0])
    consistency = torch.tensor([0.1438410, 0.1438410])
    out = icr_loss(one, consistency, torch.tensor([True, False]), beta=0.1, lam=0.1)
    # DPO term 0.5543552 for both; only the first gets 0.1 * 0.1438410
    assert torch.allclose(out.losses, torch.tensor([0.5687393, 0.5543552]), atol=1e-6)
