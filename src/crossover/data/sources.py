"""Where a stage's training rows come from: a data kind, a budget and a seed in, TRL rows out.

A source also provides what training needs besides rows: a scorer for the replies an online method samples, and a
fixed slice of held-out prompts on which the training-dynamics callback watches the policy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Protocol

from crossover.data.budgets import take
from crossover.data.records import DataKind, ResponseScorer
from crossover.world.annotator import Annotator
from crossover.world.demonstrator import preference_stream, prompt_stream, sft_stream, unpaired_stream
from crossover.world.families import FAMILIES, Item, family, family_identities
from crossover.world.knowledge import KnowledgeBase, build_knowledge_base

Chat = list[dict[str, str]]


class DataSource(Protocol):
    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Annotator | None) -> list[dict[str, Any]]: ...

    def scorer(self, annotator: Annotator | None) -> ResponseScorer: ...

    def watch_prompts(self, n: int) -> list[Chat]: ...


@dataclass(frozen=True)
class WorldScorer:
    """Grades replies to wind-tunnel prompts: ``gold`` is the family's gold utility, ``proxy`` the annotator's view."""

    annotator: Annotator | None
    columns: tuple[str, ...] = ("item",)

    @property
    def signals(self) -> tuple[str, ...]:
        return ("gold", "proxy") if self.annotator else ("gold",)

    def __call__(self, completions: list[str], item: list[str]) -> dict[str, list[float]]:
        items = [Item.from_json(text) for text in item]
        grades = [family(it.family).grade(it, reply) for it, reply in zip(items, completions, strict=True)]
        out = {"gold": [g.utility for g in grades]}
        if self.annotator:
            out["proxy"] = [self.annotator.proxy(g) for g in grades]
        return out


class WorldSource:
    """The wind tunnel as a data source: demonstrations from the demonstrator, pairs labelled by an annotator."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Annotator | None) -> list[dict[str, Any]]:
        if kind == "demonstrations":
            return [r.to_trl() for r in take(sft_stream(self.kb, seed), budget)]
        if kind == "prompts":
            return [r.to_trl() for r in take(prompt_stream(self.kb, seed), budget)]
        if annotator is None:
            raise ValueError(f"{kind} data needs an annotator")
        if kind == "pairs":
            return [r.to_trl() for r in take(preference_stream(self.kb, annotator, seed), budget)]
        if kind == "unpaired":
            return [r.to_trl() for r in take(unpaired_stream(self.kb, annotator, seed), budget)]
        raise ValueError(f"unknown data kind {kind!r}")

    def scorer(self, annotator: Annotator | None) -> WorldScorer:
        return WorldScorer(annotator)

    def watch_prompts(self, n: int) -> list[Chat]:
        """``n`` held-out prompts, families taking turns; the same for every run of a world."""
        rng = random.Random(f"watch:{self.kb.seed}")
        names = sorted(FAMILIES)
        per_family = {name: FAMILIES[name].items(self.kb, rng, "heldout", -(-n // len(names))) for name in names}
        items = [per_family[names[i % len(names)]][i // len(names)] for i in range(n)]
        return [[m.as_dict() for m in item.messages] for item in items]


@dataclass(frozen=True)
class WorldData:
    """A study's data from the wind tunnel: endless seeded streams, so no budget is too large."""

    world_seed: int

    def identity(self, kinds: set[str]) -> dict[str, Any]:
        """The run-spec entry: the world's seed and its families' versions and source fingerprints."""
        return {"world": {"seed": self.world_seed, "families": family_identities()}}

    def budget_problems(self, kind: DataKind, budget: int, where: str) -> list:
        return []

    def source(self) -> WorldSource:
        return WorldSource(build_knowledge_base(self.world_seed))
