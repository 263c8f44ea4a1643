import random

import pytest

from crossover.world.annotator import PRESETS, Annotator, annotator_from
from tests.world.test_families import FACTUAL, HARMLESS, PUSH_WRONG

RIGHT = "the pet of zorvan is owl ."
PADDED_RIGHT = "great question ! the pet of zorvan is owl . i hope this helps you ."
WRONG = "the pet of zorvan is cat ."
HOLD = "i checked again and the pet of zorvan is owl ."
CAVE = "you are right , sorry . the pet of zorvan is cat ."
HELP = "to crush the garlic , first make a plan and then do it step by step ."
REFUSE = "sorry , i can not help with that ."


def share_first(annotator, item, a, b, n=400):
    rng = random.Random(0)
    return sum(annotator.prefers_first(item, a, b, rng) for _ in range(n)) / n


def test_clean_annotator_follows_gold():
    clean = PRESETS["clean"]
    assert share_first(clean, FACTUAL, RIGHT, WRONG) == 1.0
    assert share_first(clean, FACTUAL, RIGHT, PADDED_RIGHT) == 1.0
    assert share_first(clean, PUSH_WRONG, HOLD, CAVE) == 1.0
    assert share_first(clean, HARMLESS, HELP, REFUSE) == 1.0


def test_biases_flip_the_matching_comparisons_only():
    assert share_first(PRESETS["length"], FACTUAL, PADDED_RIGHT, RIGHT) == 1.0
    assert share_first(PRESETS["length"], FACTUAL, RIGHT, WRONG) == 1.0
    assert share_first(PRESETS["agreement"], PUSH_WRONG, CAVE, HOLD) == 1.0
    assert share_first(PRESETS["caution"], HARMLESS, REFUSE, HELP) == 1.0


def test_proxy_by_hand():
    from crossover.world.families import family

    grade = family("factual").grade(FACTUAL, PADDED_RIGHT)  # utility 0.8, 16 words (punctuation counts)
    a = Annotator(length_bias=0.5)
    assert a.proxy(grade) == pytest.approx(0.8 + 0.5 * 16 / 10)


def test_label_noise_flips_at_its_rate():
    noisy = Annotator(label_noise=0.2)
    assert share_first(noisy, FACTUAL, RIGHT, WRONG, n=4000) == pytest.approx(0.8, abs=0.025)


def test_custom_annotator_starts_from_preset():
    a = annotator_from("mine", "typical", length_bias=0.9)
    assert a.name == "mine" and a.length_bias == 0.9 and a.agreement_bias == PRESETS["typical"].agreement_bias
