"""Planted-null and planted-effect studies through the whole pipeline: study directory -> analyze -> flags,
decisions and the report's words. The stated levels: a clean arm pair raises any flag with probability at most
5% (Holm per arm pair); a crossover row reads "pairs pay" or "more SFT pays" falsely at most 5% of the time
(primary endpoints at the nominal level, secondary rows after false-discovery control), seeds-only metrics
included."""

import math

import numpy as np
import pytest
from scipy import stats

from crossover.analysis.bootstrap import BootstrapSettings
from crossover.analysis.summary import analyze
from crossover.report.verdict import group_verdicts, summary_sentences
from tests.analysis.null_rates import NULL, Counts, null_rates, null_study, wilson


def test_a_few_null_studies_raise_few_flags_and_decide_little(tmp_path):
    """15 null studies (30 arm pairs, 120 decision rows). At the stated 5% about 1.5 flagged pairs and 6 false
    decisions are expected; the old clipped intervals gave about 25% false decisions on the seeds-only metric
    alone. The bounds sit where a 5% process exceeds them with probability about 0.01-0.02."""
    counts = null_rates(15, tmp_path, items=32, draws=100)
    assert counts.pairs == 30 and counts.pairs_flagged <= 4, counts.pairs_flagged
    assert counts.bias_pairs == 15 and counts.bias_pairs_flagged <= 3, counts.bias_pairs_flagged
    wrong = sum(w for _, w in counts.decisions.values())
    rows = sum(n for n, _ in counts.decisions.values())
    assert rows == 120 and wrong <= 12, counts.decisions
    assert counts.decisions["diversity.distinct_2"][1] <= 4, counts.decisions


def test_a_null_study_reads_as_one_through_to_the_report(tmp_path):
    analysis = analyze(null_study(tmp_path / "s", 7), settings=BootstrapSettings(draws=200))
    t = analysis.tables
    seeds_only = t["breakeven"][t["breakeven"]["metric"] == "distinct_2"]
    assert (seeds_only["resampled"] == "seeds").all() and (seeds_only["n_items"] == 1).all()
    # the seeds-only interval is wider than the three per-seed values it comes from (no clipping to their range)
    assert (seeds_only["d_pref_hi"] - seeds_only["d_pref_lo"] > 0).all()
    gold = t["breakeven"][t["breakeven"]["metric"] == "gold"].iloc[0]
    assert gold["primary"] and gold["n_seeds"] == 3 and gold["resampled"] == "seeds+items"
    assert 0 <= gold["pairs_pay_below"] and gold["pairs_pay_below"] <= gold["sft_pays_above"]
    multiplicity = analysis.summary["multiplicity"]
    assert multiplicity["flags"]["arm_pairs"] == 2 and multiplicity["primary"]["tests"] > 0
    assert any("chance findings are expected" in w for w in multiplicity["words"])
    assert "p_holm" in t["flags"].columns and t["flags"]["p_holm"].dropna().between(0, 1).all()
    groups = group_verdicts(t["breakeven"], t["crossover_budget"], t["flags"], analysis.point)
    words = " ".join(s for g in groups for s in summary_sentences(g))
    assert "Holm" in words or "Failure flags raised" in words


@pytest.mark.slow
def test_null_flag_and_decision_rates_are_at_their_stated_levels(tmp_path):
    """200 null studies: 400 arm pairs and 400 rows per metric. The Wilson interval of each rate must lie below
    0.10 and include or lie below 0.05: enough replicates to tell a 5% procedure from a 10% one."""
    counts: Counts = null_rates(200, tmp_path, items=48, draws=100)
    lo, hi = wilson(counts.pairs_flagged, counts.pairs)
    assert hi < 0.10 and lo <= 0.05, (counts.pairs_flagged, counts.pairs)
    lo, hi = wilson(counts.bias_pairs_flagged, counts.bias_pairs)
    assert counts.bias_pairs == 200 and hi < 0.15 and lo <= 0.05, (counts.bias_pairs_flagged, counts.bias_pairs)
    for metric, (n, wrong) in counts.decisions.items():
        lo, hi = wilson(wrong, n)
        assert hi < 0.10 and lo <= 0.05, (metric, wrong, n)


@pytest.mark.slow
def test_planted_effects_are_detected_at_about_their_computed_power(tmp_path):
    """A planted rise of the typical child's flip rate (0.30 -> 0.42 on 24 pushback items, 3 seeds) is detected in
    about the share of studies its computed power predicts: each study's minimum detectable change (the change
    found with 80% power) says ``power(delta) = Phi(delta / se - z)`` with ``se = mdc / (z + z_0.8)``; 60 studies
    give a binomial standard error of about 6 points."""
    delta = 0.12

    def rates(cell: str) -> dict:
        return NULL | {"cave": NULL["cave"] + delta} if cell == "typical|sft(100)>dpo(100)" else NULL

    found, predicted = 0, []
    for k in range(60):
        analysis = analyze(null_study(tmp_path / f"e{k}", 500 + k, rates=rates),
                           settings=BootstrapSettings(draws=100, seed=k))
        t = analysis.tables["breakeven"]
        row = t[(t["metric"] == "flip_rate") & (t["annotator"] == "typical")].iloc[0]
        found += row["d_pref_verdict"] == "increase"
        crit = stats.norm.ppf(0.975)
        se = row["mdc_pref"] / (crit + stats.norm.ppf(0.8))
        predicted.append(stats.norm.sf(crit - delta / se))
    rate, expected = found / 60, float(np.mean(predicted))
    assert abs(rate - expected) < 0.15, (rate, expected)
    assert math.isfinite(expected) and 0.2 < expected < 0.95


def test_a_biased_annotators_own_failure_is_flagged_against_the_clean_child_and_nothing_else(tmp_path):
    """A planted agreement bias: the typical annotator's child caves twice as often as the clean child of the same
    arm, every other rate as the null. Against the clean child the sycophancy flag is raised and no other; the
    parent comparison would also see it, but only the clean-child contrast says the labels did it."""
    def rates(key: str) -> dict:
        return NULL | {"cave": 0.6} if key == "typical|sft(100)>dpo(100)" else NULL

    analysis = analyze(null_study(tmp_path / "b", 3, items=64, rates=rates), settings=BootstrapSettings(draws=200))
    bias = analysis.tables["bias_flags"]
    assert set(bias["annotator"]) == {"typical"} and set(bias["reference"]) == {"clean"}
    raised = bias[bias["status"] == "flagged"]
    assert list(raised["flag"]) == ["sycophancy_up"], raised[["flag", "bad_change", "p_holm"]]
    assert raised.iloc[0]["bad_change"] > 0.2
    assert [r["flag"] for r in analysis.summary["bias_flags"]["raised"]] == ["sycophancy_up"]
