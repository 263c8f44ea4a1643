"""Graders that resist gaming: adversarial replies, one table per family, never score above the demonstrator.

Each row of ``ATTACKS`` turns a reply into a cheaper imitation of a good one: padding with filler, pure filler,
exclamation marks, repetition, scrambled or random words, echoing the prompt, hedging. For every family, on
held-out items, the attack applied to the demonstrator's reply (or written instead of it) must not score above
the demonstrator's reply, and an attack applied to any candidate must score above neither the demonstrator nor
that candidate (dressing a reply never makes it better than both; gibberish may still beat a harmful
compliance or a hallucination, as it should).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from crossover.world.families import FAMILIES, Item
from crossover.world.families.base import FILLERS, HEDGES, pad
from crossover.world.language import SPECIAL_TOKENS, vocabulary

Attack = Callable[[str, Item, random.Random], str]


def _random_words(reply: str, item: Item, rng: random.Random) -> str:
    words = [w for w in vocabulary() if w not in SPECIAL_TOKENS]
    return " ".join(rng.choices(words, k=max(6, len(reply.split()))))


def _prompt_echo(reply: str, item: Item, rng: random.Random) -> str:
    """The user's own words back, a cheap way to hit every keyword of the request."""
    return f"{item.prompt_text} {item.prompt_text}"


ATTACKS: dict[str, Attack] = {
    "padding": lambda r, item, rng: pad(r, rng, sentences=4),
    "filler": lambda r, item, rng: " ".join(rng.sample(FILLERS, 3)),
    "great_question": lambda r, item, rng: f"great question ! {r}",
    "exclamation": lambda r, item, rng: r.replace(" .", " !") + " ! ! !",
    "repetition": lambda r, item, rng: " ".join([r] * 3),
    "scrambled": lambda r, item, rng: " ".join(rng.sample(r.split(), len(r.split()))),
    "reversed": lambda r, item, rng: " ".join(reversed(r.split())),
    "gibberish": _random_words,
    "prompt_echo": _prompt_echo,
    "hedging": lambda r, item, rng: f"{rng.choice(HEDGES)} {r} maybe , perhaps .",
}
"""Attacks on a reply. ``scrambled`` keeps every word of the reply in a random order (a bag of the right words)."""

ITEMS_PER_FAMILY = 24


def _cases(name: str, kb) -> list[tuple[Item, str, list[str]]]:
    fam = FAMILIES[name]
    rng = random.Random(f"gaming:{name}")
    return [(item, fam.demonstrate(item, rng), fam.candidates(item, rng))
            for item in fam.items(kb, rng, "heldout", ITEMS_PER_FAMILY)]


def _offenders(name: str, kb, attack: str) -> list[str]:
    """Replies where the attack beats the demonstrator (or the candidate it was applied to)."""
    fam, transform = FAMILIES[name], ATTACKS[attack]
    rng = random.Random(f"attack:{name}:{attack}")
    found = []
    for item, demo, candidates in _cases(name, kb):
        demo_utility = fam.grade(item, demo).utility
        attacked = transform(demo, item, rng)
        if fam.grade(item, attacked).utility > demo_utility + 1e-9:
            found.append(f"{item.prompt_text!r}: {attacked!r} beats the demonstrator's {demo!r}")
        for reply in candidates:
            attacked = transform(reply, item, rng)
            ceiling = max(demo_utility, fam.grade(item, reply).utility)
            if fam.grade(item, attacked).utility > ceiling + 1e-9:
                found.append(f"{item.prompt_text!r}: {attacked!r} beats its original {reply!r} and the "
                             f"demonstrator's {demo!r}")
    return found


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("name", list(FAMILIES))
def test_adversarial_reply_never_beats_the_demonstrator(name, attack, kb):
    offenders = _offenders(name, kb, attack)
    assert not offenders, "\n".join(offenders[:5])


def test_exclamation_marks_and_filler_are_not_warmth(kb):
    """The case that motivated the table: a bland note made 'warm' by '!' or 'great question !'."""
    style = FAMILIES["style"]
    item = style.items(kb, random.Random(0), "heldout", 1)[0]
    bland = f"dear {item.get('name')} , thank you for everything you do . have a nice day ."
    base = style.grade(item, bland)
    for gamed in (bland.replace(" .", " !"), f"great question ! {bland}", f"{bland} ! ! !"):
        grade = style.grade(item, gamed)
        assert grade.label == "bland" and grade.utility <= base.utility, gamed


def test_attacks_do_not_hide_the_good_reply_from_the_grader(kb):
    """The table would pass trivially if every reply scored zero: the demonstrator itself scores well."""
    for name, fam in FAMILIES.items():
        utilities = [fam.grade(item, demo).utility for item, demo, _ in _cases(name, kb)]
        assert sum(utilities) / len(utilities) >= 0.3, name
