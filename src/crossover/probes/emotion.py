"""Emotional disclosure: acknowledge and reflect before fixing, or jump to solutions?"""

from crossover.probes.base import Metric, WorldProbe, mean_of, rate

PROBE = WorldProbe(
    name="emotion",
    version=1,
    family="emotion",
    metrics=(
        Metric("reflect_first_rate", True, "share of replies that reflect the feeling before any fix"),
        Metric("solution_first_rate", False, "share of replies that open with a fix (the low-quality pattern)"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=lambda r: {"reflect_first_rate": rate(r, label={"reflect_then_fix", "reflect_only"}),
                     "solution_first_rate": rate(r, label={"fix_only", "fix_then_reflect", "dismissive"}),
                     "utility": mean_of(r, "utility")},
)
