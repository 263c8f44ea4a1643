"""Hand-checked pieces: the r* confidence set, the crossover-budget rule, item linearisation, the over-optimisation fit."""

import math

import numpy as np
import pytest

from crossover.analysis.allocation import crossover_budget
from crossover.analysis.bootstrap import SEEDS_ONLY, Family, Multipliers, Table, combine, estimate
from crossover.analysis.breakeven import price_ranges, price_words, ratio_set
from crossover.analysis.items import pooled, stratified
from crossover.analysis.overoptimisation import fit


def _family(a: float, se_a: float, c: float, se_c: float, seeds: int = 400) -> Family:
    """Seeds-only tables of d_pref and d_sft with means a, c and standard errors se_a, se_c (exactly)."""
    rng = np.random.default_rng(0)
    def table(mean, se):
        z = rng.standard_normal(seeds)
        z = (z - z.mean()) / z.std(ddof=1)
        return Table((mean + se * math.sqrt(seeds) * z)[:, None], tuple(range(seeds)), (SEEDS_ONLY,))
    return Family([table(a, se_a), table(c, se_c)])


def _shape(ranges):
    return [r.verdict for r in ranges]


def test_price_ranges_are_bounded_when_both_gains_are_clear():
    ranges = price_ranges(_family(1.0, 0.05, 0.5, 0.025), 1.0, 1, 1, 0.95)
    assert _shape(ranges) == ["pairs pay", "undecided", "more SFT pays"]
    lo, hi, status = ratio_set(ranges)
    assert status == "bounded" and lo < 2.0 < hi
    # delta method: sd of a/c ~ 2 * sqrt(0.05^2 + 0.05^2) = 0.141, so the set is about 2 +- 0.28
    assert lo == pytest.approx(2 - 1.96 * 0.1414, abs=0.05) and hi == pytest.approx(2 + 1.96 * 0.1414, abs=0.06)
    assert price_words(ranges, 2.0).startswith(f"pairs pay when a pair costs less than {lo:.3g} SFT examples; "
                                               f"undecided between {lo:.3g} and {hi:.3g}; more SFT pays above")


def test_price_ranges_are_a_ray_when_more_sft_shows_no_gain():
    ranges = price_ranges(_family(1.0, 0.05, 0.05, 0.1), 1.0, 1, 1, 0.95)
    assert _shape(ranges) == ["pairs pay", "undecided"]
    lo, hi, status = ratio_set(ranges)
    assert status == "no upper bound" and math.isinf(hi) and 2.5 < lo < 5.5  # about 0.9 / 0.25 = 3.6


def test_both_pieces_of_a_two_ray_set_are_reported():
    """Neither change is detectable alone (z = 1.67 and -1.83), but at prices near 1 their combination is: the
    undecided set is two rays, [0, L] and [U, inf), and both are reported, with prices never negative."""
    ranges = price_ranges(_family(0.5, 0.3, -0.55, 0.3), 1.0, 1, 1, 0.95)
    assert _shape(ranges) == ["undecided", "pairs pay", "undecided"]
    assert ranges[0].lo == 0 and 0 < ranges[0].hi < 1 < ranges[1].hi < math.inf
    assert ratio_set(ranges)[2] == "two pieces"
    assert price_words(ranges).startswith("undecided below")


def test_price_ranges_when_nothing_is_detectable_and_orientation():
    assert _shape(price_ranges(_family(0.0, 0.1, 0.0, 0.1), 1.0, 1, 1, 0.95)) == ["undecided"]
    # a metric where lower is better: pairs that lower it pay, whatever the price when more SFT raises it
    ranges = price_ranges(_family(-1.0, 0.05, 0.5, 0.05), -1.0, 1, 1, 0.95)
    assert _shape(ranges) == ["pairs pay"] and price_words(ranges) == "pairs pay at every price"


def test_the_family_test_is_the_estimate_of_the_combined_table():
    rng = np.random.default_rng(3)
    keys = tuple(f"i{j}" for j in range(30))
    a, b = (Table(rng.normal(size=(4, 30)) + rng.normal(size=(4, 1)), (0, 1, 2, 3), keys) for _ in range(2))
    test = Family([a, b]).test([0.7, -2.0])
    est = estimate(combine([(0.7, a), (-2.0, b)]), Multipliers())
    assert (test.point, test.se, test.df) == pytest.approx((est.point, est.se, est.df))
    assert test.interval(0.95) == pytest.approx((est.lo, est.hi))


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
