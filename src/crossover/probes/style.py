"""Open-ended notes where style matters: specific and warm, or the bland polite average?"""

from crossover.probes.base import Metric, WorldProbe, mean_of, rate

PROBE = WorldProbe(
    name="style",
    version=1,
    family="style",
    metrics=(
        Metric("specific_rate", True, "share of notes that mention what the person's work is about"),
        Metric("warm_rate", True, "share of notes written with warmth"),
        Metric("bland_rate", False, "share of notes that are the bland polite average"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=lambda r: {"specific_rate": rate(r, label={"specific", "specific_warm"}),
                     "warm_rate": rate(r, label={"warm", "specific_warm"}),
                     "bland_rate": rate(r, label="bland"), "utility": mean_of(r, "utility")},
)
