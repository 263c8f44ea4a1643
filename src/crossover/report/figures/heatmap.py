"""The method x behaviour heatmap: every arm's change over the base model on every headline metric, with flags.

Colour is the change in the metric's better direction, scaled per column (metrics have different units), and
only where it survives the false-discovery control of the gain table (``gain_survives``; tables without that
column: where its interval excludes zero): a cell that is white could not be told from the base. A flag mark (⚑) sits
on a cell whose metric raised a failure flag against the arm's parent; the last column counts every flag raised,
including those with no column of their own (such as the chosen log-prob falling during training).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crossover.report.labels import arm_label, arrow, directions, headline_metrics, interval, stem
from crossover.report.panel import BETTER, NEUTRAL, WORSE, Panel, styled, text

SHORT = "Method x behaviour"
KEY = "heatmap"
FLAG = "⚑"
DETECTED = ("increase", "decrease")


def raised_flags(flags: pd.DataFrame) -> pd.DataFrame:
    return flags[flags["status"] == "flagged"] if not flags.empty else flags


def _flag_lines(raised: pd.DataFrame) -> list[str]:
    return [f"{FLAG} {text(f.flag)}: {interval(f.bad_change, f.bad_change_lo, f.bad_change_hi)} vs {text(f.parent)}"
            for f in raised.itertuples(index=False)]


def heatmap_grid(arms: pd.DataFrame, flags: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray, list[list[str]],
                                                                    list[list[str]]]:
    """(row labels, column labels, z, cell text, hover text); z in [-1, 1], NaN where there is no direction."""
    metrics = headline_metrics(zip(arms["probe"], arms["metric"]))
    better_of = directions(arms)
    show_base = arms["base"].nunique() > 1
    keys = (arms[arms["arm"] != "base"][["base", "annotator", "arm", "cost"]].drop_duplicates()
            .sort_values(["base", "annotator", "cost", "arm"]))
    raised = raised_flags(flags)
    has_flags = set() if flags.empty else set(zip(flags["base"], flags["annotator"], flags["arm"]))
    index = arms.set_index(["base", "annotator", "arm", "probe", "metric"]).sort_index()
    z = np.full((len(keys), len(metrics) + 1), math.nan)
    cells, hovers, rows = [], [], []
    for i, key in enumerate(keys.itertuples(index=False)):
        label = arm_label(key.arm, key.annotator, key.base, show_base)
        rows.append(text(label))
        mine = raised if raised.empty else raised[(raised["base"] == key.base) & (raised["annotator"] == key.annotator)
                                                   & (raised["arm"] == key.arm)]
        line, hover = [], []
        for j, (probe, metric) in enumerate(metrics):
            here = mine if mine.empty else mine[(mine["probe"] == probe) & (mine["metric"].map(stem) == stem(metric))]
            r = index.loc[(key.base, key.annotator, key.arm, probe, metric)] \
                if (key.base, key.annotator, key.arm, probe, metric) in index.index else None
            if r is None:
                line.append("")
                hover.append(f"{text(label)}<br>{probe}.{text(metric)}: not measured")
                continue
            better = better_of.get((probe, metric))
            if better is not None:  # white (0) unless detectable; neutral metrics stay NaN (grey)
                detected = r["gain_verdict"] in DETECTED and _survives(r)
                z[i, j] = (r["gain"] if better else -r["gain"]) if detected else 0.0
            line.append(cell_number(r["gain"]) + (f" {FLAG}" if len(here) else ""))
            hover.append("<br>".join([f"{text(label)}", f"{probe}.{text(metric)}{arrow(better)}",
                                      f"change over base {interval(r['gain'], r['gain_lo'], r['gain_hi'])}",
                                      str(r["gain_verdict"]), *_flag_lines(here)]))
        n = len(mine)
        line.append(f"{n} {FLAG}" if n else "none" if (key.base, key.annotator, key.arm) in has_flags else "—")
        hover.append("<br>".join([text(label), "flags raised against the parent run:", *(_flag_lines(mine) or
                                  ["none" if (key.base, key.annotator, key.arm) in has_flags
                                   else "no parent comparison (no preference stage last)"])]))
        cells.append(line)
        hovers.append(hover)
    columns = [f"{p}.{m}{arrow(better_of.get((p, m)))}" for p, m in metrics] + ["flags raised"]
    return rows, [text(c) for c in columns], _scaled(z), cells, hovers


def _survives(row: pd.Series) -> bool:
    value = row.get("gain_survives", True)
    return value is True or value == "True" or (isinstance(value, (bool, np.bool_, int, float)) and bool(value))


def cell_number(x: float) -> str:
    """A change short enough for a cell: three decimals, one above 10 (word counts), 0 for no change."""
    if x != x:
        return ""
    if x == 0:
        return "0"
    return f"{x:+.1f}" if abs(x) >= 10 else f"{x:+.3f}"


def _scaled(z: np.ndarray) -> np.ndarray:
    """Each column divided by its largest detectable change, so colour compares arms within a metric."""
    out = z.copy()
    for j in range(z.shape[1]):
        col = z[:, j]
        finite = np.abs(col[np.isfinite(col)])
        if finite.size and finite.max() > 0:
            out[:, j] = col / finite.max()
    return out


def heatmap_figure(arms: pd.DataFrame, flags: pd.DataFrame) -> go.Figure:
    rows, columns, z, cells, hovers = heatmap_grid(arms, flags)
    fig = go.Figure(go.Heatmap(z=z, x=columns, y=rows, text=cells, texttemplate="%{text}", customdata=hovers,
                               hovertemplate="%{customdata}<extra></extra>", zmin=-1, zmax=1, xgap=1, ygap=1,
                               colorscale=[[0, WORSE], [0.5, NEUTRAL], [1, BETTER]],
                               textfont={"size": 11},
                               colorbar={"tickvals": [-1, 0, 1], "ticktext": ["worse", "no detectable<br>change",
                                                                              "better"], "thickness": 14}))
    fig.update_layout(plot_bgcolor="#e5e5e5", yaxis={"autorange": "reversed"}, xaxis={"side": "top", "tickangle": -40})
    styled(fig, height=210 + 34 * len(rows), top=170)
    fig.update_layout(margin={"l": 190})
    return fig


def heatmap_panel(arms: pd.DataFrame, flags: pd.DataFrame) -> Panel:
    title = "Method x behaviour: what each arm changed, and the flags it raised"
    caption = ("Each cell: the arm's change over the base model on that metric (the number) and whether it is "
               "better (blue) or worse (red) in the metric's better direction, scaled per column; white means the "
               "interval covers zero, grey that the metric has no better direction (such as length). ⚑ marks a "
               "failure flag raised against the arm's parent run; hover a cell for intervals and flags.")
    if arms.empty or (arms["arm"] != "base").sum() == 0:
        return Panel(KEY, title, SHORT, caption,
                     notes=("No trained arm in the arms table: nothing to compare with the base.",))
    notes = () if not flags.empty else ("No flags table: the study has no arm whose last stage is a preference "
                                        "method, so no flag was computed.",)
    return Panel(KEY, title, SHORT, caption, heatmap_figure(arms, flags), notes)
