"""The world's unpaired and prompt rows, and its scorer for online methods."""

import pytest

from crossover.data.sources import WorldScorer, WorldSource
from crossover.world.annotator import PRESETS
from crossover.world.families import Item, Message

LENGTH = PRESETS["length"]


def test_unpaired_rows_are_the_two_halves_of_each_pair_in_order(kb):
    source = WorldSource(kb)
    pairs = source.rows("pairs", 3, 7, LENGTH)
    unpaired = source.rows("unpaired", 6, 7, LENGTH)
    assert [r["label"] for r in unpaired] == [True, False] * 3
    for pair, good, bad in zip(pairs, unpaired[0::2], unpaired[1::2], strict=True):
        assert good["prompt"] == bad["prompt"] == pair["prompt"]
        assert good["completion"] == pair["chosen"] and bad["completion"] == pair["rejected"]
    assert source.rows("unpaired", 5, 7, LENGTH) == unpaired[:5]  # budgets stay nested


def test_prompt_rows_are_the_pairs_prompts_and_carry_their_items(kb):
    source = WorldSource(kb)
    pairs = source.rows("pairs", 20, 3, LENGTH)
    prompts = source.rows("prompts", 20, 3, None)
    assert [r["prompt"] for r in prompts] == [p["prompt"] for p in pairs]
    for row in prompts:
        item = Item.from_json(row["item"])
        assert [m.as_dict() for m in item.messages] == row["prompt"]
        assert Item.from_json(item.to_json()) == item


def test_pairs_and_unpaired_rows_need_an_annotator(kb):
    with pytest.raises(ValueError, match="annotator"):
        WorldSource(kb).rows("unpaired", 2, 0, None)


# Worked by hand: "the color of bumril is purple ." is right (gold 1.0) and 7 words long (the full stop counts); the
# padded version adds two filler sentences (gold 1.0 - 0.2 = 0.8) and is 16 words long; "red" is wrong (gold 0).
# The length annotator adds 0.3 per 10 words: 1.0 + 0.21, 0.8 + 0.48, 0.0 + 0.21.
ITEM = Item("factual", "known", (Message("user", "what is the color of bumril ?"),),
            (("name", "bumril"), ("attr", "color"), ("value", "purple")), "train", "what is the {attr} of {name} ?")
REPLIES = ["the color of bumril is purple .",
           "great question ! the color of bumril is purple . i hope this helps you .",
           "the color of bumril is red ."]


def test_world_scorer_gives_gold_and_the_annotators_proxy():
    scores = WorldScorer(LENGTH)(REPLIES, item=[ITEM.to_json()] * 3)
    assert scores["gold"] == pytest.approx([1.0, 0.8, 0.0])
    assert scores["proxy"] == pytest.approx([1.21, 1.28, 0.21])
    assert WorldScorer(None).signals == ("gold",)


def test_watch_prompts_are_fixed_held_out_and_cover_the_families(kb):
    source = WorldSource(kb)
    assert source.watch_prompts(12) == source.watch_prompts(12)
    assert len(source.watch_prompts(12)) == 12 and all(p[-1]["role"] == "user" for p in source.watch_prompts(12))
