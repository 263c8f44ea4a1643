"""Proxy vs gold over-optimisation: does the proxy judge's score keep rising while gold satisfaction stalls?

Two views, each drawn when its data exists:

- against sqrt(KL to the reference) (Gao, Schulman & Hilton 2022): one point per preference run from
  ``analysis/overoptimisation_points``, with the best-fitting functional form from ``overoptimisation_fits``;
  it needs runs that log KL;
- against the number of preference pairs, from ``analysis/arms``: the gain over the base model of gold
  satisfaction (solid) and of the proxy judge's win rate (dashed) along each preference curve. It needs no KL,
  so every study with preference arms has it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from crossover.report.figures.gains import curves
from crossover.report.labels import interval, stem
from crossover.report.panel import PALETTE, Panel, styled, text

SHORT = "Proxy vs gold"
KEY = "overoptimisation"
GOLD = ("satisfaction", "gold")
PROXY = ("eval", "win_rate")
DASHES = ("dash", "dot", "dashdot", "longdash")


def _fit_curve(fit: pd.Series, d_max: float) -> tuple[np.ndarray, np.ndarray]:
    """The fitted gain R(d) on a grid of d = sqrt(KL) (Gao et al. 2022, eqs. 1-2)."""
    d = np.linspace(d_max / 200, d_max * 1.1, 120)
    if fit["form"] == "best_of_n":
        return d, d * (fit["alpha"] - fit["beta"] * d)
    return d, d * (fit["alpha"] - fit["beta"] * np.log(d))


def _kl_traces(fig: go.Figure, points: pd.DataFrame, fits: pd.DataFrame, col: int) -> None:
    groups = sorted(points.groupby(["annotator", "method"]).groups)
    for k, (annotator, method) in enumerate(groups):
        colour = PALETTE[k % len(PALETTE)]
        mine = points[(points["annotator"] == annotator) & (points["method"] == method)]
        name = f"{method} · {annotator}"
        for measure, symbol in (("gold", "circle"), ("proxy", "circle-open")):
            if mine[f"{measure}_gain"].isna().all():  # no proxy score in the study: the panel's note says so
                continue
            fig.add_trace(go.Scatter(
                x=mine["sqrt_kl"], y=mine[f"{measure}_gain"], mode="markers", name=text(f"{measure}: {name}"),
                legendgroup=name, marker={"color": colour, "symbol": symbol, "size": 9},
                text=[f"{text(r.arm)} seed {r.seed}" for r in mine.itertuples(index=False)],
                hovertemplate="%{text}<br>√KL %{x:.3f}<br>" + measure + " gain %{y:+.3f}<extra></extra>"),
                row=1, col=col)
            fitted = fits if fits.empty else fits[(fits["annotator"] == annotator) & (fits["method"] == method)
                                                  & (fits["measure"] == measure) & (fits["status"] == "fitted")]
            if not fitted.empty:
                best = fitted.sort_values("r2", ascending=False).iloc[0]
                x, y = _fit_curve(best, float(mine["sqrt_kl"].max()))
                fig.add_trace(go.Scatter(x=x, y=y, mode="lines", legendgroup=name, showlegend=False,
                                         line={"color": colour, "dash": "solid" if measure == "gold" else "dash"},
                                         hovertemplate=f"{measure} fit ({best['form']}, R² {best['r2']:.2f})"
                                                       "<extra></extra>"), row=1, col=col)
    fig.update_xaxes(title_text="√KL to the reference", row=1, col=col)
    fig.update_yaxes(title_text="gain over the parent run", row=1, col=col)


def _pairs_traces(fig: go.Figure, arms: pd.DataFrame, col: int, legend: bool) -> None:
    gold = arms[(arms["probe"] == GOLD[0]) & (arms["metric"] == GOLD[1])]
    judges = sorted(m for m in arms.loc[arms["probe"] == PROXY[0], "metric"].unique() if stem(m) == PROXY[1])
    show_base = arms["base"].nunique() > 1
    preference = [c for c in curves(gold[gold["arm"] != "base"], show_base) if (c.points["n_preference"] > 0).any()]
    for k, curve in enumerate(preference):
        colour = PALETTE[k % len(PALETTE)]
        keys = curve.points[["base", "annotator", "arm"]]
        measures = [("gold satisfaction", gold, "solid")]
        measures += [(f"proxy {m}", arms[(arms["probe"] == PROXY[0]) & (arms["metric"] == m)], DASHES[j % len(DASHES)])
                     for j, m in enumerate(judges)]
        for measure, rows, dash in measures:
            p = keys.merge(rows, on=["base", "annotator", "arm"], how="inner").sort_values("n_preference")
            if p.empty:
                continue
            if p["n_preference"].iloc[0] > 0 and p["n_demonstrations"].iloc[0] == 0:
                p = _from_base(p)
            hover = [f"{text(r.arm)}<br>{measure} gain {interval(r.gain, r.gain_lo, r.gain_hi)}"
                     for r in p.itertuples(index=False)]
            fig.add_trace(go.Scatter(x=p["n_preference"], y=p["gain"], mode="lines+markers", legendgroup=curve.name,
                                     name=text(f"{measure}: {curve.name}"), showlegend=legend,
                                     line={"color": colour, "dash": dash}, text=hover,
                                     hovertemplate="%{text}<extra></extra>"), row=1, col=col)
    fig.add_hline(y=0, line={"color": "#999", "width": 1}, row=1, col=col)
    fig.update_xaxes(title_text="preference examples in the arm", row=1, col=col)
    fig.update_yaxes(title_text="gain over the base model", row=1, col=col)


def _from_base(points: pd.DataFrame) -> pd.DataFrame:
    """A curve trained straight from the base model starts at the base: no pairs, no gain over it (by definition)."""
    start = points.iloc[[0]].assign(arm="base", n_preference=0, gain=0.0, gain_lo=float("nan"),
                                    gain_hi=float("nan"))
    return pd.concat([start, points], ignore_index=True)


def has_pair_curves(arms: pd.DataFrame) -> bool:
    return not arms.empty and ((arms["probe"] == GOLD[0]) & (arms["metric"] == GOLD[1])
                               & (arms["n_preference"] > 0)).any()


def overoptimisation_figure(arms: pd.DataFrame, points: pd.DataFrame, fits: pd.DataFrame) -> go.Figure:
    views = (["against √KL to the reference"] if not points.empty else []) + \
            (["against preference data"] if has_pair_curves(arms) else [])
    fig = make_subplots(rows=1, cols=len(views), subplot_titles=views, horizontal_spacing=0.1)
    if not points.empty:
        _kl_traces(fig, points, fits, col=1)
    if has_pair_curves(arms):
        _pairs_traces(fig, arms, col=len(views), legend=True)
    return styled(fig, height=460)


def overoptimisation_panel(arms: pd.DataFrame, points: pd.DataFrame, fits: pd.DataFrame, note: str) -> Panel:
    title = "Proxy vs gold: over-optimisation"
    caption = ("Gain in gold user satisfaction (solid) and in the proxy judge's win rate (dashed) as preference "
               "optimisation goes further. A proxy that keeps rising while gold stalls or falls is the eval score "
               "drifting from what users get. Against √KL, a fitted Gao et al. (2022) curve is drawn where there "
               "are enough runs.")
    notes = []
    if points.empty:
        notes.append(f"The √KL view is {note}." if note.startswith("not drawn") else
                     "The √KL view is not drawn: no run logged KL to the reference.")
    has_proxy = not arms.empty and ((arms["probe"] == PROXY[0]) & (arms["metric"].map(stem) == PROXY[1])).any()
    if not has_proxy:
        notes.append("The study has no proxy judge score (eval.win_rate): only gold is drawn.")
    if points.empty and not has_pair_curves(arms):
        notes.append("No arm trained on preference data reports gold satisfaction, so there is no curve to draw.")
        return Panel(KEY, title, SHORT, caption, notes=tuple(notes))
    return Panel(KEY, title, SHORT, caption, overoptimisation_figure(arms, points, fits), tuple(notes))
