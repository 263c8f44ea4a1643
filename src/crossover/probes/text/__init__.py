"""Text probes for real models: one module per behaviour axis, one line each here (self-report last, since it
compares itself with what the others measured)."""

from __future__ import annotations

from crossover.probes.base import Metric
from crossover.probes.text import (emotion, hallucination, intervention, knowledge, premise, refusal, roleplay,
                                   selfreport, sycophancy)
from crossover.probes.text.base import TextProbe

TEXT_PROBES: dict[str, TextProbe] = {p.name: p for p in (
    knowledge.PROBE, sycophancy.PROBE, premise.PROBE, refusal.PROBE, hallucination.PROBE, emotion.PROBE,
    roleplay.PROBE, intervention.PROBE, selfreport.PROBE)}

LENGTH_METRICS = (Metric("mean_words", None, "mean reply length in words over every generated reply"),)
SCORED_METRICS = (
    Metric("raw", True, "mean score over every generated reply"),
    Metric("length_controlled", True, "score predicted at the reference length by a per-run linear fit on length"),
    Metric("length_slope", None, "change in score per extra word of reply (the fit's slope)"),
)
DERIVED_TEXT_METRICS: dict[str, tuple[Metric, ...]] = {"length": LENGTH_METRICS, "reward": SCORED_METRICS,
                                                       "judge": SCORED_METRICS}
"""Probes computed over the records of all generative text probes."""


def text_metric_info() -> dict[tuple[str, str], Metric]:
    """(probe, metric) -> Metric for every metric the text probes report. Where a name is also a wind-tunnel
    metric (``sycophancy.flip_rate``) it means the same behaviour and points the same way (tested)."""
    info = {(p.name, m.name): m for p in TEXT_PROBES.values() for m in p.metrics}
    return info | {(name, m.name): m for name, metrics in DERIVED_TEXT_METRICS.items() for m in metrics}


__all__ = ["DERIVED_TEXT_METRICS", "TEXT_PROBES", "TextProbe", "text_metric_info"]
