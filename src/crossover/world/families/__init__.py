"""Registry of the wind tunnel's task families: adding one is a new module and one line here."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import ModuleType

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


def _world_modules(module: ModuleType) -> set[ModuleType]:
    """``module`` and every wind-tunnel module it takes names from, transitively (templates, dressing, graders)."""
    found: set[ModuleType] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        for value in vars(current).values():
            source = value if isinstance(value, ModuleType) else sys.modules.get(getattr(value, "__module__", ""))
            if source is not None and source.__name__.startswith("crossover.world.") and source not in found:
                todo.append(source)
    return found


def fingerprint(fam: TaskFamily) -> str:
    """A digest of the source of the family's module and of every world module it uses (its templates, the
    shared dressing, the graders' helpers, the knowledge base's attributes).

    It enters every run id, so editing a template or a grader makes earlier runs stale even when nobody bumps
    ``version`` (a comment edit does too: recomputing is the safe side).
    """
    modules = sorted(_world_modules(sys.modules[type(fam).__module__]), key=lambda m: m.__name__)
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.__name__.encode() + b"\0" + Path(module.__file__ or "").read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def family_identities() -> dict[str, str]:
    """Each family's version and source fingerprint, as the run id records them."""
    return {name: f"v{fam.version}:{fingerprint(fam)}" for name, fam in FAMILIES.items()}


def family(name: str) -> TaskFamily:
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {', '.join(FAMILIES)}") from None


__all__ = ["FAMILIES", "Grade", "Item", "Message", "TaskFamily", "family", "family_identities", "fingerprint"]
