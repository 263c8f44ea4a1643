"""The wind tunnel's data sources: demonstrations for SFT and annotated candidate pairs for preference training.

Both are infinite, seeded streams: a budget of n examples is the first n of the stream, so budgets are nested
(a smaller budget is a prefix of a larger one for the same seed). Preference pairs draw prompts and candidates
from one random stream and labels from another, so two annotators compare the very same pairs and differ only
in their labels.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from crossover.data.records import PreferencePair, SFTExample
from crossover.world.annotator import Annotator
from crossover.world.families import FAMILIES, Item
from crossover.world.knowledge import KnowledgeBase

DEFAULT_MIX: dict[str, float] = {name: 1.0 for name in FAMILIES}


def _prompt(item: Item) -> tuple[dict[str, str], ...]:
    return tuple(m.as_dict() for m in item.messages)


def training_items(kb: KnowledgeBase, rng: random.Random, mix: dict[str, float] | None = None) -> Iterator[Item]:
    """Endless training-split items, families drawn by ``mix`` weights."""
    mix = mix or DEFAULT_MIX
    names, weights = list(mix), list(mix.values())
    while True:
        fam = FAMILIES[rng.choices(names, weights)[0]]
        yield fam.items(kb, rng, "train", 1)[0]


def sft_stream(kb: KnowledgeBase, seed: int, mix: dict[str, float] | None = None) -> Iterator[SFTExample]:
    """Competent but bland demonstrations: the right behaviour, often hedged or closed with a pleasantry."""
    rng = random.Random(f"sft:{kb.seed}:{seed}")
    for item in training_items(kb, rng, mix):
        text = FAMILIES[item.family].demonstrate(item, rng)
        yield SFTExample(_prompt(item), text, {"family": item.family, "kind": item.kind})


def preference_stream(kb: KnowledgeBase, annotator: Annotator, seed: int,
                      mix: dict[str, float] | None = None) -> Iterator[PreferencePair]:
    """Two distinct candidates per prompt, ordered by the annotator's label."""
    rng = random.Random(f"pairs:{kb.seed}:{seed}")
    label_rng = random.Random(f"labels:{kb.seed}:{seed}")
    for item in training_items(kb, rng, mix):
        a, b = rng.sample(FAMILIES[item.family].candidates(item, rng), 2)
        chosen, rejected = (a, b) if annotator.prefers_first(item, a, b, label_rng) else (b, a)
        yield PreferencePair(_prompt(item), chosen, rejected, {"family": item.family, "kind": item.kind})
