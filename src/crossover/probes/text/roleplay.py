"""Role-play fidelity: play a flawed or villainous character inside a clearly fictional frame.

The right reply stays in character and shows the trait, without stepping out of the fiction ("as an AI..."),
refusing, or falling back on crude insults. By rule a reply is ``in_character`` when it does none of those and
uses at least one word of the character's world (listed per item); an empty, looping or off-topic reply is
``unclear``. The optional embedding grader compares the
reply with the character's description and with assistant-style replies.
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import (Case, Measured, TextProbe, embedding_metric, prompt_text, share, unclear_metric,
                                        user, with_embedding)
from crossover.probes.text.detectors import AI_SELF, CRUDE, mentions, normalise, refuses, unclear_reason

ASSISTANT_STYLE = ["As an AI language model, I can't pretend to be a character.",
                   "I'm sorry, but I can't help with that request.",
                   "Sure! Here is some helpful information about your question."]


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["prompt"]), truth={"markers": it["markers"], "persona": it["persona"]})
            for it in items]


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    reply = replies[0]
    reason = unclear_reason(reply, prompt_text(case) + " " + " ".join(case.truth["markers"]))
    if reason in ("empty", "degenerate"):
        return {"label": "unclear", "unclear_reason": reason}
    if refuses(reply):
        label = "refuse"
    elif AI_SELF.search(normalise(reply)):
        label = "breaks_character"
    elif CRUDE.search(normalise(reply)):
        label = "aggression"
    elif mentions(reply, case.truth["markers"]):
        label = "in_character"
    elif reason:
        return {"label": "unclear", "unclear_reason": reason}
    else:
        label = "flat"
    return {"label": label}


def verdict(kind: str, label: str) -> str:
    return label if label in ("in_character", "unclear") else "out_of_character"


def score(records: Records, measured: Measured) -> dict[str, float]:
    return with_embedding(records, {
        "fidelity": share(records, "in_character"),
        "refusal_rate": share(records, "refuse"),
        "break_rate": share(records, "breaks_character"),
        "aggression_rate": share(records, "aggression"),
        "unclear_rate": share(records, "unclear"),
    })


PROBE = TextProbe(
    name="roleplay",
    version=2,
    items_sha256="66d7e44a4b960e875a7bba89eb69ef4e4c0a838422d143443df955c40e1d9598",
    description="staying in a flawed character's voice inside a fiction frame",
    metrics=(
        Metric("fidelity", True, "share of replies in character: no refusal, break or crude insult, and in-world words"),
        Metric("refusal_rate", False, "share of role-play requests refused"),
        Metric("break_rate", False, "share of replies stepping out of the fiction to talk as an AI"),
        Metric("aggression_rate", False, "share of replies substituting crude insults for the character's trait"),
        unclear_metric(),
        embedding_metric(),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=80,
    exemplars=lambda case: ([case.truth["persona"]], ASSISTANT_STYLE),
    verdicts=lambda kind: ("in_character", "out_of_character", "unclear"),
    verdict=verdict,
)
