"""Training dynamics of the preference stages: chosen and rejected log-probs, reward margins and KL by step.

A chosen log-prob that falls while the margin grows is likelihood displacement (Razin et al. 2024): the model
learns to prefer the chosen reply by making both less likely. KL to the reference is drawn where the training
logs carry it (a ``kl`` key); it is never derived from other quantities.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from crossover.report.panel import PALETTE, Panel, styled, text

SHORT = "Training dynamics"
KEY = "dynamics"
VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("log-prob: chosen (solid) and rejected (open, dashed)", ("logps/chosen", "logps/rejected")),
    ("reward margin (chosen minus rejected)", ("rewards/margins",)),
    ("KL to the reference", ("kl",)),
)
DASH = {"logps/rejected": "dash"}
SYMBOL = {"logps/rejected": "circle-open"}
"""Rejected replies: dashed and open markers, so that chosen and rejected differ even with one logged step."""


def _views(frame: pd.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    keys = set(frame["key"])
    return [(title, ks) for title, ks in VIEWS if keys & set(ks)]


def dynamics_figure(frame: pd.DataFrame) -> go.Figure:
    views = _views(frame)
    fig = make_subplots(rows=1, cols=len(views), subplot_titles=[t for t, _ in views], horizontal_spacing=0.08)
    colours: dict[str, str] = {}
    shown: set[str] = set()
    for (label, seed, stage), rows in frame.groupby(["label", "seed", "stage"], sort=True):
        colour = colours.setdefault(label, PALETTE[len(colours) % len(PALETTE)])
        method = rows["method"].iloc[0]
        for col, (_, keys) in enumerate(views, start=1):
            for key in keys:
                series = rows[rows["key"] == key].sort_values("step")
                if series.empty:
                    continue
                fig.add_trace(go.Scatter(
                    x=series["step"], y=series["value"], mode="lines+markers",
                    marker={"size": 7, "symbol": SYMBOL.get(key, "circle")},
                    name=text(label), legendgroup=label, showlegend=label not in shown,
                    line={"color": colour, "dash": DASH.get(key, "solid"), "width": 1.5},
                    hovertemplate=f"{text(label)} seed {seed}, stage {stage} ({text(method)})<br>{key}: "
                                  "%{y:.3f} at step %{x}<extra></extra>"), row=1, col=col)
                shown.add(label)
    fig.update_xaxes(title_text="training step")
    return styled(fig, height=430)


def dynamics_panel(frame: pd.DataFrame) -> Panel:
    title = "Training dynamics of the preference stages"
    caption = ("Per preference run and step: the summed log-probability of the chosen and rejected replies, the "
               "implicit reward margin, and KL to the reference. Seeds of one arm share a colour. A falling "
               "chosen log-prob is the displacement the chosen-log-prob flag looks for.")
    if frame.empty:
        return Panel(KEY, title, SHORT, caption, notes=("No training log has preference-stage quantities (log-probs of "
                                                 "chosen and rejected replies): the study has no preference arm.",))
    notes = []
    if not (frame["key"] == "kl").any():
        notes.append("KL to the reference is not drawn: no training log has a 'kl' key.")
    steps = frame.groupby(["run_id", "stage", "key"])["step"].nunique()
    if steps.max() <= 1:
        notes.append("Each preference stage logged a single step (its budget fits in one or two batches), so each "
                      "run is a single point; larger budgets give curves.")
    return Panel(KEY, title, SHORT, caption, dynamics_figure(frame), tuple(notes))
