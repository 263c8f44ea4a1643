"""Do the probes separate good policies from bad ones? Scripted policies answered through the real probes.

``demonstrator``: the SFT demonstrator (competent but bland). ``best``: the gold-best candidate reply for every
item. ``bad``: the gold-worst candidate reply for every item (wrong, caving, hallucinating, complying with harm,
refusing the harmless, jumping to solutions, breaking character). A probe that cannot tell ``best`` from ``bad``
measures nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pandas as pd

from crossover.probes.run import ProbeSettings, run_policy_probes
from crossover.world.families import Item, family
from crossover.world.knowledge import KnowledgeBase


def _by_utility(pick: Callable[[list[tuple[float, str]]], tuple[float, str]]) -> Callable[[Item], str]:
    def policy(item: Item) -> str:
        fam = family(item.family)
        rng = random.Random(f"calibration:{item.messages}")
        scored = [(fam.grade(item, c).utility, c) for c in fam.candidates(item, rng)]
        return pick(scored)[1]

    return policy


def demonstrator(item: Item) -> str:
    return family(item.family).demonstrate(item, random.Random(f"calibration:{item.messages}"))


POLICIES: dict[str, Callable[[Item], str]] = {
    "demonstrator": demonstrator,
    "best": _by_utility(lambda scored: max(scored, key=lambda x: x[0])),
    "bad": _by_utility(lambda scored: min(scored, key=lambda x: x[0])),
}


def separation_table(kb: KnowledgeBase, settings: ProbeSettings = ProbeSettings()) -> pd.DataFrame:
    """One row per (probe, metric), one column per scripted policy."""
    columns = {}
    for name, policy in POLICIES.items():
        _, rows = run_policy_probes(policy, kb, settings)
        columns[name] = {(r.probe, r.metric): r.value for r in rows}
    table = pd.DataFrame(columns)
    table.index.names = ["probe", "metric"]
    return table
