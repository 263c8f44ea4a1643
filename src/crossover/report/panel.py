"""A panel of the report: one figure (or none) with its title, how to read it, and plain notes on missing data."""

from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

BETTER = "#2c7bb6"
WORSE = "#d7191c"
NEUTRAL = "#f7f7f7"
"""Better/worse colours: blue and red rather than green and red, which many readers cannot tell apart."""

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class Panel:
    key: str
    """The panel's id on the page (a link target and the browser test's handle)."""
    title: str
    short: str
    """The panel's name in the page's navigation bar."""
    caption: str
    """How to read the figure, in a sentence or two."""
    figure: go.Figure | None = None
    notes: tuple[str, ...] = ()
    """What is missing or limited, in plain words (shown in place of the figure when there is none)."""

    def __post_init__(self) -> None:
        if self.figure is None and not self.notes:
            raise ValueError(f"panel {self.key!r}: a panel without a figure must say why in a note")

    def figure_json(self) -> str:
        assert self.figure is not None
        return pio.to_json(self.figure, validate=False)


def text(value: object) -> str:
    """A name or label for a plotly string: plotly.js reads a subset of HTML in text and decodes entities,
    so user-chosen names (arms, annotators, bases) are entity-escaped to show as written."""
    return html.escape(str(value), quote=False)


def styled(fig: go.Figure, height: int, top: int = 100) -> go.Figure:
    """The report's common look: white background, readable font, fixed height, and the legend above the plot
    area (below it, it would collide with axis titles; beside it, it would take the width from small multiples).
    ``top``: the top margin in pixels, room for the legend and the first row's subplot titles."""
    bottom = 55
    plot_height = max(height - top - bottom, 50)
    fig.update_layout(template="plotly_white", height=height, font={"family": FONT, "size": 12},
                      margin={"l": 60, "r": 20, "t": top, "b": bottom},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1 + 28 / plot_height, "xanchor": "left",
                              "x": 0},
                      hoverlabel={"namelength": -1})
    return fig


PALETTE: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                            "#bcbd22", "#7f7f7f", "#d62728")
"""Curve colours, the same curve keeping its colour across subplots."""


def rgba(hex_colour: str, alpha: float) -> str:
    """``#1f77b4`` at ``alpha`` opacity (interval bands drawn under their line)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def grid(count: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of a small-multiples grid for ``count`` subplots."""
    cols = max(1, min(columns, count))
    return max(1, -(-count // cols)), cols
