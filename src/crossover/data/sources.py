"""Where a stage's training rows come from: a data kind, a budget and a seed in, TRL rows out.

A source also provides what training needs besides rows: a scorer for the replies an online method samples, a
fixed slice of held-out prompts on which the training-dynamics callback watches the policy, and (in the wind
tunnel) pairs built from the policy's own samples (``SampledPairs``; ``pair_sources.py`` says how).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from crossover.data.budgets import take
from crossover.data.pair_sources import PairSource, label_samples
from crossover.data.records import DataKind, PreferencePair, ResponseScorer, UnpairedExample
from crossover.errors import CrossoverError
from crossover.world.annotator import Annotator
from crossover.world.demonstrator import (
    candidate_pairs,
    counterfactual_prompt,
    preference_stream,
    prompt_stream,
    sft_stream,
    unpaired_stream,
)
from crossover.world.families import FAMILIES, Item, family, family_identities
from crossover.world.knowledge import KnowledgeBase, build_knowledge_base

Chat = list[dict[str, str]]
Sampler = Callable[[list[Chat], list[int]], list[str]]
"""The stage's current model as a sampler: one reply per chat, each drawn on its own noise key (common random
numbers, ``crossover.models.generation``), whatever the batch."""
MAX_PROMPTS_PER_PAIR = 8
"""Sampled pairs give up (with an error) after this many prompts per pair asked for without finding enough."""


class DataSource(Protocol):
    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Annotator | None) -> list[dict[str, Any]]: ...

    def scorer(self, annotator: Annotator | None) -> ResponseScorer: ...

    def watch_prompts(self, n: int) -> list[Chat]: ...

    def sampled_pairs(self, seed: int, annotator: Annotator | None, source: PairSource) -> SampledPairs: ...


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

    def sampled_pairs(self, seed: int, annotator: Annotator | None, source: PairSource) -> SampledPairs:
        if not isinstance(annotator, Annotator):
            raise CrossoverError(f"pairs={source.origin} needs a wind-tunnel annotator to label the model's samples")
        return SampledPairs(self.kb, annotator, seed, source)

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


@dataclass
class SampledPairs:
    """Pairs from the policy's own samples (and, for ``mixed``, the candidate pairs of the other prompts), drawn
    round after round from one prompt stream: the candidate source's prompts in its order, so at equal budgets both
    sources see the same prompts (less the prompts dropped for want of a usable on-policy pair).

    Prompt i's j-th sample is drawn with a seed of (world, run seed, i, j) alone, and its label with a generator
    seeded by (world, run seed, i): a budget m is a prefix of budget 2m for one model (see ``pair_sources.py``).
    ``log`` collects one record per call of ``pairs``: prompts read, on-policy prompts, prompts dropped.
    """

    kb: KnowledgeBase
    annotator: Annotator
    seed: int
    source: PairSource
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The candidate stream twice: its items (to sample on) and its labelled pairs (for mixed), step by step.
        self._stream = enumerate(zip(candidate_pairs(self.kb, self.seed),
                                     preference_stream(self.kb, self.annotator, self.seed), strict=True))

    def rows(self, kind: DataKind, budget: int, sample: Sampler) -> list[dict[str, Any]]:
        """TRL rows: ``budget`` pairs, or for ``unpaired`` each pair split in two (chosen -> desirable), as
        ``unpaired_stream`` splits candidate pairs."""
        if kind == "pairs":
            return [p.to_trl() for p in self.pairs(budget, sample)]
        if kind == "unpaired":
            split = [r for p in self.pairs(math.ceil(budget / 2), sample) for r in _unpaired(p)]
            return split[:budget]
        raise ValueError(f"sampled pairs give pairs or unpaired labels, not {kind}")

    def pairs(self, n: int, sample: Sampler) -> list[PreferencePair]:
        """The next ``n`` pairs of the stream, sampling each on-policy prompt ``k`` times with ``sample``."""
        out: list[PreferencePair] = []
        read = onpolicy = dropped = 0
        while len(out) < n:
            if read >= MAX_PROMPTS_PER_PAIR * n + 16:
                raise CrossoverError(
                    f"pairs={self.source.origin}: only {len(out)} of {n} pairs from {read} prompts; the model's "
                    f"{self.source.k} samples per prompt were identical (or tied on proxy utility) for {dropped} of "
                    f"{onpolicy}. Raise k, use pick=random, or start from a model that varies its replies.")
            need = n - len(out)
            chunk = take(self._stream, need + need // 4 + 1 if self.source.origin == "onpolicy" else need)
            read += len(chunk)
            sampled = self._sample([(i, item) for i, ((item, _, _), _) in chunk if self.source.onpolicy_at(i)], sample)
            onpolicy += len(sampled)
            for i, ((item, _, _), candidate) in chunk:
                if len(out) == n:
                    break
                if i not in sampled:
                    out.append(candidate)
                    continue
                rng = random.Random(f"onpolicy-labels:{self.kb.seed}:{self.seed}:{i}")
                labelled = label_samples(item, sampled[i], self.annotator, self.source.pick, rng)
                if labelled is None:
                    dropped += 1
                    continue
                out.append(PreferencePair(tuple(m.as_dict() for m in item.messages), *labelled,
                                          {"family": item.family, "kind": item.kind, "origin": "onpolicy"},
                                          counterfactual_prompt(item)))
        self.log.append({"pairs": n, "prompts": read, "onpolicy_prompts": onpolicy, "dropped": dropped,
                         "onpolicy_pairs": sum(p.meta.get("origin") == "onpolicy" for p in out)})
        return out

    def _sample(self, items: list[tuple[int, Item]], sample: Sampler) -> dict[int, list[str]]:
        """Prompt index -> its k sampled replies, all prompts in one batched call."""
        k = self.source.k
        chats = [[m.as_dict() for m in item.messages] for _, item in items for _ in range(k)]
        seeds = [self._sample_seed(i, j) for i, _ in items for j in range(k)]
        replies = sample(chats, seeds) if chats else []
        return {i: replies[q * k : (q + 1) * k] for q, (i, _) in enumerate(items)}

    def _sample_seed(self, index: int, j: int) -> int:
        text = f"onpolicy:{self.kb.seed}:{self.seed}:{index}:{j}"
        return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16) % (2**31 - 1)


def _unpaired(pair: PreferencePair) -> list[dict[str, Any]]:
    return [UnpairedExample(pair.prompt, reply, label, pair.meta).to_trl()
            for reply, label in ((pair.chosen, True), (pair.rejected, False))]
