"""Gain curves: every arm's score on every behaviour axis against its data cost, with intervals.

One row per (annotator, arm, probe, metric). ``family`` is the arm with budgets dropped (``sft``, ``sft>dpo``,
``dpo``), so a curve is the rows of one family ordered by cost (for ``sft>dpo``, one curve per SFT start
``n_demonstrations``). ``gain`` is the score minus the base model's, paired by item (the base does not depend on
the seed); arms trained without preference data have an empty annotator and belong to every annotator's curves.
"""

from __future__ import annotations

from crossover.analysis.context import Context, columns

BASE_ARM = "base"


def arm_rows(ctx: Context) -> list[dict]:
    rows = []
    for (annotator, arm), cell in ctx.data.cells.items():
        cost = ctx.cost_of(cell)
        base = ctx.data.cell(annotator, BASE_ARM)
        for probe, metric in ctx.metrics():
            table = ctx.table(cell, probe, metric)
            if table is None:
                continue
            score = ctx.estimate(table)
            gain = ctx.contrast(table, ctx.table(base, probe, metric)) if base is not None and arm != BASE_ARM else None
            rows.append({
                "annotator": annotator, "arm": arm, "family": cell.family,
                "n_demonstrations": cell.n_demonstrations, "n_preference": cell.n_preference,
                "preference_method": "+".join(dict.fromkeys(s.method for s in cell.preference_stages)),
                "cost": cost, "probe": probe, "metric": metric,
                "higher_is_better": ctx.higher_is_better(probe, metric),
                **columns("score", score, verdict=False), **columns("gain", gain),
                "n_seeds": score.n_seeds, "n_items": score.n_items, "resampled": score.resampled,
            })
    return rows
