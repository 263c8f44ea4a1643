import numpy as np
import pytest

from crossover.probes.eval_score import expected_win, length_controlled_win_rate
from crossover.world.annotator import Annotator
from crossover.world.families.base import Grade


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
