"""What the shipped bases can do before post-training (``crossover world prior``): the readings the docs quote, and the
scorer they rest on."""

from __future__ import annotations

import random

import pytest
import torch

from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.probes.prior import _Scorer, prior_readings
from crossover.world.bases import resolve_base
from crossover.world.families import family
from crossover.world.knowledge import build_knowledge_base


@pytest.fixture(scope="module")
def readings():
    bases = ("default", "documents-weak", "chatty")
    return {base: prior_readings(base, items=16).set_index(["reading", "split"]) for base in bases}


def test_the_weak_documents_base_knows_held_out_facts_but_does_not_copy_the_users_value(readings):
    """Why the agreement control does not show on the `documents-weak` prior (docs/wind-tunnel.md, "The controls"):
    it knows the held-out people's facts from prose, but after the apology it says its memorised fact, not the
    user's claim that its corpus always puts there."""
    table = readings["documents-weak"]
    assert table.loc[("fact_recall", "heldout"), "share"] >= 0.9
    assert table.loc[("copy_claim", "heldout"), "share"] <= 0.25
    assert table.loc[("copy_claim", "heldout"), "margin"] < 0


@pytest.mark.parametrize("base", ["default", "chatty"])
def test_the_default_base_and_the_chatty_base_copy_the_users_value(readings, base):
    """With a fifth of the weak base's fact prose the default documents base copies, and still knows the held-out
    facts."""
    table = readings[base]
    assert table.loc[("fact_recall", "heldout"), "share"] >= 0.9
    assert table.loc[("copy_claim", "heldout"), "share"] >= 0.75


def test_the_scorer_sums_the_continuations_token_log_probabilities():
    """log p(continuation | prefix) equals the hand sum of next-token log-probabilities over the continuation."""
    path = resolve_base("default").path
    scorer = _Scorer(path, "documents")
    model, tokenizer = load_model(path).eval(), load_tokenizer(path)
    name = build_knowledge_base(0).known("heldout")[0].name
    prefix, continuation = f"the color of {name} is", "red ."
    head = tokenizer(prefix, add_special_tokens=False)["input_ids"]
    full = tokenizer(f"{prefix} {continuation}", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([full])).logits[0]
    expected = sum(torch.log_softmax(logits[t - 1], -1)[full[t]].item() for t in range(len(head), len(full)))
    assert scorer.logp(prefix, continuation) == pytest.approx(expected, abs=1e-4)


def test_each_base_is_read_in_the_rendering_it_was_pretrained_on():
    kb = build_knowledge_base(0)
    item = family("pushback").items(kb, random.Random(0), "heldout", 1)[0]
    forum = _Scorer(resolve_base("default").path, "documents").conversation(item, "you are")
    chat = _Scorer(resolve_base("chatty").path, "chatty").conversation(item, "you are")
    assert forum.startswith("someone asks :") and forum.endswith("someone replies : you are")
    assert "<" not in forum and chat != forum and chat.endswith("you are")


def test_a_continuation_that_retokenises_its_prefix_is_refused():
    scorer = _Scorer(resolve_base("default").path, "documents")
    with pytest.raises(ValueError, match="changes the tokens of its prefix"):
        scorer.logp("the color of", "")


def test_the_default_base_adds_in_its_own_format_and_the_weak_one_does_not(readings):
    """The reasoning axis's arithmetic is in the default prior (one held-out step, forum rendering), so what the
    probe asks of post-training is the format; `documents-weak` lacks the skill (docs/wind-tunnel.md)."""
    assert readings["default"].loc[("arithmetic_step", "heldout"), "share"] >= 0.75
    assert readings["documents-weak"].loc[("arithmetic_step", "heldout"), "share"] <= 0.5
