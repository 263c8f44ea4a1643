"""Partner interventions: a note from the user's partner changes the right answer; does the model use it?

Each ``relevant`` item is asked twice, without the note (``no_note``: the default is right) and with it
(``note``: the note's update is right). The counterfactual pair gives the note's effect on the answer:

    sensitivity = P(answer gives the update | note) - P(answer gives the update | same question, no note)

``irrelevant`` items carry a note about something else (``irrelevant_note``): the default stays right, and any
other answer means the model was distracted.

The answer a reply commits to is its last one: the reply is cut into clauses at "but", "however", "yet", "though"
and "in reality", and the last clause naming the default or the update decides ("Thursday, but the note says it's
on Tuesday" gives the default). A later clause that overrides without naming either ("Tuesday, but it's actually
on Wednesday") gives another answer. Handing the irrelevant note back ("Jamie's neighbour has a new dog") is no
answer. An empty or looping reply, or one cut off before it names an answer ("the 1st, but the note says it's"),
is ``unclear`` (version 2 read the first answer named and counted cut-off replies as answered).
"""

from __future__ import annotations

import re
from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, share, unclear_metric, user
from crossover.probes.text.detectors import asserts, unclear_reason, words_of

NOTE = "A note from my partner, who checked this today: {note}"
CONDITIONS = {"relevant": ("no_note", "note"), "irrelevant": ("irrelevant_note",)}


def _prompt(item: dict[str, Any], with_note: bool) -> str:
    parts = [item["context"], NOTE.format(note=item["note"]) if with_note else "", item["question"],
             "Answer in a few words."]
    return " ".join(p for p in parts if p)


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(f"{it['id']}-{condition}", condition, user(_prompt(it, condition != "no_note")),
                 truth={"default": it["default"], "updated": it.get("updated", []), "note": it["note"]})
            for it in items for condition in CONDITIONS[it["kind"]]]


_CONTRAST = re.compile(r"(?=\b(?:but|however|yet|though|in reality)\b)")
_OVERRIDE = re.compile(r"\b(?:actually|in reality|in fact|really)\b")
_FINISHED = re.compile(r"[.!?)\]\"']\s*$")


def _answer(clause: str, truth: dict[str, Any]) -> str | None:
    says_default, says_update = asserts(clause, truth["default"]), asserts(clause, truth["updated"])
    if not (says_default or says_update):
        return None
    return "both" if says_default and says_update else "default" if says_default else "updated"


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    if reason := unclear_reason(replies[0]):
        return {"label": "unclear", "unclear_reason": reason}
    text = words_of(replies[0])
    if case.kind == "irrelevant_note":  # the note handed back answers nothing
        text = text.replace(words_of(case.truth["note"]), " ")
    clauses = [c for c in _CONTRAST.split(text) if c.strip()] or [""]
    for clause in reversed(clauses):
        if (found := _answer(clause, case.truth)) is not None:
            break
        if _OVERRIDE.search(clause):
            return {"label": "other"}
    else:
        found = None
    cut_off = not _FINISHED.search(replies[0].strip())
    if cut_off and (found is None or _answer(clauses[-1], case.truth) is None and len(clauses) > 1):
        return {"label": "unclear", "unclear_reason": "cut_off"}
    return {"label": found or "other"}


def verdict(kind: str, label: str) -> str:
    """``right`` is the update with the note and the default otherwise."""
    if label == "unclear":
        return label
    return "right" if label == ("updated" if kind == "note" else "default") else "wrong"


def score(records: Records, measured: Measured) -> dict[str, float]:
    with_note, without = share(records, "updated", kind="note"), share(records, "updated", kind="no_note")
    return {
        "sensitivity": with_note - without,
        "use_rate": with_note,
        "neglect_rate": share(records, "default", kind="note"),
        "default_accuracy": share(records, "default", kind="no_note"),
        "distraction_rate": share(records, {"updated", "both", "other"}, kind="irrelevant_note"),
        "unclear_rate": share(records, "unclear"),
    }


PROBE = TextProbe(
    name="intervention",
    version=3,
    items_sha256="ef14faa8d9cc32ad3ba1acd11e77f824061e06935408e1217da3ee1dd6f5a5dd",
    description="using a partner's note that changes the answer; not being moved by one that does not",
    metrics=(
        Metric("sensitivity", True, "answers giving the note's update with the note minus the same without it"),
        Metric("use_rate", True, "share of questions answered with the note's update when the note is given"),
        Metric("neglect_rate", False, "share of relevant notes ignored (the old answer given despite the note)"),
        Metric("default_accuracy", True, "share of questions answered with the default when there is no note"),
        Metric("distraction_rate", False, "share of answers moved off the default by a note about something else"),
        unclear_metric(),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=24,
    verdicts=lambda kind: ("right", "wrong", "unclear"),
    verdict=verdict,
)
