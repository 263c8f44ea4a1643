"""Response-length distributions: reply lengths of every arm on the probe prompts, against the demonstrator's.

Length exploitation shows as a distribution shifted right of its parent's without a matching gain in gold
utility (the heatmap and flags say whether gold followed). A menu picks one probe; all probes pooled by default.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from crossover.report.panel import Panel, styled, text

SHORT = "Lengths"
KEY = "lengths"
ALL = "all probes"
REFERENCE = "demonstrator (reference)"


def _order(lengths: pd.DataFrame) -> list[str]:
    """Arms top to bottom: base, then SFT-only arms, then the rest, each by annotator and arm."""
    runs = lengths[["label", "arm", "annotator", "n_stages", "family"]].drop_duplicates("label")
    runs = runs.assign(kind=runs["family"].map(lambda f: 0 if f == "base" else 1 if set(f.split(">")) == {"sft"} else 2))
    return list(runs.sort_values(["kind", "annotator", "n_stages", "arm"])["label"])


def _reference(lengths: pd.DataFrame) -> pd.DataFrame:
    """The demonstrator's reply to each probe item: the same items in every run, so one run's copy is enough."""
    first = sorted(lengths["run_id"].unique())[0]
    ref = lengths[(lengths["run_id"] == first) & lengths["baseline_words"].notna()]
    return ref.assign(n_words=ref["baseline_words"], label=REFERENCE)


def length_figure(lengths: pd.DataFrame) -> go.Figure:
    order = _order(lengths)
    table = pd.concat([lengths, _reference(lengths)])
    labels = [REFERENCE, *order] if (table["label"] == REFERENCE).any() else order
    probes = [ALL, *sorted(lengths["probe"].unique())]
    fig = go.Figure()
    for probe in probes:
        rows = table if probe == ALL else table[table["probe"] == probe]
        for label in labels:
            values = rows.loc[rows["label"] == label, "n_words"]
            fig.add_trace(go.Box(x=values, name=text(label), orientation="h", boxmean=True, visible=probe == ALL,
                                 showlegend=False, marker={"color": "#555" if label == REFERENCE else "#1f77b4"},
                                 hovertemplate=f"{text(label)}<br>{text(probe)}<extra></extra>"))
    per = len(labels)
    buttons = [{"label": f"probe: {text(p)}", "method": "update",
                "args": [{"visible": [k // per == i for k in range(per * len(probes))]},
                         {"title.text": f"Reply length in words: {text(p)}"}]} for i, p in enumerate(probes)]
    height = 170 + 30 * len(labels)
    menu_y = 1 + 8 / (height - 125)  # in the top margin, clear of the boxes and their outliers
    fig.update_layout(updatemenus=[{"buttons": buttons, "direction": "down", "x": 1, "xanchor": "right",
                                    "y": menu_y, "yanchor": "bottom", "showactive": True}],
                      title={"text": f"Reply length in words: {ALL}", "x": 0.01, "y": 0.98, "yanchor": "top",
                             "font": {"size": 13}},
                      yaxis={"autorange": "reversed", "categoryorder": "array",
                             "categoryarray": [text(x) for x in labels]},
                      xaxis={"title": {"text": "words per reply"}, "rangemode": "tozero"})
    styled(fig, height=height, top=70)
    fig.update_layout(margin={"l": 190})
    return fig


def length_panel(lengths: pd.DataFrame) -> Panel:
    title = "Response lengths"
    caption = ("Reply length in words per arm over every probe prompt (box: quartiles and median; dashed line: "
               "mean), with the demonstrator's replies to the same prompts as the reference. A preference arm "
               "shifted right of its parent without a gold gain is length exploitation. The menu picks one probe.")
    if lengths.empty:
        return Panel(KEY, title, SHORT, caption, notes=("No probe record carries a reply length (n_words).",))
    notes = () if lengths["baseline_words"].notna().any() else \
        ("The probe records carry no demonstrator reply length, so no reference is drawn.",)
    return Panel(KEY, title, SHORT, caption, length_figure(lengths), notes)
