"""Are the probes unseen? Find held-out and out-of-distribution prompts in a corpus.

The probes ask about ``heldout`` people with ``heldout`` templates and compositions; the ``ood`` split's templates
and compositions appear in no training data at all. A corpus (pretraining text, SFT prompts, preference prompts)
is contaminated if any text in it was written from one of those templates, names one of those compositions (a
harmful verb with a held-out object, a held-out life event or quest goal), or puts a held-out person in a dialogue.
Held-out people's *facts* may appear as prose: knowledge probes then test retrieval, not memorised prompts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from crossover.world.families import FAMILIES
from crossover.world.families.emotion import EVENT_SPLIT, EVENTS
from crossover.world.families.harmful import compositions
from crossover.world.families.roleplay import GOAL_SPLIT
from crossover.world.knowledge import KnowledgeBase, Split

UNSEEN: tuple[Split, ...] = ("heldout", "ood")


def _split_tables(module: ModuleType) -> list[dict]:
    """The module's template tables: dicts keyed by every split (``QUESTIONS``, ``REQUESTS``, ...)."""
    return [v for v in vars(module).values() if isinstance(v, dict) and {"train", "heldout", "ood"} <= set(v)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _strings(v)]
    return []


def split_templates(split: Split) -> set[str]:
    """Every prompt template the families keep for ``split`` (read from their split-keyed tables)."""
    import sys

    found: set[str] = set()
    for fam in FAMILIES.values():
        module = sys.modules[type(fam).__module__]
        for table in _split_tables(module):
            found |= set(_strings(table[split]))
    return found


@dataclass(frozen=True)
class Marker:
    """One thing an unseen split owns: a template (matched with its slots as wildcards) or a literal phrase."""

    what: str
    text: str
    pattern: re.Pattern[str]
    anchor: str
    """The template's longest literal fragment: a cheap substring test before the regular expression."""

    def found_in(self, line: str) -> bool:
        return self.anchor in line and self.pattern.search(line) is not None


def _template_marker(template: str, split: Split) -> Marker:
    parts = re.split(r"\{[a-z0-9_]+\}", template)
    pattern = re.compile(r"(?<!\S)" + r"\S.*?".join(re.escape(p) for p in parts))
    return Marker(f"{split} prompt", template, pattern, max(parts, key=len))


def _phrase_marker(what: str, phrase: str) -> Marker:
    return Marker(what, phrase, re.compile(r"(?<!\S)" + re.escape(phrase) + r"(?!\S)"), phrase)


def unseen_markers(kb: KnowledgeBase) -> list[Marker]:
    """Templates and compositions of the held-out and out-of-distribution splits, and held-out people."""
    markers = [_template_marker(t, split) for split in UNSEEN for t in sorted(split_templates(split))]
    for split in UNSEEN:
        for kind in ("harmful", "harmless"):
            markers += [_phrase_marker(f"{split} {kind} composition", f"{verb} {obj}")
                        for verb, obj in compositions(kind, split)]
        markers += [_phrase_marker(f"{split} event", EVENTS[i][0]) for i in EVENT_SPLIT[split]]
        markers += [_phrase_marker(f"{split} goal", goal) for goal in GOAL_SPLIT[split]]
    return markers


def contaminated(lines: Iterable[str], kb: KnowledgeBase, prose: re.Pattern[str] | None = None,
                 limit: int = 10) -> list[tuple[str, str]]:
    """Up to ``limit`` (line, what it shows) pairs of lines that contain an unseen prompt.

    ``prose`` matches lines that are fact prose: held-out people may appear there, but nowhere else.
    """
    markers = unseen_markers(kb)
    heldout_people = {e.name for e in kb.known("heldout")} | set(kb.unknown_names("heldout")) | \
        set(kb.unknown_names("ood"))
    found: list[tuple[str, str]] = []
    for line in lines:
        hit = next((f"{m.what}: {m.text!r}" for m in markers if m.found_in(line)), None)
        if hit is None and not (prose is not None and prose.fullmatch(line)):
            person = next((w for w in line.split() if w in heldout_people), None)
            hit = f"held-out person {person!r} outside fact prose" if person else None
        if hit is not None:
            found.append((line, hit))
            if len(found) >= limit:
                break
    return found
