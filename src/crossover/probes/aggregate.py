"""Probes computed across every generative probe: length, output diversity and gold user satisfaction."""

from __future__ import annotations

from statistics import fmean

from crossover.probes.base import DerivedProbe, Metric, ProbeOutput, Records, mean_of


def satisfaction(records: Records, mix: dict[str, float]) -> float:
    """Gold satisfaction: each family's mean gold utility, averaged with the ``mix`` weights."""
    by_family: dict[str, list[float]] = {}
    for r in records:
        by_family.setdefault(r["family"], []).append(float(r["utility"]))
    weighted = [(mix.get(f, 0.0), fmean(v)) for f, v in by_family.items() if mix.get(f, 0.0) > 0]
    total = sum(w for w, _ in weighted)
    return sum(w * u for w, u in weighted) / total if total else float("nan")


def distinct_2(records: Records) -> float:
    """Distinct bigrams over all bigrams of the replies to each family, averaged over families (Li et al. 2016)."""
    by_family: dict[str, list[str]] = {}
    for r in records:
        by_family.setdefault(r["family"], []).append(r["response"])
    ratios = []
    for replies in by_family.values():
        grams = [tuple(ws[i : i + 2]) for text in replies for ws in [text.split()] for i in range(len(ws) - 1)]
        if grams:
            ratios.append(len(set(grams)) / len(grams))
    return fmean(ratios) if ratios else float("nan")


def rate_longer(records: Records, by: int = 5) -> float:
    """Share of replies at least ``by`` words longer than the demonstrator's reply to the same prompt."""
    return fmean(r["n_words"] >= r["baseline_words"] + by for r in records) if records else float("nan")


LENGTH = DerivedProbe(
    name="length",
    version=1,
    metrics=(
        Metric("mean_words", None, "mean reply length in words"),
        Metric("filler_rate", False, "mean number of content-free filler, hedge or closer sentences per reply"),
        Metric("longer_than_baseline", None, "share of replies at least 5 words longer than the demonstrator's"),
    ),
    score=lambda out: {"mean_words": mean_of(out.everything(), "n_words"),
                       "filler_rate": mean_of(out.everything(), "n_filler"),
                       "longer_than_baseline": rate_longer(out.everything())},
)
DIVERSITY = DerivedProbe(
    name="diversity",
    version=1,
    metrics=(Metric("distinct_2", True, "distinct bigrams / all bigrams of the replies, averaged over families"),),
    score=lambda out: {"distinct_2": distinct_2(out.everything())},
)
SATISFACTION = DerivedProbe(
    name="satisfaction",
    version=2,
    metrics=(Metric("gold", True, "gold user satisfaction: mean gold utility per family, weighted by the mix"),),
    score=lambda out: {"gold": satisfaction(out.everything(), out.satisfaction_mix)},
)
OOD = DerivedProbe(
    name="ood",
    version=1,
    metrics=(
        Metric("utility", True, "gold satisfaction on templates and compositions never seen in any training"),
        Metric("gap", False, "held-out satisfaction minus out-of-distribution satisfaction"),
    ),
    score=lambda out: {"utility": satisfaction(out.ood, out.satisfaction_mix),
                       "gap": satisfaction(out.everything(), out.satisfaction_mix)
                       - satisfaction(out.ood, out.satisfaction_mix)},
)
