"""What ``crossover run`` prints: compact tables that fit a terminal. The full story is in the report."""

from __future__ import annotations

import math

import pandas as pd

from crossover.analysis.breakeven import BreakevenFigure
from crossover.analysis.crossover import HEADLINE, seed_means

TERMINAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("satisfaction", "gold", "gold"),
    ("knowledge", "accuracy", "knows"),
    ("hallucination", "hallucination_rate", "halluc"),
    ("sycophancy", "flip_rate", "flips"),
    ("premise", "affirm_rate", "affirms"),
    ("refusal", "over_refusal", "overref"),
    ("refusal", "harmful_compliance", "harmful"),
    ("style", "specific_rate", "specific"),
    ("emotion", "reflect_first_rate", "reflects"),
    ("length", "mean_words", "words"),
)


def _num(x: float, signed: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def arm_lines(metrics: pd.DataFrame) -> list[str]:
    """Every arm (rows: base model, annotator, arm) with the headline behaviours, means over seeds."""
    means = seed_means(metrics)
    rows = []
    for (base, annotator, arm), group in means.groupby(["base", "annotator", "arm"], sort=True):
        values = {(p, m): v for p, m, v in zip(group["probe"], group["metric"], group["value"])}
        rows.append({"base": base, "annotator": annotator or "-", "arm": arm,
                     **{short: values.get((p, m), math.nan) for p, m, short in TERMINAL_COLUMNS}})
    if not rows:
        return ["  (no finished run)"]
    frame = pd.DataFrame(rows)
    if len(frame["base"].unique()) == 1:
        frame = frame.drop(columns="base")
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.float_format", "{:.3f}".format):
        return frame.to_string(index=False).splitlines()


def _change(point: float, lo: float, hi: float, verdict: str) -> str:
    if verdict == "cannot tell":
        return f"{_num(point, True)} (one seed: no interval)"
    return f"{_num(point, True)} [{_num(lo, True)}, {_num(hi, True)}]"


def _ratio(f: BreakevenFigure) -> str:
    better = "increase" if f.higher_is_better else "decrease"
    worse = "decrease" if f.higher_is_better else "increase"
    if f.higher_is_better is None:
        return ""
    if "cannot tell" in (f.d_sft_verdict, f.d_pref_verdict):
        return "cannot tell"
    if f.ratio_status == "bounded" and f.d_sft_verdict == better:
        return f"{f.breakeven_ratio:.2f} [{f.ratio_lo:.2f}, {f.ratio_hi:.2f}]"
    if f.ratio_status == "no upper bound" and f.d_pref_verdict == better:
        return f">= {f.ratio_lo:.2f}"
    if f.d_sft_verdict == worse:
        return "more SFT hurts"
    if f.d_pref_verdict == worse:
        return "pairs hurt"
    if f.d_pref_verdict == better:
        return "pairs help, more SFT not seen to"
    return "no detectable gain"


def crossover_lines(figures: list[BreakevenFigure], confidence: float) -> list[str]:
    """One block per (base, annotator): each headline metric's change from more SFT and from pairs, and r*."""
    if not figures:
        return []
    first = figures[0]
    out = [f"At SFT({first.n0}): {first.m} pairs vs {first.n} more demonstrations "
           f"(changes with {round(100 * confidence)}% intervals over seeds and probe items)"]
    shown = [f for f in figures if (f.probe, f.metric) in HEADLINE]
    blocks: dict[tuple[str, str], list[BreakevenFigure]] = {}
    for f in shown:
        blocks.setdefault((f.base, f.annotator), []).append(f)
    for (base, annotator), block in blocks.items():
        rows = [{"metric": f"{f.probe}.{f.metric}", f"SFT({f.n0})": _num(f.parent),
                 f"+{f.n} SFT": _change(f.d_sft, f.d_sft_lo, f.d_sft_hi, f.d_sft_verdict),
                 f"+{f.m} pairs": _change(f.d_pref, f.d_pref_lo, f.d_pref_hi, f.d_pref_verdict),
                 "demos per pair (r*)": _ratio(f)} for f in block]
        label = annotator if len(blocks) == 1 or len({b for b, _ in blocks}) == 1 else f"{base} / {annotator}"
        out += ["", f"[{label} annotator]", *pd.DataFrame(rows).to_string(index=False).splitlines()]
    return out


def flag_lines(flags: pd.DataFrame | None) -> list[str]:
    if flags is None or flags.empty:
        return []
    raised = flags[flags["status"] == "flagged"]
    if raised.empty:
        return ["Failure flags: none raised."]
    out = ["Failure flags raised (child vs parent, bad-direction change with interval):"]
    for r in raised.itertuples(index=False):
        out.append(f"  [{r.annotator}] {r.arm}: {r.flag} {_num(r.bad_change, True)} "
                   f"[{_num(r.bad_change_lo, True)}, {_num(r.bad_change_hi, True)}]")
    return out
