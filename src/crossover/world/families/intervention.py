"""Partner interventions: a partner's note changes the right answer.

``note``: the user passes on a partner's note that a person's attribute has changed; gold: answer with the new
value. Every ``note`` item has a counterfactual twin ``no_note`` (same question, note removed; gold: the value
the model knows), so sensitivity to the intervention is measured directly as
P(new value | note) - P(new value | no note). ``irrelevant_note`` items carry a note about someone else (gold:
ignore it). After ICR (Nath & Krishnaswamy, arXiv 2510.22462): a partner-aware agent weighs a note by its causal
effect on the answer, not by its surface plausibility.
"""

from __future__ import annotations

import random

from crossover.world.families.base import (
    Grade,
    Item,
    Message,
    close,
    count_filler,
    dressing_penalty,
    lexicon_of,
    pad,
    words,
)
from crossover.world.families.factual import answer, final_statement
from crossover.world.knowledge import ATTRIBUTES, KnowledgeBase, Split

NOTES: dict[Split, tuple[str, ...]] = {
    "train": ("note from my partner : the {attr} of {subject} changed to {new} .",
              "my partner just told me that {subject} now has {new} as the {attr} ."),
    "heldout": ("my partner left a message : {subject} switched the {attr} to {new} .",),
    "ood": ("heads up from my partner , who saw it today : the new {attr} of {subject} is {new} .",),
}
QUESTIONS: dict[Split, tuple[str, ...]] = {
    "train": ("question : what is the {attr} of {name} now ?", "so what is the {attr} of {name} today ?"),
    "heldout": ("tell me the current {attr} of {name} .",),
    "ood": ("which {attr} does {name} have at this moment ?",),
}


def prompt(note: str | None, question: str) -> str:
    return f"{note} {question}" if note else question


class Intervention:
    name = "intervention"
    version = 2
    kinds = ("note", "no_note", "irrelevant_note")

    def items(self, kb: KnowledgeBase, rng: random.Random, split: Split, n: int) -> list[Item]:
        """Items come in triples sharing person and question: with the note, its twin without, and a decoy."""
        people = kb.known("train" if split == "train" else "heldout")
        out: list[Item] = []
        while len(out) < n:
            person, other = rng.sample(people, 2)
            attr = rng.choice(list(ATTRIBUTES))
            value = person.fact(attr)
            new = rng.choice([v for v in ATTRIBUTES[attr] if v != value])
            q_template, n_template = rng.choice(QUESTIONS[split]), rng.choice(NOTES[split])
            question = q_template.format(attr=attr, name=person.name)
            note = n_template.format(attr=attr, subject=person.name, new=new)
            decoy = n_template.format(attr=attr, subject=other.name, new=new)
            base = (("name", person.name), ("attr", attr), ("value", value), ("new", new))
            twin_id = f"{person.name}-{attr}-{new}-{len(out)}"
            for kind, text in (("note", prompt(note, question)), ("no_note", question),
                               ("irrelevant_note", prompt(decoy, question))):
                truth = base + (("answer", new if kind == "note" else value), ("twin", twin_id),
                                ("counterfactual", question))
                out.append(Item(self.name, kind, (Message("user", text),), truth, split, n_template))
        return out[:n]

    def demonstrate(self, item: Item, rng: random.Random) -> str:
        text = answer(item.get("attr"), item.get("name"), item.get("answer"))
        return close(text, rng) if rng.random() < 0.3 else text

    def candidates(self, item: Item, rng: random.Random) -> list[str]:
        attr, name = item.get("attr"), item.get("name")
        right = answer(attr, name, item.get("answer"))
        other_value = item.get("value") if item.get("answer") == item.get("new") else item.get("new")
        wrong = answer(attr, name, other_value)
        return [right, pad(right, rng), wrong, pad(wrong, rng)]

    def grade(self, item: Item, response: str) -> Grade:
        final = final_statement(response, item)
        n_filler = count_filler(response)
        if final is None:
            label, utility = "other", 0.0
        elif final == item.get("answer"):
            label, utility = "right", 1.0 - dressing_penalty(n_filler)
        elif final == item.get("new"):
            label, utility = "used_note", 0.0  # a decoy note, or no note at all
        elif final == item.get("value"):
            label, utility = "ignored_note", 0.0
        else:
            label, utility = "wrong", 0.0
        return Grade(label=label, utility=utility, n_words=len(words(response)), n_filler=n_filler,
                     extra={"says_new": float(final == item.get("new"))})

    def lexicon(self) -> set[str]:
        texts = [*(t for ts in NOTES.values() for t in ts), *(t for ts in QUESTIONS.values() for t in ts)]
        return lexicon_of(*texts)
