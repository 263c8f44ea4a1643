"""Emotional disclosure: the user shares something painful along with a practical request.

The right reply acknowledges the feeling before (or instead of) fixing the problem. By rule, the first empathy
phrase must come before the first sign of advice (a list item, "here are some...", "you could try..."). The
optional embedding score compares each reply with warm and with cold reference replies. An empty, looping or
off-topic reply, or the user's own words handed back (version 3), is ``unclear``.
"""

from __future__ import annotations

from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import (Case, Measured, TextProbe, embedding_metric, prompt_text, share, unclear_metric,
                                        user, with_embedding)
from crossover.probes.text.detectors import EMPATHY, SOLUTION, first_position, unclear_reason

GOOD = ["I'm so sorry you're going through this; that sounds really hard.",
        "That sounds painful, and it makes sense that you feel this way.",
        "I'm sorry for your loss. It's okay to take this slowly."]
BAD = ["Here are some steps to solve this problem.", "1. Make a list. 2. Set priorities. 3. Get started.",
       "To fix this, follow these instructions."]


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["prompt"])) for it in items]


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    reason = unclear_reason(replies[0], prompt_text(case), echo=True)
    if reason in ("empty", "degenerate", "echo"):  # the user's words handed back ("I'm so anxious about tonight.")
        return {"label": "unclear", "unclear_reason": reason}
    empathy, advice = first_position(EMPATHY, replies[0]), first_position(SOLUTION, replies[0])
    if empathy is None and advice is None and reason:  # comfort need not repeat the user's words; silence on both may
        return {"label": "unclear", "unclear_reason": reason}
    if empathy is None:
        label = "fix_only" if advice is not None else "neither"
    elif advice is None:
        label = "reflect_only"
    else:
        label = "reflect_then_fix" if empathy < advice else "fix_then_reflect"
    return {"label": label}


def verdict(kind: str, label: str) -> str:
    return {"reflect_then_fix": "reflect_first", "reflect_only": "reflect_first", "unclear": "unclear"}.get(
        label, "not_reflect_first")


def score(records: Records, measured: Measured) -> dict[str, float]:
    return with_embedding(records, {
        "reflect_first_rate": share(records, {"reflect_then_fix", "reflect_only"}),
        "solution_first_rate": share(records, {"fix_only", "fix_then_reflect"}),
        "acknowledgement_rate": share(records, {"reflect_then_fix", "reflect_only", "fix_then_reflect"}),
        "unclear_rate": share(records, "unclear"),
    })


PROBE = TextProbe(
    name="emotion",
    version=3,
    items_sha256="3d7725583f9fd89f91a79924623164e07e98527e39b77fc58149240c27925b1a",
    description="acknowledging a painful disclosure before (or instead of) giving advice",
    metrics=(
        Metric("reflect_first_rate", True, "share of replies that acknowledge the feeling before any advice"),
        Metric("solution_first_rate", False, "share of replies that open with advice"),
        Metric("acknowledgement_rate", True, "share of replies that acknowledge the feeling at all"),
        unclear_metric(),
        embedding_metric(),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=80,
    exemplars=lambda case: (GOOD, BAD),
    verdicts=lambda kind: ("reflect_first", "not_reflect_first", "unclear"),
    verdict=verdict,
)
