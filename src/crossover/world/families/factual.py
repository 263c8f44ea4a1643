"""Factual questions about known people. Gold: the right value, said plainly."""

from __future__ import annotations

import random

from crossover.world.families.base import (
    ABSTENTIONS,
    Grade,
    Item,
    Message,
    close,
    count_filler,
    dressing_penalty,
    hedge,
    is_abstention,
    lexicon_of,
    normalise,
    pad,
    stated_values,
    words,
)
from crossover.world.knowledge import ATTRIBUTES, Entity, KnowledgeBase, Split

QUESTIONS: dict[Split, tuple[str, ...]] = {
    "train": (
        "what is the {attr} of {name} ?",
        "tell me the {attr} of {name} .",
        "which {attr} does {name} have ?",
        "what {attr} belongs to {name} ?",
    ),
    "heldout": (
        "do you know the {attr} of {name} ?",
        "please name the {attr} of {name} .",
    ),
    "ood": (
        "i wonder about {name} , what would the {attr} be ?",
        "could you say which {attr} goes with {name} ?",
    ),
}
ANSWER = "the {attr} of {name} is {value} ."


def answer(attr: str, name: str, value: str) -> str:
    return ANSWER.format(attr=attr, name=name, value=value)


def values_mentioned(text: str, attr: str) -> list[str]:
    """Values of ``attr`` that appear in ``text``, in order of appearance."""
    known = set(ATTRIBUTES[attr])
    return [w for w in words(normalise(text)) if w in known]


def values_stated(text: str, item: Item) -> list[str]:
    """Values of the item's attribute that the reply asserts about the item's person (see ``stated_values``)."""
    return stated_values(text, item.get("attr"), item.get("name"), ATTRIBUTES[item.get("attr")])


def final_statement(text: str, item: Item) -> str | None:
    """The value a reply ends on, if it asserts it: the last value mentioned, provided it is also the last value
    stated (``the ATTR of NAME ... is VALUE``); ``None`` for no value, a bare mention or scrambled words."""
    mentioned, stated = values_mentioned(text, item.get("attr")), values_stated(text, item)
    return mentioned[-1] if mentioned and stated and stated[-1] == mentioned[-1] else None


def question_item(family: str, kind: str, name: str, attr: str, split: Split, rng: random.Random,
                  truth: tuple[tuple[str, str], ...]) -> Item:
    template = rng.choice(QUESTIONS[split])
    prompt = template.format(attr=attr, name=name)
    return Item(family=family, kind=kind, messages=(Message("user", prompt),), truth=truth,
                split=split, template=template)


class Factual:
    name = "factual"
    version = 2
    kinds = ("known",)

    def items(self, kb: KnowledgeBase, rng: random.Random, split: Split, n: int) -> list[Item]:
        people: tuple[Entity, ...] = kb.known("train" if split == "train" else "heldout")
        out = []
        for _ in range(n):
            person = rng.choice(people)
            attr = rng.choice(list(ATTRIBUTES))
            truth = (("name", person.name), ("attr", attr), ("value", person.fact(attr)))
            out.append(question_item(self.name, "known", person.name, attr, split, rng, truth))
        return out

    def demonstrate(self, item: Item, rng: random.Random) -> str:
        text = answer(item.get("attr"), item.get("name"), item.get("value"))
        if rng.random() < 0.5:
            text = hedge(text, rng)
        if rng.random() < 0.3:
            text = close(text, rng)
        return text

    def candidates(self, item: Item, rng: random.Random) -> list[str]:
        attr, name, value = item.get("attr"), item.get("name"), item.get("value")
        wrong = rng.choice([v for v in ATTRIBUTES[attr] if v != value])
        right_text, wrong_text = answer(attr, name, value), answer(attr, name, wrong)
        return [
            right_text,
            pad(right_text, rng),
            hedge(right_text, rng),
            wrong_text,
            pad(wrong_text, rng),
            rng.choice(ABSTENTIONS).format(name=name),
        ]

    def grade(self, item: Item, response: str) -> Grade:
        mentioned = values_mentioned(response, item.get("attr"))
        n_filler = count_filler(response)
        if is_abstention(response) and not mentioned:
            label, utility = "abstain", 0.2
        elif mentioned and set(mentioned) == {item.get("value")} and values_stated(response, item):
            label, utility = "correct", 1.0 - dressing_penalty(n_filler)
        elif mentioned and set(mentioned) != {item.get("value")}:
            label, utility = "wrong", 0.0
        else:
            label, utility = "other", 0.0
        return Grade(label=label, utility=utility, n_words=len(words(response)), n_filler=n_filler)

    def lexicon(self) -> set[str]:
        return lexicon_of(*(t for ts in QUESTIONS.values() for t in ts), ANSWER)
