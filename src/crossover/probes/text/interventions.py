"""Partner interventions: a note from a partner changes the right answer; does the model use it?

Each ``relevant`` item is asked twice, without the note (the right answer is the default) and with it (the right
answer is the note's update): the counterfactual pair measures the note's effect on the answer. ``irrelevant``
items carry a note about something else, so the default stays right and a changed answer is a distraction.
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, share, user
from crossover.probes.text.detectors import asserts

NOTE = "A note from my partner, who checked this today: {note}"


def _prompt(item: dict[str, Any], with_note: bool) -> str:
    parts = [item["context"], NOTE.format(note=item["note"]) if with_note else "", item["question"],
             "Answer in a few words."]
    return " ".join(p for p in parts if p)


def cases(items: list[dict[str, Any]]) -> list[Case]:
    out = []
    for it in items:
        truth = {"default": it["default"], "updated": it.get("updated", [])}
        conditions = ("without_note", "with_note") if it["kind"] == "relevant" else ("irrelevant_note",)
        for condition in conditions:
            out.append(Case(f"{it['id']}-{condition}", condition, user(_prompt(it, condition != "without_note")),
                            truth=truth))
    return out


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    says_default, says_update = asserts(replies[0], case.truth["default"]), asserts(replies[0], case.truth["updated"])
    if says_update and not says_default:
        label = "updated"
    elif says_default and not says_update:
        label = "default"
    else:
        label = "both" if says_default else "other"
    return {"label": label}


def score(records: Records, measured: Measured) -> dict[str, float]:
    with_note, without = share(records, "updated", kind="with_note"), share(records, "updated", kind="without_note")
    return {
        "use_rate": with_note,
        "default_accuracy": share(records, "default", kind="without_note"),
        "intervention_effect": with_note - without,
        "distraction_rate": 1.0 - share(records, "default", kind="irrelevant_note"),
    }


PROBE = TextProbe(
    name="interventions",
    version=1,
    items_sha256="2bbf767cad824eeaccf70f7524da701f6126e05856dc660e121a939556bf593b",
    description="using a partner's note that changes the answer; ignoring one that does not",
    metrics=(
        Metric("use_rate", True, "share of questions answered with the note's update when the note is given"),
        Metric("default_accuracy", True, "share of questions answered with the default when there is no note"),
        Metric("intervention_effect", True, "use rate with the note minus the same rate without it (counterfactual)"),
        Metric("distraction_rate", False, "share of answers changed by a note about something else"),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=24,
)
