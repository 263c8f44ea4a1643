import random

import numpy as np
import pytest

from crossover.analysis.items import ItemValues, _scorers, _singletons, contributions
from crossover.probes.base import probe_output
from crossover.probes.eval_score import EVAL, expected_win, length_controlled_win_rate
from crossover.probes.run import ProbeSettings, run_policy_probes
from crossover.world.annotator import BIASES, KNOBS, PRESETS, Annotator
from crossover.world.families import family
from crossover.world.families.base import Grade, pad
from crossover.world.knowledge import build_knowledge_base


def g(utility, words):
    return Grade(label="x", utility=utility, n_words=words, n_filler=0)


def test_expected_win_by_hand():
    assert expected_win(Annotator(), g(1.0, 5), g(0.5, 5)) == 1.0
    assert expected_win(Annotator(), g(0.5, 5), g(0.5, 5)) == 0.5
    assert expected_win(Annotator(label_noise=0.2), g(1.0, 5), g(0.5, 5)) == pytest.approx(0.8)
    # length bias 0.5 per 10 words: +10 words is worth +0.5, enough to beat a 0.4 gold deficit
    assert expected_win(Annotator(length_bias=0.5), g(0.6, 15), g(1.0, 5)) == 1.0
    # Bradley-Terry at temperature 0.5: sigmoid(0.5 / 0.5)
    assert expected_win(Annotator(temperature=0.5), g(1.0, 5), g(0.5, 5)) == pytest.approx(1 / (1 + np.exp(-1)))


def test_length_controlled_win_rate():
    rng = np.random.default_rng(0)
    diffs = rng.normal(0, 10, 2000)
    # wins unrelated to length: the length-controlled rate equals the raw rate
    wins = (rng.random(2000) < 0.7).astype(float)
    assert length_controlled_win_rate(wins, diffs) == pytest.approx(wins.mean(), abs=0.02)
    # wins driven by length alone, around an even model: raw 0.5ish, length-controlled 0.5
    wins = 1 / (1 + np.exp(-(diffs / 5)))
    assert length_controlled_win_rate(wins, diffs) == pytest.approx(0.5, abs=0.01)
    # a model that wins because it is longer: raw rate high, length-controlled back near even
    longer = np.abs(diffs) + 5
    wins = 1 / (1 + np.exp(-(longer / 5)))
    assert wins.mean() > 0.8 and length_controlled_win_rate(wins, longer) == pytest.approx(0.5, abs=0.05)


def test_length_controlled_is_finite_on_degenerate_input():
    assert 0.99 < length_controlled_win_rate(np.ones(20), np.zeros(20)) <= 1.0
    assert np.isnan(length_controlled_win_rate(np.array([]), np.array([])))
    assert np.isnan(length_controlled_win_rate(np.array([1.0, 0.0]), np.array([3.0, -1.0])))


def test_unbiased_keeps_the_comparison_and_drops_every_bias():
    typical = PRESETS["typical"]
    plain = typical.unbiased()
    assert (plain.name, plain.temperature, plain.label_noise) == ("typical", typical.temperature, typical.label_noise)
    assert all(getattr(plain, b) == 0.0 for b in BIASES)
    # every knob is either a bias or part of the comparison, so a new bias cannot be left out of ``unbiased``
    assert set(KNOBS) == set(BIASES) | {"temperature", "label_noise"}
    padded = Grade(label="x", utility=0.4, n_words=30, n_filler=2, agrees_with_user=True, flair=0.2)
    assert plain.proxy(padded) == 0.4 and typical.proxy(padded) != 0.4


def test_records_carry_the_judges_gold_win():
    """A padded demonstrator through the real probes: the clean judge's gold win is its win, the typical judge's
    (which likes length) is not, and the eval probe reports its mean as the gold win rate."""
    judges = (PRESETS["clean"], PRESETS["typical"])
    settings = ProbeSettings(items=3, ood_items=1, judges=judges)
    kb = build_knowledge_base(0)

    def padded(item):
        text = family(item.family).demonstrate(item, random.Random(f"demo:{item.template}"))
        return pad(text, random.Random(0), sentences=4)

    records, rows = run_policy_probes(padded, kb, settings)
    flat = [r for name, rs in records.items() if name != "ood" for r in rs]
    assert all(r["gold_win:clean"] == r["win:clean"] for r in flat)
    differs = [r for r in flat if abs(r["gold_win:typical"] - r["win:typical"]) > 1e-6]
    assert len(differs) > len(flat) / 2
    assert np.mean([r["win:typical"] for r in flat]) > np.mean([r["gold_win:typical"] for r in flat])
    scores = {(row.probe, row.metric): row.value for row in rows}
    everything = [r for name, rs in records.items() if name not in ("ood", "selfreport") for r in rs]
    assert scores["eval", "gold_win_rate:clean"] == scores["eval", "win_rate:clean"]
    assert scores["eval", "gold_win_rate:typical"] == pytest.approx(np.mean([r["gold_win:typical"] for r in everything]))
    assert scores["eval", "gold_win_rate:typical"] < scores["eval", "win_rate:typical"]
    # the analysis rebuilds both rates item by item (self-report and out-of-distribution items included, which the
    # eval does not score) and the rebuilt rates reproduce the stored ones, so they get seed x item intervals
    score = _scorers({"probes": {"judges": [{"name": j.name} for j in judges]}})["eval"]
    every = [r for rs in records.values() for r in rs]
    singles = _singletons(score, every)
    for metric in ("win_rate:typical", "gold_win_rate:typical", "gold_win_rate:clean"):
        values = ItemValues(tuple(range(len(every))), np.array(singles[metric]), np.array(["x"] * len(every)))
        assert contributions(values, scores["eval", metric]) is not None, metric


def test_records_without_the_gold_win_report_no_gold_win_rate():
    records = [{"probe": "knowledge", "win:j": 1.0, "n_words": 5, "baseline_words": 4}] * 3
    assert "gold_win_rate:j" not in EVAL.score(probe_output(records, {"factual": 1.0}, ("j",)))
    with_gold = [r | {"gold_win:j": 0.5} for r in records]
    assert EVAL.score(probe_output(with_gold, {"factual": 1.0}, ("j",)))["gold_win_rate:j"] == 0.5
