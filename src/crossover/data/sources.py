"""Where a stage's training rows come from: a data kind, a budget and a seed in, TRL rows out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from crossover.data.budgets import take
from crossover.methods.spec import DataKind
from crossover.world.annotator import Annotator
from crossover.world.demonstrator import preference_stream, sft_stream
from crossover.world.families import FAMILIES
from crossover.world.knowledge import KnowledgeBase, build_knowledge_base


class DataSource(Protocol):
    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Annotator | None) -> list[dict[str, Any]]: ...


class WorldSource:
    """The wind tunnel as a data source: demonstrations from the demonstrator, pairs labelled by an annotator."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Annotator | None) -> list[dict[str, Any]]:
        if kind == "demonstrations":
            return [r.to_trl() for r in take(sft_stream(self.kb, seed), budget)]
        if kind == "pairs":
            if annotator is None:
                raise ValueError("preference pairs need an annotator")
            return [r.to_trl() for r in take(preference_stream(self.kb, annotator, seed), budget)]
        raise NotImplementedError(f"the wind tunnel does not yet provide {kind!r} data")


@dataclass(frozen=True)
class WorldData:
    """A study's data from the wind tunnel: endless seeded streams, so no budget is too large."""

    world_seed: int

    def identity(self, kinds: set[str]) -> dict[str, Any]:
        """The run-spec entry: the world's seed and its families' versions (whatever the stages use)."""
        return {"world": {"seed": self.world_seed, "families": {name: f.version for name, f in FAMILIES.items()}}}

    def budget_problems(self, kind: DataKind, budget: int, where: str) -> list:
        return []

    def source(self) -> WorldSource:
        return WorldSource(build_knowledge_base(self.world_seed))
