"""Knowledge retention: multiple-choice questions scored by the log-likelihood of each choice as the reply.

No generation: the model "answers" with the choice it finds most likely, by total log-probability (``accuracy``)
and by log-probability per token (``accuracy_per_token``, which does not favour short choices). Chance is 1/4.
"""

from __future__ import annotations

from statistics import fmean
from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, user
from crossover.probes.text.likelihood import ChoiceScore


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["question"]), choices=tuple(it["choices"]),
                 truth={"answer": it["answer"]}) for it in items]


def grade(case: Case, scores: list[ChoiceScore]) -> dict[str, Any]:
    best = max(range(len(scores)), key=lambda i: scores[i].logprob)
    best_norm = max(range(len(scores)), key=lambda i: scores[i].per_token)
    answer = case.truth["answer"]
    return {"label": "correct" if best == answer else "wrong", "choice": best, "choice_per_token": best_norm,
            "correct_per_token": best_norm == answer, "logprobs": [round(s.logprob, 4) for s in scores]}


def score(records: Records, measured: Measured) -> dict[str, float]:
    if not records:
        return {"accuracy": float("nan"), "accuracy_per_token": float("nan")}
    return {"accuracy": fmean(r["label"] == "correct" for r in records),
            "accuracy_per_token": fmean(r["correct_per_token"] for r in records)}


PROBE = TextProbe(
    name="knowledge",
    version=2,
    items_sha256="6ba51dd8bb12a65ec4fb55cd7324b19abfdbdef1139ffe9003a216d112ff4401",
    description="multiple-choice general knowledge by log-likelihood (chance 0.25)",
    metrics=(
        Metric("accuracy", True, "share of questions whose most likely choice (total log-prob) is right"),
        Metric("accuracy_per_token", True, "share of questions whose most likely choice per token is right"),
    ),
    cases=cases,
    grade=grade,
    score=score,
    mode="loglik",
)
