"""The probe registry: one module per behaviour axis, one line each here."""

from __future__ import annotations

from crossover.probes import hallucination, knowledge, refusal, sycophancy
from crossover.probes.aggregate import LENGTH, SATISFACTION
from crossover.probes.base import DerivedProbe, Metric, WorldProbe

WORLD_PROBES: dict[str, WorldProbe] = {p.name: p for p in (knowledge.PROBE, hallucination.PROBE,
                                                            sycophancy.PROBE, refusal.PROBE)}
DERIVED_PROBES: dict[str, DerivedProbe] = {p.name: p for p in (LENGTH, SATISFACTION)}


def metric_info() -> dict[tuple[str, str], Metric]:
    """(probe, metric) -> Metric, for every metric any probe reports."""
    probes = [*WORLD_PROBES.values(), *DERIVED_PROBES.values()]
    return {(p.name, m.name): m for p in probes for m in p.metrics}


__all__ = ["DERIVED_PROBES", "WORLD_PROBES", "Metric", "metric_info"]
