"""Small arithmetic and multi-step logic: the "knowledge and logic" domain SFT is said to own.

``arithmetic``: two or three small numbers joined by plus and minus (the ``ood`` split adds a third operation,
never seen in any training data). ``logic``: do two people share an attribute? The right answer needs both facts
retrieved and compared. Gold: the right final answer, worked step by step; a bare answer is right but thin.
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
    hedge,
    lexicon_of,
    normalise,
    pad,
    words,
)
from crossover.world.knowledge import ATTRIBUTES, KnowledgeBase, Split

MAX_NUMBER = 30
NUMBERS = tuple(str(i) for i in range(MAX_NUMBER + 1))
OPERATIONS = {"plus": lambda a, b: a + b, "minus": lambda a, b: a - b}
ARITHMETIC: dict[Split, tuple[str, ...]] = {
    "train": ("what is {expr} ?", "compute {expr} .", "how much is {expr} ?"),
    "heldout": ("please work out {expr} .", "tell me what {expr} makes ."),
    "ood": ("if you start from {expr} , where do you end ?",),
}
LOGIC: dict[Split, tuple[str, ...]] = {
    "train": ("do {x} and {y} have the same {attr} ?", "is the {attr} of {x} the same as the {attr} of {y} ?"),
    "heldout": ("do {x} and {y} share a {attr} ?",),
    "ood": ("would {x} and {y} agree on which {attr} they have ?",),
}
STEP = "{a} {op} {b} is {r} ."
FINAL = "the answer is {r} ."
COMPARE = "the {attr} of {x} is {v1} and the {attr} of {y} is {v2} , so {verdict} ."


def _steps(numbers: list[int], ops: list[str]) -> tuple[list[str], int]:
    total, steps = numbers[0], []
    for op, n in zip(ops, numbers[1:]):
        new = OPERATIONS[op](total, n)
        steps.append(STEP.format(a=total, op=op, b=n, r=new))
        total = new
    return steps, total


def _expression(rng: random.Random, n_ops: int) -> tuple[list[int], list[str]]:
    """Numbers and operations whose running totals stay within 0..MAX_NUMBER."""
    while True:
        numbers = [rng.randint(0, 12) for _ in range(n_ops + 1)]
        ops = [rng.choice(list(OPERATIONS)) for _ in range(n_ops)]
        total, ok = numbers[0], True
        for op, n in zip(ops, numbers[1:]):
            total = OPERATIONS[op](total, n)
            ok &= 0 <= total <= MAX_NUMBER
        if ok:
            return numbers, ops


def final_answer(text: str) -> str | None:
    """The word after the last 'the answer is' or the last ', so'."""
    tokens = words(text)
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] == "is" and i >= 2 and tokens[i - 2 : i] == ["the", "answer"] and i + 1 < len(tokens):
            return tokens[i + 1]
        if tokens[i] == "so" and i >= 1 and tokens[i - 1] == "," and i + 1 < len(tokens):
            return tokens[i + 1]
    return None


class Reasoning:
    name = "reasoning"
    version = 2
    kinds = ("arithmetic", "logic")

    def items(self, kb: KnowledgeBase, rng: random.Random, split: Split, n: int) -> list[Item]:
        return [self._arithmetic(rng, split) if i % 2 == 0 else self._logic(kb, rng, split) for i in range(n)]

    def _arithmetic(self, rng: random.Random, split: Split) -> Item:
        numbers, ops = _expression(rng, 3 if split == "ood" else rng.choice([1, 2]))
        expr = " ".join([str(numbers[0]), *(f"{op} {n}" for op, n in zip(ops, numbers[1:]))])
        template = rng.choice(ARITHMETIC[split])
        steps, total = _steps(numbers, ops)
        truth = (("answer", str(total)), ("work", " ".join(steps)))
        return Item(self.name, "arithmetic", (Message("user", template.format(expr=expr)),), truth, split, template)

    def _logic(self, kb: KnowledgeBase, rng: random.Random, split: Split) -> Item:
        people = kb.known("train" if split == "train" else "heldout")
        x, y = rng.sample(people, 2)
        attr = rng.choice(list(ATTRIBUTES))
        if rng.random() < 0.5:  # balance yes and no
            matches = [p for p in people if p.fact(attr) == x.fact(attr) and p != x]
            y = rng.choice(matches) if matches else y
        template = rng.choice(LOGIC[split])
        v1, v2 = x.fact(attr), y.fact(attr)
        verdict = "yes" if v1 == v2 else "no"
        work = COMPARE.format(attr=attr, x=x.name, y=y.name, v1=v1, v2=v2, verdict=verdict)
        prompt = template.format(x=x.name, y=y.name, attr=attr)
        return Item(self.name, "logic", (Message("user", prompt),), (("answer", verdict), ("work", work)), split,
                    template)

    def _worked(self, item: Item, answer: str | None = None) -> str:
        right = item.get("answer")
        if answer is None or answer == right:
            work = item.get("work")
            return work if item.kind == "logic" else f"{work} {FINAL.format(r=right)}"
        if item.kind == "logic":
            return item.get("work").rsplit(", so", 1)[0] + f", so {answer} ."
        return f"{item.get('work')} {FINAL.format(r=answer)}"

    def _wrong(self, item: Item, rng: random.Random) -> str:
        if item.kind == "logic":
            return "no" if item.get("answer") == "yes" else "yes"
        right = int(item.get("answer"))
        return str(rng.choice([v for v in (right - 2, right - 1, right + 1, right + 2) if 0 <= v <= MAX_NUMBER]))

    def demonstrate(self, item: Item, rng: random.Random) -> str:
        text = self._worked(item)
        return hedge(text, rng) if rng.random() < 0.3 else (close(text, rng) if rng.random() < 0.3 else text)

    def candidates(self, item: Item, rng: random.Random) -> list[str]:
        wrong = self._wrong(item, rng)
        bare_right = FINAL.format(r=item.get("answer"))
        worked_right, worked_wrong = self._worked(item), self._worked(item, wrong)
        return [worked_right, bare_right, pad(worked_right, rng), worked_wrong, FINAL.format(r=wrong),
                pad(worked_wrong, rng)]

    def grade(self, item: Item, response: str) -> Grade:
        response = normalise(response)
        answer = final_answer(response)
        n_filler = count_filler(response)
        shown = words(response)
        worked = ("plus" in shown or "minus" in shown) if item.kind == "arithmetic" else ", so" in response
        if answer is None:
            label, utility = "other", 0.0
        elif answer == item.get("answer"):
            label, utility = "correct", 1.0 if worked else 0.8
            utility -= dressing_penalty(n_filler)
        else:
            label, utility = "wrong", 0.0
        return Grade(label=label, utility=utility, n_words=len(words(response)), n_filler=n_filler)

    def lexicon(self) -> set[str]:
        texts = [*(t for ts in ARITHMETIC.values() for t in ts), *(t for ts in LOGIC.values() for t in ts),
                 STEP, FINAL, COMPARE, *OPERATIONS, "yes", "no"]
        return lexicon_of(*texts) | set(NUMBERS)
