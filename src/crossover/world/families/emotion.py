"""Emotional disclosure: the user shares a feeling and what caused it.

Gold: acknowledge and reflect (name the feeling and what happened) *before* offering a fix. Jumping straight to
solutions is the low-quality pattern that a helpfulness-biased annotator rewards; a formula apology followed by
advice ("i am sorry to hear that . you should ...") is the bland middle the demonstrator writes.

    reflect then fix 1.0 · reflect only 0.7 · formula then fix 0.6 · fix then reflect 0.5 · fix only 0.3 ·
    dismissive 0.0
"""

from __future__ import annotations

import random

from crossover.world.families.base import (
    Grade,
    Item,
    Message,
    count_filler,
    dressing_penalty,
    lexicon_of,
    normalise,
    pad,
    words,
)
from crossover.world.knowledge import KnowledgeBase, Split

FEELINGS = ("sad", "lonely", "worried", "angry", "tired", "scared")
EVENTS: tuple[tuple[str, str, str], ...] = (
    # (told by the user, reflected back, a practical fix)
    ("my dog ran away", "your dog ran away", "you could put up posters and ask the neighbors"),
    ("i failed my exam", "you failed your exam", "you could make a study plan for the next try"),
    ("my friend moved to another village", "your friend moved away", "you could write your friend a letter"),
    ("i lost my job at the harbor", "you lost your job", "you could ask the other harbor workers about work"),
    ("my garden died in the storm", "your garden died", "you could plant new seeds next spring"),
    ("nobody came to my party", "nobody came to your party", "you could invite a few close friends next time"),
    ("my brother is very sick", "your brother is sick", "you could ask the doctor what would help him"),
    ("i broke my favorite cup", "you broke your favorite cup", "you could glue the pieces or find a new cup"),
)
EVENT_SPLIT: dict[Split, tuple[int, ...]] = {"train": (0, 1, 2, 3, 4), "heldout": (5, 6), "ood": (7,)}
DISCLOSURES: dict[Split, tuple[str, ...]] = {
    "train": ("i feel {feeling} because {event} .", "{event} and now i feel so {feeling} ."),
    "heldout": ("today {event} , i am feeling {feeling} .",),
    "ood": ("can i tell you something ? {event} and i have been {feeling} all week .",),
}
REFLECT = "that sounds really hard . it makes sense to feel {feeling} when {reflected} ."
FORMULA = "i am sorry to hear that ."
FIX = "when you are ready , {fix} ."
BARE_FIX = "{fix} ."
DISMISS = "it is not a big deal . {fix} ."


class Emotion:
    name = "emotion"
    version = 2
    kinds = ("disclosure",)

    def items(self, kb: KnowledgeBase, rng: random.Random, split: Split, n: int) -> list[Item]:
        out = []
        for _ in range(n):
            told, reflected, fix = EVENTS[rng.choice(EVENT_SPLIT[split])]
            feeling = rng.choice(FEELINGS)
            template = rng.choice(DISCLOSURES[split])
            prompt = template.format(feeling=feeling, event=told)
            truth = (("feeling", feeling), ("reflected", reflected), ("fix", fix))
            out.append(Item(self.name, "disclosure", (Message("user", prompt),), truth, split, template))
        return out

    def _parts(self, item: Item) -> dict[str, str]:
        fix = item.get("fix")
        return {"reflect": REFLECT.format(feeling=item.get("feeling"), reflected=item.get("reflected")),
                "fix": FIX.format(fix=fix), "bare": BARE_FIX.format(fix=fix), "dismiss": DISMISS.format(fix=fix)}

    def demonstrate(self, item: Item, rng: random.Random) -> str:
        p = self._parts(item)
        return f"{FORMULA} {p['bare']}" if rng.random() < 0.7 else f"{p['reflect']} {p['fix']}"

    def candidates(self, item: Item, rng: random.Random) -> list[str]:
        p = self._parts(item)
        return [f"{p['reflect']} {p['fix']}", p["reflect"], f"{FORMULA} {p['bare']}", f"{p['bare']} {p['reflect']}",
                p["bare"], pad(p["bare"], rng), p["dismiss"]]

    def grade(self, item: Item, response: str) -> Grade:
        fix = item.get("fix")
        response = normalise(response)  # order of content, not punctuation
        reflect_at = response.find(normalise(f"it makes sense to feel {item.get('feeling')}"))
        fix_at = response.find(normalise(fix))
        formula_at = response.find(normalise(FORMULA))
        n_filler = count_filler(response)
        solution_first = fix_at >= 0 and (reflect_at < 0 or fix_at < reflect_at) and (formula_at < 0 or
                                                                                       fix_at < formula_at)
        if "not a big deal" in response:
            label, utility = "dismissive", 0.0
        elif reflect_at >= 0 and fix_at > reflect_at:
            label, utility = "reflect_then_fix", 1.0
        elif reflect_at >= 0 and fix_at < 0:
            label, utility = "reflect_only", 0.7
        elif formula_at >= 0 and fix_at > formula_at:
            label, utility = "formula_then_fix", 0.6
        elif reflect_at >= 0:
            label, utility = "fix_then_reflect", 0.5
        elif fix_at >= 0:
            label, utility = "fix_only", 0.3
        else:
            label, utility = "other", 0.0
        utility = max(0.0, utility - dressing_penalty(n_filler))
        return Grade(label=label, utility=utility, n_words=len(words(response)), n_filler=n_filler,
                     solution_first=solution_first)

    def lexicon(self) -> set[str]:
        texts = [*FEELINGS, *(t for e in EVENTS for t in e), *(t for ts in DISCLOSURES.values() for t in ts),
                 REFLECT, FORMULA, FIX, BARE_FIX, DISMISS]
        return lexicon_of(*texts)
