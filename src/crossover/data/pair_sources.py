"""Where a preference stage's pairs come from: the fixed candidate generator, the policy's own samples, or both.

A stage that learns from pairs (or from KTO's unpaired labels) names its pair source in the arm string:

- ``dpo(250)`` or ``dpo(250, pairs=candidates)``: two replies drawn from each family's fixed candidate set (the
  default; off-policy, and it always holds a competent reply, so the chosen side is SFT-like data).
- ``dpo(250, pairs=onpolicy, k=4, pick=extremes)``: ``k`` replies sampled from the stage's starting model per
  prompt; the annotator grades each (its proxy utility), two are picked, and the annotator labels that pair with
  the same Bradley-Terry comparison and label noise it applies to candidates (``Annotator.prefers_first``).
- ``dpo(250, pairs=mixed, share=0.5)``: a share of the prompts gets an on-policy pair, the rest the candidate pair
  that the candidate source gives for the same prompt (same replies, same label).
- ``rounds=R`` (on-policy or mixed): iterative preference learning. The budget is cut into R slices; each round
  samples from the model the previous round left, labels, and trains on its slice (fresh prompts every round).

Which two of the k samples form the pair (``pick``):

- ``extremes`` (default): the highest- and lowest-proxy samples, as iterative DPO with a reward model does
  (Xiong et al. 2024, "Iterative preference learning from human feedback", ICML; Dong et al. 2024, "RLHF
  workflow"; also Yuan et al. 2024's self-rewarding loop). A prompt whose samples all tie on proxy utility carries
  no preference and is dropped (the RLHFlow recipe drops equal-reward pairs too); the next prompt takes its place.
- ``random``: two distinct samples at random, labelled by the annotator whatever their gap, as online AI feedback
  does (Guo et al. 2024, "Direct language model alignment from online AI feedback"): ties are coin flips.

Either way a prompt needs two distinct reply texts; one whose k samples are all identical is dropped. The annotator
grades all k samples under ``extremes`` (k judgements per pair, as a reward model would) and only two under
``random``; a budget still counts pairs.

Nesting: a candidate budget m is a prefix of budget 2m. An on-policy budget m is a prefix of 2m for one starting
model and one round: each prompt's samples are drawn on noise keys of the prompt's position alone
(``models.generation``'s ``keys``), never by how prompts were batched. Across rounds it does not hold: round 2 samples from a model trained
on round 1's slice, which depends on the budget.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal

from crossover.world.annotator import Annotator
from crossover.world.families import Item, family

Origin = Literal["candidates", "onpolicy", "mixed"]
Pick = Literal["extremes", "random"]
ORIGINS: tuple[str, ...] = ("candidates", "onpolicy", "mixed")
PICKS: tuple[str, ...] = ("extremes", "random")
KEYS: tuple[str, ...] = ("pairs", "k", "pick", "share", "rounds")
"""The arm-string keys that set a stage's pair source (beside the method's own settings)."""


@dataclass(frozen=True)
class PairSource:
    """A stage's pair source. The default (candidates, one round) leaves run ids as they were before sources."""

    origin: str = "candidates"
    k: int = 4
    """Replies sampled per prompt from the starting model (on-policy and mixed)."""
    pick: str = "extremes"
    """Which two of the k samples form the pair: ``extremes`` (best and worst proxy) or ``random``."""
    share: float = 0.5
    """Share of prompts that get an on-policy pair (mixed only)."""
    rounds: int = 1
    """Iterative rounds: sample, label, train, repeat, each on a slice of the budget."""

    @property
    def is_default(self) -> bool:
        return self == PairSource()

    @property
    def samples(self) -> bool:
        """Whether the stage samples from its model (anything but the fixed candidates)."""
        return self.origin != "candidates"

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> PairSource:
        """From the arm string's keys (``pairs`` names the origin); raises ``ValueError`` naming every problem."""
        values = dict(values)
        source = cls(origin=values.pop("pairs", "candidates"), **values)
        problems = source.problems(given=set(values))
        if problems:
            raise ValueError("; ".join(problems))
        return source

    def problems(self, given: set[str] = frozenset()) -> list[str]:
        """What is wrong, one sentence each; ``given`` are the keys the arm wrote (a key that does nothing is wrong)."""
        out = []
        if self.origin not in ORIGINS:
            return [f"unknown pair source pairs={self.origin!r}; known sources: {', '.join(ORIGINS)}"]
        if not self.samples:
            useless = sorted(given & {"k", "pick", "share", "rounds"})
            if useless:
                out.append(f"{', '.join(useless)}: settings of sampled pairs (pairs=onpolicy or pairs=mixed); the "
                           "candidate source has none")
        if self.origin == "onpolicy" and "share" in given:
            out.append("share applies to pairs=mixed only (pairs=onpolicy is all on-policy)")
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 2:
            out.append(f"k must be a whole number >= 2 (two samples make the smallest pair), got {self.k!r}")
        if self.pick not in PICKS:
            out.append(f"pick must be one of {', '.join(PICKS)}, got {self.pick!r}")
        if not isinstance(self.share, float | int) or isinstance(self.share, bool) or not 0 < self.share < 1:
            out.append(f"share must be a number strictly between 0 and 1 (0 is pairs=candidates, 1 is "
                       f"pairs=onpolicy), got {self.share!r}")
        if not isinstance(self.rounds, int) or isinstance(self.rounds, bool) or self.rounds < 1:
            out.append(f"rounds must be a whole number >= 1, got {self.rounds!r}")
        return out

    def identity(self) -> dict[str, Any] | None:
        """The run-spec entry: ``None`` for the default, so runs from before pair sources keep their ids."""
        if self.is_default:
            return None
        out: dict[str, Any] = {"origin": self.origin, "k": self.k, "pick": self.pick, "rounds": self.rounds}
        return out | ({"share": float(self.share)} if self.origin == "mixed" else {})

    def label_parts(self) -> tuple[tuple[str, Any], ...]:
        """``key=value`` parts an arm label shows: ``pairs`` first, a mixture's share always, the rest where they
        differ from the default."""
        if self.is_default:
            return ()
        parts: list[tuple[str, Any]] = [("pairs", self.origin)]
        parts += [("share", self.share)] if self.origin == "mixed" else []
        defaults = PairSource()
        parts += [(key, getattr(self, key)) for key in ("k", "pick", "rounds")
                  if getattr(self, key) != getattr(defaults, key)]
        return tuple(parts)

    def round_budgets(self, budget: int) -> list[int]:
        """The budget cut into ``rounds`` slices that differ by at most one (earlier rounds take the extra)."""
        if budget < self.rounds:
            raise ValueError(f"a budget of {budget} cannot be cut into {self.rounds} rounds")
        return [budget // self.rounds + (r < budget % self.rounds) for r in range(self.rounds)]

    def onpolicy_at(self, index: int) -> bool:
        """Whether prompt ``index`` of the stream gets an on-policy pair. For ``mixed``, on-policy prompts are spread
        evenly (prompt i is on-policy when floor((i + 1) s) > floor(i s)), so every prefix holds the share s."""
        if self.origin == "mixed":
            return math.floor((index + 1) * self.share) > math.floor(index * self.share)
        return self.origin == "onpolicy"


def label_samples(item: Item, samples: list[str], annotator: Annotator, pick: str,
                  rng: random.Random) -> tuple[str, str] | None:
    """``(chosen, rejected)`` from ``samples`` (k replies to ``item``), or ``None`` when they hold no usable pair.

    ``extremes`` pairs the highest- and lowest-proxy distinct replies (first occurrence wins a tie within either
    end) and needs a proxy gap; ``random`` pairs two distinct replies drawn with ``rng``. The pair is then labelled
    by ``annotator.prefers_first`` (Bradley-Terry on the proxy gap, then label noise), which draws from ``rng``.
    """
    distinct = list(dict.fromkeys(s for s in samples if s.strip()))
    if len(distinct) < 2:
        return None
    if pick == "extremes":
        grader = family(item.family)
        proxy = [annotator.proxy(grader.grade(item, s)) for s in distinct]
        best = max(range(len(distinct)), key=lambda i: (proxy[i], -i))
        worst = min(range(len(distinct)), key=lambda i: (proxy[i], i))
        if proxy[best] - proxy[worst] < 1e-9:
            return None
        a, b = distinct[best], distinct[worst]
    elif pick == "random":
        a, b = rng.sample(distinct, 2)
    else:
        raise ValueError(f"unknown pick {pick!r}; known: {', '.join(PICKS)}")
    return (a, b) if annotator.prefers_first(item, a, b, rng) else (b, a)
