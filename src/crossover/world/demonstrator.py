"""The wind tunnel's data sources: demonstrations for SFT, annotated candidate pairs for preference training (also
split into unpaired thumbs-up/down replies), and the pairs' bare prompts for online methods.

All are infinite, seeded streams: a budget of n examples is the first n of the stream, so budgets are nested
(a smaller budget is a prefix of a larger one for the same seed). Preference pairs draw prompts and candidates
from one random stream and labels from another, so two annotators compare the very same pairs and differ only
in their labels.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from crossover.data.records import PreferencePair, PromptRecord, SFTExample, UnpairedExample
from crossover.world.annotator import Annotator
from crossover.world.families import FAMILIES, Item
from crossover.world.knowledge import KnowledgeBase, Split

DEFAULT_MIX: dict[str, float] = {name: 1.0 for name in FAMILIES}
BLOCK = 12
"""Items a family writes at a time: a multiple of every family's number of kinds (1, 2, 3, 4)."""


def _prompt(item: Item) -> tuple[dict[str, str], ...]:
    return tuple(m.as_dict() for m in item.messages)


def item_stream(kb: KnowledgeBase, rng: random.Random, mix: dict[str, float] | None = None,
                splits: tuple[Split, ...] = ("train",)) -> Iterator[Item]:
    """Endless items, families drawn by ``mix`` weights.

    Families write items in small blocks whose kinds are balanced (and whose counterfactual twins sit together);
    each block is shuffled and served one item at a time, so every kind appears at its intended share.
    """
    mix = mix or DEFAULT_MIX
    names, weights = list(mix), list(mix.values())
    buffers: dict[str, list[Item]] = {name: [] for name in names}
    while True:
        name = rng.choices(names, weights)[0]
        if not buffers[name]:
            block = FAMILIES[name].items(kb, rng, rng.choice(splits), BLOCK)
            rng.shuffle(block)
            buffers[name] = block
        yield buffers[name].pop()


def sft_stream(kb: KnowledgeBase, seed: int, mix: dict[str, float] | None = None) -> Iterator[SFTExample]:
    """Competent but bland demonstrations: the right behaviour, often hedged or closed with a pleasantry."""
    rng = random.Random(f"sft:{kb.seed}:{seed}")
    for item in item_stream(kb, rng, mix):
        text = FAMILIES[item.family].demonstrate(item, rng)
        yield SFTExample(_prompt(item), text, {"family": item.family, "kind": item.kind})


def candidate_pairs(kb: KnowledgeBase, seed: int, mix: dict[str, float] | None = None) -> Iterator[tuple[Item, str, str]]:
    """Each prompt with two distinct candidate replies, unlabelled (the same for every annotator)."""
    rng = random.Random(f"pairs:{kb.seed}:{seed}")
    for item in item_stream(kb, rng, mix):
        a, b = rng.sample(FAMILIES[item.family].candidates(item, rng), 2)
        yield item, a, b


def preference_stream(kb: KnowledgeBase, annotator: Annotator, seed: int,
                      mix: dict[str, float] | None = None) -> Iterator[PreferencePair]:
    """Two distinct candidates per prompt, ordered by the annotator's label."""
    label_rng = random.Random(f"labels:{kb.seed}:{seed}")
    for item, a, b in candidate_pairs(kb, seed, mix):
        chosen, rejected = (a, b) if annotator.prefers_first(item, a, b, label_rng) else (b, a)
        yield PreferencePair(_prompt(item), chosen, rejected, {"family": item.family, "kind": item.kind},
                             counterfactual_prompt(item))


def counterfactual_prompt(item: Item) -> tuple[dict[str, str], ...] | None:
    """The prompt without the partner's note, for items that carry a note (relevant or a decoy)."""
    if item.family != "intervention" or item.kind == "no_note":
        return None
    return ({"role": "user", "content": item.get("counterfactual")},)


def unpaired_stream(kb: KnowledgeBase, annotator: Annotator, seed: int,
                    mix: dict[str, float] | None = None) -> Iterator[UnpairedExample]:
    """Thumbs-up/down replies: each annotated pair split in two, chosen -> desirable, rejected -> undesirable.

    The label therefore means "won a comparison", not "good in itself": the same judgements DPO learns from, so
    KTO and DPO differ only in how they use them (a budget of 2m unpaired replies holds the first m pairs).
    """
    for pair in preference_stream(kb, annotator, seed, mix):
        yield UnpairedExample(pair.prompt, pair.chosen, True, pair.meta)
        yield UnpairedExample(pair.prompt, pair.rejected, False, pair.meta)


def prompt_stream(kb: KnowledgeBase, seed: int, mix: dict[str, float] | None = None) -> Iterator[PromptRecord]:
    """The prompts of ``preference_stream`` in the same order, each carrying its item (as JSON) for the graders.

    An online method with a budget of m prompts therefore sees exactly the prompts of the first m pairs.
    """
    for item, _, _ in candidate_pairs(kb, seed, mix):
        yield PromptRecord(_prompt(item), {"item": item.to_json()}, {"family": item.family, "kind": item.kind})
