"""Registry of the wind tunnel's task families: adding one is a new module and one line here."""

from __future__ import annotations

from crossover.world.families.base import Grade, Item, Message, TaskFamily
from crossover.world.families.emotion import Emotion
from crossover.world.families.factual import Factual
from crossover.world.families.harmful import Harmful
from crossover.world.families.intervention import Intervention
from crossover.world.families.premise import Premise
from crossover.world.families.pushback import Pushback
from crossover.world.families.reasoning import Reasoning
from crossover.world.families.roleplay import Roleplay
from crossover.world.families.selfreport import SelfReport
from crossover.world.families.style import Style
from crossover.world.families.unknown import Unknown

FAMILIES: dict[str, TaskFamily] = {f.name: f for f in (
    Factual(), Reasoning(), Unknown(), Pushback(), Premise(), Harmful(), Style(), Emotion(), Roleplay(),
    Intervention(), SelfReport(),
)}


def family(name: str) -> TaskFamily:
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {', '.join(FAMILIES)}") from None


__all__ = ["FAMILIES", "Grade", "Item", "Message", "TaskFamily", "family"]
