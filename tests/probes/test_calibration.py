"""Every probe separates a good policy from a bad one, graded through the real probe pipeline."""

import math

from crossover.probes import describe
from crossover.probes.calibration import separation_table
from crossover.probes.run import ProbeSettings
from crossover.world.annotator import PRESETS

SKIP = {("ood", "gap")}
"""A gap between two scripted policies that ignore the split is noise around zero, not a behaviour."""


def test_best_beats_bad_on_every_oriented_metric(kb):
    """At least as good on every oriented metric, strictly better on each probe's utility."""
    table = separation_table(kb, ProbeSettings(items=24, ood_items=8, judges=(PRESETS["clean"],)))
    strict = 0
    for (probe, metric), row in table.iterrows():
        info = describe(probe, metric)
        if info is None or info.higher_is_better is None or (probe, metric) in SKIP or probe in ("diversity",
                                                                                               "selfreport", "length"):
            continue
        best, bad = row["best"], row["bad"]
        assert not math.isnan(best) and not math.isnan(bad), (probe, metric)
        gain = (best - bad) if info.higher_is_better else (bad - best)
        assert gain >= 0, (probe, metric, best, bad)
        if metric in ("utility", "gold", "win_rate:clean"):
            assert gain > 0.5, (probe, metric, best, bad)
            strict += 1
    assert strict >= 13
    assert table.loc[("satisfaction", "gold"), "demonstrator"] > 0.8 > 0.1 > table.loc[("satisfaction", "gold"), "bad"]
    # the polite average leaves room above it where style matters
    assert table.loc[("style", "utility"), "demonstrator"] < table.loc[("style", "utility"), "best"] - 0.3
