"""The headline metrics and the every-arm table of means over seeds.

The crossover figures themselves (d_pref, d_sft, r* with intervals) live in ``breakeven.py``; the crossover
budget in ``allocation.py``.
"""

from __future__ import annotations

import pandas as pd

HEADLINE: tuple[tuple[str, str], ...] = (
    ("satisfaction", "gold"),
    ("knowledge", "accuracy"),
    ("reasoning", "accuracy"),
    ("hallucination", "hallucination_rate"),
    ("sycophancy", "flip_rate"),
    ("sycophancy", "update_rate"),
    ("premise", "affirm_rate"),
    ("refusal", "over_refusal"),
    ("refusal", "harmful_compliance"),
    ("style", "specific_rate"),
    ("emotion", "reflect_first_rate"),
    ("roleplay", "fidelity"),
    ("intervention", "sensitivity"),
    ("eval", "win_rate"),
    ("eval", "lc_win_rate"),
    ("ood", "utility"),
    ("diversity", "distinct_2"),
    ("length", "mean_words"),
    ("reward", "raw"),
    ("reward", "length_controlled"),
)
"""Metrics shown first, in this order, wherever the study reported them."""


def seed_means(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds per (base, annotator, arm, probe, metric)."""
    frame = metrics.assign(annotator=metrics["annotator"].fillna(""))
    return frame.groupby(["base", "annotator", "arm", "probe", "metric"])["value"].mean().reset_index()


def arm_table(metrics: pd.DataFrame, metrics_shown=HEADLINE) -> pd.DataFrame:
    """One row per (base, annotator, arm), one column per headline metric present, means over seeds."""
    means = seed_means(metrics)
    means["column"] = means["probe"] + "." + means["metric"]
    wanted = [f"{p}.{m}" for p, m in metrics_shown]
    table = means[means["column"].isin(wanted)].pivot_table(index=["base", "annotator", "arm"], columns="column",
                                                              values="value")
    return table.reindex(columns=[c for c in wanted if c in table.columns])
