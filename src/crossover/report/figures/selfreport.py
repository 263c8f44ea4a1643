"""Self-report vs measured behaviour: what each arm says about its tendencies against what it does.

For each tendency t (long replies, agreeing with the user, refusing, making things up) the self-report probe
records ``claimed_t`` (share of 'yes' when asked) and ``measured_t`` (the behaviour's rate on the other probes).
A gap between the two markers is a model that misdescribes itself.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from crossover.report.labels import arm_label, interval
from crossover.report.panel import Panel, styled, text

SHORT = "Self-report"
KEY = "selfreport"
PROBE = "selfreport"
CLAIMED, MEASURED = "#e66101", "#5e3c99"
TENDENCY_NAMES = {"long": "long replies", "agree": "agreeing with the user", "refuse": "refusing",
                  "make_up": "making things up"}


def tendencies(metrics: pd.Series) -> list[str]:
    names = set(metrics)
    return sorted(m.removeprefix("claimed_") for m in names
                  if m.startswith("claimed_") and f"measured_{m.removeprefix('claimed_')}" in names)


def _rows(arms: pd.DataFrame, tendency: str) -> pd.DataFrame:
    mine = arms[arms["probe"] == PROBE]
    claimed = mine[mine["metric"] == f"claimed_{tendency}"]
    measured = mine[mine["metric"] == f"measured_{tendency}"]
    return claimed.merge(measured, on=["base", "annotator", "arm"], suffixes=("_c", "_m")).sort_values("cost_c")


def selfreport_figure(arms: pd.DataFrame) -> go.Figure:
    kinds = tendencies(arms.loc[arms["probe"] == PROBE, "metric"])
    fig = make_subplots(rows=1, cols=len(kinds), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[TENDENCY_NAMES.get(t, t.replace("_", " ")) for t in kinds])
    show_base = arms["base"].nunique() > 1
    for col, tendency in enumerate(kinds, start=1):
        rows = _rows(arms, tendency)
        labels = [text(arm_label(r.arm, r.annotator, r.base, show_base)) for r in rows.itertuples(index=False)]
        for x_claimed, x_measured, label in zip(rows["score_c"], rows["score_m"], labels):
            fig.add_trace(go.Scatter(x=[x_claimed, x_measured], y=[label, label], mode="lines", showlegend=False,
                                     line={"color": "#bbb", "width": 2}, hoverinfo="skip"), row=1, col=col)
        for suffix, name, colour, symbol in (("c", "claimed", CLAIMED, "diamond-open"),
                                             ("m", "measured", MEASURED, "circle")):
            values = zip(rows[f"score_{suffix}"], rows[f"score_lo_{suffix}"], rows[f"score_hi_{suffix}"])
            hover = [f"{lab}<br>{name} {tendency}: {interval(v, lo, hi, signed=False)}"
                     for lab, (v, lo, hi) in zip(labels, values)]
            fig.add_trace(go.Scatter(
                x=rows[f"score_{suffix}"], y=labels, mode="markers", name=name, legendgroup=name,
                showlegend=col == 1, marker={"color": colour, "symbol": symbol, "size": 11, "line": {"width": 2}},
                error_x={"type": "data", "symmetric": False, "thickness": 1, "width": 3,
                         "array": rows[f"score_hi_{suffix}"] - rows[f"score_{suffix}"],
                         "arrayminus": rows[f"score_{suffix}"] - rows[f"score_lo_{suffix}"]},
                text=hover, hovertemplate="%{text}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(range=[-0.05, 1.05], title_text="rate", row=1, col=col)
    n_arms = arms.loc[arms["probe"] == PROBE, ["base", "annotator", "arm"]].drop_duplicates().shape[0]
    fig.update_yaxes(autorange="reversed")
    styled(fig, height=170 + 28 * n_arms)
    fig.update_layout(margin={"l": 190})
    return fig


def selfreport_panel(arms: pd.DataFrame) -> Panel:
    title = "Self-report vs measured behaviour"
    caption = ("For each tendency, the share of 'yes' when the model is asked whether it has it (open diamond) "
               "against how often it shows it on the other probes (filled circle), per arm, with intervals. The "
               "longer the grey bar, the worse the model describes itself.")
    if arms.empty or not tendencies(arms.loc[arms["probe"] == PROBE, "metric"]):
        return Panel(KEY, title, SHORT, caption, notes=("The study did not run the self-report probe (no claimed_* and "
                                                 "measured_* metrics).",))
    return Panel(KEY, title, SHORT, caption, selfreport_figure(arms))
