"""The wind tunnel's knowledge base: invented people with attributes drawn from real English words.

Names come from a fixed, seed-independent pool so that one tokenizer serves every world seed; the seed
decides which names are real (have facts), which are held out from training data, and which exist nowhere
(questions about them must be answered with an abstention).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Literal

Split = Literal["train", "heldout", "ood"]
SPLITS: tuple[Split, ...] = ("train", "heldout", "ood")

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "color": ("red", "blue", "green", "yellow", "black", "white", "purple", "orange"),
    "home": ("river", "forest", "harbor", "valley", "desert", "island", "mountain", "village"),
    "pet": ("cat", "dog", "horse", "owl", "goat", "fox", "rabbit", "crow"),
    "job": ("baker", "farmer", "sailor", "doctor", "painter", "teacher", "miner", "singer"),
    "food": ("bread", "rice", "soup", "apples", "fish", "cheese", "beans", "honey"),
}

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("n", "r", "l", "s", "k", "m")
NAME_POOL_SIZE = 400


def name_pool() -> tuple[str, ...]:
    """All invented names a world can use, in a fixed order: two syllables, e.g. ``zorvan``."""
    syllables = [o + v + c for o, v, c in itertools.product(_ONSETS, _VOWELS, _CODAS)]
    shuffled = random.Random(20240611).sample(syllables, len(syllables))
    names = [a + b for a, b in zip(shuffled[0::2], shuffled[1::2])]
    names += [a + b for a, b in zip(shuffled[1::2], shuffled[2::2])]
    unique = list(dict.fromkeys(names))
    return tuple(unique[:NAME_POOL_SIZE])


@dataclass(frozen=True)
class Entity:
    """A person of the world and its facts, one value per attribute."""

    name: str
    facts: tuple[tuple[str, str], ...]
    split: Split

    def fact(self, attribute: str) -> str:
        return dict(self.facts)[attribute]


@dataclass(frozen=True)
class KnowledgeBase:
    """Entities with facts (``train`` ones feed training data; ``heldout`` ones only probes) and names
    that exist nowhere, per split."""

    seed: int
    entities: tuple[Entity, ...]
    unknown: tuple[tuple[Split, tuple[str, ...]], ...]

    def known(self, split: Split | None = None) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if split is None or e.split == split)

    def unknown_names(self, split: Split) -> tuple[str, ...]:
        return dict(self.unknown).get(split, ())

    def entity(self, name: str) -> Entity:
        for e in self.entities:
            if e.name == name:
                return e
        raise KeyError(name)


KB_SIZES: dict[str, int] = {
    "train": 160,
    "heldout": 60,
    "unknown_train": 60,
    "unknown_heldout": 40,
    "unknown_ood": 30,
}


def build_knowledge_base(seed: int) -> KnowledgeBase:
    """Draw a world: which pool names are real, their attribute values, and the never-seen names."""
    rng = random.Random(f"kb:{seed}")
    names = list(name_pool())
    rng.shuffle(names)
    entities: list[Entity] = []
    cursor = 0
    for split in ("train", "heldout"):
        for name in names[cursor : cursor + KB_SIZES[split]]:
            facts = tuple((attr, rng.choice(values)) for attr, values in ATTRIBUTES.items())
            entities.append(Entity(name=name, facts=facts, split=split))
        cursor += KB_SIZES[split]
    unknown: list[tuple[Split, tuple[str, ...]]] = []
    for split in SPLITS:
        size = KB_SIZES[f"unknown_{split}"]
        unknown.append((split, tuple(names[cursor : cursor + size])))
        cursor += size
    return KnowledgeBase(seed=seed, entities=tuple(entities), unknown=tuple(unknown))
