"""The over-optimisation curve: gold and proxy gains against d = sqrt(KL to the reference).

Gao, Schulman & Hilton (2022), "Scaling Laws for Reward Model Overoptimization", eqs. 1-2, model the gold score
gained over the initial policy as a function of ``d = sqrt(KL(pi || pi_init))``:

    best-of-n:  R(d) = d (alpha - beta d)
    RL:         R(d) = d (alpha - beta log d)

Both are linear in (alpha, beta), so they are fitted by least squares through the origin on run-level points
(one per preference run: the KL at the end of its preference stage, and its gain over its parent on the same
seed). Coefficient intervals are the ordinary least-squares t intervals from the points' scatter. A fit needs
at least ``MIN_POINTS`` points at distinct d > 0. KL comes only from the training logs: ``watch/kl``, the
training-dynamics callback's estimate of KL(pi || pi_ref) on held-out prompts (every method), else a trainer's own
``kl`` key; where no run logs either, nothing is drawn and the output says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats

from crossover.analysis.context import Context
from crossover.analysis.dynamics import end_values
from crossover.analysis.flags import children

KL_KEYS = ("watch/kl", "kl")
"""Where a run's KL to the reference is read from, first found first."""
MIN_POINTS = 3
MEASURES: dict[str, tuple[str, str]] = {"gold": ("satisfaction", "gold"), "proxy": ("eval", "win_rate")}
"""Gold and proxy scores; the proxy's metric takes a judge suffix: the run's own annotator where the study has that
judge (``Context.proxy_metric``)."""


def measures(ctx: Context, annotator: str | None = None) -> dict[str, tuple[str, str]]:
    """Gold, and the proxy as the run's own annotator judges it (``Context.proxy_metric``)."""
    return MEASURES | {"proxy": ("eval", ctx.proxy_metric(annotator))}
FORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "best_of_n": lambda d: np.column_stack([d, -d * d]),
    "rl": lambda d: np.column_stack([d, -d * np.log(d)]),
}


def _run_score(ctx: Context, run_id: str, probe: str, metric: str) -> float:
    return ctx.data.metric_values(run_id).get((probe, metric), math.nan)


def curve_points(ctx: Context) -> list[dict]:
    """One row per preference run that logged KL: sqrt(KL) and its gold and proxy gains over its parent."""
    rows = []
    for child, parent in children(ctx.data):
        kl = {}
        for key in reversed(KL_KEYS):  # earlier keys overwrite later ones
            kl |= end_values(ctx.data, child, key)
        parents = {r.seed: r for r in parent.runs}
        for run in child.runs:
            twin = parents.get(run.seed) or (parent.runs[0] if parent.fixed else None)
            if run.seed not in kl or twin is None:
                continue
            row = {"annotator": child.annotator, "method": child.stages[-1].recipe, "arm": child.arm,
                   "parent": parent.arm, "seed": run.seed, "kl": kl[run.seed], "sqrt_kl": math.sqrt(max(kl[run.seed], 0.0))}
            judged = measures(ctx, child.annotator)
            row["proxy_metric"] = judged["proxy"][1]
            for name, (probe, metric) in judged.items():
                row[f"{name}_gain"] = (_run_score(ctx, run.run_id, probe, metric)
                                       - _run_score(ctx, twin.run_id, probe, metric))
            rows.append(row)
    return rows


def fit(d: np.ndarray, y: np.ndarray, form: str, confidence: float) -> dict:
    """Least-squares fit of one functional form through the origin, with t intervals and the peak d."""
    x = FORMS[form](d)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    dof = len(y) - 2
    rss = float(resid @ resid)
    cov = (rss / dof) * np.linalg.pinv(x.T @ x) if dof > 0 else np.full((2, 2), math.nan)
    half = stats.t.ppf(0.5 + confidence / 2, dof) * np.sqrt(np.diag(cov)) if dof > 0 else np.full(2, math.nan)
    alpha, beta = (float(c) for c in coef)
    tss = float(((y - y.mean()) ** 2).sum())
    if beta > 0:
        peak = alpha / (2 * beta) if form == "best_of_n" else math.exp(alpha / beta - 1)
    else:
        peak = math.inf
    return {"form": form, "alpha": alpha, "alpha_lo": alpha - half[0], "alpha_hi": alpha + half[0],
            "beta": beta, "beta_lo": beta - half[1], "beta_hi": beta + half[1],
            "r2": 1 - rss / tss if tss > 0 else math.nan, "rss": rss, "peak_sqrt_kl": peak}


def fit_rows(ctx: Context, points: list[dict]) -> list[dict]:
    """Fits of both forms per (annotator, method, measure) where there are enough points."""
    rows = []
    groups = sorted({(p["annotator"], p["method"]) for p in points})
    for annotator, method in groups:
        mine = [p for p in points if p["annotator"] == annotator and p["method"] == method]
        for measure in MEASURES:
            pairs = [(p["sqrt_kl"], p[f"{measure}_gain"]) for p in mine
                     if p["sqrt_kl"] > 0 and math.isfinite(p[f"{measure}_gain"])]
            base = {"annotator": annotator, "method": method, "measure": measure, "n_points": len(pairs)}
            if len({d for d, _ in pairs}) < MIN_POINTS:
                rows.append(base | {"form": "", "status": f"not fitted: fewer than {MIN_POINTS} distinct KL values"})
                continue
            d, y = (np.array(v, dtype=float) for v in zip(*pairs))
            for form in FORMS:
                rows.append(base | fit(d, y, form, ctx.settings.confidence) | {"status": "fitted"})
    return rows


def overoptimisation(ctx: Context) -> tuple[list[dict], list[dict], str]:
    """(points, fits, note). The note says plainly when KL is not logged or no proxy score exists."""
    points = curve_points(ctx)
    if not points:
        keys = " or ".join(f"'{k}'" for k in KL_KEYS)
        return [], [], (f"not drawn: no training log has KL to the reference (a {keys} key), and it is not "
                        "invented from other quantities")
    notes = []
    if all(not math.isfinite(p["proxy_gain"]) for p in points):
        notes.append("no proxy score (eval.win_rate) in this study: only the gold curve is drawn")
    fits = fit_rows(ctx, points)
    return points, fits, "; ".join(notes) or "drawn"
