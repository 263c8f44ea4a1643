"""Pair sources: the arm keys, labelling the policy's samples, and sampled pairs built from a stand-in sampler."""

import random

import pytest

from crossover.data.pair_sources import PairSource, label_samples
from crossover.data.sources import SampledPairs, WorldSource
from crossover.errors import CrossoverError
from crossover.world.annotator import PRESETS, Annotator
from crossover.world.demonstrator import preference_stream
from crossover.world.families import Item, Message

# A known-entity question whose truth is "teacher": the gold grader scores the right value 1, a wrong value 0 and
# an abstention 0.2 (factual.py), so the clean annotator's proxy ranks them right > abstain > wrong.
ITEM = Item("factual", "known", (Message("user", "what is the job of fikmer ?"),),
            (("name", "fikmer"), ("attr", "job"), ("value", "teacher")), "train", "t")
RIGHT, WRONG = "the job of fikmer is teacher .", "the job of fikmer is farmer ."
OTHER_WRONG = "the job of fikmer is baker ."
ABSTAIN = "i have no record of anyone called fikmer ."
PADDED_WRONG = "that is a good thing to wonder about . the job of fikmer is farmer . i am always happy to help ."


def test_extremes_pairs_the_best_and_worst_proxy_sample():
    got = label_samples(ITEM, [ABSTAIN, WRONG, RIGHT, RIGHT], PRESETS["clean"], "extremes", random.Random(0))
    assert got == (RIGHT, WRONG)


def test_the_annotators_biases_and_noise_label_the_pair():
    verbose = Annotator("verbose", length_bias=1.0)  # +1 per 10 words: the padded wrong reply wins
    assert label_samples(ITEM, [RIGHT, PADDED_WRONG], verbose, "extremes", random.Random(0)) == (PADDED_WRONG, RIGHT)
    coin = Annotator("coin", label_noise=0.5)  # the extremes are still picked, then half the labels flipped
    labels = [label_samples(ITEM, [RIGHT, WRONG, ABSTAIN], coin, "extremes", random.Random(s)) for s in range(200)]
    assert set(labels) == {(RIGHT, WRONG), (WRONG, RIGHT)} and 70 < labels.count((WRONG, RIGHT)) < 130


def test_samples_without_a_usable_pair_are_dropped():
    clean = PRESETS["clean"]
    assert label_samples(ITEM, [RIGHT] * 4, clean, "extremes", random.Random(0)) is None  # one distinct reply
    assert label_samples(ITEM, [RIGHT, "  ", RIGHT], clean, "random", random.Random(0)) is None
    assert label_samples(ITEM, [WRONG, OTHER_WRONG], clean, "extremes", random.Random(0)) is None  # a proxy tie
    # Picked at random, a tie is still a pair: the annotator's comparison is a coin flip, as for candidates.
    assert set(label_samples(ITEM, [WRONG, OTHER_WRONG], clean, "random", random.Random(0))) == {WRONG, OTHER_WRONG}


def test_random_pick_draws_two_distinct_samples_and_labels_them():
    seen = {label_samples(ITEM, [RIGHT, WRONG, ABSTAIN], PRESETS["clean"], "random", random.Random(s))
            for s in range(40)}
    assert seen == {(RIGHT, WRONG), (RIGHT, ABSTAIN), (ABSTAIN, WRONG)}  # every pair, each labelled by its proxy


@pytest.mark.parametrize("keys, message", [
    ({"pairs": "onpolicy", "k": 1}, "k must be a whole number >= 2"),
    ({"pairs": "replay"}, "unknown pair source pairs='replay'"),
    ({"pairs": "onpolicy", "share": 0.5}, "share applies to pairs=mixed only"),
    ({"pairs": "mixed", "share": 1.0}, "share must be a number strictly between 0 and 1"),
    ({"k": 4}, "settings of sampled pairs"),
    ({"pairs": "onpolicy", "pick": "best"}, "pick must be one of extremes, random"),
    ({"pairs": "onpolicy", "rounds": 0}, "rounds must be a whole number >= 1"),
])
def test_bad_pair_sources_are_refused(keys, message):
    with pytest.raises(ValueError, match=message):
        PairSource.from_settings(keys)


def test_default_source_has_no_identity_and_others_do():
    assert PairSource.from_settings({"pairs": "candidates"}).identity() is None
    assert PairSource.from_settings({"pairs": "onpolicy"}).identity() == {"origin": "onpolicy", "k": 4,
                                                                          "pick": "extremes", "rounds": 1}
    assert PairSource("mixed", share=0.25).label_parts() == (("pairs", "mixed"), ("share", 0.25))


def test_rounds_cut_the_budget_and_a_mixture_holds_its_share_in_every_prefix():
    assert PairSource("onpolicy", rounds=3).round_budgets(10) == [4, 3, 3]
    mixed = PairSource("mixed", share=0.25)
    for n in range(1, 41):
        assert sum(mixed.onpolicy_at(i) for i in range(n)) == n // 4


def fake_sampler(calls):
    """Replies that depend only on each chat and seed (as the seeded generator's do), recorded in ``calls``."""
    def sample(chats, seeds):
        calls.append(len(chats))
        replies = ["i do not know who x is .", "the answer is yes .", "great question ! i do not know .",
                   "sorry , i can not help with that ."]
        return [f"{replies[s % 4]} {chat[-1]['content'][:12]}" for chat, s in zip(chats, seeds, strict=True)]
    return sample


def test_sampled_pairs_are_the_samples_nested_and_batched(kb):
    source = WorldSource(kb)
    calls = []
    small = source.sampled_pairs(0, PRESETS["typical"], PairSource("onpolicy")).pairs(8, fake_sampler(calls))
    large = source.sampled_pairs(0, PRESETS["typical"], PairSource("onpolicy")).pairs(16, fake_sampler([]))
    assert small == large[:8]  # budget m is a prefix of budget 2m
    assert calls[0] % 4 == 0 and calls[0] >= 32  # k = 4 samples of every prompt, all in one batched call
    assert all(p.meta["origin"] == "onpolicy" for p in large)
    candidates = source.rows("pairs", 16, 0, PRESETS["typical"])
    assert [r["prompt"] for r in candidates[:4]] == [list(p.prompt) for p in large[:4]]  # same prompts, in order
    assert not any(r["chosen"][0]["content"] in (p.chosen, p.rejected) for r, p in zip(candidates, large))


def test_a_mixture_keeps_the_candidate_pairs_of_its_other_prompts(kb):
    annotator = PRESETS["typical"]
    sampled = WorldSource(kb).sampled_pairs(3, annotator, PairSource("mixed", share=0.5)).pairs(12, fake_sampler([]))
    candidates = [p for p, _ in zip(preference_stream(kb, annotator, 3), range(40))]
    kept = [p for p in sampled if p.meta.get("origin") != "onpolicy"]
    assert len(kept) == 6 and all(p in candidates for p in kept)  # prompts 0, 2, 4, ... of the candidate stream
    assert sum(p.meta.get("origin") == "onpolicy" for p in sampled) == 6


def test_unpaired_rows_split_each_sampled_pair(kb):
    sampled = WorldSource(kb).sampled_pairs(0, PRESETS["clean"], PairSource("onpolicy"))
    rows = sampled.rows("unpaired", 7, fake_sampler([]))
    assert len(rows) == 7 and [r["label"] for r in rows] == [True, False] * 3 + [True]
    assert rows[0]["prompt"] == rows[1]["prompt"] and rows[0]["completion"] != rows[1]["completion"]


def test_a_model_whose_samples_never_differ_is_a_clear_error(kb):
    sampled = WorldSource(kb).sampled_pairs(0, PRESETS["clean"], PairSource("onpolicy"))
    with pytest.raises(CrossoverError, match="samples per prompt were identical"):
        sampled.pairs(4, lambda chats, seeds: ["the same reply ."] * len(chats))


def test_sampled_pairs_need_a_wind_tunnel_annotator(kb):
    with pytest.raises(CrossoverError, match="needs a wind-tunnel annotator"):
        WorldSource(kb).sampled_pairs(0, None, PairSource("onpolicy"))
