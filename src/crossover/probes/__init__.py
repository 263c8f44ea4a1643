"""The probe registry: one module per behaviour axis, one line each here."""

from __future__ import annotations

from crossover.probes import (
    emotion,
    hallucination,
    intervention,
    knowledge,
    premise,
    reasoning,
    refusal,
    roleplay,
    selfreport,
    style,
    sycophancy,
)
from crossover.probes.aggregate import DIVERSITY, LENGTH, OOD, SATISFACTION
from crossover.probes.base import DerivedProbe, Metric, WorldProbe
from crossover.probes.eval_score import EVAL
from crossover.world.families import Item
from crossover.world.knowledge import KnowledgeBase

WORLD_PROBES: dict[str, WorldProbe] = {p.name: p for p in (
    knowledge.PROBE, reasoning.PROBE, hallucination.PROBE, sycophancy.PROBE, premise.PROBE, refusal.PROBE,
    style.PROBE, emotion.PROBE, roleplay.PROBE, intervention.PROBE, selfreport.QUESTIONS,
)}
DERIVED_PROBES: dict[str, DerivedProbe] = {p.name: p for p in (
    LENGTH, DIVERSITY, SATISFACTION, OOD, EVAL, selfreport.SUMMARY,
)}


def probe_items(kb: KnowledgeBase, n: int) -> dict[str, list[Item]]:
    """Each world probe's ``n`` held-out items, the ones every run of this world is probed on."""
    return {name: probe.items(kb, n) for name, probe in WORLD_PROBES.items()}


def metric_info() -> dict[tuple[str, str], Metric]:
    """(probe, metric) -> Metric for every metric a probe reports; suffixed names (``win_rate:typical``) are
    looked up by their stem, so use ``describe`` for those."""
    from crossover.probes.text import text_metric_info  # late: the text probes import this package's modules

    probes = [*WORLD_PROBES.values(), *DERIVED_PROBES.values()]
    return text_metric_info() | {(p.name, m.name): m for p in probes for m in p.metrics}


def describe(probe: str, metric: str) -> Metric | None:
    """The Metric behind a reported (probe, metric) pair, or None if no probe reports it."""
    return metric_info().get((probe, metric.split(":", 1)[0]))


__all__ = ["DERIVED_PROBES", "WORLD_PROBES", "Metric", "describe", "metric_info", "probe_items"]
