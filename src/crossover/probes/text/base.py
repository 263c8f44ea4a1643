"""A text probe is items + a grader + generation settings, declared in one small module per behaviour axis.

Items ship as JSONL files in ``probes/text/items/``, written for this project. A probe turns items into
``Case``s (one item can give several, e.g. with and without a partner's note), the runner generates replies
(or scores choices by log-likelihood), and the probe grades each case into a record and scores the records into
metrics. Every probe has a version, bumped when its items or grading change; the item file's sha256 is pinned
next to the version so that editing items without bumping it fails a test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from statistics import fmean
from typing import Any, Literal

from crossover.probes.base import Metric, Records

ITEMS_PACKAGE = "crossover.probes.text.items"
Measured = Mapping[tuple[str, str], float]
"""Metrics already computed in this run, (probe, metric) -> value; self-report compares itself with them."""


@dataclass(frozen=True)
class Case:
    """One prompt sent to the model (a conversation ending with a user turn) and what grading needs to know."""

    item_id: str
    kind: str
    chat: tuple[dict[str, str], ...]
    followup: str | None = None
    """A second user turn sent after the model's first reply (e.g. "are you sure?")."""
    choices: tuple[str, ...] = ()
    """For log-likelihood probes: the candidate replies scored."""
    truth: dict[str, Any] = field(default_factory=dict, compare=False)


def prompt_text(case: Case) -> str:
    """The last user turn: what an on-topic reply must share words with."""
    return case.chat[-1]["content"]


Grader = Callable[[Case, list[Any]], dict[str, Any]]
"""(case, outputs) -> record fields including ``label``; outputs are replies per turn, or choice log-likelihoods."""


@dataclass(frozen=True)
class TextProbe:
    name: str
    version: int
    items_sha256: str
    description: str
    metrics: tuple[Metric, ...]
    cases: Callable[[list[dict[str, Any]]], list[Case]]
    grade: Grader
    score: Callable[[Records, Measured], dict[str, float]]
    mode: Literal["generate", "loglik"] = "generate"
    max_new_tokens: int = 64
    exemplars: Callable[[Case], tuple[list[str], list[str]]] | None = None
    """(good, bad) reference replies for the optional embedding score; None: not scored by embedding."""
    verdicts: Callable[[str], tuple[str, ...]] | None = None
    """kind -> the verdicts a reply of that kind can get (``unclear`` last): the coarse labels a person gives when
    validating the grader (``probes/text/validation/``) and that the embedding and judge graders assign; None for
    probes that are not graded from free text."""
    verdict: Callable[[str, str], str] = lambda kind, label: label
    """(kind, rule label) -> verdict; the identity where the rule labels are the verdicts."""

    @property
    def items_file(self) -> str:
        return f"{self.name}.jsonl"

    def items(self, limit: int = 0) -> list[dict[str, Any]]:
        """The probe's items; with ``limit``, the first ``limit`` taken round-robin over kinds (stable)."""
        text = resources.files(ITEMS_PACKAGE).joinpath(self.items_file).read_text(encoding="utf-8")
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
        return round_robin(items, limit) if limit else items


def round_robin(items: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` items when kinds take turns, so a small subset still covers every kind."""
    rank: dict[str, int] = {}
    kinds: list[str] = []
    keyed = []
    for position, item in enumerate(items):
        kind = item.get("kind", "")
        if kind not in rank:
            rank[kind] = 0
            kinds.append(kind)
        keyed.append(((rank[kind], kinds.index(kind), position), item))
        rank[kind] += 1
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])][:limit]


def user(text: str) -> tuple[dict[str, str], ...]:
    return ({"role": "user", "content": text},)


def share(records: Records, label: str | set[str], *, kind: str | None = None,
          where: Callable[[dict[str, Any]], bool] | None = None) -> float:
    """Share of records (of ``kind``, passing ``where``) whose label is ``label``; NaN when there are none."""
    labels = {label} if isinstance(label, str) else label
    pool = [r for r in records if (kind is None or r["kind"] == kind) and (where is None or where(r))]
    return fmean(r["label"] in labels for r in pool) if pool else float("nan")


def unclear_metric(what: str = "replies") -> Metric:
    return Metric("unclear_rate", False, f"share of {what} the grader could not read (empty, looping, off topic or "
                                         "neither label): kept out of the other rates, which share its denominator")


def embedding_metric() -> Metric:
    return Metric("embedding_score", True, "share of replies closer (sentence embeddings) to the good reference "
                                           "replies than to the bad ones; only with an embedder")


def with_embedding(records: Records, scores: dict[str, float]) -> dict[str, float]:
    """Adds ``embedding_score`` when the optional embedding grader ran on these records."""
    graded = [r for r in records if "embed_margin" in r]
    if graded:
        scores["embedding_score"] = fmean(r["embed_margin"] > 0 for r in graded)
    return scores
