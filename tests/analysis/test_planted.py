"""Planted answers in synthetic study directories are recovered: breakeven ratio, crossover budget, nulls."""

import math

import numpy as np
import pytest

from crossover.analysis.summary import analyze
from crossover.analysis.bootstrap import BootstrapSettings
from tests.analysis.fake_study import FakeStudy, Plan, write

FAST = BootstrapSettings(draws=1000)


def _figure(analysis, probe="knowledge", metric="accuracy", annotator="typical"):
    return next(f for f in analysis.breakeven if (f.probe, f.metric, f.annotator) == (probe, metric, annotator))


def test_planted_breakeven_ratio_is_recovered(tmp_path):
    """SFT(400) -> +400 SFT: accuracy +0.12; +100 pairs: +0.09, so one pair is worth r* = (0.09/100)/(0.12/400) = 3."""
    plans = [Plan("base", {"correct": 0.30}), Plan("sft(400)", {"correct": 0.40}),
             Plan("sft(800)", {"correct": 0.52}), Plan("sft(400)>dpo(100)", {"correct": 0.49}, "typical")]
    root = write(FakeStudy(tmp_path, plans, seeds=(0, 1, 2, 3), items=2000, probes=("knowledge",),
                           crossover={"n0": 400, "n": 400, "m": 100, "method": "dpo"}, seed_sd=0.01))
    f = _figure(analyze(root, settings=FAST))
    assert f.ratio_status == "bounded" and f.ratio_lo <= 3.0 <= f.ratio_hi
    assert abs(f.breakeven_ratio - 3.0) / 3.0 < 0.3, f.breakeven_ratio
    assert f.d_sft_verdict == "increase" and f.d_pref_verdict == "increase"
    assert f.resampled == "seeds+items" and f.n_items == 2000 and f.n_seeds == 4
    assert f.decision == "pairs pay"  # at price parity a pair worth ~3 examples pays


def test_the_decision_follows_the_prices(tmp_path):
    plans = [Plan("sft(400)", {"correct": 0.40}), Plan("sft(800)", {"correct": 0.52}),
             Plan("sft(400)>dpo(100)", {"correct": 0.49}, "typical")]
    root = write(FakeStudy(tmp_path, plans, seeds=(0, 1, 2, 3), items=300, probes=("knowledge",),
                           crossover={"n0": 400, "n": 400, "m": 100, "method": "dpo"}, cost={"price_pair": 2.0}))
    assert _figure(analyze(root, settings=FAST)).price_ratio == pytest.approx(2.0)  # from the study's [cost]
    priced = _figure(analyze(root, cost={"price_pair": 10.0}, settings=FAST))  # the command line wins
    assert priced.price_ratio == pytest.approx(10.0) and priced.decision == "more SFT pays"
    assert _figure(analyze(root, cost={"price_pair": 0.5}, settings=FAST)).decision == "pairs pay"


def test_planted_null_reads_no_detectable_difference_and_r_star_undefined(tmp_path):
    same = {"correct": 0.6, "cave": 0.2, "update": 0.5}
    plans = [Plan("sft(100)", same), Plan("sft(200)", same), Plan("sft(100)>dpo(100)", same, "typical")]
    root = write(FakeStudy(tmp_path, plans, crossover={"n0": 100, "n": 100, "m": 100, "method": "dpo"}, rng_seed=3))
    f = _figure(analyze(root, settings=FAST))
    assert f.d_pref_verdict == "no detectable difference" and f.d_sft_verdict == "no detectable difference"
    assert f.ratio_status == "unbounded" and f.pairs_pay_below == 0 and math.isinf(f.sft_pays_above)
    assert "undecided at every price" in f.words() and f.decision == "no detectable difference"


def test_sft_that_does_not_help_gives_an_unbounded_ratio_with_a_lower_bound(tmp_path):
    plans = [Plan("sft(100)", {"correct": 0.4}), Plan("sft(200)", {"correct": 0.41}),
             Plan("sft(100)>dpo(100)", {"correct": 0.7}, "typical")]
    root = write(FakeStudy(tmp_path, plans, items=400, probes=("knowledge",),
                           crossover={"n0": 100, "n": 100, "m": 100, "method": "dpo"}, rng_seed=4))
    f = _figure(analyze(root, settings=FAST))
    assert f.d_pref_verdict == "increase" and f.d_sft_verdict == "no detectable difference"
    assert f.ratio_status == "no upper bound" and math.isinf(f.ratio_hi) and f.ratio_lo > 1
    assert f.pairs_pay_below == pytest.approx(f.ratio_lo) and math.isinf(f.sft_pays_above)
    assert f"pairs pay when a pair costs less than {f.ratio_lo:.3g} SFT examples; undecided above" in f.words()


def test_planted_crossover_budget_is_recovered(tmp_path):
    """All-SFT accuracy is 0.2 + 0.05 log(1 + n); a split SFT(500) + m pairs at price 2 costs C = 500 + 2m and
    scores 0.1 log(C / 1500) above all-SFT at the same cost, so the best allocation stops being all-SFT at 1500."""
    def sft(n):
        return 0.2 + 0.05 * math.log1p(n)

    plans = [Plan("base", {"correct": sft(0)})]
    plans += [Plan(f"sft({n})", {"correct": sft(n)}) for n in (250, 500, 1000, 2000, 4000, 8000)]
    for m in (100, 300, 900, 2700):
        cost = 500 + 2 * m
        plans.append(Plan(f"sft(500)>dpo({m})", {"correct": sft(cost) + 0.1 * math.log(cost / 1500)}, "typical"))
    root = write(FakeStudy(tmp_path, plans, seeds=(0, 1, 2, 3), items=1000, probes=("knowledge",),
                           cost={"price_sft": 1.0, "price_pair": 2.0}, rng_seed=5, seed_sd=0.005))
    analysis = analyze(root, settings=FAST)
    budgets = analysis.tables["crossover_budget"]
    row = budgets[(budgets.metric == "accuracy") & (budgets.probe == "knowledge")].iloc[0]
    assert row.status == "crossover" and abs(math.log(row.crossover_budget / 1500)) < math.log(1.4), row.crossover_budget
    assert row.crossover_budget_lo <= 1500 <= row.crossover_budget_hi
    alloc = analysis.tables["allocations"]
    acc = alloc[(alloc.probe == "knowledge") & (alloc.metric == "accuracy")].set_index("arm")
    assert acc.loc["sft(500)>dpo(100)", "decision"] == "all-SFT better"
    assert acc.loc["sft(500)>dpo(2700)", "decision"] == "mixed allocation better"
    assert acc.loc["sft(500)>dpo(2700)", "advantage"] == pytest.approx(0.1 * math.log(5900 / 1500), abs=0.04)


@pytest.mark.slow
def test_planted_null_rate_through_the_whole_analysis(tmp_path):
    """80 synthetic studies with no effect at all (3 seeds x 64 items): d_pref reads 'no detectable difference'
    in 95% of them, within three binomial standard errors (2.4 points each)."""
    same = {"correct": 0.6}
    calls = 0
    for k in range(80):
        plans = [Plan("sft(100)", same), Plan("sft(200)", same), Plan("sft(100)>dpo(100)", same, "typical")]
        root = write(FakeStudy(tmp_path / f"s{k}", plans, probes=("knowledge",), rng_seed=100 + k, seed_sd=0.03,
                               crossover={"n0": 100, "n": 100, "m": 100, "method": "dpo"}))
        f = _figure(analyze(root, settings=BootstrapSettings(draws=1000, seed=k)))
        calls += f.d_pref_verdict == "no detectable difference"
    assert abs(calls / 80 - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / 80)
