"""How things are named and numbers are written on the page: arms, metrics, behaviour axes, intervals."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from crossover.analysis.crossover import HEADLINE

AXIS_EXTRA: tuple[tuple[str, str], ...] = (("selfreport", "accuracy"),)
"""Axes the headline list leaves out but the verdict shows (self-report vs measured behaviour)."""


def stem(metric: str) -> str:
    """``win_rate:typical`` -> ``win_rate`` (judged metrics carry their judge after a colon)."""
    return metric.split(":", 1)[0]


def headline_metrics(available: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The study's metrics shown first, in the headline order; a judged metric appears once per judge."""
    present = sorted(set(available))
    out: list[tuple[str, str]] = []
    for probe, metric in (*HEADLINE, *AXIS_EXTRA):
        out += [(p, m) for p, m in present if p == probe and stem(m) == metric and (p, m) not in out]
    return out


def direction(value: object) -> bool | None:
    """A table's higher_is_better cell as True/False/None (Parquet keeps None; CSV gives NaN or text)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value in ("True", "False"):
        return value == "True"
    return None


def directions(table: pd.DataFrame) -> dict[tuple[str, str], bool | None]:
    """(probe, metric) -> better direction, as the analysis table (from the runs' own records) states it."""
    if table.empty:
        return {}
    return {(p, m): direction(b) for p, m, b in zip(table["probe"], table["metric"], table["higher_is_better"])}


def arrow(better: bool | None) -> str:
    """The better direction as an arrow (none for neutral metrics such as length)."""
    return {True: " ↑", False: " ↓"}.get(better, "")


def metric_label(probe: str, metric: str, better: bool | None = None) -> str:
    return f"{probe}.{metric}{arrow(better)}"


def arm_label(arm: str, annotator: str = "", base: str = "", show_base: bool = False) -> str:
    """``sft(16)>dpo(16) · clean`` (and ``@ base`` when the study has several base models)."""
    label = arm + (f" · {annotator}" if annotator else "")
    return label + (f" @ {base}" if show_base and base else "")


def fmt(x: object, digits: int = 3, signed: bool = False) -> str:
    """A number for reading: fixed decimals below 100, significant digits above; n/a for missing."""
    if x is None or isinstance(x, str):
        return "n/a" if not x else x
    value = float(x)  # type: ignore[arg-type]
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    sign = "+" if signed and value > 0 else ""
    text = f"{value:.{digits}g}" if abs(value) >= 100 else f"{value:.{digits}f}"
    return (sign + text).replace("-", "−")


def amount(x: object, digits: int = 4) -> str:
    """A cost, budget or price: significant digits, no trailing zeros (16, 20.16, 1250)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.{digits}g}".replace("-", "−")


def interval(point: object, lo: object, hi: object, digits: int = 3, signed: bool = True) -> str:
    """``+0.050 [+0.010, +0.090]``; the point alone where there is no interval."""
    head = fmt(point, digits, signed)
    if _missing(lo) or _missing(hi):
        return head
    return f"{head} [{fmt(lo, digits, signed)}, {fmt(hi, digits, signed)}]"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
