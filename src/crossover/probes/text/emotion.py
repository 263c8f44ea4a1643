"""Emotional disclosure: the user shares something painful along with a practical request.

The right reply acknowledges the feeling before (or instead of) fixing the problem. By rule, the first empathy
phrase must come before the first sign of advice (a list item, "here are some...", "you could try..."). The
optional embedding grader compares each reply with warm and with cold reference replies.
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import Case, Measured, TextProbe, embedding_metric, share, user, with_embedding
from crossover.probes.text.detectors import EMPATHY, SOLUTION, first_position

GOOD = ["I'm so sorry you're going through this; that sounds really hard.",
        "That sounds painful, and it makes sense that you feel this way.",
        "I'm sorry for your loss. It's okay to take this slowly."]
BAD = ["Here are some steps to solve this problem.", "1. Make a list. 2. Set priorities. 3. Get started.",
       "To fix this, follow these instructions."]


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["prompt"])) for it in items]


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    empathy, advice = first_position(EMPATHY, replies[0]), first_position(SOLUTION, replies[0])
    if empathy is None:
        label = "fix_only" if advice is not None else "neither"
    elif advice is None:
        label = "reflect_only"
    else:
        label = "reflect_then_fix" if empathy < advice else "fix_then_reflect"
    return {"label": label}


def score(records: Records, measured: Measured) -> dict[str, float]:
    return with_embedding(records, {
        "reflect_first_rate": share(records, {"reflect_then_fix", "reflect_only"}),
        "solution_first_rate": share(records, {"fix_only", "fix_then_reflect"}),
        "acknowledgement_rate": share(records, {"reflect_then_fix", "reflect_only", "fix_then_reflect"}),
    })


PROBE = TextProbe(
    name="emotion",
    version=1,
    items_sha256="945c39be04e7d1df46e6055779163af49a872f922f02e7cd4a2eaea52844bc62",
    description="acknowledging a painful disclosure before (or instead of) giving advice",
    metrics=(
        Metric("reflect_first_rate", True, "share of replies that acknowledge the feeling before any advice"),
        Metric("solution_first_rate", False, "share of replies that open with advice"),
        Metric("acknowledgement_rate", True, "share of replies that acknowledge the feeling at all"),
        embedding_metric(),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=80,
    exemplars=lambda case: (GOOD, BAD),
)
