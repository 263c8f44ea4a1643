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


def _decision(f: BreakevenFigure) -> str:
    """The decision at the study's prices, marked when it does not survive the multiplicity correction."""
    if f.decision not in ("pairs pay", "more SFT pays"):
        return f.decision.replace("no detectable difference", "undecided")
    return f.decision if f.decision_survives else f"({f.decision}: not after FDR)"


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
        rows = [{"metric": ("*" if f.primary else " ") + f"{f.probe}.{f.metric}", f"SFT({f.n0})": _num(f.parent),
                 f"+{f.n} SFT": _change(f.d_sft, f.d_sft_lo, f.d_sft_hi, f.d_sft_verdict),
                 f"+{f.m} pairs": _change(f.d_pref, f.d_pref_lo, f.d_pref_hi, f.d_pref_verdict),
                 "pairs - more SFT": _change(f.head_to_head, f.head_to_head_lo, f.head_to_head_hi,
                                             f.head_to_head_verdict),
                 f"at price {f.price_ratio:.3g}": _decision(f)} for f in block]
        label = annotator if len(blocks) == 1 or len({b for b, _ in blocks}) == 1 else f"{base} / {annotator}"
        out += ["", f"[{label} annotator]  (* primary endpoint)",
                *pd.DataFrame(rows).to_string(index=False).splitlines(), "  prices (SFT examples per pair):"]
        out += [f"    {f.probe}.{f.metric}: {f.price_words}" + (f"; {f.equivalence}" if f.equivalence else "")
                + (f"; head to head detectable at 80% power: +-{f.mdc_head_to_head:.3f}"
                   if math.isfinite(f.mdc_head_to_head) else "")
                for f in block if f.primary and f.higher_is_better is not None]
    return out


def multiplicity_lines(summary: dict) -> list[str]:
    """How many chance findings to expect and what survives (``crossover.analysis.multiplicity``)."""
    words = (summary.get("multiplicity") or {}).get("words") or []
    return ["Chance findings and corrections:", *(f"  {w}" for w in words)] if words else []


def flag_lines(flags: pd.DataFrame | None) -> list[str]:
    if flags is None or flags.empty:
        return []
    raised = flags[flags["status"] == "flagged"]
    if raised.empty:
        return ["Failure flags: none raised (Holm-corrected per arm pair)."]
    out = ["Failure flags raised (child vs parent, bad-direction change with interval; Holm-corrected per arm pair):"]
    for r in raised.itertuples(index=False):
        out.append(f"  [{r.annotator}] {r.arm}: {r.flag} {_num(r.bad_change, True)} "
                   f"[{_num(r.bad_change_lo, True)}, {_num(r.bad_change_hi, True)}]")
    return out
