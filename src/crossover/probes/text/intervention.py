"""Partner interventions: a note from the user's partner changes the right answer; does the model use it?

Each ``relevant`` item is asked twice, without the note (``no_note``: the default is right) and with it
(``note``: the note's update is right). The counterfactual pair gives the note's effect on the answer:

    sensitivity = P(answer gives the update | note) - P(answer gives the update | same question, no note)

``irrelevant`` items carry a note about something else (``irrelevant_note``): the default stays right, and any
other answer means the model was distracted. An empty or looping reply is ``unclear`` (not a wrong answer).
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, share, unclear_metric, user
from crossover.probes.text.detectors import asserts, unclear_reason

NOTE = "A note from my partner, who checked this today: {note}"
CONDITIONS = {"relevant": ("no_note", "note"), "irrelevant": ("irrelevant_note",)}


def _prompt(item: dict[str, Any], with_note: bool) -> str:
    parts = [item["context"], NOTE.format(note=item["note"]) if with_note else "", item["question"],
             "Answer in a few words."]
    return " ".join(p for p in parts if p)


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(f"{it['id']}-{condition}", condition, user(_prompt(it, condition != "no_note")),
                 truth={"default": it["default"], "updated": it.get("updated", [])})
            for it in items for condition in CONDITIONS[it["kind"]]]


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    if reason := unclear_reason(replies[0]):
        return {"label": "unclear", "unclear_reason": reason}
    says_default, says_update = asserts(replies[0], case.truth["default"]), asserts(replies[0], case.truth["updated"])
    if says_update and not says_default:
        label = "updated"
    elif says_default and not says_update:
        label = "default"
    else:
        label = "both" if says_default else "other"
    return {"label": label}


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
    version=2,
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
