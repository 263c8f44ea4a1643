"""A Markdown report of a study, written from the study directory alone."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from crossover.analysis.crossover import CrossoverFigure, arm_table
from crossover.study.store import StudyStore


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def _table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(_fmt(v) if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


def _model_line(model: dict) -> str:
    """A wind-tunnel base names its world; a real model names where it came from."""
    origin = f"world seed {model['world_seed']}" if "world_seed" in model else model.get("source", "")
    return f"- base: `{model['name']}` ({origin}, sha256 {model['sha256'][:12]})"


def verdict(fig: CrossoverFigure, m: int, n: int) -> str:
    if math.isnan(fig.d_pref) or math.isnan(fig.d_sft):  # e.g. a flip rate with no first-turn right answer
        return "not measured in every arm (no qualifying items)"
    if fig.higher_is_better is None:
        change = fig.d_pref
        return f"{m} pairs change it by {_fmt(change, 1)}; {n} more demonstrations by {_fmt(fig.d_sft, 1)}"
    sign = 1 if fig.higher_is_better else -1
    gain_pref, gain_sft = sign * fig.d_pref, sign * fig.d_sft
    if gain_sft <= 0 and gain_pref <= 0:
        return "neither more demonstrations nor pairs improve it here"
    if gain_sft <= 0:
        return f"pairs improve it ({_fmt(gain_pref)}), more demonstrations do not"
    if gain_pref <= 0:
        return f"more demonstrations improve it ({_fmt(gain_sft)}), pairs make it worse ({_fmt(gain_pref)})"
    return f"one pair is worth {_fmt(fig.breakeven_ratio, 2)} demonstrations"


def write_markdown_report(root: Path, figures: list[CrossoverFigure], point: dict | None) -> Path:
    store = StudyStore(root)
    study = json.loads((root / "study.json").read_text())
    metrics = store.metrics_frame()
    out = [f"# crossover study: {study['name']}", ""]
    if study.get("description"):
        out += [study["description"], ""]
    out += [_model_line(m) for m in study["bases"]]
    out += [f"- seeds: {study['seeds']}; arms: {', '.join(study['arms'])}",
            f"- annotators: {', '.join(a['name'] for a in study['annotators'])}",
            f"- finished runs: {len(store.finished_runs())}", ""]
    if point and figures:
        out += [f"## The crossover at SFT({point['n0']}): {point['m']} pairs vs {point['n']} more demonstrations",
                "", "Means over seeds; intervals arrive with the analysis of uncertainty. Positive r* means a pair "
                "helps as a demonstration would; compare it with the price ratio of a pair to a demonstration.", ""]
        rows = [{"base": f.base, "annotator": f.annotator, "metric": f"{f.probe}.{f.metric}", f"SFT({point['n0']})": f.parent,
                 f"+{point['n']} SFT": f.more_sft, f"+{point['m']} pairs": f.with_pairs,
                 "verdict": verdict(f, point["m"], point["n"])} for f in figures]
        out += [_table(pd.DataFrame(rows)), ""]
    table = arm_table(metrics).reset_index()
    out += ["## Every arm (means over seeds)", "", "Annotator is blank for arms trained without preference data.",
            "", _table(table), ""]
    out += ["## Files", "", "- `metrics.csv`: one row per number (run_id, arm, seed, probe, metric, value, annotator)",
            "- `runs/<run_id>/probes/*.jsonl`: every prompt, response and grade",
            "- `summary.json`: the settings and the figures above", ""]
    path = root / "report.md"
    path.write_text("\n".join(out))
    return path
