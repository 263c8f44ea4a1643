"""The planner's arithmetic at its edges: far tails of the noncentral t, and pilots that show no variation."""

import dataclasses
import math

import numpy as np

from crossover.analysis.power import Plan, PlanRow, VarianceParts


def test_power_is_a_probability_even_where_scipy_noncentral_t_gives_nan():
    # A precise pilot: delta/se is about 13; scipy 1.17's nct.cdf(-crit, 6, nc) is NaN there.
    parts = VarianceParts(seed=0.00016, item=0.0, residual=0.0, seeds=3, items=64, df_per_seed=3.0,
                          item_records=True)
    for delta in (0.02, 0.05, 0.1, 0.3):
        power = parts.power(delta, 3, 64, 0.95)
        assert math.isfinite(power) and 0.0 <= power <= 1.0
    assert parts.power(0.1, 3, 64, 0.95) > 0.99
    assert parts.seeds_needed(0.1, 64, 0.95) == 2


def test_a_pilot_without_variation_is_said_to_be_unplannable():
    flat = VarianceParts(seed=0.0, item=0.0, residual=0.0, seeds=3, items=64, df_per_seed=3.0, item_records=True)
    assert flat.degenerate
    row = PlanRow("typical", "refusal", "harmful_compliance", 0.05, 3, 64, flat.power(0.05, 3, 64, 0.95),
                  {1: 2}, {3: 2}, True, flat.degenerate)
    text = "\n".join(Plan("quick", 0.95, [row]).lines())
    assert "no variation in the pilot" in text and "power now" not in text and "2 seeds" not in text


def test_a_share_is_planned_with_the_variance_its_change_brings():
    # A flip rate of 0 almost everywhere: the pilot alone would say 2 items suffice for +-0.10.
    pilot = VarianceParts(seed=0.00016, item=0.0, residual=0.0, seeds=3, items=64, df_per_seed=3.0,
                          item_records=True)
    moved = pilot.with_share_change(0.01, 0.10)
    assert moved.residual == 0.11 * 0.89 - 0.01 * 0.99
    assert moved.power(0.10, 3, 2, 0.95) < 0.5 < moved.power(0.10, 3, 64, 0.95)
    paired = VarianceParts(seed=0.0, item=0.1, residual=0.05, seeds=3, items=64, df_per_seed=3.0, item_records=True)
    assert paired.with_share_change(0.5, 0.1) is paired  # at 1/2 a change adds no variance: pairing keeps its gain
    assert pilot.with_share_change(0.0, 0.05).residual == 0.05 * 0.95  # all zero: planned at the alternative


def test_a_shares_detectable_change_counts_the_variance_the_change_brings():
    from crossover.analysis.bootstrap import Estimate
    from crossover.analysis.power import share_mdc

    # 3 seeds x 64 items with no flips in either arm: se is nearly 0, yet about 0.06 is the least change 192 paired
    # observations find with 80% power when it lifts the rate from 0 (d = 3.35 sqrt(d (1 - d) / 192), t at 6 df).
    est = Estimate(point=0.0, draws=np.zeros(10), lo=-0.005, hi=0.005, se=0.0025, df=6.0, n_seeds=3, n_items=64,
                   resampled="seeds+items", p_value=1.0)
    plain, floored = est.mdc(0.95), share_mdc(est, 0.0, 0.95)
    assert plain < 0.01 and 0.05 < floored < 0.065
    wide = dataclasses.replace(est, se=0.05, lo=-0.1, hi=0.1)
    assert share_mdc(wide, 0.5, 0.95) == wide.mdc(0.95)  # a rate at 1/2: nothing added
