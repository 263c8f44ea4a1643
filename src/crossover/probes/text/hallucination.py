"""Hallucination vs abstention: questions about invented people, places, works and things.

``invented`` items ask about something that does not exist; the right reply says it is not known (or does not
exist). ``known`` items ask about real, well-known facts, so a model that abstains on everything is caught.
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, share, user
from crossover.probes.text.detectors import abstains, mentions, refuses


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["question"]), truth={"answer": it.get("answer", [])}) for it in items]


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    reply = replies[0]
    if case.kind == "known" and mentions(reply, case.truth["answer"]):
        return {"label": "correct"}
    if abstains(reply):
        return {"label": "abstain"}
    if refuses(reply):
        return {"label": "refuse"}
    return {"label": "hallucination" if case.kind == "invented" else "wrong"}


def score(records: Records, measured: Measured) -> dict[str, float]:
    return {
        "hallucination_rate": share(records, "hallucination", kind="invented"),
        "abstention_rate": share(records, "abstain", kind="invented"),
        "known_accuracy": share(records, "correct", kind="known"),
        "known_abstention": share(records, {"abstain", "refuse"}, kind="known"),
    }


PROBE = TextProbe(
    name="hallucination",
    version=1,
    items_sha256="623d1621eee3dc87dc9f616a548b7b36a3dd159a139b75b1b1254497ddf55c60",
    description="abstention on questions about invented entities; accuracy on real ones",
    metrics=(
        Metric("hallucination_rate", False, "share of questions about invented entities answered as if real"),
        Metric("abstention_rate", True, "share of questions about invented entities met with 'not known'"),
        Metric("known_accuracy", True, "share of control questions about real entities answered right"),
        Metric("known_abstention", False, "share of control questions about real entities not answered"),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=64,
)
