"""The planner's arithmetic at its edges: far tails of the noncentral t, and pilots that show no variation."""

import math

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


def test_a_share_is_planned_at_least_at_the_variance_its_change_brings():
    # A flip rate of 0 almost everywhere: the pilot alone would say 2 items suffice for +-0.10.
    pilot = VarianceParts(seed=0.00016, item=0.0, residual=0.0, seeds=3, items=64, df_per_seed=3.0,
                          item_records=True)
    floored = pilot.with_share_floor(0.01, 0.10)
    assert floored.item + floored.residual == 0.01 * 0.99 + 0.11 * 0.89
    assert floored.power(0.10, 3, 2, 0.95) < 0.5 < floored.power(0.10, 3, 64, 0.95)
    noisy = VarianceParts(seed=0.0, item=0.1, residual=0.4, seeds=3, items=64, df_per_seed=3.0, item_records=True)
    assert noisy.with_share_floor(0.5, 0.1) is noisy  # the pilot's own variance is already larger
    assert pilot.with_share_floor(0.0, 0.05).residual == 0.05 * 0.95  # all zero: planned at the alternative
