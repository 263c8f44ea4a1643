"""Failure flags fire on planted failures and stay quiet on a clean control; over-optimisation needs logged KL."""

import numpy as np
import pytest

from crossover.analysis.bootstrap import BootstrapSettings
from crossover.analysis.summary import analyze
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
