"""The pooled seed variance: hand-computed block fit, the variance of a combination, and factoring terms."""

import numpy as np
import pytest

from crossover.analysis.pooled import SeedPools, block_fit, combination_variance


def test_block_fit_by_hand():
    # two cells, three seeds: y = cell + seed + residual
    scores = {"a": {0: 1.0, 1: 2.0, 2: 6.0}, "b": {0: 3.0, 1: 3.0, 2: 6.0}}
    fit = block_fit(scores)
    # within-cell: var(a) = 7, var(b) = 3, pooled over 2 + 2 df = 5
    assert fit.within == pytest.approx(5.0) and fit.df_within == 4
    # two-way residual: differences a - b = -2, -1, 0 have variance 1 = 2 sigma_e^2, on (2-1)(3-1) = 2 df
    assert fit.residual == pytest.approx(0.5) and fit.df_residual == 2 and fit.cells == 2


def test_a_contrast_uses_the_residual_and_one_cell_the_within_variance():
    fit = block_fit({"a": {0: 1.0, 1: 2.0, 2: 6.0}, "b": {0: 3.0, 1: 3.0, 2: 6.0}})
    contrast = combination_variance(fit, 0.0, 2.0)
    assert contrast.variance == pytest.approx(2 * 0.5) and contrast.df == 2
    one = combination_variance(fit, 1.0, 1.0)
    assert one.variance == pytest.approx(5.0) and one.df == 4


def test_terms_factor_over_metrics_and_drop_fixed_cells():
    values = {("c|x", "p", "m"): {0: 1.0, 1: 2.0, 2: 4.0}, ("c|y", "p", "m"): {0: 1.5, 1: 2.0, 2: 3.0},
              ("c|x", "p", "g"): {0: 0.0, 1: 0.0, 2: 1.0}, ("c|y", "p", "g"): {0: 0.5, 1: 0.0, 2: 0.5}}
    pools = SeedPools(lambda cell, probe, metric: values.get((cell, probe, metric), {}),
                      {"c|x": False, "c|y": False, "|base": True})
    # (x - y) on m, the fixed base dropped
    got = pools(((("c|x", "p", "m"), 1.0), (("c|y", "p", "m"), -1.0), (("|base", "p", "m"), 5.0)))
    d = np.array([1.0, 2.0, 4.0]) - np.array([1.5, 2.0, 3.0])
    assert got.variance == pytest.approx(2 * d.var(ddof=1) / 2) and got.df == 2
    # (x - y) on (m - g) factors into cells x metric weights; a non-factoring combination is not pooled
    both = pools(((("c|x", "p", "m"), 1.0), (("c|y", "p", "m"), -1.0), (("c|x", "p", "g"), -1.0),
                  (("c|y", "p", "g"), 1.0)))
    d = np.array([1.0, 2.0, 3.0]) - np.array([1.0, 2.0, 2.5])  # per-seed (m - g) of x and of y
    assert both.variance == pytest.approx(d.var(ddof=1)) and both.df == 2
    assert pools(((("c|x", "p", "m"), 1.0), (("c|y", "p", "g"), -1.0))) is None
