"""Text probes for real models: one module per behaviour axis, one line each here (self-report last, since it
compares itself with what the others measured)."""

from __future__ import annotations

from crossover.probes.base import Metric
from crossover.probes.text import (emotional, hallucination, interventions, knowledge, refusal, roleplay,
                                   self_report, sycophancy)
from crossover.probes.text.base import TextProbe

TEXT_PROBES: dict[str, TextProbe] = {p.name: p for p in (
    knowledge.PROBE, sycophancy.PROBE, refusal.PROBE, hallucination.PROBE, emotional.PROBE, roleplay.PROBE,
    interventions.PROBE, self_report.PROBE)}

LENGTH_METRICS = (Metric("mean_words", None, "mean reply length in words over every generated reply"),)
SCORED_METRICS = (
    Metric("raw", True, "mean score over every generated reply"),
    Metric("length_controlled", True, "score predicted at the reference length by a per-run linear fit on length"),
    Metric("length_slope", None, "change in score per extra word of reply (the fit's slope)"),
)
DERIVED_TEXT_METRICS: dict[str, tuple[Metric, ...]] = {"length": LENGTH_METRICS, "reward": SCORED_METRICS,
                                                       "judge": SCORED_METRICS}
"""Probes computed over the records of all generative text probes."""

__all__ = ["DERIVED_TEXT_METRICS", "TEXT_PROBES", "TextProbe"]
