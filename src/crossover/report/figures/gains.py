"""Gain curves: each behaviour metric against data cost, one curve per recipe, with interval bands.

Curves come from ``analysis/arms`` (one row per arm and metric). The SFT-only curve is the ``sft(n)`` arms; a
preference curve is the arms of one family and SFT start under one annotator (``sft(250)>dpo(m)`` over m,
drawn from its ``sft(250)`` start); the base model is a dotted reference line. Where the analysis found a
crossover budget C* (the cost beyond which spending part of the budget on pairs beats all-SFT), it is marked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from crossover.report.labels import arrow, directions, headline_metrics, interval
from crossover.report.panel import PALETTE, Panel, grid, rgba, styled, text

SHORT = "Gain curves"
KEY = "gain-curves"
COLUMNS = 3
LOG_SPAN = 8.0
"""A log cost axis once the costs span this factor (budgets are usually doubled, so curves read straighter)."""


@dataclass(frozen=True)
class Curve:
    name: str
    points: pd.DataFrame
    """Rows of the arms table, ordered by cost."""


def curves(rows: pd.DataFrame, show_base: bool) -> list[Curve]:
    """The curves of one metric: all-SFT, then one per (base, annotator, family, SFT start)."""
    out = []
    for base, mine in rows.groupby("base", sort=True):
        suffix = f" @ {base}" if show_base else ""
        sft = mine[(mine["family"] == "sft")].sort_values("cost")
        if not sft.empty:
            out.append(Curve("sft only" + suffix, sft))
        mixed = mine[mine["preference_method"].fillna("") != ""]
        for (annotator, family, n0), arms in mixed.groupby(["annotator", "family", "n_demonstrations"], sort=True):
            start = sft[sft["n_demonstrations"] == n0] if n0 > 0 else sft.iloc[0:0]
            name = (f"sft({n0}) > {family.split('>', 1)[1]}" if n0 > 0 and family.startswith("sft>") else family)
            points = pd.concat([start, arms.sort_values("cost")])
            out.append(Curve(f"{name} · {annotator}{suffix}" if annotator else name + suffix, points))
    return out


def _hover(points: pd.DataFrame) -> list[str]:
    return [f"{text(r.arm)}<br>cost {r.cost:.4g}<br>score {interval(r.score, r.score_lo, r.score_hi, signed=False)}"
            f"<br>gain over base {interval(r.gain, r.gain_lo, r.gain_hi)} ({r.gain_verdict})"
            for r in points.itertuples(index=False)]


def _add_curve(fig: go.Figure, curve: Curve, colour: str, row: int, col: int, legend: bool) -> None:
    p = curve.points
    if len(p) >= 2 and p["score_lo"].notna().all():
        fig.add_trace(go.Scatter(x=[*p["cost"], *p["cost"][::-1]], y=[*p["score_hi"], *p["score_lo"][::-1]],
                                 mode="lines", fill="toself", fillcolor=rgba(colour, 0.15), line={"width": 0},
                                 hoverinfo="skip",
                                 showlegend=False, legendgroup=curve.name), row=row, col=col)
    fig.add_trace(go.Scatter(x=p["cost"], y=p["score"], mode="lines+markers", name=text(curve.name),
                             legendgroup=curve.name, showlegend=legend, line={"color": colour},
                             marker={"color": colour, "size": 7},
                             error_y={"type": "data", "symmetric": False, "array": p["score_hi"] - p["score"],
                                      "arrayminus": p["score"] - p["score_lo"], "thickness": 1, "width": 3,
                                      "color": colour},
                             text=_hover(p), hovertemplate="%{text}<extra>" + text(curve.name) + "</extra>"),
                  row=row, col=col)


def _add_base(fig: go.Figure, rows: pd.DataFrame, x_range: tuple[float, float], row: int, col: int,
              legend: bool) -> None:
    """The base model's score as a dotted line across the costs drawn (a trace, so the axis range includes it)."""
    for base in rows[rows["arm"] == "base"].itertuples(index=False):
        hover = f"base model {text(base.base)}: {interval(base.score, base.score_lo, base.score_hi, signed=False)}"
        fig.add_trace(go.Scatter(x=list(x_range), y=[base.score, base.score], mode="lines", name="base model",
                                 legendgroup="base model", showlegend=legend,
                                 line={"dash": "dot", "color": "#555", "width": 1.5},
                                 hovertemplate=hover + "<extra></extra>"), row=row, col=col)


def _add_budget(fig: go.Figure, budgets: pd.DataFrame, probe: str, metric: str, row: int, col: int) -> None:
    if budgets.empty:
        return
    mine = budgets[(budgets["probe"] == probe) & (budgets["metric"] == metric) & (budgets["status"] == "crossover")]
    for b in mine.itertuples(index=False):
        if math.isfinite(b.crossover_budget):
            fig.add_vline(x=b.crossover_budget, line={"dash": "dash", "color": "#333", "width": 1}, row=row, col=col)


def gain_figure(arms: pd.DataFrame, budgets: pd.DataFrame, currency: str) -> go.Figure:
    metrics = headline_metrics(zip(arms["probe"], arms["metric"]))
    n_rows, n_cols = grid(len(metrics), COLUMNS)
    better = directions(arms)
    titles = [f"{p}.{m}{arrow(better.get((p, m)))}" for p, m in metrics]
    height = 90 + 250 * n_rows
    # Spacing in pixels (a row's x ticks and the next row's title need about 70), as a share of the plot area.
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=titles, horizontal_spacing=0.07,
                        vertical_spacing=min(75 / (height - 155), 0.3) if n_rows > 1 else 0.0)
    show_base = arms["base"].nunique() > 1
    colours: dict[str, str] = {}
    costs = arms.loc[arms["cost"] > 0, "cost"]
    log_axis = not costs.empty and costs.max() / costs.min() >= LOG_SPAN
    for k, (probe, metric) in enumerate(metrics):
        row, col = k // n_cols + 1, k % n_cols + 1
        rows = arms[(arms["probe"] == probe) & (arms["metric"] == metric)]
        trained = rows.loc[rows["arm"] != "base", "cost"]
        if not trained.empty:
            _add_base(fig, rows, (trained.min(), trained.max()), row, col, legend=k == 0)
        for curve in curves(rows[rows["arm"] != "base"], show_base):
            first = curve.name not in colours
            colour = colours.setdefault(curve.name, PALETTE[len(colours) % len(PALETTE)])
            _add_curve(fig, curve, colour, row, col, legend=first)
        _add_budget(fig, budgets, probe, metric, row, col)
        fig.update_xaxes(type="log" if log_axis else "linear", row=row, col=col)
    fig.update_xaxes(title_text=f"data cost ({text(currency)})", row=n_rows)
    fig.update_annotations(font_size=12)  # subplot titles: long metric names fit their column when printed
    return styled(fig, height=height)


def gain_panel(arms: pd.DataFrame, budgets: pd.DataFrame, currency: str) -> Panel:
    title = "Gain curves: each behaviour against data cost"
    caption = ("Score of every arm against what its data cost under the study's prices, one curve per recipe, "
               "with its interval as a band and error bars. Dotted line: the base model. Dashed vertical line: the "
               "crossover budget, beyond which part of the budget is better spent on preference pairs. "
               "↑/↓: the better direction. Click a legend entry to hide a curve.")
    if arms.empty:
        return Panel(KEY, title, SHORT, caption,
                     notes=("No arms table: run `crossover analyze` on the study directory.",))
    notes = []
    if int(arms["n_seeds"].max()) <= 1:
        notes.append("One seed per arm: the bands cover the sampling of probe items only, not training "
                     "randomness; run more seeds to see it.")
    if not headline_metrics(zip(arms["probe"], arms["metric"])):
        return Panel(KEY, title, SHORT, caption, notes=("The study reported none of the headline metrics.",))
    return Panel(KEY, title, SHORT, caption, gain_figure(arms, budgets, currency), tuple(notes))
