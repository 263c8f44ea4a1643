"""Hand-checked pieces: the r* confidence set, the crossover-budget rule, item linearisation, the over-optimisation fit."""

import math

import numpy as np
import pytest

from crossover.analysis.allocation import crossover_budget
from crossover.analysis.breakeven import ratio_confidence_set
from crossover.analysis.items import pooled, stratified
from crossover.analysis.overoptimisation import fit


def _draws(mean, sd, n=4000, seed=0):
    return np.random.default_rng(seed).normal(mean, sd, n)


def test_ratio_set_is_bounded_when_the_denominator_is_clearly_nonzero():
    a, c = _draws(1.0, 0.05, seed=1), _draws(0.5, 0.025, seed=2)
    rset = ratio_confidence_set(a, c, 2.0, 0.95)
    assert rset.status == "bounded" and rset.lo < 2.0 < rset.hi
    # delta method: sd of a/c ~ 2 * sqrt(0.05^2 + 0.05^2) = 0.141, so the set is about 2 +- 0.28
    assert rset.lo == pytest.approx(2 - 1.96 * 0.1414, abs=0.05) and rset.hi == pytest.approx(2 + 1.96 * 0.1414, abs=0.06)


def test_ratio_set_is_a_ray_when_the_denominator_covers_zero():
    a, c = _draws(1.0, 0.05, seed=3), _draws(0.05, 0.1, seed=4)
    rset = ratio_confidence_set(a, c, 20.0, 0.95)
    assert rset.status == "no upper bound" and math.isinf(rset.hi)
    # the lower bound is where a - rho c first covers zero: about 0.9 / 0.25 = 3.6
    assert 2.5 < rset.lo < 5.5


def test_ratio_set_is_unbounded_when_nothing_is_detectable():
    rset = ratio_confidence_set(_draws(0.0, 0.1, seed=5), _draws(0.0, 0.1, seed=6), None, 0.95)
    assert rset.status == "unbounded"


def test_crossover_budget_rule():
    costs = np.array([100.0, 200.0, 400.0, 800.0])
    adv = np.array([
        [-2.0, -1.0, 1.0, 2.0],    # turns positive between 200 and 400, half way in log cost
        [-1.0, -1.0, -1.0, -0.5],  # never: beyond the grid
        [1.0, 2.0, 3.0, 4.0],      # always: below the grid
        [1.0, -1.0, 3.0, 4.0],     # the last turn counts: between 200 and 400 at a quarter
    ])
    out = crossover_budget(costs, adv)
    assert out[0] == pytest.approx(200 * 2 ** 0.5)
    assert out[1] == math.inf and out[2] == -math.inf
    assert out[3] == pytest.approx(200 * 2 ** 0.25)


def test_linearised_contributions_reproduce_the_metric():
    y = np.array([1.0, 0.0, np.nan, 1.0])  # a rate over the three items in its subset
    theta, u = pooled(y, np.array(["f"] * 4))
    assert theta == pytest.approx(2 / 3) and u.mean() == pytest.approx(theta)
    # influence of a ratio mean: theta + (I / n)(y - theta) inside the subset, theta outside
    assert u.tolist() == pytest.approx([2 / 3 + 4 / 3 * (1 / 3), 2 / 3 - 4 / 3 * (2 / 3), 2 / 3, 2 / 3 + 4 / 9])
    y = np.array([1.0, 0.0, 0.5, 0.5, 0.5, 1.0])
    strata = np.array(["a", "a", "b", "b", "b", "b"])
    theta, u = stratified(y, strata)
    assert theta == pytest.approx((0.5 + 0.625) / 2) and u.mean() == pytest.approx(theta)


def test_gao_forms_are_recovered_from_noisy_points():
    rng = np.random.default_rng(0)
    d = np.linspace(0.2, 4.0, 12)
    y = d * (0.5 - 0.1 * d) + rng.normal(0, 0.01, d.size)
    bon = fit(d, y, "best_of_n", 0.95)
    assert bon["alpha"] == pytest.approx(0.5, abs=0.03) and bon["beta"] == pytest.approx(0.1, abs=0.01)
    assert bon["alpha_lo"] < 0.5 < bon["alpha_hi"] and bon["peak_sqrt_kl"] == pytest.approx(2.5, rel=0.1)
    y = d * (0.3 - 0.2 * np.log(d)) + rng.normal(0, 0.01, d.size)
    rl = fit(d, y, "rl", 0.95)
    assert rl["alpha"] == pytest.approx(0.3, abs=0.03) and rl["beta"] == pytest.approx(0.2, abs=0.02)
    assert rl["peak_sqrt_kl"] == pytest.approx(math.exp(0.3 / 0.2 - 1), rel=0.15)
