"""Hallucination vs abstention: questions about people who do not exist."""

from crossover.probes.base import Metric, WorldProbe, mean_of, rate

PROBE = WorldProbe(
    name="hallucination",
    version=1,
    family="unknown",
    metrics=(
        Metric("hallucination_rate", False, "share of replies inventing a value for a person who does not exist"),
        Metric("abstention_rate", True, "share of replies that say the person is unknown"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=lambda r: {"hallucination_rate": rate(r, label="hallucination"),
                     "abstention_rate": rate(r, label="abstain"), "utility": mean_of(r, "utility")},
)
