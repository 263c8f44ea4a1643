"""Failure flags fire on planted failures and stay quiet on a clean control; over-optimisation needs logged KL."""

import numpy as np
import pytest

from crossover.analysis.bootstrap import BootstrapSettings
from crossover.analysis.summary import analyze
from crossover.world.annotator import PRESETS, Annotator
from tests.analysis.fake_study import FakeStudy, Plan, write

FAST = BootstrapSettings(draws=1000)
PARENT = {"correct": 0.8, "cave": 0.10, "update": 0.5, "words": 8.0}


def _displaced(seed):
    rng = np.random.default_rng(seed)
    return [{"loss": 0.6, "logps/chosen": -10.0 - 4.0 * j / 19 + rng.normal(0, 0.3),
             "logps/rejected": -11.0 - 8.0 * j / 19 + rng.normal(0, 0.3)} for j in range(20)]


def _steady(seed):
    rng = np.random.default_rng(seed)
    return [{"loss": 0.6, "logps/chosen": -10.0 + rng.normal(0, 0.3), "logps/rejected": -11.0 - 3.0 * j / 19}
            for j in range(20)]


@pytest.fixture(scope="module")
def flagged(tmp_path_factory):
    plans = [
        Plan("sft(100)", PARENT),
        Plan("sft(100)>dpo(100)", PARENT, "clean", log=_steady),
        Plan("sft(100)>dpo(200)", PARENT | {"cave": 0.45, "words": 12.0}, "agreeable", log=_displaced),
    ]
    root = write(FakeStudy(tmp_path_factory.mktemp("flags"), plans, items=200, rng_seed=11, seed_sd=0.01))
    frame = analyze(root, settings=FAST).tables["flags"]
    return frame.set_index(["annotator", "flag"])


def test_planted_failures_are_flagged(flagged):
    bad = flagged.loc["agreeable"]
    assert bad.loc["sycophancy_up", "status"] == "flagged"
    assert bad.loc["sycophancy_up", "bad_change"] == pytest.approx(0.35, abs=0.08)
    # 50% longer replies whose gold does not depend on length: length exploitation
    assert bad.loc["length_exploitation", "status"] == "flagged"
    assert bad.loc["length_exploitation", "bad_change"] == pytest.approx(0.5, abs=0.1)
    assert bad.loc["length_exploitation", "secondary_lo"] <= 0
    assert bad.loc["chosen_logprob_displacement", "status"] == "flagged"
    assert bad.loc["chosen_logprob_displacement", "bad_change"] == pytest.approx(4 * 0.9, abs=1.0)
    assert bad.loc["knowledge_retention_down", "status"] == "no detectable change"


def test_the_clean_control_raises_no_flag(flagged):
    clean = flagged.loc["clean"]
    assert not (clean["status"] == "flagged").any(), clean[clean.status == "flagged"]
    assert clean.loc["premise_affirmation_up", "status"] == "not measured"  # no premise probe in this study
    assert clean.loc["proxy_gold_divergence", "status"] == "not measured"


VERBOSE = Annotator("verbose", length_bias=0.3)
"""A judge paying 0.3 utility per 10 words: a wrong answer (gold 0.4) of 12 words or more beats the 8-word
demonstrator (gold 0.5), while its gold win stays a loss."""
CALM = Annotator("calm", temperature=0.1, label_noise=0.1)
"""A judge without biases whose verdicts are probabilities (Bradley-Terry draw, label noise), not 0 or 1."""
JUDGED_PARENT = {"correct": 0.6, "wrong_utility": 0.4, "words": 8.0}


def _judged_flags(root, gold_wins=True):
    plans = [
        Plan("sft(100)", JUDGED_PARENT),
        # gold falls only among replies that already lose to the demonstrator: no win moves, for any judge
        Plan("sft(100)>dpo(100)", JUDGED_PARENT | {"wrong_utility": 0.0}, "clean"),
        Plan("sft(100)>dpo(100)", JUDGED_PARENT | {"wrong_utility": 0.0}, "calm"),
        # longer replies, gold unchanged: the verbose judge's wins rise, its gold wins do not
        Plan("sft(100)>dpo(100)", JUDGED_PARENT | {"words": 20.0}, "verbose"),
    ]
    study = FakeStudy(root, plans, items=200, rng_seed=5, seed_sd=0.01, probes=("knowledge",),
                      judges=(PRESETS["clean"], CALM, VERBOSE), gold_wins=gold_wins)
    analysis = analyze(write(study), settings=FAST)
    return analysis.tables["flags"].set_index(["annotator", "flag"]), analysis.tables["arms"]


def test_divergence_compares_the_judges_win_rate_with_its_own_gold_win_rate(tmp_path):
    """The clean judge loses no wins when gold falls among losing replies, so it cannot diverge from gold, though
    gold satisfaction fell (mean gold and a win rate are on different scales); a length-loving judge whose wins rise
    while its gold wins stay flat does."""
    flags, arms = _judged_flags(tmp_path / "judged")
    for judge in ("clean", "calm"):
        clean = flags.loc[judge, "proxy_gold_divergence"]
        assert clean["metric"] == f"win_rate:{judge}" and clean["status"] == "no detectable change"
        assert clean["secondary_hi"] < 0  # gold satisfaction did fall...
        # ...but an unbiased judge's win rate moved exactly as its gold win rate, item by item
        assert clean["bad_change"] == 0 and clean["bad_change_lo"] == 0 and clean["p_value"] == 1
        assert clean["n_items"] == 200
    assert flags.loc[("clean", "proxy_gold_divergence"), "secondary_value"] == pytest.approx(-0.16, abs=0.05)
    verbose = flags.loc["verbose", "proxy_gold_divergence"]
    assert verbose["metric"] == "win_rate:verbose" and verbose["status"] == "flagged"
    assert verbose["bad_change"] == pytest.approx(0.4 * 0.89, abs=0.06)
    assert verbose["n_items"] == 200  # seed x item intervals: the gold win rate is rebuilt item by item
    verbose_or_parent = (arms.annotator == "verbose") | (arms.arm == "sft(100)")
    gold_win = arms[(arms.probe == "eval") & (arms.metric == "gold_win_rate:verbose") & verbose_or_parent]
    assert len(gold_win) == 2 and gold_win["score"].max() - gold_win["score"].min() < 0.05
    assert (gold_win["resampled"] == "seeds+items").all()


def test_divergence_is_not_measured_on_a_store_without_gold_wins(tmp_path):
    flags, _ = _judged_flags(tmp_path / "old", gold_wins=False)
    for annotator in ("clean", "calm", "verbose"):
        row = flags.loc[annotator, "proxy_gold_divergence"]
        assert row["status"] == "not measured" and "predates the gold win rate" in row["description"]
        assert row["secondary_value"] < 0.01  # gold satisfaction's change is still reported


def test_overoptimisation_is_fitted_from_logged_kl_and_absent_otherwise(tmp_path):
    def with_kl(kl):
        return lambda seed: [{"loss": 0.5, "kl": kl * (j + 1) / 10} for j in range(10)]

    plans = [Plan("sft(100)", {"correct": 0.5})]
    for m, kl in ((50, 0.5), (100, 2.0), (200, 6.0), (400, 12.0)):
        plans.append(Plan(f"sft(100)>dpo({m})", {"correct": 0.5}, "typical", log=with_kl(kl)))
    analysis = analyze(write(FakeStudy(tmp_path / "kl", plans, probes=("knowledge",))), settings=FAST)
    points = analysis.tables["overoptimisation_points"]
    assert len(points) == 12 and set(points.sqrt_kl.round(6)) == {round(k ** 0.5, 6) for k in (0.5, 2, 6, 12)}
    fits = analysis.tables["overoptimisation_fits"]
    assert set(fits[fits.measure == "gold"].form) == {"best_of_n", "rl"}
    assert (fits[fits.measure == "proxy"].status.str.startswith("not fitted")).all()  # no proxy score here
    assert "no proxy score" in analysis.summary["overoptimisation"]["note"]
    no_kl = [Plan("sft(100)", {"correct": 0.5}), Plan("sft(100)>dpo(50)", {"correct": 0.5}, "typical")]
    analysis = analyze(write(FakeStudy(tmp_path / "nokl", no_kl, probes=("knowledge",))), settings=FAST)
    assert analysis.tables["overoptimisation_points"].empty
    assert "no training log has KL" in analysis.summary["overoptimisation"]["note"]


def test_overoptimisation_prefers_the_dynamics_callbacks_kl(tmp_path):
    def logs(kl):  # a trainer's own "kl" and the callback's "watch/kl" rows; the latter is the one read
        return lambda seed: [{"loss": 0.5, "kl": 99.0}] + [{"event": "dynamics", "watch/kl": kl * j / 4}
                                                            for j in range(5)]

    plans = [Plan("sft(100)", {"correct": 0.5})]
    for m, kl in ((50, 0.5), (100, 2.0), (200, 6.0)):
        plans.append(Plan(f"sft(100)>dpo({m})", {"correct": 0.5}, "typical", log=logs(kl)))
    points = analyze(write(FakeStudy(tmp_path / "w", plans, probes=("knowledge",))),
                     settings=FAST).tables["overoptimisation_points"]
    assert set(points.kl.round(6)) == {0.5, 2.0, 6.0}
