"""Equal-cost allocations and the crossover budget: the total budget at which the best allocation stops being
all-SFT.

For each arm that spends part of its budget on preference data of one method (``sft(n0)>dpo(m)`` or ``dpo(m)``),
the all-SFT alternative of the same cost is read off the SFT-only curve (``base``, ``sft(n)``), interpolated
piecewise-linearly in ``log(1 + n)`` (gain curves in data are close to log-linear; no extrapolation beyond the
largest or below the smallest SFT arm). The advantage of the mixed arm is its oriented score minus that value;
interpolation is linear in the arms' scores, so the advantage is one more paired table with its own interval.

The crossover budget C* is where the advantage, as a function of total cost (best mixed arm at each cost), last
turns from <= 0 to > 0, interpolated linearly in log cost: beyond C*, every tested budget is better spent in
part on pairs. Where no arm's advantage is detectable, the status says "no detectable difference" first. It is computed draw by draw for its interval; draws with no crossover inside the tested costs
are censored (+inf: beyond the grid; -inf: already below the smallest budget), and an interval end that falls
on a censored draw is reported as such, never as a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from crossover.analysis.bootstrap import Estimate, Table, combine, percentile_interval
from crossover.analysis.context import Context, columns
from crossover.analysis.load import DEMONSTRATIONS, Cell

SAME_COST = 1e-9
"""Relative tolerance under which two arms are taken to cost the same."""


def sft_curve(ctx: Context, annotator: str) -> list[Cell]:
    """The SFT-only arms (and the base), ordered by number of SFT examples."""
    cells = [c for c in (ctx.data.cell(annotator, arm) for (_, arm) in ctx.data.cells) if c is not None]
    chosen = {c.arm: c for c in cells if all(s.kind == DEMONSTRATIONS for s in c.stages) and len(c.stages) <= 1}
    return sorted(chosen.values(), key=lambda c: c.n_demonstrations)


def mixed_arms(ctx: Context, annotator: str) -> dict[str, list[Cell]]:
    """method -> arms of ``annotator`` made of SFT stages followed by stages of that one preference method (with one
    pair source: ``dpo`` and ``dpo[pairs=onpolicy]`` are separate recipes)."""
    out: dict[str, list[Cell]] = {}
    for (who, _), cell in ctx.data.cells.items():
        methods = {s.recipe for s in cell.preference_stages}
        kinds = [s.kind == DEMONSTRATIONS for s in cell.stages]
        if who != annotator or len(methods) != 1 or kinds != sorted(kinds, reverse=True):
            continue
        out.setdefault(methods.pop(), []).append(cell)
    return {m: sorted(cs, key=ctx.cost_of) for m, cs in sorted(out.items())}


def _sft_unit_cost(ctx: Context, curve: list[Cell]) -> float:
    units = [ctx.cost_of(c) / c.n_demonstrations for c in curve if c.n_demonstrations > 0]
    return float(np.mean(units)) if units else math.nan


@dataclass(frozen=True)
class Equivalent:
    """The all-SFT arm of the same cost, as interpolation weights on two SFT arms."""

    n_equivalent: float
    terms: tuple[tuple[float, Cell], ...]


def equivalent(curve: list[Cell], n_equivalent: float) -> Equivalent | None:
    """Weights on the bracketing SFT arms, linear in log(1 + n); None outside the curve."""
    xs = [math.log1p(c.n_demonstrations) for c in curve]
    x = math.log1p(n_equivalent)
    if len(curve) < 2 or not xs[0] - 1e-12 <= x <= xs[-1] + 1e-12:
        return None
    k = max(0, min(int(np.searchsorted(xs, x, side="right")) - 1, len(xs) - 2))
    t = (x - xs[k]) / (xs[k + 1] - xs[k])
    return Equivalent(n_equivalent, ((1.0 - t, curve[k]), (t, curve[k + 1])))


def crossover_budget(costs: np.ndarray, advantage: np.ndarray) -> np.ndarray:
    """C* per row of ``advantage`` (rows, J) over increasing ``costs`` (J,): where it last turns positive.

    +inf where the advantage is <= 0 at the largest cost; -inf where it is > 0 at every cost.
    """
    adv = np.atleast_2d(advantage)
    rows, j = adv.shape
    out = np.full(rows, math.inf)
    positive_end = adv[:, -1] > 0
    nonpositive = adv <= 0
    # index of the last non-positive value (-1 if none)
    last = np.where(nonpositive.any(axis=1), j - 1 - np.argmax(nonpositive[:, ::-1], axis=1), -1)
    out[positive_end & (last == -1)] = -math.inf
    cross = positive_end & (last >= 0)
    if cross.any():
        k = last[cross]
        a0, a1 = adv[cross, k], adv[cross, k + 1]
        x0, x1 = np.log(costs[k]), np.log(costs[k + 1])
        out[cross] = np.exp(x0 + (0 - a0) / (a1 - a0) * (x1 - x0))
    return out


def allocation_rows(ctx: Context) -> tuple[list[dict], list[dict]]:
    """(equal-cost comparison rows, crossover-budget rows) for every annotator, method and oriented metric."""
    rows, budgets = [], []
    for annotator in ctx.data.annotators:
        curve = sft_curve(ctx, annotator)
        unit = _sft_unit_cost(ctx, curve)
        for method, cells in mixed_arms(ctx, annotator).items():
            costs = [ctx.cost_of(c) for c in cells]
            for probe, metric in ctx.metrics():
                better = ctx.higher_is_better(probe, metric)
                if better is None:
                    continue
                found = [_advantage(ctx, curve, c, cost / unit, probe, metric, better) for c, cost in zip(cells, costs)]
                for cell, cost, (est, score, same) in zip(cells, costs, found):
                    rows.append(_row(annotator, method, cell, cost, unit, probe, metric, better, est, score, same))
                budgets.append(_budget_row(ctx, annotator, method, probe, metric,
                                           [(cost, est) for cost, (est, _, _) in zip(costs, found) if est is not None]))
    return rows, budgets


def _advantage(ctx: Context, curve: list[Cell], cell: Cell, n_equivalent: float, probe: str, metric: str,
               better: bool) -> tuple[Estimate | None, float, float]:
    mixed = ctx.table(cell, probe, metric)
    eq = equivalent(curve, n_equivalent) if math.isfinite(n_equivalent) else None
    if mixed is None or eq is None:
        return None, mixed.estimate if mixed is not None else math.nan, math.nan
    parts: list[tuple[float, Table]] = []
    for weight, sft_cell in eq.terms:
        table = ctx.table(sft_cell, probe, metric)
        if table is None:
            return None, mixed.estimate, math.nan
        parts.append((weight, table))
    sign = 1.0 if better else -1.0
    same_cost = sum(w * t.estimate for w, t in parts)
    try:
        table = combine([(sign, mixed)] + [(-sign * w, t) for w, t in parts])
    except ValueError:
        return None, mixed.estimate, same_cost
    return ctx.estimate(table), mixed.estimate, same_cost


def _row(annotator: str, method: str, cell: Cell, cost: float, unit: float, probe: str, metric: str,
         better: bool, est: Estimate | None, score: float, same: float) -> dict:
    cols = columns("advantage", est)
    decision = {"increase": "mixed allocation better", "decrease": "all-SFT better"}.get(
        str(cols["advantage_verdict"]), str(cols["advantage_verdict"]))
    if est is None:
        decision = "outside the SFT grid"
    return {"annotator": annotator, "method": method, "arm": cell.arm, "family": cell.family,
            "n_demonstrations": cell.n_demonstrations, "n_preference": cell.n_preference, "cost": cost,
            "sft_equivalent": cost / unit if unit > 0 else math.nan, "probe": probe, "metric": metric,
            "higher_is_better": better, "score": score, "all_sft_same_cost": same, **cols, "decision": decision}


def _budget_row(ctx: Context, annotator: str, method: str, probe: str, metric: str,
                points: list[tuple[float, Estimate]]) -> dict:
    row = {"annotator": annotator, "method": method, "probe": probe, "metric": metric,
           "crossover_budget": math.nan, "crossover_budget_lo": math.nan, "crossover_budget_hi": math.nan,
           "min_cost": math.nan, "max_cost": math.nan, "n_budgets": 0, "status": "not enough arms", "words": ""}
    if not points:
        return row
    costs, point, draws = _best_per_cost(points)
    budget = float(crossover_budget(costs, point[None, :])[0])
    lo, hi = percentile_interval(crossover_budget(costs, draws.T), ctx.settings.confidence)
    row.update(crossover_budget=budget, crossover_budget_lo=lo, crossover_budget_hi=hi, min_cost=float(costs[0]),
               max_cost=float(costs[-1]), n_budgets=len(costs))
    row["status"] = ("crossover" if math.isfinite(budget) else "no crossover within the grid" if budget > 0
                     else "mixed best from the smallest budget")
    row["words"] = _budget_words(budget, lo, hi, costs, ctx.cost.currency)
    if not any(est.verdict in ("increase", "decrease") for _, est in points):
        row["status"] = "no detectable difference"
        row["words"] = ("no detectable difference between all-SFT and a split with pairs at any budget tested; "
                        + row["words"])
    return row


def _best_per_cost(points: list[tuple[float, Estimate]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct costs (increasing), the best advantage at each (point, and per draw: shape (J, draws))."""
    groups: list[list[tuple[float, Estimate]]] = []
    for cost, est in sorted(points, key=lambda p: p[0]):
        if groups and abs(cost - groups[-1][0][0]) <= SAME_COST * max(cost, 1.0):
            groups[-1].append((cost, est))
        else:
            groups.append([(cost, est)])
    costs = np.array([g[0][0] for g in groups])
    point = np.array([max(e.point for _, e in g) for g in groups])
    draws = np.stack([np.max(np.stack([e.draws for _, e in g]), axis=0) for g in groups])
    return costs, point, draws


def _budget_words(budget: float, lo: float, hi: float, costs: np.ndarray, currency: str) -> str:
    def at(x: float) -> str:
        if x == math.inf:
            return f"beyond {costs[-1]:.4g}"
        if x == -math.inf:
            return f"below {costs[0]:.4g}"
        return f"{x:.4g}"

    if len(costs) == 1 and not math.isfinite(budget):
        span = f"the one budget tested ({costs[0]:.4g} {currency})"
    else:
        span = f"the budgets tested ({costs[0]:.4g} to {costs[-1]:.4g} {currency})"
    if budget == math.inf:
        head = f"all-SFT stays best across {span}"
    elif budget == -math.inf:
        head = f"a split with pairs is best across {span}"
    else:
        head = f"the best allocation stops being all-SFT at a total budget of {budget:.4g} {currency}"
    return f"{head}; interval [{at(lo)}, {at(hi)}]"
