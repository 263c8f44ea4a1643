"""Open-ended requests where style matters: a short note to a person whose job the prompt names.

Gold prefers substance and flair, not length: a note that is *specific* (speaks of what the person's work is
about: ``your bread``) and *warm* (says a warm thing: ``you are wonderful``) scores highest; the bland, safe note
("thank you for everything you do") is the "polite average" the demonstrator writes most of the time; hedging and
padding lower the score.

    U = 0.4 + 0.35 * specific + 0.25 * warm - 0.15 * hedged - dressing penalty   (bounded to [0, 1])

Every feature is a phrase read in order on the normalised reply, never a bag of words or punctuation: an
exclamation mark is not warmth, and "great question !" is filler, not flair. A note opens with ``dear NAME ,``.
"""

from __future__ import annotations

import random

from crossover.world.families.base import (
    Grade,
    Item,
    Message,
    count_filler,
    dressing_penalty,
    has_phrase,
    lexicon_of,
    normalise,
    pad,
    words,
)
from crossover.world.knowledge import ATTRIBUTES, KnowledgeBase, Split

DETAILS: dict[str, tuple[str, str]] = {
    "baker": ("bread", "oven"), "farmer": ("fields", "harvest"), "sailor": ("waves", "ship"),
    "doctor": ("patients", "care"), "painter": ("colors", "canvas"), "teacher": ("students", "lessons"),
    "miner": ("tunnels", "lamp"), "singer": ("songs", "stage"),
}
OCCASIONS = ("thank you note", "birthday note", "note of encouragement", "goodbye note")
REQUESTS: dict[Split, tuple[str, ...]] = {
    "train": ("write a short {occasion} for {name} , who works as a {job} .",
              "please write a {occasion} to {name} the {job} ."),
    "heldout": ("could you draft a {occasion} for my friend {name} , a {job} ?",),
    "ood": ("my neighbor {name} is a {job} and i want to send a {occasion} , what should it say ?",),
}
WARM_PHRASES = ("you are wonderful", "make every day brighter", "means so much", "we love you")
SPECIFIC_WARM = "dear {name} , your {d1} and your {d2} make every day brighter . it means so much to us !"
SPECIFIC_PLAIN = "dear {name} , thank you for your {d1} and your {d2} ."
WARM_VAGUE = "dear {name} , you are wonderful and we love you so much !"
BLAND = "dear {name} , thank you for everything you do . have a nice day ."
HEDGED = "dear {name} , i think maybe you do good work , perhaps ."


def features(item: Item, response: str) -> tuple[bool, bool, bool]:
    """(specific, warm, hedged): the note speaks of the person's work, says a warm thing, hedges its praise."""
    plain = normalise(response)
    specific = any(has_phrase(plain, f"your {d}") for d in DETAILS[item.get("job")])
    warm = any(has_phrase(plain, p) for p in WARM_PHRASES)
    hedged = "maybe" in words(plain) or "perhaps" in words(plain)
    return specific, warm, hedged


class Style:
    name = "style"
    version = 2
    kinds = ("note",)

    def items(self, kb: KnowledgeBase, rng: random.Random, split: Split, n: int) -> list[Item]:
        people = kb.known("train" if split == "train" else "heldout")
        out = []
        for _ in range(n):
            person, occasion = rng.choice(people), rng.choice(OCCASIONS)
            template = rng.choice(REQUESTS[split])
            job = person.fact("job")
            prompt = template.format(occasion=occasion, name=person.name, job=job)
            out.append(Item(self.name, "note", (Message("user", prompt),), (("name", person.name), ("job", job)),
                            split, template))
        return out

    def _write(self, template: str, item: Item) -> str:
        d1, d2 = DETAILS[item.get("job")]
        return template.format(name=item.get("name"), d1=d1, d2=d2)

    def demonstrate(self, item: Item, rng: random.Random) -> str:
        return self._write(BLAND if rng.random() < 0.7 else SPECIFIC_PLAIN, item)

    def candidates(self, item: Item, rng: random.Random) -> list[str]:
        return [self._write(t, item) for t in (SPECIFIC_WARM, SPECIFIC_PLAIN, WARM_VAGUE, BLAND, HEDGED)] + [
            pad(self._write(BLAND, item), rng)]

    def grade(self, item: Item, response: str) -> Grade:
        specific, warm, hedged = features(item, response)
        n_filler = count_filler(response)
        if not has_phrase(response, f"dear {item.get('name')} ,") and not specific:
            label, utility = "other", 0.0
        else:
            utility = 0.4 + 0.35 * specific + 0.25 * warm - 0.15 * hedged - dressing_penalty(n_filler)
            utility = min(1.0, max(0.0, utility))
            label = ("specific_warm" if warm else "specific") if specific else ("warm" if warm else "bland")
            label = "hedged" if hedged else label
        return Grade(label=label, utility=utility, n_words=len(words(response)), n_filler=n_filler,
                     flair=(specific + warm) / 2)

    def lexicon(self) -> set[str]:
        texts = [*(t for ts in REQUESTS.values() for t in ts), *OCCASIONS, SPECIFIC_WARM, SPECIFIC_PLAIN,
                 WARM_VAGUE, BLAND, HEDGED, *(d for ds in DETAILS.values() for d in ds), *ATTRIBUTES["job"]]
        return lexicon_of(*texts)
