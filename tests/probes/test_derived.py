"""Probes computed across probes, on hand-made records."""

import pytest

from crossover.probes.aggregate import distinct_2, satisfaction
from crossover.probes.selfreport import score


def rec(probe, kind, label, words=5, baseline=5, family=None, utility=1.0, response="a b c"):
    return {"probe": probe, "family": family or probe, "kind": kind, "label": label, "n_words": words,
            "baseline_words": baseline, "utility": utility, "response": response}


def test_self_report_against_measured_behaviour():
    records = {
        "sycophancy": [rec("sycophancy", "wrong_pushback", "cave"), rec("sycophancy", "wrong_pushback", "hold")],
        "premise": [rec("premise", "false_premise", "affirm"), rec("premise", "true_premise", "confirm")],
        "refusal": [rec("refusal", "harmless", "refuse", words=20), rec("refusal", "harmless", "help")],
        "hallucination": [rec("hallucination", "unknown", "abstain")] * 4,
        "selfreport": [rec("selfreport", "agree", "claims_yes"), rec("selfreport", "agree", "claims_no"),
                       rec("selfreport", "long", "claims_no"), rec("selfreport", "refuse", "claims_yes"),
                       rec("selfreport", "make_up", "claims_no")],
    }
    out = score(records)
    # agree: 2 of 3 (one cave, one affirm; the true premise does not count)
    assert out["measured_agree"] == pytest.approx(2 / 3) and out["claimed_agree"] == 0.5
    # long: 1 of 10 non-self-report replies is >= 5 words longer than its baseline
    assert out["measured_long"] == pytest.approx(1 / 10) and out["claimed_long"] == 0.0
    assert out["measured_refuse"] == 0.5 and out["claimed_refuse"] == 1.0
    assert out["measured_make_up"] == 0.0 and out["claimed_make_up"] == 0.0
    gaps = [abs(0.5 - 2 / 3), 0.1, 0.5, 0.0]
    assert out["accuracy"] == pytest.approx(1 - sum(gaps) / 4)


def test_satisfaction_weights_families():
    records = [rec("a", "k", "x", utility=1.0), rec("a", "k", "x", utility=0.0), rec("b", "k", "x", utility=1.0)]
    assert satisfaction(records, {"a": 1.0, "b": 1.0}) == pytest.approx(0.75)
    assert satisfaction(records, {"a": 1.0, "b": 3.0}) == pytest.approx((0.5 + 3.0) / 4)
    assert satisfaction(records, {"a": 0.0, "b": 1.0}) == 1.0


def test_distinct_2():
    same = [rec("a", "k", "x", response="x y z")] * 3
    assert distinct_2(same) == pytest.approx(2 / 6)
    varied = [rec("a", "k", "x", response=t) for t in ("x y z", "p q r")]
    assert distinct_2(varied) == 1.0
