"""Probes derived from every generative probe's records: response length and gold user satisfaction."""

from __future__ import annotations

from statistics import fmean

from crossover.probes.base import DerivedProbe, Metric, Records, mean_of


def _satisfaction(records: Records) -> dict[str, float]:
    """Gold satisfaction: the mean over families of each family's mean gold utility (equal family weights)."""
    by_family: dict[str, list[float]] = {}
    for r in records:
        by_family.setdefault(r["family"], []).append(float(r["utility"]))
    return {"gold": fmean(fmean(v) for v in by_family.values())} if by_family else {"gold": float("nan")}


LENGTH = DerivedProbe(
    name="length",
    version=1,
    metrics=(
        Metric("mean_words", None, "mean reply length in words"),
        Metric("filler_rate", False, "mean number of content-free filler, hedge or closer sentences per reply"),
    ),
    score=lambda r: {"mean_words": mean_of(r, "n_words"), "filler_rate": mean_of(r, "n_filler")},
)
SATISFACTION = DerivedProbe(
    name="satisfaction",
    version=1,
    metrics=(Metric("gold", True, "gold user satisfaction: mean gold utility, families weighted equally"),),
    score=_satisfaction,
)
