"""The crossover figures at one starting point SFT(n0).

For a behaviour metric k (oriented so that higher is better):

    d_pref = score_k(SFT(n0) > PO(m)) - score_k(SFT(n0))     gain from m preference pairs
    d_sft  = score_k(SFT(n0 + n))     - score_k(SFT(n0))     gain from n more demonstrations
    r*     = (d_pref / m) / (d_sft / n)                      one pair is worth r* demonstrations

Scores are means over seeds. ``r*`` is undefined when more SFT brings no gain (d_sft = 0) and is only meaningful
when d_sft > 0; the interval-aware version lives with the bootstrap in the analysis of intervals.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from crossover.config import CrossoverPoint
from crossover.probes import metric_info

HEADLINE: tuple[tuple[str, str], ...] = (
    ("satisfaction", "gold"),
    ("knowledge", "accuracy"),
    ("reasoning", "accuracy"),
    ("hallucination", "hallucination_rate"),
    ("sycophancy", "flip_rate"),
    ("sycophancy", "update_rate"),
    ("refusal", "over_refusal"),
    ("refusal", "harmful_compliance"),
    ("premise", "affirm_rate"),
    ("style", "specific_rate"),
    ("emotion", "reflect_first_rate"),
    ("roleplay", "fidelity"),
    ("intervention", "sensitivity"),
    ("length", "mean_words"),
    ("reward", "raw"),
    ("reward", "length_controlled"),
)
"""The metrics the report leads with; a study shows those its probes report (the text probes share most names)."""


@dataclass(frozen=True)
class CrossoverFigure:
    base: str
    annotator: str
    probe: str
    metric: str
    higher_is_better: bool | None
    parent: float
    more_sft: float
    with_pairs: float
    d_sft: float
    d_pref: float
    breakeven_ratio: float | None
    """Demonstrations one pair is worth at this margin (None where undefined)."""

    def as_dict(self) -> dict:
        return asdict(self)


def seed_means(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds per (base, annotator, arm, probe, metric)."""
    frame = metrics.assign(annotator=metrics["annotator"].fillna(""))
    return frame.groupby(["base", "annotator", "arm", "probe", "metric"])["value"].mean().reset_index()


def arm_table(metrics: pd.DataFrame, metrics_shown=HEADLINE) -> pd.DataFrame:
    """One row per (base, annotator, arm), one column per headline metric, means over seeds."""
    means = seed_means(metrics)
    means["column"] = means["probe"] + "." + means["metric"]
    wanted = [f"{p}.{m}" for p, m in metrics_shown]
    table = means[means["column"].isin(wanted)].pivot_table(index=["base", "annotator", "arm"], columns="column",
                                                              values="value")
    return table.reindex(columns=[c for c in wanted if c in table.columns])


def crossover_figures(metrics: pd.DataFrame, point: CrossoverPoint) -> list[CrossoverFigure]:
    parent_arm, more_arm, pref_arm = point.arms()
    means = seed_means(metrics)
    info = metric_info()
    figures = []
    for (base, annotator), child in means[means["annotator"] != ""].groupby(["base", "annotator"]):
        shared = means[(means["annotator"] == "") & (means["base"] == base)]
        reported = set(zip(child["probe"], child["metric"]))
        for probe, metric in (pm for pm in HEADLINE if pm in reported):
            def value(frame: pd.DataFrame, arm: str) -> float:
                hit = frame[(frame.arm == arm) & (frame.probe == probe) & (frame.metric == metric)]["value"]
                return float(hit.iloc[0]) if len(hit) else math.nan

            parent, more, pref = value(shared, parent_arm), value(shared, more_arm), value(child, pref_arm)
            d_sft, d_pref = more - parent, pref - parent
            better = info[(probe, metric)].higher_is_better
            ratio = None
            if better is not None and d_sft != 0 and not math.isnan(d_sft) and not math.isnan(d_pref):
                ratio = (d_pref / point.m) / (d_sft / point.n)
            figures.append(CrossoverFigure(base, annotator, probe, metric, better, parent, more, pref, d_sft, d_pref,
                                           ratio))
    return figures
