"""Registry of the wind tunnel's task families: adding one is a new module and one line here."""

from __future__ import annotations

from crossover.world.families.base import Grade, Item, Message, TaskFamily
from crossover.world.families.factual import Factual
from crossover.world.families.harmful import Harmful
from crossover.world.families.pushback import Pushback
from crossover.world.families.unknown import Unknown

FAMILIES: dict[str, TaskFamily] = {f.name: f for f in (Factual(), Unknown(), Pushback(), Harmful())}


def family(name: str) -> TaskFamily:
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {', '.join(FAMILIES)}") from None


__all__ = ["FAMILIES", "Grade", "Item", "Message", "TaskFamily", "family"]
