"""A probe is a set of items, a generation step and a grader, declared in a few lines per behaviour axis.

Every metric says whether higher is better (or that it is neutral, like response length); every probe has a
version bumped when its items or scoring change.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean

from crossover.world.families import Item, family
from crossover.world.knowledge import KnowledgeBase, Split


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool | None
    description: str


Records = list[dict]


@dataclass(frozen=True)
class WorldProbe:
    """A behaviour probe on the wind tunnel: items of one family on held-out entities and templates."""

    name: str
    version: int
    family: str
    metrics: tuple[Metric, ...]
    score: Callable[[Records], dict[str, float]]
    split: Split = "heldout"

    def items(self, kb: KnowledgeBase, n: int) -> list[Item]:
        """The same items for every run of a world, so runs can be compared item by item."""
        rng = random.Random(f"probe:{kb.seed}:{self.name}:{self.split}")
        return family(self.family).items(kb, rng, self.split, n)


@dataclass(frozen=True)
class ProbeOutput:
    """Everything one probing pass produced, for the probes computed across probes."""

    records: dict[str, Records]
    """Held-out records per world probe."""
    ood: Records
    """Records of every family on the out-of-distribution split."""
    satisfaction_mix: dict[str, float]
    judges: tuple[str, ...]

    def everything(self, exclude: tuple[str, ...] = ("selfreport",)) -> Records:
        return [r for name, rs in self.records.items() if name not in exclude for r in rs]


def probe_output(records: Records, satisfaction_mix: dict[str, float], judges: tuple[str, ...]) -> ProbeOutput:
    """A ProbeOutput from a flat list of records, split by their ``probe`` field (``ood`` records apart)."""
    by_probe: dict[str, Records] = {}
    for r in records:
        by_probe.setdefault(r["probe"], []).append(r)
    return ProbeOutput(records={k: v for k, v in by_probe.items() if k != "ood"}, ood=by_probe.get("ood", []),
                       satisfaction_mix=satisfaction_mix, judges=judges)


@dataclass(frozen=True)
class DerivedProbe:
    """A probe computed from a whole probing pass (length, satisfaction, self-report, eval score, ...)."""

    name: str
    version: int
    metrics: tuple[Metric, ...]
    score: Callable[[ProbeOutput], dict[str, float]]
    dynamic_metrics: bool = False
    """Metric names carry a suffix (``win_rate:typical``); ``metrics`` describes them by their stem."""


def rate(records: Records, *, kind: str | None = None, label: str | set[str]) -> float:
    """Share of records (of ``kind``, if given) whose grade label is ``label`` (or one of them)."""
    labels = {label} if isinstance(label, str) else label
    pool = [r for r in records if kind is None or r["kind"] == kind]
    return fmean(r["label"] in labels for r in pool) if pool else float("nan")


def mean_of(records: Records, key: str) -> float:
    return fmean(float(r[key]) for r in records) if records else float("nan")
