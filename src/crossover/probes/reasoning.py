"""Small arithmetic and multi-step logic over known facts (the domain SFT is said to own)."""

from crossover.probes.base import Metric, WorldProbe, mean_of, rate

PROBE = WorldProbe(
    name="reasoning",
    version=1,
    family="reasoning",
    metrics=(
        Metric("accuracy", True, "share of arithmetic and logic questions with the right final answer"),
        Metric("arithmetic_accuracy", True, "share of arithmetic questions answered right"),
        Metric("logic_accuracy", True, "share of same-attribute questions answered right"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=lambda r: {"accuracy": rate(r, label="correct"),
                     "arithmetic_accuracy": rate(r, kind="arithmetic", label="correct"),
                     "logic_accuracy": rate(r, kind="logic", label="correct"), "utility": mean_of(r, "utility")},
)
