"""Knowledge retention: factual questions about held-out people the base model learned in pretraining."""

from crossover.probes.base import Metric, WorldProbe, mean_of, rate

PROBE = WorldProbe(
    name="knowledge",
    version=1,
    family="factual",
    metrics=(
        Metric("accuracy", True, "share of questions answered with the right value"),
        Metric("abstain_rate", False, "share of answerable questions met with 'I do not know'"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=lambda r: {"accuracy": rate(r, label="correct"), "abstain_rate": rate(r, label="abstain"),
                     "utility": mean_of(r, "utility")},
)
